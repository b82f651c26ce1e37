"""The websocket /ws/room: every job of the server, live, for the teacher (the admin token).

The client sends `{"action": "auth", "token": "<GRADLIVE_ADMIN_TOKEN>"}` first; any other
first message, or a wrong token, gets an `error` and the close 4403, and never a job.
Then every ROOM_INTERVAL seconds the server sends a `room` message (app.jobs.room) when
the list has changed since the last one it sent. The room only listens: its buttons steer
jobs through the REST API with the same token.
"""

import contextlib
import json
from collections.abc import Awaitable, Callable

import anyio
from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from app.api.deps import JobManagerDep, SettingsDep
from app.api.owners import OwnersDep
from app.api.ws import FORBIDDEN_CLOSE, refused_origin
from app.jobs.manager import JobManager
from app.jobs.messages import error_message
from app.jobs.owners import Owners
from app.jobs.room import Room

router = APIRouter(tags=["websocket"])

AUTH_SECONDS = 10.0  # how long a new socket may take to send its token

NOT_AUTH = (
    'The room lists every job: send {"action": "auth", "token": "<GRADLIVE_ADMIN_TOKEN>"} '
    "first, with the teacher's token."
)
NO_ADMIN = (
    "This server has no teacher's token: start it with GRADLIVE_ADMIN_TOKEN set to open the room."
)
WRONG_ADMIN = "This is not the teacher's token (GRADLIVE_ADMIN_TOKEN): check it and try again."


@router.websocket("/ws/room")
async def watch_room(
    websocket: WebSocket, manager: JobManagerDep, settings: SettingsDep, owners: OwnersDep
) -> None:
    """After the admin's token, a `room` message with every job whenever the list changes."""
    if await refused_origin(websocket, settings):
        return
    await websocket.accept()
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        refusal = await _refusal(websocket, owners, settings.MAX_REQUEST_BYTES)
        if refusal:
            await websocket.send_text(error_message(refusal))
            await websocket.close(FORBIDDEN_CLOSE, refusal[:120])  # a reason holds 123 bytes
            return
        room: Room = websocket.app.state.room
        async with anyio.create_task_group() as group:

            async def run_then_cancel(task: Callable[[], Awaitable[None]]) -> None:
                with contextlib.suppress(WebSocketDisconnect, RuntimeError):
                    await task()
                group.cancel_scope.cancel()

            group.start_soon(
                run_then_cancel,
                lambda: _send_room(websocket, manager, room, settings.ROOM_INTERVAL),
            )
            group.start_soon(run_then_cancel, lambda: _until_disconnect(websocket))


async def _refusal(websocket: WebSocket, owners: Owners, max_bytes: int) -> str:
    """Why the first message does not open the room (no admin's token in time), or ""."""
    if not owners.has_admin:
        return NO_ADMIN
    text = None
    with anyio.move_on_after(AUTH_SECONDS):
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000))
        text = message.get("text")
    if text is None or len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        return NOT_AUTH
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return NOT_AUTH
    if not isinstance(data, dict) or data.get("action") != "auth":
        return NOT_AUTH
    token = data.get("token")
    return "" if isinstance(token, str) and owners.is_admin([token]) else WRONG_ADMIN


async def _send_room(
    websocket: WebSocket, manager: JobManager, room: Room, interval: float
) -> None:
    """The room's list now, then every `interval` s when it has changed."""
    sent = None
    while True:
        text = room.message(manager.list())
        if text != sent:
            await websocket.send_text(text)
            sent = text
        await anyio.sleep(interval)


async def _until_disconnect(websocket: WebSocket) -> None:
    """Read (and drop) what the client sends, until it leaves."""
    while (await websocket.receive())["type"] != "websocket.disconnect":
        pass
