"""Input features, as TF Playground offers them: what the network is fed of a point (x1, x2).

Each feature is one entry: its name and how it is computed from the point's two
coordinates. `inputs(X, names)` turns the points X: (2, m) into the network's input
A[0]: (n_x, m), one row per chosen feature, so n_x = len(names). With x1^2 and x2^2 a
network with no hidden layer (logistic regression) separates two circles: the features do
what a hidden layer would otherwise have to learn.
"""

from collections.abc import Callable, Sequence

import numpy as np

from app.nn.activations import Array
from app.nn.errors import FieldError

FEATURES: dict[str, Callable[[Array, Array], Array]] = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1**2,
    "x2^2": lambda x1, x2: x2**2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: np.sin(x1),
    "sin(x2)": lambda x1, x2: np.sin(x2),
}
DEFAULT: tuple[str, ...] = ("x1", "x2")  # the lecture's: the point itself


def check(names: Sequence[str]) -> tuple[str, ...]:
    """`names` as a tuple in the order given; FieldError unless a non-empty list of
    known features, each once."""
    chosen = tuple(names)
    unknown = [name for name in chosen if name not in FEATURES]
    if unknown:
        accepted = ", ".join(FEATURES)
        raise FieldError("features", f"unknown feature {unknown[0]!r}: use any of {accepted}")
    if not chosen:
        raise FieldError("features", f"features must name at least one of {', '.join(FEATURES)}")
    if len(set(chosen)) != len(chosen):
        message = f"features must name each feature once, got {', '.join(chosen)}"
        raise FieldError("features", message)
    return chosen


def inputs(X: Array, names: Sequence[str] = DEFAULT) -> Array:
    """A[0]: (len(names), m), the chosen features of the points X: (2, m)."""
    chosen = check(names)
    if not isinstance(X, np.ndarray) or X.ndim != 2 or X.shape[0] != 2:
        raise FieldError("X", f"X must be points of shape (2, m), got {getattr(X, 'shape', X)}")
    if chosen == ("x1", "x2"):
        return X  # the lecture's input, as it is
    x1, x2 = X[0], X[1]
    return np.vstack([FEATURES[name](x1, x2) for name in chosen]).astype(np.float64)
