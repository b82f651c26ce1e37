"""The `gradlive` command: `train`, and `worker`'s refusals (docs/api.md, command line)."""

import json
import socket
import subprocess
import sys

import pytest
import redis

from app import cli
from app.config import Settings
from app.main import make_runner


def test_train_json_reports_cost_and_accuracies(capsys):
    assert cli.main(["train", "--iterations", "1000", "--json"]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert result["final_cost"] == pytest.approx(0.288, abs=2e-3)  # the lecture's cost near 1000
    assert 0.8 < result["train_accuracy"] <= 1
    assert 0.8 < result["test_accuracy"] <= 1
    assert result["status"] == "done" and result["iterations"] == 1000
    assert "it" in captured.err  # the progress bar goes to stderr, never stdout


def test_train_with_a_test_split_and_two_hidden_layers(capsys):
    args = ["train", "--dataset", "moons", "--hidden", "6", "3", "--activation", "relu"]
    args += ["--init", "he", "--lr", "0.3", "--iterations", "300", "--test-fraction", "0.25"]
    assert cli.main([*args, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["layer_dims"] == [2, 6, 3, 1]
    assert result["test_set"] == "test split"
    assert 0 <= result["test_accuracy"] <= 1


def test_a_diverging_run_says_so_and_exits_non_zero(capsys):
    args = ["train", "--activation", "relu", "--init", "he", "--lr", "1000", "--iterations", "50"]
    assert cli.main(args) == 1
    assert "smaller learning rate" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, message",
    [
        (["--lr", "-1"], "learning_rate must be > 0"),
        (["--dataset", "nope"], "invalid choice: 'nope'"),
        (["--hidden", "0"], "must be a whole number >= 1"),
        (["--iterations", "-5"], "iterations"),
    ],
)
def test_bad_arguments_name_what_is_wrong(capsys, args, message):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["train", *args])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_python_dash_m_app_runs_the_command():
    out = subprocess.run(
        [sys.executable, "-m", "app", "train", "--iterations", "10", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout)["iterations"] == 10


def strict_loads(text):
    """json.loads that refuses NaN and Infinity, as every JSON parser but Python's does."""

    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_json_output_is_strict_json_with_null_for_a_cost_that_is_not_a_number(capsys):
    args = ["train", "--activation", "relu", "--init", "he", "--lr", "1000", "--iterations", "50"]
    assert cli.main([*args, "--json"]) == 1
    result = strict_loads(capsys.readouterr().out)
    assert result["status"] == "diverged"
    assert result["final_cost"] is None and result["test_cost"] is None


def test_strict_json_turns_every_non_finite_number_into_null():
    value = {"a": float("inf"), "b": [float("-inf"), float("nan"), 1.5], "c": (2, "x")}
    assert cli.strict_json(value) == {"a": None, "b": [None, None, 1.5], "c": [2, "x"]}


@pytest.mark.parametrize("flag", [["--hidden"], ["--no-hidden"]])
def test_no_hidden_layer_is_the_courses_logistic_regression(capsys, flag):
    assert cli.main(["train", *flag, "--iterations", "2000", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["layer_dims"] == [2, 1]
    # The course's contrast: on the flower data a straight line stays near chance.
    assert result["train_accuracy"] < 0.6


def test_a_worker_without_a_broker_says_what_it_needs(capsys, monkeypatch):
    monkeypatch.delenv("GRADLIVE_BROKER_URL", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["worker"])
    assert exit_info.value.code == 2
    assert "GRADLIVE_BROKER_URL" in capsys.readouterr().err


def unreachable_url() -> str:
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()  # nothing listens there now
    return f"redis://127.0.0.1:{port}/0"


def test_a_server_with_an_unreachable_broker_fails_at_startup_naming_it(tmp_path):
    url = unreachable_url()
    settings = Settings(BROKER_URL=url, DATA_DIR=tmp_path)
    with pytest.raises(redis.ConnectionError, match=url.split(":")[2].split("/")[0]):
        make_runner(settings)


@pytest.mark.parametrize("command", ["worker", "serve"])
def test_the_commands_name_an_unreachable_broker_and_exit_2(capsys, monkeypatch, command):
    url = unreachable_url()
    monkeypatch.setenv("GRADLIVE_BROKER_URL", url)
    with pytest.raises(SystemExit) as exit_info:
        cli.main([command])
    assert exit_info.value.code == 2
    assert f"no Redis answers at GRADLIVE_BROKER_URL {url}" in capsys.readouterr().err
