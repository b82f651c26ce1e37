"""A request (JobSpec) and the run it resolves to (RunSpec)."""

import dataclasses
import json

import pytest

from app.jobs.spec import JobSpec, RunSpec
from app.nn import datasets


@pytest.mark.parametrize("name", datasets.NAMES)
def test_a_request_resolves_to_its_datasets_defaults_and_problem(name):
    run = JobSpec(dataset=name).resolved()
    defaults = datasets.DEFAULTS[name]
    assert isinstance(run, RunSpec)
    assert (run.n_samples, run.noise, run.data_seed) == (
        defaults["n_samples"],
        defaults["noise"],
        defaults["seed"],
    )
    assert run.problem == datasets.problem_of(name)


def test_what_the_request_gives_is_kept_and_resolving_twice_changes_nothing():
    run = JobSpec(dataset="spiral", n_samples=30, noise=0.0, data_seed=4, n_classes=3).resolved()
    assert (run.n_samples, run.noise, run.data_seed, run.problem) == (30, 0.0, 4, "multiclass")
    assert run.resolved() == run


def test_a_run_saved_as_json_reads_back_as_the_same_run():
    run = JobSpec(dataset="circles", test_fraction=0.2, hidden_layers=(3, 2)).resolved()
    saved = json.loads(json.dumps(dataclasses.asdict(run)))
    assert JobSpec.from_dict(saved).resolved() == run
    assert JobSpec.from_dict({"dataset": "circles"}).resolved().problem == "binary"  # an old row
