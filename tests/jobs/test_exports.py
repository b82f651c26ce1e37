"""The exports' pieces: each dataset's code in the script, and a job without parameters."""

import asyncio
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.config import Settings
from app.jobs import exports
from app.jobs.job import Job
from app.jobs.log import JobLog
from app.jobs.spec import DataSplit, JobSpec
from app.nn import datasets
from app.nn.trainer import Trainer

TEMPLATES = Settings().TEMPLATES_DIR


@pytest.mark.parametrize("name", datasets.CLASSIFICATION)
def test_the_script_draws_each_dataset_and_its_split_as_the_server_does(name, tmp_path):
    request = JobSpec(dataset=name, n_samples=101, data_seed=5, test_fraction=0.3, iterations=3)
    spec = request.resolved()
    text = exports.render_script(spec, TEMPLATES)
    data_part = text[: text.index("# ---- The run's settings")]
    (tmp_path / "data.py").write_text(data_part)
    dumped = tmp_path / "data.npz"
    code = (
        f"exec(open({str(tmp_path / 'data.py')!r}).read()); "
        f"np.savez({str(dumped)!r}, X_train=X_train, Y_train=Y_train, X_test=X_test, Y_test=Y_test)"
    )
    subprocess.run([sys.executable, "-I", "-c", code], check=True, timeout=60, cwd=tmp_path)
    expected = DataSplit.make(spec)
    with np.load(dumped) as got:
        for part in ("X_train", "Y_train", "X_test", "Y_test"):
            assert np.array_equal(got[part], getattr(expected, part)), part


@pytest.mark.parametrize(
    "spec",
    [
        JobSpec(hidden_layers=(), iterations=30),
        JobSpec(hidden_layers=(3, 2, 2), activation="leaky_relu", l2=0.2, iterations=30),
        JobSpec(activation="sigmoid", optimizer="adam", learning_rate=0.05, iterations=30),
        JobSpec(batch_size=1000, optimizer="momentum", iterations=30),  # a batch of all of them
    ],
    ids=["no-hidden-layer", "three-layers-l2", "sigmoid-adam", "batch-past-m"],
)
def test_every_shape_of_script_trains_as_the_trainer(spec, tmp_path):
    path = tmp_path / "script.py"
    spec = spec.resolved()
    path.write_text(exports.render_script(spec, TEMPLATES))
    done = subprocess.run(
        [sys.executable, "-I", str(path)], capture_output=True, text=True, timeout=60, check=True
    )
    words = done.stdout.strip().splitlines()[-1].split()
    data = DataSplit.make(spec)
    trainer = Trainer(spec.train_config(), data.X_train, data.Y_train)
    cost = [step.cost for step in trainer.steps()][-1]
    assert abs(float(words[2]) - cost) <= 1e-9
    assert float(words[5]) == trainer.metrics().train_accuracy


@pytest.mark.anyio
async def test_a_job_that_has_not_started_has_no_parameters_yet():
    spec = JobSpec().resolved()
    job = Job("j1", spec, DataSplit.make(spec), JobLog(asyncio.get_running_loop()))
    with pytest.raises(exports.NoParametersError, match="no parameters yet"):
        exports.parameters_json(job)
    assert exports.history_csv(job) == "iteration,cost\n"
    assert "iterations = 10000" in exports.script(job, TEMPLATES)


def test_the_template_is_packaged_with_the_pages():
    assert (Path(TEMPLATES) / exports.SCRIPT_TEMPLATE).is_file()
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    assert '"app.templates" = ["*.html", "*.j2"]' in pyproject


@pytest.mark.parametrize(
    "spec",
    [
        JobSpec(),
        JobSpec(hidden_layers=(), l2=0.1),
        JobSpec(
            dataset="blobs",
            hidden_layers=(16, 16, 16, 16),
            activation="relu",
            optimizer="adam",
            batch_size=16,
            l2=0.25,
            test_fraction=0.35,
            init="he",
            learning_rate=0.000001,
            iterations=100_000,
        ),
        JobSpec(activation="leaky_relu", optimizer="momentum", init="xavier", iterations=7),
        JobSpec(activation="sigmoid", optimizer="rmsprop", batch_size=32),
    ],
)
def test_every_script_is_tidy_python(spec):
    """No unused names, no undefined ones, no line past 100 characters (ruff's E, F, W)."""
    text = exports.render_script(spec.resolved(), TEMPLATES, job_id="0123456789ab")
    rules = ["--select", "E,F,W,B", "--line-length", "100"]
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", *rules, "--stdin-filename", "s.py"],
        input=text,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout
