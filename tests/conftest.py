"""Server fixtures: settings with small limits, the app, an HTTP client with lifespan, and
the real `python -m app serve` in a subprocess (end-to-end and browser tests)."""

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from fastapi import FastAPI
from starlette.websockets import WebSocketDisconnect

from app.config import Settings
from app.main import create_app


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--broker",
        action="store_true",
        help="run the app's tests in the distributed mode: jobs through a real Redis, "
        "trained by a `gradlive worker` in this process",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--broker"):
        skip = pytest.mark.skip(reason="a property of the runners of one machine")
        for item in items:
            if "single_machine" in item.keywords:
                item.add_marker(skip)


def pytest_configure(config: pytest.Config) -> None:
    """The suite's servers train in threads (GRADLIVE_WORKERS=0), real servers included:
    before collection, so the settings that parametrize tests read it too. Tests of the
    worker processes ask for them."""
    os.environ["GRADLIVE_WORKERS"] = "0"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test's server keeps its jobs in a folder of its own, never the user's."""
    folder = tmp_path / "data"
    monkeypatch.setenv("GRADLIVE_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def settings() -> Settings:
    """Small limits, so refusals are cheap to reach."""
    return Settings(MAX_RUNNING_JOBS=3, MAX_JOBS=4, MAX_ITERATIONS=20_000, RETRY_AFTER=7)


@pytest.fixture
def app(settings: Settings, data_dir: Path, request: pytest.FixtureRequest) -> Iterator[FastAPI]:
    # A test's own Settings(...) in a parametrize was made at import, before data_dir set
    # the variable: it too keeps its jobs in the test's folder, not the user's.
    update: dict[str, Any] = {"DATA_DIR": data_dir}
    if not request.config.getoption("--broker"):
        yield create_app(settings.model_copy(update=update))
        return
    from app.jobs.brokerworker import BrokerWorker

    update["BROKER_URL"] = url = request.getfixturevalue("broker_url")
    worker = BrokerWorker(url, jobs=settings.MAX_RUNNING_JOBS + 4, name="tests")
    worker.start()
    try:
        yield create_app(settings.model_copy(update=update))
    finally:
        worker.close()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """httpx over ASGI with the app's lifespan running (the transport does not run it)."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        hooks = KeepsTokens().async_hooks()
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", event_hooks=hooks
        ) as client:
            yield client


@pytest.fixture
async def stranger(app: FastAPI, client: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """Another browser on the same server: it knows the ids, not the tokens."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as other:
        yield other


ROOT = Path(__file__).resolve().parent.parent
# The real server's admin token: the tests tidy up after themselves as a teacher would.
ADMIN_TOKEN = "tests-admin-token"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
SERVER_START_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    """A running `python -m app serve`: its base URL, its process and its log file."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self, timeout: float = 15) -> int:
        """SIGTERM, as Docker and systemd stop it; the exit status (killed if it hangs)."""
        self.process.terminate()
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise


@contextlib.contextmanager
def serving(
    folder: Path,
    data_dir: Path | None = None,
    port: int | None = None,
    workers: int | None = None,
    module: str = "app",
    **env: str,
) -> Iterator[Served]:
    """The real command, `python -m app serve --port <port>` (a free one by default),
    logging to folder; with `workers`, `--workers <workers>`; `module`: another module
    that runs the command (after changing what it serves).

    Its jobs are kept in data_dir (folder/data by default); env: more GRADLIVE_* settings.
    A restart on the same port is the same origin to a browser: the same localStorage.
    """
    port = port or _free_port()
    log_path = folder / "server.log"
    environment = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "GRADLIVE_ADMIN_TOKEN": ADMIN_TOKEN,
        "GRADLIVE_DATA_DIR": str(data_dir or folder / "data"),
        **env,
    }
    command = [sys.executable, "-m", module, "serve", "--host", "127.0.0.1", "--port", str(port)]
    if workers is not None:
        command += ["--workers", str(workers)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=environment,
        )
    served = Served(f"http://127.0.0.1:{port}", process, log_path)
    try:
        _wait_until_healthy(served.url, process, log_path)
        yield served
    finally:
        if process.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                served.stop()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of the real command, shared by the tests of a session."""
    with serving(tmp_path_factory.mktemp("server")) as served:
        yield served.url


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[Served]:
    """A real server for one test alone (to read its log, or to stop it)."""
    with serving(tmp_path) as served:
        yield served


def _wait_until_healthy(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited early:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server did not answer /healthz in {SERVER_START_SECONDS} s")


REDIS_SERVER = shutil.which("redis-server")


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server (Debian's package): the one at GRADLIVE_TEST_REDIS_URL (.ci/run
    starts one, and stops it by its PID), else one on a free loopback port for the
    session, keeping nothing on disk, stopped by its PID; yields its URL."""
    if given := os.environ.get("GRADLIVE_TEST_REDIS_URL"):
        yield given
        return
    if REDIS_SERVER is None:
        pytest.fail("the distributed mode's tests need redis-server (apt-get install redis-server)")
    port = _free_port()
    folder = tmp_path_factory.mktemp("redis")
    command = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    command += ["--appendonly", "no", "--dir", str(folder)]
    with (folder / "redis.log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((folder / "redis.log").read_text()) from None
                time.sleep(0.05)
        yield url
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=15)


