"""The lecture's functions: course-exact numbers, shapes, purity and errors."""

import re

import numpy as np
import pytest

from app.nn import model

NOTEBOOK_W1 = [
    [-0.00416758, -0.00056267],
    [-0.02136196, 0.01640271],
    [-0.01793436, -0.00841747],
    [0.00502881, -0.01245288],
]
NOTEBOOK_W2 = [[-0.01057952, -0.00909008, 0.00551454, 0.02292208]]


def test_course_init_gives_the_notebooks_weights():
    parameters = model.initialize_parameters([2, 4, 1], seed=2)
    np.testing.assert_allclose(parameters["W1"], NOTEBOOK_W1, atol=5e-9)
    np.testing.assert_allclose(parameters["W2"], NOTEBOOK_W2, atol=5e-9)
    assert parameters["b1"].shape == (4, 1) and not parameters["b1"].any()
    assert parameters["b2"].shape == (1, 1) and not parameters["b2"].any()


def test_init_does_not_touch_global_random_state():
    np.random.seed(123)
    expected = np.random.rand()
    np.random.seed(123)
    model.initialize_parameters([2, 4, 1], seed=2)
    assert np.random.rand() == expected


@pytest.mark.parametrize("init, scale", [("he", 2.0), ("xavier", 1.0)])
def test_he_and_xavier_scale_by_fan_in(init, scale):
    parameters = model.initialize_parameters([400, 300, 1], seed=0, init=init)
    assert parameters["W1"].std() == pytest.approx(np.sqrt(scale / 400), rel=0.02)
    assert parameters["W2"].std() == pytest.approx(np.sqrt(scale / 300), rel=0.1)


def test_same_seed_same_parameters_and_shapes():
    a = model.initialize_parameters([3, 5, 2, 1], seed=7, init="he")
    b = model.initialize_parameters([3, 5, 2, 1], seed=7, init="he")
    assert {k: v.shape for k, v in a.items()} == {
        "W1": (5, 3),
        "b1": (5, 1),
        "W2": (2, 5),
        "b2": (2, 1),
        "W3": (1, 2),
        "b3": (1, 1),
    }
    for name in a:
        np.testing.assert_array_equal(a[name], b[name])


def _two_layer_reference(X, Y, p):
    """The notebook's one-hidden-layer equations written out by hand."""
    m = X.shape[1]
    Z1 = p["W1"] @ X + p["b1"]
    A1 = np.tanh(Z1)
    Z2 = p["W2"] @ A1 + p["b2"]
    A2 = 1 / (1 + np.exp(-Z2))
    dZ2 = A2 - Y
    dW2 = dZ2 @ A1.T / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = p["W2"].T @ dZ2 * (1 - A1**2)
    dW1 = dZ1 @ X.T / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return A2, {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def test_forward_and_backward_match_the_lectures_equations():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 50))
    Y = (rng.random((1, 50)) > 0.5).astype(float)
    p = model.initialize_parameters([2, 4, 1], seed=1, init="xavier")
    A2_ref, grads_ref = _two_layer_reference(X, Y, p)
    A2, cache = model.forward_propagation(X, p, "tanh")
    assert set(cache) == {"Z1", "A1", "Z2", "A2"}
    assert cache["A1"].shape == (4, 50) and A2.shape == (1, 50)
    np.testing.assert_allclose(A2, A2_ref, rtol=1e-12)
    grads = model.backward_propagation(p, cache, X, Y, "tanh")
    assert set(grads) == set(grads_ref)
    for name, value in grads_ref.items():
        np.testing.assert_allclose(grads[name], value, rtol=1e-10, atol=1e-15)


def test_functions_do_not_change_their_inputs():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(2, 20))
    Y = (rng.random((1, 20)) > 0.5).astype(float)
    p = model.initialize_parameters([2, 3, 1], seed=1, init="he")
    before = {k: v.copy() for k, v in p.items()}
    X_before = X.copy()
    _, cache = model.forward_propagation(X, p)
    grads = model.backward_propagation(p, cache, X, Y)
    new = model.update_parameters(p, grads, 0.5)
    for name in p:
        np.testing.assert_array_equal(p[name], before[name])
        np.testing.assert_allclose(new[name], p[name] - 0.5 * grads[f"d{name}"])
    np.testing.assert_array_equal(X, X_before)


def test_cost_of_a_half_output_is_log_2_and_l2_adds_its_term():
    Y = np.array([[0.0, 1.0, 1.0, 0.0]])
    AL = np.full((1, 4), 0.5)
    assert model.compute_cost(AL, Y) == pytest.approx(np.log(2))
    p = {
        "W1": np.ones((2, 2)),
        "b1": np.zeros((2, 1)),
        "W2": np.ones((1, 2)),
        "b2": np.ones((1, 1)),
    }
    # (l2 / 2m) * sum of squared weights (biases excluded) = 0.8 / 8 * 6
    assert model.compute_cost(AL, Y, p, l2=0.8) == pytest.approx(np.log(2) + 0.6)


def test_saturated_output_gives_infinite_cost_without_warning():
    with np.errstate(all="raise"):
        assert model.compute_cost(np.array([[1.0]]), np.array([[0.0]])) == np.inf


def test_a_right_answer_with_certainty_costs_zero_not_nan():
    # 0 log 0 = 0 (as scipy's xlogy): A = Y exactly is a perfect prediction.
    with np.errstate(all="raise"):
        assert model.compute_cost(np.array([[1.0, 0.0]]), np.array([[1.0, 0.0]])) == 0.0
        half = model.compute_cost(np.array([[1.0, 0.5]]), np.array([[1.0, 1.0]]))
    assert half == pytest.approx(np.log(2) / 2)


def test_predict_thresholds_at_one_half():
    p = {
        "W1": np.array([[1.0]]),
        "b1": np.zeros((1, 1)),
        "W2": np.array([[10.0]]),
        "b2": np.zeros((1, 1)),
    }
    Y_hat = model.predict(np.array([[-2.0, -0.1, 0.1, 3.0]]), p)
    np.testing.assert_array_equal(Y_hat, [[0.0, 0.0, 1.0, 1.0]])
    assert Y_hat.dtype == np.float64


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: model.initialize_parameters([2, 4, 1], init="zeros"), "course, he, xavier"),
        (lambda: model.initialize_parameters([2, 0, 1]), "positive whole numbers"),
        (lambda: model.initialize_parameters([2]), "at least"),
        (
            lambda: model.forward_propagation(np.ones((3, 5)), model.initialize_parameters([2, 1])),
            "n_x=2",
        ),
        (
            lambda: model.forward_propagation(
                np.ones((2, 5)), model.initialize_parameters([2, 1]), "swish"
            ),
            "leaky_relu, linear, relu, sigmoid, tanh",
        ),
        (lambda: model.compute_cost(np.ones((1, 5)) / 2, np.ones(5)), "shape (1, m=5)"),
        (lambda: model.compute_cost(np.ones(5) / 2, np.ones((1, 5))), "AL must be"),
        (lambda: model.n_layers({"W1": np.ones((1, 1))}), "W1, b1"),
        (lambda: model.update_parameters(model.initialize_parameters([2, 1]), {}, 0.1), "dW1"),
        (
            lambda: model.backward_propagation(
                model.initialize_parameters([2, 1]), {}, np.ones((2, 3)), np.ones((1, 3))
            ),
            "cache lacks Z1, A1",
        ),
    ],
)
def test_bad_input_raises_a_value_error_that_says_what_is_accepted(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()
