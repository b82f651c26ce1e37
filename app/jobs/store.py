"""The durable copy of every job: a SQLite database (WAL mode) in GRADLIVE_DATA_DIR.

Jobs live in memory while the server runs (app.jobs.manager); the store is their copy on
disk, so that after a restart finished jobs read as before and the jobs that were
training come back `interrupted`, with their history up to the last save.

One writer thread does every write, so neither the event loop nor a training thread
ever waits for the disk: the event loop puts requests on its queue (track a new job,
forget a deleted one) and a job's log wakes it at each change of status. It saves the
new costs of every job every `save_interval` seconds, all jobs in one transaction, and
a job at once when its status changes: a crash loses at most the last interval.

A job is one row of `jobs` (its spec, status, latest metrics and pictures, latest
parameters, its owner's token hash) and a few rows of `segments`: each save appends the
costs since the last one as one float64 blob and the frames (about 20 a second) as
another, never a row per iteration. Reads (at startup, and for a job no longer in
memory) go through a connection of their own: in WAL mode they never wait for the writer.
An experiment (app.jobs.experiments) is one row of `experiments`, saved when it is made:
its jobs' ids and values.
"""

import io
import json
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from app.jobs.experiments import Experiment
from app.jobs.log import (
    FINAL_STATUSES,
    Cursor,
    LogState,
    Measure,
    Picture,
    Progress,
    StatusChange,
    Weights,
    costs_to_json,
    finite_or_none,
)

if TYPE_CHECKING:
    from app.jobs.job import Job

logger = logging.getLogger(__name__)

