"""Owners on the web (docs/api.md): the bearer tokens a request carries, 403 without the job's."""

from typing import Annotated

from fastapi import Depends, HTTPException, status
from starlette.requests import HTTPConnection

from app.config import Settings
from app.jobs.job import Job
from app.jobs.manager import JobManager
from app.jobs.owners import Owners

FORBIDDEN = (
    "Only the job's owner may steer it: send the token its creation returned, as "
    "Authorization: Bearer <token>. Anyone with its id may watch it."
)


def bearer_tokens(connection: HTTPConnection) -> list[str]:
    """Every token in the Authorization headers: `Bearer t1, t2`, or one header per token."""
    tokens = []
    for header in connection.headers.getlist("authorization"):
        scheme, _, value = header.strip().partition(" ")
        if scheme.lower() == "bearer":
            tokens += [t.strip() for t in value.split(",") if t.strip()]
    return tokens


def get_owners(connection: HTTPConnection) -> Owners:
    owners: Owners = connection.app.state.owners
    return owners


OwnersDep = Annotated[Owners, Depends(get_owners)]
TokensDep = Annotated[list[str], Depends(bearer_tokens)]


def require_owner(owners: Owners, job: Job, tokens: list[str]) -> None:
    """403 unless `tokens` steer `job`."""
    if not owners.may_steer(job, tokens):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=FORBIDDEN)


def note_owner(manager: JobManager, owners: Owners, job: Job, tokens: list[str]) -> None:
    """A request with the job's own token is its owner at work: its idle time starts again.

    The admin's token or none does not count: a watcher must not keep someone's job alive.
    """
    if owners.owns(job, tokens):
        manager.presence.seen(job)


def client_of(connection: HTTPConnection, settings: Settings) -> str:
    """The address a request comes from: the first X-Forwarded-For behind a trusted proxy."""
    if settings.TRUST_PROXY and (forwarded := connection.headers.get("x-forwarded-for")):
        return forwarded.split(",")[0].strip()
    return connection.client.host if connection.client else ""


def unfinished(jobs: list[Job]) -> int:
    """How many of `jobs` have not ended: what a client's share counts."""
    return sum(not job.final for job in jobs)


def over_client_limits(mine: list[Job], settings: Settings) -> str:
    """Why a client with jobs `mine` may not start one more (its share is taken), or ""."""
    active = unfinished(mine)
    bound = settings.MAX_ACTIVE_JOBS_PER_CLIENT
    if bound and active >= bound:
        return (
            f"You have {active} unfinished jobs on this server, the most one client may have "
            "(GRADLIVE_MAX_ACTIVE_JOBS_PER_CLIENT): stop one of yours, then try again."
        )
    return ""


def experiment_over_client_limits(mine: list[Job], count: int, settings: Settings) -> str:
    """Why a client with jobs `mine` may not start an experiment of `count` jobs, or "".

    One experiment always fits a client with no unfinished job, however many values it
    has (up to GRADLIVE_MAX_EXPERIMENT_VALUES); a second one, while the first still
    trains, only within the client's share, so nobody can queue the server full.
    """
    active = unfinished(mine)
    share = settings.MAX_ACTIVE_JOBS_PER_CLIENT
    bound = max(share, settings.MAX_EXPERIMENT_VALUES)
    if not share or active + count <= bound:
        return ""
    return (
        f"You have {active} unfinished jobs on this server: {count} more would pass the "
        f"{bound} one client may have (GRADLIVE_MAX_ACTIVE_JOBS_PER_CLIENT, or "
        "GRADLIVE_MAX_EXPERIMENT_VALUES for an experiment): stop some of yours, or wait "
        "for them to end, then try again."
    )


async def make_room_for(
    manager: JobManager, mine: list[Job], settings: Settings, count: int = 1
) -> None:
    """At its bound of kept jobs, a client's own oldest finished ones go (not others') to
    make room for `count` more."""
    if not settings.MAX_JOBS_PER_CLIENT:
        return
    finished = [job for job in mine if job.final]
    for job in finished[: max(0, len(mine) - settings.MAX_JOBS_PER_CLIENT + count)]:
        await manager.delete(job.id)


def client_jobs(owners: Owners, manager: JobManager, client: str) -> list[Job]:
    """The jobs `client` created, oldest first."""
    jobs = {job.id: job for job in manager.list()}
    return [jobs[j] for j in owners.of_client(client, jobs)]
