"""The frame log of one job: every iteration's cost in order, plus the latest pictures.

The trainer side writes through plain synchronous calls (`append`, `set_status`) from
any thread. Viewers read on the event loop from a cursor ("everything after event k")
and wait for more; nothing is kept per viewer, so a slow viewer simply reads a bigger
batch next time and a late one starts from a snapshot of the whole run.

Costs arrive in chunks, one per frame (about 20 a second), each with the metrics
measured at its last iteration. Every chunk is serialized to JSON once, when it is
written, so the cost of encoding does not grow with the number of viewers. Pictures
(decision boundary, network, per-neuron heatmaps) are latest-wins: only the newest of
each is kept.
"""

import asyncio
import contextlib
import json
import math
import threading
from array import array
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

# interrupted: the server stopped or died while the job trained (restored from the store).
FINAL_STATUSES = frozenset({"done", "stopped", "diverged", "failed", "interrupted"})
STATUSES = ("queued", "running", "paused", *sorted(FINAL_STATUSES))
JOB_DELETED = "The job was deleted."  # the detail of a deleted job's last status


def finite_or_none(x: float | None) -> float | None:
    """x, or None when it is missing, NaN or infinite (JSON has no NaN)."""
    if x is None or not math.isfinite(x):
        return None
    return float(x)


@dataclass(frozen=True)
class Measure:
    """Metrics at `iteration` (the last iteration done; -1 before the first).

    cost is that iteration's (its batch's, with mini-batches); train_cost the whole
    training set's at the parameters after it; learning_rate the alpha of every
    iteration of its chunk (a chunk never spans a change of alpha).
    """

    iteration: int
    cost: float | None
    train_accuracy: float | None
    test_accuracy: float | None
    test_cost: float | None
    train_cost: float | None = None
    learning_rate: float | None = None
    train_r2: float | None = None  # a regression's R^2, where accuracy is None
    test_r2: float | None = None


@dataclass(frozen=True)
class Weights:
    """The parameters ({"W1": (n[1], n_x), "b1", ...}, float64 copies) after `iteration`."""

    iteration: int
    parameters: Mapping[str, np.ndarray]


@dataclass(frozen=True)
class Picture:
    """One latest-wins picture: its JSON members (`"boundary":{...}`), ready to splice."""

    version: int
    members: str


@dataclass(frozen=True)
class StatusChange:
    """A change of status, after iteration `iteration` (the last iteration done)."""

    status: str
    detail: str
    iteration: int


@dataclass(frozen=True)
class Progress:
    """The costs of iterations first_iteration .. first_iteration + count - 1.

    The log keeps one per frame; a read merges consecutive ones and puts the pictures
    the viewer has not seen yet on the last.
    """

    first_iteration: int
    count: int
    costs_json: str  # comma-separated, null for NaN/inf
    measure: Measure
    boundary: Picture | None = None
    details: Picture | None = None


@dataclass(frozen=True)
class History:
    """Every iteration's cost so far, and the test costs, with NaN and infinities as they were.

    costs[i] is iteration i's; test_costs[k] was measured after iteration test_iterations[k]
    (at the weights iteration test_iterations[k] + 1 starts from).
    """

    costs: list[float]
    test_iterations: list[int]
    test_costs: list[float]


@dataclass(frozen=True)
class Cursor:
    """Where a viewer is: events read, and the versions of the pictures it has."""

    events: int = 0
    boundary: int = 0
    details: int = 0


@dataclass(frozen=True)
class LogState:
    """A log's cost chunks from some event on, and its latest state: what the store
    (app.jobs.store) saves of a log, and what it reads back to rebuild one.

    end: the number of events then; count: the iterations; the rest is the latest of
    each, as a viewer joining then would see it.
    """

    chunks: list[Progress]
    end: int
    count: int
    status: StatusChange
    measure: Measure
    boundary: Picture | None
    details: Picture | None
    weights: Weights | None


@dataclass(frozen=True)
class Snapshot:
    """The whole run so far, for a viewer who joins now.

    The whole set's costs and the test costs are one per frame; learning_rates holds
    [first_iteration, alpha] at the start and at every change.
    """

    costs_json: str
    count: int
    test_iterations: list[int]
    test_costs: list[float | None]
    train_iterations: list[int]
    train_costs: list[float | None]
    learning_rates: list[tuple[int, float]]
    measure: Measure
    status: StatusChange
    boundary: Picture | None
    details: Picture | None


