"""Pace and turns: iterations per second on average, one training loop at a time, and
each loop's fair share of the time."""

import threading
import time
from dataclasses import dataclass, field

import pytest

from app.jobs.pace import CATCH_UP, MAX_LAG, TURN, Pacer, Share, Turns


def test_the_pacer_keeps_the_pace_on_average():
    pacer = Pacer(10.0)
    assert pacer.allowance(100.0) == 1  # the first iteration goes at once
    pacer.count()
    assert pacer.allowance(100.0) == 0 and pacer.wait_time(100.0) == pytest.approx(0.1)
    assert pacer.allowance(100.1) == 1
    assert pacer.allowance(100.35) == 3  # iterations 1, 2 and 3 are due by now
    pacer.count(3)
    assert pacer.wait_time(100.35) == pytest.approx(0.05)


def test_a_pacer_that_fell_behind_does_not_rush_to_catch_up():
    pacer = Pacer(10.0)
    pacer.allowance(0.0)
    pacer.count()
    assert pacer.allowance(1.0 + MAX_LAG) == 1  # counts afresh from here
    pacer.count()
    assert pacer.allowance(1.0 + MAX_LAG) == 0
    assert pacer.wait_time(1.0 + MAX_LAG) == pytest.approx(0.1)


def test_no_speed_means_no_limit_and_no_waiting():
    pacer = Pacer(None)
    pacer.count(1000)
    assert pacer.allowance(0.0) >= 10**9 and pacer.wait_time(0.0) == 0.0


def wait_until(predicate):
    deadline = time.monotonic() + 30
    while not predicate():
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.001)


class Clock:
    """A clock that moves only when the test moves it."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_the_turn_goes_to_the_waiting_loop_that_held_the_turns_least():
    clock = Clock()
    turns = Turns(clock=clock)
    a, b, c = Share(), Share(), Share()
    assert turns.request(a) and a.granted
    clock.now = 0.5
    turns.give_back(a)  # a held the turns for 0.5 s
    assert turns.request(b)
    clock.now = 0.6
    assert not turns.request(a) and not turns.request(c)  # both wait, a came first
    turns.give_back(b)  # b held them for 0.1 s
    assert c.granted and not a.granted  # c never had a turn
    clock.now = 0.7
    assert not turns.request(b)
    turns.give_back(c)
    assert b.granted and not a.granted  # b held them 0.1 s, a 0.5 s
    clock.now = 0.8
    turns.give_back(b)
    assert a.granted and not turns.waiting


def test_with_equal_shares_loops_take_turns_first_come_first_served():
    turns = Turns()
    holder = Share()
    assert turns.take(holder)
    order = []

    def queue(name):
        share = Share()
        turns.take(share)
        order.append(name)
        turns.give_back(share)

    first = threading.Thread(target=queue, args=("first",))
    first.start()
    wait_until(lambda: turns.waiting)
    second = threading.Thread(target=queue, args=("second",))
    second.start()
    wait_until(lambda: len(turns._waiting) == 2)
    assert order == []  # nobody trains while the turn is held
    turns.give_back(holder)
    first.join(30)
    second.join(30)
    assert order == ["first", "second"]


@dataclass
class Loop:
    """A simulated training loop: holds each turn `hold` s, then naps `nap` s (0: never)."""

    hold: float
    nap: float = 0.0
    wakes: float = 0.0  # when it first asks for a turn
    share: Share = field(default_factory=Share)
    held: float = 0.0  # seconds of turns in all
    turns: int = 0
    waits: list[float] = field(default_factory=list)  # from asking to getting a turn
    asked: float | None = None


def simulate(loops, seconds):
    """Loops taking turns over `seconds` of a fake clock, the scheduler's decisions only."""
    clock = Clock()
    turns = Turns(clock=clock)

    def ask(loop, at):
        loop.asked = at
        turns.request(loop.share)

    while clock.now < seconds:
        holder = next((loop for loop in loops if loop.share.granted), None)
        if holder is None:  # the turn is free until the next loop wakes
            first = min((loop for loop in loops if loop.asked is None), key=lambda l: l.wakes)
            clock.now = max(clock.now, first.wakes)
            ask(first, first.wakes)
            continue
        holder.turns += 1
        if holder.asked is not None:
            holder.waits.append(clock.now - holder.asked)
            holder.asked = None
        clock.now += holder.hold
        holder.held += holder.hold
        for loop in loops:  # loops that woke meanwhile asked when they woke
            if loop is not holder and loop.asked is None and loop.wakes <= clock.now:
                ask(loop, loop.wakes)
        if holder.nap:
            turns.give_back(holder.share)
            holder.wakes = clock.now + holder.nap
        elif not turns.request(holder.share):  # its turn is over: it asks for the next
            holder.asked = clock.now
    return loops


