"""Worker processes: jobs train in a pool of long-lived processes, so jobs use every core.

`ProcessRunner(n)` keeps n worker processes, made with the "spawn" context: the server has
threads and an event loop, and a process forked from it could inherit a lock that one of
its threads held at that instant, and hang on it. Each job goes to the worker that holds
the fewest unfinished jobs, as a `Recipe`: its trainer and painter (pickled before their
first iteration) and the loop's options. In the worker the loop runs as under
ThreadRunner, in a thread of its own, taking turns with the worker's other loops; it
writes to a sink that sends each call up the pipe, and its control channel is fed from
the pipe, so pause and stop still wake it at once.

In the server the job keeps its JobLog and its Control as with threads. One reader thread
per worker takes the worker's messages and calls the job's JobLog (thread-safe; it hands
the news to the event loop itself) and sets how far the job's Control has been applied,
which `JobManager.control` awaits. The Control relays each command as it is sent into the
worker's outbox, which a sender thread writes to the pipe: the event loop never waits on a
pipe, nor pickles a job. The frames are the loop's own, one message per frame, so the pipe
carries about 20 messages a second per job, not one per iteration.

A worker that dies (killed, out of memory) ends each of its unfinished jobs `failed`, with
a reason that tells the learner what to do, and a fresh process takes its place. A worker
whose server has gone (killed with SIGKILL) reads the end of its pipe and exits.
"""

import logging
import multiprocessing
import queue
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnContext, SpawnProcess
from typing import Any

import numpy as np

from app.jobs.control import Command, Control
from app.jobs.frames import Painter
from app.jobs.log import Measure
from app.jobs.pace import Turns
from app.jobs.runner import FAILED, Sink, TrainingLoop
from app.nn.trainer import Trainer

logger = logging.getLogger(__name__)

WORKER_DIED = (
    "The process training this job stopped unexpectedly. Start a new run; if it happens "
    "again, tell whoever runs the server."
)
# A worker still alive this long after it was told to stop (its jobs stopped) is killed.
KILL_WAIT = 2.0

# The messages, tuples led by their kind. Server -> worker:
START = "start"  # job_id, Recipe
COMMAND = "command"  # job_id, number, Command
SHUTDOWN = "shutdown"  # timeout: seconds the worker's loops get to end
# Worker -> server: it is ready (its imports done), then one for each call of a job's sink:
READY = "ready"
APPEND = "append"  # job_id, first_iteration, costs, measure, boundary, details, parameters
STATUS = "status"  # job_id, status, detail
APPLIED = "applied"  # job_id, the number of the last command applied
STEERED = "steered"  # job_id, learning_rate, speed: as a command set them
ENDED = "ended"  # job_id, the number of the last command applied: the loop has returned


@dataclass(frozen=True)
class Recipe:
    """What rebuilds a job's TrainingLoop in a worker: its parts, and its options as the
    manager set them (a loop may be started paused, with its own detail)."""

    trainer: Trainer
    painter: Painter
    speed: float | None
    frame_interval: float
    details_interval: float
    paused: bool
    paused_detail: str

    @classmethod
    def of(cls, loop: TrainingLoop) -> "Recipe":
        return cls(
            loop.trainer,
            loop.painter,
            loop.pacer.speed,
            loop.frame_interval,
            loop.details_interval,
            loop.paused,
            loop.paused_detail,
        )

    def build(self, control: Control, sink: Sink, turns: Turns) -> TrainingLoop:
        loop = TrainingLoop(
            self.trainer,
            self.painter,
            control,
            sink,
            speed=self.speed,
            frame_interval=self.frame_interval,
            details_interval=self.details_interval,
            paused=self.paused,
            turns=turns,
        )
        loop.paused_detail = self.paused_detail
        return loop


# -- in the worker process ---------------------------------------------------------------


class _PipeSink:
    """A job's sink in a worker: each call goes up the pipe to the job's JobLog."""

    def __init__(self, worker: "_Worker", job_id: str, control: Control) -> None:
        self.worker = worker
        self.job_id = job_id
        self.control = control

    def append(
        self,
        first_iteration: int,
        costs: list[float],
        measure: Measure,
        boundary: Mapping[str, object] | None = None,
        details: Mapping[str, object] | None = None,
        parameters: dict[str, np.ndarray] | None = None,
    ) -> None:
        self.worker.send(
            APPEND, self.job_id, first_iteration, costs, measure, boundary, details, parameters
        )

    def set_status(self, status: str, detail: str) -> bool:
        """Sent on; the server's log refuses it if the job has ended there (the loop does
        not ask), so this answers True."""
        self.worker.send(STATUS, self.job_id, status, detail)
        return True

    def notify(self) -> None:
        """The loop calls it once it has applied commands: the server hears how far."""
        self.worker.send(APPLIED, self.job_id, self.control.applied)

    def steered(self, learning_rate: float, speed: float | None) -> None:
        self.worker.send(STEERED, self.job_id, learning_rate, speed)


