"""REST for training jobs: create, list, read, steer and delete them."""

from dataclasses import asdict
from typing import Any

import anyio
from fastapi import APIRouter, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError

from app.api.deps import JobManagerDep, SettingsDep
from app.api.limits import ReadableErrorsRoute
from app.api.owners import (
    OwnersDep,
    TokensDep,
    client_jobs,
    client_of,
    make_room_for,
    note_owner,
    over_client_limits,
    require_owner,
)
from app.api.schemas import (
    JobControl,
    JobCreate,
    JobCreated,
    JobPublic,
    control_errors,
    limit_errors,
    refusals,
)
from app.jobs.checks import check_job_gradients
from app.jobs.errors import TooManyJobsError
from app.jobs.owners import new_token

# Refusals of the manager (no such job, a bad spec, the server full) are answered by
# app.api.errors.
router = APIRouter(prefix="/api/jobs", tags=["jobs"], route_class=ReadableErrorsRoute)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=JobCreated,
    responses=refusals(413, 415, 429),
)
async def create_job(
    body: JobCreate,
    settings: SettingsDep,
    manager: JobManagerDep,
    owners: OwnersDep,
    request: Request,
) -> Any:
    """Start a training job; 422 names a field out of range, 429 when the server is full.

    The answer holds the job's `token`, which steers it; it is never shown again. 429 also
    when this client has GRADLIVE_MAX_ACTIVE_JOBS_PER_CLIENT unfinished jobs; at
    GRADLIVE_MAX_JOBS_PER_CLIENT kept ones, its own oldest finished job makes room.
    """
    errors = limit_errors(body, settings)
    if errors:
        raise RequestValidationError(errors)
    owners.keep_only(j.id for j in manager.list())
    client = client_of(request, settings)
    mine = client_jobs(owners, manager, client)
    if full := over_client_limits(mine, settings):
        raise TooManyJobsError(full, settings.RETRY_AFTER)
    await make_room_for(manager, mine, settings)
    token, owner_hash = new_token()
    job = manager.create(body.spec(settings), body.learner, owner_hash)
    owners.created_by(job.id, client)
    return {**job.summary(), "token": token}


@router.get("", response_model=list[JobPublic])
async def list_jobs(manager: JobManagerDep, owners: OwnersDep, tokens: TokensDep) -> Any:
    """The jobs the request's tokens steer, oldest first (every job for the admin's token)."""
    every = owners.is_admin(tokens)
    return [j.summary() for j in manager.list() if every or owners.may_steer(j, tokens)]


@router.get("/{job_id}", response_model=JobPublic, responses=refusals(404))
async def read_job(
    job_id: str, manager: JobManagerDep, owners: OwnersDep, tokens: TokensDep
) -> Any:
    """A job's status, config, last iteration and latest metrics."""
    job = manager.get(job_id)
    note_owner(manager, owners, job, tokens)
    return job.summary()


@router.delete("/{job_id}", status_code=status.HTTP_204_NO_CONTENT, responses=refusals(403, 404))
async def delete_job(
    job_id: str, manager: JobManagerDep, owners: OwnersDep, tokens: TokensDep
) -> None:
    """Stop a job (its viewers see `stopped`) and remove it; its token or the admin's."""
    require_owner(owners, manager.get(job_id), tokens)
    await manager.delete(job_id)


@router.post(
    "/{job_id}/control",
    response_model=JobPublic,
    responses=refusals(403, 404, 409, 413, 415, 429),
)
async def control_job(
    job_id: str,
    body: JobControl,
    settings: SettingsDep,
    manager: JobManagerDep,
    owners: OwnersDep,
    tokens: TokensDep,
) -> Any:
    """Pause, resume, stop, step or set the learning rate/speed; 409 once the job has ended.

    403 without the job's token; 429 when resuming or stepping a paused job while the
    server trains all it can.
    """
    job = manager.get(job_id)
    require_owner(owners, job, tokens)
    note_owner(manager, owners, job, tokens)
    errors = control_errors(body, settings)
    if errors:
        raise RequestValidationError(errors)
    job = await manager.control(job_id, body.command())
    return job.summary()


@router.post("/{job_id}/gradcheck", responses=refusals(403, 404, 409, 429))
async def check_gradients(
    job_id: str, manager: JobManagerDep, request: Request, owners: OwnersDep, tokens: TokensDep
) -> dict[str, Any]:
    """The course's gradient check at the job's current weights; 409 when it has none.

    403 without the job's token (each check costs the server thousands of forward passes);
    429 while a check of the same job is under way (a button clicked again and again).
    """
    job = manager.get(job_id)
    require_owner(owners, job, tokens)
    note_owner(manager, owners, job, tokens)
    if job.checking:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail="A gradient check of this job is under way: wait for its result.",
            headers={"Retry-After": "1"},
        )
    job.checking = True
    try:
        # One check at a time on the whole server: each costs thousands of forward passes,
        # and a class clicking the button at once must not starve the training jobs.
        async with request.app.state.checking:
            result = await anyio.to_thread.run_sync(check_job_gradients, job)
    finally:
        job.checking = False
    return asdict(result)
