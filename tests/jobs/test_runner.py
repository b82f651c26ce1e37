"""The training loop: every cost in order, commands between iterations, pace, endings."""

import itertools
import math
import threading

import numpy as np
import pytest

from app.jobs.control import Command, Control
from app.jobs.frames import Painter
from app.jobs.pace import Share, Turns
from app.jobs.runner import PACE_NAP, PAINT_SHARE, ThreadRunner, TrainingLoop
from app.nn import datasets, model
from app.nn.trainer import TrainConfig, Trainer


class RecordingSink:
    """A sink that keeps everything, and lets a test wait for what it expects."""

    def __init__(self):
        self.costs = []
        self.frames = []
        self.statuses = []
        self.boundaries = 0
        self.details = 0
        self.chunks = []  # (first_iteration, costs, measure, details, parameters)
        self.steering = []  # (learning_rate, speed), as the loop reported each change
        self.changed = threading.Condition()

    def append(self, first_iteration, costs, measure, boundary=None, details=None, parameters=None):
        with self.changed:
            assert first_iteration == len(self.costs)
            self.costs += costs
            self.frames.append(measure)
            self.chunks.append((first_iteration, list(costs), measure, details, parameters))
            self.boundaries += boundary is not None
            self.details += details is not None
            self.changed.notify_all()

    def set_status(self, status, detail):
        with self.changed:
            self.statuses.append((status, detail))
            self.changed.notify_all()
        return True

    def notify(self):
        with self.changed:
            self.changed.notify_all()

    def steered(self, learning_rate, speed):
        self.steering.append((learning_rate, speed))

    @property
    def status(self):
        return self.statuses[-1][0] if self.statuses else None

    def wait_for(self, predicate):
        with self.changed:
            assert self.changed.wait_for(predicate, timeout=30), "the loop never got there"


@pytest.fixture(scope="module")
def flower():
    return datasets.make("flower", n_samples=400, noise=0.2, seed=1)


def make_loop(flower, *, speed=None, paused=False, clock=None, painter=None, **config):
    X, Y = flower
    trainer = Trainer(TrainConfig(**config), X, Y)
    painter = painter or Painter(
        X, list(trainer.config.layer_dims), trainer.config.activation, 10, 4
    )
    sink = RecordingSink()
    extra = {"clock": clock} if clock else {}
    loop = TrainingLoop(
        trainer,
        painter,
        Control(),
        sink,
        speed=speed,
        frame_interval=0.05,
        details_interval=0.25,
        paused=paused,
        **extra,
    )
    return loop, sink


def start(loop):
    thread = threading.Thread(target=loop.run, daemon=True)
    thread.start()
    return thread


def test_a_job_logs_every_cost_in_order_then_is_done(flower):
    loop, sink = make_loop(flower, iterations=80)
    loop.run()
    expected = [s.cost for s in Trainer(TrainConfig(iterations=80), *flower).steps()]
    assert sink.costs == expected
    assert [s for s, _ in sink.statuses] == ["running", "done"]
    assert sink.frames[0].iteration == -1 and sink.frames[-1].iteration == 79
    assert sink.frames[-1].cost == expected[-1] and 0 < sink.frames[-1].train_accuracy <= 1


def test_frames_and_pictures_go_out_only_when_one_is_due(flower):
    """A clock that stands still: no frame falls due, whatever the number of iterations."""
    loop, sink = make_loop(flower, iterations=300, clock=lambda: 0.0)
    loop.run()
    assert len(sink.costs) == 300
    assert len(sink.frames) == 2  # the initial picture and the final one
    assert sink.boundaries == 2 and sink.details == 2


def test_frames_come_at_most_once_per_interval_of_the_clock(flower):
    ticks = iter(range(10**6))
    loop, sink = make_loop(flower, iterations=200, clock=lambda: next(ticks) * 0.001)
    loop.run()
    elapsed = next(ticks) * 0.001  # every read of the clock moved it on by 1 ms
    assert len(sink.costs) == 200
    assert 3 <= len(sink.frames) <= 2 + elapsed / 0.05


