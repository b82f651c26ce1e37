"""Where the page puts things: the output first where the columns stack, the run bar in
reach at any width, Plotly's mode bar off the plots' data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize

from tests.browser.conftest import Playground, _stop_unfinished_jobs

pytestmark = pytest.mark.browser

# name: the browser context (a phone emulated as one: its pixel ratio, touch, mobile viewport).
SIZES: dict[str, dict[str, Any]] = {
    "800x900": {"viewport": {"width": 800, "height": 900}},
    "phone-390x844": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 3,
        "is_mobile": True,
        "has_touch": True,
    },
    "1400x1000": {"viewport": {"width": 1400, "height": 1000}},
}

# An element's box in page coordinates (not the viewport's): {top, bottom, left, right}.
BOX = """(e) => { const r = e.getBoundingClientRect();
  return { top: r.top + scrollY, bottom: r.bottom + scrollY,
           left: r.left + scrollX, right: r.right + scrollX }; }"""

# What the run bar must show: each item's box in the viewport, and whether it is the
# element found at its own centre (nothing covers it).
RUN_BAR_ITEMS = [
    "train-button",
    "step-button",
    "step-count",
    "iteration",
    "cost",
    "train-accuracy",
    "test-accuracy",
    "status",
]
SHOWN = """(ids) => ids.map((id) => {
  const e = document.querySelector(`[data-testid=${id}]`);
  const r = e.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return { id, top: r.top, bottom: r.bottom, left: r.left, right: r.right,
           width: r.width, uncovered: !!hit && (hit === e || e.contains(hit)) };
})"""

# Each plot's mode bar and its data area (Plotly's drag rectangle over the axes' area).
MODE_BARS = """() => ['boundary-plot', 'cost-plot'].map((id) => {
  const gd = document.getElementById(id);
  const box = (e) => { const r = e.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, left: r.left, right: r.right }; };
  return { id, bar: box(gd.querySelector('.modebar')), area: box(gd.querySelector('.nsewdrag')) };
})"""


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    )


@pytest.fixture(params=list(SIZES))
def sized(request: pytest.FixtureRequest, browser: Browser, server: str) -> Iterator[Playground]:
    """A page on the playground in a window of one of SIZES, after a short run (so that the
    run bar shows real numbers: its widest state)."""
    context = browser.new_context(**SIZES[request.param])
    playground = Playground(context.new_page(), server)
    playground.open("?speed=max&iterations=300&test_fraction=0.2")
    playground.train_to_the_end("done", "diverged")
    yield playground
    context.close()
    _stop_unfinished_jobs(server)


def box(playground: Playground, selector: str) -> dict[str, float]:
    return dict(playground.page.locator(selector).evaluate(BOX))


def test_nothing_scrolls_sideways(sized: Playground) -> None:
    assert sized.page.evaluate("() => document.scrollingElement.scrollWidth <= innerWidth")


def test_the_output_comes_right_after_the_run_bar_where_the_columns_stack(
    sized: Playground,
) -> None:
    size = viewport(sized.page)
    width, height = size["width"], size["height"]
    bar = box(sized, ".runbar")
    boundary = box(sized, "[data-testid=boundary-plot]")
    cost = box(sized, "[data-testid=cost-plot]")
    settings = box(sized, ".settings-bar")
    data = box(sized, ".data-column")
    network = box(sized, ".network-column")
    equations = box(sized, ".equations-column")
    if width >= 1400:
        # The three columns: data | network | output, under one row of settings.
        assert settings["bottom"] <= data["top"]
        assert data["right"] < network["left"] < network["right"] < boundary["left"]
        assert boundary["bottom"] < cost["top"] < height
        return
    for plot in (boundary, cost):
        for section in (settings, data, equations):
            assert plot["top"] < section["top"]
    # The decision boundary is on the first screen, under the run bar.
    assert bar["bottom"] <= boundary["top"] < height


def test_the_run_bar_stays_in_reach_after_scrolling_to_the_equations(
    sized: Playground, artifacts: Path
) -> None:
    page = sized.page
    page.locator("#equations-heading").evaluate("(e) => e.scrollIntoView()")
    assert page.evaluate("() => scrollY") > 0
    bar = page.locator(".runbar").evaluate("(e) => e.getBoundingClientRect().toJSON()")
    assert bar["top"] == 0
    window = viewport(page)
    for item in page.evaluate(SHOWN, RUN_BAR_ITEMS):
        assert item["uncovered"], item
        assert item["width"] > 0, item
        assert item["top"] >= 0 and item["bottom"] <= bar["bottom"], item
        assert item["left"] >= 0 and item["right"] <= window["width"], item
    # What was scrolled to is not under the bar (the page keeps the bar's height clear).
    heading = page.locator("#equations-heading").evaluate(
        "(e) => e.getBoundingClientRect().toJSON()"
    )
    assert heading["top"] >= bar["bottom"]
    size = viewport(page)
    page.screenshot(path=artifacts / f"layout-scrolled-{size['width']}x{size['height']}.png")


def test_a_field_focused_from_below_is_not_under_the_run_bar(sized: Playground) -> None:
    page = sized.page
    page.evaluate("() => window.scrollTo(0, document.scrollingElement.scrollHeight)")
    field = sized.by_id("learning-rate")
    field.focus()
    bar = page.locator(".runbar").evaluate("(e) => e.getBoundingClientRect().bottom")
    assert field.evaluate("(e) => e.getBoundingClientRect().top") >= bar


def test_the_mode_bars_cover_no_data(sized: Playground) -> None:
    for plot in sized.page.evaluate(MODE_BARS):
        assert not overlap(plot["bar"], plot["area"]), plot
    # Nor the boundary's readout (P(y=1) under the pointer): both show while it hovers.
    area = sized.page.evaluate(MODE_BARS)[0]["area"]
    sized.page.mouse.move((area["left"] + area["right"]) / 2, (area["top"] + area["bottom"]) / 2)
    readout = sized.by_id("boundary-readout")
    sized.page.wait_for_function(
        "() => document.querySelector('[data-testid=boundary-readout]').textContent !== ''"
    )
    text = readout.evaluate(
        "(e) => { const range = document.createRange(); range.selectNodeContents(e);"
        " return range.getBoundingClientRect().toJSON(); }"
    )
    bar = sized.page.evaluate(MODE_BARS)[0]["bar"]
    assert not overlap(text, bar), (text, bar)


def viewport(page: Page) -> ViewportSize:
    """The page's window size (every page here is opened with one)."""
    size = page.viewport_size
    assert size is not None
    return size
