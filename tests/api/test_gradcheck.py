"""POST /api/jobs/{id}/gradcheck: the course's gradient check at a job's weights."""

import asyncio

import pytest

from app.jobs.spec import DataSplit, JobSpec
from app.nn.gradcheck import gradient_check
from app.nn.trainer import Trainer

pytestmark = pytest.mark.anyio


async def finished(client, **body):
    job = (await client.post("/api/jobs", json={"speed": None, "grid": 10, **body})).json()
    while job["status"] not in {"done", "diverged", "failed", "stopped"}:
        await asyncio.sleep(0.01)
        job = (await client.get(f"/api/jobs/{job['id']}")).json()
    return job


@pytest.mark.parametrize(
    "body",
    [
        {"iterations": 300},
        {"iterations": 200, "hidden_layers": [5, 3], "activation": "sigmoid", "l2": 0.5},
    ],
)
async def test_a_trained_jobs_gradients_pass_the_check(client, body):
    job = await finished(client, **body)
    response = await client.post(f"/api/jobs/{job['id']}/gradcheck")
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["passed"] is True
    assert 0 <= result["difference"] < result["threshold"] == 2e-7
    assert result["epsilon"] == 1e-7 and result["m"] == 100
    dims = [2, *job["config"]["hidden_layers"], 1]
    sizes = zip(dims[1:], dims[:-1], strict=True)
    assert result["n_parameters"] == sum(n * n_prev + n for n, n_prev in sizes)
    assert result["worst"][0] in "Wb"


async def test_a_diverged_job_has_nothing_to_check(client):
    job = await finished(client, iterations=500, learning_rate=100)
    assert job["status"] == "diverged"
    response = await client.post(f"/api/jobs/{job['id']}/gradcheck")
    assert response.status_code == 409
    assert "not finite" in response.json()["detail"]


async def test_an_unknown_job_is_404(client):
    response = await client.post("/api/jobs/nope/gradcheck")
    assert response.status_code == 404 and response.json() == {"detail": "Job not found"}


async def test_a_job_can_be_checked_again_once_a_check_is_over(client):
    job = await finished(client, iterations=50)
    for _ in range(2):
        response = await client.post(f"/api/jobs/{job['id']}/gradcheck")
        assert response.status_code == 200, response.text


async def test_a_refused_check_does_not_block_the_next_one(client):
    job = await finished(client, iterations=500, learning_rate=100)
    for _ in range(2):
        assert (await client.post(f"/api/jobs/{job['id']}/gradcheck")).status_code == 409


async def test_a_paused_job_is_checked_at_the_exact_weights_of_its_iteration(client):
    """Paused after 61 iterations, the check is of those weights, in full precision."""
    body = {"speed": None, "grid": 10, "start_paused": True, "hidden_layers": [3]}
    job = (await client.post("/api/jobs", json=body)).json()
    url = f"/api/jobs/{job['id']}"
    assert (await client.post(f"{url}/control", json={"action": "step", "steps": 61})).is_success
    while (job := (await client.get(url)).json())["status"] != "paused" or job["iteration"] < 60:
        await asyncio.sleep(0.01)
    result = (await client.post(f"{url}/gradcheck")).json()
    assert result["iteration"] == job["iteration"] == 60
    spec = JobSpec(hidden_layers=(3,)).resolved()
    data = DataSplit.make(spec)
    trainer = Trainer(spec.train_config(), data.X_train, data.Y_train)
    for _ in range(61):
        trainer.step()
    X, Y = data.X_train[:, :100], data.Y_train[:, :100]
    expected = gradient_check(dict(trainer.parameters), X, Y, "tanh", 0.0)
    assert result["difference"] == expected.difference and result["worst"] == expected.worst
    initial = gradient_check(dict(Trainer(spec.train_config(), X, Y).parameters), X, Y)
    assert result["difference"] != initial.difference
