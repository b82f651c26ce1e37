"""Browser fixtures: Debian's Chromium driven by Playwright, against the real server
(the `server` fixture of tests/conftest.py).

Playwright's sync API and asyncio-based tests break each other in one process, so these
tests run in their own pytest process: `python -m pytest -m browser tests/browser`.
Every test here carries the `browser` marker, so `-m "not browser"` deselects them.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Playwright,
    ViewportSize,
    sync_playwright,
)

from tests.conftest import ADMIN

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE / "artifacts"
CHROMIUM = "/usr/bin/chromium"
# Without the networking flags Chromium keeps calling home on a machine without a network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WAIT_MS = 30_000  # the longest any single wait may take before the test fails
VIEWPORT: ViewportSize = {"width": 1400, "height": 1000}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/browser as `browser` (before -m selects)."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A page test that skips (or is expected to fail) fails: it would pass CI unrun."""
    report = yield
    if report.skipped and item.get_closest_marker("browser"):
        report.outcome = "failed"
        report.longrepr = f"a page test may not skip: {report.longrepr}"
    return report


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium (never `playwright install`)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class Playground:
    """One browser page on the playground, with what it logged and asked for."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.console_errors: list[str] = []
        self.console_warnings: list[str] = []
        self.page_errors: list[str] = []
        self.requests: list[str] = []  # every URL the page asked for, websockets included
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("websocket", lambda socket: self.requests.append(socket.url))
        page.set_default_timeout(WAIT_MS)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)
        elif message.type == "warning":
            self.console_warnings.append(message.text)

    # -- driving the page -----------------------------------------------------------

    def open(self, query: str = "") -> None:
        """Load the page (with a query string such as "?speed=200") and wait for its plots."""
        self.page.goto(f"{self.base_url}/{query}")
        self.page.wait_for_function(
            "() => window.Plotly && document.querySelectorAll('.js-plotly-plot').length === 2"
        )

    def by_id(self, testid: str) -> Any:
        return self.page.get_by_test_id(testid)

    def click(self, testid: str) -> None:
        self.by_id(testid).click()

    def text(self, testid: str) -> str:
        return str(self.by_id(testid).inner_text()).strip()

    def count(self) -> int:
        """Iterations done, as the run bar shows them."""
        return int(self.by_id("iteration").get_attribute("data-value"))

    def wait_for_count(self, condition: str) -> int:
        """Wait until `n` (the iterations shown) satisfies a JS condition such as "n >= 50"."""
        self.page.wait_for_function(
            f"() => {{ const n = Number(document.querySelector("
            f"'[data-testid=iteration]').dataset.value); return {condition}; }}"
        )
        return self.count()

    def wait_for_costs(self, condition: str) -> int:
        """Wait until `n` (the train costs in the cost chart) satisfies a JS condition."""
        self.page.wait_for_function(
            "() => { const gd = document.querySelector('[data-testid=cost-plot]');"
            f" const n = gd.view ? gd.view.train.x.length : 0; return {condition}; }}"
        )
        return int(self.plot("cost-plot", "gd.view.train.x.length"))

    def wait_for_status(self, *statuses: str) -> str:
        self.page.wait_for_function(
            "(wanted) => wanted.includes(document.querySelector('[data-testid=status]')"
            ".textContent.trim())",
            arg=list(statuses),
        )
        return self.text("status")

    def job_id(self) -> str | None:
        """The job id the address bar carries (?job=...)."""
        return parse_qs(urlsplit(self.page.url).query).get("job", [None])[0]

    def owner(self, job_id: str) -> dict[str, str]:
        """The Authorization header of the job's owner: the token this page keeps for it."""
        token = self.page.evaluate(
            "(id) => JSON.parse(localStorage.getItem('gradlive.tokens') || '{}')[id]", job_id
        )
        assert token, f"this page holds no token for {job_id}"
        return {"Authorization": f"Bearer {token}"}

    def wait_for_job(self) -> str:
        self.page.wait_for_function("() => new URLSearchParams(location.search).has('job')")
        job_id = self.job_id()
        assert job_id
        return job_id

    def train_to_the_end(self, *statuses: str) -> str:
        """Press ▶, wait for a new job in the URL and for it to end (default: done); its id."""
        before = self.job_id()
        self.click("train-button")
        self.page.wait_for_function(
            "(before) => { const job = new URLSearchParams(location.search).get('job');"
            " return job && job !== before; }",
            arg=before,
        )
        self.wait_for_status(*(statuses or ("done",)))
        self.wait_for_chart()
        return self.job_id() or ""

    def wait_for_chart(self) -> None:
        """Wait until the cost chart has drawn every cost it holds (it draws within a budget)."""
        self.page.wait_for_function(
            "() => document.querySelector('[data-testid=cost-plot]').view.drawnAll()"
        )

    def plot(self, testid: str, expression: str) -> Any:
        """Evaluate `expression` with `gd`, the Plotly graph div of a plot."""
        return self.page.evaluate(
            f"() => {{ const gd = document.querySelector('[data-testid={testid}]'); "
            f"return {expression}; }}"
        )

    # -- the server -----------------------------------------------------------------

    def api(self, path: str) -> Any:
        response = httpx.get(f"{self.base_url}{path}", timeout=5)
        response.raise_for_status()
        return response.json()

    def job(self, job_id: str) -> dict[str, Any]:
        return dict(self.api(f"/api/jobs/{job_id}"))

    def off_host_requests(self) -> list[str]:
        """Requests (HTTP or websocket) that did not go to our own server.

        data: and blob: URLs stay in the page.
        """
        host = urlsplit(self.base_url).netloc
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).netloc != host
        ]


def _stop_unfinished_jobs(base_url: str) -> None:
    """Leave the shared server idle for the next test: stop what is still training."""
    for job in httpx.get(f"{base_url}/api/jobs", headers=ADMIN, timeout=5).json():
        if job["status"] in ("queued", "running", "paused"):
            httpx.post(
                f"{base_url}/api/jobs/{job['id']}/control",
                json={"action": "stop"},
                headers=ADMIN,
                timeout=5,
            )


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots for people to look at go (tests/browser/artifacts, not committed)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def playground(browser: Browser, server: str) -> Iterator[Playground]:
    """A fresh page (1400 x 1000) on the playground; jobs left training are stopped after."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    yield Playground(page, server)
    context.close()
    _stop_unfinished_jobs(server)


@pytest.fixture
def classmate(browser: Browser, server: str, playground: Playground) -> Iterator[Playground]:
    """A second browser (its own storage) on the same server, beside `playground`."""
    context = browser.new_context(viewport=VIEWPORT)
    yield Playground(context.new_page(), server)
    context.close()
