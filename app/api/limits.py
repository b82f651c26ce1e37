"""Request limits: a cap on body size, readable validation errors, GET /api/limits."""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.deps import SettingsDep
from app.config import Settings


class BodySizeLimit:
    """Refuses HTTP request bodies over `max_bytes` with 413, whether announced or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"0")
        if length.isdigit() and int(length) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise _TooLargeError
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLargeError:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = (
            f"The request body is larger than {self.max_bytes} bytes (GRADLIVE_MAX_REQUEST_BYTES)."
        )
        await JSONResponse({"detail": detail}, status_code=413)(scope, receive, send)


class _TooLargeError(Exception):
    pass


def field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """ "hidden_layers.0" for ("body", "hidden_layers", 0); "" for the body itself."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path"):
        parts = parts[1:]
    return ".".join(str(p) for p in parts)


def explained(errors: Any) -> list[dict[str, Any]]:
    """Pydantic's errors, each message starting with the field it is about (for one line)."""
    out = []
    for error in errors:
        error = dict(error)
        name = field_name(error.get("loc", ()))
        if name:
            error["msg"] = f"{name}: {error['msg']}"
        error.pop("url", None)
        out.append(error)
    return out


def public_limits(settings: Settings) -> dict[str, Any]:
    """The limits and defaults a page needs to bound its controls."""
    return {
        "max_iterations": settings.MAX_ITERATIONS,
        "max_hidden_layers": settings.MAX_HIDDEN_LAYERS,
        "max_units": settings.MAX_UNITS,
        "max_samples": settings.MAX_SAMPLES,
        "min_grid": settings.MIN_GRID,
        "max_grid": settings.MAX_GRID,
        "default_grid": settings.DEFAULT_GRID,
        "default_speed": settings.DEFAULT_SPEED,
        "max_speed": settings.MAX_SPEED,
        "progress_rate": settings.PROGRESS_RATE,
        "max_running_jobs": settings.MAX_RUNNING_JOBS,
        "max_request_bytes": settings.MAX_REQUEST_BYTES,
    }


router = APIRouter(prefix="/api", tags=["limits"])


@router.get("/limits")
async def read_limits(settings: SettingsDep) -> dict[str, Any]:
    """The server's limits and defaults (GRADLIVE_* settings) for clients' controls."""
    return public_limits(settings)
