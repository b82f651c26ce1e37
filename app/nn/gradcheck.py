"""Gradient checking, the course's way: a two-sided difference for every parameter.

    gradapprox[i] = (J(theta + eps e_i) - J(theta - eps e_i)) / (2 eps)
    difference = ||grad - gradapprox|| / (||grad|| + ||gradapprox||)

The backward pass is right when the difference is below 2e-7 (eps = 1e-7).
"""

from dataclasses import dataclass

import numpy as np

from app.nn import model, problems
from app.nn.activations import Array
from app.nn.model import Parameters

EPSILON = 1e-7
THRESHOLD = 2e-7


@dataclass(frozen=True)
class GradientCheck:
    """The relative difference, whether it passes, and the worst parameter by name."""

    difference: float
    passed: bool
    worst: str  # e.g. "W1[2, 0]", the entry whose two gradients differ most


def _cost(
    X: Array, Y: Array, parameters: Parameters, activation: str, l2: float, problem: str, l1: float
) -> float:
    AL, _ = model.forward_propagation(X, parameters, activation, problem)
    return model.compute_cost(AL, Y, parameters, l2, problem, l1)


def gradient_check(
    parameters: Parameters,
    X: Array,
    Y: Array,
    activation: str = "tanh",
    l2: float = 0.0,
    epsilon: float = EPSILON,
    problem: str = "binary",
    l1: float = 0.0,
) -> GradientCheck:
    """Compare backward_propagation's gradients with two-sided differences of the cost.

    X: (n_x, m), Y: (1, m) the labels (made one-hot for multi-class). Costs n_params * 2
    forward passes: meant for small networks.
    """
    Y = problems.get(problem).targets(Y, model.layer_dims_of(parameters)[-1])
    _, cache = model.forward_propagation(X, parameters, activation, problem)
    grads = model.backward_propagation(parameters, cache, X, Y, activation, l2, l1)
    names = [name for name in parameters]
    grad = np.concatenate([grads[f"d{n}"].ravel() for n in names])
    approx = np.empty_like(grad)
    labels: list[str] = []
    k = 0
    for name in names:
        for index in np.ndindex(parameters[name].shape):
            plus = {n: p.copy() for n, p in parameters.items()}
            minus = {n: p.copy() for n, p in parameters.items()}
            plus[name][index] += epsilon
            minus[name][index] -= epsilon
            J_plus = _cost(X, Y, plus, activation, l2, problem, l1)
            J_minus = _cost(X, Y, minus, activation, l2, problem, l1)
            approx[k] = (J_plus - J_minus) / (2 * epsilon)
            labels.append(f"{name}[{', '.join(map(str, index))}]")
            k += 1
    numerator = np.linalg.norm(grad - approx)
    denominator = np.linalg.norm(grad) + np.linalg.norm(approx)
    difference = float(numerator / denominator) if denominator else 0.0
    worst = labels[int(np.argmax(np.abs(grad - approx)))]
    return GradientCheck(difference, difference < THRESHOLD, worst)
