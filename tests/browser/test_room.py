"""The teacher's room: every learner's run live, steered with the admin token."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import WAIT_MS
from tests.conftest import ADMIN_TOKEN

if TYPE_CHECKING:
    from tests.browser.conftest import Playground

pytestmark = pytest.mark.browser


def test_the_teacher_sees_a_learners_run_pauses_it_and_stops_all(
    playground: Playground, classmate: Playground
) -> None:
    # A learner renames themself, then starts a long run in their own browser.
    classmate.open("?speed=20&iterations=100000")
    name = classmate.page.get_by_label("Your name in the room")
    assert name.input_value().strip(), "the page picks a name of its own"
    name.fill("Curious Heron")
    name.press("Enter")
    classmate.click("train-button")
    classmate.wait_for_status("running")
    job = classmate.wait_for_job()
    assert classmate.job(job)["learner"] == "Curious Heron"

    # The teacher opens the room: a wrong token is told plainly, the right one opens it.
    room = playground.page
    room.goto(f"{playground.base_url}/room")
    token = playground.by_id("room-token")
    token.fill("not the token")
    playground.click("room-open")
    message = playground.by_id("room-message")
    expect(message).to_contain_text("not the teacher's token", timeout=WAIT_MS)
    expect(playground.by_id("room")).to_be_hidden()
    token.fill(ADMIN_TOKEN)
    playground.click("room-open")

    card = room.locator(f'[data-testid=room-card][data-job="{job}"]')
    expect(card.get_by_test_id("card-learner")).to_have_text("Curious Heron", timeout=WAIT_MS)
    expect(card.get_by_test_id("card-status")).to_have_text("running", timeout=WAIT_MS)
    expect(card.get_by_test_id("card-settings")).to_have_text(
        "flower · [4] tanh · α 1.2 · 100,000 it."
    )
    assert card.get_by_test_id("card-open").get_attribute("href") == f"./?job={job}"
    room.wait_for_function(
        "(id) => document.querySelector(`[data-job='${id}'] canvas`).width === 24", arg=job
    )

    # A second learner's run appears beside it, live: its count goes up as it trains.
    other = httpx.post(
        f"{playground.base_url}/api/jobs",
        json={"iterations": 100000, "speed": 50, "learner": "Bold Otter"},
        timeout=10,
    ).json()["id"]
    second = room.locator(f'[data-testid=room-card][data-job="{other}"]')
    expect(second.get_by_test_id("card-learner")).to_have_text("Bold Otter", timeout=WAIT_MS)
    count = (
        "(id) => Number(document.querySelector(`[data-job='${id}']"
        " [data-testid=card-iteration]`).textContent.replace(/\\D/g, ''))"
    )
    first = room.evaluate(f"(id) => ({count})(id)", other)
    room.wait_for_function(f"([id, n]) => ({count})(id) > n", arg=[other, first])
    expect(card).to_be_visible()  # both runs, side by side (other tests' runs may be listed too)

    card.get_by_test_id("card-pause").click()
    expect(card.get_by_test_id("card-status")).to_have_text("paused", timeout=WAIT_MS)
    expect(card.get_by_test_id("card-pause")).to_have_text("Resume")
    classmate.wait_for_status("paused")  # the learner's page shows it too

    room.reload()  # the token is kept: no form this time
    expect(card.get_by_test_id("card-status")).to_have_text("paused", timeout=WAIT_MS)
    expect(playground.by_id("room-token-form")).to_be_hidden()

    playground.click("stop-all")
    expect(card.get_by_test_id("card-status")).to_have_text("stopped", timeout=WAIT_MS)
    expect(message).to_contain_text("Stopped", timeout=WAIT_MS)
    assert playground.job(job)["status"] == "stopped"
    expect(second.get_by_test_id("card-status")).to_have_text("stopped", timeout=WAIT_MS)
    expect(playground.by_id("stop-all")).to_be_disabled(timeout=WAIT_MS)
    assert playground.console_errors == [] and playground.page_errors == []
    assert classmate.page_errors == []
