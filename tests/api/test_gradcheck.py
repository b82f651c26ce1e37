"""POST /api/jobs/{id}/gradcheck: the course's gradient check at a job's weights."""

import asyncio

import pytest

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
