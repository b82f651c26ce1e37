"""Running a job: the training loop, and the runner that decides where it runs.

`TrainingLoop` drives a Trainer one iteration at a time. Between two iterations it
applies the viewers' commands (pause, resume, step, stop, new learning rate or speed,
a weight set by hand),
paces itself to `speed` iterations per second, and writes to a plain synchronous sink:
the costs and, when a frame is due (about 20 a second), the metrics and pictures. It
knows nothing of the web, so another runner (worker processes, a broker) can drive it.

`ThreadRunner` runs each loop in a thread of its own: NumPy-sized work off the event
loop, which stays free to serve the viewers. The loops take turns (pace.Turns), so
that the event loop competes for the GIL with one of them at a time, and each loop gets
an equal share of the time. A loop paints its frames in its own turns.
"""

import logging
import math
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Protocol

import numpy as np

from app.jobs.control import Command, Control, Edit
from app.jobs.frames import Painter, measure
from app.jobs.log import Measure
from app.jobs.pace import Pacer, Share, Turns
from app.nn.trainer import Step, Trainer

logger = logging.getLogger(__name__)

FAILED = (
    "The job failed on the server (the error is in the server's log). Start a new run; "
    "if it fails again, tell whoever runs the server."
)

# A paced loop that is ahead sleeps at least this long, then runs every iteration due:
# waking for each iteration (every 2 ms at 500/s) costs a thread switch and a turn each
# time, which with a class of jobs took more time than the training itself.
PACE_NAP = 0.02
# Painting a frame (boundary, metrics, network) takes at most this share of a loop's
# own time: a frame that took t seconds is followed by the next one no sooner than
# t / share later, not counting the time the loop waited for a turn. A big grid over a
# big network takes 15-50 ms to paint; 20 of those a second would leave no time to train,
# and counted in wall time, beside other loops, every turn trained one iteration and
# painted.
PAINT_SHARE = 0.5


class Sink(Protocol):
    """Where a training loop writes, from its own thread: a JobLog, or anything alike.

    Costs and metrics come as they are, NaN and infinities included.
    """

    def append(
        self,
        first_iteration: int,
        costs: list[float],
        measure: Measure,
        boundary: Mapping[str, object] | None = None,
        details: Mapping[str, object] | None = None,
        parameters: dict[str, np.ndarray] | None = None,
    ) -> None: ...

    def set_status(self, status: str, detail: str) -> bool: ...

    def notify(self) -> None: ...

    def steered(self, learning_rate: float, speed: float | None) -> None:
        """The loop's alpha and speed now, after a command set them: the log holds them."""
        ...


