"""The refusals of the layers below, each mapped to its HTTP answer once.

The routes let these exceptions through; `HANDLERS` are the app's exception handlers
(create_app). A value the engine refuses is a 422 in FastAPI's own shape,
`detail: [{type, loc, msg, input}]`, its loc naming the field that the error carries
(app.nn.errors.FieldError, app.jobs.errors.SpecError): never one read from its message.
"""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from starlette.responses import Response

from app.api.limits import readable
from app.jobs.checks import NoWeightsError
from app.jobs.errors import JobFinishedError, JobNotFoundError, SpecError, TooManyJobsError
from app.jobs.experiments import ExperimentNotFoundError
from app.jobs.exports import NoParametersError, NoScriptError
from app.jobs.owndata import OwnDataError
from app.nn.errors import FieldError

Handler = Callable[[Request, Any], Coroutine[Any, Any, Response]]

JOB_NOT_FOUND = "Job not found"
EXPERIMENT_NOT_FOUND = "Experiment not found"


def value_error(loc: tuple[str | int, ...], message: str) -> dict[str, Any]:
    """One 422 error at `loc` (("body", "learning_rate"), ("query", "n_classes"), ...)."""
    return {"type": "value_error", "loc": loc, "msg": message, "input": None}


def unprocessable(*errors: dict[str, Any]) -> JSONResponse:
    """422 with `errors`, every echoed value JSON-safe, as a route's validation errors."""
    return JSONResponse(
        {"detail": jsonable_encoder(readable(errors))},
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
    )


def values_in(request: Request) -> str:
    """Where the request's values are: a GET's in its query, every other one's in its body."""
    return "query" if request.method == "GET" else "body"


async def refuse_field(request: Request, error: FieldError) -> Response:
    """422 at the field the error names."""
    return unprocessable(value_error((values_in(request), error.field), str(error)))


async def refuse_spec(request: Request, error: SpecError) -> Response:
    """422 for a job spec the engine refused: at ("body", field), for an experiment's i-th
    job at ("body", "values", i, field); without the field when it concerns none."""
    where: tuple[str | int, ...] = ("body",)
    if error.index is not None:
        where += ("values", error.index)
    if error.field is not None:
        where += (error.field,)
    return unprocessable(value_error(where, str(error)))


async def refuse_data(request: Request, error: OwnDataError) -> Response:
    """422 at the line (CSV, from 1) or the point (JSON, from 0) of a learner's data."""
    where: tuple[str | int, ...] = ("body",)
    if error.line is not None:
        where += ("line", error.line)
    elif error.point is not None:
        where += ("point", error.point)
    return unprocessable(value_error(where, str(error)))


def answer(code: int, detail: str | None = None) -> Handler:
    """A handler answering `code` with {"detail": `detail`, or else the error's message}."""

    async def handle(request: Request, error: Exception) -> Response:
        return JSONResponse({"detail": str(error) if detail is None else detail}, code)

    return handle


async def too_many(request: Request, error: TooManyJobsError) -> Response:
    """429 with Retry-After: the server (or the client's share of it) is full."""
    headers = {"Retry-After": str(error.retry_after)}
    return JSONResponse({"detail": str(error)}, status.HTTP_429_TOO_MANY_REQUESTS, headers)


HANDLERS: dict[int | type[Exception], Handler] = {
    FieldError: refuse_field,
    SpecError: refuse_spec,
    OwnDataError: refuse_data,
    JobNotFoundError: answer(status.HTTP_404_NOT_FOUND, JOB_NOT_FOUND),
    ExperimentNotFoundError: answer(status.HTTP_404_NOT_FOUND, EXPERIMENT_NOT_FOUND),
    JobFinishedError: answer(status.HTTP_409_CONFLICT),  # it takes no more commands
    NoParametersError: answer(status.HTTP_409_CONFLICT),  # it has not started
    NoScriptError: answer(status.HTTP_409_CONFLICT),  # a run the script does not write out
    NoWeightsError: answer(status.HTTP_409_CONFLICT),  # nothing to check yet, or diverged
    TooManyJobsError: too_many,
}
