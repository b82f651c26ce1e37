"""Seeing inside a job's network: its hidden space (open to whoever may watch it), and a
weight or bias set by hand (with the job's token, as any other steering)."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from app.api.deps import JobManagerDep
from app.api.limits import ReadableErrorsRoute
from app.api.owners import OwnersDep, TokensDep, note_owner, require_owner
from app.api.schemas import JobPublic, refusals
from app.jobs import inside
from app.jobs.control import Command, Edit

# What does not fit the network (422 at its field), no such job (404) and no parameters
# yet or an ended job (409) are answered by app.api.errors.
router = APIRouter(prefix="/api/jobs", tags=["inside"], route_class=ReadableErrorsRoute)


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
    job = manager.get(job_id)
    return inside.hidden_space(job, layer, _units(units))


@router.post(
    "/{job_id}/weights", response_model=JobPublic, responses=refusals(403, 404, 409, 413, 415)
)
async def edit_weight(
    job_id: str, body: WeightEdit, manager: JobManagerDep, owners: OwnersDep, tokens: TokensDep
) -> Any:
    """Set one weight or bias of a job that has not ended; its pictures and metrics follow
    at once on the websocket, and training goes on from the edited network. 403 without
    the job's token; 409 once the job has ended or before it has parameters."""
    job = manager.get(job_id)
    require_owner(owners, job, tokens)
    note_owner(manager, owners, job, tokens)
    edit = Edit(body.parameter, body.row, body.col, body.value)
    inside.check_edit(job, edit)
    job = await manager.control(job_id, Command("edit", edit=edit))
    return job.summary()


def _units(text: str) -> tuple[int, int]:
    parts = text.split(",")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        message = "units must be two unit numbers as i,j (such as 0,1)."
        raise inside.InsideError("units", message)
    return int(parts[0]), int(parts[1])