class TrainingLoop:
    """One job's training: trainer -> sink, steered by the control channel."""

    def __init__(
        self,
        trainer: Trainer,
        painter: Painter,
        control: Control,
        sink: Sink,
        *,
        speed: float | None,
        frame_interval: float,
        details_interval: float,
        paused: bool = False,
        turns: Turns | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.trainer = trainer
        self.painter = painter
        self.control = control
        self.sink = sink
        self.pacer = Pacer(speed)
        self.frame_interval = frame_interval
        self.details_interval = details_interval
        self.paused = paused
        self.paused_detail = "Paused before iteration 0."  # the status of a loop started paused
        self.steps_left: int | None = None  # pause again after this many iterations
        self.turns = turns or Turns()
        self.share = Share(control.alarm)  # this loop's claim on the turns
        self.clock = clock
        self._turn_end: float | None = None  # when this loop's turn ends; None: no turn
        self._pending: list[float] = []
        self._logged = 0  # iterations written to the sink
        self._next_frame = 0.0  # no frame before this (frame_interval)
        self._next_paint = 0.0  # nor before this (PAINT_SHARE), put off by waits for a turn
        self._next_details = -math.inf  # the first frame carries the network
        self._details_at = -1  # iterations done when the network was last drawn

    def run(self) -> None:
        """Train until done, diverged, stopped or failed; never raises.

        The loop writes every status of its job; its runner writes one only where the
        loop cannot: it never started (`Runner.cancel`), or its process died."""
        try:
            self._run()
        except Exception:
            # The traceback goes to the server's log; its viewers (any student with the
            # link) are told what to do, not the server's internals.
            logger.exception("training job failed")
            self.sink.set_status("failed", FAILED)
        finally:
            self._end_turn()

    def cancel(self, reason: str) -> None:
        """The job ends, stopped, before this loop ever ran (it waited for a place)."""
        self.sink.set_status("stopped", reason)

    def _run(self) -> None:
        steps = self.trainer.steps()
        if self.paused:
            self.sink.set_status("paused", self.paused_detail)
        else:
            self.sink.set_status("running", self._running_text())
        self._keep_turn(self.clock())  # painted in a turn, as every frame
        self._flush()  # the initial boundary, before iteration 0
        while True:
            if self.control.pending and self._apply_commands():
                return
            if self.paused:
                self._end_turn()
                self.control.wait()
                continue
            now = self.clock()
            budget = self.pacer.allowance(now)
            if budget == 0:
                self._flush_if_due()
                self._end_turn()
                self.control.wait(max(self.pacer.wait_time(now), PACE_NAP))
                continue
            turn_end = self._keep_turn(now)
            if turn_end is None:
                continue  # a command came while waiting for a turn
            if self.steps_left is not None:
                budget = min(budget, self.steps_left)
            if self._train(steps, budget, min(self._frame_time(), turn_end)):
                return self._finish_trainer()
            if self.steps_left == 0:
                self._pause()
                continue
            self._flush_if_due()

    def _train(self, steps: Iterator[Step], budget: int, deadline: float) -> bool:
        """Run up to `budget` iterations, until `deadline` or a command; True once ended."""
        costs, control, clock, trainer = self._pending, self.control, self.clock, self.trainer
        done = 0
        ended = False
        # The innermost loop: only what every iteration needs.
        while done < budget:
            step = next(steps, None)
            if step is None:
                ended = True
                break
            costs.append(step.cost)
            done += 1
            if trainer.stop_reason is not None:  # it diverged (the trainer tells, once)
                ended = True
                break
            if control.pending or clock() >= deadline:
                break
        self.pacer.count(done)
        if self.steps_left is not None:
            self.steps_left -= done
        return ended

    # -- turns -------------------------------------------------------------------------

    def _keep_turn(self, now: float) -> float | None:
        """Hold a turn to train; returns when it ends (None: a command came meanwhile).

        After `length` seconds this loop asks for the next turn, which may go to another
        loop (see Turns). The time spent waiting is not this loop's own: it puts off the
        next paint as much.
        """
        if self._turn_end is not None and now < self._turn_end:
            return self._turn_end
        asked = self.clock()
        taken = self.turns.take(self.share, give_up=lambda: self.control.pending)
        now = self.clock()
        self._next_paint += now - asked
        if not taken:
            self._turn_end = None
            return None
        self._turn_end = now + self.turns.length
        return self._turn_end

    def _end_turn(self) -> None:
        if self._turn_end is not None:
            self._turn_end = None
            self.turns.give_back(self.share)

    # -- commands ----------------------------------------------------------------------

    def _apply_commands(self) -> bool:
        """Apply every waiting command in order; True when the job must end."""
        for number, command in self.control.take():
            ended = self._apply(command)
            self.control.applied = number
            if ended:
                return True
        self.sink.notify()  # lets the sender of a command see it applied
        return False

    def _apply(self, command: Command) -> bool:
        if command.action == "stop":
            self._finish("stopped", command.reason or f"Stopped after {self._iteration_text()}.")
            return True
        if command.action == "pause" and not self.paused:
            self._pause(command.reason)
        elif command.action == "resume" and (self.paused or self.steps_left is not None):
            self.steps_left = None
            self._resume(command.reason)
        elif command.action == "step":
            self.steps_left = command.steps
            if self.paused:
                self._resume(f"Stepping {command.steps} iteration(s).")
        elif command.action == "set":
            alpha = command.learning_rate
            if alpha is not None and alpha != self.trainer.learning_rate:
                if self._pending:
                    self._flush()  # the costs so far were made with the old alpha
                self.trainer.learning_rate = alpha
            if command.set_speed:
                self.pacer.set_speed(command.speed)
            self.sink.steered(self.trainer.learning_rate, self.pacer.speed)
        elif command.action == "edit" and command.edit is not None:
            self._edit(command.edit)
        return False

    def _edit(self, edit: Edit) -> None:
        """Set one weight or bias, then show at once the pictures and metrics it gives
        (a frame with no new iteration: the next one trains from the edited network)."""
        if self._pending:
            self._flush()  # the costs so far were made before the edit
        parameters = {name: np.array(value) for name, value in self.trainer.parameters.items()}
        parameters[edit.parameter][edit.row, edit.col] = edit.value
        self.trainer.parameters = parameters
        self._next_details = -math.inf  # the network's weights are what changed
        self._flush()

    def _pause(self, detail: str = "") -> None:
        self.paused = True
        self.steps_left = None
        if self._pending or self._details_at != self._logged:
            # A paused job is looked at closely: its network and weights are those of now.
            self._next_details = -math.inf
            self._flush()
        self.sink.set_status("paused", detail or f"Paused after {self._iteration_text()}.")

    def _resume(self, detail: str = "") -> None:
        self.paused = False
        self.pacer.restart()
        self.sink.set_status("running", detail or self._running_text())

    # -- output ------------------------------------------------------------------------

    def _frame_time(self) -> float:
        """When the next frame falls due, if this loop keeps training until then."""
        return max(self._next_frame, self._next_paint)

    def _flush_if_due(self) -> None:
        if self._pending and self.clock() >= self._frame_time():
            self._flush()

    def _plan_next_frame(self, now: float, spent: float) -> None:
        """A frame begun at `now` took `spent` seconds to paint: when the next may come."""
        self._next_frame = now + self.frame_interval
        self._next_paint = now + spent / PAINT_SHARE

    def _flush(self) -> None:
        """Write the pending costs with a fresh frame (metrics and pictures)."""
        now = self.clock()
        costs, self._pending = self._pending, []
        last = self._logged + len(costs) - 1
        cost = costs[-1] if costs else None
        parameters = self.trainer.parameters
        details = None
        if now >= self._next_details:
            details = self.painter.details(parameters)
            self._details_at = self._logged + len(costs)
            spent = self.clock() - now
            self._next_details = now + max(self.details_interval, spent / PAINT_SHARE)
        metrics, boundary = measure(self.trainer, last, cost), self.painter.boundary(parameters)
        spent = self.clock() - now
        copies = {name: np.array(value, dtype=np.float64) for name, value in parameters.items()}
        self.sink.append(self._logged, costs, metrics, boundary, details, copies)
        self._logged += len(costs)
        self._plan_next_frame(now, spent)

    def _finish(self, status: str, detail: str) -> None:
        # The last frame always carries the network, so the final picture is complete.
        self._next_details = -math.inf
        if self._pending:
            self._flush()
        self.sink.set_status(status, detail)

    def _finish_trainer(self) -> None:
        if self.trainer.stop_reason == "diverged":
            self._finish("diverged", self._diverged_text())
        else:
            self._finish("done", f"Done: {self._iteration_text()}.")

    def _running_text(self) -> str:
        speed = self.pacer.speed
        pace = "as fast as it can" if speed is None else f"at {speed:g} iterations/s"
        return f"Training {pace}."

    def _iteration_text(self) -> str:
        done = self._logged + len(self._pending)
        return f"{done} iteration" + ("" if done == 1 else "s")

    def _diverged_text(self) -> str:
        alpha = self.trainer.learning_rate
        last = self._logged + len(self._pending) - 1
        value = "NaN" if self._pending and math.isnan(self._pending[-1]) else "infinite"
        return (
            f"The cost became {value} at iteration {last}: with learning rate "
            f"{alpha:g} the updates overshoot and blow up. Try a smaller learning rate, "
            f"such as {alpha / 10:g}."
        )


class Runner(Protocol):
    """Decides where training loops run."""

    def start(self, name: str, loop: TrainingLoop) -> None: ...

    def cancel(self, name: str, loop: TrainingLoop, reason: str) -> None:
        """End, stopped with `reason`, a job whose loop was never started, where its
        viewers (on every server) see it."""
        ...

    def shutdown(self, timeout: float) -> None: ...


class ThreadRunner:
    """Runs each training loop in a daemon thread of its own."""

    def __init__(self, turns: Turns | None = None, switch_interval: float | None = None) -> None:
        self.turns = turns or Turns()
        self._threads: dict[str, threading.Thread] = {}
        if switch_interval is not None:
            # How long a busy thread may keep the GIL when another asks for it: shorter
            # lets the event loop answer sooner while jobs train (Python's default: 5 ms).
            sys.setswitchinterval(switch_interval)

    def start(self, name: str, loop: TrainingLoop) -> None:
        """Start the loop now, taking turns with the others; finished threads are forgotten."""
        loop.turns = self.turns
        self._threads = {k: t for k, t in self._threads.items() if t.is_alive()}
        thread = threading.Thread(target=loop.run, name=f"gradlive-job-{name}", daemon=True)
        self._threads[name] = thread
        thread.start()

    def cancel(self, name: str, loop: TrainingLoop, reason: str) -> None:
        loop.cancel(reason)

    def shutdown(self, timeout: float) -> None:
        """Wait up to `timeout` seconds in all for the threads (their jobs were stopped)."""
        deadline = time.monotonic() + timeout
        for thread in self._threads.values():
            thread.join(max(0.0, deadline - time.monotonic()))
        self._threads.clear()
