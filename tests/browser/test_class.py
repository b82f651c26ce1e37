"""A class on one server: a shared link watches a run and forks it, never steers it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.browser.conftest import Playground

pytestmark = pytest.mark.browser


def test_a_shared_link_watches_and_forks_but_never_steers(
    playground: Playground, classmate: Playground
) -> None:
    playground.open("?speed=20&iterations=100000")
    playground.click("train-button")
    playground.wait_for_status("running")
    presenters = playground.wait_for_job()

    classmate.page.goto(playground.page.url)  # the link the presenter shared
    classmate.wait_for_status("running")
    assert classmate.job_id() == presenters
    assert classmate.by_id("fork-button").is_visible()
    name = playground.page.locator("#learner").input_value()
    assert classmate.text("watching") == f"watching {name}'s run"  # whose run, plainly
    assert playground.by_id("watching").is_hidden()
    assert classmate.by_id("pause-button").is_disabled()
    assert classmate.by_id("stop-button").is_disabled()
    assert classmate.by_id("step-button").is_disabled()

    classmate.page.keyboard.press("Space")  # the keyboard cannot steer it either
    classmate.page.wait_for_function(
        "() => document.querySelector('[data-testid=message]').textContent.includes('shared run')"
    )
    classmate.click("fork-button")
    forked = classmate.page.wait_for_function(
        f"() => {{ const id = new URLSearchParams(location.search).get('job');"
        f" return id && id !== '{presenters}' && id; }}"
    ).json_value()
    classmate.wait_for_status("running")
    assert classmate.by_id("fork-button").is_hidden()
    assert classmate.by_id("step-button").is_enabled()
    assert classmate.job(forked)["config"] == playground.job(presenters)["config"]

    # The presenter's run went on untouched, and is still theirs to pause.
    assert playground.job(presenters)["status"] == "running"
    playground.click("pause-button")
    playground.wait_for_status("paused")
    assert playground.console_errors == [] and classmate.page_errors == []
