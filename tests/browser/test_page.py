"""The playground page, driven in headless Chromium against a real server."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest

if TYPE_CHECKING:
    from tests.browser.conftest import Playground

pytestmark = pytest.mark.browser

# Modest paces keep each run watchable by the test and the tests quick.
SLOW = "?speed=100&iterations=100000"
MEDIUM = "?speed=300&iterations=100000"


def test_page_loads_without_console_errors_or_off_host_requests(playground: Playground) -> None:
    playground.open()
    playground.page.wait_for_load_state("networkidle")

    assert playground.page.title().startswith("gradlive")
    assert playground.page.evaluate("() => window.Plotly.version").startswith("4.")
    assert playground.text("status") == "ready"
    assert playground.count() == 0
    assert playground.console_errors == []
    assert playground.page_errors == []
    assert playground.off_host_requests() == []
    # Every asset came from our own server: the page, its modules, its CSS and Plotly.
    # /static's files come under the tree's versioned prefix, /static/~<hash>/.
    paths = {
        re.sub(r"^/static/~[0-9a-f]{12}/", "/static/", urlsplit(url).path)
        for url in playground.requests
    }
    assert {"/", "/static/js/main.js", "/static/css/gradlive.css"} <= paths
    # and no module by its plain URL: every relative import stays inside the version.
    assert not [url for url in playground.requests if "/static/js/" in urlsplit(url).path]
    assert "/vendor/plotly/plotly-basic.min.js" in paths


def test_defaults_are_the_lectures_run(playground: Playground) -> None:
    playground.open()
    form = playground.page.evaluate(
        "() => { const data = new FormData(document.querySelector('#settings'));"
        " return { ...Object.fromEntries(data), features: data.getAll('features').join() }; }"
    )
    assert form == {
        "learning_rate": "1.2",
        "activation": "tanh",
        "init": "course",
        "optimizer": "gd",
        "batch_size": "full",
        "l2": "0",
        "l1": "0",
        "n_classes": "2",
        "features": "x1,x2",
        "iterations": "10000",
        "seed": "2",
        "speed": "500",
        "dataset": "flower",
        "n_samples": "400",
        "noise": "0.2",
        "test_fraction": "0",
        "data_seed": "1",
    }
    assert playground.text("hidden-layer-count") == "1 hidden layer"
    assert playground.text("units-1") == "4"


def test_train_advances_the_iteration_the_cost_curve_and_the_boundary(
    playground: Playground,
) -> None:
    playground.open(MEDIUM)
    playground.click("train-button")
    assert playground.wait_for_status("running") == "running"
    first = playground.wait_for_count("n >= 30")
    points = playground.wait_for_costs("n >= 1")
    drawn = playground.plot("boundary-plot", "gd.view.drawn")

    playground.wait_for_count(f"n >= {first + 60}")
    playground.page.wait_for_function(
        "(n) => document.querySelector('[data-testid=boundary-plot]').view.drawn > n",
        arg=drawn,
    )
    assert playground.wait_for_costs(f"n > {points}") > points
    # The picture is P(y=1) on the job's grid, drawn under the points as Plotly's image.
    resolution = playground.plot("boundary-plot", "gd.view.shown.resolution")
    assert resolution == playground.job(playground.job_id() or "")["config"]["grid"]
    source = playground.plot("boundary-plot", "gd.layout.images[0].source")
    assert source.startswith("data:image/png")
    assert playground.text("train-accuracy").endswith("%")
    assert playground.console_errors == []


def test_pause_stops_the_count_and_step_advances_it_by_the_chosen_number(
    playground: Playground,
) -> None:
    playground.open(MEDIUM)
    playground.click("train-button")
    job_id = playground.wait_for_job()
    playground.wait_for_count("n >= 20")

    playground.click("pause-button")
    assert playground.wait_for_status("paused") == "paused"
    done = playground.job(job_id)["iteration"] + 1
    shown = playground.wait_for_count(f"n === {done}")
    time.sleep(0.5)  # a paused job must not move on
    assert playground.job(job_id)["iteration"] + 1 == done
    assert playground.count() == shown == done

    playground.by_id("step-count").fill("7")
    playground.click("step-button")
    assert playground.wait_for_count(f"n === {done + 7}") == done + 7
    assert playground.wait_for_status("paused") == "paused"
    assert playground.job(job_id)["iteration"] + 1 == done + 7
    assert playground.wait_for_costs(f"n === {done + 7}") == done + 7  # one cost per iteration


def test_step_before_any_run_starts_a_paused_run_and_takes_that_many_steps(
    playground: Playground,
) -> None:
    playground.open(SLOW)
    playground.by_id("step-count").fill("5")
    playground.click("step-button")
    job_id = playground.wait_for_job()
    assert playground.wait_for_count("n === 5") == 5
    assert playground.wait_for_status("paused") == "paused"
    assert playground.job(job_id)["iteration"] == 4  # the index of the 5th iteration


def test_stop_ends_the_run_and_play_starts_another(playground: Playground) -> None:
    playground.open(SLOW)
    playground.click("train-button")
    first = playground.wait_for_job()
    playground.wait_for_count("n >= 3")
    playground.click("stop-button")
    assert playground.wait_for_status("stopped") == "stopped"
    assert playground.job(first)["status"] == "stopped"
    assert playground.by_id("stop-button").is_disabled()

    playground.click("train-button")
    playground.page.wait_for_function(
        "(first) => new URLSearchParams(location.search).get('job') !== first", arg=first
    )
    assert playground.wait_for_status("running") == "running"


def test_a_learning_rate_change_reaches_the_running_job(playground: Playground) -> None:
    playground.open(SLOW)
    playground.click("train-button")
    job_id = playground.wait_for_job()
    playground.wait_for_count("n >= 5")

    field = playground.by_id("learning-rate")
    field.fill("0.5")
    field.press("Tab")  # the change is committed when the field is left

    deadline = time.monotonic() + 10
    while playground.job(job_id)["config"]["learning_rate"] != 0.5:
        assert time.monotonic() < deadline, "the job never took the new learning rate"
        time.sleep(0.1)
    # The same run goes on: no reset, no new job.
    assert playground.job_id() == job_id
    assert playground.job(job_id)["status"] == "running"
    assert "learning_rate=0.5" in playground.page.url
    assert "α = 0.5" in playground.text("equations")


def test_a_reload_shows_the_history_of_the_running_job(playground: Playground) -> None:
    playground.open(MEDIUM)
    playground.click("train-button")
    job_id = playground.wait_for_job()
    before = playground.wait_for_count("n >= 100")

    playground.page.reload()
    playground.wait_for_costs(f"n >= {before}")
    playground.wait_for_chart()  # the costs are kept before Plotly has run, then drawn
    assert playground.job_id() == job_id
    assert playground.plot("cost-plot", "gd.data[0].x[0]") == 0  # from the very first iteration
    assert playground.wait_for_status("running") == "running"
    assert playground.count() >= before
    assert playground.console_errors == []


SHARED = {
    "dataset": "moons",
    "n_samples": "300",
    "noise": "0.3",
    "test_fraction": "0.25",
    "data_seed": "7",
    "hidden_layers": "3,2",
    "activation": "relu",
    "init": "he",
    "learning_rate": "0.05",
    "optimizer": "adam",
    "batch_size": "64",
    "l2": "0.01",
    "iterations": "400",
    "seed": "5",
    "speed": "100",
}


def test_a_shared_url_restores_its_settings(playground: Playground) -> None:
    playground.open("?" + "&".join(f"{k}={v}" for k, v in SHARED.items()))

    form = playground.page.evaluate(
        "() => { const data = new FormData(document.querySelector('#settings'));"
        " return { ...Object.fromEntries(data), features: data.getAll('features').join() }; }"
    )
    shown = {k: v for k, v in SHARED.items() if k != "hidden_layers"}
    assert form == {**shown, "l1": "0", "n_classes": "2", "features": "x1,x2"}
    assert playground.text("hidden-layer-count") == "2 hidden layers"
    assert [playground.text("units-1"), playground.text("units-2")] == ["3", "2"]
    assert "Z3 = W3 A2 + b3" in playground.text("equations")

    playground.click("train-button")
    job_id = playground.wait_for_job()
    config = playground.job(job_id)["config"]
    assert config["dataset"] == "moons"
    assert config["hidden_layers"] == [3, 2]
    assert config["activation"] == "relu"
    assert config["init"] == "he"
    assert config["optimizer"] == "adam"
    assert config["learning_rate"] == 0.05
    assert config["batch_size"] == 64
    assert (config["n_samples"], config["noise"], config["data_seed"]) == (300, 0.3, 7)
    assert (config["test_fraction"], config["l2"], config["seed"]) == (0.25, 0.01, 5)
    assert (config["iterations"], config["speed"]) == (400, 100)

    # Test points are drawn (as diamonds) and can be hidden.
    playground.page.wait_for_function(
        "() => document.querySelector('[data-testid=boundary-plot]').data[2].x.length > 0"
    )
    test_points = playground.plot("boundary-plot", "gd.data[2].x.length + gd.data[3].x.length")
    assert test_points == round(0.25 * 300)
    assert playground.plot("boundary-plot", "gd.data[2].marker.symbol") == "diamond"
    playground.by_id("show-test").uncheck()
    playground.page.wait_for_function(
        "() => document.querySelector('[data-testid=boundary-plot]').data[2].visible === false"
    )


def test_a_shared_url_with_a_job_shows_that_run(playground: Playground) -> None:
    playground.open(MEDIUM + "&hidden_layers=5")
    playground.click("train-button")
    job_id = playground.wait_for_job()
    playground.wait_for_count("n >= 50")
    shared = playground.page.url

    other = playground.page.context.new_page()
    other.goto(shared)
    other.wait_for_function(
        "() => { const gd = document.querySelector('[data-testid=cost-plot]');"
        " return gd.data && gd.data[0].x.length >= 50; }"
    )
    assert parse_qs(urlsplit(other.url).query)["job"] == [job_id]
    assert other.get_by_test_id("units-1").inner_text() == "5"
    other.close()


def test_space_plays_and_pauses(playground: Playground) -> None:
    playground.open(SLOW)
    playground.page.locator("body").click(position={"x": 5, "y": 990})
    playground.page.keyboard.press("Space")
    assert playground.wait_for_status("running") == "running"
    playground.wait_for_count("n >= 1")
    playground.page.locator("body").click(position={"x": 5, "y": 990})
    playground.page.keyboard.press("Space")
    assert playground.wait_for_status("paused") == "paused"


def test_a_diverged_run_says_so_and_suggests_a_smaller_learning_rate(
    playground: Playground,
) -> None:
    playground.open("?learning_rate=50&speed=100")
    playground.click("train-button")
    assert playground.wait_for_status("diverged") == "diverged"
    message = playground.text("message")
    assert "smaller learning rate" in message
    assert playground.by_id("message").get_attribute("data-kind") == "warning"


def test_a_new_setting_starts_a_new_run(playground: Playground) -> None:
    playground.open(SLOW)
    playground.click("train-button")
    first = playground.wait_for_job()
    playground.wait_for_count("n >= 3")

    playground.by_id("activation").select_option("relu")
    playground.page.wait_for_function(
        "(first) => { const job = new URLSearchParams(location.search).get('job');"
        " return job && job !== first; }",
        arg=first,
    )
    second = playground.job_id() or ""
    assert playground.job(second)["config"]["activation"] == "relu"
    assert playground.job(first)["status"] == "stopped"


def test_the_network_has_a_link_per_weight_and_a_picture_per_unit(
    playground: Playground,
) -> None:
    playground.open(MEDIUM + "&hidden_layers=4,3")
    playground.click("train-button")
    playground.wait_for_count("n >= 30")
    view = playground.by_id("network-view")
    # [2, 4, 3, 1]: 2*4 + 4*3 + 3*1 weights, 2 + 4 + 3 + 1 units.
    assert view.locator("path.link").count() == 23
    playground.page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=network-view] image')]"
        ".every((image) => (image.getAttribute('href') || '').startsWith('data:image/png'))"
    )
    assert view.locator("image").count() == 10
    strokes = view.locator("path.link").evaluate_all(
        "(ps) => ps.map((p) => p.getAttribute('stroke'))"
    )
    assert set(strokes) <= {"#0877bd", "#f59322"}  # blue for w > 0, orange for w < 0
    view.locator("path.hit").first.hover()
    assert playground.page.locator(".tooltip").inner_text().startswith("W1[0, 0] = ")


def test_equations_follow_the_network(playground: Playground) -> None:
    playground.open()
    text = playground.text("equations")
    for line in (
        "Z1 = W1 X + b1",
        "(4,2)(2,400) + (4,1) → (4,400)",
        "A2 = σ(Z2)",
        "dZ2 = A2 − Y",
        "dW2 = (1/m) dZ2 A1ᵀ",
        "db2 = (1/m) np.sum(dZ2, axis=1, keepdims=True)",
        "dZ1 = W2ᵀ dZ2 * g'(Z1)",
        "g'(Z1) = 1 − A1²",
        "dW1 = (1/m) dZ1 Xᵀ",
    ):
        assert line in text, line

    playground.page.get_by_label("Add a hidden layer").click()
    text = playground.text("equations")
    assert "Z2 = W2 A1 + b2" in text
    assert "(4,4)(4,400) + (4,1) → (4,400)" in text
    assert "dZ2 = W3ᵀ dZ3 * g'(Z2)" in text
    assert "hidden_layers=4,4" in playground.page.url


def test_cost_chart_log_scale_and_smoothing(playground: Playground) -> None:
    playground.open(MEDIUM)
    playground.click("train-button")
    playground.wait_for_count("n >= 50")
    playground.by_id("log-scale").check()
    assert playground.plot("cost-plot", "gd.layout.yaxis.type") == "log"

    playground.click("pause-button")
    playground.wait_for_status("paused")
    done = playground.job(playground.job_id() or "")["iteration"] + 1
    n = playground.wait_for_costs(f"n === {done}")
    playground.by_id("smoothing").fill("0")
    raw, smoothed = playground.plot("cost-plot", "[gd.data[0].y, gd.data[1].y]")
    assert len(raw) == len(smoothed) == n
    assert smoothed == raw  # weight 0 leaves the costs as they are
    playground.by_id("smoothing").fill("0.9")
    raw, smoothed = playground.plot("cost-plot", "[gd.data[0].y, gd.data[1].y]")
    assert smoothed[0] == raw[0]  # debiased: the first point is not pulled towards 0
    assert smoothed != raw


def test_page_modules_smooth_and_format_like_tensorboard(playground: Playground) -> None:
    playground.open()
    result = playground.page.evaluate(
        """async () => {
          const { smooth } = await import('/static/js/smoothing.js');
          const f = await import('/static/js/format.js');
          return {
            smoothed: smooth([1, 2, 3, null, 4], 0.5),
            cost: f.formatCost(0.69314718), small: f.formatCost(0.000123456),
            accuracy: f.formatPercent(0.9075), none: f.formatPercent(null),
            counts: [0, 999, 1000, 100000, 1234567.4, -1].map(f.formatCount),
          };
        }"""
    )
    smoothed = result["smoothed"]
    assert smoothed[:3] == pytest.approx([1, 5 / 3, 2.125 / 0.875])
    assert smoothed[3] is None
    assert smoothed[4] == pytest.approx((2.125 * 0.5 + 0.5 * 4) / (1 - 0.5**4))
    assert (result["cost"], result["small"]) == ("0.6931", "0.0001235")
    assert (result["accuracy"], result["none"]) == ("90.75%", "—")
    assert result["counts"] == ["0", "999", "1,000", "100,000", "1,234,567", "—"]
