"""Each update rule against the course's formulas, one step by hand."""

import numpy as np
import pytest

from app.nn import optimizers

P = {"W1": np.array([[1.0, -2.0]]), "b1": np.array([[0.5]])}
G = {"dW1": np.array([[0.1, -0.3]]), "db1": np.array([[0.2]])}


def _run(name, steps=2, alpha=0.1):
    opt = optimizers.get(name)
    p, state = P, opt.init(P)
    for t in range(1, steps + 1):
        p, state = opt.update(p, G, state, alpha, t)
    return p


def test_gd_is_the_lectures_update():
    np.testing.assert_allclose(_run("gd", 1)["W1"], P["W1"] - 0.1 * G["dW1"])


def test_momentum_averages_the_gradients():
    v1 = 0.1 * G["dW1"]
    v2 = 0.9 * v1 + 0.1 * G["dW1"]
    expected = P["W1"] - 0.1 * v1 - 0.1 * v2
    np.testing.assert_allclose(_run("momentum")["W1"], expected)


def test_rmsprop_divides_by_the_root_mean_square():
    s1 = 0.001 * G["dW1"] ** 2
    W = P["W1"] - 0.1 * G["dW1"] / (np.sqrt(s1) + 1e-8)
    np.testing.assert_allclose(_run("rmsprop", 1)["W1"], W)


def test_adam_first_step_moves_every_weight_by_alpha():
    # With bias correction, v/(1-b1) = dW and s/(1-b2) = dW^2, so the step is alpha*sign(dW).
    np.testing.assert_allclose(_run("adam", 1)["W1"], P["W1"] - 0.1 * np.sign(G["dW1"]), rtol=1e-6)


def test_updates_are_pure():
    before = {k: v.copy() for k, v in P.items()}
    for name in optimizers.OPTIMIZERS:
        _run(name, 3)
    for k in P:
        np.testing.assert_array_equal(P[k], before[k])


def test_unknown_optimizer_names_the_accepted_ones():
    with pytest.raises(ValueError, match="gd, momentum, rmsprop, adam"):
        optimizers.get("sgd")
