"""The runs list: runs compared on the cost chart, settings loaded back, kept over a reload."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

if TYPE_CHECKING:
    from tests.browser.conftest import Playground

pytestmark = pytest.mark.browser

ITERATIONS = 50
SHORT = f"?speed=1000&iterations={ITERATIONS}&learning_rate=0.9"
COST_TRACES = "document.querySelector('[data-testid=cost-plot]').data"


def set_learning_rate(playground: Playground, value: str) -> None:
    field = playground.by_id("learning-rate")
    field.fill(value)
    field.press("Tab")  # the change is committed when the field is left


def two_runs(playground: Playground) -> tuple[str, str]:
    """α 0.9, then α 0.3, each to the end: the two job ids."""
    playground.open(SHORT)
    first = playground.train_to_the_end()
    set_learning_rate(playground, "0.3")
    second = playground.train_to_the_end()
    wait_for_rows(playground, 2)
    return first, second


def wait_for_rows(playground: Playground, n: int) -> None:
    playground.page.wait_for_function(
        "(n) => document.querySelectorAll('[data-testid=run-row]').length === n", arg=n
    )


def row(playground: Playground, job_id: str) -> Any:
    return playground.page.locator(f'[data-testid=run-row][data-job-id="{job_id}"]')


def wait_for_traces(playground: Playground, n: int) -> None:
    playground.page.wait_for_function(f"(n) => {COST_TRACES}.length === n", arg=n)


def query(playground: Playground) -> dict[str, list[str]]:
    return parse_qs(urlsplit(playground.page.url).query)


def test_two_runs_are_listed_with_what_each_changed(playground: Playground) -> None:
    first, second = two_runs(playground)

    rows = playground.page.get_by_test_id("run-row")
    assert rows.evaluate_all("(rs) => rs.map((r) => r.dataset.jobId)") == [second, first]
    old = row(playground, first).get_by_test_id("run-label").inner_text()
    new = row(playground, second).get_by_test_id("run-label").inner_text()
    assert old.startswith("#1 ") and "α 0.9" in old and f"{ITERATIONS} iterations" in old
    assert new.startswith("#2 ") and "α 0.3" in new and "0.9" not in new
    # The run watched is marked and drawn as the main curve: it has no overlay toggle.
    assert row(playground, second).get_attribute("aria-current") == "true"
    assert row(playground, second).get_by_test_id("run-overlay").count() == 0
    for job_id in (first, second):
        job = playground.job(job_id)
        cells = row(playground, job_id)
        assert cells.get_by_test_id("run-status").inner_text() == "done"
        assert cells.get_by_test_id("run-iterations").inner_text() == str(ITERATIONS)
        assert cells.get_by_test_id("run-cost").inner_text() == f"{job['metrics']['cost']:.4g}"
        train = f"{100 * job['metrics']['train_accuracy']:.2f}%"
        assert cells.get_by_test_id("run-train").inner_text() == train
        assert cells.get_by_test_id("run-test").inner_text() == "—"
    assert playground.console_errors == []


def test_an_overlay_toggle_adds_and_removes_a_past_runs_cost_curve(
    playground: Playground,
) -> None:
    first, _ = two_runs(playground)
    assert playground.page.evaluate(f"() => {COST_TRACES}.length") == 4  # the current run's
    toggle = row(playground, first).get_by_test_id("run-overlay")

    toggle.check()
    wait_for_traces(playground, 5)
    trace = playground.page.evaluate(f"() => {COST_TRACES}[4]")
    assert trace["name"].startswith("#1 α 0.9")
    assert trace["showlegend"] is True
    assert trace["x"] == list(range(ITERATIONS))
    assert trace["line"]["width"] < playground.plot("cost-plot", "gd.data[1].line.width")

    # With smoothing 0 the line is the run's own costs, as its snapshot has them.
    playground.by_id("smoothing").fill("0")
    costs = playground.page.evaluate(
        "async (id) => (await (await import('/static/js/socket.js')).fetchSnapshot(id))"
        ".history.cost",
        first,
    )
    assert playground.page.evaluate(f"() => {COST_TRACES}[4].y") == pytest.approx(costs)
    playground.by_id("smoothing").fill("0.9")
    smoothed = playground.page.evaluate(f"() => {COST_TRACES}[4].y")
    assert smoothed[0] == pytest.approx(costs[0])  # debiased, like the main curve
    assert smoothed[-1] != pytest.approx(costs[-1])
    playground.by_id("log-scale").check()
    assert playground.plot("cost-plot", "gd.layout.yaxis.type") == "log"
    assert playground.page.evaluate(f"() => {COST_TRACES}.length") == 5

    toggle.uncheck()
    wait_for_traces(playground, 4)
    # The keyboard does the same: Space on the focused toggle.
    toggle.focus()
    playground.page.keyboard.press("Space")
    wait_for_traces(playground, 5)
    assert toggle.is_checked()
    assert playground.console_errors == []


def test_clicking_a_runs_label_loads_its_settings_without_starting_a_run(
    playground: Playground,
) -> None:
    first, second = two_runs(playground)
    assert playground.by_id("learning-rate").input_value() == "0.3"
    jobs_before = len(playground.api("/api/jobs"))

    row(playground, first).get_by_test_id("run-label").click()
    assert playground.by_id("learning-rate").input_value() == "0.9"
    assert playground.by_id("iterations").input_value() == str(ITERATIONS)
    assert query(playground)["learning_rate"] == ["0.9"]
    assert "job" not in query(playground)
    assert playground.text("status") == "ready"
    assert "loaded" in playground.text("message")
    playground.page.wait_for_timeout(300)  # a run started by mistake would be on its way
    assert len(playground.api("/api/jobs")) == jobs_before
    assert "job" not in query(playground)
    # Both runs are past runs now: each can be drawn, each label loads.
    assert row(playground, second).get_by_test_id("run-overlay").is_enabled()
    row(playground, second).get_by_test_id("run-label").click()
    assert playground.by_id("learning-rate").input_value() == "0.3"
    assert query(playground)["learning_rate"] == ["0.3"]


def test_a_reload_keeps_the_list_and_a_run_gone_from_the_server_is_expired(
    playground: Playground,
) -> None:
    first, second = two_runs(playground)
    cost = row(playground, first).get_by_test_id("run-cost").inner_text()
    label = row(playground, first).get_by_test_id("run-label").inner_text()

    playground.page.reload()
    wait_for_rows(playground, 2)
    assert row(playground, first).get_by_test_id("run-label").inner_text() == label
    # The reloaded run's boundary is drawn whole: the x axis spans the picture.
    playground.page.wait_for_function(
        "() => document.querySelector('[data-testid=boundary-plot]').view.shown !== null"
    )
    lo, hi = playground.plot("boundary-plot", "gd._fullLayout.xaxis.range")
    image = playground.plot("boundary-plot", "gd.layout.images[0]")
    assert lo <= image["x"] and image["x"] + image["sizex"] <= hi
    assert row(playground, second).get_attribute("aria-current") == "true"
    # The past run's costs come back from its snapshot: it can be drawn again.
    toggle = row(playground, first).get_by_test_id("run-overlay")
    playground.page.wait_for_function(
        "(id) => !document.querySelector("
        "`[data-testid=run-row][data-job-id='${id}'] [data-testid=run-overlay]`).disabled",
        arg=first,
    )
    toggle.check()
    wait_for_traces(playground, 5)
    assert playground.page.evaluate(f"() => {COST_TRACES}[4].x.length") == ITERATIONS

    assert playground.console_errors == []

    # The server lets the first run go: its handshake is refused (the browser logs that).
    owner = playground.owner(first)
    httpx.delete(
        f"{playground.base_url}/api/jobs/{first}", headers=owner, timeout=5
    ).raise_for_status()
    playground.page.reload()
    wait_for_rows(playground, 2)
    status = row(playground, first).get_by_test_id("run-status")
    playground.page.wait_for_function(
        "(id) => document.querySelector("
        "`[data-testid=run-row][data-job-id='${id}'] [data-testid=run-status]`)"
        ".textContent === 'expired'",
        arg=first,
    )
    assert status.inner_text() == "expired"
    assert row(playground, first).get_by_test_id("run-cost").inner_text() == cost  # kept
    assert row(playground, first).get_by_test_id("run-overlay").is_disabled()
    assert playground.page.evaluate(f"() => {COST_TRACES}.length") == 4  # its costs are gone
    assert playground.page_errors == []


def test_the_list_keeps_the_newest_runs_and_saves_no_costs(playground: Playground) -> None:
    playground.open()
    result = playground.page.evaluate(
        """async () => {
          const js = document.querySelector('script[type=module]').src;  // the page's version
          const { RunList, MAX_RUNS, labelFor } = await import(new URL('runs.js', js));
          const { defaultSettings } = await import(new URL('controls.js', js));
          const saved = new Map();
          const storage = {
            getItem: (k) => saved.get(k) ?? null,
            setItem: (k, v) => saved.set(k, v),
          };
          const list = new RunList({ storage });
          const rates = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
          rates.forEach((rate, i) => {
            const config = { ...defaultSettings(), learning_rate: rate };
            list.watch({ id: `job${i}`, status: 'running', config });
            list.progress(`job${i}`, { first_iteration: 0, iteration: 1, cost: [0.6931, 0.6],
                                       train_accuracy: 0.5, test_accuracy: null });
          });
          list.save();
          const again = new RunList({ storage });
          // A run left before its first iteration is forgotten; the next is labelled
          // against the run before it.
          const other = new RunList();
          const lecture = defaultSettings();
          other.watch({ id: 'a', status: 'running', config: lecture });
          other.progress('a', { first_iteration: 0, iteration: 0, cost: [0.69] });
          other.watch({ id: 'b', status: 'queued', config: { ...lecture, activation: 'relu' } });
          other.watch({ id: 'c', status: 'queued',
                        config: { ...lecture, activation: 'relu', hidden_layers: [8] } });
          again.load();
          const d = defaultSettings();
          return {
            max: MAX_RUNS,
            ids: list.runs.map((r) => r.id),
            slots: list.runs.map((r) => r.slot),
            labels: list.runs.map((r) => r.label),
            restored: again.runs.map((r) => [r.id, r.label, r.cost, r.costs]),
            stored: saved.get('gradlive.runs'),
            lecture: labelFor(d, null),
            again: labelFor({ ...d, learning_rate: 0.5 }, { ...d, learning_rate: 0.5 }),
            changed: labelFor({ ...d, activation: 'relu', hidden_layers: [8] }, d),
            left: other.runs.map((r) => [r.id, r.label]),
          };
        }"""
    )
    assert result["max"] == 8
    assert result["ids"] == [f"job{i}" for i in range(2, 10)]  # the oldest two dropped
    assert sorted(result["slots"]) == list(range(8))  # every line looks different
    assert result["labels"][-1] == "α 1"
    assert result["restored"] == [
        [f"job{i}", result["labels"][i - 2], 0.6, None] for i in range(2, 10)
    ]
    # Summaries only: a run's costs are not saved (its last cost is, as its summary).
    assert "0.6931" not in result["stored"]
    assert '"costs"' not in result["stored"]
    assert '"whole"' not in result["stored"]
    assert result["lecture"] == "lecture"
    assert result["again"] == "α 0.5"  # the same settings again: what differs from the lecture
    assert result["changed"] == "relu, [8]"
    assert result["left"] == [["a", "lecture"], ["c", "relu, [8]"]]


@pytest.mark.parametrize("width", [800, 400])
def test_the_runs_list_fits_a_narrow_window(
    playground: Playground, artifacts: Path, width: int
) -> None:
    first, _ = two_runs(playground)
    row(playground, first).get_by_test_id("run-overlay").check()
    wait_for_traces(playground, 5)
    playground.page.set_viewport_size({"width": width, "height": 1000})
    playground.page.wait_for_function(
        "() => document.documentElement.scrollWidth === document.documentElement.clientWidth"
    )
    playground.page.screenshot(path=artifacts / f"runs-{width}.png", full_page=True)
    assert playground.by_id("runs").is_visible()
    assert playground.console_errors == []