DB_NAME = "gradlive.db"
SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,   -- ISO 8601 with its time zone, as the API shows it
    spec TEXT NOT NULL,         -- the JobSpec as JSON, defaults filled
    learning_rate REAL NOT NULL,-- as set now (the spec keeps the first)
    speed REAL,                 -- as set now; NULL: as fast as it can
    learner TEXT,
    owner_hash TEXT,            -- sha256 of the token that steers it, never the token
    status TEXT NOT NULL,
    detail TEXT NOT NULL,
    iterations INTEGER NOT NULL,-- costs saved
    measure TEXT NOT NULL,      -- the latest metrics (a Measure as JSON)
    boundary TEXT,              -- the latest pictures' JSON members, as viewers get them
    details TEXT,
    weights BLOB,               -- the latest parameters, as .npz
    weights_iteration INTEGER
);
CREATE TABLE IF NOT EXISTS segments (
    job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    costs BLOB NOT NULL,        -- float64, little-endian: one per iteration
    frames BLOB NOT NULL,       -- float64 rows of FRAME_FIELDS: one per frame
    PRIMARY KEY (job_id, seq)
);
CREATE TABLE IF NOT EXISTS experiments (
    id TEXT PRIMARY KEY,
    vary TEXT NOT NULL,         -- the config field varied
    vals TEXT NOT NULL,         -- its values, a JSON list in the order of jobs
    jobs TEXT NOT NULL          -- the jobs' ids, a JSON list (a job may be gone since)
);
"""
# What the store keeps of each frame: the snapshot's whole-set, test and learning-rate
# points come from these (NaN stands for null). A frame's last cost and its iteration
# follow from `count` and the costs.
FRAME_FIELDS = (
    "count",
    "train_accuracy",
    "test_accuracy",
    "test_cost",
    "train_cost",
    "learning_rate",
)


def interrupted_detail(iterations: int) -> str:
    """The detail of a job the server stopped (or lost) while it trained."""
    if iterations == 0:
        kept = "before its first iteration"
    else:
        kept = "its first iteration is kept" if iterations == 1 else ""
        kept = kept or f"its first {iterations:,} iterations are kept"
    return (
        f"Interrupted: the server restarted while this job trained ({kept}). "
        "Start a new run to train it again."
    )


@dataclass(frozen=True)
class StoredJob:
    """A job read back from the store: what the manager needs to rebuild it.

    saved holds its log (chunks, final status, metrics, pictures, parameters).
    """

    id: str
    created_at: datetime
    spec: dict[str, Any]
    learning_rate: float
    speed: float | None
    learner: str | None
    owner_hash: str | None
    saved: LogState


@dataclass
class _Tracked:
    """A job the writer saves: how much of its log is saved, and its next segment."""

    job: "Job"
    events: int = 0
    seq: int = 0
    scalars: tuple[Any, ...] = field(default_factory=tuple)


class JobStore:
    """The database of jobs at `path`: written by one thread, read from any.

    Opening it (creating the file, its folder and tables) happens here, on the caller's
    thread, so that a data dir that cannot be written stops the server at startup. Jobs
    left unfinished by the last server (it was killed, or stopped) become `interrupted`.
    One server per data dir: another would take those of this one for its own.
    """

    def __init__(self, path: Path, *, max_jobs: int, save_interval: float) -> None:
        self.path = path
        self.max_jobs = max_jobs
        self.save_interval = save_interval
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._reader = _connect(path, check_same_thread=False)
            with self._reader:
                self._reader.executescript(SCHEMA)
                self._reader.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                _interrupt_unfinished(self._reader)
        except (OSError, sqlite3.Error) as error:
            raise RuntimeError(
                f"gradlive keeps its jobs in {path}, which it cannot write ({error}): "
                "set GRADLIVE_DATA_DIR to a folder it may write to."
            ) from error
        self._lock = threading.Lock()  # for the reader, and the two below
        self._forgotten: set[str] = set()  # deleted, their rows not yet
        self._unsaved: dict[str, Job] = {}  # tracked, and not yet saved to their end
        self._queue: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self._writer = threading.Thread(target=self._write, name="gradlive-store", daemon=True)
        self._writer.start()

    # -- the event loop's side -----------------------------------------------------------

    def track(self, job: "Job") -> None:
        """Save this new job from now on (its row is written at once)."""
        with self._lock:
            self._unsaved[job.id] = job
        self._queue.put(("track", job))

    def poke(self, job_id: str) -> None:
        """The job's status changed: save it now (safe from any thread)."""
        self._queue.put(("poke", job_id))

    def forget(self, job_id: str) -> None:
        """Delete the job from the store (it was deleted); from now on it reads as gone."""
        with self._lock:
            self._forgotten.add(job_id)  # until the writer has deleted its row
            self._unsaved.pop(job_id, None)
        self._queue.put(("forget", job_id))

    def keep_experiment(self, experiment: Experiment) -> None:
        """Save a new experiment (which jobs it started, for which values)."""
        self._queue.put(("experiment", experiment))

    def forget_experiment(self, experiment_id: str) -> None:
        """Delete an experiment's record (its jobs are not touched)."""
        self._queue.put(("forget-experiment", experiment_id))

    def experiments(self) -> list[Experiment]:
        """Every stored experiment, oldest first."""
        with self._lock:
            rows = self._reader.execute("SELECT * FROM experiments ORDER BY rowid").fetchall()
        return [
            Experiment(
                row["id"],
                row["vary"],
                tuple(json.loads(row["vals"])),
                tuple(json.loads(row["jobs"])),
            )
            for row in rows
        ]

    def flush(self, timeout: float = 10.0) -> bool:
        """Save everything not yet saved, and wait for it; False if it took too long."""
        done = threading.Event()
        self._queue.put(("flush", done))
        return done.wait(timeout)

    def close(self, interrupted: frozenset[str] = frozenset(), timeout: float = 10.0) -> None:
        """Save everything and stop the writer.

        interrupted: jobs that the server's shutdown stopped; they are kept as
        `interrupted`, as if the server had died, not `stopped` as if someone had.
        """
        self._queue.put(("close", interrupted))
        self._writer.join(timeout)
        with self._lock:
            self._reader.close()

    def unsaved(self, job_id: str) -> "Job | None":
        """The job itself while the store's copy is behind it (memory may have dropped a job
        the moment it finished, before the writer saved its end): it is the one to read."""
        with self._lock:
            return self._unsaved.get(job_id)

    def has(self, job_id: str) -> bool:
        """Whether a job with this id is stored."""
        with self._lock:
            query = "SELECT 1 FROM jobs WHERE id = ?"
            return self._reader.execute(query, (job_id,)).fetchone() is not None

    def load(self, job_id: str) -> StoredJob | None:
        """The stored job with this id, or None (also when it cannot be read back)."""
        with self._lock:
            if job_id in self._forgotten:
                return None
            row = self._reader.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
            return self._read(row) if row else None

    def newest(self, limit: int) -> list[StoredJob]:
        """The `limit` jobs created last, oldest first (but those that cannot be read)."""
        with self._lock:
            query = "SELECT * FROM jobs ORDER BY rowid DESC LIMIT ?"
            rows = self._reader.execute(query, (limit,)).fetchall()
            rows = [row for row in reversed(rows) if row["id"] not in self._forgotten]
            return [job for row in rows if (job := self._read(row)) is not None]

    def ids(self) -> list[str]:
        """Every stored job's id, oldest first."""
        with self._lock:
            return [r[0] for r in self._reader.execute("SELECT id FROM jobs ORDER BY rowid")]

    def _read(self, row: sqlite3.Row) -> StoredJob | None:
        try:
            return _stored(self._reader, row)
        except (ValueError, TypeError, KeyError):  # saved by another version, or damaged
            logger.warning("stored job %s cannot be read back: skipped", row["id"], exc_info=True)
            return None

    # -- the writer thread ---------------------------------------------------------------

    def _write(self) -> None:
        connection = _connect(self.path)
        tracked: dict[str, _Tracked] = {}
        next_save = time.monotonic() + self.save_interval
        while True:
            try:
                op, arg = self._queue.get(timeout=max(0.0, next_save - time.monotonic()))
            except queue.Empty:
                op, arg = "save", None
            if op == "track":
                tracked[arg.id] = _Tracked(arg)
                self._save(connection, tracked, [arg.id])
                self._guard(_prune, connection, self.max_jobs)
            elif op == "poke" and arg in tracked:
                self._save(connection, tracked, [arg])
            elif op == "forget":
                tracked.pop(arg, None)
                if self._guard(_delete, connection, arg):
                    with self._lock:
                        self._forgotten.discard(arg)
            elif op == "experiment":
                self._guard(_save_experiment, connection, arg)
            elif op == "forget-experiment":
                self._guard(_delete_experiment, connection, arg)
            elif op in ("save", "flush", "close"):
                self._save(connection, tracked, list(tracked))
                next_save = time.monotonic() + self.save_interval
            if op == "flush":
                arg.set()
            if op == "close":
                self._guard(_mark_interrupted, connection, arg)
                connection.close()
                return

    def _save(
        self, connection: sqlite3.Connection, tracked: dict[str, _Tracked], ids: list[str]
    ) -> None:
        """Save what changed of these jobs in one transaction; forget those saved to their end."""
        dirty = [tracked[job_id] for job_id in ids if _changed(tracked[job_id])]
        if not dirty:
            return
        saved = self._guard(_save_jobs, connection, dirty)
        for entry in dirty if saved else []:
            if entry.job.final and not _changed(entry):
                del tracked[entry.job.id]  # nothing more will change: the store has it all
                with self._lock:
                    self._unsaved.pop(entry.job.id, None)

    @staticmethod
    def _guard(write: Any, connection: sqlite3.Connection, *args: Any) -> bool:
        """Run one write in a transaction; a failure (a full disk) is logged, not raised.

        Nothing of it is kept then, and nothing is marked saved: the next save retries.
        """
        try:
            with connection:
                write(connection, *args)
            return True
        except Exception:  # the writer must outlive any one failure, or saving stops for good
            logger.exception("saving jobs to the store failed")
            return False