class _Worker:
    """A worker process's jobs: each loop in a thread, taking turns as under ThreadRunner."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.turns = Turns()
        self._sending = threading.Lock()  # one message at a time on the pipe
        self._lock = threading.Lock()
        self._jobs: dict[str, tuple[Control, threading.Thread]] = {}

    def send(self, *message: Any) -> None:
        with self._sending:
            self.conn.send(message)

    def serve(self) -> None:
        """Take the server's messages until it says stop, or goes away."""
        self.send(READY)
        while True:
            try:
                message = self.conn.recv()
            except EOFError:
                return  # the server has gone: nobody is left to train for
            if message[0] == START:
                self._start(message[1], message[2])
            elif message[0] == COMMAND:
                self._command(message[1], message[2], message[3])
            elif message[0] == SHUTDOWN:
                self._join(message[1])
                return

    def _start(self, job_id: str, recipe: Recipe) -> None:
        control = Control()
        try:
            loop = recipe.build(control, _PipeSink(self, job_id, control), self.turns)
        except Exception:
            logger.exception("training job could not start")
            self.send(STATUS, job_id, "failed", FAILED)
            self.send(ENDED, job_id, 0)
            return
        thread = threading.Thread(
            target=self._run, args=(job_id, loop), name=f"gradlive-job-{job_id}", daemon=True
        )
        with self._lock:
            self._jobs[job_id] = (control, thread)
        thread.start()

    def _command(self, job_id: str, number: int, command: Command) -> None:
        with self._lock:
            entry = self._jobs.get(job_id)
        if entry is None:
            return  # the job has ended: nothing to steer
        # The server relays every command of the job, in order, from its first: this
        # channel numbers them as the server's did, so `applied` means the same there.
        if entry[0].send(command) != number:
            logger.error("job %s: command %d arrived out of order", job_id, number)

    def _run(self, job_id: str, loop: TrainingLoop) -> None:
        loop.run()
        with self._lock:
            self._jobs.pop(job_id, None)
        self.send(ENDED, job_id, loop.control.applied)

    def _join(self, timeout: float) -> None:
        """Wait up to `timeout` s in all for the loops (the server has stopped their jobs)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            threads = [thread for _, thread in self._jobs.values()]
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))


def work(conn: Connection) -> None:
    """A worker process's main: train the jobs the server sends until it says stop."""
    # Ctrl+C in a terminal reaches every process of the group: the server stops its jobs,
    # then the workers; a worker that died of it first would fail its jobs.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(format="%(levelname)s: [worker %(process)d] %(name)s: %(message)s")
    _Worker(conn).serve()


# -- in the server -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Remote:
    """What the server keeps of a job that a worker trains: its log and its control."""

    log: Sink
    control: Control


class _Process:
    """One worker process, its pipe, and the server's two threads that serve it.

    jobs: its unfinished jobs (the pool's lock guards adding them and taking them all);
    ready: set once the worker has started; dead: it has died (and was not replaced).
    """

    def __init__(
        self, context: SpawnContext, slot: int, on_death: Callable[["_Process"], None]
    ) -> None:
        conn, child = context.Pipe()
        self.process: SpawnProcess = context.Process(
            target=work, args=(child,), name=f"gradlive-worker-{slot}", daemon=True
        )
        self.process.start()
        child.close()  # the worker holds the only other end: its death reads as EOF here
        self.conn = conn
        self.jobs: dict[str, _Remote] = {}
        self.ready = threading.Event()
        self.dead = False
        self.outbox: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()
        self._on_death = on_death
        self.reader = threading.Thread(target=self._read, name=f"{self.process.name}-reader")
        self.sender = threading.Thread(target=self._send, name=f"{self.process.name}-sender")
        self.reader.daemon = self.sender.daemon = True
        self.reader.start()
        self.sender.start()

    def _send(self) -> None:
        while (message := self.outbox.get()) is not None:
            try:
                self.conn.send(message)
            except OSError:
                return  # the worker has died: its reader hears of it

    def _read(self) -> None:
        while True:
            try:
                message = self.conn.recv()
            except (EOFError, OSError):
                break
            try:
                self._relay(message)
            except Exception:  # a bug here must not stop the relay of the other jobs
                logger.exception("a message from a worker could not be relayed")
        self.outbox.put(None)  # the sender ends too
        self._on_death(self)

    def _relay(self, message: tuple[Any, ...]) -> None:
        if message[0] == READY:
            self.ready.set()
            return
        kind, job_id, *rest = message
        job = self.jobs.get(job_id)
        if job is None:
            return
        if kind == APPEND:
            job.log.append(*rest)
        elif kind == STATUS:
            job.log.set_status(*rest)
        elif kind == STEERED:
            job.log.steered(*rest)
        elif kind in (APPLIED, ENDED):
            job.control.applied = rest[0]
            job.log.notify()  # whoever waits for the command to be applied looks again
            if kind == ENDED:
                self.jobs.pop(job_id, None)


