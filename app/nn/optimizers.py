"""Update rules: the lecture's gradient descent, momentum, RMSprop and Adam.

Each optimizer is a pair `(init, update)`: `init(parameters)` returns its state (the
velocities v and squares s, shaped like the parameters), and
`update(parameters, grads, state, learning_rate, t)` returns new parameters and a new
state, with t the 1-based count of updates so far (Adam's bias correction uses it).
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from app.nn.activations import Array
from app.nn.errors import FieldError

Parameters = dict[str, Array]
State = dict[str, Array]

BETA = 0.9  # momentum
BETA1, BETA2, EPSILON = 0.9, 0.999, 1e-8  # Adam (and RMSprop's beta2, epsilon)


def _zeros_like(parameters: Parameters) -> State:
    return {name: np.zeros_like(value) for name, value in parameters.items()}


def _no_state(parameters: Parameters) -> State:
    return {}


def gd_update(
    parameters: Parameters, grads: Parameters, state: State, learning_rate: float, t: int
) -> tuple[Parameters, State]:
    """W := W - alpha dW, b := b - alpha db."""
    new = {name: p - learning_rate * grads[f"d{name}"] for name, p in parameters.items()}
    return new, state


def momentum_update(
    parameters: Parameters, grads: Parameters, state: State, learning_rate: float, t: int
) -> tuple[Parameters, State]:
    """v_dW = beta v_dW + (1 - beta) dW; W := W - alpha v_dW."""
    v = {n: BETA * state[n] + (1 - BETA) * grads[f"d{n}"] for n in parameters}
    return {n: p - learning_rate * v[n] for n, p in parameters.items()}, v


def _init_two(parameters: Parameters) -> State:
    zeros = _zeros_like(parameters)
    return {**{f"v_{n}": z for n, z in zeros.items()}, **{f"s_{n}": z for n, z in zeros.items()}}


def rmsprop_update(
    parameters: Parameters, grads: Parameters, state: State, learning_rate: float, t: int
) -> tuple[Parameters, State]:
    """s_dW = beta2 s_dW + (1 - beta2) dW^2; W := W - alpha dW / (sqrt(s_dW) + eps)."""
    s = {n: BETA2 * state[n] + (1 - BETA2) * np.square(grads[f"d{n}"]) for n in parameters}
    new = {
        n: p - learning_rate * grads[f"d{n}"] / (np.sqrt(s[n]) + EPSILON)
        for n, p in parameters.items()
    }
    return new, s


def adam_update(
    parameters: Parameters, grads: Parameters, state: State, learning_rate: float, t: int
) -> tuple[Parameters, State]:
    """Adam: momentum and RMSprop with bias correction by (1 - beta^t)."""
    new_state: State = {}
    new: Parameters = {}
    for n, p in parameters.items():
        d = grads[f"d{n}"]
        v = BETA1 * state[f"v_{n}"] + (1 - BETA1) * d
        s = BETA2 * state[f"s_{n}"] + (1 - BETA2) * np.square(d)
        v_corrected = v / (1 - BETA1**t)
        s_corrected = s / (1 - BETA2**t)
        new[n] = p - learning_rate * v_corrected / (np.sqrt(s_corrected) + EPSILON)
        new_state[f"v_{n}"], new_state[f"s_{n}"] = v, s
    return new, new_state


class Optimizer(NamedTuple):
    init: Callable[[Parameters], State]
    update: Callable[[Parameters, Parameters, State, float, int], tuple[Parameters, State]]


OPTIMIZERS: dict[str, Optimizer] = {
    "gd": Optimizer(_no_state, gd_update),
    "momentum": Optimizer(_zeros_like, momentum_update),
    "rmsprop": Optimizer(_zeros_like, rmsprop_update),
    "adam": Optimizer(_init_two, adam_update),
}


def get(name: str) -> Optimizer:
    """The (init, update) pair called `name`; FieldError names the accepted ones."""
    try:
        return OPTIMIZERS[name]
    except (KeyError, TypeError):
        accepted = ", ".join(OPTIMIZERS)
        raise FieldError(
            "optimizer", f"unknown optimizer {name!r}: use one of {accepted}"
        ) from None
