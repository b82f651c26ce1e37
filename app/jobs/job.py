"""One job: its spec, data, log and control channel, and how REST and snapshots show it."""

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from app.jobs import messages
from app.jobs.control import Control
from app.jobs.log import JobLog, Measure, StatusChange
from app.jobs.spec import DataSplit, RunSpec


class Job:
    """One training job: spec, data, log and control channel (the runner has its loop).

    learner: the name its creator goes by in the teacher's room (None: not given);
    owner_hash: the hash of the token that steers it (app.jobs.owners; None: only the
    admin's steers it); viewers: websockets watching it now; owner_sockets: those of them
    that sent its own token (its owner's pages); seen: when (manager's clock) its owner
    last had a page open or sent a request with its token; idle_paused: it was paused
    because its owner was away, so it resumes when they come back; checking: a gradient
    check of it is under way; made_here: this server made it (in the distributed mode, a
    job another replica made is followed here, and only its own replica, where its owner's
    pages are, tells whether its owner is away).
    """

    def __init__(
        self,
        job_id: str,
        spec: RunSpec,
        data: DataSplit,
        log: JobLog,
        seen: float = 0.0,
        learner: str | None = None,
        owner_hash: str | None = None,
        created_at: datetime | None = None,
    ) -> None:
        self.id = job_id
        self.spec = spec
        self.learner = learner
        self.owner_hash = owner_hash
        self.data = data
        self.log = log
        self.control = Control()
        self.created_at = created_at or datetime.now(UTC)
        self.dataset_json = messages.dataset_json(spec.dataset, spec.problem, data)
        self.viewers = 0
        self.owner_sockets = 0
        self.seen = seen
        self.idle_paused = False
        self.checking = False
        self.made_here = True

    @property
    def status(self) -> str:
        return self.log.status.status

    @property
    def final(self) -> bool:
        return self.log.final

    @property
    def learning_rate(self) -> float:
        """alpha as its loop has it now (app.jobs.log.JobLog.steered), else the spec's."""
        return self.log.steering[0] if self.log.steering else self.spec.learning_rate

    @property
    def speed(self) -> float | None:
        """Iterations a second as its loop has it now (None: as fast as it can)."""
        return self.log.steering[1] if self.log.steering else self.spec.speed

    def config(self) -> dict[str, Any]:
        """The spec with defaults filled, and the learning rate and speed as set now."""
        config = asdict(self.spec)
        config["hidden_layers"] = list(self.spec.hidden_layers)
        config["features"] = list(self.spec.features)
        config["learning_rate"] = self.learning_rate
        config["speed"] = self.speed
        return config

    def summary(
        self, status: StatusChange | None = None, measure: Measure | None = None
    ) -> messages.JobSummary:
        """The job as REST and snapshots show it (status and metrics as given, or now)."""
        status = status or self.log.status
        measure = measure or self.log.measure
        return messages.job_summary(
            self.id, self.learner, self.config(), status, measure, self.created_at
        )
