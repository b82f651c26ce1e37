"""The baseline: the lecture's equations written line by line, as in the notebook.

No tricks: fresh arrays every step, biases added separately, the cost from
np.log(A2) and np.log(1 - A2). `nn_model` is the planar-data notebook's one hidden
layer network; `deep_model` is the same loop for any number of layers, for rows of
the benchmark with more than one hidden layer. X is (n_x, m), Y is (1, m).
"""

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-z), as the notebook writes it."""
    return 1 / (1 + np.exp(-z))


def initialize_parameters(n_x: int, n_h: int, n_y: int, seed: int = 2) -> dict:
    """W1: (n_h, n_x), b1: (n_h, 1), W2: (n_y, n_h), b2: (n_y, 1); seed 2 gives the notebook's."""
    rng = np.random.RandomState(seed)
    W1 = rng.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = rng.randn(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def forward_propagation(X: np.ndarray, parameters: dict) -> tuple[np.ndarray, dict]:
    """Z1 = W1 X + b1, A1 = tanh(Z1), Z2 = W2 A1 + b2, A2 = sigmoid(Z2); A2: (1, m)."""
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    Z1 = np.dot(W1, X) + b1
    A1 = np.tanh(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = sigmoid(Z2)
    cache = {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
    return A2, cache


def compute_cost(A2: np.ndarray, Y: np.ndarray) -> float:
    """J = -(1/m) sum(Y log A2 + (1 - Y) log(1 - A2))."""
    m = Y.shape[1]
    logprobs = np.multiply(np.log(A2), Y) + np.multiply(1 - Y, np.log(1 - A2))
    cost = -np.sum(logprobs) / m
    return float(np.squeeze(cost))


def backward_propagation(parameters: dict, cache: dict, X: np.ndarray, Y: np.ndarray) -> dict:
    """The six backward equations: dZ2, dW2, db2, dZ1, dW1, db1."""
    m = X.shape[1]
    W2 = parameters["W2"]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - Y
    dW2 = 1 / m * np.dot(dZ2, A1.T)
    db2 = 1 / m * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = np.dot(W2.T, dZ2) * (1 - np.power(A1, 2))
    dW1 = 1 / m * np.dot(dZ1, X.T)
    db1 = 1 / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters(parameters: dict, grads: dict, learning_rate: float = 1.2) -> dict:
    """W := W - alpha dW, b := b - alpha db."""
    W1 = parameters["W1"] - learning_rate * grads["dW1"]
    b1 = parameters["b1"] - learning_rate * grads["db1"]
    W2 = parameters["W2"] - learning_rate * grads["dW2"]
    b2 = parameters["b2"] - learning_rate * grads["db2"]
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def nn_model(
    X: np.ndarray,
    Y: np.ndarray,
    n_h: int = 4,
    num_iterations: int = 10_000,
    learning_rate: float = 1.2,
    seed: int = 2,
) -> tuple[dict, list[float]]:
    """The notebook's loop, the cost computed every iteration; returns (parameters, costs)."""
    parameters = initialize_parameters(X.shape[0], n_h, Y.shape[0], seed)
    costs = []
    for _ in range(num_iterations):
        A2, cache = forward_propagation(X, parameters)
        costs.append(compute_cost(A2, Y))
        grads = backward_propagation(parameters, cache, X, Y)
        parameters = update_parameters(parameters, grads, learning_rate)
    return parameters, costs


def relu(Z: np.ndarray) -> np.ndarray:
    """max(0, Z)."""
    return np.maximum(0, Z)


def initialize_deep(layer_dims: list[int], seed: int, scale: str = "he") -> dict:
    """W[l]: (n[l], n[l-1]) scaled normals ("he": sqrt(2/n[l-1]), "course": 0.01), b[l] zeros."""
    rng = np.random.RandomState(seed)
    parameters = {}
    for l in range(1, len(layer_dims)):
        factor = np.sqrt(2 / layer_dims[l - 1]) if scale == "he" else 0.01
        parameters["W" + str(l)] = rng.randn(layer_dims[l], layer_dims[l - 1]) * factor
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def deep_iteration(
    X: np.ndarray, Y: np.ndarray, parameters: dict, activation: str, learning_rate: float
) -> tuple[dict, float]:
    """One iteration for L layers (hidden relu or tanh): returns (new parameters, cost)."""
    L = len(parameters) // 2
    m = X.shape[1]

    # Forward: Z[l] = W[l] A[l-1] + b[l], A[l] = g(Z[l]), sigmoid at the output.
    caches = {"A0": X}
    A = X
    for l in range(1, L + 1):
        Z = np.dot(parameters["W" + str(l)], A) + parameters["b" + str(l)]
        if l == L:
            A = sigmoid(Z)
        elif activation == "relu":
            A = relu(Z)
        else:
            A = np.tanh(Z)
        caches["Z" + str(l)] = Z
        caches["A" + str(l)] = A

    logprobs = np.multiply(np.log(A), Y) + np.multiply(1 - Y, np.log(1 - A))
    cost = float(-np.sum(logprobs) / m)

    # Backward: dZ[L] = A[L] - Y, then down the layers.
    grads = {}
    dZ = A - Y
    for l in range(L, 0, -1):
        A_prev = caches["A" + str(l - 1)]
        grads["dW" + str(l)] = 1 / m * np.dot(dZ, A_prev.T)
        grads["db" + str(l)] = 1 / m * np.sum(dZ, axis=1, keepdims=True)
        if l > 1:
            dA_prev = np.dot(parameters["W" + str(l)].T, dZ)
            if activation == "relu":
                dZ = dA_prev * (caches["Z" + str(l - 1)] > 0)
            else:
                dZ = dA_prev * (1 - np.power(A_prev, 2))

    updated = {}
    for l in range(1, L + 1):
        updated["W" + str(l)] = parameters["W" + str(l)] - learning_rate * grads["dW" + str(l)]
        updated["b" + str(l)] = parameters["b" + str(l)] - learning_rate * grads["db" + str(l)]
    return updated, cost


def deep_model(
    X: np.ndarray,
    Y: np.ndarray,
    layer_dims: list[int],
    activation: str = "relu",
    num_iterations: int = 2_000,
    learning_rate: float = 0.1,
    seed: int = 4,
    init: str = "he",
) -> tuple[dict, list[float]]:
    """The same loop for L layers, hidden layers relu or tanh; returns (parameters, costs)."""
    parameters = initialize_deep(layer_dims, seed, init)
    costs = []
    for _ in range(num_iterations):
        parameters, cost = deep_iteration(X, Y, parameters, activation, learning_rate)
        costs.append(cost)
    return parameters, costs
