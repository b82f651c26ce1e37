"""What defines a job (its spec, the lecture's run by default) and its data.

The CLI, the datasets endpoint and the server build on these; nothing here knows the
server's jobs.
"""

import dataclasses
import json
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from app.nn import datasets
from app.nn.trainer import TrainConfig


@dataclass(frozen=True)
class JobSpec:
    """Everything that defines a job; the defaults give the lecture's run.

    n_samples, noise and data_seed left as None take the dataset's defaults.
    speed: iterations per second, None for as fast as it can.
    """

    dataset: str = "flower"
    n_samples: int | None = None
    noise: float | None = None
    data_seed: int | None = None
    test_fraction: float = 0.0
    hidden_layers: tuple[int, ...] = (4,)
    activation: str = "tanh"
    init: str = "course"
    learning_rate: float = 1.2
    iterations: int = 10_000
    seed: int = 2
    optimizer: str = "gd"
    batch_size: int | None = None
    l2: float = 0.0
    grid: int = 100
    speed: float | None = 500.0
    start_paused: bool = False

    def resolved(self) -> "JobSpec":
        """The same spec with the dataset's defaults filled in."""
        if self.dataset not in datasets.DEFAULTS:
            raise ValueError(
                f"unknown dataset {self.dataset!r}: use one of {', '.join(datasets.NAMES)}"
            )
        defaults = datasets.DEFAULTS[self.dataset]
        return replace(
            self,
            n_samples=int(defaults["n_samples"]) if self.n_samples is None else self.n_samples,
            noise=float(defaults["noise"]) if self.noise is None else self.noise,
            data_seed=int(defaults["seed"]) if self.data_seed is None else self.data_seed,
            hidden_layers=tuple(self.hidden_layers),
        )

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "JobSpec":
        """A spec saved as a dict (asdict): fields it lacks take their defaults, fields
        this version does not know are left out."""
        known = {f.name for f in dataclasses.fields(cls)}
        spec = cls(**{k: v for k, v in values.items() if k in known})
        return replace(spec, hidden_layers=tuple(spec.hidden_layers))

    def train_config(self) -> TrainConfig:
        """The trainer's config: layer_dims [2, *hidden_layers, 1]."""
        return TrainConfig(
            layer_dims=(2, *self.hidden_layers, 1),
            activation=self.activation,
            init=self.init,
            seed=self.seed,
            learning_rate=self.learning_rate,
            optimizer=self.optimizer,
            batch_size=self.batch_size,
            l2=self.l2,
            iterations=self.iterations,
        )


@dataclass(frozen=True)
class DataSplit:
    """A job's data: X (2, m) and Y (1, m) for training and testing (m_test may be 0)."""

    X_train: np.ndarray
    Y_train: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray

    @classmethod
    def make(cls, spec: "JobSpec") -> "DataSplit":
        """The spec's data, split with its data_seed; ValueError for a bad spec."""
        spec = spec.resolved()
        X, Y = datasets.make(spec.dataset, spec.n_samples, spec.noise, spec.data_seed)
        if spec.test_fraction == 0:
            return cls(X, Y, X[:, :0], Y[:, :0])
        seed = spec.data_seed or 0  # never None once resolved
        return cls(*datasets.train_test_split(X, Y, spec.test_fraction, seed))

    def to_json(self, name: str) -> str:
        """The points with their labels, as the snapshot's `dataset` object."""
        return json.dumps(
            {
                "name": name,
                "train": _points(self.X_train, self.Y_train),
                "test": _points(self.X_test, self.Y_test),
            },
            separators=(",", ":"),
        )


def _points(X: np.ndarray, Y: np.ndarray) -> dict[str, list[Any]]:
    return {
        "x1": X[0].tolist(),
        "x2": X[1].tolist(),
        "y": Y[0].astype(int).tolist(),
    }
