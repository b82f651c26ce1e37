"""The experiment page: an experiment's grid fills live and its table reads as the API
does; the lecture's experiment in one click; any runs compared the same way; reopened
from the runs page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

if TYPE_CHECKING:
    from pathlib import Path

    from tests.browser.conftest import Playground

pytestmark = pytest.mark.browser

ROWS = '[data-testid="experiment-row"]'
# Small runs: the page's settings with few iterations, as fast as they go.
QUICK = "?iterations=400&speed=max&grid=40"


def percent(fraction: float | None) -> str:
    return "—" if fraction is None else f"{100 * fraction:.2f}%"


def table_of(api_jobs: list[dict[str, Any]], titles: list[str]) -> list[list[str]]:
    """The table as the page should write it from GET /api/experiments/{id}."""
    return [
        [
            title,
            job["status"],
            f"{job['iteration'] + 1:,}",
            str(job["metrics"]["cost"]),
            percent(job["metrics"]["train_accuracy"]),
            percent(job["metrics"]["test_accuracy"]),
        ]
        for job, title in zip(api_jobs, titles, strict=True)
    ]


def shown_table(playground: Playground) -> list[list[str]]:
    rows = playground.page.locator(ROWS)
    return [
        [cell.strip() for cell in rows.nth(i).locator("th, td").all_inner_texts()]
        for i in range(rows.count())
    ]


def wait_until_drawn(playground: Playground, n: int, iterations: int) -> None:
    """Until each of n tiles holds a boundary (more colours than its grey) and each cost
    line every iteration: the sockets bring these, the table comes from REST."""
    playground.page.wait_for_function(
        """([n, iterations]) => {
            const canvases = [...document.querySelectorAll('[data-testid=experiment-tile] canvas')];
            const painted = canvases.filter((canvas) => {
                const pixels = canvas.getContext('2d').getImageData(0, 0, 240, 240).data;
                const colours = new Set();
                for (let k = 0; k < pixels.length; k += 4 * 97) {
                    colours.add(pixels[k] + ',' + pixels[k + 2]);
                }
                return colours.size > 4;
            });
            const lines = document.querySelector('[data-testid=experiment-cost]').data;
            return painted.length === n && lines.every((line) => line.x.length === iterations);
        }""",
        arg=[n, iterations],
    )


def experiment_id(playground: Playground) -> str:
    playground.page.wait_for_url("**/experiment?id=*")
    return playground.page.url.split("id=")[1]


def all_ended(playground: Playground, n: int) -> None:
    playground.page.wait_for_function(
        "(n) => document.querySelector('[data-testid=experiment-done]').textContent"
        " === `${n} of ${n}`",
        arg=n,
    )


def test_an_experiment_fills_its_grid_live_and_its_table_matches_the_api(
    playground: Playground, artifacts: Path
) -> None:
    playground.open(QUICK)
    playground.by_id("experiment-panel").locator("summary").click()
    playground.by_id("experiment-vary").select_option("learning_rate")
    playground.by_id("experiment-values").fill("0.3; 1.2; nope")
    playground.click("experiment-start")
    expect(playground.by_id("experiment-note")).to_contain_text('Value 3, "nope"')
    playground.by_id("experiment-values").fill("0.3; 1.2; 3")
    playground.click("experiment-start")
    exp_id = experiment_id(playground)
    expect(playground.page.locator(ROWS)).to_have_count(3)
    titles = ["learning_rate = 0.3", "learning_rate = 1.2", "learning_rate = 3"]
    expect(playground.by_id("experiment-tile").locator("strong")).to_have_text(titles)
    all_ended(playground, 3)
    wait_until_drawn(playground, 3, 400)  # every iteration of each run, one line a run
    api = playground.api(f"/api/experiments/{exp_id}")
    assert [job["value"] for job in api["jobs"]] == [0.3, 1.2, 3.0]
    assert [job["status"] for job in api["jobs"]] == ["done"] * 3
    shown = shown_table(playground)
    expected = table_of(api["jobs"], titles)
    for row, want in zip(shown, expected, strict=True):
        assert row[:3] == want[:3] and row[4:] == want[4:]
        assert float(row[3]) == pytest.approx(float(want[3]), rel=1e-3)
    expect(playground.by_id("experiment-heading")).to_have_text("learning_rate over 3 values")
    expect(playground.by_id("experiment-stop")).to_be_hidden()  # nothing left to stop
    playground.page.screenshot(path=str(artifacts / "experiment.png"), full_page=True)
    assert not playground.console_errors and not playground.page_errors


def test_the_lectures_experiment_starts_in_one_click_and_shows_while_it_trains(
    playground: Playground, classmate: Playground
) -> None:
    playground.open()
    playground.by_id("experiment-panel").locator("summary").click()
    playground.click("experiment-lecture")
    exp_id = experiment_id(playground)
    api = playground.api(f"/api/experiments/{exp_id}")
    assert api["vary"] == "hidden_layers"
    assert api["values"] == [[1], [2], [3], [4], [5], [20], [50]]
    config = playground.job(api["jobs"][0]["id"])["config"]
    assert config["iterations"] == 5000 and config["speed"] is None
    titles = ["n_h = 1", "n_h = 2", "n_h = 3", "n_h = 4", "n_h = 5", "n_h = 20", "n_h = 50"]
    expect(playground.by_id("experiment-tile").locator("strong")).to_have_text(titles)
    playground.page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=experiment-cost] .scatterlayer path')"
        ".length >= 7"
    )
    # The link is the experiment: a classmate watches it, and cannot stop it.
    classmate.page.goto(playground.page.url)
    expect(classmate.page.locator(ROWS)).to_have_count(7)
    expect(classmate.by_id("experiment-stop")).to_be_hidden()
    expect(playground.by_id("experiment-stop")).to_be_visible()
    playground.click("experiment-stop")
    all_ended(playground, 7)
    statuses = {job["status"] for job in playground.api(f"/api/experiments/{exp_id}")["jobs"]}
    assert statuses <= {"stopped", "done"}


def test_runs_compared_side_by_side_and_experiments_reopened_from_the_runs_page(
    playground: Playground,
) -> None:
    playground.open(QUICK)
    playground.by_id("experiment-panel").locator("summary").click()
    playground.by_id("experiment-vary").select_option("activation")
    playground.by_id("experiment-values").fill("tanh; relu")
    playground.click("experiment-start")
    exp_id = experiment_id(playground)
    all_ended(playground, 2)
    playground.page.goto(f"{playground.base_url}/runs")
    link = playground.by_id("runs-experiment")
    expect(link).to_have_text(["activation over 2 values"])
    boxes = playground.by_id("runs-compare")
    expect(boxes).to_have_count(2)
    expect(playground.by_id("runs-side-by-side")).to_be_hidden()
    boxes.nth(0).check()
    boxes.nth(1).check()
    playground.click("runs-side-by-side")
    playground.page.wait_for_url("**/experiment?jobs=*")
    expect(playground.page.locator(ROWS)).to_have_count(2)
    expect(playground.by_id("experiment-heading")).to_have_text("2 runs compared")
    # The fields in which the runs differ are their titles: the same view as the experiment's.
    titles = playground.by_id("experiment-tile").locator("strong").all_inner_texts()
    assert sorted(titles) == ["activation = relu", "activation = tanh"]
    playground.page.go_back()
    playground.by_id("runs-experiment").click()
    playground.page.wait_for_url(f"**/experiment?id={exp_id}")
    expect(playground.page.locator(ROWS)).to_have_count(2)
    assert not playground.console_errors and not playground.page_errors
