"""The websocket /ws/jobs/{id} (docs/api.md): a job's live messages, and its controls.

Each connection runs two tasks in one task group: the sender follows the job's log
through this viewer's cursor, the receiver applies the viewer's commands. When one
ends (the job's final status was sent, or the viewer left) the other is cancelled.
"""

import contextlib
import json
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import cast
from urllib.parse import urlsplit

import anyio
from fastapi import APIRouter, WebSocket, WebSocketDisconnect, status
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from app.api.deps import JobManagerDep, SettingsDep
from app.api.errors import JOB_NOT_FOUND
from app.api.limits import explained, readable, unreadable
from app.api.schemas import JobControl, control_errors
from app.config import Settings
from app.jobs.errors import JobFinishedError, JobNotFoundError, TooManyJobsError
from app.jobs.job import Job
from app.jobs.manager import JobManager
from app.jobs.messages import HISTORY_FORMS, HistoryForm, error_message, is_progress
from app.jobs.owners import Owners
from app.jobs.stream import messages

router = APIRouter(tags=["websocket"])

# Close codes: 1000 when the job has ended; where the server cannot answer the handshake
# itself with an HTTP refusal, 4403 (like HTTP 403) for an origin not allowed, 4404 (like
# HTTP 404) for an unknown job, 4400 (like HTTP 400) for an unknown ?history= and 1013
# ("try again later") when there are too many viewers.
NORMAL_CLOSE = 1000
BAD_REQUEST_CLOSE = 4400
NOT_FOUND_CLOSE = 4404
TRY_AGAIN_CLOSE = 1013
FORBIDDEN_CLOSE = 4403


def _origin_allowed(websocket: WebSocket, settings: Settings) -> bool:
    """No Origin (a script), this server's own (the host the browser asked for), or listed.

    Browsers send Origin on every websocket (and CORS does not guard websockets): without
    this check any site a student opens could open the class's sockets from their browser.
    """
    origin = websocket.headers.get("origin")
    if origin is None:
        return True
    origin = origin.rstrip("/")
    own = urlsplit(origin).netloc == websocket.headers.get("host")
    return own or origin in settings.allowed_origins


async def refused_origin(websocket: WebSocket, settings: Settings) -> bool:
    """Refuse (HTTP 403) a page from an origin not allowed; whether it was refused."""
    if _origin_allowed(websocket, settings):
        return False
    detail = (
        "This page's origin may not open this server's websockets: "
        "add it to GRADLIVE_ALLOWED_ORIGINS."
    )
    await _refuse(websocket, status.HTTP_403_FORBIDDEN, detail, FORBIDDEN_CLOSE)
    return True


@router.websocket("/ws/jobs/{job_id}")
async def watch_job(
    websocket: WebSocket, job_id: str, manager: JobManagerDep, settings: SettingsDep
) -> None:
    """Snapshot, status, then progress and status messages until the job ends."""
    if await refused_origin(websocket, settings):
        return
    history = websocket.query_params.get("history", "full")
    if history not in HISTORY_FORMS:
        forms = ", ".join(HISTORY_FORMS)
        detail = f"history must be one of {forms}, not {history[:40]!r}."
        await _refuse(websocket, status.HTTP_400_BAD_REQUEST, detail, BAD_REQUEST_CLOSE)
        return
    try:
        job = manager.get(job_id)
    except JobNotFoundError:
        await _refuse(websocket, status.HTTP_404_NOT_FOUND, JOB_NOT_FOUND, NOT_FOUND_CLOSE)
        return
    if too_many := _too_many_viewers(job, manager, settings):
        retry = {"Retry-After": str(settings.RETRY_AFTER)}
        too_many_status = status.HTTP_429_TOO_MANY_REQUESTS
        await _refuse(websocket, too_many_status, too_many, TRY_AGAIN_CLOSE, retry)
        return
    viewer = _Viewer(websocket, job, manager, settings, cast(HistoryForm, history))
    # Counted from before the handshake, so sockets opened at once cannot pass the bound.
    with manager.watching(job), viewer.budget.member(viewer), viewer.presence:
        await websocket.accept()
        async with anyio.create_task_group() as group:

            async def run_then_cancel(task: Callable[[], Awaitable[None]]) -> None:
                await task()
                group.cancel_scope.cancel()

            group.start_soon(run_then_cancel, viewer.send_messages)
            group.start_soon(run_then_cancel, viewer.receive_commands)


def _too_many_viewers(job: Job, manager: JobManager, settings: Settings) -> str:
    """Why one more viewer is refused (too many on the server or on this job), or ""."""
    retry = f"try again in {settings.RETRY_AFTER} s"
    if manager.viewers >= settings.MAX_VIEWERS:
        return (
            f"The server has {_viewers(manager.viewers)}, the most it allows "
            f"(GRADLIVE_MAX_VIEWERS): close a tab or {retry}."
        )
    if job.viewers >= settings.MAX_VIEWERS_PER_JOB:
        return (
            f"This job has {_viewers(job.viewers)}, the most one job may have "
            f"(GRADLIVE_MAX_VIEWERS_PER_JOB): close a tab or {retry}."
        )
    return ""


