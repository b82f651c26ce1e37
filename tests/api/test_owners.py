"""Owners (docs/api.md): the creator steers a job with its token, the admin all, anyone watches."""

import re
import warnings

import pytest
from pydantic import SecretStr
from starlette.exceptions import StarletteDeprecationWarning

from app.config import Settings
from app.main import create_app
from tests.conftest import FakeClock, taken

with warnings.catch_warnings():  # Starlette would rather have httpx2 under its TestClient
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient, WebSocketDenialResponse

pytestmark = pytest.mark.anyio

PAUSED = {"iterations": 10_000, "start_paused": True, "grid": 10}
ADMIN = "the-teachers-secret"


def bearer(*tokens: str) -> dict[str, str]:
    return {"Authorization": "Bearer " + ", ".join(tokens)}


async def test_the_creator_gets_a_token_once(client):
    created = (await client.post("/api/jobs", json=PAUSED)).json()
    assert len(created["token"]) >= 32
    shown = (await client.get(f"/api/jobs/{created['id']}")).json()
    assert "token" not in shown and shown["id"] == created["id"]
    listed = (await client.get("/api/jobs")).json()
    assert all("token" not in job for job in listed)


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("POST", "/control", {"action": "resume"}),
        ("POST", "/gradcheck", None),
        ("DELETE", "", None),
    ],
)
async def test_without_the_token_a_viewer_may_watch_but_not_steer(
    client, stranger, method, path, body
):
    job = (await client.post("/api/jobs", json=PAUSED)).json()
    await taken(client, job)
    url = f"/api/jobs/{job['id']}{path}"
    for headers in ({}, bearer("not-the-token"), {"Authorization": job["token"]}):
        response = await stranger.request(method, url, json=body, headers=headers)
        assert response.status_code == 403, response.text
        assert "token" in response.json()["detail"]
    assert (await stranger.get(f"/api/jobs/{job['id']}")).json()["status"] == "paused"
    unknown = await stranger.request(method, f"/api/jobs/no-such-job{path}", json=body)
    assert unknown.status_code == 404


async def test_the_token_steers_its_job_only(client, stranger):
    mine = (await stranger.post("/api/jobs", json=PAUSED)).json()
    theirs = (await client.post("/api/jobs", json=PAUSED)).json()
    steer = await stranger.post(
        f"/api/jobs/{theirs['id']}/control", json={"action": "stop"}, headers=bearer(mine["token"])
    )
    assert steer.status_code == 403
    steer = await stranger.post(
        f"/api/jobs/{mine['id']}/control", json={"action": "stop"}, headers=bearer(mine["token"])
    )
    assert steer.status_code == 200 and steer.json()["status"] == "stopped"


async def test_the_list_shows_the_jobs_whose_tokens_the_request_carries(client, stranger):
    first, second, third = [(await stranger.post("/api/jobs", json=PAUSED)).json() for _ in "abc"]

    async def listed(headers):
        return [job["id"] for job in (await stranger.get("/api/jobs", headers=headers)).json()]

    assert await listed({}) == []
    assert await listed(bearer(first["token"], third["token"])) == [first["id"], third["id"]]
    repeated = [
        ("Authorization", f"Bearer {first['token']}"),
        ("Authorization", f"Bearer {second['token']}"),
    ]
    assert await listed(repeated) == [first["id"], second["id"]]


@pytest.fixture
def admin_settings() -> Settings:
    return Settings(MAX_RUNNING_JOBS=3, MAX_JOBS=4, ADMIN_TOKEN=SecretStr(ADMIN))


