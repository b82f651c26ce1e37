"""Server fixtures: settings with small limits, the app, and an HTTP client with lifespan."""

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from app.config import Settings
from app.main import create_app


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def settings() -> Settings:
    """Small limits, so refusals are cheap to reach."""
    return Settings(MAX_RUNNING_JOBS=3, MAX_JOBS=4, MAX_ITERATIONS=20_000, RETRY_AFTER=7)


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """httpx over ASGI with the app's lifespan running (the transport does not run it)."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client
