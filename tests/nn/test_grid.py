"""The decision grid: layout, forward pass against a plain one, and wire encoding."""

import base64
import copy

import numpy as np
import pytest

from app.nn import activations, grid

BOX = grid.Bounds(-4.0, 5.0, -3.0, 2.0)


def random_parameters(layer_dims, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters[f"W{l}"] = scale * rng.standard_normal((layer_dims[l], layer_dims[l - 1]))
        parameters[f"b{l}"] = scale * rng.standard_normal((layer_dims[l], 1))
    return parameters


def plain_forward(points, parameters, activation="tanh"):
    """A[1..L] on the points, line by line as the lecture writes it."""
    g = activations.get(activation).forward
    L = len(parameters) // 2
    A = points
    As = []
    for l in range(1, L + 1):
        Z = parameters[f"W{l}"] @ A + parameters[f"b{l}"]
        A = 1 / (1 + np.exp(-Z)) if l == L else g(Z)
        As.append(A)
    return As


def decode(z):
    return np.frombuffer(base64.b64decode(z), dtype=np.uint8)


def test_bounds_add_a_margin_of_the_span():
    X = np.array([[-2.0, 8.0, 0.0], [1.0, 1.0, 31.0]])
    assert grid.bounds(X) == grid.Bounds(-3.0, 9.0, -2.0, 34.0)
    assert grid.bounds(X, margin=0.0) == grid.Bounds(-2.5, 8.5, 0.5, 31.5)
    assert all(type(v) is float for v in grid.bounds(X))


def test_bounds_pad_at_least_half():
    X = np.array([[1.0, 1.0], [2.0, 3.0]])
    assert grid.bounds(X) == grid.Bounds(0.5, 1.5, 1.5, 3.5)


@pytest.mark.parametrize(
    "X", [np.zeros(4), np.zeros((3, 4)), np.zeros((2, 0)), np.array([[0.0, np.nan], [0, 1]])]
)
def test_bounds_bad_X(X):
    with pytest.raises(ValueError, match="X must"):
        grid.bounds(X)


def test_points_are_row_major_from_the_lower_left():
    R = 5
    g = grid.DecisionGrid(BOX, R)
    assert g.points.shape == (2, R * R)
    x, y = g.points.reshape(2, R, R)
    for i in range(R):
        for j in range(R):
            assert x[i, j] == pytest.approx(BOX.x_min + j * (BOX.x_max - BOX.x_min) / (R - 1))
            assert y[i, j] == pytest.approx(BOX.y_min + i * (BOX.y_max - BOX.y_min) / (R - 1))
    assert not g.points.flags.writeable


def test_probabilities_match_the_lectures_forward():
    g = grid.DecisionGrid(BOX, 100)
    p = random_parameters([2, 4, 1], seed=1)
    expected = 1 / (1 + np.exp(-(p["W2"] @ np.tanh(p["W1"] @ g.points + p["b1"]) + p["b2"])))
    P = g.probabilities(p, "tanh")
    assert P.shape == (100, 100)
    np.testing.assert_allclose(P, expected.reshape(100, 100), rtol=0, atol=1e-12)


@pytest.mark.parametrize("activation", sorted(activations.ACTIVATIONS))
@pytest.mark.parametrize("layer_dims", [[2, 1], [2, 3, 1], [2, 8, 8, 1], [2, 5, 3, 4, 1]])
def test_probabilities_for_every_activation_and_depth(activation, layer_dims):
    g = grid.DecisionGrid(BOX, 17)
    p = random_parameters(layer_dims, seed=len(layer_dims))
    expected = plain_forward(g.points, p, activation)[-1].reshape(17, 17)
    np.testing.assert_allclose(g.probabilities(p, activation), expected, rtol=0, atol=1e-12)


def test_results_survive_later_calls():
    g = grid.DecisionGrid(BOX, 20)
    p1, p2 = random_parameters([2, 4, 1], seed=1), random_parameters([2, 4, 1], seed=2)
    P1 = g.probabilities(p1)
    P2 = g.probabilities(p2)
    g.probabilities(random_parameters([2, 6, 1], seed=3))
    np.testing.assert_allclose(P1, plain_forward(g.points, p1)[-1].reshape(20, 20), atol=1e-12)
    np.testing.assert_allclose(P2, plain_forward(g.points, p2)[-1].reshape(20, 20), atol=1e-12)


def test_grid_does_not_mutate_parameters():
    g = grid.DecisionGrid(BOX, 10)
    p = random_parameters([2, 8, 8, 1], seed=5)
    before = copy.deepcopy(p)
    for value in p.values():
        value.flags.writeable = False  # any write would raise
    g.probabilities(p, "relu")
    g.hidden_units(p, "leaky_relu", 6)
    assert p.keys() == before.keys()
    assert all(np.array_equal(p[k], before[k]) for k in p)


def test_large_weights_stay_probabilities_without_overflow():
    g = grid.DecisionGrid(BOX, 10)
    p = random_parameters([2, 4, 1], seed=2, scale=1e3)
    with np.errstate(all="raise"):
        P = g.probabilities(p, "relu")
    assert np.all((P >= 0) & (P <= 1))
    assert P.min() == 0.0 and P.max() == 1.0


def test_hidden_units_on_a_coarser_grid():
    g = grid.DecisionGrid(BOX, 50)
    p = random_parameters([2, 4, 3, 1], seed=6)
    units = g.hidden_units(p, "tanh", 6)
    coarse = grid.DecisionGrid(BOX, 6).points
    A1, A2, _ = plain_forward(coarse, p)
    assert [A.shape for A in units] == [(4, 6, 6), (3, 6, 6)]
    np.testing.assert_allclose(units[0], A1.reshape(4, 6, 6), atol=1e-12)
    np.testing.assert_allclose(units[1], A2.reshape(3, 6, 6), atol=1e-12)
    assert g.hidden_units(p, "tanh")[0].shape == (4, grid.NEURON_RESOLUTION, grid.NEURON_RESOLUTION)
    assert g.hidden_units(random_parameters([2, 1]), "tanh") == []


@pytest.mark.parametrize("resolution", [1, 0, 2.0, True, "10", None])
def test_bad_resolution(resolution):
    with pytest.raises(ValueError, match="resolution must be an integer >= 2"):
        grid.DecisionGrid(BOX, resolution)
    with pytest.raises(ValueError, match="resolution must be an integer >= 2"):
        grid.DecisionGrid(BOX, 4).hidden_units(random_parameters([2, 3, 1]), "tanh", resolution)


@pytest.mark.parametrize(
    "box", [grid.Bounds(1.0, 1.0, 0.0, 1.0), grid.Bounds(0.0, 1.0, 2.0, 1.0), (0, np.inf, 0, 1)]
)
def test_bad_bounds(box):
    with pytest.raises(ValueError, match="bounds must be finite"):
        grid.DecisionGrid(box, 10)


def without(parameters, key):
    return {k: v for k, v in parameters.items() if k != key}


@pytest.mark.parametrize(
    ("parameters", "match"),
    [
        ({}, "no W1"),
        (without(random_parameters([2, 4, 1]), "b2"), "b2 is missing"),
        (random_parameters([3, 4, 1]), r"W1 must have shape \(n1, 2\)"),
        ({**random_parameters([2, 4, 1]), "W2": np.zeros((1, 3))}, r"W2 must have shape"),
        ({**random_parameters([2, 4, 1]), "b1": np.zeros(4)}, r"b1 must have shape \(4, 1\)"),
        (random_parameters([2, 4, 2]), "last layer must have one unit"),
    ],
)
def test_bad_parameters(parameters, match):
    g = grid.DecisionGrid(BOX, 4)
    with pytest.raises(ValueError, match=match):
        g.probabilities(parameters)
    if "last layer" not in match:  # the hidden units are drawn whatever the output
        with pytest.raises(ValueError, match=match):
            g.hidden_units(parameters)


def test_unknown_activation():
    g = grid.DecisionGrid(BOX, 4)
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        g.probabilities(random_parameters([2, 3, 1]), "swish")


def test_encode_probabilities_round_trips_row_major():
    g = grid.DecisionGrid(BOX, 30)
    P = g.probabilities(random_parameters([2, 4, 1], seed=3))
    z = decode(grid.encode_probabilities(P))
    assert z.size == 30 * 30
    np.testing.assert_allclose(z.reshape(30, 30) / 255, P, atol=1 / 255)
    assert np.max(np.abs(z.reshape(30, 30) / 255 - P)) <= 0.5 / 255 + 1e-12


def test_encode_probabilities_values():
    P = np.array([[0.0, 1.0, 0.5], [0.2, -0.1, 1.3], [np.nan, 0.999, 0.001]])
    assert decode(grid.encode_probabilities(P)).tolist() == [0, 255, 128, 51, 0, 255, 128, 255, 0]


def test_encode_units_centres_zero_at_128():
    A = np.array([[0.0, 2.0], [-2.0, 1.0]])
    assert decode(grid.encode_units(A)).tolist() == [128, 255, 0, 191]
    assert decode(grid.encode_units(np.zeros((3, 3)))).tolist() == [128] * 9
    assert decode(grid.encode_units(np.array([[0.0, 0.5], [0.25, 0.0]]))).tolist() == [
        128,
        255,
        191,
        128,
    ]


@pytest.mark.parametrize("shape", [(4,), (2, 3), (2, 2, 2)])
def test_encoders_want_square_arrays(shape):
    with pytest.raises(ValueError, match=r"square \(R, R\)"):
        grid.encode_probabilities(np.zeros(shape))
    with pytest.raises(ValueError, match=r"square \(R, R\)"):
        grid.encode_units(np.zeros(shape))
