"""The decision grid: P(y=1) over an R x R grid of points, and its pictures as bytes.

A DecisionGrid lays its R*R points out once, row-major: row i at
y = y_min + i (y_max - y_min)/(R-1), column j at x = x_min + j (x_max - x_min)/(R-1),
and feeds the network the chosen features of them (app.nn.features), so the picture
stays in the plane (x1, x2) whatever n_x is. Its forward pass runs the lecture's
Z[l] = W[l] A[l-1] + b[l], A[l] = g[l](Z[l]) into buffers kept between calls, because a
job draws the grid many times a second. The output is P(y=1) (binary), the K classes'
probabilities (multi-class) or the predicted value (regression). The messages that carry
them are in app.jobs.messages.
"""

import base64
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from app.nn import activations, features, problems
from app.nn.errors import FieldError

Array = np.ndarray
Parameters = dict[str, Array]

NEURON_RESOLUTION = 24


class Bounds(NamedTuple):
    x_min: float
    x_max: float
    y_min: float
    y_max: float


def bounds(X: Array, margin: float = 0.1) -> Bounds:
    """The box around X: (2, m), widened on each side by margin * span, at least 0.5."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] != 2 or X.shape[1] < 1:
        raise ValueError(f"X must have shape (2, m) with m >= 1, got {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X must hold finite numbers only")
    if not np.isfinite(margin) or margin < 0:
        raise ValueError(f"margin must be a finite number >= 0, got {margin!r}")
    low, high = X.min(axis=1), X.max(axis=1)
    pad = np.maximum(margin * (high - low), 0.5)
    return Bounds(
        float(low[0] - pad[0]),
        float(high[0] + pad[0]),
        float(low[1] - pad[1]),
        float(high[1] + pad[1]),
    )


def _check_resolution(resolution: object) -> int:
    """`resolution` as an int, or FieldError unless it is an integer >= 2."""
    if isinstance(resolution, bool | np.bool_) or not isinstance(resolution, int | np.integer):
        raise FieldError("resolution", f"resolution must be an integer >= 2, got {resolution!r}")
    if resolution < 2:
        raise FieldError("resolution", f"resolution must be an integer >= 2, got {resolution!r}")
    return int(resolution)


def _grid_points(box: Bounds, resolution: int) -> Array:
    """(2, R*R) points, row-major: row i at y_i, column j at x_j."""
    xs = np.linspace(box.x_min, box.x_max, resolution)
    ys = np.linspace(box.y_min, box.y_max, resolution)
    XX, YY = np.meshgrid(xs, ys)  # XX[i, j] = xs[j], YY[i, j] = ys[i]
    points = np.vstack([XX.ravel(), YY.ravel()])
    points.flags.writeable = False  # shared by every call: nobody may change it
    return points


def _layers(
    parameters: Parameters, n_x: int = 2, outputs: int | None = 1
) -> list[tuple[Array, Array]]:
    """[(W1, b1), ..., (WL, bL)] checked for shapes: W[l]: (n[l], n[l-1]), b[l]: (n[l], 1).

    n[0] must be n_x (the features) and n[L] must be `outputs` (None: any).
    """
    L = sum(1 for key in parameters if key.startswith("W"))
    if L == 0:
        raise ValueError("parameters need W1, b1, ..., WL, bL; no W1 was given")
    layers = []
    n_prev = n_x
    for l in range(1, L + 1):
        if f"W{l}" not in parameters or f"b{l}" not in parameters:
            raise ValueError(f"parameters need W1, b1, ..., W{L}, b{L}; W{l} or b{l} is missing")
        W = np.asarray(parameters[f"W{l}"], dtype=np.float64)
        b = np.asarray(parameters[f"b{l}"], dtype=np.float64)
        if W.ndim != 2 or W.shape[1] != n_prev:
            raise ValueError(f"W{l} must have shape (n{l}, {n_prev}), got {W.shape}")
        if b.shape != (W.shape[0], 1):
            raise ValueError(f"b{l} must have shape ({W.shape[0]}, 1), got {b.shape}")
        layers.append((W, b))
        n_prev = W.shape[0]
    if outputs is not None and n_prev != outputs:
        units = "one unit" if outputs == 1 else f"{outputs} units"
        raise ValueError(
            f"the last layer must have {units} (W{L}: ({outputs}, n)), got n{L} = {n_prev}"
        )
    return layers


def _sigmoid_(Z: Array) -> None:
    """Z := sigmoid(Z) in place, as (1 + tanh(Z/2)) / 2, which cannot overflow."""
    np.multiply(Z, 0.5, out=Z)
    np.tanh(Z, out=Z)
    np.add(Z, 1.0, out=Z)
    np.multiply(Z, 0.5, out=Z)


def _leaky_relu_(Z: Array) -> None:
    """Z := max(0.01 Z, Z) in place."""
    np.maximum(Z, activations.LEAKY_SLOPE * Z, out=Z)


# In-place versions of the registry's activations; any other one falls back to g(Z).
_IN_PLACE: dict[str, Callable[[Array], object]] = {
    "tanh": lambda Z: np.tanh(Z, out=Z),
    "relu": lambda Z: np.maximum(Z, 0.0, out=Z),
    "sigmoid": _sigmoid_,
    "leaky_relu": _leaky_relu_,
}


def _activate(name: str) -> Callable[[Array], object]:
    """An in-place g(Z) for the hidden activation `name` (ValueError names the accepted ones)."""
    g = activations.get(name).forward
    return _IN_PLACE.get(name, lambda Z: np.copyto(Z, g(Z)))


class DecisionGrid:
    """An R x R grid of points over `bounds`, where a network's P(y=1) is evaluated.

    Keeps its points and forward buffers between calls, so one instance belongs to
    one thread (one job) at a time. Results are fresh arrays; parameters are only read.
    """

    def __init__(
        self, bounds: Bounds, resolution: int, inputs: tuple[str, ...] = features.DEFAULT
    ) -> None:
        box = Bounds(*(float(v) for v in bounds))
        if not all(np.isfinite(box)) or not (box.x_min < box.x_max and box.y_min < box.y_max):
            raise ValueError(f"bounds must be finite with x_min < x_max and y_min < y_max: {box}")
        self.bounds = box
        self.resolution = _check_resolution(resolution)
        self.features = features.check(inputs)
        self.points = self._inputs(_grid_points(box, self.resolution))
        self._buffers: dict[tuple[int, ...], list[Array]] = {}
        self._coarse_points: dict[int, Array] = {}

    def _inputs(self, points: Array) -> Array:
        """A[0] of the grid's points (2, n): their features, read-only as the points are."""
        A0 = features.inputs(points, self.features)
        A0.flags.writeable = False
        return A0

    def _buffers_for(self, layers: list[tuple[Array, Array]]) -> list[Array]:
        """One (n[l], R*R) buffer per given layer, made on first use for these sizes."""
        sizes = tuple(W.shape[0] for W, _ in layers)
        if sizes not in self._buffers:
            m = self.points.shape[1]
            self._buffers[sizes] = [np.empty((n, m)) for n in sizes]
        return self._buffers[sizes]

    def probabilities(self, parameters: Parameters, activation: str = "tanh") -> Array:
        """P(y=1) at every grid point: (R, R), P[i, j] at (x_j, y_i).

        parameters: W[l]: (n[l], n[l-1]), b[l]: (n[l], 1), n[0] = 2, n[L] = 1;
        `activation` is the hidden layers' g, the output is sigmoid.
        """
        P = self._forward(_layers(parameters, len(self.features)), activation)
        _sigmoid_(P)
        return P.reshape(self.resolution, self.resolution)

    def outputs(self, parameters: Parameters, activation: str, problem: str) -> Array:
        """A[L] at every grid point: (n[L], R*R), with the problem's output g[L]."""
        layers = _layers(parameters, len(self.features), outputs=None)
        return problems.get(problem).output(self._forward(layers, activation))

    def _forward(self, layers: list[tuple[Array, Array]], activation: str) -> Array:
        """Z[L] at every grid point: (n[L], R*R), the hidden layers through g."""
        *hidden, (WL, bL) = layers
        g = _activate(activation)
        A = self.points
        for (W, b), Z in zip(hidden, self._buffers_for(hidden), strict=True):
            np.matmul(W, A, out=Z)  # Z[l] = W[l] A[l-1] + b[l], into the kept buffer
            np.add(Z, b, out=Z)
            g(Z)  # A[l] = g(Z[l]), in place
            A = Z
        # The output is the caller's to keep, so it gets a fresh array, not a buffer.
        ZL = np.matmul(WL, A)
        np.add(ZL, bL, out=ZL)
        return ZL

    def hidden_units(
        self, parameters: Parameters, activation: str = "tanh", resolution: int = NEURON_RESOLUTION
    ) -> list[Array]:
        """Every hidden unit's A[l] on a coarser r x r grid over the same bounds.

        Returns [A1, ..., A(L-1)] with A[l]: (n[l], r, r), A[l][k, i, j] at (x_j, y_i);
        an empty list when the network has no hidden layer.
        """
        r = _check_resolution(resolution)
        layers = _layers(parameters, len(self.features), outputs=None)
        g = activations.get(activation).forward
        if r not in self._coarse_points:
            self._coarse_points[r] = self._inputs(_grid_points(self.bounds, r))
        A = self._coarse_points[r]
        units = []
        for W, b in layers[:-1]:
            A = g(W @ A + b)
            units.append(A.reshape(-1, r, r))
        return units


