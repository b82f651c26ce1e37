"""What one viewer of a job receives (the websocket of docs/api.md), as JSON text messages.

A snapshot of the whole run first, then the job's current status, then progress and
status messages read from the job's log through the viewer's cursor, until a final
status. The generator only reads on when the previous message has been taken, so a
slow viewer is sent bigger batches, never gaps, and holds nothing but its cursor.
"""

import json
from collections.abc import AsyncGenerator
from typing import Any

from app.jobs.job import Job
from app.jobs.log import FINAL_STATUSES, Measure, Picture, Progress, Snapshot, StatusChange

NO_BOUNDARY = '"boundary":null'
PROGRESS_PREFIX = '{"type":"progress",'
NO_DETAILS = '"network":null,"neurons":null'


async def messages(job: Job, *, compact: bool = False) -> AsyncGenerator[str, None]:
    """The messages for one viewer of `job`, ending after its final status (`compact`:
    the snapshot's history as snapshot_message has it)."""
    snapshot, cursor = job.log.snapshot()
    yield snapshot_message(job, snapshot, compact=compact)
    yield status_message(snapshot.status)
    if snapshot.status.status in FINAL_STATUSES:
        return
    while True:
        await job.log.wait(cursor)
        entries, cursor = job.log.read(cursor)
        for entry in entries:
            if isinstance(entry, Progress):
                yield progress_message(entry)
                continue
            yield status_message(entry)
            if entry.status in FINAL_STATUSES:
                return


def snapshot_message(job: Job, snapshot: Snapshot, *, compact: bool = False) -> str:
    """`snapshot`: the job, its data, every cost so far and the latest pictures.

    The history's costs are those of iterations 0, 1, ..., count - 1: the `iteration`
    array only counts them. `compact` sends `first_iteration` and `count` in its place,
    a fifth less to send and parse for a long run (a 100,000-iteration job's snapshot).
    """
    iterations = (
        f'"first_iteration":0,"count":{snapshot.count}'
        if compact
        else f'"iteration":[{",".join(map(str, range(snapshot.count)))}]'
    )
    history = (
        f"{{{iterations},"
        f'"cost":[{snapshot.costs_json}],'
        f'"test_iteration":{_dumps(snapshot.test_iterations)},'
        f'"test_cost":{_dumps(snapshot.test_costs)},'
        f'"train_iteration":{_dumps(snapshot.train_iterations)},'
        f'"train_cost":{_dumps(snapshot.train_costs)},'
        f'"learning_rate":{_dumps(snapshot.learning_rates)}}}'
    )
    summary = job.summary(snapshot.status, snapshot.measure)
    return (
        f'{{"type":"snapshot","job":{_dumps(summary)},"dataset":{job.dataset_json},'
        f'"history":{history},'
        f"{_members(snapshot.boundary, NO_BOUNDARY)},{_members(snapshot.details, NO_DETAILS)}}}"
    )


def progress_message(progress: Progress) -> str:
    """`progress`: the costs since the last message, metrics, and any new pictures."""
    measure = progress.measure
    head = {
        "type": "progress",
        "first_iteration": progress.first_iteration,
        "iteration": progress.first_iteration + progress.count - 1,
        "train_accuracy": measure.train_accuracy,
        "test_accuracy": measure.test_accuracy,
        "test_cost": measure.test_cost,
        "train_cost": measure.train_cost,
        "learning_rate": measure.learning_rate,
        **_r2(measure),
    }
    pictures = "".join("," + p.members for p in (progress.boundary, progress.details) if p)
    return f'{_dumps(head)[:-1]},"cost":[{progress.costs_json}]{pictures}}}'


def _r2(measure: Measure) -> dict[str, float | None]:
    """A regression's R^2 (train and test), sent only where there is one."""
    if measure.train_r2 is None:
        return {}
    return {"train_r2": measure.train_r2, "test_r2": measure.test_r2}


def is_progress(text: str) -> bool:
    """Whether a message from `messages` is a progress message."""
    return text.startswith(PROGRESS_PREFIX)


def status_message(change: StatusChange) -> str:
    """`status`: the new status, a detail for people, and the last iteration done."""
    return _dumps(
        {
            "type": "status",
            "status": change.status,
            "detail": change.detail,
            "iteration": change.iteration,
        }
    )


def error_message(detail: str) -> str:
    """`error`: a client message that could not be understood or applied."""
    return _dumps({"type": "error", "detail": detail})


def _members(picture: Picture | None, missing: str) -> str:
    return picture.members if picture else missing


def _dumps(value: Any) -> str:
    return json.dumps(value, allow_nan=False, separators=(",", ":"))
