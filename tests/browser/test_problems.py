"""Problems, features and own data on the page: K classes and a regression drawn, inputs
toggled, and a learner's own points sent, refused with their line, and trained on."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

if TYPE_CHECKING:
    from tests.browser.conftest import Playground

pytestmark = pytest.mark.browser

INPUTS = '[data-testid="network-view"] g.unit[data-layer="0"]'
OUTPUTS = '[data-testid="network-view"] g.unit[data-layer="{}"]'


def test_three_classes_are_drawn_as_three_classes(playground: Playground) -> None:
    playground.open("?dataset=spiral&n_classes=3&hidden_layers=6&iterations=100&speed=max")
    expect(playground.by_id("n-classes")).to_be_visible()
    playground.train_to_the_end()
    shown = playground.plot("boundary-plot", "gd.view.shown")
    assert shown["encoding"] == "class-uint8-base64" and shown["classes"] == 3
    assert playground.page.locator(OUTPUTS.format(2)).count() == 3  # a softmax unit per class
    colours = playground.plot("boundary-plot", "gd.data[0].marker.color")
    assert len(set(colours)) == 3  # every training point in its class's colour
    assert "softmax(Z2)" in playground.text("equations")
    legend = [item.strip() for item in playground.text("class-legend").split("\n")]
    assert legend == ["class 0", "class 1", "class 2"]
    assert playground.text("boundary-what") == "the most likely class, shaded by its P"
    playground.open("?dataset=flower")
    expect(playground.by_id("n-classes")).to_be_hidden()  # two classes only


def test_a_regression_shows_its_values_and_r2(playground: Playground) -> None:
    playground.open("?dataset=reg-plane&hidden_layers=&learning_rate=0.1&iterations=200&speed=max")
    playground.train_to_the_end()
    assert playground.plot("boundary-plot", "gd.view.shown.encoding") == "value-uint8-base64"
    assert playground.text("train-accuracy").startswith("R² 0.9")
    assert "(1/2m) Σ (A − Y)²" in playground.text("equations")  # one layer: no index
    assert "linear regression" in playground.text("equations")


def test_input_toggles_change_n_x_in_the_diagram_and_the_equations(playground: Playground) -> None:
    playground.open()
    assert playground.page.locator(INPUTS).count() == 2
    playground.click("feature-x1^2")
    expect(playground.page.locator(INPUTS)).to_have_count(3)
    assert "features=x1,x2,x1%5E2" in playground.page.url
    assert "(4,3)(3,400)" in playground.text("equations")
    # The last input cannot go: the network needs one.
    playground.click("feature-x1")
    playground.click("feature-x2")
    playground.click("feature-x1^2")
    expect(playground.by_id("feature-x1^2")).to_be_checked()


def test_own_points_refused_with_their_line_then_trained_on(playground: Playground) -> None:
    playground.open()
    playground.page.locator('[data-testid="own-data"] summary').click()
    playground.by_id("own-data-text").fill("x1,x2,label\n1,2,0\n1,oops,1\n")
    playground.click("own-data-send")
    note = playground.by_id("own-data-note")
    expect(note).to_have_text("line 3: x2 is not a number: 'oops'.")
    rows = [f"{-2 + 4 * (i % 2) + 0.1 * (i % 7)},{i % 5 - 2},{i % 2}" for i in range(40)]
    playground.by_id("own-data-text").fill("\n".join(rows))
    playground.click("own-data-send")
    expect(note).to_contain_text("40 points, 2 classes")
    assert "dataset=own-" in playground.page.url
    job_id = playground.train_to_the_end("done", "running")
    job = playground.job(job_id)
    assert job["config"]["dataset"].startswith("own-") and job["config"]["n_samples"] == 40
    # Only the refusal's own 422 reached the console.
    assert all("422" in error for error in playground.console_errors), playground.console_errors


def test_points_clicked_onto_the_plot_are_trained_on(playground: Playground) -> None:
    playground.open()
    playground.page.locator('[data-testid="own-data"] summary').click()
    box = playground.by_id("boundary-plot").bounding_box()
    assert box
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    mouse, keyboard = playground.page.mouse, playground.page.keyboard

    def click(dx: float, dy: float, shift: bool = False) -> None:
        before = playground.by_id("own-data-text").input_value()
        if shift:
            keyboard.down("Shift")
        mouse.click(cx + dx, cy + dy)
        if shift:
            keyboard.up("Shift")
        expect(playground.by_id("own-data-text")).not_to_have_value(before)  # taken in turn

    for dx, dy, shift in [(-80, -40, False), (-90, 40, False), (80, -30, True), (90, 50, True)]:
        click(dx, dy, shift)
    rows = playground.by_id("own-data-text").input_value().strip().splitlines()
    assert rows[0] == "x1,x2,label" and [row.split(",")[2] for row in rows[1:]] == [
        "0",
        "0",
        "1",
        "1",
    ]
    assert playground.plot("boundary-plot", "gd.data[0].x.length + gd.data[1].x.length") == 4
    # A click with "click removes" takes the nearest point away.
    playground.by_id("own-data-remove").check()
    click(90, 50)
    assert len(playground.by_id("own-data-text").input_value().strip().splitlines()) == 4
    playground.click("own-data-send")
    expect(playground.by_id("own-data-note")).to_contain_text("3 points, 2 classes")
    job = playground.job(playground.train_to_the_end("done", "running"))
    assert job["config"]["n_samples"] == 3
