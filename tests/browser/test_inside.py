"""Seeing inside the network: a hovered unit in the big view, a weight edited while paused,
the output discretized, and the hidden space."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

if TYPE_CHECKING:
    from tests.browser.conftest import Playground

pytestmark = pytest.mark.browser

PICTURE = "gd.layout.images[0].source"
UNIT = '[data-testid="network-view"] g.unit[data-layer="1"][data-unit="{}"]'
LINK = '[data-testid="network-view"] path.hit[data-parameter="W2"][data-col="{}"]'


def paused_after_one_step(playground: Playground, query: str = "") -> str:
    playground.open(f"?iterations=50&speed=max{query}")
    playground.click("step-button")
    playground.wait_for_status("paused")
    playground.wait_for_count("n === 1")
    return playground.wait_for_job()


def test_hovering_a_unit_shows_its_output_in_the_big_view(playground: Playground) -> None:
    paused_after_one_step(playground)
    playground.page.wait_for_function(
        "() => document.querySelector('[data-testid=boundary-plot]').layout.images.length"
    )
    output = playground.plot("boundary-plot", PICTURE)
    playground.page.locator(UNIT.format(2)).hover()
    expect(playground.by_id("boundary-readout")).to_have_text("A1[2] = tanh(Z1[2]) over the plane")
    unit = playground.plot("boundary-plot", PICTURE)
    # The big view shows the unit's own picture, the one its node in the diagram shows.
    assert unit != output
    assert unit == playground.page.locator(UNIT.format(2) + " image").get_attribute("href")
    playground.page.mouse.move(5, 5)  # off the diagram: the output again
    expect(playground.by_id("boundary-readout")).to_have_text("")
    assert playground.plot("boundary-plot", PICTURE) == output


def test_the_owner_edits_a_weight_while_paused_and_the_views_follow(
    playground: Playground, classmate: Playground
) -> None:
    job_id = paused_after_one_step(playground)
    before = playground.text("train-accuracy")
    playground.page.locator(LINK.format(1)).click(force=True)
    editor = playground.by_id("weight-editor")
    expect(editor).to_contain_text("W2[0, 1] =")
    playground.by_id("weight-input").fill("-6")
    playground.by_id("weight-input").press("Enter")
    expect(editor).to_be_hidden()
    parameters = playground.api(f"/api/jobs/{job_id}/parameters.json")
    assert parameters["W2"][0][1] == -6
    expect(playground.page.locator(LINK.format(1))).to_have_attribute(
        "data-tip", "W2[0, 1] = -6.000"
    )
    # The run bar shows the metrics of the edited network, before any new iteration.
    accuracy = playground.job(job_id)["metrics"]["train_accuracy"]
    expect(playground.by_id("train-accuracy")).to_have_text(f"{accuracy:.2%}")
    assert playground.text("train-accuracy") != before

    classmate.open(f"?job={job_id}")
    classmate.wait_for_status("paused")
    classmate.page.locator(LINK.format(0)).click(force=True)
    expect(classmate.by_id("weight-note")).to_contain_text("someone else's run")
    expect(classmate.by_id("weight-input")).to_be_hidden()


def test_a_running_run_asks_to_be_paused_first(playground: Playground) -> None:
    playground.open("?iterations=20000&speed=20")
    playground.click("train-button")
    playground.wait_for_status("running")
    playground.page.locator(LINK.format(0)).click(force=True)
    expect(playground.by_id("weight-note")).to_have_text("Pause the run to edit W2[0, 0].")


def test_discretize_draws_the_output_in_two_colours(playground: Playground) -> None:
    paused_after_one_step(playground)
    playground.page.wait_for_function(
        "() => document.querySelector('[data-testid=boundary-plot]').layout.images.length"
    )
    shaded = playground.plot("boundary-plot", PICTURE)
    playground.by_id("discretize").check()
    playground.page.wait_for_function(
        f"(shaded) => {{ const gd = document.querySelector('[data-testid=boundary-plot]');"
        f" return {PICTURE} !== shaded; }}",
        arg=shaded,
    )
    colours = playground.page.evaluate(
        """async (source) => {
            const image = new Image();
            image.src = source;
            await image.decode();
            const canvas = document.createElement("canvas");
            [canvas.width, canvas.height] = [image.width, image.height];
            const context = canvas.getContext("2d");
            context.drawImage(image, 0, 0);
            const data = context.getImageData(0, 0, image.width, image.height).data;
            const seen = new Set();
            for (let k = 0; k < data.length; k += 4) seen.add(data.slice(k, k + 3).join());
            return seen.size;
        }""",
        playground.plot("boundary-plot", PICTURE),
    )
    assert colours <= 2
    playground.by_id("discretize").uncheck()
    playground.page.wait_for_function(
        f"(shaded) => {{ const gd = document.querySelector('[data-testid=boundary-plot]');"
        f" return {PICTURE} === shaded; }}",
        arg=shaded,
    )


def test_the_hidden_space_draws_the_points_as_two_units_see_them(playground: Playground) -> None:
    job_id = paused_after_one_step(playground, "&hidden_layers=3")
    playground.page.locator('[data-testid="hidden-space"] summary').click()
    playground.page.wait_for_function(
        "() => document.querySelector('[data-testid=hidden-plot]').dataset.iteration === '0'"
    )
    playground.by_id("hidden-y").select_option("2")
    playground.page.wait_for_function(
        "() => document.querySelector('[data-testid=hidden-plot]').layout.yaxis.title.text"
        " === 'A1[2]'"
    )
    space = playground.api(f"/api/jobs/{job_id}/hidden?layer=1&units=0,2")
    drawn = playground.plot("hidden-plot", "gd.data.slice(1).flatMap((t) => t.x).length")
    assert drawn == len(space["train"]["y"]) + len(space["test"]["y"])
    xs = playground.plot(
        "hidden-plot", "gd.data.slice(1).flatMap((t) => t.x).sort((a, b) => a - b)"
    )
    assert xs == sorted(space["train"]["A"][0] + space["test"]["A"][0])
