"""An activation is one entry of the server's registry (app.nn.activations): one added
there is offered by the page, drawn in its network and written into its equations."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import VIEWPORT, Playground
from tests.conftest import serving

pytestmark = pytest.mark.browser


def test_an_activation_added_to_the_registry_is_on_the_page_and_in_the_equations(
    browser: Browser, tmp_path: Path
) -> None:
    context = browser.new_context(viewport=VIEWPORT)
    with serving(tmp_path, module="tests.browser.fake_activation") as served:
        playground = Playground(context.new_page(), served.url)
        playground.open()
        menu = playground.page.locator("select[name=activation] option[value=softsign]")
        expect(menu).to_have_text("softsign (test)")

        playground.open("?activation=softsign&iterations=40&speed=max")
        equations = playground.by_id("equations")
        expect(equations).to_contain_text("A1 = ss(Z1)")
        expect(equations).to_contain_text("1 / (1 + |Z1|)²")
        layers = playground.page.locator(".network-svg .layer-activation")
        expect(layers.nth(1)).to_have_text("softsign (test)")
        job_id = playground.train_to_the_end()
        assert playground.job(job_id)["config"]["activation"] == "softsign"
        assert playground.page_errors == []
    context.close()
