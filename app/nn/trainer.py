"""The training loop as a generator of steps: no printing, sleeping or I/O.

Whoever drives it (the terminal command, a server job, a notebook) decides the pace:
each `next()` runs one iteration. Between steps the driver may read the parameters,
ask for metrics, or change the learning rate.
"""

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from app.nn import activations, model, optimizers, problems
from app.nn.activations import Array
from app.nn.errors import FieldError
from app.nn.fast import IN_PLACE, InPlaceGradientDescent
from app.nn.model import INITS, Parameters


@dataclass(frozen=True)
class TrainConfig:
    """What to train: layer_dims = [n_x, n[1], ..., n[L]] and how to train it.

    problem: "binary" (the lecture's; n[L] = 1), "multiclass" (n[L] = K >= 2 classes) or
    "regression" (n[L] = 1), as app.nn.problems defines them. l1, l2: the penalties'
    lambdas, (l1/m) sum |W| and (l2/2m) sum W^2 added to the cost.
    """

    layer_dims: tuple[int, ...] = (2, 4, 1)
    activation: str = "tanh"
    init: str = "course"
    seed: int | None = 2
    learning_rate: float = 1.2
    optimizer: str = "gd"
    batch_size: int | None = None  # None: the whole training set (the lecture's batch GD)
    l2: float = 0.0
    iterations: int = 10_000
    problem: str = "binary"
    l1: float = 0.0

    def __post_init__(self) -> None:
        activations.get(self.activation)
        optimizers.get(self.optimizer)
        if self.init not in INITS:
            accepted = ", ".join(INITS)
            raise FieldError("init", f"unknown init {self.init!r}: use one of {accepted}")
        problems.get(self.problem)
        dims = model.check_layer_dims(self.layer_dims)
        if self.problem == "multiclass" and dims[-1] < 2:
            message = f"the output layer must have a unit per class (K >= 2), got {dims}"
            raise FieldError("layer_dims", message)
        if self.problem != "multiclass" and dims[-1] != 1:
            message = f"the output layer must have 1 unit ({self.problem}), got {dims}"
            raise FieldError("layer_dims", message)
        object.__setattr__(self, "layer_dims", tuple(dims))
        _check_learning_rate(self.learning_rate)
        if not _is_int(self.iterations) or self.iterations < 0:
            message = f"iterations must be a whole number >= 0, got {self.iterations!r}"
            raise FieldError("iterations", message)
        if self.batch_size is not None and (not _is_int(self.batch_size) or self.batch_size < 1):
            message = f"batch_size must be a whole number >= 1, got {self.batch_size!r}"
            raise FieldError("batch_size", message)
        model.check_penalty("l2", self.l2)
        model.check_penalty("l1", self.l1)


class Step(NamedTuple):
    """One iteration: its index and the cost computed before its update.

    A NamedTuple rather than a frozen dataclass: one is made every iteration, and it
    is made in about half the time.
    """

    iteration: int
    cost: float


@dataclass(frozen=True)
class Metrics:
    """How the current parameters do: accuracies are fractions in [0, 1] (None for
    regression, which has train_r2 and test_r2 instead).

    train_cost is J over the whole training set (with the penalties, as the steps' cost):
    with mini-batches a step's cost is only its batch's.
    """

    train_accuracy: float | None
    test_accuracy: float | None
    test_cost: float | None
    train_cost: float | None = None
    train_r2: float | None = None
    test_r2: float | None = None


def _is_int(n: object) -> bool:
    return isinstance(n, int | np.integer) and not isinstance(n, bool)


def _check_learning_rate(alpha: float) -> None:
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not math.isfinite(alpha):
        raise FieldError(
            "learning_rate", f"learning_rate must be a finite number > 0, got {alpha!r}"
        )
    if alpha <= 0:
        raise FieldError("learning_rate", f"learning_rate must be > 0, got {alpha!r}")


