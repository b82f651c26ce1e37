"""Presenter mode, the presenter's keys and lesson links that hide controls."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

if TYPE_CHECKING:
    from tests.browser.conftest import Playground

pytestmark = pytest.mark.browser


def test_presenter_mode_hides_the_settings_and_the_keys_drive_the_run(
    playground: Playground,
) -> None:
    playground.open("?present=1&iterations=40000&speed=200")
    page = playground.page
    for part in (".settings-bar", ".data-column", ".runs-column", "[data-testid=learner]"):
        expect(page.locator(part)).to_be_hidden()
    for testid in ("train-button", "boundary-plot", "cost-plot", "network-view"):
        expect(playground.by_id(testid)).to_be_visible()
    large = page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert large >= 20  # the page's own is 17 px

    page.keyboard.press("ArrowRight")  # a step of one iteration starts a paused run
    playground.wait_for_status("paused")
    assert playground.wait_for_count("n === 1") == 1
    job_id = playground.job_id()
    assert "present=1" in page.url  # the mode stays with the run's address

    page.keyboard.press("Space")
    playground.wait_for_status("running")
    page.keyboard.press("Space")
    playground.wait_for_status("paused")

    page.keyboard.press("r")  # a new run, back to iteration 0
    page.wait_for_function("(before) => !location.search.includes(before)", arg=job_id)

    page.keyboard.press("?")
    expect(playground.by_id("shortcuts")).to_be_visible()
    expect(playground.by_id("shortcuts")).to_contain_text("full screen")
    page.keyboard.press("Escape")
    expect(playground.by_id("shortcuts")).to_be_hidden()
    assert playground.console_errors == [] and playground.page_errors == []


def test_a_lesson_link_gives_the_same_page_with_its_controls_hidden(
    playground: Playground, classmate: Playground
) -> None:
    playground.open("?dataset=moons&learning_rate=0.3&hidden_layers=3&iterations=200&speed=max")
    playground.click("lesson-button")
    for key in ("learning_rate_hide", "dataset_hide", "equations_hide"):
        playground.by_id(f"lesson-{key}").check()
    link = playground.by_id("lesson-link").input_value()
    query = parse_qs(urlsplit(link).query)
    assert "job" not in query  # each student trains a run of their own
    assert query["learning_rate"] == ["0.3"] and query["dataset_hide"] == ["1"]

    classmate.open(f"?{urlsplit(link).query}")
    page = classmate.page
    expect(classmate.by_id("learning-rate")).to_be_hidden()
    expect(page.locator("fieldset.datasets")).to_be_hidden()
    expect(page.locator(".equations-column")).to_be_hidden()
    expect(classmate.by_id("activation")).to_be_visible()  # not ticked: still there
    assert classmate.by_id("learning-rate").input_value() == "0.3"
    assert classmate.by_id("dataset-moons").is_checked()
    assert classmate.text("hidden-layer-count").startswith("1 hidden layer")

    # Starting a run keeps the lesson in the address (a reload shows the same page).
    classmate.train_to_the_end()
    assert "learning_rate_hide=1" in page.url
    assert classmate.console_errors == [] and classmate.page_errors == []
