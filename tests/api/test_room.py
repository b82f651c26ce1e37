"""The teacher's room: learners' names on jobs, the page /room and its websocket /ws/room."""

import base64
import re
import warnings

import pytest
from pydantic import SecretStr
from starlette.exceptions import StarletteDeprecationWarning
from starlette.websockets import WebSocketDisconnect

from app.config import Settings
from app.jobs.room import LEARNER_LENGTH, THUMBNAIL
from app.main import create_app

with warnings.catch_warnings():  # Starlette would rather have httpx2 under its TestClient
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient, WebSocketDenialResponse

ADMIN = "the-teachers-secret"
PAUSED = {"iterations": 10_000, "start_paused": True, "grid": 10}
FAST = {"iterations": 200, "speed": None}


@pytest.fixture
def server():
    settings = Settings(
        MAX_RUNNING_JOBS=4, MAX_JOBS=8, ADMIN_TOKEN=SecretStr(ADMIN), ROOM_INTERVAL=0.05
    )
    with TestClient(create_app(settings)) as client:
        yield client


def create(server, **body):
    response = server.post("/api/jobs", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def closed_code(ws):
    """The close code of a socket the server is about to close (no message may come first)."""
    with pytest.raises(WebSocketDisconnect) as closed:
        ws.receive_json()
    return closed.value.code


def room_until(ws, predicate):
    """`room` messages until one whose jobs satisfy predicate(jobs); that one's jobs."""
    while True:
        message = ws.receive_json()
        assert message["type"] == "room", message
        if predicate(message["jobs"]):
            return message["jobs"]


def test_a_job_keeps_its_learners_name_and_shows_it(server):
    job = create(server, **PAUSED, learner="  Bold Otter ")
    assert job["learner"] == "Bold Otter"  # spaces at the ends are dropped
    assert server.get(f"/api/jobs/{job['id']}").json()["learner"] == "Bold Otter"
    listed = server.get("/api/jobs", headers={"Authorization": f"Bearer {ADMIN}"}).json()
    assert [j["learner"] for j in listed] == ["Bold Otter"]
    assert create(server, **PAUSED)["learner"] is None  # the field is optional
    assert "learner" not in job["config"]  # who started it is not a training setting


@pytest.mark.parametrize(
    "learner, says",
    [
        ("x" * (LEARNER_LENGTH + 1), f"at most {LEARNER_LENGTH} characters"),
        ("", "at least 1 character"),
        ("   ", "at least 1 character"),
        ("two\nlines", "control characters"),
        (42, "valid string"),
        (["Bold Otter"], "valid string"),
    ],
)
def test_a_bad_learner_name_is_refused_naming_the_field(server, learner, says):
    response = server.post("/api/jobs", json={**PAUSED, "learner": learner})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "learner"] and says in error["msg"]
    assert server.get("/api/jobs", headers={"Authorization": f"Bearer {ADMIN}"}).json() == []


def test_the_room_page_asks_for_the_token_with_its_own_script(server):
    page = server.get("/room")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    version = r"static/~[0-9a-f]{12}/"
    assert re.search(version + "js/room.js", page.text), "no versioned room.js"
    assert re.search(version + "css/room.css", page.text), "no versioned room.css"
    assert "'unsafe-inline'" not in page.headers["content-security-policy"].split(";")[1]
    assert 'data-testid="room-token"' in page.text


@pytest.mark.parametrize(
    "first",
    [
        {"action": "auth", "token": "a guess"},
        {"action": "auth", "token": None},
        {"action": "auth"},
        {"action": "pause"},
        ["auth", ADMIN],
    ],
)
def test_the_room_without_the_admins_token_gets_an_error_then_4403_and_no_job(server, first):
    create(server, **PAUSED, learner="Bold Otter")
    with server.websocket_connect("/ws/room") as ws:
        ws.send_json(first)
        error = ws.receive_json()
        assert error["type"] == "error" and "token" in error["detail"]
        assert closed_code(ws) == 4403


def test_text_that_is_not_json_closes_the_room_with_4403(server):
    with server.websocket_connect("/ws/room") as ws:
        ws.send_text("let me in")
        assert ws.receive_json()["type"] == "error"
        assert closed_code(ws) == 4403


