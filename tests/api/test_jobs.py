"""REST for jobs: create, list, read, control, delete, and every refusal."""

import asyncio
from dataclasses import replace

import httpx
import pytest

from app.api.schemas import JobCreate
from app.config import Settings
from app.jobs.spec import JobSpec
from app.main import create_app
from app.nn.trainer import TrainConfig
from tests.conftest import taken

pytestmark = pytest.mark.anyio

# A job that finishes in a blink: few iterations, no pacing, a tiny grid.
FAST_JOB = {"iterations": 60, "speed": None, "grid": 10}
SLOW_JOB = {"iterations": 20_000, "speed": 20, "grid": 10}


async def wait_for_status(client, job_id, *statuses):
    """The job once its status is one of `statuses` (polling, no time limit but pytest's)."""
    while True:
        job = (await client.get(f"/api/jobs/{job_id}")).json()
        if job["status"] in statuses:
            return job
        await asyncio.sleep(0.01)


async def test_an_empty_config_starts_the_lectures_run(client):
    response = await client.post("/api/jobs", json={})
    assert response.status_code == 201
    job = response.json()
    assert job["status"] in {"queued", "running"} and job["id"]
    assert job["config"] == {
        "dataset": "flower",
        "n_samples": 400,
        "noise": 0.2,
        "data_seed": 1,
        "test_fraction": 0.0,
        "hidden_layers": [4],
        "activation": "tanh",
        "init": "course",
        "learning_rate": 1.2,
        "iterations": 10_000,
        "seed": 2,
        "optimizer": "gd",
        "batch_size": None,
        "l2": 0.0,
        "l1": 0.0,
        "n_classes": None,
        "features": ["x1", "x2"],
        "problem": "binary",
        "grid": 100,
        "speed": 500.0,
        "start_paused": False,
    }
    assert (await client.delete(f"/api/jobs/{job['id']}")).status_code == 204


async def test_a_job_is_listed_read_and_followed_to_done(client):
    created = (await client.post("/api/jobs", json=FAST_JOB)).json()
    job = await wait_for_status(client, created["id"], "done")
    assert job["iteration"] == 59 and job["detail"] == "Done: 60 iterations."
    assert 0 < job["metrics"]["cost"] < 0.7 and 0 < job["metrics"]["train_accuracy"] <= 1
    assert job["metrics"]["test_accuracy"] is None and job["metrics"]["test_cost"] is None
    listed = (await client.get("/api/jobs")).json()
    assert [j["id"] for j in listed] == [created["id"]]


async def test_unknown_ids_are_404(client):
    assert (await client.get("/api/jobs/nope")).status_code == 404
    assert (await client.delete("/api/jobs/nope")).status_code == 404
    response = await client.post("/api/jobs/nope/control", json={"action": "pause"})
    assert response.status_code == 404 and response.json() == {"detail": "Job not found"}


async def test_delete_stops_and_removes_a_running_job(client):
    job = (await client.post("/api/jobs", json=SLOW_JOB)).json()
    assert (await client.delete(f"/api/jobs/{job['id']}")).status_code == 204
    assert (await client.get(f"/api/jobs/{job['id']}")).status_code == 404
    assert (await client.get("/api/jobs")).json() == []


async def test_a_job_is_paused_stepped_resumed_changed_and_stopped(client):
    body = {**FAST_JOB, "iterations": 10_000, "start_paused": True}
    job = (await client.post("/api/jobs", json=body)).json()
    url = f"/api/jobs/{job['id']}/control"
    await wait_for_status(client, job["id"], "paused")
    stepped = await client.post(url, json={"action": "step", "steps": 3})
    assert stepped.status_code == 200 and stepped.json()["status"] in {"running", "paused"}
    while (job := await wait_for_status(client, job["id"], "paused"))["iteration"] < 2:
        await asyncio.sleep(0.01)
    assert job["iteration"] == 2
    changed = (await client.post(url, json={"action": "set", "learning_rate": 0.5})).json()
    assert changed["config"]["learning_rate"] == 0.5 and changed["config"]["speed"] is None
    changed = (await client.post(url, json={"action": "set", "speed": 40})).json()
    assert changed["config"]["speed"] == 40 and changed["config"]["learning_rate"] == 0.5
    assert (await client.post(url, json={"action": "resume"})).json()["status"] == "running"
    assert (await client.post(url, json={"action": "pause"})).json()["status"] == "paused"
    stopped = (await client.post(url, json={"action": "stop"})).json()
    assert stopped["status"] == "stopped" and stopped["detail"].startswith("Stopped after")
    refused = await client.post(url, json={"action": "resume"})
    assert refused.status_code == 409 and "ended" in refused.json()["detail"]


async def test_a_diverging_job_says_to_use_a_smaller_learning_rate(client):
    job = (await client.post("/api/jobs", json={**FAST_JOB, "learning_rate": 100})).json()
    job = await wait_for_status(client, job["id"], "diverged", "done")
    assert job["status"] == "diverged" and "smaller learning rate" in job["detail"]
    assert job["metrics"]["cost"] is None  # the last cost was NaN or infinite


