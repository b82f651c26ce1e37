"""A job's exports: parameters (.json, .npz), history.csv and script.py, open to any watcher."""

import csv
import io
import math
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from starlette.exceptions import StarletteDeprecationWarning

from tests.conftest import read_until_closed

with warnings.catch_warnings():  # Starlette would rather have httpx2 under its TestClient
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

FAST = {"speed": None, "grid": 10}
LECTURE_300 = {"iterations": 300, **FAST}  # the lecture's config, shorter
EXPORTS = ("parameters.json", "parameters.npz", "history.csv", "script.py")
SCRIPT_SECONDS = 120


@pytest.fixture
def client(app):
    """A client that sends no token: every export below is fetched as a mere watcher."""
    with TestClient(app) as client:
        yield client


def watch_to_the_end(client: TestClient, job_id: str) -> list[dict[str, Any]]:
    """Every websocket message of the job until the server closes (after its final status)."""
    with client.websocket_connect(f"/ws/jobs/{job_id}") as ws:
        received, code = read_until_closed(ws)
    assert code == 1000
    return received


def finished(client: TestClient, **body: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Start a job and follow it to its end: (the job as REST shows it, its final snapshot)."""
    response = client.post("/api/jobs", json={**FAST, **body})
    assert response.status_code == 201, response.text
    job_id = response.json()["id"]
    watch_to_the_end(client, job_id)
    snapshot = watch_to_the_end(client, job_id)[0]  # a finished job's snapshot is complete
    assert snapshot["type"] == "snapshot"
    return client.get(f"/api/jobs/{job_id}").json(), snapshot


def get(client: TestClient, job: dict[str, Any], name: str) -> Any:
    response = client.get(f"/api/jobs/{job['id']}/{name}")
    assert response.status_code == 200, response.text
    return response


def A_last(X: np.ndarray, parameters: dict[str, np.ndarray], g: Any) -> np.ndarray:
    """The network's output, recomputed here: Z[l] = W[l] A[l-1] + b[l], sigmoid at the end."""
    L = len(parameters) // 2
    A = X
    for l in range(1, L + 1):
        Z = parameters[f"W{l}"] @ A + parameters[f"b{l}"]
        A = 1 / (1 + np.exp(-Z)) if l == L else g(Z)
    return A


def train_points(snapshot: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    train = snapshot["dataset"]["train"]
    return np.array([train["x1"], train["x2"]]), np.array([train["y"]], dtype=float)


def run_script(text: str, folder: Path) -> str:
    """`python script.py` in a folder of its own, with nothing of gradlive importable."""
    path = folder / "script.py"
    path.write_text(text)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-I", str(path)],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=SCRIPT_SECONDS,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def final_line(line: str) -> tuple[float, float]:
    """(final cost, train accuracy) from `final cost <float> train accuracy <float>`."""
    words = line.split()
    assert words[:2] == ["final", "cost"] and words[3:5] == ["train", "accuracy"], line
    return float(words[2]), float(words[5])


def test_parameters_json_are_the_jobs_latest_weights_at_full_precision(app, client):
    job, _ = finished(client, **LECTURE_300)
    response = get(client, job, "parameters.json")
    assert response.headers["content-type"] == "application/json"
    parameters = response.json()
    assert list(parameters) == ["W1", "b1", "W2", "b2"]
    weights = app.state.manager.get(job["id"]).log.weights()
    assert weights.iteration == 299
    for name, value in weights.parameters.items():
        assert np.array(parameters[name]).shape == value.shape
        assert np.array_equal(np.array(parameters[name], dtype=np.float64), value)  # bit for bit


def test_the_npz_parameters_give_the_runs_predictions(client):
    job, snapshot = finished(client, **LECTURE_300)
    response = get(client, job, "parameters.npz")
    assert response.headers["content-type"] == "application/octet-stream"
    disposition = response.headers["content-disposition"]
    assert disposition == f'attachment; filename="gradlive-{job["id"]}-parameters.npz"'
    with np.load(io.BytesIO(response.content)) as npz:
        parameters = {name: npz[name] for name in npz.files}
    assert sorted(parameters) == ["W1", "W2", "b1", "b2"]
    assert all(p.dtype == np.float64 for p in parameters.values())
    as_json = get(client, job, "parameters.json").json()
    assert all(np.array_equal(parameters[n], np.array(v)) for n, v in as_json.items())
    X, Y = train_points(snapshot)
    A2 = A_last(X, parameters, np.tanh)
    assert A2.shape == Y.shape == (1, 400)
    assert float(np.mean((A2 > 0.5) == Y)) == job["metrics"]["train_accuracy"]


def test_history_csv_has_one_row_per_iteration_with_the_snapshots_costs(client):
    job, snapshot = finished(client, **LECTURE_300)
    response = get(client, job, "history.csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert f'filename="gradlive-{job["id"]}-history.csv"' in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["iteration", "cost"]
    assert [int(r[0]) for r in rows[1:]] == list(range(300))
    assert [float(r[1]) for r in rows[1:]] == snapshot["history"]["cost"]  # full precision
    assert float(rows[-1][1]) == job["metrics"]["cost"]


def test_history_csv_has_the_test_cost_where_it_was_measured(client):
    job, snapshot = finished(client, **LECTURE_300, test_fraction=0.25)
    rows = list(csv.reader(io.StringIO(get(client, job, "history.csv").text)))
    assert rows[0] == ["iteration", "cost", "test_cost"]
    body = rows[1:]
    assert len(body) == 300 and [float(r[1]) for r in body] == snapshot["history"]["cost"]
    history = snapshot["history"]
    # Measured after iteration k, at the weights iteration k + 1 starts from (as the page draws
    # it); k = 299, after the last one, has no row: it is the job's metrics.test_cost.
    tested = zip(history["test_iteration"], history["test_cost"], strict=True)
    measured = {k + 1: c for k, c in tested}
    assert measured.pop(300) == job["metrics"]["test_cost"]
    assert 0 in measured  # the initial weights' test cost
    assert {i: float(r[2]) for i, r in enumerate(body) if r[2]} == measured
    assert sum(1 for r in body if r[2] == "") == 300 - len(measured)


def test_a_diverged_cost_is_written_as_nan_or_inf(client):
    job, _ = finished(client, **LECTURE_300, learning_rate=100)
    assert job["status"] == "diverged" and job["metrics"]["cost"] is None
    rows = list(csv.reader(io.StringIO(get(client, job, "history.csv").text)))
    assert rows[-1][1] in {"nan", "inf"}
    assert all(math.isfinite(float(r[1])) for r in rows[1:-1])
    assert len(rows) - 1 == job["iteration"] + 1


SCRIPT_CONFIGS = {
    "lecture": {},
    "relu-8-8-adam-minibatch-l2-test": {
        "activation": "relu",
        "hidden_layers": [8, 8],
        "optimizer": "adam",
        "learning_rate": 0.01,
        "batch_size": 64,
        "l2": 0.05,
        "test_fraction": 0.2,
    },
    "leaky-momentum-he-moons": {
        "dataset": "moons",
        "activation": "leaky_relu",
        "hidden_layers": [5],
        "optimizer": "momentum",
        "init": "he",
        "learning_rate": 0.5,
    },
    "sigmoid-rmsprop-xavier-spiral": {
        "dataset": "spiral",
        "n_samples": 150,
        "noise": 0.1,
        "data_seed": 7,
        "activation": "sigmoid",
        "hidden_layers": [3, 4],
        "optimizer": "rmsprop",
        "init": "xavier",
        "learning_rate": 0.02,
        "batch_size": 32,
        "seed": 11,
    },
}


@pytest.mark.parametrize("config", SCRIPT_CONFIGS.values(), ids=SCRIPT_CONFIGS.keys())
def test_the_script_retrains_the_run_to_the_same_final_cost(client, tmp_path, config):
    job, _ = finished(client, **LECTURE_300, **config)
    assert job["status"] == "done"
    response = get(client, job, "script.py")
    assert response.headers["content-type"] == "text/x-python; charset=utf-8"
    assert f'filename="gradlive-{job["id"]}-script.py"' in response.headers["content-disposition"]
    text = response.text
    assert "import numpy as np" in text and "import app" not in text and "NOTE" not in text
    cost, accuracy = final_line(run_script(text, tmp_path))
    assert abs(cost - job["metrics"]["cost"]) <= 1e-9
    assert accuracy == job["metrics"]["train_accuracy"]


def test_the_script_reads_as_the_lecture(client):
    job, _ = finished(client, **LECTURE_300)
    text = get(client, job, "script.py").text
    for line in (
        "Z1 = np.dot(W1, X) + b1",
        "A1 = np.tanh(Z1)",
        "Z2 = np.dot(W2, A1) + b2",
        "A2 = sigmoid(Z2)",
        "dZ2 = A2 - Y",
        "dW2 = 1 / m * np.dot(dZ2, A1.T)",
        "db2 = 1 / m * np.sum(dZ2, axis=1, keepdims=True)",
        "dZ1 = np.dot(W2.T, dZ2) * (1 - A1 ** 2)",
        "dW1 = 1 / m * np.dot(dZ1, X.T)",
        'W1 = parameters["W1"] - learning_rate * grads["dW1"]',
        "learning_rate = 1.2",
        "iterations = 300",
        "X, Y = flower(n_samples=400, noise=0.2, seed=1)",
        "rng = np.random.RandomState(2)",
    ):
        assert line in text, line
    # Only what the config needs: no optimizer state, mini-batches, L2 or test split.
    for absent in ("beta", "batch_size", "X_batch", "l2", "X_test", "relu"):
        assert absent not in text, absent
    compile(text, "script.py", "exec")


def test_the_lectures_run_is_followed_to_the_same_cost_for_thousands_of_iterations(
    client, tmp_path
):
    # The lecture's run turns chaotic near iteration 7,700: from there any two orders of the
    # same sums (the engine's fast path and these plain equations) part in the sixth digit,
    # so the whole 10,000 end apart (0.2179053 on the job, 0.2179077 here; the script says so).
    job, _ = finished(client, iterations=5_000, **FAST)
    text = get(client, job, "script.py").text
    assert "chaotic stretch" in text
    cost, accuracy = final_line(run_script(text, tmp_path))
    assert abs(cost - job["metrics"]["cost"]) <= 1e-9
    assert abs(cost - 0.2226477) < 1e-6  # iteration 4,999's
    assert accuracy == job["metrics"]["train_accuracy"]


def test_a_changed_learning_rate_is_noted_and_the_run_as_started_is_kept(client, tmp_path):
    created = client.post("/api/jobs", json={**LECTURE_300, "start_paused": True}).json()
    steer = {"Authorization": f"Bearer {created['token']}"}
    url = f"/api/jobs/{created['id']}/control"
    with client.websocket_connect(f"/ws/jobs/{created['id']}") as ws:
        while ws.receive_json().get("status") != "paused":
            pass
        client.post(url, json={"action": "step", "steps": 5}, headers=steer)
        while ws.receive_json().get("status") != "paused":
            pass
        client.post(url, json={"action": "set", "learning_rate": 0.5}, headers=steer)
        client.post(url, json={"action": "step", "steps": 5}, headers=steer)
        while ws.receive_json().get("status") != "paused":
            pass
        client.post(url, json={"action": "stop"}, headers=steer)
    watch_to_the_end(client, created["id"])
    text = get(client, created, "script.py").text
    head = text[: text.index("import numpy")]
    assert "# NOTE: The learning rate was changed during the run" in head
    head = " ".join(line.removeprefix("# ") for line in head.splitlines())
    assert "0.5 from iteration 5" in head and "set iterations = 10" in head
    assert "learning_rate = 1.2" in text and "iterations = 300" in text
    cost, _ = final_line(run_script(text, tmp_path))
    assert math.isfinite(cost)


def test_an_unknown_job_has_no_exports(client):
    for name in EXPORTS:
        response = client.get(f"/api/jobs/nope/{name}")
        assert response.status_code == 404 and response.json() == {"detail": "Job not found"}


def test_exports_need_no_token(client):
    job, _ = finished(client, **LECTURE_300)
    for name in EXPORTS:
        assert client.get(f"/api/jobs/{job['id']}/{name}").status_code == 200
        wrong = {"Authorization": "Bearer not-the-token"}
        assert client.get(f"/api/jobs/{job['id']}/{name}", headers=wrong).status_code == 200
