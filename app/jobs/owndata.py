"""A learner's own data: points sent as CSV (`x1,x2,label` rows, a header optional) or as
JSON (`{"points": [[x1, x2, label], ...], "problem": "regression"}`), read into X: (2, m)
and Y: (1, m) or refused with the line (or point) and what is wrong with it.

Labels are classes 0/1 (two classes: the lecture's problem), 0..K-1 (K classes, up to
MAX_CLASSES) or, for a regression, any real numbers. Nothing is kept here: the caller
keeps a dataset only once it has been read whole.
"""

import csv
import hashlib
import io
import json
import math
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from app.nn.datasets import MAX_CLASSES

HEADER = ("x1", "x2", "label")
MAX_COORDINATE = 1e6  # |x1|, |x2|: the plane's grid is drawn over the points' box


class OwnDataError(ValueError):
    """Why the data was refused, naming where: `line` (CSV, from 1) or `point` (JSON, from 0)."""

    def __init__(self, message: str, line: int | None = None, point: int | None = None) -> None:
        where = (
            f"line {line}: "
            if line is not None
            else f"point {point}: "
            if point is not None
            else ""
        )
        super().__init__(where + message)
        self.line = line
        self.point = point


@dataclass(frozen=True)
class OwnData:
    """Points read whole: X (2, m), Y (1, m), the problem and, for classes, how many."""

    X: np.ndarray
    Y: np.ndarray
    problem: str  # "binary", "multiclass" or "regression"
    n_classes: int | None

    def rows(self) -> list[list[float]]:
        """[[x1, x2, label], ...]: the data as the JSON form writes it."""
        return np.vstack([self.X, self.Y]).T.tolist()


