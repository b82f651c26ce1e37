"""The problems a network solves, each one entry: its output unit g[L], its cost J, what it
predicts and how it is scored.

- "binary": the lecture's. A[L] = sigmoid(Z[L]): (1, m), P(y=1);
  J = -(1/m) sum(Y log A[L] + (1-Y) log(1-A[L])); predicts 1 where A[L] > 0.5.
- "multiclass": A[L] = softmax(Z[L]): (K, m), one probability per class and example;
  J = -(1/m) sum(Y log A[L]) with Y one-hot (K, m); predicts the most likely class.
- "regression": A[L] = Z[L]: (1, m), a real value; J = (1/2m) sum((A[L] - Y)^2);
  scored by R^2 rather than accuracy.

In all three dZ[L] = A[L] - Y, as the course generalises it: each output is paired with
the cost whose derivative through it is exactly that. So the backward pass is the same
for all; only the forward pass's last step and the cost differ.

Labels are one row, Y: (1, m), as the datasets give them (0/1, 0..K-1, or real values);
`targets` turns them into the Y the equations use (one-hot for multi-class).
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.nn.activations import Array, sigmoid
from app.nn.errors import FieldError


def softmax(Z: Array) -> Array:
    """e^Z / sum(e^Z) down each column; Z's column maximum is taken off first, so no
    e^Z overflows (the result is the same)."""
    E = np.exp(Z - np.max(Z, axis=0, keepdims=True))
    return E / np.sum(E, axis=0, keepdims=True)


def identity(Z: Array) -> Array:
    """A = Z: a linear output unit."""
    return Z


def xlogy(x: Array, y: Array) -> Array:
    """x log y, and 0 where x = 0 (even where y = 0): the cost's terms, never 0 * -inf."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, 0.0, np.multiply(x, np.log(y)))


def cross_entropy(AL: Array, Y: Array) -> float:
    """-(1/m) sum(Y log AL + (1-Y) log(1-AL)); a right answer given with certainty costs
    0 (0 log 0 = 0), a wrong one an infinite cost, which the trainer reads as divergence."""
    m = AL.shape[1]
    return float(-1 / m * np.sum(xlogy(Y, AL) + xlogy(1 - Y, 1 - AL)) + 0.0)  # never -0.0


def categorical_cross_entropy(AL: Array, Y: Array) -> float:
    """-(1/m) sum(Y log AL), summed over the K classes and the m examples."""
    m = AL.shape[1]
    return float(-1 / m * np.sum(xlogy(Y, AL)) + 0.0)


def half_squared_error(AL: Array, Y: Array) -> float:
    """(1/2m) sum((AL - Y)^2): the 1/2 makes dZ[L] = A[L] - Y, with no factor 2."""
    m = AL.shape[1]
    return float(1 / (2 * m) * np.sum(np.square(AL - Y)))


def one_hot(labels: Array, K: int) -> Array:
    """Y: (K, m) with Y[k, i] = 1 where example i has label k; labels: (1, m) of 0..K-1."""
    classes = labels.reshape(-1).astype(int)
    Y = np.zeros((K, classes.size))
    Y[classes, np.arange(classes.size)] = 1.0
    return Y


def r_squared(prediction: Array, labels: Array) -> float:
    """1 - sum((Y - A)^2) / sum((Y - mean Y)^2): 1 for a perfect fit, 0 for the mean's."""
    total = float(np.sum(np.square(labels - np.mean(labels))))
    residual = float(np.sum(np.square(labels - prediction)))
    return 1.0 - residual / total if total else (1.0 if residual == 0 else 0.0)


def accuracy(prediction: Array, labels: Array) -> float:
    """The fraction of examples whose predicted label is their label."""
    return float(np.mean(prediction == labels))


@dataclass(frozen=True)
class Problem:
    """One kind of problem: output g[L], cost J(A[L], Y), targets, prediction and score.

    score is "accuracy" or "r2"; formula and cost_formula are the equations panel's.
    """

    name: str
    output: Callable[[Array], Array]
    cost: Callable[[Array, Array], float]
    targets: Callable[[Array, int], Array]
    predict: Callable[[Array], Array]
    score: str
    formula: str
    cost_formula: str

    def scored(self, AL: Array, labels: Array) -> float:
        """The score of output AL against labels (1, m): accuracy, or R^2."""
        prediction = self.predict(AL)
        return r_squared(prediction, labels) if self.score == "r2" else accuracy(prediction, labels)


PROBLEMS: dict[str, Problem] = {
    "binary": Problem(
        "binary",
        sigmoid,
        cross_entropy,
        targets=lambda labels, K: labels,
        predict=lambda AL: (AL > 0.5).astype(np.float64),
        score="accuracy",
        formula="σ(Z)",
        cost_formula="−(1/m) Σ (Y log A + (1 − Y) log(1 − A))",
    ),
    "multiclass": Problem(
        "multiclass",
        softmax,
        categorical_cross_entropy,
        targets=one_hot,
        predict=lambda AL: np.argmax(AL, axis=0).reshape(1, -1).astype(np.float64),
        score="accuracy",
        formula="softmax(Z)",
        cost_formula="−(1/m) Σ Y log A",
    ),
    "regression": Problem(
        "regression",
        identity,
        half_squared_error,
        targets=lambda labels, K: labels,
        predict=lambda AL: AL,
        score="r2",
        formula="Z",
        cost_formula="(1/2m) Σ (A − Y)²",
    ),
}


def get(name: str) -> Problem:
    """The problem called `name`; FieldError names the accepted ones."""
    try:
        return PROBLEMS[name]
    except (KeyError, TypeError):
        accepted = ", ".join(PROBLEMS)
        raise FieldError("problem", f"unknown problem {name!r}: use one of {accepted}") from None
