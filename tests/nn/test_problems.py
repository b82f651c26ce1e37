"""Problems beyond the lecture's: softmax over K classes, regression, L1, input features.

Each keeps dZ[L] = A[L] - Y, so the course's gradient check is the test that the pairing
of output and cost is right."""

import numpy as np
import pytest

from app.nn import datasets, features, gradcheck, model, problems
from app.nn.trainer import TrainConfig, Trainer


def small_data(problem: str, K: int = 3, m: int = 24) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, m))
    if problem == "multiclass":
        return X, (np.arange(m) % K).reshape(1, m).astype(float)
    if problem == "regression":
        return X, np.tanh(X[0] - X[1]).reshape(1, m)
    return X, (X[0] * X[1] > 0).reshape(1, m).astype(float)


@pytest.mark.parametrize("problem, K", [("multiclass", 3), ("regression", 1), ("binary", 1)])
@pytest.mark.parametrize("hidden", [[], [4], [4, 3]])
@pytest.mark.parametrize("l2, l1", [(0.0, 0.0), (0.7, 0.0), (0.0, 0.5), (0.3, 0.4)])
def test_the_gradient_check_passes_for_every_output_and_cost(problem, K, hidden, l2, l1):
    X, Y = small_data(problem, K)
    parameters = model.initialize_parameters([2, *hidden, K], seed=3, init="xavier")
    check = gradcheck.gradient_check(parameters, X, Y, "tanh", l2=l2, problem=problem, l1=l1)
    assert check.passed, check
    assert check.difference < gradcheck.THRESHOLD


def test_softmax_gives_each_column_probabilities_without_overflow():
    Z = np.array([[1000.0, -3.0, 0.0], [1001.0, 2.0, 0.0], [999.0, 1.0, 0.0]])
    A = problems.softmax(Z)
    np.testing.assert_allclose(A.sum(axis=0), 1.0)
    assert np.all(np.isfinite(A)) and A[1, 0] > A[0, 0] > A[2, 0]
    np.testing.assert_allclose(A[:, 2], 1 / 3)


def test_the_multiclass_cost_is_the_cross_entropy_of_the_true_class():
    AL = np.array([[0.7, 0.1], [0.2, 0.6], [0.1, 0.3]])
    Y = problems.one_hot(np.array([[0.0, 2.0]]), 3)
    assert Y.tolist() == [[1, 0], [0, 0], [0, 1]]
    cost = model.compute_cost(AL, Y, problem="multiclass")
    assert cost == pytest.approx(-(np.log(0.7) + np.log(0.3)) / 2)


def test_regression_costs_half_the_mean_squared_error_and_scores_r_squared():
    AL, Y = np.array([[1.0, 2.0, 4.0]]), np.array([[1.0, 3.0, 3.0]])
    assert model.compute_cost(AL, Y, problem="regression") == pytest.approx(2 / 6)
    assert problems.r_squared(Y, Y) == 1.0
    assert problems.r_squared(np.full((1, 3), Y.mean()), Y) == pytest.approx(0.0)


def test_l1_adds_its_penalty_to_the_cost_and_sign_w_to_dw():
    X, Y = small_data("binary")
    parameters = model.initialize_parameters([2, 3, 1], seed=1)
    AL, cache = model.forward_propagation(X, parameters)
    plain = model.compute_cost(AL, Y)
    l1_sum = sum(np.abs(parameters[w]).sum() for w in ("W1", "W2"))
    assert model.compute_cost(AL, Y, parameters, l1=2.0) == pytest.approx(plain + 2.0 / 24 * l1_sum)
    grads = model.backward_propagation(parameters, cache, X, Y, l1=2.0)
    base = model.backward_propagation(parameters, cache, X, Y)
    np.testing.assert_allclose(grads["dW1"] - base["dW1"], 2.0 / 24 * np.sign(parameters["W1"]))
    np.testing.assert_array_equal(grads["db1"], base["db1"])


def test_squared_features_let_logistic_regression_separate_the_circles():
    X, Y = datasets.make("circles")
    X_train, Y_train, X_test, Y_test = datasets.train_test_split(X, Y, 0.25, 1)
    names = ("x1^2", "x2^2")
    inputs = features.inputs(X_train, names)
    config = TrainConfig(layer_dims=(2, 1), learning_rate=0.1, iterations=3000)
    trainer = Trainer(config, inputs, Y_train, features.inputs(X_test, names), Y_test)
    for _ in trainer.steps():
        pass
    accuracy = trainer.metrics().test_accuracy
    assert accuracy is not None and accuracy >= 0.95