async def test_a_right_answer_with_certainty_is_done_not_diverged(client):
    body = {
        **FAST_JOB,
        "iterations": 200,
        "n_samples": 2,
        "test_fraction": 0.5,
        "batch_size": 1,
        "optimizer": "rmsprop",
        "learning_rate": 1.2,
    }
    job = (await client.post("/api/jobs", json=body)).json()
    job = await wait_for_status(client, job["id"], "diverged", "done")
    assert job["status"] == "done" and job["metrics"]["cost"] == 0.0


async def test_an_exception_inside_a_job_fails_it_and_the_server_carries_on(client, monkeypatch):
    def broken(*args):
        raise RuntimeError("out of ink")

    monkeypatch.setattr("app.jobs.runner.measure", broken)
    job = (await client.post("/api/jobs", json=FAST_JOB)).json()
    job = await wait_for_status(client, job["id"], "failed")
    # The viewers are told what to do; what broke stays in the server's log.
    assert "server's log" in job["detail"] and "out of ink" not in job["detail"]
    monkeypatch.undo()
    assert (await client.get("/healthz")).status_code == 200
    job = (await client.post("/api/jobs", json=FAST_JOB)).json()
    assert (await wait_for_status(client, job["id"], "done"))["iteration"] == 59


@pytest.mark.parametrize(
    "body, field",
    [
        ({"iterations": 20_001}, "iterations"),
        ({"iterations": 0}, "iterations"),
        ({"iterations": "many"}, "iterations"),
        ({"hidden_layers": [4, 4, 4, 4, 4]}, "hidden_layers"),
        ({"hidden_layers": [4, 51]}, "hidden_layers"),
        ({"hidden_layers": [0]}, "hidden_layers"),
        ({"n_samples": 2001}, "n_samples"),
        ({"n_samples": 1}, "n_samples"),
        ({"grid": 9}, "grid"),
        ({"grid": 201}, "grid"),
        ({"learning_rate": 0}, "learning_rate"),
        ({"learning_rate": -1}, "learning_rate"),
        ({"speed": 0}, "speed"),
        ({"speed": 2e6}, "speed"),
        ({"test_fraction": 1}, "test_fraction"),
        ({"noise": -0.1}, "noise"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": 5000}, "batch_size"),
        ({"l2": -1}, "l2"),
        ({"seed": -1}, "seed"),
        ({"data_seed": 2**32}, "data_seed"),
        ({"dataset": "mnist"}, "dataset"),
        ({"activation": "softmax"}, "activation"),
        ({"optimizer": "lbfgs"}, "optimizer"),
        ({"init": "ones"}, "init"),
        ({"learning_rat": 0.1}, "learning_rat"),
    ],
)
async def test_out_of_range_values_are_refused_naming_the_field(client, body, field):
    response = await client.post("/api/jobs", json=body)
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert any(e["loc"][:2] == ["body", field] for e in errors), errors
    assert all(e["msg"] for e in errors)
    assert (await client.get("/api/jobs")).json() == []  # nothing started


async def test_a_server_limit_names_its_setting(client):
    response = await client.post("/api/jobs", json={"hidden_layers": [4, 99]})
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "hidden_layers", 1]
    assert "at most 50" in error["msg"] and "GRADLIVE_MAX_UNITS" in error["msg"]


async def test_a_spec_the_engine_refuses_is_422(client):
    response = await client.post("/api/jobs", json={"n_samples": 2, "test_fraction": 0.9})
    assert response.status_code == 422
    assert "test_fraction" in response.json()["detail"][0]["msg"]


@pytest.mark.parametrize(
    "body",
    [
        {"action": "jump"},
        {},
        {"action": "step", "steps": 0},
        {"action": "step", "steps": 20_001},
        {"action": "set", "speed": 2e6},
        {"action": "set"},
        {"action": "set", "learning_rate": -1},
        {"action": "set", "learning_rate": None},
    ],
)
async def test_bad_controls_are_refused(client, body):
    job = (await client.post("/api/jobs", json={**SLOW_JOB, "start_paused": True})).json()
    await taken(client, job)
    response = await client.post(f"/api/jobs/{job['id']}/control", json=body)
    assert response.status_code == 422
    assert (await client.get(f"/api/jobs/{job['id']}")).json()["status"] == "paused"


async def test_too_many_running_jobs_get_429_with_retry_after(client, settings):
    for _ in range(settings.MAX_RUNNING_JOBS):
        assert (await client.post("/api/jobs", json=SLOW_JOB)).status_code == 201
    response = await client.post("/api/jobs", json=SLOW_JOB)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert "3 jobs are already training" in response.json()["detail"]
    assert len((await client.get("/api/jobs")).json()) == settings.MAX_RUNNING_JOBS


