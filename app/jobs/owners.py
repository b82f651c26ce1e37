"""Who may steer a job: whoever holds the token its creation returned, or the admin.

Only a hash of each token is kept, so the server's memory (or, later, its database)
never holds a secret that steers a job. Watching needs no token: the id is enough.
"""

import hashlib
import hmac
import secrets
from collections.abc import Iterable


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class Owners:
    """Job id -> the hash of its owner's token and the client (address) that created it;
    and the admin's token, if the server has one."""

    def __init__(self, admin_token: str | None = None) -> None:
        self._hashes: dict[str, str] = {}
        self._clients: dict[str, str] = {}
        self._admin = token_hash(admin_token) if admin_token else None

    def issue(self, job_id: str, client: str = "") -> str:
        """A new unguessable token that steers `job_id` (returned once, never stored)."""
        token = secrets.token_urlsafe(32)
        self._hashes[job_id] = token_hash(token)
        self._clients[job_id] = client
        return token

    def of_client(self, client: str, job_ids: Iterable[str]) -> list[str]:
        """Which of `job_ids` `client` created."""
        return [j for j in job_ids if self._clients.get(j) == client]

    @property
    def has_admin(self) -> bool:
        """Whether the server has an admin's token at all."""
        return self._admin is not None

    def is_admin(self, tokens: Iterable[str]) -> bool:
        return self._admin is not None and any(self._matches(t, self._admin) for t in tokens)

    def owns(self, job_id: str, tokens: Iterable[str]) -> bool:
        """Whether one of `tokens` is the job's own (the admin's is not)."""
        owner = self._hashes.get(job_id)
        return owner is not None and any(self._matches(t, owner) for t in tokens)

    def may_steer(self, job_id: str, tokens: Iterable[str]) -> bool:
        """Whether one of `tokens` is the job's own or the admin's."""
        tokens = list(tokens)
        return self.owns(job_id, tokens) or self.is_admin(tokens)

    def keep_only(self, job_ids: Iterable[str]) -> None:
        """Forget the jobs the server no longer keeps (deleted, or dropped to make room)."""
        kept = set(job_ids)
        for job_id in [j for j in self._hashes if j not in kept]:
            del self._hashes[job_id]
            self._clients.pop(job_id, None)

    @staticmethod
    def _matches(token: str, expected: str) -> bool:
        return hmac.compare_digest(token_hash(token), expected)
