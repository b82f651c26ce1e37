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
