"""Problems, features and own data over HTTP (docs/api.md): each dataset's problem, n_classes,
features, L1, no hidden layer, and a learner's own data (POST /api/datasets), kept under a name
a job and a link can use."""

import base64
import json
import typing
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from starlette.exceptions import StarletteDeprecationWarning

from app.api.schemas import ProblemName
from app.config import Settings
from app.main import create_app
from app.nn import problems
from tests.conftest import read_until_closed

with warnings.catch_warnings():  # Starlette would rather have httpx2 under its TestClient
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

FAST = {"speed": None, "grid": 10}
CSV = {"Content-Type": "text/csv"}


@pytest.fixture
def client(app):
    with TestClient(app) as client:
        yield client


def finished(client: TestClient, **body: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Start a job and follow it to its end: (the job as REST shows it, its final snapshot)."""
    response = client.post("/api/jobs", json={**FAST, **body})
    assert response.status_code == 201, response.text
    job_id = response.json()["id"]
    for _ in range(2):  # the second time, the finished job's whole snapshot
        with client.websocket_connect(f"/ws/jobs/{job_id}") as ws:
            received, code = read_until_closed(ws)
        assert code == 1000
    assert received[0]["type"] == "snapshot" and received[1]["status"] == "done", received[1]
    return client.get(f"/api/jobs/{job_id}").json(), received[0]


def refused(response: Any, *loc: Any) -> str:
    """The message of a 422 whose first error is at ("body", *loc)."""
    assert response.status_code == 422, response.text
    error = response.json()["detail"][0]
    assert tuple(error["loc"]) == ("body", *loc), error
    return str(error["msg"])


def grid_bytes(boundary: dict[str, Any], key: str = "z") -> np.ndarray:
    R = boundary["resolution"]
    return np.frombuffer(base64.b64decode(boundary[key]), dtype=np.uint8).reshape(R, R)


def test_three_spiral_arms_train_as_three_classes_with_softmax(client):
    job, snapshot = finished(
        client, dataset="spiral", n_classes=3, hidden_layers=[8], iterations=200
    )
    assert job["config"]["problem"] == "multiclass" and job["config"]["n_classes"] == 3
    assert set(snapshot["dataset"]["train"]["y"]) == {0, 1, 2}
    assert snapshot["network"]["layer_dims"] == [2, 8, 3]
    boundary = snapshot["boundary"]
    assert boundary["encoding"] == "class-uint8-base64" and boundary["classes"] == 3
    assert set(np.unique(grid_bytes(boundary))) <= {0, 1, 2}
    assert np.all(grid_bytes(boundary, "confidence") >= 255 // 3)  # the top of 3 is >= 1/3
    assert 0 < job["metrics"]["train_accuracy"] <= 1


def test_two_classes_of_a_multiclass_set_are_the_lectures_problem(client):
    response = client.post("/api/jobs", json={"dataset": "blobs", "n_classes": 2, **FAST})
    assert response.status_code == 201
    assert response.json()["config"]["problem"] == "binary"
    assert response.json()["config"]["n_classes"] is None


def test_a_regression_reports_r2_and_draws_its_values(client):
    job, snapshot = finished(
        client, dataset="reg-plane", hidden_layers=[], learning_rate=0.1, iterations=300
    )
    assert job["config"]["problem"] == "regression"
    metrics = job["metrics"]
    assert metrics["train_accuracy"] is None and metrics["train_r2"] > 0.95
    assert snapshot["network"]["layer_dims"] == [2, 1]
    boundary = snapshot["boundary"]
    assert boundary["encoding"] == "value-uint8-base64"
    assert boundary["value_min"] == -boundary["value_max"] and boundary["value_max"] > 0.9
    z = grid_bytes(boundary)
    assert z[0, 0] < 64 and z[-1, -1] > 192  # (x1 + x2) / 8: low bottom-left, high top-right
    assert any(
        isinstance(y, float) and not y.is_integer() for y in snapshot["dataset"]["train"]["y"]
    )


def test_squared_features_let_logistic_regression_separate_circles(client):
    job, snapshot = finished(
        client,
        dataset="circles",
        features=["x1^2", "x2^2"],
        hidden_layers=[],
        test_fraction=0.3,
        learning_rate=0.5,
        iterations=1000,
    )
    assert job["config"]["features"] == ["x1^2", "x2^2"]
    assert snapshot["network"]["layer_dims"] == [2, 1]
    assert snapshot["network"]["features"] == ["x1^2", "x2^2"]
    assert job["metrics"]["test_accuracy"] >= 0.95


def test_features_and_l1_reach_the_gradient_check(client):
    created = client.post(
        "/api/jobs",
        json={
            "dataset": "spiral",
            "n_classes": 4,
            "features": ["x1", "x2", "sin(x1)"],
            "hidden_layers": [5],
            "l1": 0.3,
            "l2": 0.2,
            "iterations": 40,
            **FAST,
        },
    ).json()
    finished_job = client.get(f"/api/jobs/{created['id']}")
    with client.websocket_connect(f"/ws/jobs/{created['id']}") as ws:
        read_until_closed(ws)
    assert finished_job.status_code == 200
    check = client.post(
        f"/api/jobs/{created['id']}/gradcheck",
        headers={"Authorization": f"Bearer {created['token']}"},
    )
    assert check.status_code == 200, check.text
    assert check.json()["passed"] is True
    assert client.get(f"/api/jobs/{created['id']}/trace").json()["shapes"]["W1"] == [5, 3]


@pytest.mark.parametrize(
    ("body", "loc", "words"),
    [
        ({"dataset": "flower", "n_classes": 3}, ("n_classes",), "multi-class datasets"),
        ({"dataset": "spiral", "n_classes": 7}, ("n_classes",), "less than or equal to 6"),
        ({"features": []}, ("features",), "at least one"),
        ({"features": ["x1", "x3"]}, ("features",), "unknown feature 'x3'"),
        ({"features": ["x1", "x1"]}, ("features",), "each feature once"),
        ({"l1": -1}, ("l1",), "greater than or equal to 0"),
        ({"dataset": "own-0123456789ab"}, ("dataset",), "not on this server"),
    ],
)
def test_bad_problem_settings_name_their_field(client, body, loc, words):
    message = refused(client.post("/api/jobs", json={**FAST, **body}), *loc)
    assert words in message


def test_no_hidden_layer_is_the_course_logistic_regression(client):
    job, snapshot = finished(client, hidden_layers=[], iterations=50)
    assert job["config"]["hidden_layers"] == []
    assert snapshot["network"]["layer_dims"] == [2, 1]
    assert snapshot["neurons"]["layers"] == []


# ---- A learner's own data ----------------------------------------------------------------


def points_csv(rows: list[tuple[float, float, float]], header: bool = True) -> str:
    lines = ["x1,x2,label"] if header else []
    return "\n".join(lines + [f"{a},{b},{c:g}" for a, b, c in rows]) + "\n"


def two_clusters(m: int = 40) -> list[tuple[float, float, float]]:
    """Two clusters a line separates: class 0 left, class 1 right."""
    rng = np.random.default_rng(0)
    return [
        (float(rng.normal(-2 if i % 2 == 0 else 2, 0.5)), float(rng.normal(0, 1)), i % 2)
        for i in range(m)
    ]


def kept(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "datasets").glob("*.json"))


def test_an_uploaded_csv_trains_and_a_link_to_it_keeps_working(client, app, data_dir):
    response = client.post("/api/datasets", content=points_csv(two_clusters()), headers=CSV)
    assert response.status_code == 201, response.text
    created = response.json()
    name = created["name"]
    assert created == {"name": name, "problem": "binary", "n_samples": 40, "n_classes": None}
    assert name.startswith("own-") and [p.stem for p in kept(data_dir)] == [name]
    job, snapshot = finished(client, dataset=name, iterations=300, test_fraction=0.25)
    assert job["config"]["dataset"] == name and job["config"]["n_samples"] == 40
    assert len(snapshot["dataset"]["train"]["x1"]) == 30
    assert job["metrics"]["train_accuracy"] >= 0.95
    # The same points sent again are the same dataset; a preview gives them back.
    again = client.post(
        "/api/datasets", content=points_csv(two_clusters(), header=False), headers=CSV
    )
    assert again.json()["name"] == name
    preview = client.get(f"/api/datasets/{name}").json()
    assert sorted(preview["train"]["x1"]) == sorted(x for x, _, _ in two_clusters())
    # A restarted server (the same data dir) still knows the name: a shared link works.
    with TestClient(create_app(app.state.settings)) as later:
        response = later.post("/api/jobs", json={"dataset": name, "iterations": 5, **FAST})
        assert response.status_code == 201, response.text


def test_json_points_with_k_classes_and_a_regression(client):
    rng = np.random.default_rng(1)
    points = [[float(rng.normal(k * 3, 0.3)), float(rng.normal(0, 0.3)), k] for k in range(3)] * 5
    response = client.post("/api/datasets", json={"points": points})
    assert response.status_code == 201, response.text
    assert response.json()["problem"] == "multiclass" and response.json()["n_classes"] == 3
    job, snapshot = finished(client, dataset=response.json()["name"], iterations=100)
    assert job["config"]["problem"] == "multiclass" and snapshot["boundary"]["classes"] == 3

    values = [[x, y, 0.5 * x - 0.25 * y] for x, y, _ in points]
    response = client.post("/api/datasets?problem=regression", json={"points": values})
    assert response.status_code == 201 and response.json()["problem"] == "regression"
    job, _ = finished(
        client, dataset=response.json()["name"], hidden_layers=[], iterations=200, learning_rate=0.1
    )
    assert job["metrics"]["train_r2"] > 0.95


@pytest.mark.parametrize(
    ("body", "loc", "words"),
    [
        ("x1,x2,label\n1,2,0\n1,oops,1\n", ("line", 3), "not a number"),
        ("1,2,0\n3,4\n", ("line", 2), "label missing"),
        ("", (), "empty"),
        ("1,2,0\n3,4,0\n", (), "two classes at least"),
        ("1,2,0\n3,4,9\n", ("line", 2), "a class from 0 to 5, got 9"),
        ("1,2,0\n3,4,1.5\n", ("line", 2), "0"),
        ("1,2,0\x00\n", (), "binary"),
    ],
)
def test_bad_csv_names_the_line_and_nothing_is_kept(client, data_dir, body, loc, words):
    message = refused(client.post("/api/datasets", content=body, headers=CSV), *loc)
    assert words in message
    if loc:
        assert f"line {loc[1]}" in message
    assert kept(data_dir) == []


def test_too_many_rows_or_bytes_are_refused_naming_the_limit(data_dir):
    settings = Settings(MAX_DATA_ROWS=10, MAX_DATA_BYTES=2_000)
    with TestClient(create_app(settings)) as client:
        rows = points_csv([(float(i), 0.0, i % 2) for i in range(11)])
        message = refused(client.post("/api/datasets", content=rows, headers=CSV))
        assert "11 points: at most 10 (GRADLIVE_MAX_DATA_ROWS)" in message
        big = points_csv([(float(i), 0.0, i % 2) for i in range(400)])
        message = refused(client.post("/api/datasets", content=big, headers=CSV))
        assert "2000 bytes" in message and "GRADLIVE_MAX_DATA_BYTES" in message
        other = client.post(
            "/api/datasets", content=b"\x89PNG", headers={"Content-Type": "image/png"}
        )
        assert other.status_code == 415 and "text/csv" in other.json()["detail"]
    assert kept(data_dir) == []


def test_bad_json_points_name_the_point(client, data_dir):
    message = refused(
        client.post("/api/datasets", json={"points": [[1, 2, 0], [1, 2]]}), "point", 1
    )
    assert "point 1" in message
    assert json.loads(client.get("/api/datasets").text)[0]["name"] == "flower"
    assert kept(data_dir) == []


def test_a_preview_of_k_classes_and_its_refusal(client):
    preview = client.get("/api/datasets/blobs?n_classes=5&n_samples=50").json()
    assert preview["problem"] == "multiclass" and set(preview["train"]["y"]) == set(range(5))
    response = client.get("/api/datasets/flower?n_classes=3")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "n_classes"]
    assert client.get("/api/datasets/own-0123456789ab").status_code == 404


def test_the_api_names_the_problems_the_engine_has():
    assert typing.get_args(ProblemName) == tuple(problems.PROBLEMS)