def test_a_server_without_an_admin_token_has_no_room():
    with TestClient(create_app(Settings())) as server, server.websocket_connect("/ws/room") as ws:
        ws.send_json({"action": "auth", "token": ""})
        assert "GRADLIVE_ADMIN_TOKEN" in ws.receive_json()["detail"]
        assert closed_code(ws) == 4403


def test_the_room_lists_every_learners_job_with_a_small_thumbnail(server):
    fine = create(server, **FAST, grid=100, learner="Bold Otter")
    coarse = create(server, **FAST, grid=10, learner="Calm Heron")  # another client's
    with server.websocket_connect("/ws/room") as ws:
        ws.send_json({"action": "auth", "token": ADMIN})
        jobs = room_until(ws, lambda jobs: all(j["status"] == "done" for j in jobs))
    assert [j["id"] for j in jobs] == [fine["id"], coarse["id"]]  # oldest first
    assert [j["learner"] for j in jobs] == ["Bold Otter", "Calm Heron"]
    for job in jobs:
        assert job["iteration"] == 199
        assert job["config"] == {
            "dataset": "flower",
            "hidden_layers": [4],
            "activation": "tanh",
            "learning_rate": 1.2,
            "iterations": 200,
            "optimizer": "gd",
            "batch_size": None,
        }
        assert 0.5 < job["metrics"]["train_accuracy"] <= 1
        assert job["metrics"]["test_accuracy"] is None and job["metrics"]["cost"] > 0
        thumbnail = job["thumbnail"]
        assert thumbnail["resolution"] == THUMBNAIL and thumbnail["encoding"] == "uint8-base64"
        assert len(base64.b64decode(thumbnail["z"])) == THUMBNAIL * THUMBNAIL
        assert thumbnail["x_min"] < thumbnail["x_max"] and thumbnail["y_min"] < thumbnail["y_max"]


def test_the_room_sends_the_list_again_only_when_it_changed(server):
    first = create(server, **FAST, learner="Bold Otter")
    with server.websocket_connect("/ws/room") as ws:
        ws.send_json({"action": "auth", "token": ADMIN})
        room_until(ws, lambda jobs: jobs[0]["status"] == "done")
        second = create(server, **PAUSED, learner="Calm Heron")
        # Nothing changed in between, so the next message is the one with the new job.
        jobs = ws.receive_json()["jobs"]
        assert [j["id"] for j in jobs] == [first["id"], second["id"]]
        server.delete(f"/api/jobs/{first['id']}", headers={"Authorization": f"Bearer {ADMIN}"})
        assert [j["id"] for j in ws.receive_json()["jobs"]] == [second["id"]]


def test_the_room_only_listens_and_shows_a_job_stopped_over_rest(server):
    job = create(server, **PAUSED, learner="Bold Otter")
    admin = {"Authorization": f"Bearer {ADMIN}"}
    with server.websocket_connect("/ws/room") as ws:
        ws.send_json({"action": "auth", "token": ADMIN})
        assert room_until(ws, lambda jobs: jobs[0]["status"] == "paused")
        ws.send_json({"action": "stop"})  # the room only listens: this changes nothing
        control = server.post(
            f"/api/jobs/{job['id']}/control", json={"action": "stop"}, headers=admin
        )
        assert control.status_code == 200
        [stopped] = room_until(ws, lambda jobs: jobs[0]["status"] == "stopped")
        assert stopped["detail"]


def test_the_room_refuses_other_sites_pages(server):
    with (
        pytest.raises(WebSocketDenialResponse) as refused,
        server.websocket_connect("/ws/room", headers={"Origin": "https://evil.example.com"}),
    ):
        pass
    assert refused.value.status_code == 403
    assert "GRADLIVE_ALLOWED_ORIGINS" in refused.value.json()["detail"]
    with server.websocket_connect("/ws/room", headers={"Origin": "http://testserver"}) as ws:
        ws.send_json({"action": "auth", "token": ADMIN})
        assert ws.receive_json()["type"] == "room"
