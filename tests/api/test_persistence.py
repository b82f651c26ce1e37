"""Runs that last (docs/api.md), in process: two apps, one after the other, on one data dir."""

import warnings

from starlette.exceptions import StarletteDeprecationWarning

from app.main import create_app
from tests.conftest import read_until_closed

with warnings.catch_warnings():  # Starlette would rather have httpx2 under its TestClient
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

FAST_JOB = {"iterations": 150, "speed": None, "grid": 10, "test_fraction": 0.2}


def watch(client, job_id):
    """Every message of a finished job's socket, and its close code."""
    with client.websocket_connect(f"/ws/jobs/{job_id}") as ws:
        return read_until_closed(ws)


def run_to_the_end(client):
    job = client.post("/api/jobs", json={**FAST_JOB, "learner": "Ada"}).json()
    received, _ = watch(client, job["id"])  # follows the job until its final status
    assert received[-1]["status"] == "done"
    return job


def test_a_finished_run_answers_as_before_after_a_restart_and_its_token_deletes_it(settings):
    with TestClient(create_app(settings)) as client:
        job = run_to_the_end(client)
        before = client.get(f"/api/jobs/{job['id']}").json()
        seen, _ = watch(client, job["id"])

    with TestClient(create_app(settings)) as client:
        assert client.get(f"/api/jobs/{job['id']}").json() == before
        received, code = watch(client, job["id"])
        assert received == seen and code == 1000  # snapshot, final status, close
        snapshot = received[0]
        assert len(snapshot["history"]["cost"]) == 150 and snapshot["job"]["learner"] == "Ada"
        assert [m["type"] for m in received] == ["snapshot", "status"]
        url = f"/api/jobs/{job['id']}"
        assert client.post(f"{url}/control", json={"action": "resume"}).status_code == 403
        owner = {"Authorization": f"Bearer {job['token']}"}
        refused = client.post(f"{url}/control", json={"action": "resume"}, headers=owner)
        assert refused.status_code == 409  # its token steers it, but it does not train again
        assert client.delete(url).status_code == 403
        assert client.delete(url, headers=owner).status_code == 204
        assert client.get(url).status_code == 404

    with TestClient(create_app(settings)) as client:
        assert client.get(f"/api/jobs/{job['id']}").status_code == 404  # gone from the store


def test_a_job_beyond_the_memorys_limit_is_read_back_from_the_store(settings):
    settings = settings.model_copy(update={"MAX_JOBS": 1})
    with TestClient(create_app(settings)) as client:
        first = run_to_the_end(client)
        before, _ = watch(client, first["id"])
        second = run_to_the_end(client)  # memory keeps one job: the first makes room
        mine = client.get("/api/jobs", headers={"Authorization": f"Bearer {second['token']}"})
        assert [j["id"] for j in mine.json()] == [second["id"]]
        again, code = watch(client, first["id"])
        assert again == before and code == 1000