def test_a_paused_start_waits_and_step_runs_n_iterations_then_pauses(flower):
    loop, sink = make_loop(flower, paused=True, iterations=1000)
    thread = start(loop)
    sink.wait_for(lambda: sink.status == "paused" and sink.frames)
    assert sink.costs == []
    loop.control.send(Command("step", steps=5))
    sink.wait_for(lambda: len(sink.statuses) >= 3)
    assert [s for s, _ in sink.statuses] == ["paused", "running", "paused"]
    assert len(sink.costs) == 5 and sink.frames[-1].iteration == 4
    loop.control.send(Command("stop"))
    thread.join(timeout=30)
    assert sink.statuses[-1] == ("stopped", "Stopped after 5 iterations.")


def test_pause_resume_and_stop_while_running(flower):
    loop, sink = make_loop(flower, speed=2000, iterations=100_000)
    thread = start(loop)
    sink.wait_for(lambda: len(sink.costs) > 10)
    loop.control.send(Command("pause"))
    sink.wait_for(lambda: sink.status == "paused")
    paused_at = len(sink.costs)
    assert sink.frames[-1].iteration == paused_at - 1  # the pause shows its last iteration
    loop.control.send(Command("resume"))
    sink.wait_for(lambda: len(sink.costs) > paused_at)
    loop.control.send(Command("stop"))
    thread.join(timeout=30)
    assert [s for s, _ in sink.statuses] == ["running", "paused", "running", "stopped"]
    assert (
        sink.costs == [s.cost for s in Trainer(TrainConfig(), *flower).steps()][: len(sink.costs)]
    )


def test_set_changes_the_learning_rate_and_the_speed_between_iterations(flower):
    loop, sink = make_loop(flower, paused=True)
    thread = start(loop)
    number = loop.control.send(Command("set", learning_rate=0.5, speed=40.0, set_speed=True))
    sink.wait_for(lambda: loop.control.applied >= number)
    assert loop.trainer.learning_rate == 0.5 and loop.pacer.speed == 40.0
    number = loop.control.send(Command("set", speed=None, set_speed=True))
    sink.wait_for(lambda: loop.control.applied >= number)
    assert loop.pacer.speed is None and loop.trainer.learning_rate == 0.5
    assert sink.steering == [(0.5, 40.0), (0.5, None)]  # the loop tells what it has now
    loop.control.send(Command("stop", reason="Bye."))
    thread.join(timeout=30)
    assert sink.statuses[-1] == ("stopped", "Bye.")


def test_a_cost_that_blows_up_ends_the_job_as_diverged(flower):
    loop, sink = make_loop(flower, learning_rate=100, iterations=1000)
    loop.run()
    status, detail = sink.statuses[-1]
    assert status == "diverged"
    assert "smaller learning rate" in detail and "such as 10" in detail
    assert not math.isfinite(sink.costs[-1]) and len(sink.costs) < 1000
    assert all(math.isfinite(c) for c in sink.costs[:-1])


def test_an_exception_inside_a_job_ends_it_as_failed(flower, caplog):
    class BrokenPainter:
        calls = 0

        def boundary(self, parameters):
            BrokenPainter.calls += 1
            if BrokenPainter.calls > 1:
                raise RuntimeError("the grid broke")
            return {"z": ""}

        def details(self, parameters):
            return {"network": None, "neurons": None}

    loop, sink = make_loop(flower, painter=BrokenPainter(), iterations=100)
    loop.run()  # never raises
    status, detail = sink.statuses[-1]
    assert status == "failed" and "server's log" in detail
    # Viewers are not shown the server's internals; its log has them.
    assert "RuntimeError" not in detail and "the grid broke" not in detail
    assert "the grid broke" in caplog.text


def test_a_loop_waiting_for_its_turn_still_obeys_stop(flower):
    loop, sink = make_loop(flower, iterations=1000)
    assert loop.turns.take(Share())  # another loop holds the turn and never gives it back
    thread = start(loop)
    sink.wait_for(lambda: sink.status == "running")
    loop.control.send(Command("stop"))
    thread.join(timeout=30)
    assert sink.statuses[-1] == ("stopped", "Stopped after 0 iterations.")
    assert sink.costs == []


