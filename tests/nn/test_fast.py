"""The in-place fast path: the app.nn.model functions' numbers, in its own arrays."""

import ast
import inspect
import textwrap
import warnings

import numpy as np
import pytest

from app.nn import datasets, model
from app.nn.fast import InPlaceGradientDescent
from app.nn.trainer import TrainConfig, Trainer


@pytest.fixture(scope="module")
def flower():
    return datasets.make("flower", n_samples=400, noise=0.2, seed=1)


def contract_run(X, Y, parameters, activation, l2, learning_rates):
    """Costs and final parameters of the model functions, one learning rate per step."""
    costs = []
    for alpha in learning_rates:
        AL, cache = model.forward_propagation(X, parameters, activation)
        costs.append(model.compute_cost(AL, Y, parameters, l2))
        grads = model.backward_propagation(parameters, cache, X, Y, activation, l2)
        parameters = model.update_parameters(parameters, grads, alpha)
    return costs, parameters


def assert_same_parameters(actual, expected):
    assert actual.keys() == expected.keys()
    for name in expected:
        np.testing.assert_allclose(actual[name], expected[name], rtol=1e-9, atol=1e-12)


# Runs chosen away from an escape from a plateau, where any rounding difference (even
# between two orders of the same sum) grows by orders of magnitude in a few steps.
@pytest.mark.parametrize(
    "layer_dims, activation, init, seed, alpha, l2",
    [
        ((2, 4, 1), "tanh", "course", 2, 1.2, 0.0),
        ((2, 5, 3, 1), "relu", "he", 4, 0.3, 0.1),
        ((2, 6, 1), "sigmoid", "xavier", 1, 2.0, 0.05),
        ((2, 7, 5, 1), "leaky_relu", "he", 3, 0.2, 0.0),
        ((2, 3, 3, 3, 1), "tanh", "xavier", 6, 0.5, 0.2),
        ((2, 1), "tanh", "he", 0, 0.5, 0.0),  # no hidden layer: logistic regression
    ],
)
def test_costs_and_parameters_match_the_contract_functions(
    flower, layer_dims, activation, init, seed, alpha, l2
):
    X, Y = flower
    start = model.initialize_parameters(layer_dims, seed, init)
    expected_costs, expected = contract_run(X, Y, start, activation, l2, [alpha] * 250)
    fast = InPlaceGradientDescent(start, X, Y, activation, l2)
    costs = [fast.step(alpha) for _ in range(250)]
    np.testing.assert_allclose(costs, expected_costs, rtol=0, atol=1e-11)
    assert_same_parameters(fast.parameters, expected)
    assert costs[-1] < costs[0]


def test_the_learning_rate_may_change_between_steps(flower):
    X, Y = flower
    schedule = [1.2] * 50 + [0.1] * 50 + [3.0] * 50
    start = model.initialize_parameters((2, 4, 1), 2)
    expected_costs, expected = contract_run(X, Y, start, "tanh", 0.0, schedule)
    fast = InPlaceGradientDescent(start, X, Y)
    costs = [fast.step(alpha) for alpha in schedule]
    np.testing.assert_allclose(costs, expected_costs, rtol=0, atol=1e-11)
    assert_same_parameters(fast.parameters, expected)


def test_the_callers_arrays_are_never_changed(flower):
    X, Y = flower
    start = model.initialize_parameters((2, 5, 3, 1), 4, "he")
    before = {"X": X.copy(), "Y": Y.copy(), **{k: v.copy() for k, v in start.items()}}
    fast = InPlaceGradientDescent(start, X, Y, "relu", 0.1)
    for _ in range(20):
        fast.step(0.3)
    after = {"X": X, "Y": Y, **start}
    for name, value in before.items():
        np.testing.assert_array_equal(after[name], value, err_msg=name)
    assert not np.array_equal(fast.parameters["W1"], start["W1"])


def test_parameters_are_read_only_and_updated_in_place(flower):
    X, Y = flower
    fast = InPlaceGradientDescent(model.initialize_parameters((2, 4, 1), 2), X, Y)
    parameters = fast.parameters
    W1 = parameters["W1"].copy()
    for value in parameters.values():
        with pytest.raises(ValueError, match="read-only"):
            value[...] = 0.0
    fast.step(1.2)
    # The hidden layers' arrays are views of the buffers the updates are written into.
    assert not np.array_equal(parameters["W1"], W1)
    np.testing.assert_array_equal(parameters["W1"], fast.parameters["W1"])


def test_load_replaces_the_parameters(flower):
    X, Y = flower
    fast = InPlaceGradientDescent(model.initialize_parameters((2, 4, 1), 2), X, Y)
    other = model.initialize_parameters((2, 4, 1), 7, "he")
    fast.load(other)
    assert_same_parameters(fast.parameters, other)
    with pytest.raises(ValueError, match="layer dims"):
        fast.load(model.initialize_parameters((2, 3, 1), 7))
    with pytest.raises(ValueError, match="b1"):
        fast.load({**other, "b1": np.zeros(4)})


def one_input_run(x, y, w=1.0):
    """Logistic regression Z = w x on the points x, labels y: (1, m) each."""
    X, Y = np.array([x], dtype=float), np.array([y], dtype=float)
    parameters = {"W1": np.array([[w]]), "b1": np.zeros((1, 1))}
    return X, Y, parameters