def _connect(path: Path, check_same_thread: bool = True) -> sqlite3.Connection:
    """A connection in WAL mode: readers and the writer do not block each other, and a
    commit is safe from a crash of the server (synchronous=NORMAL risks only the last
    commits on a power cut, not the database)."""
    connection = sqlite3.connect(path, check_same_thread=check_same_thread, timeout=10)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute("PRAGMA foreign_keys = ON")  # a job's segments go with it
    return connection


# -- writing ----------------------------------------------------------------------------


def _scalars(job: "Job") -> tuple[Any, ...]:
    """What may change on a job without a new event in its log."""
    return (job.learning_rate, job.speed, job.owner_hash)


def _changed(entry: _Tracked) -> bool:
    job = entry.job
    return job.log.beyond(Cursor(entry.events)) or _scalars(job) != entry.scalars


def _save_jobs(connection: sqlite3.Connection, entries: list[_Tracked]) -> None:
    updates = []
    for entry in entries:
        unsaved = entry.job.log.since(entry.events)
        _save_job(connection, entry, unsaved)
        updates.append((entry, unsaved.end))
    for entry, end in updates:  # once the transaction is sure to commit
        entry.events, entry.scalars = end, _scalars(entry.job)


def _save_job(connection: sqlite3.Connection, entry: _Tracked, unsaved: LogState) -> None:
    job = entry.job
    weights = unsaved.weights
    row = {
        "id": job.id,
        "created_at": job.created_at.isoformat(),
        "spec": json.dumps(asdict(job.spec)),
        "learning_rate": job.learning_rate,
        "speed": job.speed,
        "learner": job.learner,
        "owner_hash": job.owner_hash,
        "status": unsaved.status.status,
        "detail": unsaved.status.detail,
        "iterations": unsaved.count,
        "measure": json.dumps(asdict(unsaved.measure)),
        "boundary": unsaved.boundary.members if unsaved.boundary else None,
        "details": unsaved.details.members if unsaved.details else None,
        "weights": _npz(weights.parameters) if weights else None,
        "weights_iteration": weights.iteration if weights else None,
    }
    columns = ", ".join(row)
    updates = ", ".join(f"{c} = excluded.{c}" for c in row if c not in ("id", "created_at", "spec"))
    connection.execute(
        f"INSERT INTO jobs ({columns}) VALUES ({', '.join(':' + c for c in row)}) "
        f"ON CONFLICT (id) DO UPDATE SET {updates}",
        row,
    )
    if unsaved.chunks:
        costs, frames = _blobs(unsaved.chunks)
        connection.execute(
            "INSERT INTO segments (job_id, seq, costs, frames) VALUES (?, ?, ?, ?)",
            (job.id, entry.seq, costs, frames),
        )
        entry.seq += 1


