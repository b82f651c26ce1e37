"""`gradlive worker`: trains the jobs that any replica queues, in the distributed mode.

A worker takes jobs from the job queue (Dramatiq on Redis: app.jobs.broker.job_queue),
up to `jobs` at once, each in a thread of the queue's pool. Its loop is the one every mode
runs (app.jobs.runner.TrainingLoop), taking turns with the worker's other loops; it
writes to a StreamSink (each frame one transaction: its log entry, its pictures) and
its commands come from the job's control stream, read by one thread for all its jobs.

A job is trained once: a worker claims it in the job's record before it starts, and a
queue message delivered again (the queue hands on a dead worker's messages) finds it
claimed and is dropped. The worker beats (a key with a short expiry), so that when it
dies every replica can tell its jobs have lost it (app.jobs.remote ends them `failed`).
Stopped (SIGTERM, Ctrl+C), it stops its jobs, which end `stopped` with a plain reason.
"""

import logging
import pickle
import signal
import socket
import threading
import time
import uuid
from collections.abc import Mapping
from typing import Any

import redis

from app.jobs import broker
from app.jobs.control import Command, Control
from app.jobs.log import Measure
from app.jobs.pace import Turns
from app.jobs.runner import FAILED
from app.jobs.workers import APPEND, APPLIED, ENDED, STATUS, STEERED, Recipe

logger = logging.getLogger(__name__)

WORKER_STOPPED = "The worker training this job was shut down. Start a new run."
# A write that Redis did not answer is tried again this many times, RETRY_WAIT s apart.
RETRIES = 5
RETRY_WAIT = 0.2
COMMAND_WAIT_MS = 100  # the control reader looks for new jobs at least this often


class StreamSink:
    """A job's sink in a worker: its frames and statuses go to the job's log stream."""

    def __init__(self, client: Any, job_id: str, commands: "_Commands") -> None:
        self.client = client
        self.job_id = job_id
        self.commands = commands
        self._iterations = 0
        self._n = 0  # entries written

    def append(
        self,
        first_iteration: int,
        costs: list[float],
        measure: Measure,
        boundary: Mapping[str, object] | None = None,
        details: Mapping[str, object] | None = None,
        parameters: dict[str, Any] | None = None,
    ) -> None:
        self._iterations = first_iteration + len(costs)
        entry_id = self._next_id()
        pictured = boundary is not None or details is not None or parameters is not None
        costs = [float(c) for c in costs]
        entries = [(broker.LOG, broker.entry(APPEND, first_iteration, costs, measure, pictured))]
        if pictured:
            entries.append((broker.PICTURES, broker.entry(boundary, details, parameters)))
        self._write(entry_id, entries)

    def set_status(self, status: str, detail: str) -> bool:
        """Written on; every replica's log refuses it if the job has ended there."""
        self._add(STATUS, status, detail)
        return True

    def notify(self) -> None:
        """After the loop applied commands: how far (the id of the last one applied)."""
        self._add(APPLIED, self.commands.applied_id(self.job_id))

    def steered(self, learning_rate: float, speed: float | None) -> None:
        self._add(STEERED, learning_rate, speed)

    def ended(self) -> None:
        self._add(ENDED, self.commands.applied_id(self.job_id))

    def _add(self, *message: Any) -> None:
        self._write(self._next_id(), [(broker.LOG, broker.entry(*message))])

    def _next_id(self) -> str:
        self._n += 1
        return broker.entry_id(self._iterations, self._n)

    def _write(self, entry_id: str, entries: list[tuple[str, dict[str, bytes]]]) -> None:
        """Add the entries, under one id, in one transaction (no reader sees half a frame;
        the pictures' stream keeps its newest). Again after a connection error: entries
        that landed the first time are refused as duplicates the second, so nothing lands
        twice."""
        for attempt in range(RETRIES):
            pipe = self.client.pipeline()
            for part, fields in entries:
                kept = {"maxlen": broker.PICTURES_KEPT, "approximate": False}
                options = kept if part == broker.PICTURES else {}
                pipe.xadd(broker.job_key(self.job_id, part), fields, id=entry_id, **options)
            try:
                pipe.execute()
                return
            except redis.ConnectionError:
                if attempt == RETRIES - 1:
                    raise
                time.sleep(RETRY_WAIT)
            except redis.ResponseError as error:
                if attempt and "equal or smaller" in str(error):
                    return  # written before the connection broke
                raise


