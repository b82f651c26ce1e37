"""GET /healthz, GET /api/limits, and the settings behind them."""

import pytest
from pydantic import ValidationError

from app.config import Settings

pytestmark = pytest.mark.anyio


async def test_healthz_answers_ok(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_limits_tell_clients_the_servers_bounds(client, settings):
    limits = (await client.get("/api/limits")).json()
    assert limits["max_iterations"] == settings.MAX_ITERATIONS == 20_000
    assert limits["default_speed"] == 500 and limits["default_grid"] == 100
    assert limits["min_grid"] <= limits["default_grid"] <= limits["max_grid"]


def test_settings_that_contradict_each_other_are_refused():
    with pytest.raises(ValidationError, match="DEFAULT_GRID"):
        Settings(MIN_GRID=50, DEFAULT_GRID=20)
