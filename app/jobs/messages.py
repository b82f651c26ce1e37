"""The websocket's messages (docs/api.md), in one place: each a typed shape.

A job's viewers get `snapshot`, `history` (after a preview), `progress`, `status` and
`error` messages as JSON text. Their parts are built here too: the job as REST and
snapshots show it, the dataset, the decision boundary, the network and the neurons'
heatmaps. Pictures are turned into JSON once per frame, when the log takes them
(app.jobs.log), and spliced into each viewer's messages as they are: the cost of encoding
does not grow with the number of viewers.
"""

import base64
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TypedDict

import numpy as np

from app.jobs.log import Measure, Picture, Progress, Snapshot, StatusChange, finite_or_none
from app.nn.grid import DecisionGrid, encode_probabilities, encode_units

if TYPE_CHECKING:
    from app.jobs.job import Job
    from app.jobs.spec import DataSplit

PROGRESS_PREFIX = '{"type":"progress",'
NO_BOUNDARY = '"boundary":null'
NO_DETAILS = '"network":null,"neurons":null'


# -- the pictures --------------------------------------------------------------------------


class Box(TypedDict):
    """Where a boundary's R x R cells lie: row i at y = y_min + i (y_max - y_min)/(R-1)."""

    x_min: float
    x_max: float
    y_min: float
    y_max: float
    resolution: int


class Boundary(Box):
    """P(y=1) per cell, round(255 P) as bytes in base64 (`encoding` "uint8-base64")."""

    encoding: str
    z: str


class ClassBoundary(Box):
    """K classes: each cell's most likely class (`z`) and its probability (`confidence`)."""

    encoding: str
    classes: int
    z: str
    confidence: str


class ValueBoundary(Box):
    """A regression's predicted value per cell, on the scale [value_min, value_max]."""

    encoding: str
    value_min: float
    value_max: float
    z: str


class Neurons(TypedDict):
    """Each hidden unit's activation over an r x r grid, as bytes, 128 meaning 0."""

    resolution: int
    encoding: str
    layers: list[list[str]]


class Network(TypedDict):
    """Layer sizes, activation, the problem, the inputs and every W[l], b[l] (5 digits)."""

    layer_dims: list[int]
    activation: str
    problem: str
    features: list[str]
    weights: dict[str, list[list[float | None]]]


class Details(TypedDict):
    network: Network
    neurons: Neurons


def boundary(grid: DecisionGrid, P: np.ndarray) -> Boundary:
    """The `boundary` of a binary problem, P: (R, R) P(y=1) computed on `grid`."""
    P = np.asarray(P, dtype=np.float64)
    if P.shape != (grid.resolution, grid.resolution):
        raise ValueError(
            f"P must have the grid's shape ({grid.resolution}, {grid.resolution}), got {P.shape}"
        )
    return {**_box(grid), "encoding": "uint8-base64", "z": encode_probabilities(P)}


def class_boundary(grid: DecisionGrid, A: np.ndarray) -> ClassBoundary:
    """The boundary of K classes, A: (K, R*R) their probabilities: `z` the most likely
    class per cell, `confidence` its probability, round(255 p), each R*R bytes."""
    A = np.nan_to_num(np.asarray(A, dtype=np.float64), nan=0.0)
    classes = np.argmax(A, axis=0).astype(np.uint8)
    confidence = np.rint(255.0 * np.clip(np.max(A, axis=0), 0.0, 1.0)).astype(np.uint8)
    return {
        **_box(grid),
        "encoding": "class-uint8-base64",
        "classes": int(A.shape[0]),
        "z": _base64(classes),
        "confidence": _base64(confidence),
    }


def value_boundary(grid: DecisionGrid, A: np.ndarray, scale: float) -> ValueBoundary:
    """The boundary of a regression, A: (1, R*R) the predicted values, on the fixed scale
    [-scale, scale] (the labels' largest |y|, so the colours keep their meaning):
    byte = round(255 (clip(a, -scale, scale) + scale) / (2 scale)), 128 meaning about 0."""
    A = np.nan_to_num(np.asarray(A, dtype=np.float64).reshape(-1), nan=0.0)
    s = float(scale) if np.isfinite(scale) and scale > 0 else 1.0
    z = np.rint(255.0 * (np.clip(A, -s, s) + s) / (2 * s)).astype(np.uint8)
    return {
        **_box(grid),
        "encoding": "value-uint8-base64",
        "value_min": -s,
        "value_max": s,
        "z": _base64(z),
    }


def neurons(units: list[np.ndarray], resolution: int) -> Neurons:
    """The `neurons` object of the grid's [A1, ...], A[l]: (n[l], r, r) with r = resolution."""
    for A in units:
        if A.ndim != 3 or A.shape[1:] != (resolution, resolution):
            raise ValueError(
                f"each layer's units must have shape (n_l, {resolution}, {resolution}), "
                f"got {A.shape}"
            )
    return {
        "resolution": resolution,
        "encoding": "uint8-base64-centered",
        "layers": [[encode_units(a) for a in A] for A in units],
    }


