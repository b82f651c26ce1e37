"""Backpropagation step by step: one iteration's equations walked with its real matrices."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

if TYPE_CHECKING:
    from tests.browser.conftest import Playground

pytestmark = pytest.mark.browser

# The walk of a network with two hidden layers (L = 3), in the lecture's order.
WALK = [
    "Z1 = W1 X + b1",
    "A1 = tanh(Z1)",
    "Z2 = W2 A1 + b2",
    "A2 = tanh(Z2)",
    "Z3 = W3 A2 + b3",
    "A3 = σ(Z3)",
    "J = −(1/m) Σ (Y log A3 + (1 − Y) log(1 − A3))",
    "dZ3 = A3 − Y",
    "dW3 = (1/m) dZ3 A2ᵀ",
    "db3 = (1/m) np.sum(dZ3, axis=1, keepdims=True)",
    "dZ2 = W3ᵀ dZ3 * g'(Z2)",
    "dW2 = (1/m) dZ2 A1ᵀ",
    "db2 = (1/m) np.sum(dZ2, axis=1, keepdims=True)",
    "dZ1 = W2ᵀ dZ2 * g'(Z1)",
    "dW1 = (1/m) dZ1 Xᵀ",
    "db1 = (1/m) np.sum(dZ1, axis=1, keepdims=True)",
    "W1 := W1 − α dW1, b1 := b1 − α db1",
    "W2 := W2 − α dW2, b2 := b2 − α db2",
    "W3 := W3 − α dW3, b3 := b3 − α db3",
]


def test_the_walk_goes_through_every_equation_then_steps_to_the_next_iteration(
    playground: Playground,
) -> None:
    playground.open("?hidden_layers=4,3&iterations=50&speed=max")
    walk_button = playground.by_id("walk-button")
    expect(walk_button).to_be_disabled()  # no run yet: no weights to walk
    playground.click("step-button")
    playground.wait_for_status("paused")
    assert playground.wait_for_count("n === 1") == 1
    walk_button.click()
    walk = playground.by_id("walk")
    expect(walk).to_contain_text("Iteration 1, step by step", ignore_case=True)

    seen = []
    for _ in WALK:
        seen.append(walk.locator(".walk-equation").inner_text())
        walk.locator("canvas").first.hover()  # every step draws its arrays, values on hover
        assert "=" in walk.locator(".walk-hover").inner_text()
        playground.click("walk-next")
    assert seen == WALK
    trace = playground.api(f"/api/jobs/{playground.job_id()}/trace")
    assert trace["iteration"] == 1
    names = walk.locator(".walk-norms dt").all_inner_texts()
    shown = dict(
        zip(names, map(float, walk.locator(".walk-norms dd").all_inner_texts()), strict=True)
    )
    for name, norm in trace["norms"].items():  # the norm of every dW and db, as the API has it
        assert shown[f"‖{name}‖"] == pytest.approx(norm, rel=1e-3), name

    playground.click("walk-next-iteration")
    expect(walk).to_contain_text("Iteration 2, step by step", ignore_case=True)
    assert walk.locator(".walk-equation").inner_text() == WALK[0]
    assert playground.wait_for_count("n === 2") == 2
    playground.page.keyboard.press("Escape")
    expect(walk).to_be_hidden()
    assert playground.console_errors == [] and playground.page_errors == []
