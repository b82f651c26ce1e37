"""The runs page (/runs): your runs as the server keeps them, after a restart too."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import VIEWPORT, Playground
from tests.conftest import _free_port, serving

pytestmark = pytest.mark.browser


def test_the_runs_page_reopens_a_finished_run_after_a_restart_and_deletes_one(
    browser: Browser, tmp_path: Path
) -> None:
    data, port = tmp_path / "data", _free_port()
    for folder in ("before", "after"):
        (tmp_path / folder).mkdir()
    context = browser.new_context(viewport=VIEWPORT)
    with serving(tmp_path / "before", data, port) as served:
        playground = Playground(context.new_page(), served.url)
        playground.open("?iterations=120&speed=max")
        kept = playground.train_to_the_end()
        playground.open("?iterations=80&speed=max&hidden_layers=2")
        deleted = playground.train_to_the_end()

    # The same data dir and the same address: the browser still holds its tokens.
    with serving(tmp_path / "after", data, port) as served:
        page = context.new_page()
        playground = Playground(page, served.url)
        page.goto(f"{served.url}/runs")
        rows = page.get_by_test_id("runs-row")
        expect(rows).to_have_count(2)
        assert rows.first.get_attribute("data-job") == deleted  # newest first
        assert page.get_by_test_id("runs-count").inner_text() == "2"
        expect(rows.last.get_by_test_id("runs-status")).to_have_text("done")

        rows.last.get_by_test_id("runs-open").click()
        page.wait_for_function("() => window.Plotly && document.querySelector('#cost-plot').view")
        assert playground.wait_for_job() == kept
        playground.wait_for_status("done")
        assert playground.wait_for_costs("n === 120") == 120  # its whole history, charted
        assert playground.plot("boundary-plot", "gd.view.shown") is not None

        page.goto(f"{served.url}/runs")
        row = page.locator(f"[data-testid=runs-row][data-job='{deleted}']")
        row.get_by_test_id("runs-delete").click()
        expect(row.get_by_test_id("runs-delete")).to_contain_text("Click again")
        row.get_by_test_id("runs-delete").click()
        expect(rows).to_have_count(1)
        assert httpx.get(f"{served.url}/api/jobs/{deleted}", timeout=5).status_code == 404
        page.reload()
        expect(rows).to_have_count(1)  # its token is forgotten: it is not asked for again
        assert playground.console_errors == [] and playground.page_errors == []
    context.close()