def network(
    layer_dims: list[int],
    activation: str,
    problem: str,
    features: tuple[str, ...],
    parameters: dict[str, np.ndarray],
) -> Network:
    """The `network` object: the sizes, the choices and every parameter, 5 digits."""
    return {
        "layer_dims": list(layer_dims),
        "activation": activation,
        "problem": problem,
        "features": list(features),
        "weights": {name: _rounded(value) for name, value in parameters.items()},
    }


def _box(grid: DecisionGrid) -> Box:
    return {
        "x_min": grid.bounds.x_min,
        "x_max": grid.bounds.x_max,
        "y_min": grid.bounds.y_min,
        "y_max": grid.bounds.y_max,
        "resolution": grid.resolution,
    }


def _base64(z: np.ndarray) -> str:
    return base64.b64encode(z.tobytes()).decode("ascii")


def _rounded(W: np.ndarray) -> list[list[float | None]]:
    """W as nested lists of 5 significant digits, None where not finite."""
    return [[finite_or_none(float(f"{w:.5g}")) for w in row] for row in np.atleast_2d(W)]


# -- the job and its data ------------------------------------------------------------------


class Metrics(TypedDict):
    cost: float | None
    train_accuracy: float | None
    test_accuracy: float | None
    test_cost: float | None
    train_cost: float | None
    train_r2: float | None
    test_r2: float | None


class JobSummary(TypedDict):
    """The job as REST and snapshots show it."""

    id: str
    learner: str | None
    status: str
    detail: str
    config: dict[str, Any]
    iteration: int
    metrics: Metrics
    created_at: str


def job_summary(
    job_id: str,
    learner: str | None,
    config: dict[str, Any],
    status: StatusChange,
    measure: Measure,
    created_at: datetime,
) -> JobSummary:
    return {
        "id": job_id,
        "learner": learner,
        "status": status.status,
        "detail": status.detail,
        "config": config,
        "iteration": measure.iteration,
        "metrics": {
            "cost": measure.cost,
            "train_accuracy": measure.train_accuracy,
            "test_accuracy": measure.test_accuracy,
            "test_cost": measure.test_cost,
            "train_cost": measure.train_cost,
            "train_r2": measure.train_r2,
            "test_r2": measure.test_r2,
        },
        "created_at": created_at.isoformat(),
    }


class Points(TypedDict):
    x1: list[float]
    x2: list[float]
    y: list[int] | list[float]  # classes; a regression's values (6 digits)


class Dataset(TypedDict):
    name: str
    problem: str
    train: Points
    test: Points


def dataset_json(name: str, problem: str, data: "DataSplit") -> str:
    """The points with their labels, as the snapshot's `dataset` object (JSON text)."""
    dataset: Dataset = {
        "name": name,
        "problem": problem,
        "train": _points(data.X_train, data.Y_train, problem),
        "test": _points(data.X_test, data.Y_test, problem),
    }
    return dumps(dataset)


def _points(X: np.ndarray, Y: np.ndarray, problem: str) -> Points:
    y = [float(f"{v:.6g}") for v in Y[0]] if problem == "regression" else Y[0].astype(int).tolist()
    return {"x1": X[0].tolist(), "x2": X[1].tolist(), "y": y}


# -- the messages --------------------------------------------------------------------------


class StatusMessage(TypedDict):
    """`status`: the new status, a detail for people, and the last iteration done."""

    type: Literal["status"]
    status: str
    detail: str
    iteration: int


class ErrorMessage(TypedDict):
    """`error`: a client message that could not be understood or applied."""

    type: Literal["error"]
    detail: str


class ProgressHead(TypedDict, total=False):
    """`progress` before its costs (`cost`) and pictures, which are spliced after it."""

    type: Literal["progress"]
    first_iteration: int
    iteration: int
    train_accuracy: float | None
    test_accuracy: float | None
    test_cost: float | None
    train_cost: float | None
    learning_rate: float | None
    train_r2: float | None  # a regression's only
    test_r2: float | None


# What a viewer asks of a snapshot's history (?history= on the socket's URL): every
# iteration numbered ("full", the default), only counted ("compact"), or, for a long run,
# a preview first and every cost in a `history` message just after ("preview").
HistoryForm = Literal["full", "compact", "preview"]
HISTORY_FORMS: tuple[HistoryForm, ...] = ("full", "compact", "preview")
# A preview keeps each of this many equal stretches' lowest and highest cost: the same line
# as every cost at any chart width up to this many pixels. Shorter runs are sent whole.
PREVIEW_STRETCHES = 2048


def previewed(snapshot: Snapshot, form: HistoryForm) -> bool:
    """True when the snapshot's history is a preview, its costs in a `history` after it."""
    return form == "preview" and snapshot.count > 2 * PREVIEW_STRETCHES


