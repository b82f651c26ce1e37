"""The jobs of one server: admit, list, find, steer and delete them, within limits.

Lives on the event loop. A job (app.jobs.job) bundles its data, its log (what viewers
read), its control channel (what viewers send) and the training loop that the runner starts.

The manager admits, finds and steers jobs; it never writes their state. A job's status,
learning rate and speed are written by its loop, through its log, as it applies the
commands sent to it; only a loop that never ran is ended by its runner (Runner.cancel).
"""

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from app.config import Settings
from app.jobs.broker import CREATED, DELETED
from app.jobs.control import Command
from app.jobs.errors import JobFinishedError, JobNotFoundError, SpecError, TooManyJobsError
from app.jobs.frames import Painter
from app.jobs.idle import RESUMED, Presence
from app.jobs.job import Job
from app.jobs.log import JOB_DELETED, JobLog
from app.jobs.owndata import OwnDatasets
from app.jobs.remote import BrokerRunner
from app.jobs.runner import Runner, ThreadRunner, TrainingLoop
from app.jobs.spec import DataSplit, JobSpec, RunSpec
from app.jobs.store import JobStore, StoredJob
from app.nn.trainer import Trainer

logger = logging.getLogger(__name__)

SHUTTING_DOWN = "The server is shutting down."
NOT_STARTED = "Stopped before iteration 0."
# How often (s) check_idle looks for jobs whose owner has gone (every half idle time when
# that is shorter): a job pauses at most this long after its idle time is up.
IDLE_CHECK = 2.0


@dataclass(frozen=True)
class _Parts:
    """What a job is built from: made, and checked, before the job is kept."""

    spec: RunSpec
    data: DataSplit
    trainer: Trainer
    painter: Painter