def test_the_thread_runner_runs_each_loop_in_a_thread_of_its_own(flower):
    loop, sink = make_loop(flower, iterations=30)
    runner = ThreadRunner()
    runner.start("abc", loop)
    runner.shutdown(timeout=30)
    assert sink.status == "done" and len(sink.costs) == 30


class RecordingControl(Control):
    """A control channel that notes how long the loop asked to sleep each time."""

    def __init__(self):
        super().__init__()
        self.naps = []

    def wait(self, timeout=None):
        self.naps.append(timeout)
        super().wait(timeout)


def test_a_paced_loop_sleeps_long_enough_to_run_several_iterations_at_once(flower):
    loop, sink = make_loop(flower, speed=500, iterations=40)
    loop.control = RecordingControl()
    loop.run()
    assert len(sink.costs) == 40 and sink.status == "done"
    assert loop.control.naps and all(nap >= PACE_NAP for nap in loop.control.naps)


class SlowPainter:
    """A painter whose boundary takes one second of a fake clock."""

    def __init__(self, clock):
        self.clock = clock

    seconds = 1.0

    def boundary(self, parameters):
        self.clock.now += self.seconds
        return {"z": ""}

    def details(self, parameters):
        return {"network": None, "neurons": None}


class StoppedClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_a_frame_slow_to_paint_puts_off_the_next_one(flower):
    """Painting may take PAINT_SHARE of the loop's time, however short the frame interval."""
    clock = StoppedClock()
    loop, sink = make_loop(flower, iterations=300, clock=clock, painter=SlowPainter(clock))
    loop.run()
    assert len(sink.costs) == 300
    # The first frame took 1 s, so the next is due 1 / PAINT_SHARE s later; only painting
    # moves this clock, so nothing falls due before the final frame.
    assert len(sink.frames) == 2


class TimedPainter(SlowPainter):
    """A slow painter that notes when each boundary began, on its clock."""

    def __init__(self, clock):
        super().__init__(clock)
        self.began: list[float] = []

    def boundary(self, parameters):
        self.began.append(self.clock.now)
        return super().boundary(parameters)


def test_after_a_slow_frame_the_next_comes_later_than_the_frame_interval(flower):
    """A frame that took 1 s to paint is followed by the next 1 / PAINT_SHARE s after it
    began: later than one frame interval after it ended, when it would come otherwise."""
    clock = TickingClock(0.001)
    painter = TimedPainter(clock)
    loop, sink = make_loop(flower, iterations=3000, clock=clock, painter=painter)
    loop.run()
    assert len(sink.costs) == 3000
    gaps = [b - a for a, b in itertools.pairwise(painter.began)][:-1]  # the last: at the end
    assert len(gaps) >= 2
    assert all(gap > painter.seconds + loop.frame_interval for gap in gaps)
    assert all(gap >= painter.seconds / PAINT_SHARE for gap in gaps)


def test_a_new_learning_rate_starts_a_chunk_of_its_own(flower):
    """Every chunk's costs were made with the alpha its measure names, so a viewer can
    mark the change at the very iteration where it took effect."""
    loop, sink = make_loop(flower, paused=True, iterations=100_000)
    thread = start(loop)
    loop.control.send(Command("step", steps=7))
    sink.wait_for(lambda: sink.status == "paused" and len(sink.costs) == 7)
    loop.control.send(Command("set", learning_rate=0.3))
    loop.control.send(Command("step", steps=5))
    sink.wait_for(lambda: sink.status == "paused" and len(sink.costs) == 12)
    loop.control.send(Command("stop"))
    thread.join(timeout=30)
    alphas = {}
    for first, costs, measure, _, _ in sink.chunks:
        for i in range(first, first + len(costs)):
            alphas[i] = measure.learning_rate
    assert [alphas[i] for i in range(12)] == [1.2] * 7 + [0.3] * 5
    schedule = [1.2] * 7 + [0.3] * 5
    trainer = Trainer(TrainConfig(), *flower)
    expected = []
    for alpha in schedule:
        trainer.learning_rate = alpha
        expected.append(trainer.step().cost)
    assert sink.costs == expected