def costs_to_json(costs: Sequence[float]) -> str:
    """Comma-separated JSON numbers, null where a cost is NaN or infinite."""
    if all(map(math.isfinite, costs)):
        return ",".join(map(repr, map(float, costs)))  # a float's repr is its JSON
    return json.dumps([finite_or_none(c) for c in costs])[1:-1]


class JobLog:
    """Ordered log of a job's cost chunks and status changes, with latest pictures."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        on_status: Callable[[], None] | None = None,
    ) -> None:
        self._loop = loop
        self._on_status = on_status  # called after each change of status, from its thread
        self._lock = threading.Lock()
        self._events: list[Progress | StatusChange] = []
        self._count = 0
        self._measure = Measure(-1, None, None, None, None)
        self._status = StatusChange("queued", "Waiting to start.", -1)
        self._boundary: Picture | None = None
        self._details: Picture | None = None
        self._weights: Weights | None = None
        self._steering: tuple[float, float | None] | None = None  # see steered
        # What JSON writes as null, as it was: iteration -> NaN or inf. A job ends at its
        # first such cost, so these hold a value or two, not a copy of the history.
        self._unwritable_costs: dict[int, float] = {}
        self._unwritable_test_costs: dict[int, float] = {}
        self._changed = asyncio.Event()
        # Every cost as a float, read from the chunks' JSON only when values() asks (a long
        # run's preview), and then only the chunks written since it last asked.
        self._values = array("d")
        self._valued_events = 0
        self._values_lock = threading.Lock()

    # -- the trainer side (any thread) -------------------------------------------------

    def append(
        self,
        first_iteration: int,
        costs: Sequence[float],
        measure: Measure,
        boundary: Mapping[str, object] | None = None,
        details: Mapping[str, object] | None = None,
        parameters: Mapping[str, np.ndarray] | None = None,
    ) -> None:
        """Add the costs of the iterations from first_iteration on, and new pictures.

        boundary: the websocket's boundary object (docs/api.md); details: {"network": ...,
        "neurons": ...}; parameters: the model's after the chunk's last iteration, kept as
        they are (the gradient check works on them), so the caller hands over copies.
        """
        raw_test_cost = measure.test_cost
        measure = _finite(measure)
        chunk = Progress(first_iteration, len(costs), costs_to_json(costs), measure)
        boundary_members = _members({"boundary": boundary}) if boundary is not None else ""
        details_members = _members(details) if details is not None else ""
        with self._lock:
            if self.final:
                return
            if first_iteration != self._count:
                raise ValueError(f"chunk starts at {first_iteration}, expected {self._count}")
            self._events.append(chunk)
            if "null" in chunk.costs_json:
                self._keep_unwritable(first_iteration, costs)
            if raw_test_cost is not None and measure.test_cost is None:
                self._unwritable_test_costs[measure.iteration] = float(raw_test_cost)
            self._count += len(costs)
            self._measure = measure
            if boundary is not None:
                version = self._boundary.version + 1 if self._boundary else 1
                self._boundary = Picture(version, boundary_members)
            if details is not None:
                version = self._details.version + 1 if self._details else 1
                self._details = Picture(version, details_members)
            if parameters is not None:
                self._weights = Weights(measure.iteration, parameters)
        self.notify()

    def _keep_unwritable(self, first_iteration: int, costs: Sequence[float]) -> None:
        for i, cost in enumerate(costs, first_iteration):
            if not math.isfinite(cost):
                self._unwritable_costs[i] = float(cost)

    def set_status(self, status: str, detail: str) -> bool:
        """Record a change of status; False (and nothing changes) once the job has ended."""
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}: use one of {', '.join(STATUSES)}")
        with self._lock:
            if self.final:
                return False
            self._status = StatusChange(status, detail, self._count - 1)
            self._events.append(self._status)
        self.notify()
        if self._on_status is not None:
            self._on_status()
        return True

    def steered(self, learning_rate: float, speed: float | None) -> None:
        """The loop's learning rate and speed, as a command set them (the loop owns them;
        the job shows them from here). Its viewers hear of it with the command's notify."""
        with self._lock:
            self._steering = (learning_rate, speed)

    @property
    def steering(self) -> tuple[float, float | None] | None:
        """The learning rate and speed last set, or None while they are the spec's."""
        return self._steering

    def notify(self) -> None:
        """Wake every viewer waiting on this log (safe from any thread)."""
        # Once the event loop has closed nobody is waiting any more.
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._wake)

    # -- the viewer side (event loop) --------------------------------------------------

    @property
    def final(self) -> bool:
        """Whether the job has ended (done, stopped, diverged, failed or interrupted)."""
        return self._status.status in FINAL_STATUSES

    @property
    def status(self) -> StatusChange:
        return self._status

    @property
    def measure(self) -> Measure:
        return self._measure

    @property
    def boundary(self) -> Picture | None:
        """The latest decision boundary written, or None before any."""
        return self._boundary

    def weights(self) -> Weights | None:
        """The latest parameters written, at full precision, or None before any."""
        return self._weights

    def snapshot(self) -> tuple[Snapshot, Cursor]:
        """The whole run so far, and the cursor just after it."""
        with self._lock:
            chunks = [e for e in self._events if isinstance(e, Progress)]
            tested = [c.measure for c in chunks if c.measure.test_accuracy is not None]
            snapshot = Snapshot(
                costs_json=",".join(c.costs_json for c in chunks if c.count),
                count=self._count,
                test_iterations=[m.iteration for m in tested],
                test_costs=[m.test_cost for m in tested],
                train_iterations=[c.measure.iteration for c in chunks],
                train_costs=[c.measure.train_cost for c in chunks],
                learning_rates=_learning_rates(chunks),
                measure=self._measure,
                status=self._status,
                boundary=self._boundary,
                details=self._details,
            )
            cursor = Cursor(
                len(self._events),
                self._boundary.version if self._boundary else 0,
                self._details.version if self._details else 0,
            )
        return snapshot, cursor

    def values(self, count: int) -> np.ndarray:
        """The costs of iterations 0 .. count - 1 as floats, NaN where JSON has null.

        Reading 100,000 costs from JSON takes tens of milliseconds: each chunk is read once,
        so viewers joining a long run one after the other read only what is new.
        """
        with self._values_lock:
            with self._lock:
                new = self._events[self._valued_events :]
                self._valued_events = len(self._events)
            for event in new:
                if isinstance(event, Progress) and event.count:
                    self._values.extend(json.loads(f"[{event.costs_json.replace('null', 'NaN')}]"))
            return np.frombuffer(self._values, dtype=float, count=count).copy()

    def history(self) -> History:
        """Every cost so far at full precision, NaN and infinities included (for exports)."""
        with self._lock:
            chunks = [e for e in self._events if isinstance(e, Progress)]
            costs_json = ",".join(c.costs_json for c in chunks if c.count)
            tested = [c.measure for c in chunks if c.measure.test_accuracy is not None]
            unwritable = dict(self._unwritable_costs)
            unwritable_test = dict(self._unwritable_test_costs)
        # A float's repr is its JSON, so parsing it back gives the very same float.
        costs = [
            unwritable.get(i, math.nan) if cost is None else cost
            for i, cost in enumerate(json.loads(f"[{costs_json}]"))
        ]
        test_costs = [
            unwritable_test.get(m.iteration, math.nan) if m.test_cost is None else m.test_cost
            for m in tested
        ]
        return History(costs, [m.iteration for m in tested], test_costs)

    def since(self, start: int) -> LogState:
        """The chunks after the first `start` events, and the latest state (for the store)."""
        with self._lock:
            return LogState(
                chunks=[e for e in self._events[start:] if isinstance(e, Progress)],
                end=len(self._events),
                count=self._count,
                status=self._status,
                measure=self._measure,
                boundary=self._boundary,
                details=self._details,
                weights=self._weights,
            )

    @classmethod
    def restored(cls, loop: asyncio.AbstractEventLoop, saved: LogState) -> "JobLog":
        """A log rebuilt from the store: the chunks of `saved`, then its final status.

        It takes nothing more (its status is final), so it is read, never written.
        """
        if saved.status.status not in FINAL_STATUSES:
            raise ValueError(f"a restored log must have ended, not be {saved.status.status!r}")
        log = cls(loop)
        log._events = [*saved.chunks, saved.status]
        log._count = saved.count
        log._status, log._measure = saved.status, saved.measure
        log._boundary, log._details, log._weights = saved.boundary, saved.details, saved.weights
        return log

    def read(self, cursor: Cursor) -> tuple[list[Progress | StatusChange], Cursor]:
        """Everything after the cursor, in order: merged progress, and status changes."""
        with self._lock:
            events = self._events[cursor.events :]
            boundary, details = self._boundary, self._details
            end = len(self._events)
        entries: list[Progress | StatusChange] = []
        run: list[Progress] = []
        for event in events:
            if isinstance(event, Progress):
                if run and event.measure.learning_rate != run[-1].measure.learning_rate:
                    entries.append(_merge(run))  # every viewer sees each change of alpha
                    run = []
                run.append(event)
                continue
            if run:
                entries.append(_merge(run))
                run = []
            entries.append(event)
        if run:
            entries.append(_merge(run))
        boundary_version = boundary.version if boundary else 0
        details_version = details.version if details else 0
        new_boundary = boundary if boundary_version > cursor.boundary else None
        new_details = details if details_version > cursor.details else None
        if new_boundary or new_details:
            entries = _attach_pictures(entries, new_boundary, new_details)
        return entries, Cursor(end, boundary_version, details_version)

    def beyond(self, cursor: Cursor) -> bool:
        """Whether there is something after the cursor."""
        return len(self._events) > cursor.events

    async def wait(self, cursor: Cursor) -> None:
        """Return once there is something after the cursor."""
        await self.wait_until(lambda: self.beyond(cursor))

    async def wait_until(self, condition: Callable[[], bool]) -> None:
        """Return once `condition()` holds; it is checked again at every change."""
        while not condition():
            await self._changed.wait()

    def _wake(self) -> None:
        # Waiters hold the old event; later ones take the new one. Both run on the loop,
        # between a waiter's check and its wait nothing can slip in.
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()


