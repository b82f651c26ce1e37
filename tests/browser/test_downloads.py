"""The download links under the cost chart: the watched run's exports, hidden with no run."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest
from playwright.sync_api import expect

if TYPE_CHECKING:
    from tests.browser.conftest import Playground

pytestmark = pytest.mark.browser

SHORT = "?speed=1000&iterations=50"
EXPORTS = {
    "download-parameters-json": "parameters.json",
    "download-parameters-npz": "parameters.npz",
    "download-history-csv": "history.csv",
    "download-script-py": "script.py",
}


def test_the_links_follow_the_watched_run_and_download_its_exports(
    playground: Playground, classmate: Playground
) -> None:
    playground.open(SHORT)
    assert not playground.by_id("downloads").is_visible()  # no run yet
    first = playground.train_to_the_end()
    second = playground.train_to_the_end()
    assert second != first
    for testid, name in EXPORTS.items():
        link = playground.by_id(testid)
        assert link.get_attribute("href") == f"api/jobs/{second}/{name}"
        assert link.get_attribute("download") == f"gradlive-{second}-{name}"
    sizes = playground.page.evaluate(
        "() => [...document.querySelectorAll('#downloads > *')]"
        ".map((e) => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert len(sizes) == 5 and min(sizes) >= 13.5  # large enough for a projector
    with playground.page.expect_download() as download:
        playground.click("download-script-py")
    assert download.value.suggested_filename == f"gradlive-{second}-script.py"
    text = download.value.path().read_text()
    assert "iterations = 50" in text and "dZ2 = A2 - Y" in text
    # A classmate with the shared link watches the run: the links are theirs too, no token.
    classmate.open(f"?job={second}")
    classmate.wait_for_status("done")
    href = classmate.by_id("download-history-csv").get_attribute("href")
    response = httpx.get(f"{classmate.base_url}/{href}", timeout=5)
    assert response.status_code == 200 and len(response.text.splitlines()) == 51
    # Settings changed with no run playing: the page is ready for a new one, with no links.
    playground.page.get_by_test_id("iterations").fill("60")
    playground.page.get_by_test_id("iterations").press("Enter")
    playground.page.wait_for_function(
        "() => document.querySelector('[data-testid=downloads]').hidden"
    )
    assert playground.console_errors == [] and playground.page_errors == []


def test_a_file_the_server_refuses_says_why_instead_of_saving_an_error(
    playground: Playground,
) -> None:
    playground.open("?dataset=reg-plane&hidden_layers=&learning_rate=0.1&iterations=50&speed=max")
    playground.train_to_the_end()
    playground.click("download-script-py")
    expect(playground.by_id("message")).to_contain_text(
        "No script for this job: it is a regression run"
    )
    with playground.page.expect_download() as download:  # the others are there as ever
        playground.click("download-history-csv")
    assert len(download.value.path().read_text().splitlines()) == 51
