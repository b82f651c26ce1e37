"""The lecture's network: initialise, forward, cost, backward, update, predict.

One example per column: X is (n_x, m), Y is (1, m). For an L-layer network with
layer_dims = [n_x, n[1], ..., n[L]], W[l] is (n[l], n[l-1]) and b[l] is (n[l], 1).
Hidden layers use the named activation g; the output layer is the problem's
(app.nn.problems): sigmoid for the lecture's binary classification, softmax over K
classes (Y one-hot, (K, m)), or a linear unit for regression.
These functions are pure: they return new arrays and never change their inputs.
"""

import math
from collections.abc import Sequence

import numpy as np

from app.nn import activations, problems
from app.nn.activations import Array
from app.nn.errors import FieldError

Parameters = dict[str, Array]
INITS = ("course", "he", "xavier")


def n_layers(parameters: Parameters) -> int:
    """L, the number of layers with weights (hidden layers + the output layer)."""
    L = len(parameters) // 2
    if L < 1 or any(
        f"W{l}" not in parameters or f"b{l}" not in parameters for l in range(1, L + 1)
    ):
        raise FieldError("parameters", "parameters must hold W1, b1, ..., WL, bL")
    return L


def layer_dims_of(parameters: Parameters) -> list[int]:
    """[n_x, n[1], ..., n[L]] read off the weight shapes."""
    L = n_layers(parameters)
    return [parameters["W1"].shape[1]] + [parameters[f"W{l}"].shape[0] for l in range(1, L + 1)]


def check_layer_dims(layer_dims: Sequence[int]) -> list[int]:
    """[n_x, n[1], ..., n[L]] as ints; FieldError unless at least two positive whole numbers."""
    dims = list(layer_dims)
    if len(dims) < 2:
        raise FieldError("layer_dims", f"layer_dims needs at least [n_x, n_y], got {dims}")
    if any(not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 1 for n in dims):
        raise FieldError("layer_dims", f"layer_dims must be positive whole numbers, got {dims}")
    return [int(n) for n in dims]


def initialize_parameters(
    layer_dims: Sequence[int], seed: int | None = None, init: str = "course"
) -> Parameters:
    """W[l]: (n[l], n[l-1]) drawn per `init`, b[l]: (n[l], 1) zeros.

    "course" is the lecture's randn * 0.01; "he" and "xavier" scale standard normals
    by sqrt(2 / n[l-1]) and sqrt(1 / n[l-1]). A local legacy RandomState(seed) draws
    W1, W2, ... in order, so seed=2 with [2, 4, 1] gives the notebook's W1 and W2.
    """
    dims = check_layer_dims(layer_dims)
    if init not in INITS:
        raise FieldError("init", f"unknown init {init!r}: use one of {', '.join(INITS)}")
    rng = np.random.RandomState(seed)
    parameters: Parameters = {}
    for l in range(1, len(dims)):
        n_prev = dims[l - 1]
        scale = {"course": 0.01, "he": np.sqrt(2.0 / n_prev), "xavier": np.sqrt(1.0 / n_prev)}[init]
        parameters[f"W{l}"] = rng.randn(dims[l], n_prev) * scale
        parameters[f"b{l}"] = np.zeros((dims[l], 1))
    return parameters


def check_X(X: Array, parameters: Parameters) -> None:
    """FieldError unless X is (n_x, m) for these parameters' W1: (n[1], n_x)."""
    n_x = parameters["W1"].shape[1]
    if not isinstance(X, np.ndarray) or X.ndim != 2 or X.shape[0] != n_x:
        shape = getattr(X, "shape", type(X).__name__)
        raise FieldError("X", f"X must be an array of shape (n_x={n_x}, m), got {shape}")


def check_Y(Y: Array, m: int, n_y: int = 1) -> None:
    """FieldError unless Y is (n_y, m): (1, m), or one-hot (K, m) for K classes."""
    if not isinstance(Y, np.ndarray) or Y.shape != (n_y, m):
        shape = getattr(Y, "shape", type(Y).__name__)
        raise FieldError("Y", f"Y must be an array of shape ({n_y}, m={m}), got {shape}")