class JobManager:
    """Creates and keeps the jobs of one server, within its limits: those of its Settings
    (max_running is MAX_RUNNING_JOBS, max_jobs MAX_JOBS, ...).

    max_running jobs may train at once (queued or running; a paused job costs nothing
    and holds no place, but resuming it needs one). Beyond them `create` refuses, and
    `create_queued` (an experiment's jobs) keeps the jobs waiting, `queued`, until places
    free up. max_jobs are kept in memory, finished ones dropped oldest first.

    A queued or running job whose owner has had no page open and sent no request with its
    token for IDLE_TIMEOUT seconds (app.jobs.idle) is paused (pause_idle, which check_idle
    runs on a timer), so a closed page frees its training place; it resumes when its
    owner's page is back (owner_back). Watchers never keep a job from idling. Paused jobs
    hold no training place, so none is taken back when one is needed; but they are kept,
    so when max_jobs are kept and none has finished, the job whose owner has been away the
    longest (IDLE_TIMEOUT s at least) is stopped and dropped: jobs left behind by closed
    pages must not fill the server for good.

    With a store (app.jobs.store) every job is saved as it trains, and a job dropped from
    memory stays there: `get` reads it back, finished, when it is asked for again. A
    deleted job is deleted from the store as well.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        runner: Runner | None = None,
        store: JobStore | None = None,
        own: OwnDatasets | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        settings = settings or Settings()  # its limits and rates are the server's settings
        self.max_running = settings.MAX_RUNNING_JOBS
        self.max_jobs = settings.MAX_JOBS
        self.retry_after = settings.RETRY_AFTER
        self.frame_interval = 1.0 / settings.PROGRESS_RATE
        self.details_interval = 1.0 / settings.DETAILS_RATE
        self.neuron_resolution = settings.NEURON_GRID
        # Whose owners have left their jobs behind (app.jobs.idle).
        self.presence = Presence(settings.IDLE_TIMEOUT or None, clock)
        self.runner = runner or ThreadRunner()
        self.store = store
        self.own = own  # the learners' own datasets, which job specs may name
        # The distributed mode (app.jobs.remote): jobs are found in Redis and trained by
        # workers, and they outlive this server.
        self.broker = self.runner if isinstance(self.runner, BrokerRunner) else None
        self.clock = clock
        if self.broker is not None:
            self._follow_news(self.broker)
        self.viewers = 0  # websockets watching any job
        self._jobs: dict[str, Job] = {}
        self._starting: set[str] = set()  # paused jobs being resumed or stepped
        # Jobs created to wait for a training place (create_queued), oldest first, with
        # the loops that start when one frees up.
        self._waiting: dict[str, TrainingLoop] = {}
        self._shut_down: set[str] = set()  # jobs the server's shutdown stopped

    def create(
        self, spec: JobSpec, learner: str | None = None, owner_hash: str | None = None
    ) -> Job:
        """Build a job from its spec and start it (`learner`: who started it, for the room;
        `owner_hash`: its token's hash).

        SpecError (a ValueError) for a bad spec.

        TooManyJobsError when max_running jobs are training, or max_jobs are kept and none
        has finished or was left behind by its owner (see _make_room).
        """
        self._check_training(f"Stop or delete a job, or try again in {self.retry_after} s.")
        try:
            parts = self._build(spec)
        except ValueError as error:
            raise SpecError(error) from None
        return self._admit(parts, learner, owner_hash, queue=False)

    def create_queued(
        self, specs: Sequence[JobSpec], learner: str | None = None, owner_hash: str | None = None
    ) -> list[Job]:
        """Build a job for every spec, all steered by one token (an experiment): as many
        start as training places are free, the others wait, `queued`, and start in order as
        places free up.

        SpecError (a ValueError) for a bad spec, naming its index; TooManyJobsError when
        max_jobs could not hold them all. Either way no job is kept.
        """
        built = []
        for index, spec in enumerate(specs):
            try:
                built.append(self._build(spec))
            except ValueError as error:
                raise SpecError(error, index) from None
        if len(built) > self.room():
            raise TooManyJobsError(
                f"The server keeps at most {self.max_jobs} jobs and has room for "
                f"{self.room()} more, not {len(built)}. Delete a job, or try again in "
                f"{self.retry_after} s.",
                self.retry_after,
            )
        return [self._admit(parts, learner, owner_hash, queue=True) for parts in built]

    def room(self) -> int:
        """How many more jobs may be kept: finished ones and those left behind by their
        owners make room (see _make_room), the others do not."""
        held = sum(not job.final and not self.presence.away(job) for job in self._jobs.values())
        return max(0, self.max_jobs - held)

    def has(self, job_id: str) -> bool:
        """Whether the job is kept, in memory or in the store (without reading it back)."""
        if job_id in self._jobs:
            return True
        if self.broker is not None:
            return self.broker.records.has(job_id)
        return self.store is not None and self.store.has(job_id)

    def load_stored(self) -> None:
        """At startup: the jobs the store kept, up to max_jobs of the newest, all finished
        (those the last server left training read as `interrupted`). Others stay in the
        store until asked for (`get`)."""
        if self.broker is not None:
            for job_id in reversed(self.broker.records.newest(self.max_jobs)):
                self._load(job_id)
            return
        if self.store is None:
            return
        for stored in self.store.newest(self.max_jobs):
            if (job := self._restore(stored)) is not None:
                self._jobs[job.id] = job

    def list(self) -> list[Job]:
        """Every job kept in memory, oldest first."""
        return sorted(self._jobs.values(), key=lambda job: job.created_at)

    def get(self, job_id: str) -> Job:
        """The job with this id, from memory or else the store; JobNotFoundError otherwise."""
        job = self._jobs.get(job_id) or self._load(job_id)
        if job is None:
            raise JobNotFoundError(job_id)
        return job

    def training(self) -> int:
        """How many jobs train (queued or running, or being resumed); paused ones do not,
        nor those still waiting for a place, nor those queued to start paused (a worker of
        the distributed mode takes them in a moment, and they hold no place then)."""
        return sum(
            not job.final
            and job.id not in self._waiting
            and (
                job.status == "running"
                or (job.status == "queued" and not job.spec.start_paused)
                or job.id in self._starting
            )
            for job in self._jobs.values()
        )

    @contextlib.contextmanager
    def watching(self, job: Job) -> Iterator[None]:
        """While a viewer watches `job`: it counts in `viewers` (which the limits bound)."""
        job.viewers += 1
        self.viewers += 1
        try:
            yield
        finally:
            job.viewers -= 1
            self.viewers -= 1

    async def owner_back(self, job: Job) -> None:
        """Its owner's page is open again: a job paused for being idle resumes.

        TooManyJobsError when max_running jobs train: it stays paused, and resumes when its
        owner presses Resume or comes back once more. A job its owner paused stays paused.
        """
        if not job.idle_paused or job.final:
            return
        if job.status == "paused":  # else its pause is on its way: it still has its place
            self._check_training("Your job stays paused: press Resume in a little while.")
        await self.control(job.id, Command("resume", reason=RESUMED))

    async def control(self, job_id: str, command: Command, timeout: float = 2.0) -> Job:
        """Send a command and wait (up to `timeout` s) until the job has applied it.

        TooManyJobsError when it would resume (or step) a paused job while max_running
        jobs train; the job stays paused.
        """
        job = self.get(job_id)
        if job.final:
            raise JobFinishedError(f"The job has ended ({job.status}): start a new one.")
        if job.id in self._waiting and command.action in ("stop", "pause"):
            return await self._steer_waiting(job, command, timeout)
        starts = command.action in ("resume", "step") and job.status == "paused"
        if starts and job.id not in self._starting:
            self._check_training(f"The job stays paused: try again in {self.retry_after} s.")
        if command.action in ("pause", "resume", "step"):
            job.idle_paused = False  # steered since: only its own pause is undone by a return
        number = job.control.send(command)
        if job.id in self._waiting:
            if command.action == "set":  # no loop yet to say so: what it will start with
                alpha = command.learning_rate or job.learning_rate
                job.log.steered(alpha, command.speed if command.set_speed else job.speed)
            return job  # the command waits with it, and applies when it starts
        if starts:
            self._starting.add(job.id)
        try:
            await _wait(job, lambda: job.control.applied >= number or job.final, timeout)
        finally:
            if starts:
                self._starting.discard(job.id)
        return job

    def pause_idle(self) -> tuple[Job, ...]:
        """Pause every queued or running job whose owner has been away for IDLE_TIMEOUT s.

        A real pause through its control channel: once the loop has applied it (at its next
        iteration) the job holds no training place. Returns the jobs paused.
        """
        idle = tuple(
            job
            for job in self._jobs.values()
            if job.status in ("queued", "running")
            and not job.idle_paused
            and self.presence.away(job)
        )
        detail = self.presence.paused_text()
        for job in idle:
            job.idle_paused = True
            if job.id in self._waiting:
                self._start_paused(job, detail)
            else:
                job.control.send(Command("pause", reason=detail))
        return idle

    async def check_idle(self) -> None:
        """pause_idle every IDLE_CHECK s (or half idle time, if shorter), until cancelled."""
        timeout = self.presence.timeout
        if timeout is None:
            return
        while True:
            await asyncio.sleep(min(IDLE_CHECK, timeout / 2))
            self.pause_idle()

    async def delete(self, job_id: str, timeout: float = 2.0) -> None:
        """Stop the job (its viewers see `stopped`, from its loop) and forget it. After
        `timeout` s it is forgotten all the same: its loop still tells its viewers."""
        job = self.get(job_id)
        if not job.final:
            self._stop(job, JOB_DELETED)
        await _wait(job, lambda: job.final, timeout)
        self._drop(job_id)
        if self.broker is not None:
            self.broker.records.forget(job_id)
        if self.store is not None:
            self.store.forget(job_id)

    def stop_all(self, reason: str = SHUTTING_DOWN) -> None:
        """At shutdown, stop every unfinished job at once: its viewers get `stopped` with
        `reason`; the store keeps it as `interrupted`. Jobs on the distributed mode's
        workers train on: their viewers' sockets close, and their pages find another
        replica."""
        if self.broker is not None:
            return
        for job in self._jobs.values():
            if not job.final:
                self._shut_down.add(job.id)
                self._stop(job, reason)

    async def aclose(self, timeout: float = 2.0) -> None:
        """Stop every job, wait a little for their threads, then save and close the store.

        Jobs that outlive this server (on the workers of the distributed mode) train on."""
        for job in self._jobs.values():
            if not job.final and self.broker is None:
                self._shut_down.add(job.id)
                job.control.send(Command("stop", reason=SHUTTING_DOWN))
        self._waiting.clear()  # never started: the store keeps them `interrupted`
        await asyncio.to_thread(self.runner.shutdown, timeout)
        if self.store is not None:
            await asyncio.to_thread(self.store.close, frozenset(self._shut_down))

    def _check_training(self, advice: str) -> None:
        """TooManyJobsError, ending with `advice`, when max_running jobs train."""
        if self.training() >= self.max_running:
            raise TooManyJobsError(
                f"The server is full: {self.max_running} jobs are already training, the most "
                f"it runs at once. {advice}",
                self.retry_after,
            )

    def _build(self, spec: JobSpec) -> _Parts:
        """What a job is made of, before anything is kept; ValueError for a bad spec."""
        spec = spec.resolved(self.own)
        data = DataSplit.make(spec, self.own)
        trainer = Trainer(
            spec.train_config(),
            data.inputs(data.X_train),
            data.Y_train,
            data.inputs(data.X_test),
            data.Y_test,
        )
        painter = Painter(
            np.concatenate([data.X_train, data.X_test], axis=1),
            list(spec.layer_dims),
            spec.activation,
            spec.grid,
            self.neuron_resolution,
            problem=spec.problem,
            features=spec.features,
            Y=data.Y_train,
        )
        return _Parts(spec, data, trainer, painter)

    def _admit(
        self, parts: _Parts, learner: str | None, owner_hash: str | None, *, queue: bool
    ) -> Job:
        """Keep the job and start it; with `queue`, when every training place is taken it
        waits (`queued`) until one frees up. A job that starts paused needs no place."""
        self._make_room()
        job_id = self._new_id()
        loop = asyncio.get_running_loop()
        log = JobLog(loop, on_status=lambda: self._status_changed(job_id, loop))
        job = Job(job_id, parts.spec, parts.data, log, self.clock(), learner, owner_hash)
        training_loop = TrainingLoop(
            parts.trainer,
            parts.painter,
            job.control,
            job.log,
            speed=parts.spec.speed,
            frame_interval=self.frame_interval,
            details_interval=self.details_interval,
            paused=parts.spec.start_paused,
        )
        full = self.training() >= self.max_running
        self._jobs[job.id] = job
        if self.store is not None:
            self.store.track(job)
        if self.broker is not None:
            self.broker.records.publish(job)
        if queue and full and not parts.spec.start_paused:
            self._waiting[job.id] = training_loop
        else:
            self.runner.start(job.id, training_loop)
        return job

    def _status_changed(self, job_id: str, loop: asyncio.AbstractEventLoop) -> None:
        """After each change of a job's status (from its thread): save it, and start the
        jobs waiting for a place on the event loop (one may have freed up)."""
        if self.store is not None:
            self.store.poke(job_id)
        if self.broker is not None and (job := self._jobs.get(job_id)) and job.final:
            self.broker.records.ended(job_id)
        if self._waiting:
            with contextlib.suppress(RuntimeError):  # the event loop has closed
                loop.call_soon_threadsafe(self._start_waiting)

    def _start_waiting(self) -> None:
        """Start the waiting jobs, oldest first, while training places are free."""
        for job_id in [j for j in self._waiting if j not in self._jobs or self._jobs[j].final]:
            del self._waiting[job_id]  # stopped or dropped while it waited
        while self._waiting and self.training() < self.max_running:
            job_id = next(iter(self._waiting))
            self.runner.start(job_id, self._waiting.pop(job_id))

    async def _steer_waiting(self, job: Job, command: Command, timeout: float) -> Job:
        """Stop or pause a job that waits for a place: stopped, it ends now; paused, it
        starts paused (holding no place), as any paused job."""
        if command.action == "stop":
            self.runner.cancel(job.id, self._waiting.pop(job.id), command.reason or NOT_STARTED)
            await _wait(job, lambda: job.final, timeout)
            return job
        job.idle_paused = False
        self._start_paused(job, command.reason)
        await _wait(job, lambda: job.status == "paused" or job.final, timeout)
        return job

    def _start_paused(self, job: Job, detail: str = "") -> None:
        """A waiting job is paused: it starts paused (it holds no place), so that resuming
        it is what resuming any paused job is."""
        loop = self._waiting.pop(job.id)
        loop.paused = True
        loop.paused_detail = detail or loop.paused_detail
        self.runner.start(job.id, loop)

    def _make_room(self) -> None:
        """Drop finished jobs, oldest first, until fewer than max_jobs are kept; when none
        has finished, stop and drop the job whose owner has been away the longest."""
        self._drop_finished()
        full = len(self._jobs) >= self.max_jobs
        if full and (away := [job for job in self._jobs.values() if self.presence.away(job)]):
            left = min(away, key=lambda job: job.seen)
            self._stop(left, self.presence.stopped_text())
            self._drop(left.id)  # its place is free now; its loop ends it in a moment
        if len(self._jobs) >= self.max_jobs:
            raise TooManyJobsError(
                f"The server keeps at most {self.max_jobs} jobs and none has finished. "
                f"Delete a job, or try again in {self.retry_after} s.",
                self.retry_after,
            )

    def _stop(self, job: Job, reason: str) -> None:
        """Stop the job: its loop ends it at its next iteration, or a loop that waited for
        a place ends it now, before iteration 0."""
        if job.id in self._waiting:
            self.runner.cancel(job.id, self._waiting.pop(job.id), reason)
        else:
            job.control.send(Command("stop", reason=reason))

    def _drop_finished(self) -> None:
        """Drop finished jobs from memory, oldest first, until fewer than max_jobs are kept."""
        finished = sorted((j for j in self._jobs.values() if j.final), key=lambda j: j.created_at)
        while len(self._jobs) >= self.max_jobs and finished:
            self._drop(finished.pop(0).id)

    def _new_id(self) -> str:
        while (job_id := secrets.token_hex(6)) in self._jobs or (
            self.store is not None and self.store.has(job_id)  # its row would be taken over
        ):
            pass
        return job_id

    def _load(self, job_id: str) -> Job | None:
        """A job the store keeps and memory does not (dropped to make room, or older than
        the restart), or None. It is kept in memory if a finished job can make room."""
        if self.broker is not None:
            return self._follow(self.broker, job_id)
        if self.store is None:
            return None
        job = self.store.unsaved(job_id)
        if job is None and (stored := self.store.load(job_id)) is not None:
            job = self._restore(stored)
        if job is None:
            return None
        self._drop_finished()
        if len(self._jobs) < self.max_jobs:
            self._jobs[job.id] = job
        return job

    def _restore(self, stored: StoredJob) -> Job | None:
        """The job rebuilt from the store, finished; None (and a warning) if it cannot be."""
        log = JobLog.restored(asyncio.get_running_loop(), stored.saved)
        log.steered(stored.learning_rate, stored.speed)
        args = (stored.learner, stored.owner_hash, stored.created_at)
        return self._rebuilt(stored.id, stored.spec, log, *args)

    def _rebuilt(
        self,
        job_id: str,
        spec: dict[str, Any],
        log: JobLog,
        learner: str | None,
        owner_hash: str | None,
        created_at: datetime,
    ) -> Job | None:
        """A job from what defines it (its spec as saved, defaults filled) and its log;
        None (and a warning) if the spec cannot be read back."""
        try:
            run = JobSpec.from_dict(spec).resolved(self.own)
            data = DataSplit.make(run, self.own)  # the same points: every dataset is seeded
        except (TypeError, ValueError):
            logger.warning("job %s cannot be read back: skipped", job_id, exc_info=True)
            return None
        return Job(job_id, run, data, log, self.clock(), learner, owner_hash, created_at)

    # -- the distributed mode (app.jobs.remote) ---------------------------------------

    def _follow(self, broker: BrokerRunner, job_id: str) -> Job | None:
        """A job made through any replica, found in Redis and followed from its first
        frame: its log fills as its worker writes (the whole history first). None if gone."""
        record = broker.records.record(job_id)
        if record is None:
            return None
        loop = asyncio.get_running_loop()
        log = JobLog(loop, on_status=lambda: self._status_changed(job_id, loop))
        args = (record["learner"], record["owner_hash"], record["created_at"])
        job = self._rebuilt(job_id, record["spec"], log, *args)
        if job is None:
            return None
        job.made_here = False
        self._drop_finished()
        self._jobs[job_id] = job  # (beyond max_jobs if none has finished: it exists)
        broker.follow(job_id, log, job.control, history=True)
        return job

    def _unfollow(self, job_id: str) -> None:
        if self.broker is not None:
            self.broker.unfollow(job_id)

    def _follow_news(self, runner: BrokerRunner) -> None:
        """Jobs made or deleted through other replicas reach this one's memory (on its
        event loop)."""
        loop = asyncio.get_running_loop()

        def on_event(kind: str, job_id: str) -> None:
            loop.call_soon_threadsafe(self._news, kind, job_id)

        runner.on_event = on_event

    def _news(self, kind: str, job_id: str) -> None:
        if kind == CREATED and job_id not in self._jobs:
            self._load(job_id)
        elif kind == DELETED:
            self._drop(job_id)  # its viewers were told by the runner (it follows its log)

    def _drop(self, job_id: str) -> None:
        """Forget the job here (not in the store, nor in Redis): `get` reads it back."""
        self._jobs.pop(job_id, None)
        self._unfollow(job_id)


async def _wait(job: Job, condition: Callable[[], bool], timeout: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(job.log.wait_until(condition), timeout)
