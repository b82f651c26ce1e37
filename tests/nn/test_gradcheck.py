"""The backward pass agrees with two-sided differences for every activation and depth."""

import numpy as np
import pytest

from app.nn import model
from app.nn.gradcheck import THRESHOLD, gradient_check


def _away_from_kinks(dims, activation, X, seed):
    """Xavier weights and non-zero biases, redrawn until no Z sits within 1e-3 of relu's kink."""
    rng = np.random.default_rng(seed)
    for _ in range(50):
        p = model.initialize_parameters(dims, seed=int(rng.integers(1 << 30)), init="xavier")
        p = {k: v + rng.normal(0, 0.5, v.shape) if k[0] == "b" else v for k, v in p.items()}
        _, cache = model.forward_propagation(X, p, activation)
        if all(np.abs(cache[f"Z{l}"]).min() > 1e-3 for l in range(1, len(dims))):
            return p
    raise AssertionError("no parameters away from the kinks")


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "leaky_relu"])
@pytest.mark.parametrize("dims", [[2, 4, 1], [2, 5, 3, 1], [2, 4, 4, 3, 1]])
@pytest.mark.parametrize("l2", [0.0, 0.7])
def test_gradients_pass_the_check(activation, dims, l2):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 30))
    Y = (rng.random((1, 30)) > 0.5).astype(float)
    p = _away_from_kinks(dims, activation, X, seed=len(dims))
    result = gradient_check(p, X, Y, activation, l2)
    assert result.passed, result
    assert result.difference < THRESHOLD


def test_a_wrong_gradient_fails_the_check(monkeypatch):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 30))
    Y = (rng.random((1, 30)) > 0.5).astype(float)
    p = model.initialize_parameters([2, 3, 1], seed=1, init="xavier")
    real = model.backward_propagation

    def off_by_a_bit(*args, **kwargs):
        grads = real(*args, **kwargs)
        grads["dW1"] = grads["dW1"] * 1.01  # the classic bug: a wrong factor in one layer
        return grads

    monkeypatch.setattr(model, "backward_propagation", off_by_a_bit)
    result = gradient_check(p, X, Y, "tanh")
    assert not result.passed
    assert result.worst.startswith("W1[")
