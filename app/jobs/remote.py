"""A server replica's side of the distributed mode: jobs on `gradlive worker`s, via Redis.

`BrokerRunner` is the Runner when GRADLIVE_BROKER_URL is set. To start a job it stores
the job's recipe and queues the job for the workers (app.jobs.brokerworker). Every job
this replica knows, made here or through another replica (`follow`), keeps its JobLog
and its Control as in the other modes; what differs is what feeds them:

- One reader thread per replica reads, in one blocking XREAD, the log and pictures
  streams of all its unfinished jobs, and `gradlive:events` (jobs made and deleted), and
  hands every entry to the job's JobLog (which tells its viewers): each job is read once
  for all its viewers, whatever their number. A job made elsewhere is read from its first
  entry, so a late joiner on any replica sees the whole history.
- The job's Control relays each command to a sender thread, which adds it to the job's
  control stream. The worker reports the stream id of the last command it applied; every
  command this replica sent up to that id is then applied (`JobManager.control` waits
  for it).
- Every HEARTBEAT seconds the reader looks whether the worker of each unfinished job
  still beats; when its key has expired the job ends `failed` (the first replica to
  notice writes it, to the job's log, so all viewers on all replicas are told).

`RemoteJobs` keeps what defines each job in Redis (its record, in the index of jobs), so
that any replica can find it, list it, and delete it. The jobs outlive a replica: when it
stops, they train on.
"""

import contextlib
import json
import logging
import pickle
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import redis

from app.jobs import broker
from app.jobs.control import Command, Control
from app.jobs.experiments import Experiment
from app.jobs.log import FINAL_STATUSES, JOB_DELETED
from app.jobs.runner import Sink, TrainingLoop
from app.jobs.workers import APPEND, APPLIED, ENDED, STATUS, STEERED, WORKER_DIED, Recipe

if TYPE_CHECKING:
    from app.jobs.job import Job

logger = logging.getLogger(__name__)

READ_WAIT_MS = 100  # the reader takes up newly followed jobs at least this often
READ_COUNT = 1_000  # entries per stream per read: a long history comes in several reads
NO_PICTURES = (None, None, None)


@dataclass
class _Followed:
    """A job this replica reads: its log and control, and how far each stream is read.

    sent: the stream id of each command this replica sent (by its number in `control`);
    applied_to: the id of the last command the worker applied (as id_order gives it).
    """

    log: Sink
    control: Control
    log_at: str = "0-0"
    pictures_at: str = "0-0"
    pictures: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    sent: dict[int, tuple[int, int]] = field(default_factory=dict)
    applied_to: tuple[int, int] = (0, 0)
    done: bool = False
    dropped: bool = False  # its server let it go: followed only until its last status

    def catch_up(self) -> None:
        """Every command sent up to applied_to is applied."""
        numbers = [n for n, order in self.sent.items() if order <= self.applied_to]
        for number in numbers:
            del self.sent[number]
        if numbers and max(numbers) > self.control.applied:
            self.control.applied = max(numbers)
            self.log.notify()  # whoever waits for the command looks again


