"""Refusals mapped once: a 422's field comes from the engine's error, not from its words."""

import pytest

from app.nn import datasets
from app.nn.errors import FieldError

pytestmark = pytest.mark.anyio

FAST = {"iterations": 60, "speed": None, "grid": 10}
REWORDED = "Reworded: nothing would be left to learn from"  # no field's name in it


@pytest.fixture
def reworded(monkeypatch):
    """The engine's datasets refusing with a message that starts with no field's name:
    the test split as test_fraction, a made dataset as its seed."""

    def split(*args, **kwargs):
        raise FieldError("test_fraction", REWORDED)

    made = datasets.make

    def make(name, n_samples=None, noise=None, seed=None, n_classes=None):
        if seed == 7:
            raise FieldError("seed", REWORDED)
        return made(name, n_samples, noise, seed, n_classes)

    monkeypatch.setattr(datasets, "train_test_split", split)
    monkeypatch.setattr(datasets, "make", make)


def the_error(response):
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["msg"] == REWORDED and error["type"] == "value_error"
    return error["loc"]


async def test_a_reworded_refusal_keeps_its_field_for_a_job(client, reworded):
    job = {**FAST, "test_fraction": 0.5}
    assert the_error(await client.post("/api/jobs", json=job)) == ["body", "test_fraction"]
    job = {**FAST, "data_seed": 7}  # datasets.make's seed is the job's data_seed
    assert the_error(await client.post("/api/jobs", json=job)) == ["body", "data_seed"]
    assert (await client.get("/api/jobs")).json() == []


async def test_a_reworded_refusal_keeps_its_field_for_an_experiment(client, reworded, app):
    body = {"base": FAST, "vary": "data_seed", "values": [1, 7]}
    loc = the_error(await client.post("/api/experiments", json=body))
    assert loc == ["body", "values", 1, "data_seed"]
    assert app.state.manager.list() == []


async def test_a_reworded_refusal_keeps_its_field_for_a_preview(client, reworded):
    loc = the_error(await client.get("/api/datasets/moons?test_fraction=0.5"))
    assert loc == ["query", "test_fraction"]
    assert the_error(await client.get("/api/datasets/moons?seed=7")) == ["query", "seed"]