def read_csv(body: bytes, regression: bool, max_rows: int, max_bytes: int) -> OwnData:
    """The points of a CSV body; OwnDataError naming the line and the fault."""
    text = _text(body, max_bytes)
    rows = list(csv.reader(io.StringIO(text)))
    points: list[tuple[int, list[str]]] = []
    for number, row in enumerate(rows, start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue  # a blank line
        if not points and number == _first_line(rows) and _is_header(cells):
            continue
        points.append((number, cells))
    return _points(points, regression, max_rows, where="line")


def read_json(body: bytes, regression: bool, max_rows: int, max_bytes: int) -> OwnData:
    """The points of a JSON body {"points": [[x1, x2, label], ...], "problem": ...}."""
    text = _text(body, max_bytes)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise OwnDataError(f"the body is not JSON ({error}).") from None
    if not isinstance(data, dict) or not isinstance(data.get("points"), list):
        raise OwnDataError('send {"points": [[x1, x2, label], ...]}.')
    problem = data.get("problem", "regression" if regression else None)
    if problem not in (None, "classes", "binary", "multiclass", "regression"):
        raise OwnDataError(
            f"problem must be regression (real labels) or left out, got {problem!r}."
        )
    points = []
    for index, point in enumerate(data["points"]):
        if not isinstance(point, list):
            raise OwnDataError("a point is a list [x1, x2, label].", point=index)
        points.append((index, [_cell(value) for value in point]))
    return _points(points, problem == "regression", max_rows, where="point")


def check_size(size: int, max_bytes: int) -> None:
    """OwnDataError if `size` bytes of data are more than max_bytes."""
    if size > max_bytes:
        raise OwnDataError(f"the data is larger than {max_bytes} bytes (GRADLIVE_MAX_DATA_BYTES).")


def _text(body: bytes, max_bytes: int) -> str:
    check_size(len(body), max_bytes)
    if not body.strip():
        raise OwnDataError("the data is empty: send x1,x2,label rows.")
    if b"\x00" in body:
        raise OwnDataError("this is a binary file, not text: send x1,x2,label rows (CSV).")
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise OwnDataError(f"the data is not UTF-8 text (byte {error.start}).") from None


def _first_line(rows: list[list[str]]) -> int:
    """The number of the first line that is not blank."""
    return next((n for n, row in enumerate(rows, start=1) if any(c.strip() for c in row)), 0)


def _is_header(cells: list[str]) -> bool:
    """A first line of names rather than numbers (x1,x2,label or any three words)."""
    return tuple(c.lower() for c in cells) == HEADER or not any(_is_number(c) for c in cells)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _cell(value: Any) -> str:
    """A JSON value as the CSV reader would have read it (so both give the same errors)."""
    if isinstance(value, bool) or value is None or isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


def _points(
    points: list[tuple[int, list[str]]], regression: bool, max_rows: int, where: str
) -> OwnData:
    if not points:
        raise OwnDataError("the data has no points: send x1,x2,label rows.")
    if len(points) > max_rows:
        raise OwnDataError(
            f"the data has {len(points)} points: at most {max_rows} (GRADLIVE_MAX_DATA_ROWS)."
        )
    values = np.empty((len(points), 3))
    for k, (place, cells) in enumerate(points):
        at = {where: place}
        if len(cells) < 3:
            names = ", ".join(HEADER[len(cells) :])
            raise OwnDataError(f"{names} missing: each point is x1,x2,label.", **at)
        if len(cells) > 3:
            raise OwnDataError(f"{len(cells)} values: each point is x1,x2,label.", **at)
        for column, (name, cell) in enumerate(zip(HEADER, cells, strict=True)):
            values[k, column] = _number(name, cell, at)
    X, labels = values[:, :2].T.copy(), values[:, 2:].T.copy()
    if regression:
        return OwnData(X, labels, "regression", None)
    return _classes(X, labels, [place for place, _ in points], where)


def _number(name: str, cell: str, at: dict[str, int]) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise OwnDataError(f"{name} is not a number: {cell[:40]!r}.", **at) from None
    if not math.isfinite(value):
        raise OwnDataError(f"{name} must be a finite number, got {cell[:40]!r}.", **at)
    if name != "label" and abs(value) > MAX_COORDINATE:
        raise OwnDataError(f"{name} must be within ±{MAX_COORDINATE:g}, got {cell[:40]}.", **at)
    return value


def _classes(X: np.ndarray, labels: np.ndarray, places: list[int], where: str) -> OwnData:
    classes = labels[0]
    for place, label in zip(places, classes, strict=True):
        if label != int(label) or not 0 <= label < MAX_CLASSES:
            raise OwnDataError(
                f"label must be a class from 0 to {MAX_CLASSES - 1}, got {label:g} "
                "(for real values, send the data as a regression).",
                **{where: place},
            )
    K = int(classes.max()) + 1
    missing = sorted(set(range(K)) - set(classes.astype(int).tolist()))
    if K < 2:
        raise OwnDataError("every point has label 0: a classifier needs two classes at least.")
    if missing:
        raise OwnDataError(
            f"no point has label {missing[0]}: classes run from 0 to {K - 1}, each with points."
        )
    return OwnData(X, labels, "binary" if K == 2 else "multiclass", K)


class OwnDatasets:
    """The datasets learners sent, by name: in `folder` (the data dir's datasets/, one
    JSON file each, so they outlive a restart) or, without one, in memory.

    A dataset's name is made of its content ("own-" and a hash of its points), so the same
    points sent twice are one dataset, and a shared link that names it always means the
    same points. At most `max_kept` are kept: beyond that the least recently used goes.
    """

    def __init__(self, folder: Path | None, max_kept: int) -> None:
        self.folder = folder
        self.max_kept = max_kept
        self._memory: dict[str, OwnData] = {}  # newest last
        self._lock = threading.Lock()
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)

    def add(self, data: OwnData) -> str:
        """Keep `data` (read whole and valid) and give its name."""
        document = {"problem": data.problem, "n_classes": data.n_classes, "points": data.rows()}
        text = json.dumps(document, separators=(",", ":"))
        name = PREFIX + hashlib.sha256(text.encode()).hexdigest()[:NAME_DIGITS]
        with self._lock:
            self._memory.pop(name, None)
            self._memory[name] = data
            if self.folder is not None:
                path = self.folder / f"{name}.json"
                if not path.exists():
                    partial = path.with_suffix(".part")
                    partial.write_text(text, encoding="utf-8")
                    partial.replace(path)  # whole or not at all, even if the server dies
                os.utime(path)  # used now: the last to go
            self._prune()
        return name

    def get(self, name: str) -> OwnData | None:
        """The dataset called `name`, or None if there is none (or it was pruned)."""
        if not is_own(name):
            return None
        with self._lock:
            data = self._memory.get(name)
            if data is None and self.folder is not None:
                data = self._read(self.folder / f"{name}.json")
                if data is not None:
                    self._memory[name] = data
            return data

    def _read(self, path: Path) -> OwnData | None:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        values = np.array(document["points"], dtype=np.float64).reshape(-1, 3)
        X, Y = values[:, :2].T.copy(), values[:, 2:].T.copy()
        return OwnData(X, Y, document["problem"], document["n_classes"])

    def _prune(self) -> None:
        while len(self._memory) > self.max_kept:
            self._memory.pop(next(iter(self._memory)))
        if self.folder is None:
            return
        files = sorted(self.folder.glob(f"{PREFIX}*.json"), key=lambda p: p.stat().st_mtime)
        for path in files[: max(0, len(files) - self.max_kept)]:
            path.unlink(missing_ok=True)
            self._memory.pop(path.stem, None)


PREFIX = "own-"
NAME_DIGITS = 12
DATASETS_DIR = "datasets"  # in the data dir, beside the runs' database


def is_own(name: str) -> bool:
    """Whether `name` is a learner's dataset's (own-<12 hex digits>)."""
    digits = name[len(PREFIX) :]
    return (
        name.startswith(PREFIX)
        and len(digits) == NAME_DIGITS
        and all(c in "0123456789abcdef" for c in digits)
    )