async def test_the_admin_token_lists_steers_and_deletes_every_job(admin_settings):
    app = create_app(admin_settings)
    with TestClient(app) as server:
        jobs = [server.post("/api/jobs", json=PAUSED).json() for _ in range(2)]
        assert server.get("/api/jobs").json() == []
        listed = server.get("/api/jobs", headers=bearer(ADMIN)).json()
        assert [job["id"] for job in listed] == [job["id"] for job in jobs]
        url = f"/api/jobs/{jobs[0]['id']}"
        stepped = server.post(f"{url}/control", json={"action": "step"}, headers=bearer(ADMIN))
        assert stepped.status_code == 200
        assert server.delete(url, headers=bearer("wrong")).status_code == 403
        assert server.delete(url, headers=bearer(ADMIN)).status_code == 204
        with server.websocket_connect(f"/ws/jobs/{jobs[1]['id']}") as ws:
            ws.send_json({"action": "auth", "token": ADMIN})
            ws.send_json({"action": "stop"})
            while (message := ws.receive_json()).get("status") != "stopped":
                assert message["type"] != "error", message


@pytest.mark.parametrize(
    "settings", [Settings(MAX_RUNNING_JOBS=3, MAX_JOBS=4, ADMIN_TOKEN=SecretStr(ADMIN))]
)
async def test_only_requests_with_the_jobs_own_token_keep_it_from_idling(app, client, stranger):
    manager = app.state.manager
    manager.clock = manager.presence.clock = clock = FakeClock()
    job = (await client.post("/api/jobs", json=PAUSED)).json()
    url = f"/api/jobs/{job['id']}"
    clock.now += 60
    assert (await stranger.get(url)).status_code == 200
    assert (await stranger.get(url, headers=bearer(ADMIN))).status_code == 200
    step = {"action": "step"}
    admin_step = await stranger.post(f"{url}/control", json=step, headers=bearer(ADMIN))
    assert admin_step.status_code == 200
    assert manager.get(job["id"]).seen == 1000  # when it was created
    for method, path, body in [
        ("GET", "", None),
        ("POST", "/control", {"action": "set", "learning_rate": 0.5}),
        ("POST", "/gradcheck", None),
    ]:
        clock.now += 60
        assert (await client.request(method, url + path, json=body)).status_code == 200
        assert manager.get(job["id"]).seen == clock.now, path


def test_an_admins_socket_is_not_the_owners_page(admin_settings):
    app = create_app(admin_settings)
    with TestClient(app) as server:
        job = server.post("/api/jobs", json=PAUSED).json()
        url = f"/ws/jobs/{job['id']}"
        with server.websocket_connect(url) as admin, server.websocket_connect(url) as owner:
            for ws, token in ((admin, ADMIN), (owner, job["token"])):
                ws.send_json({"action": "auth", "token": token})
                ws.send_json({"action": "jump"})  # its error comes once the auth is applied
                while ws.receive_json()["type"] != "error":
                    pass
            watched = app.state.manager.get(job["id"])
            assert watched.viewers == 2 and watched.owner_sockets == 1


def next_error(ws):
    """The next error message, past the job's pictures (progress without new iterations)."""
    while (message := ws.receive_json())["type"] != "error":
        assert message["type"] == "progress" and message["cost"] == [], message
    return message


def test_over_the_websocket_only_the_token_steers(app):
    with TestClient(app) as server:
        job = server.post("/api/jobs", json=PAUSED).json()
        with server.websocket_connect(f"/ws/jobs/{job['id']}") as ws:
            # A job created paused is queued first, and its first picture may come just
            # before or just after its paused status: errors are read past them.
            while ws.receive_json().get("status") != "paused":
                pass
            ws.send_json({"action": "resume"})
            assert "auth" in next_error(ws)["detail"]
            ws.send_json({"action": "auth", "token": "a guess"})
            assert "does not steer" in next_error(ws)["detail"]
            ws.send_json({"action": "auth", "token": None})
            assert next_error(ws)["type"] == "error"
            assert server.get(f"/api/jobs/{job['id']}").json()["status"] == "paused"
            ws.send_json({"action": "auth", "token": job["token"]})
            ws.send_json({"action": "stop"})
            while (message := ws.receive_json()).get("status") != "stopped":
                assert message["type"] != "error", message