class BrokerRunner:
    """Runs jobs on `gradlive worker` processes through Redis (see the module's docstring).

    records: what defines each job, for every replica (RemoteJobs). on_event(kind,
    job_id): a job was made (CREATED) or deleted (DELETED) through any replica; it is
    called from the reader thread.
    """

    def __init__(self, url: str, max_stored_jobs: int) -> None:
        # Typed Any: redis-py types each reply as sync-or-async, whatever the client.
        self.client: Any = redis.Redis.from_url(url)
        self.client.ping()  # a wrong URL fails at startup, not at the first job
        self.records = RemoteJobs(self.client, max_stored_jobs)
        self.queue = broker.job_queue(url)
        self.on_event: Callable[[str, str], None] = lambda kind, job_id: None
        self._lock = threading.Lock()
        self._followed: dict[str, _Followed] = {}
        self._outbox: queue.SimpleQueue[tuple[str, int, Command] | None] = queue.SimpleQueue()
        self._stopped = threading.Event()
        last: Any = self.client.xrevrange(broker.EVENTS, count=1)
        self._events_at = last[0][0].decode() if last else "0-0"  # only what comes next
        self._next_check = 0.0
        self._reader = threading.Thread(target=self._read, name="gradlive-reader", daemon=True)
        self._sender = threading.Thread(target=self._send, name="gradlive-sender", daemon=True)
        self._reader.start()
        self._sender.start()

    def start(self, name: str, loop: TrainingLoop) -> None:
        """Queue the job for the workers; this replica follows it."""
        from dramatiq import Message

        self.client.set(broker.job_key(name, broker.RECIPE), pickle.dumps(Recipe.of(loop)))
        self.follow(name, loop.sink, loop.control)
        self.queue.enqueue(
            Message(
                queue_name=broker.QUEUE,
                actor_name=broker.TRAIN,
                args=(name,),
                kwargs={},
                options={},
            )
        )

    def follow(self, job_id: str, log: Sink, control: Control, *, history: bool = False) -> None:
        """Feed the job's log from its streams, and send its commands to its worker.

        history: the job was made elsewhere, and its log gets what it has written so far
        before this returns, so that its first viewer here sees the job as it is.
        """
        followed = _Followed(log, control)
        if history:
            self._catch_up(job_id, followed)
        with self._lock:
            self._followed[job_id] = followed

        def forward(number: int, command: Command) -> None:
            self._outbox.put((job_id, number, command))

        control.relay(forward)

    def cancel(self, name: str, loop: TrainingLoop, reason: str) -> None:
        """The job never went to the workers: its stopped status is written where every
        replica reads it, and relayed to its log here."""
        self.follow(name, loop.sink, loop.control)
        self._write_status(name, "stopped", reason)

    def unfollow(self, job_id: str) -> None:
        """Stop feeding the job's log once it has ended: a job its server drops before
        then (stopped to make room) still tells its viewers how it ended."""
        with self._lock:
            followed = self._followed.get(job_id)
            if followed is not None and not followed.done:
                followed.dropped = True
            else:
                self._followed.pop(job_id, None)

    def shutdown(self, timeout: float) -> None:
        """Stop reading and sending; the jobs train on, on their workers."""
        self._stopped.set()
        self._outbox.put(None)
        self._sender.join(timeout)
        self._reader.join(timeout)
        self.client.close()

    # -- the sender thread -------------------------------------------------------------

    def _send(self) -> None:
        while (item := self._outbox.get()) is not None:
            job_id, number, command = item
            try:
                control = broker.job_key(job_id, broker.CONTROL)
                sent = self.client.xadd(control, broker.entry(command))
            except redis.RedisError:
                logger.exception("a command to job %s could not be sent", job_id)
                continue
            with self._lock:
                followed = self._followed.get(job_id)
                if followed is not None:
                    followed.sent[number] = broker.id_order(sent)
                    followed.catch_up()  # the worker may have applied it already

    # -- the reader thread -------------------------------------------------------------

    def _read(self) -> None:
        while not self._stopped.is_set():
            try:
                self._read_once()
                if time.monotonic() >= self._next_check:
                    self._next_check = time.monotonic() + broker.HEARTBEAT
                    self._check_workers()
            except redis.ConnectionError:
                logger.warning("Redis cannot be reached: jobs wait for news", exc_info=True)
                self._stopped.wait(1.0)
            except Exception:  # a bug here must not stop the news of the other jobs
                logger.exception("the news of the jobs could not be read")
                self._stopped.wait(1.0)

    def _read_once(self) -> None:
        wanted: dict[str, str] = {broker.EVENTS: self._events_at}
        with self._lock:
            for job_id, followed in self._followed.items():
                if not followed.done:
                    wanted[broker.job_key(job_id, broker.LOG)] = followed.log_at
                    wanted[broker.job_key(job_id, broker.PICTURES)] = followed.pictures_at
        reply = self.client.xread(wanted, count=READ_COUNT, block=READ_WAIT_MS)
        news: dict[str, dict[str, list[Any]]] = {}
        for key, entries in reply or []:
            if key.decode() == broker.EVENTS:
                self._events(entries)
            else:
                job_id, part = broker.job_of(key)
                news.setdefault(job_id, {})[part] = entries
        for job_id, parts in news.items():
            self._relay(job_id, parts.get(broker.PICTURES, []), parts.get(broker.LOG, []))

    def _events(self, entries: list[tuple[bytes, dict[bytes, bytes]]]) -> None:
        for entry_id, fields in entries:
            self._events_at = entry_id.decode()
            kind, job_id = broker.message(fields)
            if kind == broker.DELETED:
                self._deleted(job_id)
            self.on_event(kind, job_id)

    def _deleted(self, job_id: str) -> None:
        """Deleted through another replica: its streams are gone, and with them whatever
        they had still to tell, so its viewers here are told it ended."""
        with self._lock:
            followed = self._followed.pop(job_id, None)
        if followed is not None and not followed.done:
            followed.log.set_status("stopped", JOB_DELETED)

    def _catch_up(self, job_id: str, followed: _Followed) -> None:
        """Read the job's streams as they are now into its log (the reader takes over)."""
        pictures = self.client.xrange(broker.job_key(job_id, broker.PICTURES))
        while not followed.done:
            after = followed.log_at
            log = broker.job_key(job_id, broker.LOG)
            entries = self.client.xrange(log, f"({after}", count=READ_COUNT)
            if not entries:
                return
            self._relay_to(job_id, followed, pictures, entries)
            pictures = []
            if followed.log_at == after:
                return  # a frame whose pictures are being written: the reader waits for them

    def _relay(self, job_id: str, pictures: list[Any], entries: list[Any]) -> None:
        with self._lock:
            followed = self._followed.get(job_id)
        if followed is not None:
            self._relay_to(job_id, followed, pictures, entries)

    def _relay_to(
        self, job_id: str, followed: _Followed, pictures: list[Any], entries: list[Any]
    ) -> None:
        for entry_id, fields in pictures:
            followed.pictures_at = entry_id.decode()
            followed.pictures[followed.pictures_at] = broker.message(fields)
        for raw_id, fields in entries:
            entry_id = raw_id.decode()
            kind, *rest = broker.message(fields)
            if kind == APPEND and not _append(followed, entry_id, rest):
                break  # a blocked read is woken by one stream: its pictures come next read
            followed.log_at = entry_id
            if kind == APPEND:
                continue
            if kind == STATUS:
                followed.log.set_status(*rest)
                followed.done = rest[0] in FINAL_STATUSES
            elif kind == STEERED:
                followed.log.steered(*rest)
            elif kind in (APPLIED, ENDED):
                with self._lock:
                    followed.applied_to = max(followed.applied_to, broker.id_order(rest[0]))
                    followed.catch_up()
            if followed.done:
                if followed.dropped:
                    with self._lock:
                        if self._followed.get(job_id) is followed:
                            del self._followed[job_id]
                break
        # Pictures whose frame was read already have nothing left to go with.
        at = broker.id_order(followed.log_at)
        for picture_id in [p for p in followed.pictures if broker.id_order(p) < at]:
            del followed.pictures[picture_id]

    def _check_workers(self) -> None:
        """End `failed` each unfinished job whose worker no longer beats."""
        with self._lock:
            unfinished = [job_id for job_id, f in self._followed.items() if not f.done]
        for job_id in unfinished:
            worker = self.client.hget(broker.job_key(job_id), "worker")
            if worker is None or self.client.exists(broker.worker_key(worker.decode())):
                continue
            # One replica writes it (the first to see), after the worker's last entry.
            if self.client.hsetnx(broker.job_key(job_id), "lost", 1):
                logger.error("job %s: its worker %s stopped beating", job_id, worker.decode())
                self._write_status(job_id, "failed", WORKER_DIED)

    def _write_status(self, job_id: str, status: str, detail: str) -> None:
        key = broker.job_key(job_id, broker.LOG)
        for _ in range(3):  # the last entry may change between the two calls
            last = self.client.xrevrange(key, count=1)
            iterations = broker.id_order(last[0][0])[0] if last else 0
            with contextlib.suppress(redis.ResponseError):
                self.client.xadd(key, broker.entry(STATUS, status, detail), id=f"{iterations}-*")
                return


