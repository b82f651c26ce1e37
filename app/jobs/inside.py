"""Inside the network, for the page's "see inside" views: the data and the input plane's
grid as two hidden units see them, and a weight set by hand.

The hidden space is computed from the job's latest parameters (the log's), so it needs no
word with the training loop. An edit is checked here against the job's layer sizes and
then sent to the loop as a command, which applies it between two iterations.
"""

import math
from typing import Any

import numpy as np

from app.jobs.control import Edit
from app.jobs.exports import parameters_of
from app.jobs.job import Job
from app.nn import grid, model
from app.nn.errors import FieldError

GRID_LINES = 11  # lines of the input plane's grid in each direction, as ConvNetJS draws it
LINE_POINTS = 41  # points along each line: enough for its bends to look smooth
MAX_WEIGHT = 100.0  # |value| of a weight or bias set by hand


class InsideError(FieldError):
    """A request that does not fit the job's network: `field` names what is wrong."""


def hidden_space(job: Job, layer: int, units: tuple[int, int]) -> dict[str, Any]:
    """Every point, and the input plane's grid lines, in the space of two units of a
    hidden layer: their activations A{layer}[i] and A{layer}[j] at the latest parameters.

    The grid's lines come as one path, lines separated by None (as Plotly draws gaps).
    NoParametersError before the job has parameters; InsideError for a bad layer or unit.
    """
    parameters = parameters_of(job)
    _check_units(model.layer_dims_of(parameters), layer, units)
    activation = job.spec.activation
    data = job.data
    lines = _grid_lines(np.concatenate([data.X_train, data.X_test], axis=1))

    def seen(X: np.ndarray) -> list[list[float | None]]:
        _, cache = model.forward_propagation(X, parameters, activation)
        A = cache[f"A{layer}"][list(units)]
        return [[v if math.isfinite(v) else None for v in row] for row in A.tolist()]

    path = seen(lines)
    gaps = LINE_POINTS
    # A None after every line, so the one path has a gap between two lines.
    grid_path = [
        [v for k in range(0, len(row), gaps) for v in (*row[k : k + gaps], None)] for row in path
    ]
    weights = job.log.weights()
    return {
        "iteration": weights.iteration if weights else -1,
        "layer": layer,
        "units": list(units),
        "activation": activation,
        "train": {"A": seen(data.X_train), "y": data.Y_train[0].astype(int).tolist()},
        "test": {"A": seen(data.X_test), "y": data.Y_test[0].astype(int).tolist()},
        "grid": {"A": grid_path},
    }


def check_edit(job: Job, edit: Edit) -> None:
    """InsideError unless `edit` names an entry of the job's W[l] or b[l] and a finite
    value within MAX_WEIGHT; NoParametersError before the job has parameters."""
    dims = model.layer_dims_of(parameters_of(job))
    L = len(dims) - 1
    kind, layer = edit.parameter[:1], edit.parameter[1:]
    if kind not in ("W", "b") or not layer.isdigit() or not 1 <= int(layer) <= L:
        names = ", ".join(f"W{l}, b{l}" for l in range(1, L + 1))
        raise InsideError("parameter", f"parameter must be one of {names}.")
    l = int(layer)
    rows, cols = dims[l], dims[l - 1] if kind == "W" else 1
    shape = f"{edit.parameter} has shape ({rows}, {cols})"
    if not 0 <= edit.row < rows:
        raise InsideError("row", f"row must be from 0 to {rows - 1}: {shape}.")
    if not 0 <= edit.col < cols:
        raise InsideError("col", f"col must be from 0 to {cols - 1}: {shape}.")
    if not math.isfinite(edit.value) or abs(edit.value) > MAX_WEIGHT:
        raise InsideError(
            "value", f"value must be a number from {-MAX_WEIGHT:g} to {MAX_WEIGHT:g}."
        )


def _check_units(dims: list[int], layer: int, units: tuple[int, int]) -> None:
    hidden = dims[1:-1]
    if not hidden:
        raise InsideError("layer", "This network has no hidden layer: its inputs go straight to σ.")
    if not 1 <= layer <= len(hidden):
        raise InsideError("layer", f"layer must be a hidden layer, from 1 to {len(hidden)}.")
    n = hidden[layer - 1]
    if n < 2:
        raise InsideError("units", f"Hidden layer {layer} has one unit: its space needs two.")
    i, j = units
    if i == j or not (0 <= i < n and 0 <= j < n):
        raise InsideError(
            "units", f"units must be two different units of layer {layer}, from 0 to {n - 1}."
        )


def _grid_lines(X: np.ndarray) -> np.ndarray:
    """(2, 2 * GRID_LINES * LINE_POINTS): the lines x1 = c and x2 = c over the data's plane,
    LINE_POINTS points each, one line after another."""
    box = grid.bounds(X)
    xs = np.linspace(box.x_min, box.x_max, GRID_LINES)
    ys = np.linspace(box.y_min, box.y_max, GRID_LINES)
    along_x = np.linspace(box.x_min, box.x_max, LINE_POINTS)
    along_y = np.linspace(box.y_min, box.y_max, LINE_POINTS)
    vertical = [np.stack([np.full(LINE_POINTS, x), along_y]) for x in xs]
    horizontal = [np.stack([along_x, np.full(LINE_POINTS, y)]) for y in ys]
    return np.concatenate(vertical + horizontal, axis=1)