class Trainer:
    """Trains `config`'s network on X: (n_x, m), Y: (1, m), one step per `next()`.

    Y holds the labels (0/1, 0..K-1, or real values for regression); the equations use
    the problem's targets of them (one-hot (K, m) for K classes).
    """

    def __init__(
        self,
        config: TrainConfig,
        X: Array,
        Y: Array,
        X_test: Array | None = None,
        Y_test: Array | None = None,
    ) -> None:
        n_x = config.layer_dims[0]
        _check_data(X, Y, n_x, "X", "Y")
        if (X_test is None) != (Y_test is None):
            raise FieldError("X_test", "give both X_test and Y_test, or neither")
        if X_test is not None and Y_test is not None:
            _check_data(X_test, Y_test, n_x, "X_test", "Y_test", allow_empty=True)
        self.config = config
        self.problem = problems.get(config.problem)
        self.X, self.Y = X, Y
        self.X_test, self.Y_test = X_test, Y_test
        K = config.layer_dims[-1]
        self.T = self.problem.targets(Y, K)  # the Y of dZ[L] = A[L] - Y
        self.T_test = None if Y_test is None else self.problem.targets(Y_test, K)
        self._parameters = model.initialize_parameters(config.layer_dims, config.seed, config.init)
        self._optimizer = optimizers.get(config.optimizer)
        self._state = self._optimizer.init(self._parameters)
        # The lecture's case, plain gradient descent on the whole set, runs on the
        # in-place fast path: the same costs and parameters, ~2.6x the iterations/s. An
        # activation it has no in-place pair for trains by the equations as written.
        self._fast: InPlaceGradientDescent | None = None
        whole_set = config.batch_size is None or config.batch_size >= self.m
        lecture = config.problem == "binary" and not config.l1 and config.activation in IN_PLACE
        if config.optimizer == "gd" and whole_set and lecture:
            self._fast = InPlaceGradientDescent(
                self._parameters, X, Y, config.activation, config.l2
            )
        self._learning_rate = config.learning_rate
        # Mini-batches are reshuffled every epoch from their own generator, so the
        # same seed always gives the same run.
        self._rng = np.random.default_rng(config.seed)
        self._batches: list[np.ndarray] = []
        self.iteration = 0
        self.stop_reason: str | None = None
        self.detail = ""

    def __reduce__(self) -> tuple[type["Trainer"], tuple[Any, ...]]:
        """Pickled (to train in another process) as what it is made from: so only before
        its first iteration. The fast path's buffers are views of each other, which pickle
        would part into copies, and then every step would read stale arrays."""
        if self.iteration:
            raise TypeError("a trainer can be pickled only before its first iteration")
        return (Trainer, (self.config, self.X, self.Y, self.X_test, self.Y_test))

    @property
    def parameters(self) -> Parameters:
        """The current {"W1", "b1", ...}; copy before keeping (they may be read-only views)."""
        if self._fast is not None:
            return self._fast.parameters
        return self._parameters

    @parameters.setter
    def parameters(self, parameters: Parameters) -> None:
        if self._fast is not None:
            self._fast.load(parameters)
        else:
            self._parameters = parameters

    @property
    def learning_rate(self) -> float:
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, alpha: float) -> None:
        _check_learning_rate(alpha)
        self._learning_rate = float(alpha)

    @property
    def m(self) -> int:
        return int(self.X.shape[1])

    def _next_batch(self) -> tuple[Array, Array]:
        size = self.config.batch_size
        if size is None or size >= self.m:
            return self.X, self.T
        if not self._batches:
            order = self._rng.permutation(self.m)
            self._batches = [order[k : k + size] for k in range(0, self.m, size)][::-1]
        columns = self._batches.pop()
        return self.X[:, columns], self.T[:, columns]

    def step(self) -> Step:
        """Run one iteration: cost of the current parameters, backward pass, update.

        A cost that is NaN or infinite is returned without an update.
        """
        if self._fast is not None:
            step = Step(self.iteration, self._fast.step(self._learning_rate))
            self.iteration += 1
            return step
        c = self.config
        X, Y = self._next_batch()
        AL, cache = model.forward_propagation(X, self._parameters, c.activation, c.problem)
        cost = model.compute_cost(AL, Y, self._parameters, c.l2, c.problem, c.l1)
        step = Step(self.iteration, cost)
        self.iteration += 1
        if math.isfinite(cost):
            grads = model.backward_propagation(
                self._parameters, cache, X, Y, c.activation, c.l2, c.l1
            )
            self._parameters, self._state = self._optimizer.update(
                self._parameters, grads, self._state, self._learning_rate, self.iteration
            )
        return step

    def steps(self) -> Iterator[Step]:
        """Yield one Step per iteration until config.iterations or a NaN/infinite cost."""
        while self.iteration < self.config.iterations:
            step = self.step()
            if not math.isfinite(step.cost):
                self.stop_reason = "diverged"
                self.detail = (
                    f"the cost became {step.cost} at iteration {step.iteration}: the updates "
                    f"overshoot; try a smaller learning rate than {self._learning_rate:g}"
                )
                yield step
                return
            yield step
        self.stop_reason = "done"
        self.detail = f"trained for {self.iteration} iterations"

    def metrics(self) -> Metrics:
        """Train and test scores (accuracy, or R^2 for regression), and the whole training
        set's and the test cost, of the current parameters."""
        train_cost, train_score = self._measure(self.X, self.Y, self.T, penalties=True)
        test_cost = test_score = None
        if self.X_test is not None and self.Y_test is not None and self.X_test.shape[1]:
            test_cost, test_score = self._measure(self.X_test, self.Y_test, self.T_test)
        if self.problem.score == "r2":
            return Metrics(None, None, test_cost, train_cost, train_score, test_score)
        return Metrics(train_score, test_score, test_cost, train_cost)

    def _measure(
        self, X: Array, Y: Array, T: Array | None, penalties: bool = False
    ) -> tuple[float, float]:
        """(J, score) of the current parameters on X, Y (targets T); the training set's
        J with the penalties, as the steps' cost, the test set's without."""
        c, parameters = self.config, self.parameters
        AL, _ = model.forward_propagation(X, parameters, c.activation, c.problem)
        l2, l1 = (c.l2, c.l1) if penalties else (0.0, 0.0)
        cost = model.compute_cost(AL, T if T is not None else Y, parameters, l2, c.problem, l1)
        return cost, self.problem.scored(AL, Y)


def _check_data(
    X: Array, Y: Array, n_x: int, x_name: str, y_name: str, allow_empty: bool = False
) -> None:
    if not isinstance(X, np.ndarray) or X.ndim != 2 or X.shape[0] != n_x:
        shape = getattr(X, "shape", type(X).__name__)
        raise FieldError(x_name, f"{x_name} must be an array of shape (n_x={n_x}, m), got {shape}")
    m = X.shape[1]
    if m == 0 and not allow_empty:
        raise FieldError(x_name, f"{x_name} has no examples (m = 0)")
    if not isinstance(Y, np.ndarray) or Y.shape != (1, m):
        shape = getattr(Y, "shape", type(Y).__name__)
        raise FieldError(y_name, f"{y_name} must be an array of shape (1, m={m}), got {shape}")