def check_penalty(name: str, value: float) -> float:
    """A penalty's lambda (`name`: "l2" or "l1") as a float; FieldError unless a finite
    number >= 0."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < math.inf:
        raise FieldError(name, f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def forward_propagation(
    X: Array, parameters: Parameters, activation: str = "tanh", problem: str = "binary"
) -> tuple[Array, dict[str, Array]]:
    """Z[l] = W[l] A[l-1] + b[l], A[l] = g[l](Z[l]) for l = 1..L, with A[0] = X.

    X: (n_x, m). Returns AL: (n[L], m), the problem's output (the sigmoid's P(y=1) for
    the lecture's binary problem), and the cache {"Z1", "A1", ..., "ZL", "AL"} with
    Z[l], A[l]: (n[l], m).
    """
    g = activations.get(activation).forward
    output = problems.get(problem).output
    L = n_layers(parameters)
    check_X(X, parameters)
    cache: dict[str, Array] = {}
    A = X
    for l in range(1, L + 1):
        Z = parameters[f"W{l}"] @ A + parameters[f"b{l}"]
        A = output(Z) if l == L else g(Z)
        cache[f"Z{l}"], cache[f"A{l}"] = Z, A
    return A, cache


def compute_cost(
    AL: Array,
    Y: Array,
    parameters: Parameters | None = None,
    l2: float = 0.0,
    problem: str = "binary",
    l1: float = 0.0,
) -> float:
    """J = -(1/m) sum(Y log AL + (1-Y) log(1-AL)) [+ (l2 / 2m) sum ||W[l]||^2]
    [+ (l1 / m) sum |W[l]|], the problem's cost (app.nn.problems) with its penalties.

    AL, Y: (n[L], m), Y one-hot for multi-class. For cross-entropy a right answer given
    with certainty (A = Y = 1, or A = Y = 0) costs 0, as 0 log 0 = 0 (scipy's xlogy); a
    wrong one, an infinite cost rather than a warning: the trainer reads that as divergence.
    """
    cost_of = problems.get(problem).cost
    if not isinstance(AL, np.ndarray) or AL.ndim != 2:
        raise ValueError(f"AL must be an array of shape (n[L], m), got {getattr(AL, 'shape', AL)}")
    check_Y(Y, AL.shape[1], AL.shape[0])
    m = AL.shape[1]
    cost = cost_of(AL, Y)
    if l2 or l1:
        if parameters is None:
            raise ValueError("compute_cost needs the parameters when l2 > 0 or l1 > 0")
        weights = [parameters[f"W{l}"] for l in range(1, n_layers(parameters) + 1)]
        if l2:
            cost += l2 / (2 * m) * sum(np.sum(np.square(W)) for W in weights)
        if l1:
            cost += l1 / m * sum(np.sum(np.abs(W)) for W in weights)
    return float(cost)


xlogy = problems.xlogy  # x log y, 0 where x = 0: the cross-entropy's terms


def backward_propagation(
    parameters: Parameters,
    cache: dict[str, Array],
    X: Array,
    Y: Array,
    activation: str = "tanh",
    l2: float = 0.0,
    l1: float = 0.0,
) -> dict[str, Array]:
    """The lecture's backward pass, from dZ[L] = A[L] - Y down to layer 1.

    dW[l] = (1/m) dZ[l] A[l-1]^T [+ (l2/m) W[l]] [+ (l1/m) sign(W[l])], db[l] = (1/m)
    np.sum(dZ[l], axis=1, keepdims=True), dZ[l-1] = W[l]^T dZ[l] * g'(Z[l-1]). Returns
    {"dW1", "db1", ...} with dW[l] shaped like W[l] and db[l] like b[l]. dZ[L] = A[L] - Y
    holds for every problem's output and cost (app.nn.problems): Y is shaped like A[L].
    """
    g_prime = activations.get(activation).derivative
    L = n_layers(parameters)
    check_X(X, parameters)
    m = X.shape[1]
    check_Y(Y, m, parameters[f"W{L}"].shape[0])
    missing = [f"{k}{l}" for l in range(1, L + 1) for k in "ZA" if f"{k}{l}" not in cache]
    if missing:
        raise ValueError(f"cache lacks {', '.join(missing)}: pass forward_propagation's cache")
    grads: dict[str, Array] = {}
    dZ = cache[f"A{L}"] - Y
    for l in range(L, 0, -1):
        A_prev = X if l == 1 else cache[f"A{l - 1}"]
        W = parameters[f"W{l}"]
        grads[f"dW{l}"] = 1 / m * np.dot(dZ, A_prev.T) + (l2 / m) * W
        if l1:
            grads[f"dW{l}"] += (l1 / m) * np.sign(W)
        grads[f"db{l}"] = 1 / m * np.sum(dZ, axis=1, keepdims=True)
        if l > 1:
            dZ = np.dot(W.T, dZ) * g_prime(cache[f"Z{l - 1}"])
    return grads


def update_parameters(
    parameters: Parameters, grads: dict[str, Array], learning_rate: float
) -> Parameters:
    """W[l] := W[l] - alpha dW[l], b[l] := b[l] - alpha db[l]; returns new arrays."""
    L = n_layers(parameters)
    updated: Parameters = {}
    for l in range(1, L + 1):
        for name in (f"W{l}", f"b{l}"):
            if f"d{name}" not in grads:
                raise ValueError(f"grads must hold d{name} (grads from backward_propagation)")
            if grads[f"d{name}"].shape != parameters[name].shape:
                raise ValueError(
                    f"d{name} has shape {grads[f'd{name}'].shape}, {name} has "
                    f"{parameters[name].shape}"
                )
            updated[name] = parameters[name] - learning_rate * grads[f"d{name}"]
    return updated


def predict(
    X: Array, parameters: Parameters, activation: str = "tanh", problem: str = "binary"
) -> Array:
    """Y_hat: (1, m): 0.0/1.0, 1 where A[L] > 0.5 (binary); the most likely class
    (multi-class); the predicted value (regression)."""
    AL, _ = forward_propagation(X, parameters, activation, problem)
    return problems.get(problem).predict(AL)


def accuracy(
    X: Array, Y: Array, parameters: Parameters, activation: str = "tanh", problem: str = "binary"
) -> float:
    """The fraction of the m examples in X: (n_x, m) whose label in Y: (1, m) predict gets
    right (for regression: R^2, the share of Y's variance the predictions explain)."""
    check_Y(Y, X.shape[1] if isinstance(X, np.ndarray) and X.ndim == 2 else -1)
    AL, _ = forward_propagation(X, parameters, activation, problem)
    return problems.get(problem).scored(AL, Y)
