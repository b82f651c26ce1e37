"""The page for everyone in the room: keyboard, projector, narrow windows, nothing off host."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.browser.conftest import Playground

pytestmark = pytest.mark.browser

# Every control a keyboard should reach: enabled, shown, one stop per radio group.
TABBABLE = """() => [...document.querySelectorAll('button, input, select, summary, a[href]')]
  .filter((e) => !e.disabled && e.getClientRects().length > 0 && e.tabIndex >= 0)
  .filter((e) => e.type !== 'radio' || e.checked)
  // What a closed disclosure holds is reached once it is opened (its summary is reached).
  .filter((e) => e.matches('summary') || !e.closest('details:not([open])'))"""

# The focused element: a name for it, and whether its focus can be seen (a ring of 2 px or
# more on it, or on the tile of a dataset radio; its mode bar shown for a Plotly button).
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const ring = (node) => {
    const cs = getComputedStyle(node);
    return cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2;
  };
  // Plotly fades its mode bar in: end the fade, so what is read is where it settles.
  document.getAnimations().filter((a) => a instanceof CSSTransition).forEach((a) => a.finish());
  const group = e.closest('.modebar-group');
  const shown = !group || getComputedStyle(group).opacity === '1';
  const name = e.dataset.testid || e.getAttribute('aria-label') || e.getAttribute('data-title')
    || e.textContent.trim();
  return { name, visible: shown && (e.type === 'radio' ? ring(e.nextElementSibling) : ring(e)) };
}"""

# Every piece of text shown: its font size (px) and its contrast with what is behind it.
TEXTS = r"""() => {
  const rgb = (s) => { const m = s.match(/rgba?\(([^)]+)\)/); if (!m) return null;
    const p = m[1].split(',').map(Number);
    return { c: p.slice(0, 3), a: p.length > 3 ? p[3] : 1 }; };
  const lum = ({ c }) => { const f = (v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const behind = (e) => { for (let n = e; n; n = n.parentElement) {
    const c = rgb(getComputedStyle(n).backgroundColor); if (c && c.a > 0.5) return c; }
    return { c: [255, 255, 255], a: 1 }; };
  const out = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const e = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || seen.has(e)) continue;
    seen.add(e);
    if (!e.getClientRects().length || e.closest('.visually-hidden, option, .hoverlayer')) continue;
    const cs = getComputedStyle(e);
    if (cs.visibility === 'hidden' || cs.opacity === '0') continue;
    const fg = rgb(e instanceof SVGElement && cs.fill.startsWith('rgb') ? cs.fill : cs.color);
    const [a, b] = [lum(fg), lum(behind(e))];
    out.push({ text: e.textContent.trim().slice(0, 40), size: parseFloat(cs.fontSize),
               contrast: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) });
  }
  return out;
}"""


def set_learning_rate(playground: Playground, value: str) -> None:
    field = playground.by_id("learning-rate")
    field.fill(value)
    field.press("Tab")  # the change is committed when the field is left


def job_posts(playground: Playground) -> list[str]:
    return [url for url in playground.requests if url.endswith("/api/jobs")]


def test_every_control_is_reached_by_tab_and_shows_its_focus(playground: Playground) -> None:
    playground.open("?speed=max&iterations=20")
    playground.train_to_the_end("done", "diverged")
    set_learning_rate(playground, "0.5")
    # Two runs: the list then has a toggle and a label button.
    playground.train_to_the_end("done", "diverged")
    playground.page.reload()
    playground.page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=run-row]').length === 2"
        " && !document.querySelector('[data-testid=gradcheck-button]').disabled"
    )
    wanted = playground.page.evaluate(f"() => ({TABBABLE})().length")

    reached: list[dict[str, Any]] = []
    for _ in range(wanted + 10):
        playground.page.keyboard.press("Tab")
        focused = playground.page.evaluate(FOCUSED)
        if focused is None or (reached and focused == reached[0]):
            break
        reached.append(focused)
    names = [f["name"] for f in reached]
    # Counted again once the walk is over: on a loaded machine a chart's mode bar may
    # still have been drawing when the walk began, and it is reached all the same.
    wanted = playground.page.evaluate(f"() => ({TABBABLE})().length")

    assert len(reached) == wanted, names
    for name in (
        "train-button",
        "step-count",
        "learning-rate",
        "speed",
        "dataset-flower",
        "Add a hidden layer",
        "log-scale",
        "smoothing",
        "run-overlay",
        "run-label",
        "gradcheck-button",
    ):
        assert name in names
    assert "Download plot as a PNG" in names  # the mode bars' tools, shown when focused
    assert [f["name"] for f in reached if not f["visible"]] == []
    # Nothing in the mode bars would send the chart away (Plotly's "Share chart").
    assert not [name for name in names if "Share" in name]