def _append(followed: _Followed, entry_id: str, message: list[Any]) -> bool:
    """Append a frame to the log with its pictures; False while they are still to come."""
    *append, pictured = message
    extra = followed.pictures.pop(entry_id, NO_PICTURES)
    if pictured and extra is NO_PICTURES and _before(followed.pictures_at, entry_id):
        return False
    # Pictures not found were dropped (the stream keeps the newest): newer ones follow.
    followed.log.append(*append, *extra)
    return True


def _before(first: str, second: str) -> bool:
    return broker.id_order(first) < broker.id_order(second)


class RemoteJobs:
    """What defines each job, in Redis for every replica: its record, in the index; and
    the experiments."""

    def __init__(self, client: Any, max_jobs: int) -> None:
        self.client = client
        self.max_jobs = max_jobs  # kept in the index; the oldest ended ones go first

    def publish(self, job: "Job") -> None:
        """Keep the job's record, and tell every replica it is there."""
        record = {
            "spec": json.dumps(asdict(job.spec)),
            "created_at": job.created_at.isoformat(),
            "learner": job.learner or "",
            "owner_hash": job.owner_hash or "",
        }
        pipe = self.client.pipeline()
        pipe.hset(broker.job_key(job.id), mapping=record)
        pipe.zadd(broker.JOBS, {job.id: job.created_at.timestamp()})
        _announce(pipe, broker.CREATED, job.id)
        pipe.execute()
        self._prune()

    def has(self, job_id: str) -> bool:
        return bool(self.client.exists(broker.job_key(job_id)))

    def record(self, job_id: str) -> dict[str, Any] | None:
        """The job's record: spec (a dict), created_at, learner and owner_hash; or None."""
        raw = self.client.hgetall(broker.job_key(job_id))
        if not raw or b"spec" not in raw:
            return None
        text = {k.decode(): v.decode() for k, v in raw.items()}
        return {
            "spec": json.loads(text["spec"]),
            "created_at": datetime.fromisoformat(text["created_at"]),
            "learner": text["learner"] or None,
            "owner_hash": text["owner_hash"] or None,
        }

    def newest(self, limit: int) -> list[str]:
        """The ids of the newest jobs, newest first."""
        return [i.decode() for i in self.client.zrevrange(broker.JOBS, 0, limit - 1)]

    def forget(self, job_id: str) -> None:
        """Delete the job everywhere: its keys, and from every replica's memory."""
        pipe = self.client.pipeline()
        pipe.delete(*broker.job_keys(job_id))
        pipe.zrem(broker.JOBS, job_id)
        _announce(pipe, broker.DELETED, job_id)
        pipe.execute()

    def ended(self, job_id: str) -> None:
        """The job has ended: the index may let it go first."""
        self.client.hset(broker.job_key(job_id), "ended", 1)

    # -- experiments (app.jobs.experiments), for every replica ---------------------------

    def keep_experiment(self, experiment: Experiment) -> None:
        record = {"at": time.time(), **asdict(experiment)}
        self.client.hset(broker.EXPERIMENTS, experiment.id, json.dumps(record))

    def forget_experiment(self, experiment_id: str) -> None:
        self.client.hdel(broker.EXPERIMENTS, experiment_id)

    def experiments(self) -> list[Experiment]:
        """Every experiment kept, oldest first."""
        records = sorted(
            (json.loads(raw) for raw in self.client.hvals(broker.EXPERIMENTS)),
            key=lambda record: record["at"],
        )
        return [
            Experiment(r["id"], r["vary"], tuple(r["values"]), tuple(r["jobs"])) for r in records
        ]

    def _prune(self) -> None:
        extra = self.client.zcard(broker.JOBS) - self.max_jobs
        if extra <= 0:
            return
        for raw in self.client.zrange(broker.JOBS, 0, extra - 1):
            job_id = raw.decode()
            if self.client.hget(broker.job_key(job_id), "ended") is not None:
                self.forget(job_id)


def _announce(pipe: Any, kind: str, job_id: str) -> None:
    """Tell every replica (gradlive:events) that a job was made or deleted."""
    pipe.xadd(broker.EVENTS, broker.entry(kind, job_id), maxlen=broker.EVENTS_KEPT)