@pytest.fixture
def broker_url(redis_server: str) -> str:
    """The session's Redis (its database 1), emptied: a test meets no job of another, nor
    the jobs of a module's cluster of replicas (database 0: tests/cluster.py)."""
    url = redis_server.rsplit("/", 1)[0] + "/1"
    with contextlib.closing(redis.Redis.from_url(url)) as client:
        client.flushdb()
    return url


def alive(pid: int | None) -> bool:
    """Whether the process runs (a zombie, dead but not yet reaped, does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


async def taken(client: httpx.AsyncClient, job: dict[str, Any], timeout: float = 30) -> None:
    """Wait until a runner has taken the job (it is `queued` no more): a thread of this
    process takes it at once, a worker of the distributed mode within moments."""
    deadline = time.monotonic() + timeout
    while (await client.get(f"/api/jobs/{job['id']}")).json()["status"] == "queued":
        assert time.monotonic() < deadline, f"no runner took job {job['id']} in {timeout} s"
        await asyncio.sleep(0.01)


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class KeepsTokens:
    """httpx event hooks that act as the page does: keep the token of each job this client
    created and send them all (`Authorization: Bearer t1, t2`) unless a request sets its own."""

    def __init__(self) -> None:
        self.tokens: list[str] = []

    def hooks(self) -> dict[str, list[Any]]:
        return {"request": [self.request], "response": [self.response]}

    def async_hooks(self) -> dict[str, list[Any]]:
        return {"request": [self.arequest], "response": [self.aresponse]}

    def request(self, request: httpx.Request) -> None:
        if self.tokens and "authorization" not in request.headers:
            request.headers["Authorization"] = "Bearer " + ", ".join(self.tokens)

    def response(self, response: httpx.Response) -> None:
        if _created(response):
            response.read()
            self.tokens.append(response.json()["token"])

    async def arequest(self, request: httpx.Request) -> None:
        self.request(request)

    async def aresponse(self, response: httpx.Response) -> None:
        if _created(response):
            await response.aread()
            self.tokens.append(response.json()["token"])


def _created(response: httpx.Response) -> bool:
    request = response.request
    return (
        request.method == "POST" and request.url.path == "/api/jobs" and response.status_code == 201
    )


def read_until_closed(ws: Any, delay: float = 0.0) -> tuple[list[Any], int]:
    """Every message of a test client's websocket until the server closes it, reading one
    each `delay` s (a slow viewer); returns (messages, close code)."""
    received = []
    while True:
        try:
            received.append(ws.receive_json())
        except WebSocketDisconnect as closed:
            return received, closed.code
        if delay:
            time.sleep(delay)
