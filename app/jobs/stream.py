"""What one viewer of a job receives (the websocket of docs/api.md), in order.

A snapshot of the whole run first, then the job's current status, then progress and
status messages read from the job's log through the viewer's cursor, until a final
status (their shapes: app.jobs.messages). The generator only reads on when the previous
message has been taken, so a slow viewer is sent bigger batches, never gaps, and holds
nothing but its cursor.
"""

from collections.abc import AsyncGenerator

from app.jobs.job import Job
from app.jobs.log import FINAL_STATUSES, Progress
from app.jobs.messages import (
    HistoryForm,
    history_message,
    previewed,
    progress_message,
    snapshot_message,
    status_message,
)


async def messages(job: Job, *, history: HistoryForm = "full") -> AsyncGenerator[str, None]:
    """The messages for one viewer of `job`, ending after its final status (`history`:
    the snapshot's history as snapshot_message has it; a preview's costs follow it)."""
    snapshot, cursor = job.log.snapshot()
    yield snapshot_message(job, snapshot, history=history)
    if previewed(snapshot, history):
        yield history_message(snapshot)
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
