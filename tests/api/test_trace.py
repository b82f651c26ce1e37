"""GET /api/jobs/{id}/trace (docs/api.md): one iteration's arrays, under the lecture's names."""

import numpy as np
import pytest

from app.nn import datasets, model
from tests.api.test_exports import LECTURE_300, client, finished, get  # noqa: F401


def test_the_trace_is_the_lectures_iteration_at_the_jobs_parameters(client):  # noqa: F811
    job, _ = finished(client, **LECTURE_300)
    trace = get(client, job, "trace").json()
    parameters = {k: np.array(v) for k, v in get(client, job, "parameters.json").json().items()}
    X, Y = datasets.make("flower", 400, 0.2, 1)
    AL, cache = model.forward_propagation(X, parameters, "tanh")
    grads = model.backward_propagation(parameters, cache, X, Y, "tanh")

    assert trace["iteration"] == 300 and trace["m"] == 400  # the next iteration, all of it
    assert trace["cost"] == pytest.approx(model.compute_cost(AL, Y), abs=1e-12)
    assert trace["shapes"]["Z1"] == [4, 400] and trace["shapes"]["dW1"] == [4, 2]
    assert trace["shapes"]["dZ2"] == [1, 400] and trace["shapes"]["b2"] == [1, 1]
    for name, value in grads.items():
        np.testing.assert_allclose(trace["grads"][name], value, rtol=1e-12, atol=1e-15)
        assert trace["norms"][name] == pytest.approx(np.linalg.norm(value))
    # m = 400 is above the bound: evenly spaced columns of every (n, m) array, listed.
    columns = trace["columns"]
    assert len(columns) == 64 and columns[0] == 0 and columns[-1] == 399
    np.testing.assert_allclose(trace["cache"]["A1"], cache["A1"][:, columns], rtol=1e-12)
    np.testing.assert_allclose(trace["cache"]["X"], X[:, columns])
    dZ2 = np.array(trace["cache"]["A2"]) - np.array(trace["cache"]["Y"])
    np.testing.assert_allclose(trace["cache"]["dZ2"], dZ2, atol=1e-15)  # dZ2 = A2 - Y
    # dZ1 = W2^T dZ2 * (1 - A1^2), the tanh derivative: the lecture's backward step.
    dZ1 = parameters["W2"].T @ dZ2 * (1 - np.array(trace["cache"]["A1"]) ** 2)
    np.testing.assert_allclose(trace["cache"]["dZ1"], dZ1, rtol=1e-9, atol=1e-15)


def test_a_small_set_is_traced_whole_and_deeper_networks_layer_by_layer(client):  # noqa: F811
    job, _ = finished(client, n_samples=40, hidden_layers=[3, 2], iterations=20, speed=None)
    trace = get(client, job, "trace").json()
    assert trace["columns"] is None  # every example
    assert [len(trace["cache"][f"dZ{l}"]) for l in (3, 2, 1)] == [1, 2, 3]
    assert len(trace["cache"]["Z1"][0]) == 40
    assert sorted(trace["grads"]) == ["dW1", "dW2", "dW3", "db1", "db2", "db3"]


def test_an_unknown_job_has_no_trace(client):  # noqa: F811
    assert client.get("/api/jobs/nope/trace").status_code == 404
