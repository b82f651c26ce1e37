"""The websocket /ws/jobs/{id} (Contract 4): a job's live messages, and its controls.

Each connection runs two tasks in one task group: the sender follows the job's log
through this viewer's cursor, the receiver applies the viewer's commands. When one
ends (the job's final status was sent, or the viewer left) the other is cancelled.
"""

import contextlib
import json
from collections.abc import Awaitable, Callable

import anyio
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from app.api.deps import JobManagerDep, SettingsDep
from app.api.limits import explained, readable, unreadable
from app.api.schemas import JobControl, control_errors
from app.config import Settings
from app.jobs.manager import (
    Job,
    JobFinishedError,
    JobManager,
    JobNotFoundError,
    TooManyJobsError,
)
from app.jobs.stream import error_message, is_progress, messages

router = APIRouter(tags=["websocket"])

# Close codes: 1000 when the job has ended; 4404 (like HTTP 404) for an unknown job
# where the server cannot answer the handshake itself with an HTTP 404.
NORMAL_CLOSE = 1000
NOT_FOUND_CLOSE = 4404


@router.websocket("/ws/jobs/{job_id}")
async def watch_job(
    websocket: WebSocket, job_id: str, manager: JobManagerDep, settings: SettingsDep
) -> None:
    """Snapshot, status, then progress and status messages until the job ends."""
    try:
        job = manager.get(job_id)
    except JobNotFoundError:
        await _refuse_unknown_job(websocket)
        return
    await websocket.accept()
    viewer = _Viewer(websocket, job, manager, settings)
    with manager.watching(job):
        async with anyio.create_task_group() as group:

            async def run_then_cancel(task: Callable[[], Awaitable[None]]) -> None:
                await task()
                group.cancel_scope.cancel()

            group.start_soon(run_then_cancel, viewer.send_messages)
            group.start_soon(run_then_cancel, viewer.receive_commands)


async def _refuse_unknown_job(websocket: WebSocket) -> None:
    """Answer the handshake with HTTP 404, as the REST endpoints do for an unknown id."""
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        await websocket.send_denial_response(JSONResponse({"detail": "Job not found"}, 404))
        return
    await websocket.accept()
    await websocket.send_text(error_message("Job not found"))
    await websocket.close(NOT_FOUND_CLOSE, "Job not found")


class _Viewer:
    """One websocket connection to one job."""

    def __init__(
        self, websocket: WebSocket, job: Job, manager: JobManager, settings: Settings
    ) -> None:
        self.websocket = websocket
        self.job = job
        self.manager = manager
        self.settings = settings
        self._sending = anyio.Lock()

    async def send(self, text: str) -> None:
        async with self._sending:
            await self.websocket.send_text(text)

    async def send_messages(self) -> None:
        """Follow the job's log; close with 1000 after its final status."""
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            async with contextlib.aclosing(messages(self.job)) as stream:
                async for text in stream:
                    await self.send(text)
                    if is_progress(text) and (gap := self.gap()):
                        await anyio.sleep(gap)
            await self.websocket.close(NORMAL_CLOSE)

    def gap(self) -> float:
        """Seconds to wait after a progress message: viewers share MAX_SEND_RATE a second.

        Each message is compressed and sent once per viewer, so many viewers each get
        fewer, larger messages (never fewer iterations) instead of slowing the server.
        """
        gap = self.manager.viewers / self.settings.MAX_SEND_RATE
        return gap if gap > 1 / self.settings.PROGRESS_RATE else 0.0

    async def receive_commands(self) -> None:
        """Apply each command the viewer sends; answer `error` to what is not understood."""
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            while True:
                message = await self.websocket.receive()
                if message["type"] == "websocket.disconnect":
                    return
                reply = await self.apply(message.get("text"))
                if reply:
                    await self.send(reply)

    async def apply(self, text: str | None) -> str | None:
        """Apply one client message; an `error` message when it cannot be."""
        if text is None:
            return error_message('Send commands as JSON text, e.g. {"action": "pause"}.')
        if len(text.encode("utf-8", "surrogatepass")) > self.settings.MAX_REQUEST_BYTES:
            limit = self.settings.MAX_REQUEST_BYTES
            return error_message(f"The message is larger than {limit} bytes.")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            return error_message(f"The message is not JSON: {error}.")
        except (ValueError, RecursionError) as error:  # too deep, or a number too long
            return error_message(f"The message cannot be read: {unreadable(error)}.")
        if not isinstance(data, dict):
            return error_message('Send a JSON object, e.g. {"action": "pause"}.')
        try:
            body = JobControl.model_validate(data)
        except ValidationError as error:
            return error_message(_explain(error.errors()))
        errors = control_errors(body, self.settings)
        if errors:
            return error_message(_explain(errors))
        try:
            await self.manager.control(self.job.id, body.command())
        except (JobFinishedError, TooManyJobsError) as error:
            return error_message(str(error))
        except JobNotFoundError:
            return error_message("Job not found")
        return None


def _explain(errors: object) -> str:
    return "; ".join(error["msg"] for error in explained(readable(errors)))
