"""The teacher's room: one line for every job, with a small thumbnail of its boundary.

The room's websocket (app.api.room) sends this list a few times a second. A job's boundary
is R x R bytes (up to 200 x 200, 53 KB in base64); the room shows it at THUMBNAIL x
THUMBNAIL (768 characters), so 30 jobs stay small on the wire. Each new boundary is shrunk
once, however many room sockets are open: thumbnails are kept by the boundary's version.
"""

import base64
import json
from typing import Any

import numpy as np

from app.jobs.job import Job
from app.jobs.messages import dumps

THUMBNAIL = 24  # pixels a side
LEARNER_LENGTH = 40  # characters of a learner's name


def thumbnail(boundary: dict[str, Any], size: int = THUMBNAIL) -> dict[str, Any]:
    """The boundary on a size x size grid over the same plane (nearest grid points).

    Sampling rows and columns at round(linspace(0, R - 1, size)) keeps the contract's grid:
    row i lies at y = y_min + i (y_max - y_min) / (size - 1), within half a cell of R's.
    """
    R = boundary["resolution"]
    z = np.frombuffer(base64.b64decode(boundary["z"]), dtype=np.uint8).reshape(R, R)
    index = np.rint(np.linspace(0, R - 1, size)).astype(int)
    small = np.ascontiguousarray(z[np.ix_(index, index)])
    return {
        **{edge: boundary[edge] for edge in ("x_min", "x_max", "y_min", "y_max")},
        "resolution": size,
        "encoding": "uint8-base64",
        "z": base64.b64encode(small.tobytes()).decode("ascii"),
    }


def brief_config(job: Job) -> dict[str, Any]:
    """What the room's settings line shows of a job's config."""
    config = job.config()
    brief = ("dataset", "hidden_layers", "activation", "learning_rate", "iterations")
    return {key: config[key] for key in (*brief, "optimizer", "batch_size")}


class Room:
    """Builds the room's message; keeps each job's thumbnail with its boundary's version."""

    def __init__(self) -> None:
        self._thumbnails: dict[str, tuple[int, dict[str, Any]]] = {}

    def message(self, jobs: list[Job]) -> str:
        """`room`: every job, oldest first, as the room shows it."""
        entries = [self.entry(job) for job in jobs]
        kept = {job.id for job in jobs}
        self._thumbnails = {j: t for j, t in self._thumbnails.items() if j in kept}
        return dumps({"type": "room", "jobs": entries})

    def entry(self, job: Job) -> dict[str, Any]:
        """One job: who started it, its settings in brief, status, iteration, metrics."""
        status, measure = job.log.status, job.log.measure
        return {
            "id": job.id,
            "learner": job.learner,
            "status": status.status,
            "detail": status.detail,
            "iteration": measure.iteration,
            "config": brief_config(job),
            "metrics": {
                "cost": measure.cost,
                "train_cost": measure.train_cost,
                "train_accuracy": measure.train_accuracy,
                "test_accuracy": measure.test_accuracy,
            },
            "thumbnail": self.thumbnail(job),
        }

    def thumbnail(self, job: Job) -> dict[str, Any] | None:
        """The job's latest boundary, shrunk once per new boundary; None before any."""
        picture = job.log.boundary
        if picture is None:
            return None
        kept = self._thumbnails.get(job.id)
        if kept is None or kept[0] != picture.version:
            boundary = json.loads("{" + picture.members + "}")["boundary"]
            kept = (picture.version, thumbnail(boundary))
            self._thumbnails[job.id] = kept
        return kept[1]
