"""Jobs left behind: whether a job's owner is still there (a page of theirs open, or a
request with its token lately), and what a job paused or stopped for it says.

A job's owner is away once they have had no page open and sent no request for
`timeout` seconds (None: never). Watchers never count: only the owner keeps a job alive.
Only the server that made a job judges it (job.made_here): in the distributed mode its
owner's page is open on that replica, and the others would see them away.
"""

import contextlib
from collections.abc import Callable, Iterator

from app.jobs.job import Job

RESUMED = "Resumed: its owner's page is open again."


class Presence:
    """When each job's owner was last there, by `clock`, and who has been away too long."""

    def __init__(self, timeout: float | None, clock: Callable[[], float]) -> None:
        self.timeout = timeout
        self.clock = clock

    def seen(self, job: Job) -> None:
        """Its owner sent a request with its token: its idle time starts again."""
        job.seen = self.clock()

    @contextlib.contextmanager
    def owner_watching(self, job: Job) -> Iterator[None]:
        """While its owner's page (a socket that sent its own token) is open: it is not idle."""
        job.owner_sockets += 1
        try:
            yield
        finally:
            job.owner_sockets -= 1
            job.seen = self.clock()  # idle from when its owner's last page closed

    def away(self, job: Job) -> bool:
        """Whether its owner has had no page open and sent no request for `timeout` s."""
        return (
            self.timeout is not None
            and job.made_here
            and job.owner_sockets == 0
            and self.clock() - job.seen >= self.timeout
        )

    def paused_text(self) -> str:
        return (
            f"Paused: its owner's page was closed for {self._idle_time()}. "
            "It resumes when they open it again."
        )

    def stopped_text(self) -> str:
        return (
            f"Stopped: its owner's page was closed for {self._idle_time()}, and the "
            "server needed its place for a new job."
        )

    def _idle_time(self) -> str:
        """`timeout` in words: "10 minutes", "1 minute", "30 seconds"."""
        seconds = self.timeout or 0.0
        value, unit = (seconds / 60, "minute") if seconds >= 60 else (seconds, "second")
        return f"{value:g} {unit}" + ("" if value == 1 else "s")
