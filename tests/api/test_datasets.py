"""GET /api/datasets and the preview of one dataset's points."""

import pytest

from app.nn import datasets

pytestmark = pytest.mark.anyio


async def test_the_datasets_come_with_their_defaults(client):
    response = await client.get("/api/datasets")
    assert response.status_code == 200
    listed = response.json()
    assert [d["name"] for d in listed] == list(datasets.NAMES)
    assert listed[0] == {
        "name": "flower",
        "problem": "binary",
        "n_samples": 400,
        "noise": 0.2,
        "seed": 1,
        "n_classes": None,
    }
    problems = {d["name"]: (d["problem"], d["n_classes"]) for d in listed}
    assert problems["spiral"] == problems["blobs"] == ("multiclass", 2)
    assert problems["reg-plane"] == problems["reg-gauss"] == ("regression", None)


async def test_a_preview_gives_the_points_a_job_would_use(client):
    response = await client.get("/api/datasets/moons?n_samples=40&test_fraction=0.25&seed=3")
    assert response.status_code == 200
    data = response.json()
    assert data["name"] == "moons"
    assert len(data["train"]["x1"]) == 30 and len(data["test"]["y"]) == 10
    assert set(data["train"]["y"]) <= {0, 1}
    X, _ = datasets.make("moons", n_samples=40, seed=3)
    assert sorted(data["train"]["x1"] + data["test"]["x1"]) == sorted(X[0].tolist())


async def test_a_preview_is_refused_out_of_range(client, settings):
    assert (await client.get("/api/datasets/nope")).status_code == 404
    response = await client.get(f"/api/datasets/flower?n_samples={settings.MAX_SAMPLES + 1}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "n_samples"]
    assert (await client.get("/api/datasets/flower?noise=-1")).status_code == 422
