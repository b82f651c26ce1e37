"""What defines a job (its spec, the lecture's run by default) and its data.

The CLI, the datasets endpoint and the server build on these; nothing here knows the
server's jobs.
"""

import dataclasses
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from app.jobs.owndata import OwnDatasets, is_own
from app.nn import datasets, features
from app.nn.errors import FieldError, renamed
from app.nn.trainer import TrainConfig

# The lecture's training settings: TrainConfig owns them, a job's spec and the CLI take them.
LECTURE = TrainConfig()


@dataclass(frozen=True)
class JobSpec:
    """A request for a job: everything that defines it; the defaults give the lecture's run.

    n_samples, noise and data_seed left as None take the dataset's defaults (for a
    learner's own dataset: all its points, no noise, split with seed 0): resolved() fills
    them in. n_classes: K for the multi-class sets (None: two). features: the network's
    inputs, n_x of them. speed: iterations per second, None for as fast as it can.
    """

    dataset: str = "flower"
    n_samples: int | None = None
    noise: float | None = None
    data_seed: int | None = None
    test_fraction: float = 0.0
    hidden_layers: tuple[int, ...] = LECTURE.layer_dims[1:-1]
    activation: str = LECTURE.activation
    init: str = LECTURE.init
    learning_rate: float = LECTURE.learning_rate
    iterations: int = LECTURE.iterations
    seed: int = LECTURE.seed or 0
    optimizer: str = LECTURE.optimizer
    batch_size: int | None = LECTURE.batch_size
    l2: float = LECTURE.l2
    l1: float = LECTURE.l1
    n_classes: int | None = None
    features: tuple[str, ...] = features.DEFAULT
    grid: int = 100
    speed: float | None = 500.0
    start_paused: bool = False

    def resolved(self, own: OwnDatasets | None = None) -> "RunSpec":
        """The run this request asks for: the dataset's defaults and its problem filled in
        (`own`: where the learners' datasets are kept). FieldError for an unknown dataset."""
        if is_own(self.dataset):
            data = own.get(self.dataset) if own is not None else None
            if data is None:
                raise FieldError(
                    "dataset",
                    f"dataset {self.dataset!r} is not on this server: no dataset of that name "
                    "was sent to it (or it was dropped to make room); send it again",
                )
            return self._run(
                n_samples=data.X.shape[1],
                noise=0.0,
                data_seed=0 if self.data_seed is None else self.data_seed,
                n_classes=data.n_classes if data.problem == "multiclass" else None,
                problem=data.problem,
            )
        if self.dataset not in datasets.DEFAULTS:
            raise FieldError(
                "dataset",
                f"unknown dataset {self.dataset!r}: use one of {', '.join(datasets.NAMES)}",
            )
        defaults = datasets.DEFAULTS[self.dataset]
        n_classes = None if self.n_classes == datasets.MIN_CLASSES else self.n_classes
        return self._run(
            n_samples=int(defaults["n_samples"]) if self.n_samples is None else self.n_samples,
            noise=float(defaults["noise"]) if self.noise is None else self.noise,
            data_seed=int(defaults["seed"]) if self.data_seed is None else self.data_seed,
            n_classes=n_classes,
            problem="multiclass" if n_classes else datasets.problem_of(self.dataset),
        )

    def _run(self, **filled: Any) -> "RunSpec":
        """This request as a RunSpec, with the `filled` fields in place of its own."""
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(JobSpec)}
        values.update(
            hidden_layers=tuple(self.hidden_layers),
            features=features.check(self.features),
            **filled,
        )
        return RunSpec(**values)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "JobSpec":
        """A spec saved as a dict (asdict, of a request or a run): fields it lacks take
        their defaults, fields a request does not have are left out."""
        known = {f.name for f in dataclasses.fields(JobSpec)}
        spec = JobSpec(**{k: v for k, v in values.items() if k in known})
        return replace(spec, hidden_layers=tuple(spec.hidden_layers), features=tuple(spec.features))


@dataclass(frozen=True, kw_only=True)
class RunSpec(JobSpec):
    """A job's spec once resolved (JobSpec.resolved): the run itself, with nothing left to
    fill in. Its data settings are the dataset's where the request left them out, and
    problem is the dataset's ("binary", "multiclass" or "regression"). Every job, its
    data and its exports take this; only a request may leave a field to the dataset.
    """

    n_samples: int
    noise: float
    data_seed: int
    problem: str

    @property
    def n_y(self) -> int:
        """The output layer's units: K for K classes, else 1."""
        return self.n_classes if self.problem == "multiclass" and self.n_classes else 1

    @property
    def layer_dims(self) -> tuple[int, ...]:
        """[n_x, n[1], ..., n[L]]: one input per feature, one output per class (or 1)."""
        return (len(self.features), *self.hidden_layers, self.n_y)

    def train_config(self) -> TrainConfig:
        """The trainer's config: layer_dims [n_x, *hidden_layers, n_y]."""
        return TrainConfig(
            layer_dims=self.layer_dims,
            problem=self.problem,
            l1=self.l1,
            activation=self.activation,
            init=self.init,
            seed=self.seed,
            learning_rate=self.learning_rate,
            optimizer=self.optimizer,
            batch_size=self.batch_size,
            l2=self.l2,
            iterations=self.iterations,
        )


# The spec's names of the datasets functions' arguments it calls otherwise.
DATA_ARGUMENTS = {"name": "dataset", "seed": "data_seed"}


@dataclass(frozen=True)
class DataSplit:
    """A job's data: the points X (2, m) and labels Y (1, m) for training and testing
    (m_test may be 0), and the features the network is fed of them (inputs)."""

    X_train: np.ndarray
    Y_train: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray
    features: tuple[str, ...] = features.DEFAULT

    @classmethod
    def make(cls, spec: RunSpec, own: OwnDatasets | None = None) -> "DataSplit":
        """The run's data, split with its data_seed (`own`: where a learner's dataset is
        kept); FieldError for a bad spec, naming the spec's field (ValueError if it is
        about none)."""
        if is_own(spec.dataset) and own is not None and (data := own.get(spec.dataset)):
            X, Y = data.X, data.Y
        else:
            with renamed(DATA_ARGUMENTS):
                X, Y = datasets.make(
                    spec.dataset, spec.n_samples, spec.noise, spec.data_seed, spec.n_classes
                )
        if spec.test_fraction == 0:
            return cls(X, Y, X[:, :0], Y[:, :0], spec.features)
        with renamed(DATA_ARGUMENTS):
            split = datasets.train_test_split(X, Y, spec.test_fraction, spec.data_seed)
        return cls(*split, spec.features)

    def inputs(self, X: np.ndarray) -> np.ndarray:
        """A[0]: (n_x, m), the chosen features of the points X: (2, m)."""
        return features.inputs(X, self.features)
