"""REST for training jobs: create, list, read, steer and delete them."""

from dataclasses import asdict
from typing import Any

import anyio
from fastapi import APIRouter, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError

from app.api.deps import JobManagerDep, SettingsDep
from app.api.schemas import JobControl, JobCreate, JobPublic, control_errors, limit_errors
from app.jobs.checks import NoWeightsError, check_job_gradients
from app.jobs.manager import Job, JobFinishedError, JobNotFoundError, TooManyJobsError

router = APIRouter(prefix="/api/jobs", tags=["jobs"])

NOT_FOUND = "Job not found"


@router.post("", status_code=status.HTTP_201_CREATED, response_model=JobPublic)
async def create_job(body: JobCreate, settings: SettingsDep, manager: JobManagerDep) -> Any:
    """Start a training job; 422 names a field out of range, 429 when the server is full."""
    errors = limit_errors(body, settings)
    if errors:
        raise RequestValidationError(errors)
    try:
        job = manager.create(body.spec(settings))
    except ValueError as error:
        raise RequestValidationError(
            [{"type": "value_error", "loc": ("body",), "msg": str(error), "input": None}]
        ) from None
    except TooManyJobsError as error:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail=str(error),
            headers={"Retry-After": str(error.retry_after)},
        ) from None
    return job.summary()


@router.get("", response_model=list[JobPublic])
async def list_jobs(manager: JobManagerDep) -> Any:
    """Every job the server keeps, oldest first."""
    return [job.summary() for job in manager.list()]


@router.get("/{job_id}", response_model=JobPublic)
async def read_job(job_id: str, manager: JobManagerDep) -> Any:
    """A job's status, config, last iteration and latest metrics."""
    return _get(manager, job_id).summary()


@router.delete("/{job_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_job(job_id: str, manager: JobManagerDep) -> None:
    """Stop a job (its viewers see `stopped`) and remove it."""
    try:
        await manager.delete(job_id)
    except JobNotFoundError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NOT_FOUND) from None


@router.post("/{job_id}/control", response_model=JobPublic)
async def control_job(
    job_id: str, body: JobControl, settings: SettingsDep, manager: JobManagerDep
) -> Any:
    """Pause, resume, stop, step or set the learning rate/speed; 409 once the job has ended."""
    errors = control_errors(body, settings)
    if errors:
        raise RequestValidationError(errors)
    try:
        job = await manager.control(job_id, body.command())
    except JobNotFoundError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NOT_FOUND) from None
    except JobFinishedError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(error)) from None
    return job.summary()


@router.post("/{job_id}/gradcheck")
async def check_gradients(job_id: str, manager: JobManagerDep, request: Request) -> dict[str, Any]:
    """The course's gradient check at the job's current weights; 409 when it has none."""
    job = _get(manager, job_id)
    # One check at a time on the whole server: each costs thousands of forward passes,
    # and a class clicking the button at once must not starve the training jobs.
    async with request.app.state.checking:
        try:
            result = await anyio.to_thread.run_sync(check_job_gradients, job)
        except NoWeightsError as error:
            raise HTTPException(status.HTTP_409_CONFLICT, detail=str(error)) from None
    return asdict(result)


def _get(manager: JobManagerDep, job_id: str) -> Job:
    try:
        return manager.get(job_id)
    except JobNotFoundError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NOT_FOUND) from None
