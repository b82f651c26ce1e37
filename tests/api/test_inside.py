"""Inside a job's network: its hidden space (open to watchers) and a weight set by hand
(its owner only), each checked against the lecture's forward pass."""

import asyncio

import numpy as np
import pytest

from app.jobs.inside import GRID_LINES, LINE_POINTS, MAX_WEIGHT
from app.nn import datasets, model

pytestmark = pytest.mark.anyio

PAUSED = {"iterations": 1_000, "grid": 10, "start_paused": True, "test_fraction": 0.25}


async def paused_job(client, **body):
    """A job paused before iteration 0, once its first frame (its parameters) is written."""
    job = (await client.post("/api/jobs", json={**PAUSED, **body})).json()
    for _ in range(500):
        if (await client.get(f"/api/jobs/{job['id']}/parameters.json")).status_code == 200:
            return (await client.get(f"/api/jobs/{job['id']}")).json()
        await asyncio.sleep(0.01)
    raise AssertionError("the job never wrote its parameters")


async def parameters(client, job_id):
    response = await client.get(f"/api/jobs/{job_id}/parameters.json")
    return {name: np.array(value) for name, value in response.json().items()}


def lecture_split():
    X, Y = datasets.make("flower", 400, 0.2, 1)
    return datasets.train_test_split(X, Y, 0.25, 1)


async def test_the_hidden_space_is_two_units_activations_of_every_point(client, stranger):
    job = await paused_job(client)
    answer = (await stranger.get(f"/api/jobs/{job['id']}/hidden?layer=1&units=2,0")).json()
    X_train, Y_train, X_test, _ = lecture_split()
    W = await parameters(client, job["id"])
    _, cache = model.forward_propagation(X_train, W, "tanh")
    np.testing.assert_allclose(answer["train"]["A"], cache["A1"][[2, 0]], rtol=1e-12)
    assert answer["train"]["y"] == Y_train[0].astype(int).tolist()
    assert len(answer["test"]["A"][0]) == X_test.shape[1]
    assert answer["units"] == [2, 0] and answer["layer"] == 1 and answer["iteration"] == -1
    # The grid's lines as one path: LINE_POINTS points a line, a gap (null) after each.
    path = answer["grid"]["A"][0]
    assert len(path) == 2 * GRID_LINES * (LINE_POINTS + 1)
    assert [i for i, v in enumerate(path) if v is None][:2] == [LINE_POINTS, 2 * LINE_POINTS + 1]
    assert all(-1 <= v <= 1 for v in path if v is not None)  # tanh's range


@pytest.mark.parametrize(
    "query, field",
    [
        ("layer=2&units=0,1", "layer"),
        ("layer=0&units=0,1", "layer"),
        ("units=0,0", "units"),
        ("units=0,4", "units"),
        ("units=1", "units"),
        ("units=a,b", "units"),
    ],
)
async def test_a_hidden_space_outside_the_network_is_refused_by_name(client, query, field):
    job = await paused_job(client)
    response = await client.get(f"/api/jobs/{job['id']}/hidden?{query}")
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["query", field]


async def test_a_layer_of_one_unit_has_no_space(client):
    job = await paused_job(client, hidden_layers=[1])
    response = await client.get(f"/api/jobs/{job['id']}/hidden")
    assert response.status_code == 422 and "one unit" in response.text


async def test_an_edited_weight_is_the_networks_at_once_and_training_goes_on_from_it(client):
    job = await paused_job(client, test_fraction=0)
    edit = {"parameter": "W2", "row": 0, "col": 1, "value": 3.5}
    response = await client.post(f"/api/jobs/{job['id']}/weights", json=edit)
    assert response.status_code == 200, response.text
    edited = await parameters(client, job["id"])
    assert edited["W2"][0, 1] == 3.5
    X, Y = datasets.make("flower", 400, 0.2, 1)
    AL, _ = model.forward_propagation(X, edited, "tanh")
    # The job's metrics are those of the edited network, before any new iteration.
    shown = (await client.get(f"/api/jobs/{job['id']}")).json()
    assert shown["iteration"] == -1
    assert shown["metrics"]["train_accuracy"] == pytest.approx(float(np.mean((AL > 0.5) == Y)))
    assert shown["metrics"]["train_cost"] == pytest.approx(model.compute_cost(AL, Y), rel=1e-12)
    # One step later the job has trained from the edited network, as the lecture would.
    steps = await client.post(f"/api/jobs/{job['id']}/control", json={"action": "step"})
    assert steps.status_code == 200
    for _ in range(500):
        if (await parameters(client, job["id"]))["b2"][0, 0] != edited["b2"][0, 0]:
            break
        await asyncio.sleep(0.01)
    after = await parameters(client, job["id"])
    _, cache = model.forward_propagation(X, edited, "tanh")
    grads = model.backward_propagation(edited, cache, X, Y, "tanh")
    np.testing.assert_allclose(after["W2"], edited["W2"] - 1.2 * grads["dW2"], rtol=1e-10)


async def test_biases_are_edited_too(client):
    job = await paused_job(client)
    edit = {"parameter": "b1", "row": 3, "value": -2.0}
    assert (await client.post(f"/api/jobs/{job['id']}/weights", json=edit)).status_code == 200
    assert (await parameters(client, job["id"]))["b1"][3, 0] == -2.0


@pytest.mark.parametrize(
    "edit, field",
    [
        ({"parameter": "W3", "row": 0, "col": 0, "value": 1}, "parameter"),
        ({"parameter": "Z1", "row": 0, "col": 0, "value": 1}, "parameter"),
        ({"parameter": "W1", "row": 4, "col": 0, "value": 1}, "row"),
        ({"parameter": "W1", "row": 0, "col": 2, "value": 1}, "col"),
        ({"parameter": "b1", "row": 0, "col": 1, "value": 1}, "col"),
        ({"parameter": "W1", "row": 0, "col": 0, "value": MAX_WEIGHT * 2}, "value"),
        ({"parameter": "W1", "row": -1, "col": 0, "value": 1}, "row"),
    ],
)
async def test_an_edit_outside_the_network_is_refused_by_name(client, edit, field):
    job = await paused_job(client)
    before = await parameters(client, job["id"])
    response = await client.post(f"/api/jobs/{job['id']}/weights", json=edit)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", field]
    after = await parameters(client, job["id"])
    assert all(np.array_equal(before[k], after[k]) for k in before)


async def test_only_the_owner_edits_and_an_ended_job_is_not_edited(client, stranger):
    job = await paused_job(client)
    edit = {"parameter": "W1", "row": 0, "col": 0, "value": 1.0}
    refused = await stranger.post(f"/api/jobs/{job['id']}/weights", json=edit)
    assert refused.status_code == 403
    await client.post(f"/api/jobs/{job['id']}/control", json={"action": "stop"})
    ended = await client.post(f"/api/jobs/{job['id']}/weights", json=edit)
    assert ended.status_code == 409
    assert (await client.post("/api/jobs/nope/weights", json=edit)).status_code == 404