def test_a_right_answer_with_certainty_costs_nothing_and_training_goes_on():
    # sigmoid(40) rounds to 1.0 for a label 1: log(1 - A) = -inf times 1 - Y = 0 is
    # 0 log 0 = 0, not nan; the cost is that of the other points, and the update happens.
    X, Y, start = one_input_run([40.0, -1.0, 2.0], [1.0, 0.0, 1.0])
    expected_costs, expected = contract_run(X, Y, start, "tanh", 0.0, [0.1, 0.1])
    fast = InPlaceGradientDescent(start, X, Y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning either, as in the contract
        costs = [fast.step(0.1), fast.step(0.1)]
    assert np.isfinite(expected_costs).all()
    np.testing.assert_allclose(costs, expected_costs, rtol=1e-12)
    assert_same_parameters(fast.parameters, expected)


def test_a_wrong_answer_with_certainty_gives_the_contracts_infinity_and_no_update():
    X, Y, start = one_input_run([40.0, -1.0, 2.0], [0.0, 0.0, 1.0])
    AL, _ = model.forward_propagation(X, start)
    expected = model.compute_cost(AL, Y)
    fast = InPlaceGradientDescent(start, X, Y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cost = fast.step(0.1)
    assert expected == np.inf and cost == np.inf
    assert_same_parameters(fast.parameters, start)


def test_steps_ignore_the_callers_error_state_and_leave_it_as_it_was():
    X, Y, start = one_input_run([40.0, -1.0, 2.0], [0.0, 0.0, 1.0])
    with np.errstate(all="raise"):
        fast = InPlaceGradientDescent(start, X, Y)  # made under "raise" ...
    before = np.geterr()
    assert fast.step(0.1) == np.inf  # ... stepped outside it: no FloatingPointError
    assert np.geterr() == before
    with np.errstate(all="raise"):
        assert fast.step(0.1) == np.inf  # nor under the caller's "raise"
        assert np.geterr() == {kind: "raise" for kind in before}


def test_a_very_negative_output_keeps_the_exact_sigmoids_finite_cost():
    # e^720 overflows, but the contract's sigmoid(-720) is e^-720, not 0: a finite cost.
    X, Y, start = one_input_run([-720.0, -1.0, 2.0], [0.0, 1.0, 1.0])
    expected_costs, expected = contract_run(X, Y, start, "tanh", 0.0, [0.1, 0.1])
    fast = InPlaceGradientDescent(start, X, Y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        costs = [fast.step(0.1), fast.step(0.1)]
    assert np.isfinite(expected_costs).all()
    np.testing.assert_allclose(costs, expected_costs, rtol=1e-12)
    assert_same_parameters(fast.parameters, expected)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"activation": "softmax"}, "tanh"),
        ({"l2": -1.0}, "l2"),
        ({"l2": float("inf")}, "l2"),
        ({"parameters": model.initialize_parameters((2, 4, 2), 1)}, "1 unit"),
        ({"X": np.zeros((3, 400))}, "X must be"),
        ({"X": np.zeros((2, 0)), "Y": np.zeros((1, 0))}, "no examples"),
        ({"Y": np.zeros((1, 10))}, "Y must be"),
    ],
)
def test_bad_input_says_what_is_wrong(flower, change, message):
    X, Y = flower
    arguments = {"parameters": model.initialize_parameters((2, 4, 1), 2), "X": X, "Y": Y}
    arguments.update(change)
    with pytest.raises(ValueError, match=message):
        InPlaceGradientDescent(**arguments)


@pytest.mark.parametrize(
    "config, fast",
    [
        (TrainConfig(), True),
        (TrainConfig(batch_size=400), True),
        (TrainConfig(batch_size=64), False),
        (TrainConfig(optimizer="adam", learning_rate=0.01), False),
    ],
)
def test_the_trainer_takes_the_fast_path_for_full_batch_gradient_descent(flower, config, fast):
    X, Y = flower
    trainer = Trainer(config, X, Y)
    assert isinstance(trainer._fast, InPlaceGradientDescent) is fast


def test_the_trainers_parameters_can_be_set_on_the_fast_path(flower):
    X, Y = flower
    config = TrainConfig(iterations=40)
    trainer = Trainer(config, X, Y)
    for _ in range(20):
        trainer.step()
    restart = model.initialize_parameters((2, 4, 1), 9)
    trainer.parameters = restart
    costs = [trainer.step().cost for _ in range(20)]
    expected_costs, expected = contract_run(X, Y, restart, "tanh", 0.0, [1.2] * 20)
    np.testing.assert_allclose(costs, expected_costs, rtol=0, atol=1e-12)
    assert_same_parameters(trainer.parameters, expected)


def test_the_step_unpacks_each_buffer_tuple_into_its_fields_names(flower):
    # The step unpacks its NamedTuples (reading fields by name costs a lookup each): the
    # names it unpacks into must be the fields', in order, so the code reads as it runs.
    X, Y = flower
    fast = InPlaceGradientDescent(model.initialize_parameters((2, 4, 3, 1), 1), X, Y)
    tree = ast.parse(textwrap.dedent(inspect.getsource(InPlaceGradientDescent)))
    unpacked = 0
    for node in ast.walk(tree):
        target, value = None, None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.For):
            target, value = node.target, node.iter
        if not (isinstance(target, ast.Tuple) and isinstance(value, ast.Attribute)):
            continue
        if not (isinstance(value.value, ast.Name) and value.value.id == "self"):
            continue
        buffers = getattr(fast, value.attr)
        if isinstance(node, ast.For):
            buffers = buffers[0]
        names = tuple(name.id for name in target.elts if isinstance(name, ast.Name))
        assert names == buffers._fields, value.attr
        unpacked += 1
    assert unpacked == 5