def test_a_light_loop_beside_heavy_loops_gets_a_turn_as_soon_as_one_ends():
    """A paced loop needing 1 ms every 20 ms, beside 8 loops that train all the time.

    First come, first served it waited 140 ms behind the others every time it woke and got
    a quarter of the turns it asked for: a loop at speed 500 fell behind its pace.
    """
    light, *heavy = simulate(
        [Loop(hold=0.001, nap=0.02, wakes=1.0)] + [Loop(hold=TURN) for _ in range(8)], 10.0
    )
    assert max(light.waits) <= TURN
    assert light.turns >= 9.0 / (0.02 + TURN + 0.001)  # every turn it asked for
    held = [loop.held for loop in heavy]
    assert max(held) - min(held) <= 2 * TURN  # the rest is shared equally


def test_loops_get_equal_time_however_long_their_turns():
    """A loop whose turns overrun (painting a frame) gets fewer turns, not more time.

    First come, first served it got two thirds of the time."""
    long, short = simulate([Loop(hold=2 * TURN), Loop(hold=TURN)], 10.0)
    assert abs(long.held - short.held) <= 2 * TURN + 1e-9  # one turn of the long loop
    assert long.turns == pytest.approx(short.turns / 2, abs=2)


def test_a_paced_loop_that_wants_more_than_its_share_gets_its_share():
    """Wanting half the time beside 3 loops that want it all, it gets a quarter, as they do."""
    eager, *heavy = simulate(
        [Loop(hold=TURN, nap=TURN)] + [Loop(hold=TURN) for _ in range(3)], 20.0
    )
    for loop in [eager, *heavy]:
        assert loop.held / 20.0 == pytest.approx(0.25, abs=0.01)


def test_a_loop_that_comes_to_the_turns_is_owed_nothing_for_the_time_it_was_away():
    """A new job beside one that trained alone: counted from zero, it took the turns for a
    second while the other waited."""
    old, new = simulate([Loop(hold=TURN), Loop(hold=TURN, wakes=5.0)], 10.0)
    assert max(old.waits) <= CATCH_UP + 2 * TURN
    assert new.held == pytest.approx(old.held - 5.0, abs=CATCH_UP + 2 * TURN)


def test_a_loop_back_from_a_long_pause_is_owed_nothing_either():
    clock = Clock()
    turns = Turns(clock=clock)
    paused, other = Share(), Share()
    assert turns.request(paused)
    clock.now = 0.1
    turns.give_back(paused)  # then paused for a long time, while the other trains
    assert turns.request(other)
    for _ in range(100):
        clock.now += TURN
        assert turns.request(other)  # its turn is over, and nobody else wants one
    assert not turns.request(paused)
    assert paused.used == pytest.approx(other.used - CATCH_UP, abs=TURN)


class CountingAlarm(threading.Event):
    """An alarm that counts how often it was rung."""

    def __init__(self):
        super().__init__()
        self.rings = 0

    def set(self):
        self.rings += 1
        super().set()


def test_a_turn_wakes_only_the_loop_it_goes_to():
    turns = Turns()
    holder = Share()
    assert turns.take(holder)
    alarms = [CountingAlarm() for _ in range(3)]
    has_turn = [threading.Event() for _ in range(3)]
    done = threading.Event()

    def queue(i):
        share = Share(alarms[i])
        assert turns.take(share)
        has_turn[i].set()
        done.wait(30)
        turns.give_back(share)

    threads = []
    for i in range(3):
        threads.append(threading.Thread(target=queue, args=(i,), daemon=True))
        threads[-1].start()
        wait_until(lambda n=i + 1: len(turns._waiting) == n)
    turns.give_back(holder)
    assert has_turn[0].wait(30)
    assert [a.rings for a in alarms] == [1, 0, 0]  # the others slept on
    assert not has_turn[1].is_set() and not has_turn[2].is_set()
    done.set()
    for thread in threads:
        thread.join(30)
    assert [a.rings for a in alarms] == [1, 1, 1] and not turns.waiting


def test_a_loop_waiting_for_a_turn_gives_up_when_its_alarm_rings():
    turns = Turns()
    holder = Share()
    assert turns.take(holder)
    alarm, stop = threading.Event(), threading.Event()
    result = []
    thread = threading.Thread(
        target=lambda: result.append(turns.take(Share(alarm), give_up=stop.is_set)), daemon=True
    )
    thread.start()
    wait_until(lambda: turns.waiting)
    stop.set()
    alarm.set()
    thread.join(30)
    assert result == [False] and not turns.waiting
    turns.give_back(holder)
    assert turns.take(Share())  # the turn was free again, not handed to the loop that gave up
