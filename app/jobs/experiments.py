"""Experiments: one job per value of a single config field, all else alike (docs/api.md).

The lecture's hidden-size experiment trains the same run with n_h = 1, 2, 3, 4, 5, 20, 50
and compares the accuracies. An experiment is only a record of which jobs it started and
for which values; the jobs themselves are ordinary jobs of the manager (their token, their
websocket, their exports). A bounded number of experiments are kept in memory, and each
in the store as well when there is one, so that a restart keeps them with their jobs.
"""

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


class ExperimentNotFoundError(KeyError):
    """No experiment has this id."""


@dataclass(frozen=True)
class Experiment:
    """Which config field was varied, its values, and the job trained for each.

    values[i] is the value of `vary` in the job jobs[i] (as JSON has it).
    """

    id: str
    vary: str
    values: tuple[Any, ...]
    jobs: tuple[str, ...]


class ExperimentStore(Protocol):
    """Where experiments outlive the server (app.jobs.store.JobStore, or in the distributed
    mode app.jobs.remote.RemoteJobs)."""

    def keep_experiment(self, experiment: Experiment) -> None: ...

    def forget_experiment(self, experiment_id: str) -> None: ...

    def experiments(self) -> list[Experiment]: ...


class Experiments:
    """The experiments of one server, at most `max_kept` of them once their jobs are gone.

    `kept(job_id)` says whether a job still exists. Adding one beyond the bound drops the
    oldest experiments whose jobs are all gone; one with a job left stays, so a running
    experiment never loses its record (there are never more of those than jobs kept).
    """

    def __init__(
        self,
        max_kept: int,
        kept: Callable[[str], bool],
        store: ExperimentStore | None = None,
        shared: bool = False,
    ) -> None:
        self.max_kept = max_kept
        self._kept = kept
        self._store = store
        # shared: other servers add to the store too (the distributed mode's replicas), so
        # an experiment not known here is looked for there.
        self._shared = shared
        self._experiments: dict[str, Experiment] = {}  # oldest first
        for experiment in store.experiments() if store else []:
            self._experiments[experiment.id] = experiment  # the last server's

    def add(self, vary: str, values: Sequence[Any], jobs: Sequence[str]) -> Experiment:
        """Record a new experiment: jobs[i] trains with `vary` set to values[i]."""
        if len(values) != len(jobs):
            raise ValueError(f"{len(values)} values for {len(jobs)} jobs")
        self._make_room()
        experiment = Experiment(self._new_id(), vary, tuple(values), tuple(jobs))
        self._experiments[experiment.id] = experiment
        if self._store is not None:
            self._store.keep_experiment(experiment)
        return experiment

    def get(self, experiment_id: str) -> Experiment:
        """The experiment with this id; ExperimentNotFoundError otherwise."""
        if experiment_id not in self._experiments and self._shared and self._store is not None:
            for experiment in self._store.experiments():
                self._experiments.setdefault(experiment.id, experiment)
        try:
            return self._experiments[experiment_id]
        except KeyError:
            raise ExperimentNotFoundError(experiment_id) from None

    def __len__(self) -> int:
        return len(self._experiments)

    def _make_room(self) -> None:
        """Drop the oldest experiments whose jobs are all gone, until one more fits."""
        excess = len(self._experiments) - self.max_kept + 1
        if excess <= 0:
            return
        gone = [e.id for e in self._experiments.values() if not any(map(self._kept, e.jobs))]
        for experiment_id in gone[:excess]:
            del self._experiments[experiment_id]
            if self._store is not None:
                self._store.forget_experiment(experiment_id)

    def _new_id(self) -> str:
        while (experiment_id := secrets.token_hex(6)) in self._experiments:
            pass
        return experiment_id
