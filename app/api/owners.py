"""Contract 5 on the web: the bearer tokens a request carries, and 403 without the job's."""

from typing import Annotated

from fastapi import Depends, HTTPException, status
from starlette.requests import HTTPConnection

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


def require_owner(owners: Owners, job_id: str, tokens: list[str]) -> None:
    """403 unless `tokens` steer `job_id` (call it once the job is known to exist)."""
    if not owners.may_steer(job_id, tokens):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=FORBIDDEN)