class ProcessRunner:
    """Runs training loops in a pool of `workers` processes (see the module's docstring)."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"a pool needs at least 1 worker process, got {workers}")
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._closing = False
        self._processes: list[_Process] = []
        with self._lock:  # a worker that dies at once is replaced once the pool is whole
            for slot in range(workers):
                self._processes.append(self._spawn(slot))

    @property
    def pids(self) -> list[int | None]:
        """The worker processes' ids, slot by slot (a replaced one has a new id)."""
        with self._lock:
            return [p.process.pid for p in self._processes]

    @property
    def loads(self) -> list[int]:
        """How many unfinished jobs each worker holds, slot by slot."""
        with self._lock:
            return [len(p.jobs) for p in self._processes]

    def wait_ready(self, timeout: float) -> bool:
        """Wait up to `timeout` s in all until every worker has started; whether they have."""
        deadline = time.monotonic() + timeout
        with self._lock:
            processes = list(self._processes)
        return all(p.ready.wait(max(0.0, deadline - time.monotonic())) for p in processes)

    def start(self, name: str, loop: TrainingLoop) -> None:
        """Send the loop to the worker with the fewest unfinished jobs; it starts there."""
        recipe = Recipe.of(loop)
        with self._lock:
            alive = [p for p in self._processes if not p.dead]
            if alive:
                worker = min(alive, key=lambda p: len(p.jobs))
                worker.jobs[name] = _Remote(loop.sink, loop.control)
                worker.outbox.put((START, name, recipe))
        if not alive:
            loop.sink.set_status("failed", FAILED)  # no worker could start: see the log
            return

        def forward(number: int, command: Command) -> None:
            worker.outbox.put((COMMAND, name, number, command))

        loop.control.relay(forward)

    def cancel(self, name: str, loop: TrainingLoop, reason: str) -> None:
        loop.cancel(reason)  # its log is on this side: no worker has seen it

    def shutdown(self, timeout: float) -> None:
        """Let the loops end (their jobs were stopped), up to `timeout` s in all, then the
        processes; any still alive is killed. Every message sent is relayed by then."""
        deadline = time.monotonic() + timeout
        with self._lock:
            self._closing = True
            # Not those that died before they were ready: their readers have reaped them,
            # and two threads that wait for one process make one of them see it alive.
            processes = [p for p in self._processes if not p.dead]
        for worker in processes:
            worker.outbox.put((SHUTDOWN, timeout))
        for worker in processes:
            worker.process.join(max(0.0, deadline - time.monotonic()))
        for worker in processes:
            if worker.process.is_alive():
                logger.warning("worker process %s did not stop: killed", worker.process.pid)
                worker.process.kill()
        for worker in processes:
            worker.reader.join(KILL_WAIT)
            worker.conn.close()

    def _spawn(self, slot: int) -> _Process:
        return _Process(self._context, slot, self._replace)

    def _replace(self, dead: _Process) -> None:
        """A worker has died (from its reader thread): a fresh one takes its place, and
        each of its unfinished jobs ends `failed`."""
        with self._lock:
            if self._closing:
                return
            jobs, dead.jobs = dead.jobs, {}
            # One that died before it was ready would die again (an import that fails, a
            # main module without its `if __name__ == "__main__"`): it is not replaced.
            replaced = dead.ready.is_set()
            if replaced:
                slot = self._processes.index(dead)
                self._processes[slot] = self._spawn(slot)
            else:
                dead.dead = True
        dead.process.join(KILL_WAIT)  # reaped, not left a zombie; shutdown waits for the others
        logger.error(
            "worker process %s %s (exit code %s): %d job(s) failed%s",
            dead.process.pid,
            "stopped" if replaced else "could not start",
            dead.process.exitcode,
            len(jobs),
            "; replaced" if replaced else "",
        )
        for job in jobs.values():
            job.log.set_status("failed", WORKER_DIED)
        dead.conn.close()
