"""Gradient checking from the page: the button in the backward-propagation equations."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import httpx
import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Route

    from tests.browser.conftest import Playground

pytestmark = pytest.mark.browser

SHORT = "?speed=1000&iterations=50"
RESULT = "[data-testid=gradcheck-result]"
FAILED = {
    "difference": 4.2e-5,
    "passed": False,
    "worst": "W1[2, 0]",
    "threshold": 2e-7,
    "epsilon": 1e-7,
    "m": 100,
    "n_parameters": 17,
}


def wait_for_result(playground: Playground) -> str:
    """Wait until the check has answered (the result is shown and not busy); its kind."""
    playground.page.wait_for_function(
        f"() => {{ const r = document.querySelector('{RESULT}');"
        " return !r.hidden && r.dataset.kind && r.dataset.kind !== 'busy'; }"
    )
    return str(playground.by_id("gradcheck-result").get_attribute("data-kind"))


def hold_checks(playground: Playground) -> list[Route]:
    """Keep every gradcheck request waiting until the test answers it."""
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    playground.page.route("**/api/jobs/*/gradcheck", hold)
    return held


def wait_for_held(playground: Playground, held: list[Any]) -> Any:
    playground.page.wait_for_function(
        "() => document.querySelector('[data-testid=gradcheck-button]').disabled"
    )
    while not held:
        playground.page.wait_for_timeout(20)  # lets Playwright deliver the route
    return held.pop()


def test_the_check_of_a_short_run_passes(playground: Playground) -> None:
    playground.open(SHORT)
    button = playground.by_id("gradcheck-button")
    assert button.is_disabled()  # no run, no weights to check
    assert playground.by_id("gradcheck-result").is_hidden()
    # It sits with the backward pass it verifies: after db1, before the update.
    parts = playground.page.evaluate(
        "() => [...document.querySelectorAll('[data-testid=equations] [data-part]')]"
        ".map((part) => part.dataset.part)"
    )
    assert parts.index("check") == parts.index("backward") + 1
    assert parts.index("update") == parts.index("check") + 1

    job_id = playground.train_to_the_end()
    assert button.is_enabled()
    button.click()
    assert wait_for_result(playground) == "passed"
    last = playground.job(job_id)["iteration"]

    lines = [line for line in playground.text("gradcheck-result").splitlines() if line.strip()]
    verdict, method = lines
    found = re.fullmatch(
        r"difference = (\S+) < 2e-7: backward propagation is right ✓", verdict.strip()
    )
    assert found, verdict
    assert float(found.group(1)) < 2e-7
    assert method.strip() == (
        "two-sided differences, ε = 1e-7, m = 100, 17 parameters, "
        f"at the weights after iteration {last:,}"
    )
    assert "kink" not in playground.text("gradcheck-result")
    assert button.is_enabled()
    assert button.inner_text() == "Check gradients"

    # A new run has new weights: the old answer goes.
    playground.click("reset-button")
    playground.page.wait_for_function(f"() => document.querySelector('{RESULT}').hidden")
    assert playground.console_errors == []


def test_a_diverged_run_says_why_it_cannot_be_checked(playground: Playground) -> None:
    playground.open("?learning_rate=50&speed=100")
    playground.click("train-button")
    playground.wait_for_status("diverged")
    playground.page.wait_for_function(
        "() => document.querySelector('[data-testid=gradcheck-button]').disabled"
    )
    note = playground.page.locator(".gradcheck-what").inner_text()
    assert note.startswith("The run diverged: its cost is not finite")
    # The server agrees: there is nothing to compare at these weights.
    job_id = playground.wait_for_job()
    url = f"{playground.base_url}/api/jobs/{job_id}/gradcheck"
    refusal = httpx.post(url, headers=playground.owner(job_id), timeout=30)
    assert refusal.status_code == 409
    assert playground.console_errors == []


def test_a_refusal_is_shown_as_the_server_words_it(playground: Playground) -> None:
    playground.open(SHORT)
    playground.train_to_the_end()
    held = hold_checks(playground)
    playground.by_id("gradcheck-button").focus()
    playground.page.keyboard.press("Enter")
    detail = "The job has not drawn its network yet: try again in a moment."
    wait_for_held(playground, held).fulfill(status=409, json={"detail": detail})
    assert wait_for_result(playground) == "refused"
    assert playground.text("gradcheck-result") == detail
    # The keyboard is where it was: on the button, enabled again.
    assert playground.page.evaluate(
        "() => document.activeElement.dataset.testid === 'gradcheck-button'"
        " && !document.activeElement.disabled"
    )


def test_the_button_is_busy_while_checking_and_a_relu_failure_explains_kinks(
    playground: Playground,
) -> None:
    playground.open(SHORT + "&activation=relu")
    playground.train_to_the_end()
    held = hold_checks(playground)

    playground.click("gradcheck-button")
    route = wait_for_held(playground, held)
    button = playground.by_id("gradcheck-button")
    assert button.is_disabled()
    assert button.get_attribute("aria-busy") == "true"
    assert button.inner_text() == "Checking…"
    button.click(force=True)  # a disabled button sends nothing more
    route.fulfill(status=200, json=FAILED)

    assert wait_for_result(playground) == "failed"
    text = playground.text("gradcheck-result")
    verdict = "difference = 4.2e-5 ≥ 2e-7: backward propagation is wrong ✗ (worst: W1[2, 0])"
    assert text.startswith(verdict)
    assert "kink at Z = 0" in text
    assert button.is_enabled()
    assert held == []

    # tanh is smooth: a failure there is not explained away.
    playground.by_id("activation").select_option("tanh")
    playground.page.wait_for_function(f"() => document.querySelector('{RESULT}').hidden")
    assert button.is_disabled()  # the new settings wait for ▶
    playground.train_to_the_end()
    playground.click("gradcheck-button")
    wait_for_held(playground, held).fulfill(status=200, json=FAILED)
    assert wait_for_result(playground) == "failed"
    assert "kink" not in playground.text("gradcheck-result")
