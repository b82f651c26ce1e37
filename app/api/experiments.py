"""REST for experiments (docs/api.md): one job per value of a config field, read as one."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, status
from fastapi.exceptions import RequestValidationError
from starlette.requests import HTTPConnection

from app.api.deps import JobManagerDep, SettingsDep
from app.api.limits import ReadableErrorsRoute
from app.api.owners import (
    OwnersDep,
    TokensDep,
    client_jobs,
    client_of,
    experiment_over_client_limits,
    make_room_for,
    note_owner,
)
from app.api.schemas import ExperimentCreate, ExperimentCreated, ExperimentPublic, refusals
from app.jobs.errors import JobNotFoundError, TooManyJobsError
from app.jobs.experiments import Experiments
from app.jobs.manager import JobManager
from app.jobs.owners import Owners, new_token

# A bad value's job (422 at ("body", "values", i, field)), a full server (429) and an
# unknown id (404) are answered by app.api.errors.
router = APIRouter(prefix="/api/experiments", tags=["experiments"], route_class=ReadableErrorsRoute)
_GONE = {"status": "deleted", "iteration": None, "metrics": None}


def get_experiments(connection: HTTPConnection) -> Experiments:
    """The server's experiments, made when the app starts (lifespan)."""
    experiments: Experiments = connection.app.state.experiments
    return experiments


ExperimentsDep = Annotated[Experiments, Depends(get_experiments)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ExperimentCreated,
    responses=refusals(413, 415, 429),
)
async def create_experiment(
    body: ExperimentCreate,
    settings: SettingsDep,
    manager: JobManagerDep,
    owners: OwnersDep,
    experiments: ExperimentsDep,
    request: Request,
) -> Any:
    """Start one job per value; 422 names a bad value (values, its index, the field).

    The jobs train as places free up: those beyond GRADLIVE_MAX_RUNNING_JOBS wait, queued,
    rather than being refused, so a class can run the lecture's experiment at once. 429
    when the server could not keep them all (GRADLIVE_MAX_JOBS), or when the client's
    unfinished jobs would pass its share (see experiment_over_client_limits). The answer's `token`
    steers every job of the experiment; it is never shown again.
    """
    configs, errors = body.configs(settings)
    if errors:
        raise RequestValidationError(errors)
    owners.keep_only(j.id for j in manager.list())
    client = client_of(request, settings)
    mine = client_jobs(owners, manager, client)
    if full := experiment_over_client_limits(mine, len(configs), settings):
        raise TooManyJobsError(full, settings.RETRY_AFTER)
    token, owner_hash = new_token()
    specs = [config.spec(settings) for config in configs]
    jobs = manager.create_queued(specs, body.base.learner, owner_hash)
    for job in jobs:
        owners.created_by(job.id, client)
    await make_room_for(manager, mine, settings, len(jobs))
    values = [body.value(config) for config in configs]
    experiment = experiments.add(body.vary, values, [job.id for job in jobs])
    return {"id": experiment.id, "jobs": list(experiment.jobs), "token": token}


@router.get("/{experiment_id}", response_model=ExperimentPublic, responses=refusals(404))
async def read_experiment(
    experiment_id: str,
    manager: JobManagerDep,
    owners: OwnersDep,
    tokens: TokensDep,
    experiments: ExperimentsDep,
) -> Any:
    """Each job's value, status, last iteration and latest metrics: open to anyone with the
    id, as watching a job is (a request with the experiment's token keeps its jobs from
    idling)."""
    experiment = experiments.get(experiment_id)
    rows = [
        _job_row(manager, owners, tokens, job_id, value)
        for job_id, value in zip(experiment.jobs, experiment.values, strict=True)
    ]
    return {"id": experiment.id, "vary": experiment.vary, "values": experiment.values, "jobs": rows}


def _job_row(
    manager: JobManager, owners: Owners, tokens: list[str], job_id: str, value: Any
) -> dict[str, Any]:
    """One job of an experiment as GET shows it; "deleted" once the server has let it go."""
    try:
        job = manager.get(job_id)
    except JobNotFoundError:
        return {**_GONE, "id": job_id, "value": value}
    note_owner(manager, owners, job, tokens)
    summary = job.summary()
    return {
        "id": job_id,
        "value": value,
        "status": summary["status"],
        "iteration": summary["iteration"],
        "metrics": summary["metrics"],
    }