def _viewers(count: int) -> str:
    return f"{count} viewer" + ("" if count == 1 else "s")


async def _refuse(
    websocket: WebSocket,
    status_code: int,
    detail: str,
    close_code: int,
    headers: dict[str, str] | None = None,
) -> None:
    """Answer the handshake with an HTTP refusal, as the REST endpoints would."""
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        response = JSONResponse({"detail": detail}, status_code, headers=headers)
        await websocket.send_denial_response(response)
        return
    await websocket.accept()
    await websocket.send_text(error_message(detail))
    await websocket.close(close_code, detail[:120])  # a close reason holds 123 bytes


class SendBudget:
    """MAX_SEND_RATE progress messages a second, shared by the viewers that read.

    Each message is compressed and sent once per viewer, so with many readers each one
    gets fewer, larger messages (never fewer iterations) instead of slowing the server.
    A viewer counts while messages flow to it: from each progress message it is sent
    until READING s after its gap. Sockets that are sent nothing (their job is paused or
    queued) never count, and a client that stops reading drops out READING s after its
    send buffer is full and its sends block (app.server keeps that buffer small), so
    neither takes a share from those who watch.
    """

    READING = 1.0

    def __init__(
        self, send_rate: float, progress_rate: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.send_rate = send_rate
        self.min_gap = 1.0 / progress_rate
        self.clock = clock
        self._until: dict[object, float] = {}  # viewer -> until when it counts as reading

    @contextlib.contextmanager
    def member(self, viewer: object) -> Iterator[None]:
        """While `viewer` is connected; it counts once it is sent a progress message."""
        self._until[viewer] = 0.0
        try:
            yield
        finally:
            del self._until[viewer]

    def readers(self, now: float | None = None) -> int:
        """How many viewers read now."""
        now = self.clock() if now is None else now
        return sum(until > now for until in self._until.values())

    def sent(self, viewer: object) -> float:
        """`viewer` was sent a progress message: the seconds it waits before the next."""
        now = self.clock()
        readers = self.readers(now) + (self._until[viewer] <= now)  # itself counts now
        gap = readers / self.send_rate
        gap = gap if gap > self.min_gap else 0.0
        self._until[viewer] = now + gap + self.READING
        return gap


class _Viewer:
    """One websocket connection to one job."""

    def __init__(
        self,
        websocket: WebSocket,
        job: Job,
        manager: JobManager,
        settings: Settings,
        history: HistoryForm,
    ) -> None:
        self.websocket = websocket
        self.history = history  # how its snapshot's history is sent (app.jobs.messages)
        self.job = job
        self.manager = manager
        self.settings = settings
        self.budget: SendBudget = websocket.app.state.send_budget
        self.owners: Owners = websocket.app.state.owners
        self.steers = False  # once it sent the job's (or the admin's) token
        self.owns = False  # once it sent the job's own token: it is its owner's page
        self.presence = (
            contextlib.ExitStack()
        )  # holds manager.presence.owner_watching while it owns
        self._sending = anyio.Lock()

    async def send(self, text: str) -> None:
        async with self._sending:
            await self.websocket.send_text(text)

    async def send_messages(self) -> None:
        """Follow the job's log; close with 1000 after its final status."""
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            async with contextlib.aclosing(messages(self.job, history=self.history)) as stream:
                async for text in stream:
                    await self.send(text)
                    if is_progress(text) and (gap := self.budget.sent(self)):
                        await anyio.sleep(gap)
            await self.websocket.close(NORMAL_CLOSE)

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
        if data.get("action") == "auth":
            return await self.authenticate(data.get("token"))
        try:
            body = JobControl.model_validate(data)
        except ValidationError as error:
            return error_message(_explain(error.errors()))
        errors = control_errors(body, self.settings)
        if errors:
            return error_message(_explain(errors))
        if not self.steers:
            return error_message(NOT_STEERING)
        try:
            await self.manager.control(self.job.id, body.command())
        except (JobFinishedError, TooManyJobsError) as error:
            return error_message(str(error))
        except JobNotFoundError:
            return error_message(JOB_NOT_FOUND)
        return None

    async def authenticate(self, token: object) -> str | None:
        """`{"action": "auth", "token": ...}`: steer from now on, or an `error` saying why not.

        The job's own token (not the admin's) makes this socket its owner's page: the job
        does not idle while it is open, and resumes if it was paused for being idle (an
        `error` when the server is full: it stays paused).
        """
        if not isinstance(token, str) or not self.owners.may_steer(self.job, [token]):
            return error_message(WRONG_TOKEN)
        self.steers = True
        if self.owns or not self.owners.owns(self.job, [token]):
            return None
        self.owns = True
        self.presence.enter_context(self.manager.presence.owner_watching(self.job))
        try:
            await self.manager.owner_back(self.job)
        except TooManyJobsError as error:
            return error_message(str(error))
        return None


NOT_STEERING = (
    'Only the job\'s owner may steer it: send {"action": "auth", "token": "<token>"} with the '
    "token its creation returned first. Anyone with its id may watch it."
)
WRONG_TOKEN = "This token does not steer this job: you may watch it, not steer it."


def _explain(errors: object) -> str:
    return "; ".join(error["msg"] for error in explained(readable(errors)))
