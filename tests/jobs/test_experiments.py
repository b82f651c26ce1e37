"""The experiments kept in memory: found by id, bounded, the oldest gone ones dropped."""

import pytest

from app.jobs.experiments import ExperimentNotFoundError, Experiments


def test_an_experiment_is_kept_with_its_values_and_jobs_in_order():
    experiments = Experiments(max_kept=2, kept=lambda job_id: True)
    experiment = experiments.add("hidden_layers", [[1], [2]], ["a", "b"])
    assert experiments.get(experiment.id) == experiment
    assert (experiment.vary, experiment.values, experiment.jobs) == (
        "hidden_layers",
        ([1], [2]),
        ("a", "b"),
    )
    with pytest.raises(ExperimentNotFoundError):
        experiments.get("nope")
    with pytest.raises(ValueError, match="2 values for 1 jobs"):
        experiments.add("seed", [1, 2], ["c"])


def test_beyond_the_bound_the_oldest_whose_jobs_are_all_gone_go():
    jobs = {"a", "b", "c", "d"}
    experiments = Experiments(max_kept=2, kept=jobs.__contains__)
    first = experiments.add("seed", [1, 2], ["a", "b"])
    second = experiments.add("seed", [1], ["c"])
    jobs -= {"c"}  # the second's only job is gone; the first still has both
    third = experiments.add("seed", [1], ["d"])
    assert [e.id for e in (first, third)] == [experiments.get(e.id).id for e in (first, third)]
    with pytest.raises(ExperimentNotFoundError):
        experiments.get(second.id)
    experiments.add("seed", [2], ["d"])  # none is all gone: none is dropped
    assert len(experiments) == 3
    jobs -= {"a", "b"}
    experiments.add("seed", [3], ["d"])
    assert len(experiments) == 3  # the first, all gone now, made room
    with pytest.raises(ExperimentNotFoundError):
        experiments.get(first.id)
