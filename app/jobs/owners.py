"""Who may steer a job: whoever holds the token its creation returned, or the admin.

Only a hash of each token is kept, on the job itself (`Job.owner_hash`), so neither the
server's memory nor its database (app.jobs.store) holds a secret that steers a job, and a
job read back from the database is steered by the same token. Watching needs no token:
the id is enough.
"""

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from typing import Protocol


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_token() -> tuple[str, str]:
    """A new unguessable token and its hash: the job keeps the hash, its creator the token."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


class Owned(Protocol):
    """A job, as far as ownership goes."""

    @property
    def id(self) -> str: ...

    @property
    def owner_hash(self) -> str | None: ...


class Owners:
    """The client (address) that created each job, and the admin's token, if the server has
    one; whether tokens steer a job."""

    def __init__(self, admin_token: str | None = None) -> None:
        self._clients: dict[str, str] = {}
        self._admin = token_hash(admin_token) if admin_token else None

    def created_by(self, job_id: str, client: str) -> None:
        """`client` created `job_id` (for the limits of one client's share)."""
        self._clients[job_id] = client

    def of_client(self, client: str, job_ids: Iterable[str]) -> list[str]:
        """Which of `job_ids` `client` created."""
        return [j for j in job_ids if self._clients.get(j) == client]

    @property
    def has_admin(self) -> bool:
        """Whether the server has an admin's token at all."""
        return self._admin is not None

    def is_admin(self, tokens: Iterable[str]) -> bool:
        return self._admin is not None and any(self._matches(t, self._admin) for t in tokens)

    def owns(self, job: Owned, tokens: Iterable[str]) -> bool:
        """Whether one of `tokens` is the job's own (the admin's is not)."""
        owner = job.owner_hash
        return owner is not None and any(self._matches(t, owner) for t in tokens)

    def may_steer(self, job: Owned, tokens: Iterable[str]) -> bool:
        """Whether one of `tokens` is the job's own or the admin's."""
        tokens = list(tokens)
        return self.owns(job, tokens) or self.is_admin(tokens)

    def keep_only(self, job_ids: Iterable[str]) -> None:
        """Forget the jobs the server no longer keeps (deleted, or dropped to make room)."""
        kept = set(job_ids)
        for job_id in [j for j in self._clients if j not in kept]:
            del self._clients[job_id]

    @staticmethod
    def _matches(token: str, expected: str) -> bool:
        return hmac.compare_digest(token_hash(token), expected)
