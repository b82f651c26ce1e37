"""Seeing inside a job's network: its hidden space (open to whoever may watch it), and a
weight or bias set by hand (with the job's token, as any other steering)."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict

from app.api.deps import JobManagerDep
from app.api.limits import ReadableErrorsRoute
from app.api.owners import OwnersDep, TokensDep, note_owner, require_owner
from app.api.schemas import JobPublic, refusals
from app.jobs import exports, inside
from app.jobs.control import Command, Edit
from app.jobs.errors import JobFinishedError, JobNotFoundError
from app.jobs.job import Job

router = APIRouter(prefix="/api/jobs", tags=["inside"], route_class=ReadableErrorsRoute)

NOT_FOUND = "Job not found"


class WeightEdit(BaseModel):
    """One entry of W[l] or b[l] to set: parameter[row, col] = value (b's col is 0)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    parameter: str
    row: int
    col: int = 0
    value: float


@router.get("/{job_id}/hidden", responses=refusals(404, 409))
def read_hidden_space(
    job_id: str,
    manager: JobManagerDep,
    layer: Annotated[int, Query(description="The hidden layer, from 1")] = 1,
    units: Annotated[str, Query(description="Two of its units, as i,j (from 0)")] = "0,1",
) -> dict[str, Any]:
    """The points and the input plane's grid lines in the space of two hidden units:
    `train.A` and `test.A` are [A{layer}[i], A{layer}[j]] of every point (`y` its label),
    `grid.A` the lines x1 = c and x2 = c as one path, lines separated by null."""
    job = _get(manager, job_id)
    pair = _units(units)
    try:
        return inside.hidden_space(job, layer, pair)
    except exports.NoParametersError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(error)) from None
    except inside.InsideError as error:
        raise _invalid("query", error) from None


@router.post(
    "/{job_id}/weights", response_model=JobPublic, responses=refusals(403, 404, 409, 413, 415)
)
async def edit_weight(
    job_id: str, body: WeightEdit, manager: JobManagerDep, owners: OwnersDep, tokens: TokensDep
) -> Any:
    """Set one weight or bias of a job that has not ended; its pictures and metrics follow
    at once on the websocket, and training goes on from the edited network. 403 without
    the job's token; 409 once the job has ended or before it has parameters."""
    job = _get(manager, job_id)
    require_owner(owners, job, tokens)
    note_owner(manager, owners, job, tokens)
    edit = Edit(body.parameter, body.row, body.col, body.value)
    try:
        inside.check_edit(job, edit)
        job = await manager.control(job_id, Command("edit", edit=edit))
    except inside.InsideError as error:
        raise _invalid("body", error) from None
    except exports.NoParametersError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(error)) from None
    except JobNotFoundError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NOT_FOUND) from None
    except JobFinishedError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(error)) from None
    return job.summary()


def _units(text: str) -> tuple[int, int]:
    parts = text.split(",")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        message = "units must be two unit numbers as i,j (such as 0,1)."
        raise _invalid("query", inside.InsideError("units", message))
    return int(parts[0]), int(parts[1])


def _invalid(where: str, error: inside.InsideError) -> RequestValidationError:
    """A 422 in the API's usual shape, at the field the error names."""
    return RequestValidationError(
        [{"type": "value_error", "loc": (where, error.field), "msg": str(error), "input": None}]
    )


def _get(manager: JobManagerDep, job_id: str) -> Job:
    try:
        return manager.get(job_id)
    except JobNotFoundError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NOT_FOUND) from None