@pytest.mark.parametrize(
    "origin, allowed",
    [
        (None, True),
        ("http://testserver", True),
        ("https://slides.example.org", True),
        ("https://evil.example.com", False),
        ("null", False),
        ("http://testserver.evil.example.com", False),
    ],
)
def test_the_websocket_refuses_other_sites_pages(origin, allowed):
    app = create_app(Settings(ALLOWED_ORIGINS="https://slides.example.org, https://b.example.org"))
    with TestClient(app) as server:
        job = server.post("/api/jobs", json=PAUSED).json()
        headers = {} if origin is None else {"Origin": origin}
        url = f"/ws/jobs/{job['id']}"
        if allowed:
            with server.websocket_connect(url, headers=headers) as ws:
                assert ws.receive_json()["type"] == "snapshot"
            return
        with (
            pytest.raises(WebSocketDenialResponse) as refused,
            server.websocket_connect(url, headers=headers),
        ):
            pass
        assert refused.value.status_code == 403
        assert "GRADLIVE_ALLOWED_ORIGINS" in refused.value.json()["detail"]


def test_pages_allow_only_their_own_scripts():
    app = create_app(Settings(FRAME_ANCESTORS="'self' https://slides.example.org"))
    with TestClient(app) as server:
        for path in ("/", "/room", "/runs", "/experiment", "/docs", "/redoc"):
            page = server.get(path)
            policy = page.headers["content-security-policy"]
            assert "script-src 'self';" in policy, path  # no hash, no 'unsafe-inline'
            assert "frame-ancestors 'self' https://slides.example.org" in policy
            assert page.headers["x-content-type-options"] == "nosniff"
            assert page.headers["referrer-policy"] == "same-origin"
            assert not re.search(r"<script(?![^>]*\bsrc=)", page.text), path  # none inline
        api = server.get("/api/limits")
        assert api.headers["x-content-type-options"] == "nosniff"
        assert "content-security-policy" not in api.headers


def test_one_client_cannot_hold_every_place():
    settings = Settings(
        MAX_RUNNING_JOBS=10, MAX_JOBS=20, MAX_ACTIVE_JOBS_PER_CLIENT=2, TRUST_PROXY=True
    )
    student, classmate = {"X-Forwarded-For": "10.0.0.7"}, {"X-Forwarded-For": "10.0.0.8, 10.0.0.1"}
    with TestClient(create_app(settings)) as server:
        held = [server.post("/api/jobs", json=PAUSED, headers=student).json() for _ in "ab"]
        refused = server.post("/api/jobs", json=PAUSED, headers=student)
        assert refused.status_code == 429 and "Retry-After" in refused.headers
        assert "GRADLIVE_MAX_ACTIVE_JOBS_PER_CLIENT" in refused.json()["detail"]
        assert server.post("/api/jobs", json=PAUSED, headers=classmate).status_code == 201
        stop = {"action": "stop"}
        url = f"/api/jobs/{held[0]['id']}/control"
        server.post(url, json=stop, headers={**student, **bearer(held[0]["token"])})
        assert server.post("/api/jobs", json=PAUSED, headers=student).status_code == 201


def test_at_its_bound_of_kept_jobs_a_client_makes_room_with_its_own_oldest():
    settings = Settings(MAX_RUNNING_JOBS=10, MAX_JOBS=20, MAX_JOBS_PER_CLIENT=2, TRUST_PROXY=True)
    student, classmate = {"X-Forwarded-For": "10.0.0.7"}, {"X-Forwarded-For": "10.0.0.8"}
    with TestClient(create_app(settings)) as server:
        theirs = server.post("/api/jobs", json=PAUSED, headers=classmate).json()
        mine = []
        for _ in range(3):
            job = server.post("/api/jobs", json=PAUSED, headers=student).json()
            stop = {"action": "stop"}
            url = f"/api/jobs/{job['id']}/control"
            server.post(url, json=stop, headers=bearer(job["token"])).raise_for_status()
            mine.append(job["id"])
        assert server.get(f"/api/jobs/{mine[0]}").status_code == 404
        assert [server.get(f"/api/jobs/{j}").status_code for j in mine[1:]] == [200, 200]
        assert server.get(f"/api/jobs/{theirs['id']}").status_code == 200
