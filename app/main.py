"""The FastAPI app: `create_app(settings)` wires routers, assets and the job manager."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import anyio
from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware

from app import __version__
from app.api import (
    assets,
    datasets,
    docs,
    errors,
    experiments,
    exports,
    health,
    inside,
    jobs,
    limits,
    pages,
    room,
    security,
    ws,
)
from app.config import Settings
from app.jobs.experiments import Experiments
from app.jobs.manager import JobManager
from app.jobs.owndata import DATASETS_DIR, OwnDatasets
from app.jobs.owners import Owners
from app.jobs.remote import BrokerRunner
from app.jobs.room import Room
from app.jobs.runner import Runner, ThreadRunner
from app.jobs.store import DB_NAME, JobStore
from app.jobs.workers import ProcessRunner


def make_runner(settings: Settings) -> Runner:
    """Where jobs train: on `gradlive worker`s through Redis (settings.BROKER_URL), in
    settings.WORKERS worker processes, or with 0 in threads here."""
    if settings.BROKER_URL:
        return BrokerRunner(settings.BROKER_URL, settings.MAX_STORED_JOBS)
    if settings.WORKERS:
        return ProcessRunner(settings.WORKERS)
    return ThreadRunner(switch_interval=settings.SWITCH_INTERVAL)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The gradlive app; its jobs live from startup to shutdown (lifespan)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runner = make_runner(settings)
        # The jobs are kept in Redis for every replica (the distributed mode), or else in
        # DATA_DIR (SQLite).
        broker = runner if isinstance(runner, BrokerRunner) else None
        store = None
        if broker is None:
            store = JobStore(
                settings.DATA_DIR / DB_NAME,
                max_jobs=settings.MAX_STORED_JOBS,
                save_interval=settings.SAVE_INTERVAL,
            )
        manager = JobManager(
            settings,
            runner=runner,
            store=store,
            own=OwnDatasets(settings.DATA_DIR / DATASETS_DIR, settings.MAX_DATASETS),
        )
        manager.load_stored()  # the last server's jobs, finished (or interrupted)
        app.state.manager = manager
        app.state.experiments = Experiments(
            settings.MAX_EXPERIMENTS,
            kept=manager.has,
            store=broker.records if broker else store,
            shared=broker is not None,
        )
        app.state.checking = anyio.Lock()  # gradient checks run one at a time
        # Jobs whose owner's page has closed pause on a timer, not only when places run out.
        idle_check = asyncio.create_task(manager.check_idle())
        try:
            yield
        finally:
            idle_check.cancel()
            with suppress(asyncio.CancelledError):
                await idle_check
            await manager.aclose()  # saves every job and closes the store

    app = FastAPI(
        title="gradlive",
        version=__version__,
        summary="Watch a neural network learn: gradient descent in NumPy, live.",
        lifespan=lifespan,
        exception_handlers=errors.HANDLERS,
        docs_url=None,  # served by app.api.docs, without a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    admin = settings.ADMIN_TOKEN.get_secret_value() if settings.ADMIN_TOKEN else None
    app.state.owners = Owners(admin)
    app.state.room = Room()  # shared by the room's sockets: each thumbnail is made once
    app.state.send_budget = ws.SendBudget(settings.MAX_SEND_RATE, settings.PROGRESS_RATE)
    # The last added runs first: security headers are set on the response GZip sends on.
    app.add_middleware(security.SecurityHeaders, frame_ancestors=settings.FRAME_ANCESTORS)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(
        limits.BodySizeLimit,
        max_bytes=settings.MAX_REQUEST_BYTES,
        own_limit=(datasets.OWN_DATA_PATH,),
    )
    routers = (health, pages, docs, datasets, jobs, experiments, exports, inside, limits, ws, room)
    for module in routers:
        app.include_router(module.router)
    assets.mount_assets(app, settings.STATIC_DIR)
    return app


app = create_app()