def _blobs(chunks: list[Progress]) -> tuple[bytes, bytes]:
    """The chunks' costs (float64, NaN for null) and frames (rows of FRAME_FIELDS)."""
    # The log keeps costs as JSON text only; reading it back here, off the event loop,
    # costs less than keeping every cost twice in memory.
    values = json.loads("[" + ",".join(c.costs_json for c in chunks if c.count) + "]")
    costs = np.array(values, dtype="<f8")  # None (a NaN or infinite cost) becomes NaN
    frames = np.array(
        [
            [
                c.count,
                c.measure.train_accuracy,
                c.measure.test_accuracy,
                c.measure.test_cost,
                c.measure.train_cost,
                c.measure.learning_rate,
            ]
            for c in chunks
        ],
        dtype="<f8",
    )
    return costs.tobytes(), frames.tobytes()


def _npz(parameters: Mapping[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    arrays: dict[str, Any] = {name: np.asarray(value) for name, value in parameters.items()}
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _prune(connection: sqlite3.Connection, max_jobs: int) -> None:
    """Keep at most max_jobs jobs: the oldest finished ones go first."""
    (count,) = connection.execute("SELECT count(*) FROM jobs").fetchone()
    if count <= max_jobs:
        return
    finals = ", ".join("?" * len(FINAL_STATUSES))
    connection.execute(
        f"DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE status IN ({finals}) "
        "ORDER BY rowid LIMIT ?)",
        (*sorted(FINAL_STATUSES), count - max_jobs),
    )


def _delete(connection: sqlite3.Connection, job_id: str) -> None:
    connection.execute("DELETE FROM jobs WHERE id = ?", (job_id,))


def _save_experiment(connection: sqlite3.Connection, experiment: Experiment) -> None:
    connection.execute(
        "INSERT OR REPLACE INTO experiments (id, vary, vals, jobs) VALUES (?, ?, ?, ?)",
        (
            experiment.id,
            experiment.vary,
            json.dumps(experiment.values),
            json.dumps(experiment.jobs),
        ),
    )


def _delete_experiment(connection: sqlite3.Connection, experiment_id: str) -> None:
    connection.execute("DELETE FROM experiments WHERE id = ?", (experiment_id,))


def _mark_interrupted(connection: sqlite3.Connection, job_ids: frozenset[str]) -> None:
    """Jobs the shutdown stopped are kept as interrupted (their viewers were told `stopped`)."""
    for job_id in job_ids:
        row = connection.execute(
            "SELECT iterations FROM jobs WHERE id = ? AND status = 'stopped'", (job_id,)
        ).fetchone()
        if row:
            _set_interrupted(connection, job_id, row["iterations"])


def _interrupt_unfinished(connection: sqlite3.Connection) -> None:
    """Jobs the last server left queued, running or paused: it died while they trained."""
    finals = ", ".join("?" * len(FINAL_STATUSES))
    rows = connection.execute(
        f"SELECT id, iterations FROM jobs WHERE status NOT IN ({finals})", sorted(FINAL_STATUSES)
    ).fetchall()
    for row in rows:
        _set_interrupted(connection, row["id"], row["iterations"])


def _set_interrupted(connection: sqlite3.Connection, job_id: str, iterations: int) -> None:
    connection.execute(
        "UPDATE jobs SET status = 'interrupted', detail = ? WHERE id = ?",
        (interrupted_detail(iterations), job_id),
    )


# -- reading ----------------------------------------------------------------------------


def _stored(connection: sqlite3.Connection, row: sqlite3.Row) -> StoredJob:
    """A row and its segments, as the job they were saved from."""
    segments = connection.execute(
        "SELECT costs, frames FROM segments WHERE job_id = ? ORDER BY seq", (row["id"],)
    ).fetchall()
    costs = np.frombuffer(b"".join(s["costs"] for s in segments), dtype="<f8")
    frames = np.frombuffer(b"".join(s["frames"] for s in segments), dtype="<f8")
    chunks = _chunks(costs, frames.reshape(-1, len(FRAME_FIELDS)))
    count = len(costs)
    status = row["status"]
    detail = row["detail"]
    if status not in FINAL_STATUSES:  # saved by a server that is gone
        status, detail = "interrupted", interrupted_detail(count)
    weights = None
    if row["weights"] is not None:
        with np.load(io.BytesIO(row["weights"]), allow_pickle=False) as npz:
            weights = Weights(row["weights_iteration"], {name: npz[name] for name in npz.files})
    saved = LogState(
        chunks=chunks,
        end=len(chunks) + 1,
        count=count,
        status=StatusChange(status, detail, count - 1),
        measure=Measure(**json.loads(row["measure"])),
        boundary=Picture(1, row["boundary"]) if row["boundary"] is not None else None,
        details=Picture(1, row["details"]) if row["details"] is not None else None,
        weights=weights,
    )
    return StoredJob(
        id=row["id"],
        created_at=datetime.fromisoformat(row["created_at"]),
        spec=json.loads(row["spec"]),
        learning_rate=row["learning_rate"],
        speed=row["speed"],
        learner=row["learner"],
        owner_hash=row["owner_hash"],
        saved=saved,
    )


def _chunks(costs: np.ndarray, frames: np.ndarray) -> list[Progress]:
    """The log's chunks again: each frame's costs, as JSON once more, with its metrics."""
    chunks = []
    first = 0
    for count_, train_accuracy, test_accuracy, test_cost, train_cost, alpha in frames.tolist():
        count = int(count_)
        mine = costs[first : first + count].tolist()
        measure = Measure(
            iteration=first + count - 1,
            cost=finite_or_none(mine[-1]) if mine else None,
            train_accuracy=finite_or_none(train_accuracy),
            test_accuracy=finite_or_none(test_accuracy),
            test_cost=finite_or_none(test_cost),
            train_cost=finite_or_none(train_cost),
            learning_rate=finite_or_none(alpha),
        )
        chunks.append(Progress(first, count, costs_to_json(mine), measure))
        first += count
    return chunks
