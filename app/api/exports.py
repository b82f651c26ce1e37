"""A job's exports (docs/api.md, Exports): parameters, cost history and a script that retrains it;
and its trace (docs/api.md, the trace): one iteration's arrays, for walking through backpropagation.

Open to whoever may watch the job, as the websocket is: the id is enough, no token. The
handlers are plain functions, so FastAPI runs them in its thread pool: a long history or
the script's template never holds up the event loop.
"""

from typing import Any

from fastapi import APIRouter, Response

from app.api.deps import JobManagerDep, SettingsDep
from app.api.schemas import refusals
from app.jobs import exports, trace
from app.jobs.job import Job

# No such job (404) and nothing to export yet (409) are answered by app.api.errors.
router = APIRouter(prefix="/api/jobs", tags=["exports"])


def _content(media_type: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI: the 200 answer is `media_type`, not JSON."""
    return {200: {"content": {media_type: {}}}}


@router.get("/{job_id}/parameters.json", responses=refusals(404, 409))
def read_parameters_json(job_id: str, manager: JobManagerDep) -> dict[str, Any]:
    """The latest parameters, `{"W1": [[...]], "b1": [[...]], ...}`, at full precision."""
    job = manager.get(job_id)
    return exports.parameters_json(job)


@router.get(
    "/{job_id}/parameters.npz",
    response_class=Response,
    responses={**_content("application/octet-stream"), **refusals(404, 409)},
)
def read_parameters_npz(job_id: str, manager: JobManagerDep) -> Response:
    """The latest parameters as NumPy's .npz: `np.load(file)["W1"]`, and so on."""
    job = manager.get(job_id)
    content = exports.parameters_npz(job)
    return _download(content, "application/octet-stream", job, "parameters.npz")


@router.get(
    "/{job_id}/history.csv",
    response_class=Response,
    responses={**_content("text/csv"), **refusals(404)},
)
def read_history_csv(job_id: str, manager: JobManagerDep) -> Response:
    """`iteration,cost[,test_cost]`: every iteration's cost so far, `nan`/`inf` as such."""
    job = manager.get(job_id)
    return _download(exports.history_csv(job), "text/csv", job, "history.csv")


@router.get(
    "/{job_id}/script.py",
    response_class=Response,
    responses={**_content("text/x-python"), **refusals(404, 409)},
)
def read_script(job_id: str, manager: JobManagerDep, settings: SettingsDep) -> Response:
    """A standalone NumPy script, the lecture's equations written out, that retrains the run.

    409 for a run of another kind (multi-class, regression, other inputs, L1, own data).
    """
    job = manager.get(job_id)
    text = exports.script(job, settings.TEMPLATES_DIR)
    return _download(text, "text/x-python", job, "script.py")


@router.get("/{job_id}/trace", responses=refusals(404, 409))
def read_trace(job_id: str, manager: JobManagerDep, settings: SettingsDep) -> dict[str, Any]:
    """One iteration at the job's current parameters, every array of the lecture's
    equations: `parameters`, `cache` (X, Y, Z1, A1, ..., dZ2, dZ1, ...), `grads`, their
    `norms`, the `cost` and the `shapes`. Above TRACE_COLUMNS examples the (n, m) arrays
    hold evenly spaced columns only, listed in `columns` (null: every example)."""
    job = manager.get(job_id)
    return trace.trace(job, settings.TRACE_COLUMNS)


def _download(content: str | bytes, media_type: str, job: Job, name: str) -> Response:
    filename = f"gradlive-{job.id}-{name}"
    disposition = f'attachment; filename="{filename}"'
    return Response(content, media_type=media_type, headers={"Content-Disposition": disposition})
