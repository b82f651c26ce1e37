"""Request limits: a cap on body size, readable validation errors, GET /api/limits."""

import math
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from fastapi import APIRouter, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.deps import SettingsDep
from app.config import Settings
from app.jobs.room import LEARNER_LENGTH
from app.nn import activations, datasets
from app.nn.features import FEATURES


class BodySizeLimit:
    """Refuses HTTP request bodies over `max_bytes` with 413, whether announced or streamed.

    The paths in `own_limit` read their bodies within a limit of their own (a learner's
    dataset is larger than any job config, and its refusal names what to fix).
    """

    def __init__(self, app: ASGIApp, max_bytes: int, own_limit: tuple[str, ...] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.own_limit = own_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.own_limit:
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        detail = f"The request body is larger than {limit} bytes (GRADLIVE_MAX_REQUEST_BYTES)."
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"0")
        if length.isdigit() and int(length) > limit:
            await _refuse(detail, scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                # An HTTPException, so the route answers it as it is (413), where any
                # other error while reading the body would become a 400.
                raise _TooLargeError(detail)
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLargeError:
            await _refuse(detail, scope, receive, send)


async def _refuse(detail: str, scope: Scope, receive: Receive, send: Send) -> None:
    await JSONResponse({"detail": detail}, status_code=413)(scope, receive, send)


class _TooLargeError(HTTPException):
    def __init__(self, detail: str) -> None:
        super().__init__(status.HTTP_413_CONTENT_TOO_LARGE, detail)


class ReadableErrorsRoute(APIRoute):
    """A route whose refusals are JSON a client can read, naming the field: never a 500.

    Pydantic writes each bad value back in its error. A NaN or an infinity in the body
    (Python's JSON reader takes them) cannot be written as JSON, and a long value should
    not be written back whole: values are echoed JSON-safe and short. A body that cannot
    be read at all (nested too deeply, a number with thousands of digits) is a 422 about
    "body"; a body that is not JSON at all is a 415.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def readable_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as error:
                if _not_json(error.errors(), request):
                    raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, NOT_JSON) from None
                raise RequestValidationError(readable(error.errors())) from None
            except HTTPException as error:
                cause = error.__cause__
                if error.status_code == 400 and isinstance(cause, ValueError | RecursionError):
                    message = f"The body cannot be read as JSON: {unreadable(cause)}."
                    raise RequestValidationError([body_error(message)]) from None
                raise

        return readable_handler


NOT_JSON = "Send the body as JSON, with the header Content-Type: application/json."
LONE_SURROGATE = (
    "Input should be text without a lone surrogate (an escape \\ud800 to \\udfff not in a pair)"
)
MAX_ECHO = 100  # characters of a bad value written back in its error
MAX_ITEMS = 20  # items of a bad list or object written back
MAX_DEPTH = 3  # levels of a bad list or object written back


def readable(errors: Any) -> list[dict[str, Any]]:
    """Pydantic's errors with every echoed value JSON-safe and short."""
    out = []
    for error in errors:
        error = dict(error)
        # A key or a message may carry what the client sent (a lone surrogate too).
        error["loc"] = tuple(echo(part) for part in error.get("loc", ()))
        if "msg" in error:
            error["msg"] = printable(str(error["msg"]))
        if "input" in error:
            error["input"] = echo(error["input"])
        if "ctx" in error:
            error["ctx"] = echo(error["ctx"])
        if error.get("type") == "missing" and tuple(error.get("loc", ())) == ("body",):
            error["msg"] = "The body is missing: send a JSON object."
        if error.get("type") == "string_unicode":  # pydantic's words name no cause
            error["msg"] = LONE_SURROGATE
        out.append(error)
    return out


def echo(value: Any, depth: int = 0) -> Any:
    """`value` as JSON can carry it, cut short: NaN and infinities spelled as strings."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, int):
        digits = str(value)
        return value if len(digits) <= 20 else f"{digits[:20]}… ({len(digits)} digits)"
    if isinstance(value, bytes | bytearray):
        value = value.decode("utf-8", "replace")
    if isinstance(value, dict):
        if depth >= MAX_DEPTH:
            return "{…}"
        items = list(value.items())[:MAX_ITEMS]
        return {echo(str(k)): echo(v, depth + 1) for k, v in items}
    if isinstance(value, list | tuple):
        if depth >= MAX_DEPTH:
            return "[…]"
        return [echo(v, depth + 1) for v in value[:MAX_ITEMS]]
    text = printable(str(value))
    return text if len(text) <= MAX_ECHO else text[:MAX_ECHO] + "…"


def printable(text: str) -> str:
    """`text` as UTF-8 can carry it: a lone surrogate (JSON's "\\ud800") written as \\ud800.

    Python's JSON reader takes such escapes, but no response can be encoded with them.
    """
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def unreadable(error: Exception) -> str:
    """Why JSON text could not be read, for people."""
    if isinstance(error, RecursionError):
        return "it is nested too deeply"
    if "integer string conversion" in str(error):
        return "a number in it has too many digits"
    return str(error)


def body_error(message: str) -> dict[str, Any]:
    """A 422 error about the body as a whole."""
    return {"type": "json_invalid", "loc": ("body",), "msg": message, "input": None}


def _not_json(errors: Any, request: Request) -> bool:
    """Whether the body was refused only because it was not sent as JSON.

    FastAPI reads a body as JSON only when its Content-Type says so; without one, the
    JSON text reaches validation as a string and would be refused as "not an object".
    """
    content_type = request.headers.get("content-type", "")
    return "json" not in content_type.split(";")[0].lower() and any(
        e.get("type") == "model_attributes_type" and tuple(e.get("loc", ())) == ("body",)
        for e in errors
    )


def field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """ "hidden_layers.0" for ("body", "hidden_layers", 0); "" for the body itself."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path"):
        parts = parts[1:]
    return printable(".".join(str(p) for p in parts))


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


# The server's limits on a job's config and on a command, a bound a row: (field, setting).
# A MAX_ setting bounds its field from above, a MIN_ one from below; "hidden_layers" is the
# number of hidden layers, "hidden_layers.*" each one's units. Every check reads this table
# (a job's config and an experiment's, a command over REST and the websocket, a dataset's
# preview), and so does GET /api/limits.
BOUNDS: tuple[tuple[str, str], ...] = (
    ("iterations", "MAX_ITERATIONS"),
    ("steps", "MAX_ITERATIONS"),
    ("n_samples", "MAX_SAMPLES"),
    ("batch_size", "MAX_SAMPLES"),
    ("hidden_layers", "MAX_HIDDEN_LAYERS"),
    ("hidden_layers.*", "MAX_UNITS"),
    ("grid", "MIN_GRID"),
    ("grid", "MAX_GRID"),
    ("speed", "MIN_SPEED"),
    ("speed", "MAX_SPEED"),
)


def bound_errors(
    values: Mapping[str, Any], settings: Settings, where: str = "body"
) -> list[dict[str, Any]]:
    """The server's limits (BOUNDS) that `values` (field: value; None or absent: not
    given) go beyond, as 422 errors at (where, field[, index])."""
    errors = []
    for field, setting in BOUNDS:
        name, _, each = field.partition(".")
        value = values.get(name)
        if value is None:
            continue
        limit = getattr(settings, setting)
        found: list[tuple[tuple[str | int, ...], Any]]
        if each:
            found = [((name, i), item) for i, item in enumerate(value)]
        else:
            found = [((name,), len(value) if isinstance(value, list | tuple) else value)]
        for loc, got in found:
            if setting.startswith("MAX_") and got > limit:
                message = f"Input should be at most {limit:.15g}"
                if field == "hidden_layers":
                    message = f"At most {limit:.15g} hidden layers"
            elif setting.startswith("MIN_") and got < limit:
                message = f"Input should be at least {limit:.15g}"
            else:
                continue
            errors.append(
                {
                    "type": "value_error",
                    "loc": (where, *loc),
                    "msg": f"{message} on this server (GRADLIVE_{setting})",
                    "input": got,
                }
            )
    return errors


def public_limits(settings: Settings) -> dict[str, Any]:
    """The limits and defaults a page needs to bound its controls: each setting of BOUNDS
    (max_iterations, ...), and `fields`, every config field's bounds and choices."""
    return {
        **{setting.lower(): getattr(settings, setting) for _, setting in BOUNDS},
        "default_grid": settings.DEFAULT_GRID,
        "default_speed": settings.DEFAULT_SPEED,
        "progress_rate": settings.PROGRESS_RATE,
        "max_running_jobs": settings.MAX_RUNNING_JOBS,
        "max_experiment_values": settings.MAX_EXPERIMENT_VALUES,
        "max_request_bytes": settings.MAX_REQUEST_BYTES,
        "max_viewers": settings.MAX_VIEWERS,
        "max_viewers_per_job": settings.MAX_VIEWERS_PER_JOB,
        "max_learner_length": LEARNER_LENGTH,
        "activations": list(activations.ACTIVATIONS),
        # How the page writes each: its label, its symbol and g'(Z[l]) in the equations.
        "activation_text": {
            name: {"label": g.label, "symbol": g.symbol, "derivative": g.derivative_text}
            for name, g in activations.ACTIVATIONS.items()
        },
        "features": list(FEATURES),
        "min_classes": datasets.MIN_CLASSES,
        "max_classes": datasets.MAX_CLASSES,
        "max_data_rows": settings.MAX_DATA_ROWS,
        "max_data_bytes": settings.MAX_DATA_BYTES,
        "fields": field_bounds(settings),
    }


def field_bounds(settings: Settings) -> dict[str, dict[str, Any]]:
    """Each config field's bounds as a form needs them: {"min", "max"} (or "above", a
    bound the value must pass) and "choices", those of the config's schema (which hold on
    every server) narrowed by this server's (BOUNDS). "hidden_layers" bounds how many
    hidden layers, "hidden_layers.*" their units."""
    from app.api.schemas import JobCreate  # the schemas echo values with this module's helpers

    bounds: dict[str, dict[str, Any]] = {}
    for name, schema in JobCreate.model_json_schema()["properties"].items():
        for part in [schema, *schema.get("anyOf", [])]:
            if "items" in part:
                _schema_bounds(bounds.setdefault(f"{name}.*", {}), part["items"])
            _schema_bounds(bounds.setdefault(name, {}), part)
    for field, setting in BOUNDS:
        if field in bounds:
            bounds[field][setting[:3].lower()] = getattr(settings, setting)
    return {name: found for name, found in bounds.items() if found}


def _schema_bounds(bounds: dict[str, Any], schema: Mapping[str, Any]) -> None:
    """Take a JSON schema's bounds and choices into `bounds`."""
    words = {"minimum": "min", "maximum": "max", "exclusiveMinimum": "above", "enum": "choices"}
    for word, key in words.items():
        if word in schema:
            bounds[key] = schema[word]


router = APIRouter(prefix="/api", tags=["limits"])


@router.get("/limits")
async def read_limits(settings: SettingsDep) -> dict[str, Any]:
    """The server's limits and defaults (GRADLIVE_* settings) for clients' controls."""
    return public_limits(settings)