async def test_finished_jobs_make_room_oldest_first(client, settings):
    ids = []
    for _ in range(settings.MAX_JOBS + 1):
        job = (await client.post("/api/jobs", json=FAST_JOB)).json()
        await wait_for_status(client, job["id"], "done")
        ids.append(job["id"])
    kept = [j["id"] for j in (await client.get("/api/jobs")).json()]
    assert kept == ids[1:]


async def test_a_request_body_too_large_is_413(client, settings):
    body = '{"dataset": "' + "x" * settings.MAX_REQUEST_BYTES + '"}'
    response = await client.post(
        "/api/jobs", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert "GRADLIVE_MAX_REQUEST_BYTES" in response.json()["detail"]


async def test_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("GRADLIVE_MAX_ITERATIONS", "100")
    monkeypatch.setenv("GRADLIVE_DEFAULT_SPEED", "250")
    assert Settings().MAX_ITERATIONS == 100
    app = create_app()
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            refused = await client.post("/api/jobs", json={"iterations": 101})
            assert refused.status_code == 422
            assert "GRADLIVE_MAX_ITERATIONS" in refused.json()["detail"][0]["msg"]
            job = (await client.post("/api/jobs", json={"iterations": 100})).json()
            assert job["config"]["speed"] == 250


async def test_paused_jobs_leave_room_and_resuming_one_in_a_full_server_is_429(client, settings):
    paused = {**SLOW_JOB, "start_paused": True}
    first = (await client.post("/api/jobs", json=paused)).json()
    await wait_for_status(client, first["id"], "paused")
    for _ in range(settings.MAX_RUNNING_JOBS):  # the paused job holds no place
        assert (await client.post("/api/jobs", json=SLOW_JOB)).status_code == 201
    url = f"/api/jobs/{first['id']}/control"
    for action in ({"action": "resume"}, {"action": "step", "steps": 2}):
        refused = await client.post(url, json=action)
        assert refused.status_code == 429 and refused.headers["retry-after"] == "7"
        assert "stays paused" in refused.json()["detail"]
    job = (await client.get(f"/api/jobs/{first['id']}")).json()
    assert job["status"] == "paused" and job["iteration"] == -1
    assert (await client.post(url, json={"action": "set", "learning_rate": 0.5})).status_code == 200


async def test_a_second_gradient_check_of_the_same_job_while_one_runs_is_429(client, app):
    job = (await client.post("/api/jobs", json={**FAST_JOB, "start_paused": True})).json()
    app.state.manager.get(job["id"]).checking = True  # a check under way
    response = await client.post(f"/api/jobs/{job['id']}/gradcheck")
    assert response.status_code == 429 and response.headers["retry-after"] == "1"
    assert "under way" in response.json()["detail"]


@pytest.mark.parametrize("speed", [1e-10, 1e-9, 0.5])
async def test_a_speed_below_the_servers_minimum_is_422_naming_the_field(client, settings, speed):
    response = await client.post("/api/jobs", json={**SLOW_JOB, "speed": speed})
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "speed"]
    assert f"at least {settings.MIN_SPEED:g}" in error["msg"]
    assert "GRADLIVE_MIN_SPEED" in error["msg"]
    assert (await client.get("/api/jobs")).json() == []  # nothing started


@pytest.mark.parametrize("speed, accepted", [(1e-10, False), (0.5, False), (1.0, True)])
async def test_setting_a_speed_below_the_minimum_is_refused_and_changes_nothing(
    client, speed, accepted
):
    job = (await client.post("/api/jobs", json={**SLOW_JOB, "start_paused": True})).json()
    url = f"/api/jobs/{job['id']}/control"
    response = await client.post(url, json={"action": "set", "speed": speed})
    assert response.status_code == (200 if accepted else 422), response.text
    if not accepted:
        assert response.json()["detail"][0]["loc"] == ["body", "speed"]
    config = (await client.get(f"/api/jobs/{job['id']}")).json()["config"]
    assert config["speed"] == (speed if accepted else SLOW_JOB["speed"])


async def test_the_limits_show_the_speed_bounds(client, settings):
    limits = (await client.get("/api/limits")).json()
    assert limits["min_speed"] == settings.MIN_SPEED == 1.0
    assert limits["max_speed"] == settings.MAX_SPEED


def test_the_default_speed_must_lie_within_the_bounds():
    with pytest.raises(ValueError, match="DEFAULT_SPEED"):
        Settings(MIN_SPEED=10, DEFAULT_SPEED=5)


def test_a_request_that_gives_nothing_is_the_lectures_run_as_one_spec_has_it():
    # JobCreate's defaults are JobSpec's, and JobSpec's are TrainConfig's: one source.
    settings = Settings()
    spec = JobCreate().spec(settings)
    assert spec == replace(JobSpec(), speed=settings.DEFAULT_SPEED, grid=settings.DEFAULT_GRID)
    lecture = TrainConfig()
    assert spec.hidden_layers == lecture.layer_dims[1:-1] == (4,)
    trained = spec.resolved().train_config()
    assert (trained.learning_rate, trained.iterations, trained.seed) == (1.2, 10_000, 2)
    assert replace(trained, layer_dims=lecture.layer_dims) == lecture
