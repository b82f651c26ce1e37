"""The live view keeps up: every cost kept, the latest boundary drawn, the same after a reload."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page, Route

    from tests.browser.conftest import Playground

pytestmark = pytest.mark.browser

# The cost chart's module by its plain URL (decimate is a pure function: any instance will do).
COSTCHART = "./static/js/costchart.js"


def test_decimation_keeps_every_spike_and_the_ends_of_the_line(playground: Playground) -> None:
    playground.open()
    result = playground.page.evaluate(
        """async (url) => {
          const { decimate } = await import(url);
          const n = 100000;
          const x = Array.from({ length: n }, (_, i) => i);
          const y = x.map((i) => 0.7 * Math.exp(-i / 20000) + 0.001 * Math.sin(i));
          const spikes = [123, 4567, 45678, 99998];
          spikes.forEach((i, k) => { y[i] = 5 + k; });
          y[70000] = -1;
          y[80000] = null;
          const d = decimate(x, y, 300);
          const short = decimate([0, 1, 2], [3, 2, 1], 300);
          return {
            length: d.x.length,
            spikes: spikes.map((i) => d.x.includes(i) && d.y[d.x.indexOf(i)] === y[i]),
            low: d.y[d.x.indexOf(70000)],
            gap: d.x.includes(80000) && d.y[d.x.indexOf(80000)] === null,
            ends: [d.x[0], d.y[0] === y[0], d.x[d.x.length - 1], d.y[d.y.length - 1] === y[n - 1]],
            ascending: d.x.every((v, k) => k === 0 || v > d.x[k - 1]),
            short,
          };
        }""",
        COSTCHART,
    )
    assert result["length"] <= 4 * 300
    assert all(result["spikes"]) and result["low"] == -1 and result["gap"]
    assert result["ends"] == [0, True, 99999, True] and result["ascending"]
    assert result["short"] == {"x": [0, 1, 2], "y": [3, 2, 1]}  # short lines are drawn whole


def test_a_long_run_keeps_every_iterations_cost_and_draws_fewer_points(
    playground: Playground,
) -> None:
    playground.open("?speed=max&iterations=20000")
    job_id = playground.train_to_the_end()
    kept = playground.plot("cost-plot", "gd.view.train.x")
    assert kept == list(range(20000))  # every iteration, once, in order
    drawn = playground.plot("cost-plot", "{ x: gd.data[0].x, y: gd.data[0].y }")
    assert len(drawn["x"]) < 20000
    costs = playground.plot("cost-plot", "gd.view.train.y")
    assert drawn["x"][-1] == 19999 and drawn["y"][-1] == costs[-1]
    assert max(drawn["y"]) == max(costs) and min(drawn["y"]) == min(costs)
    assert playground.job(job_id)["metrics"]["cost"] == pytest.approx(costs[-1])


def test_after_a_burst_of_boundaries_the_latest_is_drawn_once(playground: Playground) -> None:
    playground.open("?iterations=300&speed=max")
    playground.train_to_the_end()
    result = playground.page.evaluate(
        """async () => {
          const view = document.querySelector('[data-testid=boundary-plot]').view;
          const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
          await frame();
          const before = view.drawn;
          const R = 10;
          const burst = Array.from({ length: 50 }, (_, k) => ({
            ...view.shown, resolution: R, z: btoa(String.fromCharCode(...new Array(R * R).fill(k))),
          }));
          burst.forEach((b) => view.setBoundary(b));
          await frame();
          await frame();
          return { draws: view.drawn - before, latest: view.shown === burst[49] };
        }"""
    )
    assert result == {"draws": 1, "latest": True}


def test_a_reload_shows_the_same_last_boundary(playground: Playground) -> None:
    playground.open("?iterations=500&speed=max")
    playground.train_to_the_end()
    shown = "gd.view.shown && gd.view.shown.z"
    before = playground.plot("boundary-plot", shown)
    assert before
    playground.page.reload()
    playground.page.wait_for_function(
        "() => { const gd = document.querySelector('[data-testid=boundary-plot]');"
        " return gd.view && gd.view.shown !== null; }"
    )
    assert playground.plot("boundary-plot", shown) == before
    assert playground.plot("cost-plot", "gd.view.train.x.length") == 500


def test_a_reload_of_a_long_run_draws_its_preview_then_keeps_every_cost(
    playground: Playground,
) -> None:
    playground.open("?speed=max&iterations=20000")
    playground.train_to_the_end()
    costs = playground.plot("cost-plot", "gd.view.train.y")
    kinds: list[str] = []

    def follow(ws) -> None:  # the message types of the page's job socket
        ws.on("framereceived", lambda text: kinds.append(text.split(",", 1)[0]))

    playground.page.on("websocket", follow)
    playground.page.reload()
    playground.page.wait_for_function(
        "() => { const gd = document.querySelector('[data-testid=cost-plot]');"
        " return gd.view && gd.view.train.x.length === 20000; }"
    )
    assert kinds[:2] == ['{"type":"snapshot"', '{"type":"history"']
    assert playground.plot("cost-plot", "gd.view.train.x") == list(range(20000))
    assert playground.plot("cost-plot", "gd.view.train.y") == costs


def hold_the_charts_script(page: Page) -> list[Route]:
    """Hold Plotly's request back (the page preloads it in its head): the held route."""
    held: list[Route] = []
    page.route("**/plotly-basic*", lambda route: held.append(route))
    return held