def _square(P: Array, what: str) -> Array:
    """P as a float64 (R, R) array, or ValueError."""
    P = np.asarray(P, dtype=np.float64)
    if P.ndim != 2 or P.shape[0] != P.shape[1]:
        raise ValueError(f"{what} must be a square (R, R) array, got shape {P.shape}")
    return P


def encode_probabilities(P: Array) -> str:
    """base64 of the R*R bytes round(255 P), row-major; P: (R, R) in [0, 1].

    Values are clipped to [0, 1]; an undefined (NaN) probability is drawn as 0.5.
    """
    P = np.nan_to_num(_square(P, "P"), nan=0.5)
    z = np.rint(255.0 * np.clip(P, 0.0, 1.0)).astype(np.uint8)
    return base64.b64encode(z.tobytes()).decode("ascii")


def encode_units(A: Array) -> str:
    """base64 of one unit's (r, r) activations as bytes, 128 meaning 0.

    byte = round(127.5 (1 + clip(a / s, -1, 1))) with s = max |a| over the grid
    (1 if that is 0); NaN counts as 0, +-inf as the largest float.
    """
    A = np.nan_to_num(_square(A, "A"), nan=0.0)
    s = float(np.max(np.abs(A))) or 1.0
    z = np.rint(127.5 * (1.0 + np.clip(A / s, -1.0, 1.0))).astype(np.uint8)
    return base64.b64encode(z.tobytes()).decode("ascii")