def test_space_plays_only_when_no_field_takes_typing(playground: Playground) -> None:
    playground.open("?speed=100")
    for testid in ("learning-rate", "step-count", "iterations", "n-samples"):
        playground.by_id(testid).focus()
        playground.page.keyboard.press("Space")
    playground.page.evaluate("() => 0")  # a round trip: any request sent is reported by now
    assert job_posts(playground) == []
    assert playground.text("status") == "ready"

    playground.page.locator("footer").click()
    playground.page.keyboard.press("Space")
    assert playground.wait_for_status("running") == "running"
    assert len(job_posts(playground)) == 1


def test_a_run_a_reload_and_a_divergence_stay_on_this_host_and_log_nothing(
    playground: Playground,
) -> None:
    playground.open("?speed=max&iterations=2000&test_fraction=0.2")
    playground.train_to_the_end("done", "diverged")
    playground.click("gradcheck-button")
    playground.page.wait_for_function(
        "() => document.querySelector('[data-testid=gradcheck-result]').dataset.kind === 'passed'"
    )
    playground.page.reload()
    playground.wait_for_costs("n === 2000")
    set_learning_rate(playground, "50")
    playground.train_to_the_end("done", "diverged")
    assert playground.text("status") == "diverged"
    playground.page.reload()
    playground.wait_for_status("diverged")

    assert any(url.startswith("ws://") for url in playground.requests)
    assert playground.off_host_requests() == []
    assert playground.console_errors == []
    assert playground.console_warnings == []
    assert playground.page_errors == []


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_a_projector_shows_every_text_large_and_dark_enough(
    playground: Playground, artifacts: Path, size: tuple[int, int]
) -> None:
    width, height = size
    playground.page.set_viewport_size({"width": width, "height": height})
    playground.open("?speed=max&iterations=1000&test_fraction=0.2")
    playground.train_to_the_end("done", "diverged")
    playground.click("gradcheck-button")
    playground.page.wait_for_function(
        "() => document.querySelector('[data-testid=gradcheck-result]').dataset.kind === 'passed'"
    )
    texts = playground.page.evaluate(TEXTS)
    assert len(texts) > 100
    assert [t for t in texts if t["size"] < 13.5] == []  # about 14 px and up
    assert [t for t in texts if t["contrast"] < 4.5] == []  # WCAG AA for normal text
    # One row each for the run bar and the settings: the plots start high on the screen.
    top = playground.page.evaluate(
        "() => document.querySelector('.data-column').getBoundingClientRect().top"
    )
    bar = playground.page.evaluate(
        "() => document.querySelector('.runbar').getBoundingClientRect().height"
    )
    field = playground.page.evaluate(
        "() => document.querySelector('.settings-bar .field').getBoundingClientRect().height"
    )
    assert bar < 100
    assert top < bar + 2 * field + 40  # settings on a single row
    playground.page.evaluate("() => window.scrollTo(0, 0)")
    playground.page.screenshot(path=artifacts / f"projector-{width}x{height}.png")


@pytest.mark.parametrize("width", [1280, 360])
def test_eight_runs_fit_the_runs_panel(playground: Playground, artifacts: Path, width: int) -> None:
    playground.page.set_viewport_size({"width": width, "height": 900})
    playground.open("?speed=max&iterations=20&hidden_layers=8,8")
    for rate in ("1.2", "0.9", "0.5", "0.3", "0.1", "2", "0.05", "3"):
        set_learning_rate(playground, rate)
        playground.train_to_the_end("done", "diverged")
    playground.page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=run-row]').length === 8"
    )
    toggles = playground.page.get_by_test_id("run-overlay")
    for k in range(toggles.count()):
        toggles.nth(k).check()
    playground.page.wait_for_function(
        "() => document.querySelector('[data-testid=cost-plot]').data.length === 4 + 7"
    )
    panel = playground.by_id("runs")
    sticking_out = panel.evaluate(
        "(panel) => { const edge = panel.getBoundingClientRect().right;"
        " return [...panel.querySelectorAll('tr, td, th')]"
        ".filter((e) => e.getBoundingClientRect().right > edge + 0.5).length; }"
    )
    assert sticking_out == 0
    assert panel.evaluate("(panel) => panel.scrollWidth <= panel.clientWidth")
    assert playground.page.evaluate(
        "() => document.documentElement.scrollWidth === document.documentElement.clientWidth"
    )
    panel.screenshot(path=artifacts / f"runs-8-{width}.png")
    assert playground.console_errors == []
