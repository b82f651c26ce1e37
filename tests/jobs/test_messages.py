"""The websocket's messages (app.jobs.messages): their shapes, as docs/api.md gives them."""

import json

import numpy as np
import pytest

from app.jobs import messages
from app.nn import grid
from tests.nn.test_grid import BOX, random_parameters


def test_boundary_message():
    g = grid.DecisionGrid(BOX, 12)
    P = g.probabilities(random_parameters([2, 4, 1]))
    message = messages.boundary(g, P)
    assert message == {
        "x_min": -4.0,
        "x_max": 5.0,
        "y_min": -3.0,
        "y_max": 2.0,
        "resolution": 12,
        "encoding": "uint8-base64",
        "z": grid.encode_probabilities(P),
    }
    assert json.loads(json.dumps(message)) == message
    with pytest.raises(ValueError, match=r"grid's shape \(12, 12\)"):
        messages.boundary(g, np.zeros((10, 10)))


def test_neurons_message():
    g = grid.DecisionGrid(BOX, 12)
    p = random_parameters([2, 3, 2, 1])
    units = g.hidden_units(p, "tanh", 5)
    message = messages.neurons(units, 5)
    assert message["resolution"] == 5
    assert message["encoding"] == "uint8-base64-centered"
    layers = message["layers"]
    assert isinstance(layers, list)
    assert [len(layer) for layer in layers] == [3, 2]
    assert layers[1][0] == grid.encode_units(units[1][0])
    assert json.loads(json.dumps(message)) == message

    with pytest.raises(ValueError, match=r"shape \(n_l, 4, 4\)"):
        messages.neurons(units, 4)


def test_a_preview_keeps_each_stretchs_lowest_and_highest_cost_and_what_is_not_a_number(
    monkeypatch,
):
    monkeypatch.setattr(messages, "PREVIEW_STRETCHES", 10)
    costs = np.linspace(1.0, 0.5, 1000)
    costs[437] = 3.0  # a spike: kept, as the line drawn from every cost shows it
    costs[999] = np.nan  # the cost that blew up
    iterations, kept = messages.preview_points(costs)
    assert iterations == sorted(set(iterations)) and iterations[0] == 0
    assert 437 in iterations and kept[iterations.index(437)] == 3.0
    assert iterations[-1] == 999 and kept[-1] is None
    for start in range(0, 1000, 100):  # each stretch's lowest and highest, at their iterations
        stretch = costs[start : start + 100]
        finite = np.where(np.isfinite(stretch))[0]
        assert start + finite[np.argmin(stretch[finite])] in iterations
        assert start + finite[np.argmax(stretch[finite])] in iterations
    assert len(iterations) <= 2 * 10 + 3
    assert all(kept[k] == costs[i] for k, i in enumerate(iterations[:-1]))
