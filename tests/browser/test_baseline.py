"""No hidden layer: the course's logistic-regression baseline, on the page."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.browser.conftest import Playground

pytestmark = pytest.mark.browser


def test_removing_the_last_hidden_layer_leaves_logistic_regression(
    playground: Playground,
) -> None:
    playground.open("?iterations=300&speed=max")
    playground.page.get_by_label("Remove the last hidden layer").click()
    assert playground.text("hidden-layer-count") == "no hidden layer: logistic regression"
    assert playground.by_id("activation").is_disabled()  # no hidden unit to activate
    equations = playground.page.locator("#equations")
    text = equations.inner_text()
    for line in ("W X + b", "σ(Z)", "A − Y", "(1/m) dZ Xᵀ", "np.sum(dZ, axis=1, keepdims=True)"):
        assert line in text, line
    assert "Z1" not in text and "logistic regression" in text

    job_id = playground.train_to_the_end()
    job = playground.job(job_id)
    assert job["config"]["hidden_layers"] == []
    assert job["metrics"]["train_accuracy"] < 0.6  # a straight line on the flower: near chance
    playground.page.get_by_label("Add a hidden layer").click()
    assert not playground.by_id("activation").is_disabled()
    assert playground.console_errors == [] and playground.page_errors == []
