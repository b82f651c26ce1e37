"""The API docs in the browser: Swagger UI and Redoc render from this server alone."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Route

    from tests.browser.conftest import Playground

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    "path, rendered",
    [
        # Swagger UI draws one block per operation; Redoc writes out each summary.
        ("/docs", "() => document.querySelectorAll('.opblock').length >= 8"),
        ("/redoc", "() => document.body.innerText.includes('Start a training job')"),
    ],
)
def test_the_api_docs_render_and_send_no_request_off_the_host(
    playground: Playground, path: str, rendered: str
) -> None:
    host = urlsplit(playground.base_url).netloc
    sent_off_host: list[str] = []

    def only_this_host(route: Route) -> None:
        """Every request the browser really sends passes here (not those its CSP blocked)."""
        if urlsplit(route.request.url).netloc == host:
            route.continue_()
        else:
            sent_off_host.append(route.request.url)
            route.abort()

    playground.page.route("**/*", only_this_host)
    playground.page.goto(f"{playground.base_url}{path}")
    playground.page.wait_for_function(rendered)
    assert sent_off_host == []
    assert playground.page_errors == []
