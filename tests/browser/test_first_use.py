"""What a new user meets first: honest pictures of the cost, one set of defaults, and
controls that do what they say (Space, the step count, Reset)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest

if TYPE_CHECKING:
    from tests.browser.conftest import Playground

pytestmark = pytest.mark.browser

SLOW = "?speed=100&iterations=100000"
FORM = "() => Object.fromEntries(new FormData(document.querySelector('#settings')))"
# The cost chart's y axis: its range, its tick labels' and its title's boxes, the chart's box.
Y_AXIS = """() => {
  const gd = document.querySelector('[data-testid=cost-plot]');
  const box = (e) => { const r = e.getBoundingClientRect();
    return { left: r.left, right: r.right, top: r.top, bottom: r.bottom }; };
  const ticks = [...gd.querySelectorAll('.ytick text')].filter((t) => t.textContent.trim());
  return { range: gd._fullLayout.yaxis.range, type: gd._fullLayout.yaxis.type,
           ticks: ticks.map((t) => ({ text: t.textContent, ...box(t) })),
           title: box(gd.querySelector('.ytitle')), chart: box(gd) };
}"""
TICK_TEXTS = """() => [...document.querySelectorAll(
  '[data-testid=cost-plot] .xtick text, [data-testid=cost-plot] .ytick text')]
  .map((t) => t.textContent.trim()).filter((t) => t)"""


def overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and (a["top"] < b["bottom"] and b["top"] < a["bottom"])
    )


def assert_ticks_readable(axis: dict[str, Any]) -> None:
    """Tick labels inside the chart, short, and clear of the axis title."""
    assert axis["ticks"], axis
    for tick in axis["ticks"]:
        assert tick["left"] >= axis["chart"]["left"] - 0.5, tick  # not cut off
        assert not overlaps(tick, axis["title"]), (tick, axis["title"])
        assert len(tick["text"]) <= 6, tick  # "0.72", not "4717955"


def set_field(playground: Playground, testid: str, value: str) -> None:
    field = playground.by_id(testid)
    field.fill(value)
    field.press("Tab")  # the change is committed when the field is left


def job_posts(playground: Playground) -> list[str]:
    return [url for url in playground.requests if url.endswith("/api/jobs")]


def query(playground: Playground) -> dict[str, list[str]]:
    return parse_qs(urlsplit(playground.page.url).query)


# ---- 1. a flat cost is drawn flat, and said so ------------------------------------------


def test_a_cost_that_does_not_move_is_drawn_flat_and_explained(playground: Playground) -> None:
    # Four tanh layers with the course's tiny weights: the cost stays at log 2 throughout.
    playground.open("?dataset=spiral&speed=max&iterations=2000&hidden_layers=16,8,4,4")
    job_id = playground.train_to_the_end()
    costs = playground.plot("cost-plot", "gd.data[0].y")
    assert max(costs) - min(costs) < 1e-6  # what is drawn: a change far too small to see

    axis = playground.page.evaluate(Y_AXIS)
    low, high = axis["range"]
    assert high - low >= 0.05  # not a zoom onto a change of 1e-9
    assert low <= min(costs) <= max(costs) <= high
    assert_ticks_readable(axis)

    message = playground.text("message")
    assert message.startswith("The cost has not changed in 2,000 iterations: ")
    assert "with 4 tanh layers and the course init" in message
    assert "gradients vanish" in message
    assert "He or Xavier init, or fewer layers" in message
    assert playground.by_id("message").get_attribute("data-kind") == "warning"

    # So on the log scale too, and for whoever opens the run's link later.
    playground.by_id("log-scale").check()
    playground.page.wait_for_function(
        "() => document.querySelector('[data-testid=cost-plot]')._fullLayout.yaxis.type === 'log'"
    )
    axis = playground.page.evaluate(Y_AXIS)
    low, high = axis["range"]  # log10 units
    assert high - low >= 0.15
    assert_ticks_readable(axis)
    other = playground.page.context.new_page()
    other.goto(f"{playground.base_url}/?job={job_id}")
    other.wait_for_function(
        "() => document.querySelector('[data-testid=message]').textContent"
        ".startsWith('The cost has not changed in 2,000 iterations')"
    )
    other.close()


def test_a_cost_that_moves_gets_no_such_hint(playground: Playground) -> None:
    playground.open("?speed=max&iterations=500")
    playground.train_to_the_end()
    assert playground.by_id("message").is_hidden()
    low, high = playground.page.evaluate(Y_AXIS)["range"]
    costs = playground.plot("cost-plot", "gd.data[0].y")
    assert high - low >= max(costs) - min(costs) > 0.1  # a real drop keeps its whole height


# ---- 2. a mini-batch run's cost is the whole training set's -----------------------------


def test_a_mini_batch_run_shows_the_whole_training_sets_cost(playground: Playground) -> None:
    playground.open("?batch_size=1&learning_rate=0.3&speed=1000&iterations=600")
    job_id = playground.train_to_the_end()
    job = playground.job(job_id)
    whole = job["metrics"]["train_cost"]
    assert playground.text("cost") == f"{whole:.4g}"  # the run bar: J on the whole set
    row = playground.page.locator(f'[data-testid=run-row][data-job-id="{job_id}"]')
    assert row.get_by_test_id("run-cost").inner_text() == f"{whole:.4g}"

    traces = playground.plot(
        "cost-plot",
        "gd.data.slice(0, 3).map((t) => ({ name: t.name, n: t.x.length, visible: t.visible,"
        " opacity: t.opacity, width: t.line.width, legend: t.showlegend }))",
    )
    batch, main = traces[1], traces[2]
    assert batch["name"] == "batch cost" and batch["legend"]
    # Every batch cost is kept (drawn decimated when the plot is narrow), faint and thin.
    assert playground.plot("cost-plot", "gd.view.train.x.length") == 600
    assert batch["n"] <= 600
    assert batch["opacity"] < 1 and batch["width"] < main["width"]
    assert main["name"] == "train" and main["visible"] is True and main["legend"]
    assert main["n"] >= 2
    last_whole = playground.plot("cost-plot", "gd.data[2].y[gd.data[2].y.length - 1]")
    assert last_whole == pytest.approx(whole)

    # A full-batch run looks as before: one line, its own cost.
    playground.by_id("batch-size").select_option("full")
    playground.train_to_the_end()
    main = playground.plot("cost-plot", "[gd.data[1].name, gd.data[2].visible]")
    assert main == ["train", False]

    # Compared with it, the mini-batch run is its whole training set's cost too.
    row.get_by_test_id("run-overlay").check()
    playground.page.wait_for_function(
        "() => document.querySelector('[data-testid=cost-plot]').data.length === 5"
    )
    past = playground.plot("cost-plot", "gd.data[4].y")
    assert 2 <= len(past) < 600  # one per progress message, not one per batch
    assert past[-1] == pytest.approx(whole)


# ---- 3. a learning-rate change is marked -------------------------------------------------


def test_a_learning_rate_change_is_marked_on_the_chart_and_in_the_runs_label(
    playground: Playground,
) -> None:
    playground.open(SLOW)
    playground.click("train-button")
    job_id = playground.wait_for_job()
    playground.wait_for_count("n >= 20")
    set_field(playground, "learning-rate", "0.5")

    marker = (
        "() => { const gd = document.querySelector('[data-testid=cost-plot]');"
        " return gd.layout.annotations.map((a) => [a.x, a.text]); }"
    )
    playground.page.wait_for_function(f"() => ({marker})().length === 1")
    [[iteration, text]] = playground.page.evaluate(marker)
    assert text == "α 0.5"
    assert iteration >= 20
    assert playground.plot("cost-plot", "gd.layout.shapes.map((s) => s.x0)") == [iteration]
    assert "α 0.5" in playground.plot("cost-plot", "gd.querySelector('.annotation').textContent")
    label = playground.page.locator(f'[data-testid=run-row][data-job-id="{job_id}"]')
    assert "→ α 0.5" in label.get_by_test_id("run-label").inner_text()

    # Another viewer, joining later, sees the same change from the run's history.
    other = playground.page.context.new_page()
    other.goto(playground.page.url)
    other.wait_for_function(
        "(x) => { const gd = document.querySelector('[data-testid=cost-plot]');"
        " return gd.layout && gd.layout.annotations.length === 1"
        " && gd.layout.annotations[0].x === x && gd.layout.annotations[0].text === 'α 0.5'; }",
        arg=iteration,
    )
    other.close()


# ---- 4. the empty chart and the log scale ------------------------------------------------


def test_the_empty_chart_makes_up_no_axes_and_log_titles_clear_the_ticks(
    playground: Playground,
) -> None:
    playground.open()
    assert playground.page.evaluate(TICK_TEXTS) == []  # not y -1..3 and x 0..6
    assert playground.page.locator("#cost-hint").is_visible()

    playground.open("?speed=max&iterations=300")
    playground.train_to_the_end()
    playground.by_id("log-scale").check()
    playground.page.wait_for_function(
        "() => document.querySelector('[data-testid=cost-plot]')._fullLayout.yaxis.type === 'log'"
    )
    assert_ticks_readable(playground.page.evaluate(Y_AXIS))

    # A new setting before pressing ▶: an empty chart again, not the last run's axes.
    playground.by_id("activation").select_option("relu")
    playground.page.wait_for_function(f"() => ({TICK_TEXTS})().length === 0")
    assert playground.plot("cost-plot", "gd.data[0].x.length") == 0
    assert playground.page.locator("#cost-hint").is_visible()


# ---- 5. one set of defaults --------------------------------------------------------------


def test_a_datasets_link_and_its_tile_give_the_same_settings(playground: Playground) -> None:
    served = {d["name"]: d for d in playground.api("/api/datasets")}
    playground.open("?dataset=circles")
    from_link = playground.page.evaluate(FORM)
    assert from_link["noise"] == str(served["circles"]["noise"])
    assert from_link["n_samples"] == str(served["circles"]["n_samples"])
    assert from_link["data_seed"] == str(served["circles"]["seed"])

    playground.open()
    playground.page.locator("label.dataset-choice", has=playground.by_id("dataset-circles")).click()
    playground.page.wait_for_function("() => location.search.includes('dataset=circles')")
    assert playground.page.evaluate(FORM) == from_link

    # The noise came with the dataset: a run's label names only the dataset.
    label = playground.page.evaluate(
        """async () => {
          const js = document.querySelector('script[type=module]').src;  // the page's version
          const { defaultSettings } = await import(new URL('controls.js', js));
          const { labelFor } = await import(new URL('runs.js', js));
          return labelFor(defaultSettings('circles'), defaultSettings());
        }"""
    )
    assert label == "circles"


# The settings form as the page holds it: each input's bounds and value, each select's and
# each group's choices, and the bounds its scripts parse a link's values with.
FORM_BOUNDS = """async () => {
  const js = document.querySelector('script[type=module]').src;  // the page's version
  const { FIELDS } = await import(new URL('controls.js', js));
  const form = document.querySelector('#settings');
  const inputs = {};
  for (const input of form.querySelectorAll('input[name][min], input[name][max]')) {
    inputs[input.name] = { min: Number(input.min), max: Number(input.max), value: input.value };
  }
  const choices = (selector) => [...form.querySelectorAll(selector)].map((e) => e.value);
  const parsed = {};
  for (const [key, field] of Object.entries(FIELDS)) {
    parsed[key] = { min: field.min, max: field.max, choices: field.choices };
  }
  return {
    inputs,
    selects: Object.fromEntries([...form.querySelectorAll('select')].map((s) =>
      [s.name, [...s.options].map((o) => o.value)])),
    selected: Object.fromEntries(
      [...form.querySelectorAll('select')].map((s) => [s.name, s.value])),
    features: choices('input[name=features]'),
    datasets: choices('input[name=dataset]'),
    step_max: Number(document.querySelector('[data-testid=step-count]').max),
    class_max: Number(document.querySelector('[data-testid=own-data-class]').max),
    parsed,
  };
}"""


def test_the_pages_bounds_choices_and_defaults_are_the_servers(playground: Playground) -> None:
    from app.api.pages import form_text
    from app.jobs.spec import JobSpec

    limits = playground.api("/api/limits")
    fields = limits["fields"]
    lecture = JobSpec()
    flower = next(d for d in playground.api("/api/datasets") if d["name"] == lecture.dataset)
    playground.open()
    page = playground.page.evaluate(FORM_BOUNDS)

    assert page["inputs"], "the form has bounded inputs"
    for name, shown in page["inputs"].items():
        bounds = fields[name]
        assert shown["max"] == bounds["max"], name
        if "min" in bounds:
            assert shown["min"] == bounds["min"], name
        else:  # a bound to pass (learning_rate > 0): the page's lowest value passes it
            assert shown["min"] > bounds["above"], name
        parsed = page["parsed"][name]
        assert (parsed["min"], parsed["max"]) == (shown["min"], shown["max"]), name
    assert page["step_max"] == limits["max_iterations"]
    assert page["class_max"] == limits["max_classes"] - 1  # a point's class: 0 .. K - 1
    assert page["parsed"]["batch_size"]["max"] == fields["batch_size"]["max"]
    assert page["parsed"]["speed"]["min"] == fields["speed"]["min"] == limits["min_speed"]
    assert page["parsed"]["speed"]["max"] == fields["speed"]["max"] == limits["max_speed"]
    for name in ("activation", "init", "optimizer"):
        assert page["selects"][name] == fields[name]["choices"], name
        assert page["parsed"][name]["choices"] == fields[name]["choices"], name
    assert page["features"] == fields["features.*"]["choices"] == limits["features"]
    assert page["datasets"] == fields["dataset"]["choices"]

    # The values it shows are the server's defaults: JobSpec's, the dataset's, the pace's.
    own = {"n_samples": flower["n_samples"], "noise": flower["noise"], "data_seed": flower["seed"]}
    for name, shown in page["inputs"].items():
        default = own[name] if name in own else getattr(lecture, name, None)
        if name == "n_classes":
            default = limits["fields"]["n_classes"]["min"]  # two: the lecture's
        assert shown["value"] == form_text(default), name
    for name in ("activation", "init", "optimizer"):
        assert page["selected"][name] == getattr(lecture, name)
    assert page["selected"]["speed"] == form_text(limits["default_speed"])
    assert page["selected"]["batch_size"] == "full" and lecture.batch_size is None


# ---- 6. the defaults are in the HTML; Play waits for the page ---------------------------


def test_the_html_carries_the_defaults_and_play_waits_for_the_scripts(
    playground: Playground,
) -> None:
    page = playground.page
    page.route("**/js/*.js", lambda route: route.abort())
    page.goto(f"{playground.base_url}/")
    page.wait_for_selector("[data-testid=train-button]")
    before = page.evaluate(FORM)
    shown = page.evaluate(
        "() => ({ speed: document.querySelector('[data-testid=speed]').selectedOptions[0].text,"
        " noise: document.querySelector('output[data-for=noise]').textContent,"
        " test: document.querySelector('output[data-for=test_fraction]').textContent,"
        " total: document.querySelector('#iteration-total').textContent })"
    )
    assert page.get_by_test_id("train-button").is_disabled()
    assert page.get_by_test_id("status").inner_text() == "loading"
    assert page.get_by_test_id("step-button").is_disabled()
    assert page.get_by_test_id("reset-button").is_disabled()

    page.unroute("**/js/*.js")
    playground.open()
    assert playground.page.evaluate(FORM) == before  # what the scripts show, the HTML had
    assert (
        before["speed"] == "500" and before["noise"] == "0.2" and before["learning_rate"] == "1.2"
    )
    assert shown == {"speed": "500 it/s", "noise": "0.2", "test": "0%", "total": "of 10,000"}
    playground.page.wait_for_function(
        "() => !document.querySelector('[data-testid=train-button]').disabled"
    )


# ---- 7. a divergence in one set of figures -----------------------------------------------


def test_a_diverged_run_has_the_same_figures_everywhere(playground: Playground) -> None:
    playground.open("?learning_rate=50&speed=100&iterations=2000")
    job_id = playground.train_to_the_end("diverged")

    def figures(page: Any) -> dict[str, str]:
        row = page.locator(f'[data-testid=run-row][data-job-id="{job_id}"]')
        return {
            "cost": page.get_by_test_id("cost").inner_text(),
            "row_cost": row.get_by_test_id("run-cost").inner_text(),
            "count": page.get_by_test_id("iteration").inner_text(),
            "row_count": row.get_by_test_id("run-iterations").inner_text(),
            "message": page.get_by_test_id("message").inner_text(),
        }

    seen = figures(playground.page)
    # The last iteration is the one whose cost blew up: it never completed.
    done = playground.job(job_id)["iteration"]
    assert seen["cost"] == seen["row_cost"] == "NaN/∞"
    assert seen["count"] == seen["row_count"] == f"{done:,}"
    assert f"The cost became NaN/∞ after {done:,} of 2,000 iterations" in seen["message"]
    assert "smaller learning rate, such as 5." in seen["message"]

    playground.page.reload()  # the same from the snapshot
    playground.wait_for_status("diverged")
    playground.page.wait_for_function(
        "() => document.querySelector('[data-testid=message]').textContent.includes('NaN/∞')"
    )
    assert figures(playground.page) == seen


# ---- 8. the step count and Space ---------------------------------------------------------


def test_the_step_count_loses_its_error_once_a_valid_value_is_typed(
    playground: Playground,
) -> None:
    playground.open(SLOW)
    steps = playground.by_id("step-count")
    steps.fill("0")
    playground.click("step-button")
    assert steps.get_attribute("aria-invalid") == "true"
    assert job_posts(playground) == []
    steps.fill("3")
    assert steps.get_attribute("aria-invalid") == "false"


@pytest.mark.parametrize("testid", ["dataset-moons", "smoothing", "activation"])
def test_space_plays_and_pauses_from_a_tile_a_slider_or_a_select(
    playground: Playground, testid: str
) -> None:
    playground.open(SLOW)
    element = playground.by_id(testid)
    element.focus()
    before = playground.page.evaluate(FORM)
    playground.page.keyboard.press("Space")
    assert playground.wait_for_status("running") == "running"
    playground.wait_for_count("n >= 1")
    playground.page.keyboard.press("Space")
    assert playground.wait_for_status("paused") == "paused"
    assert playground.page.evaluate(FORM) == before  # Space chose nothing
    assert len(job_posts(playground)) == 1


def test_arrows_still_move_a_slider_and_a_space_still_types(playground: Playground) -> None:
    playground.open(SLOW)
    slider = playground.by_id("smoothing")
    slider.focus()
    playground.page.keyboard.press("ArrowRight")
    assert slider.input_value() == "0.61"
    field = playground.by_id("data-seed")
    field.focus()
    playground.page.keyboard.press("Space")
    playground.page.evaluate("() => 0")  # a round trip: any request sent is reported by now
    assert job_posts(playground) == []
    assert playground.text("status") == "ready"


# ---- 9. Reset draws new weights ----------------------------------------------------------


def reset(playground: Playground, first: str) -> str:
    """Click Reset and wait until the page has moved from job `first` to a new one: its id."""
    playground.click("reset-button")
    playground.page.wait_for_function(
        "(first) => { const job = new URLSearchParams(location.search).get('job');"
        " return job && job !== first; }",
        arg=first,
    )
    return playground.job_id() or ""


def test_reset_draws_new_weights_on_a_running_run(playground: Playground) -> None:
    playground.open(SLOW)
    assert "new weights" in (playground.by_id("reset-button").get_attribute("title") or "")
    playground.click("train-button")
    first = playground.wait_for_job()
    playground.wait_for_count("n >= 10")
    second = reset(playground, first)
    old, new = playground.job(first)["config"], playground.job(second)["config"]
    assert new["seed"] != old["seed"]
    assert {**new, "seed": old["seed"]} == old  # nothing else changed
    assert query(playground)["seed"] == [str(new["seed"])]
    assert playground.by_id("seed").input_value() == str(new["seed"])
    assert playground.wait_for_status("running") == "running"


def test_reset_on_a_finished_run_draws_new_weights_too(playground: Playground) -> None:
    playground.open("?speed=max&iterations=50")
    first = playground.train_to_the_end()
    old = playground.job(first)["config"]
    second = reset(playground, first)
    new = playground.job(second)["config"]
    assert new["seed"] != old["seed"]
    assert {**new, "seed": old["seed"], "start_paused": False} == old
    assert playground.by_id("seed").input_value() == str(new["seed"])
    # It waits at iteration 0 with its new weights drawn, as TF Playground's reset does.
    assert playground.wait_for_status("paused") == "paused"
    assert playground.count() == 0
    playground.page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=network-view] image')].length > 0"
    )
    playground.click("train-button")
    assert playground.wait_for_status("done") == "done"
    assert playground.job_id() == second


def test_reset_before_any_run_only_draws_a_new_seed(playground: Playground) -> None:
    playground.open(SLOW)
    playground.click("reset-button")
    playground.page.wait_for_function(
        "() => new URLSearchParams(location.search).get('seed') !== '2'"
    )
    assert playground.by_id("seed").input_value() != "2"
    assert playground.text("status") == "ready"
    assert job_posts(playground) == []
