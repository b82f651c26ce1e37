"""Activation functions, each kept beside its derivative: g(Z) and g'(Z).

The registry maps a name to an Activation: its forward and derivative, which both take Z
and return an array of Z's shape, and how the page writes it (the menu's label, the
equations' symbol and g'). The derivative is written in terms of Z, as the lecture writes
g'[l](Z[l]) in dZ[l] = W[l+1]^T dZ[l+1] * g'[l](Z[l]). An activation added here is one the
server trains with and the page offers, draws and writes into its equations.
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from app.nn.errors import FieldError

Array = np.ndarray

LEAKY_SLOPE = 0.01


def sigmoid(Z: Array) -> Array:
    """sigma(Z) = 1 / (1 + e^-Z), computed without overflow for large |Z|."""
    # exp of a large positive number overflows; split by sign so only e^-|Z| is taken.
    E = np.exp(-np.abs(Z))
    return np.where(Z >= 0, 1.0 / (1.0 + E), E / (1.0 + E))


def sigmoid_prime(Z: Array) -> Array:
    """sigma'(Z) = sigma(Z) (1 - sigma(Z))."""
    A = sigmoid(Z)
    return A * (1.0 - A)


def tanh(Z: Array) -> Array:
    """tanh(Z)."""
    return np.tanh(Z)


def tanh_prime(Z: Array) -> Array:
    """tanh'(Z) = 1 - tanh(Z)^2, as the lecture writes 1 - A1^2."""
    return 1.0 - np.tanh(Z) ** 2


def relu(Z: Array) -> Array:
    """max(0, Z)."""
    return np.maximum(0.0, Z)


def relu_prime(Z: Array) -> Array:
    """1 where Z > 0, else 0 (the course takes 0 at Z = 0)."""
    return (Z > 0).astype(Z.dtype)


def leaky_relu(Z: Array) -> Array:
    """max(0.01 Z, Z)."""
    return np.where(Z > 0, Z, LEAKY_SLOPE * Z)


def leaky_relu_prime(Z: Array) -> Array:
    """1 where Z > 0, else 0.01."""
    return np.where(Z > 0, 1.0, LEAKY_SLOPE).astype(Z.dtype)


def linear(Z: Array) -> Array:
    """g(Z) = Z (TF Playground's "linear"): a network of linear layers is one linear map."""
    return np.array(Z, dtype=np.float64)


def linear_prime(Z: Array) -> Array:
    return np.ones_like(Z, dtype=np.float64)


class Activation(NamedTuple):
    """g and g' of Z; `label`: its name on the page (the menu, the network's layers);
    `symbol`: g in the equations (A1 = tanh(Z1)); `derivative_text`: g'(Z[l]) in them, {l}
    standing for the layer ("1 − A{l}²"; empty: written g'(Z[l]))."""

    forward: Callable[[Array], Array]
    derivative: Callable[[Array], Array]
    label: str
    symbol: str
    derivative_text: str = ""


ACTIVATIONS: dict[str, Activation] = {
    "tanh": Activation(tanh, tanh_prime, "tanh", "tanh", "1 − A{l}²"),
    "relu": Activation(relu, relu_prime, "ReLU", "relu", "1 where Z{l} > 0, else 0"),
    "sigmoid": Activation(sigmoid, sigmoid_prime, "sigmoid", "σ", "A{l} (1 − A{l})"),
    "leaky_relu": Activation(
        leaky_relu,
        leaky_relu_prime,
        "leaky ReLU",
        "leaky_relu",
        f"1 where Z{{l}} > 0, else {LEAKY_SLOPE:g}",
    ),
    "linear": Activation(linear, linear_prime, "linear", "linear"),
}


def get(name: str) -> Activation:
    """The activation called `name`; FieldError names the accepted ones."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        accepted = ", ".join(sorted(ACTIVATIONS))
        raise FieldError(
            "activation", f"unknown activation {name!r}: use one of {accepted}"
        ) from None