def snapshot_message(job: "Job", snapshot: Snapshot, *, history: HistoryForm = "full") -> str:
    """`snapshot`: the job, its data, every cost so far and the latest pictures.

    The history's costs are those of iterations 0, 1, ..., count - 1: the `iteration`
    array only counts them. "compact" sends `first_iteration` and `count` in its place,
    a fifth less to send and parse for a long run (a 100,000-iteration job's snapshot). A
    preview (previewed) has `preview`, `count`, and `iteration` and `cost` of the points
    preview_points keeps: a tenth of a 100,000-iteration job's costs, drawn before the rest.
    """
    if previewed(snapshot, history):
        iterations, costs = preview_points(job.log.values(snapshot.count))
        series = (
            f'"preview":true,"count":{snapshot.count},'
            f'"iteration":{dumps(iterations)},"cost":{dumps(costs)}'
        )
    elif history == "full":
        series = (
            f'"iteration":[{",".join(map(str, range(snapshot.count)))}],'
            f'"cost":[{snapshot.costs_json}]'
        )
    else:
        series = f'"first_iteration":0,"count":{snapshot.count},"cost":[{snapshot.costs_json}]'
    history_json = (
        f"{{{series},"
        f'"test_iteration":{dumps(snapshot.test_iterations)},'
        f'"test_cost":{dumps(snapshot.test_costs)},'
        f'"train_iteration":{dumps(snapshot.train_iterations)},'
        f'"train_cost":{dumps(snapshot.train_costs)},'
        f'"learning_rate":{dumps(snapshot.learning_rates)}}}'
    )
    summary = job.summary(snapshot.status, snapshot.measure)
    return (
        f'{{"type":"snapshot","job":{dumps(summary)},"dataset":{job.dataset_json},'
        f'"history":{history_json},'
        f"{_members(snapshot.boundary, NO_BOUNDARY)},{_members(snapshot.details, NO_DETAILS)}}}"
    )


def history_message(snapshot: Snapshot) -> str:
    """`history`: every cost of a previewed snapshot, iterations 0 .. count - 1."""
    return (
        f'{{"type":"history","first_iteration":0,"count":{snapshot.count},'
        f'"cost":[{snapshot.costs_json}]}}'
    )


def preview_points(costs: np.ndarray) -> tuple[list[int], list[float | None]]:
    """The iterations a preview keeps, in order, and their costs (None: not a number): in
    each of PREVIEW_STRETCHES equal stretches the lowest and the highest cost, and the
    first that is not a number; the first and last iteration always."""
    n = len(costs)
    width = -(-n // PREVIEW_STRETCHES)  # iterations a stretch (the last may have fewer)
    padded = np.full(PREVIEW_STRETCHES * width, np.nan)
    padded[:n] = costs
    rows = padded.reshape(PREVIEW_STRETCHES, width)
    finite = np.isfinite(rows)
    starts = np.arange(PREVIEW_STRETCHES) * width
    lowest = starts + np.argmin(np.where(finite, rows, np.inf), axis=1)
    highest = starts + np.argmax(np.where(finite, rows, -np.inf), axis=1)
    broken = (starts + np.argmax(~finite, axis=1))[(~finite).any(axis=1)]
    kept = np.unique(np.concatenate([[0, n - 1], lowest, highest, broken]))
    kept = kept[kept < n]
    return kept.tolist(), [finite_or_none(float(c)) for c in costs[kept]]


def progress_message(progress: Progress) -> str:
    """`progress`: the costs since the last message, metrics, and any new pictures."""
    measure = progress.measure
    head: ProgressHead = {
        "type": "progress",
        "first_iteration": progress.first_iteration,
        "iteration": progress.first_iteration + progress.count - 1,
        "train_accuracy": measure.train_accuracy,
        "test_accuracy": measure.test_accuracy,
        "test_cost": measure.test_cost,
        "train_cost": measure.train_cost,
        "learning_rate": measure.learning_rate,
    }
    if measure.train_r2 is not None:  # a regression: R^2 where accuracy is None
        head["train_r2"], head["test_r2"] = measure.train_r2, measure.test_r2
    pictures = "".join("," + p.members for p in (progress.boundary, progress.details) if p)
    return f'{dumps(head)[:-1]},"cost":[{progress.costs_json}]{pictures}}}'


def is_progress(text: str) -> bool:
    """Whether a message from app.jobs.stream is a progress message."""
    return text.startswith(PROGRESS_PREFIX)


def status_message(change: StatusChange) -> str:
    message: StatusMessage = {
        "type": "status",
        "status": change.status,
        "detail": change.detail,
        "iteration": change.iteration,
    }
    return dumps(message)


def error_message(detail: str) -> str:
    message: ErrorMessage = {"type": "error", "detail": detail}
    return dumps(message)


def _members(picture: Picture | None, missing: str) -> str:
    return picture.members if picture else missing


def dumps(value: Any) -> str:
    """Compact JSON with no NaN (JSON has none): what every message is written as."""
    return json.dumps(value, allow_nan=False, separators=(",", ":"))
