"""The server's limits, one table (app.api.limits.BOUNDS): every row is refused the same
way wherever its field is taken (a job, an experiment's values, a command over REST and
over the websocket, a dataset's preview), and GET /api/limits shows it."""

import warnings

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from app.api.limits import BOUNDS
from tests.conftest import KeepsTokens

with warnings.catch_warnings():  # Starlette would rather have httpx2 under its TestClient
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

JOB_FIELDS = ("iterations", "n_samples", "batch_size", "hidden_layers", "grid", "speed")
COMMANDS = {"steps": {"action": "step"}, "speed": {"action": "set"}}


@pytest.fixture
def client(app):
    with TestClient(app) as client:
        client.event_hooks = KeepsTokens().hooks()
        yield client


def beyond(field, limit, upper):
    """A value of `field` just past `limit` (a hidden layer's units, or their number)."""
    past = limit * 2 if upper else limit / 2
    if field == "hidden_layers.*":
        return [4, int(past)]
    if field == "hidden_layers":
        return [1] * (limit + 1)
    return past if isinstance(limit, float) else int(past)


@pytest.mark.parametrize("field, setting", BOUNDS, ids=[f"{f}-{s}" for f, s in BOUNDS])
def test_every_bound_is_refused_alike_wherever_its_field_is_taken(client, settings, field, setting):
    upper = setting.startswith("MAX_")
    limit = getattr(settings, setting)
    value = beyond(field, limit, upper)
    name, _, each = field.partition(".")
    loc = [name, 1] if each else [name]  # beyond() puts the bad unit second
    says = f"on this server (GRADLIVE_{setting})"
    refusals = []
    if name in JOB_FIELDS:
        refusals.append((client.post("/api/jobs", json={name: value}), ["body", *loc]))
        body = {"base": {}, "vary": name, "values": [value]}
        refusals.append((client.post("/api/experiments", json=body), ["body", "values", 0, *loc]))
    if name == "n_samples":
        preview = client.get("/api/datasets/flower", params={"n_samples": value})
        refusals.append((preview, ["query", *loc]))
    if name in COMMANDS:
        job = client.post(
            "/api/jobs", json={"iterations": 100, "grid": 10, "start_paused": True}
        ).json()
        command = {**COMMANDS[name], name: value}
        refused = client.post(f"/api/jobs/{job['id']}/control", json=command)
        refusals.append((refused, ["body", *loc]))
        with client.websocket_connect(f"/ws/jobs/{job['id']}") as ws:
            ws.send_json({"action": "auth", "token": job["token"]})
            ws.send_json(command)
            while (message := ws.receive_json())["type"] != "error":
                pass
        assert f"{name}: " in message["detail"] and says in message["detail"]
    assert refusals
    for response, where in refusals:
        assert response.status_code == 422, response.text
        errors = [e for e in response.json()["detail"] if e["loc"] == where]
        assert errors and errors[0]["msg"].endswith(says), response.text
    assert client.get("/api/limits").json()[setting.lower()] == limit


def test_the_limits_give_each_fields_bounds_as_the_server_checks_them(client, settings):
    limits = client.get("/api/limits").json()
    fields = limits["fields"]
    assert list(limits["activation_text"]) == fields["activation"]["choices"]
    assert limits["activation_text"]["sigmoid"] == {
        "label": "sigmoid",
        "symbol": "σ",
        "derivative": "A{l} (1 − A{l})",
    }
    assert fields["iterations"] == {"min": 1, "max": settings.MAX_ITERATIONS}
    assert fields["hidden_layers.*"] == {"min": 1, "max": settings.MAX_UNITS}
    assert fields["grid"] == {"min": settings.MIN_GRID, "max": settings.MAX_GRID}
    assert fields["noise"] == {"min": 0, "max": 5}
    assert fields["learning_rate"] == {"above": 0, "max": 1000}
    assert fields["optimizer"]["choices"] == ["gd", "momentum", "rmsprop", "adam"]
    for name, bounds in fields.items():  # each bound is one the server holds to
        if "max" in bounds and name in ("noise", "test_fraction", "l2", "iterations"):
            over = bounds["max"] * 2 if name != "test_fraction" else 0.95
            refused = client.post("/api/jobs", json={name: over})
            assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == name