class _Commands:
    """One thread reads the control streams of all the worker's jobs, in order, and hands
    each command to its job's Control; it keeps each command's stream id, so a job can
    tell the replicas how far it got in the stream that all of them write."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self._lock = threading.Lock()
        # Each job's Control, and the stream id of each command handed to it (by number;
        # 0: none yet), the last of which is where the next read starts.
        self._jobs: dict[str, tuple[Control, dict[int, str]]] = {}
        self._stopped = threading.Event()
        self.thread = threading.Thread(target=self._read, name="gradlive-commands", daemon=True)
        self.thread.start()

    def add(self, job_id: str, control: Control) -> None:
        with self._lock:
            self._jobs[job_id] = (control, {0: "0-0"})  # those sent before it started first

    def remove(self, job_id: str) -> None:
        with self._lock:
            self._jobs.pop(job_id, None)

    def applied_id(self, job_id: str) -> str:
        """The stream id of the job's last command applied."""
        with self._lock:
            control, ids = self._jobs.get(job_id, (None, {0: "0-0"}))
            return ids.get(control.applied if control else 0, "0-0")

    def stop_all(self, reason: str) -> None:
        with self._lock:
            controls = [control for control, _ in self._jobs.values()]
        for control in controls:
            control.send(Command("stop", reason=reason))

    def close(self) -> None:
        self._stopped.set()
        self.thread.join(2 * COMMAND_WAIT_MS / 1000 + 1)

    def _read(self) -> None:
        while not self._stopped.is_set():
            with self._lock:
                wanted = {
                    broker.job_key(job_id, broker.CONTROL): ids[max(ids)]
                    for job_id, (_, ids) in self._jobs.items()
                }
            if not wanted:
                self._stopped.wait(COMMAND_WAIT_MS / 1000)
                continue
            try:
                reply = self.client.xread(wanted, block=COMMAND_WAIT_MS)
            except redis.ConnectionError:
                logger.warning("Redis cannot be reached: commands wait", exc_info=True)
                self._stopped.wait(RETRY_WAIT)
                continue
            for key, entries in reply or []:
                self._hand_on(broker.job_of(key)[0], entries)

    def _hand_on(self, job_id: str, entries: list[tuple[bytes, dict[bytes, bytes]]]) -> None:
        with self._lock:
            if job_id not in self._jobs:
                return
            control, ids = self._jobs[job_id]
            for entry_id, fields in entries:
                (command,) = broker.message(fields)
                ids[control.send(command)] = entry_id.decode()


class BrokerWorker:
    """A worker's jobs, its heartbeat and its share of the job queue."""

    def __init__(self, url: str, jobs: int, name: str | None = None) -> None:
        import dramatiq

        self.name = name or f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"
        # Typed Any: redis-py types each reply as sync-or-async, whatever the client.
        self.client: Any = redis.Redis.from_url(url)
        self.turns = Turns()
        self.commands = _Commands(self.client)
        self.queue = broker.job_queue(url)
        dramatiq.Actor(
            self.train,
            broker=self.queue,
            actor_name=broker.TRAIN,
            queue_name=broker.QUEUE,
            priority=0,
            options={},
        )
        # One message per free thread: a worker never holds jobs it cannot start yet,
        # which another worker with free threads could have trained.
        self.worker = dramatiq.Worker(
            self.queue, queues={broker.QUEUE}, worker_threads=jobs, worker_timeout=100
        )
        self.worker.queue_prefetch = jobs
        self._stopped = threading.Event()
        self._beat = threading.Thread(target=self._heartbeat, name="gradlive-beat", daemon=True)

    def train(self, job_id: str) -> None:
        """The queue's task: train one job, unless it is gone or another worker took it."""
        record = broker.job_key(job_id)
        if not self.client.exists(record) or not self.client.hsetnx(record, "worker", self.name):
            logger.info("job %s: deleted, or already taken: not trained again", job_id)
            return
        control = Control()
        sink = StreamSink(self.client, job_id, self.commands)
        self.commands.add(job_id, control)
        try:
            data = self.client.get(broker.job_key(job_id, broker.RECIPE))
            if data is None:
                raise LookupError(f"job {job_id} has no recipe")
            recipe: Recipe = pickle.loads(data)  # written by a replica: Redis is the service's own
            loop = recipe.build(control, sink, self.turns)
            loop.run()
        except Exception:
            logger.exception("training job %s failed", job_id)
            sink.set_status("failed", FAILED)
        finally:
            self.commands.remove(job_id)
            sink.ended()

    def start(self) -> None:
        """Beat, and take jobs from the queue, in threads of this process."""
        self._beat.start()
        self.worker.start()
        logger.warning("gradlive worker %s: taking jobs", self.name)

    def run(self) -> None:
        """Work until SIGTERM or SIGINT; then stop the jobs and go."""
        self.start()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: self._stopped.set())
        self._stopped.wait()
        self.close()

    def close(self, timeout: float = 10.0) -> None:
        self._stopped.set()
        self.commands.stop_all(WORKER_STOPPED)
        self.worker.stop(timeout=int(timeout * 1000))
        self.commands.close()
        self.client.delete(broker.worker_key(self.name))

    def _heartbeat(self) -> None:
        key = broker.worker_key(self.name)
        while not self._stopped.is_set():
            try:
                self.client.set(key, "1", ex=broker.HEARTBEAT_TTL)
            except redis.ConnectionError:
                logger.warning("Redis cannot be reached: no heartbeat", exc_info=True)
            self._stopped.wait(broker.HEARTBEAT)