def test_a_pause_sends_the_network_and_exact_weights_of_that_moment(flower):
    """The network picture and the float64 weights of the last frame are those of the
    paused iteration, even when the last picture of the network is older."""
    clock = StoppedClock()  # no frame falls due on its own: only the pause sends one
    loop, sink = make_loop(flower, paused=True, iterations=100_000, clock=clock)
    thread = start(loop)
    loop.control.send(Command("step", steps=37))
    sink.wait_for(lambda: sink.status == "paused" and len(sink.costs) == 37)
    _, _, measure, details, parameters = sink.chunks[-1]
    done = len(sink.costs)
    assert measure.iteration == done - 1 and details is not None
    assert len(sink.chunks) == 2  # the initial picture, and the pause's
    trainer = Trainer(TrainConfig(), *flower)
    for _ in range(done):
        trainer.step()
    for name, value in trainer.parameters.items():
        assert parameters[name].dtype == np.float64
        np.testing.assert_array_equal(parameters[name], value)
    assert measure.train_cost == pytest.approx(trainer.step().cost, abs=1e-12)
    loop.control.send(Command("stop"))
    thread.join(timeout=30)


def test_with_mini_batches_each_frame_has_the_whole_sets_cost(flower):
    X, Y = flower
    loop, sink = make_loop(flower, iterations=40, batch_size=50, optimizer="adam")
    loop.run()
    last = sink.chunks[-1]
    assert last[2].iteration == 39 and last[4] is not None
    AL, _ = model.forward_propagation(X, last[4])
    assert last[2].train_cost == pytest.approx(model.compute_cost(AL, Y), abs=1e-12)
    assert last[2].cost != last[2].train_cost  # the step's cost is its batch's


class TurnCheckingPainter(Painter):
    """A painter that notes, for each boundary, whether its loop held the turn."""

    def __init__(self, *args):
        super().__init__(*args)
        self.loop: TrainingLoop | None = None  # set once the loop is made
        self.in_turn: list[bool] = []

    def boundary(self, parameters):
        assert self.loop is not None, "the test gives the painter its loop before it runs"
        self.in_turn.append(self.loop.share.granted)
        return super().boundary(parameters)


def test_every_frame_is_painted_in_a_turn_the_first_one_too(flower):
    X, _ = flower
    painter = TurnCheckingPainter(X, [2, 4, 1], "tanh", 10, 4)
    loop, sink = make_loop(flower, iterations=200, painter=painter)
    painter.loop = loop
    loop.run()
    assert len(painter.in_turn) == sink.boundaries >= 2 and all(painter.in_turn)


class TickingClock:
    """A clock that every read moves on by `tick` seconds, and painting by more."""

    def __init__(self, tick):
        self.now = 0.0
        self.tick = tick

    def __call__(self):
        self.now += self.tick
        return self.now


class BusyTurns(Turns):
    """Turns shared with other loops: every wait for a turn lasts `wait` s of the clock."""

    def __init__(self, clock, wait):
        super().__init__()
        self.clock_of_loop, self.wait, self.waits = clock, wait, 0

    def take(self, *args, **kwargs):
        self.clock_of_loop.now += self.wait
        self.waits += 1
        return super().take(*args, **kwargs)


def test_painting_beside_other_loops_takes_at_most_its_share_of_the_loops_own_time(flower):
    """Beside other loops a frame fell due at every turn: a turn trained one iteration, then
    painted. Painting's share counts the loop's own time, not the time it waited."""
    clock = TickingClock(0.001)
    painter = SlowPainter(clock)
    painter.seconds = 0.1
    loop, sink = make_loop(flower, iterations=2000, clock=clock, painter=painter)
    loop.turns = turns = BusyTurns(clock, wait=1.0)
    loop.run()
    assert len(sink.costs) == 2000 and turns.waits > 20
    own = clock.now - turns.waits * turns.wait
    painted = painter.seconds * sink.boundaries
    assert painted <= PAINT_SHARE * own + painter.seconds
    ends = [frame.iteration for frame in sink.frames]
    trained = [b - a for a, b in itertools.pairwise(ends)][:-1]  # the last is cut short
    assert min(trained) >= 20  # iterations between two frames