def _finite(measure: Measure) -> Measure:
    """The measure with NaN and infinities as None (JSON has no NaN)."""
    return replace(
        measure,
        cost=finite_or_none(measure.cost),
        train_accuracy=finite_or_none(measure.train_accuracy),
        test_accuracy=finite_or_none(measure.test_accuracy),
        test_cost=finite_or_none(measure.test_cost),
        train_cost=finite_or_none(measure.train_cost),
        train_r2=finite_or_none(measure.train_r2),
        test_r2=finite_or_none(measure.test_r2),
    )


def _learning_rates(chunks: list[Progress]) -> list[tuple[int, float]]:
    """[first_iteration, alpha] of the first chunk and of every chunk that changed alpha."""
    changes: list[tuple[int, float]] = []
    for chunk in chunks:
        alpha = chunk.measure.learning_rate
        if alpha is None or (changes and changes[-1][1] == alpha):
            continue
        if changes and changes[-1][0] == chunk.first_iteration:
            changes.pop()  # changed before any iteration ran with the old alpha
        changes.append((chunk.first_iteration, alpha))
    return changes


def _members(values: Mapping[str, object]) -> str:
    """The members of a JSON object, without its braces, to splice into a message."""
    return json.dumps(values, allow_nan=False, separators=(",", ":"))[1:-1]


def _merge(chunks: list[Progress]) -> Progress:
    costs = ",".join(c.costs_json for c in chunks if c.count)
    count = sum(c.count for c in chunks)
    return Progress(chunks[0].first_iteration, count, costs, chunks[-1].measure)


def _attach_pictures(
    entries: list[Progress | StatusChange], boundary: Picture | None, details: Picture | None
) -> list[Progress | StatusChange]:
    """Put the new pictures on the last progress entry (they show its last iteration)."""
    for i in range(len(entries) - 1, -1, -1):
        entry = entries[i]
        if isinstance(entry, Progress):
            entries[i] = replace(entry, boundary=boundary, details=details)
            break
    return entries