def sketched_pixels(sketch: Locator) -> int:
    """How many of the sketch canvas's pixels are painted."""
    return int(
        sketch.evaluate(
            """(canvas) => canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height)
                 .data.filter((value, i) => i % 4 === 3 && value > 0).length"""
        )
    )


def test_a_shared_link_paints_its_boundary_before_the_charts_script_loads(
    playground: Playground, classmate: Playground
) -> None:
    playground.open("?iterations=300&speed=max")
    job_id = playground.train_to_the_end()
    held = hold_the_charts_script(classmate.page)
    with classmate.page.expect_request("**/plotly-basic*"):
        classmate.page.goto(f"{classmate.base_url}/?job={job_id}")
    sketch = classmate.by_id("boundary-sketch")
    sketch.wait_for()
    assert classmate.page.evaluate("() => window.Plotly === undefined")
    # The job's last boundary, painted with its points, over the whole plot.
    z = playground.plot("boundary-plot", "gd.view.shown.z")
    assert classmate.plot("boundary-plot", "gd.view.boundary.z") == z
    assert sketched_pixels(sketch) > 0
    box, plot = sketch.bounding_box(), classmate.by_id("boundary-plot").bounding_box()
    assert box and plot and abs(box["width"] - plot["width"]) < 1
    assert len(held) == 1
    held[0].continue_()
    classmate.page.wait_for_function(
        "() => document.querySelector('#boundary-plot .imagelayer image') !== null"
    )
    # The plot drew the same boundary and took the sketch's place.
    assert classmate.plot("boundary-plot", "gd.view.shown.z") == z
    assert classmate.by_id("boundary-sketch").count() == 0


def test_the_page_trains_before_the_charts_script_has_run(playground: Playground) -> None:
    held = hold_the_charts_script(playground.page)
    with playground.page.expect_request("**/plotly-basic*"):
        playground.page.goto(f"{playground.base_url}/?iterations=200&speed=max")
    # Its points show on a sketch, and ▶ starts a run whose costs wait for the chart.
    sketch = playground.by_id("boundary-sketch")
    sketch.wait_for()
    assert sketched_pixels(sketch) > 0
    playground.click("train-button")
    job_id = playground.wait_for_job()
    playground.wait_for_status("done")
    assert playground.page.evaluate("() => window.Plotly === undefined")
    assert playground.plot("cost-plot", "gd.view.train.x.length") == 200
    held[0].continue_()
    playground.wait_for_chart()
    playground.page.wait_for_function(
        "() => document.querySelector('#boundary-plot .imagelayer image') !== null"
    )
    assert playground.plot("cost-plot", "gd.data[0].x.length") > 0
    assert playground.by_id("boundary-sketch").count() == 0
    assert playground.page_errors == []
    assert playground.job(job_id)["status"] == "done"