def test_a_small_network_learns_a_three_arm_spiral():
    X, Y = datasets.make("spiral", 300, 0.1, 1, n_classes=3)
    config = TrainConfig(
        layer_dims=(2, 16, 16, 3), activation="relu", init="he", optimizer="adam",
        learning_rate=0.02, iterations=1000, problem="multiclass",
    )  # fmt: skip
    trainer = Trainer(config, X, Y)
    for _ in trainer.steps():
        pass
    accuracy = trainer.metrics().train_accuracy
    assert accuracy is not None and accuracy >= 0.90


def test_a_network_fits_the_regression_plane():
    X, Y = datasets.make("reg-plane")
    config = TrainConfig(
        layer_dims=(2, 4, 1), learning_rate=0.05, iterations=2000, problem="regression"
    )
    trainer = Trainer(config, X, Y)
    for _ in trainer.steps():
        pass
    metrics = trainer.metrics()
    assert metrics.train_accuracy is None
    assert metrics.train_r2 is not None and metrics.train_r2 > 0.95


@pytest.mark.parametrize("name", datasets.MULTICLASS)
@pytest.mark.parametrize("K", [3, 4, 6])
def test_the_multiclass_sets_have_k_classes_of_near_equal_size(name, K):
    X, Y = datasets.make(name, 100, 0.1, 1, n_classes=K)
    assert X.shape == (2, 100)
    counts = np.bincount(Y[0].astype(int))
    assert len(counts) == K and counts.max() - counts.min() <= 1


@pytest.mark.parametrize("name", datasets.MULTICLASS)
def test_two_classes_are_the_two_class_set(name):
    np.testing.assert_array_equal(
        datasets.make(name, n_classes=2)[0], datasets.make(name)[0]
    )  # fmt: skip


@pytest.mark.parametrize(
    "name, K, words",
    [
        ("flower", 3, "multi-class datasets"),
        ("spiral", 7, "from 2 to 6"),
        ("spiral", 1, "from 2 to 6"),
        ("blobs", 2.5, "from 2 to 6"),
        ("reg-plane", 2, "multi-class datasets"),
    ],
)
def test_n_classes_is_refused_where_it_does_not_fit(name, K, words):
    with pytest.raises(ValueError, match=words):
        datasets.make(name, n_classes=K)


@pytest.mark.parametrize("name", datasets.REGRESSION_MAKERS)
def test_the_regression_sets_hold_values_in_minus_one_to_one(name):
    X, Y = datasets.make(name, 500, 0.0, 3)
    assert X.shape == (2, 500) and Y.shape == (1, 500)
    assert Y.min() >= -1 and Y.max() <= 1 and len(np.unique(Y)) > 100
    assert datasets.problem_of(name) == "regression"


def test_features_are_rows_of_the_input_in_the_order_chosen():
    X = np.array([[1.0, 2.0], [3.0, -1.0]])
    A0 = features.inputs(X, ["x1*x2", "x1", "sin(x2)", "x2^2"])
    expected = np.array([[3.0, -2.0], [1.0, 2.0], list(np.sin([3.0, -1.0])), [9.0, 1.0]])
    np.testing.assert_allclose(A0, expected)
    assert features.inputs(X) is X  # the lecture's input, untouched
    for bad, words in [([], "at least one"), (["x3"], "unknown feature"), (["x1", "x1"], "once")]:
        with pytest.raises(ValueError, match=words):
            features.inputs(X, bad)


def test_the_output_layer_fits_the_problem():
    with pytest.raises(ValueError, match="a unit per class"):
        TrainConfig(layer_dims=(2, 4, 1), problem="multiclass")
    with pytest.raises(ValueError, match="1 unit"):
        TrainConfig(layer_dims=(2, 4, 3), problem="regression")
    with pytest.raises(ValueError, match="unknown problem"):
        TrainConfig(problem="ranking")
    with pytest.raises(ValueError, match="l1 must be"):
        TrainConfig(l1=-1.0)
