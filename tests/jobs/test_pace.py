"""Pace and turns: iterations per second on average, and one training loop at a time."""

import threading
import time

import pytest

from app.jobs.pace import MAX_LAG, Pacer, Turns


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


def test_loops_take_turns_first_come_first_served():
    turns = Turns()
    assert turns.take()
    order = []

    def queue(name):
        turns.take()
        order.append(name)
        turns.give_back()

    first = threading.Thread(target=queue, args=("first",))
    first.start()
    while not turns.waiting:
        time.sleep(0.001)
    second = threading.Thread(target=queue, args=("second",))
    second.start()
    assert order == []  # nobody trains while the turn is held
    turns.give_back()
    first.join(30)
    second.join(30)
    assert order == ["first", "second"]


class CountingAlarm(threading.Event):
    """An alarm that counts how often it was rung."""

    def __init__(self):
        super().__init__()
        self.rings = 0

    def set(self):
        self.rings += 1
        super().set()


def test_a_turn_wakes_only_the_next_loop_in_line():
    turns = Turns()
    assert turns.take()
    alarms = [CountingAlarm() for _ in range(3)]
    has_turn = [threading.Event() for _ in range(3)]
    done = threading.Event()

    def queue(i):
        assert turns.take(alarm=alarms[i])
        has_turn[i].set()
        done.wait(30)
        turns.give_back()

    threads = []
    for i in range(3):
        threads.append(threading.Thread(target=queue, args=(i,), daemon=True))
        threads[-1].start()
        while len(turns._queue) < i + 1:
            time.sleep(0.001)
    turns.give_back()
    assert has_turn[0].wait(30)
    assert [a.rings for a in alarms] == [1, 0, 0]  # the others slept on
    assert not has_turn[1].is_set() and not has_turn[2].is_set()
    done.set()
    for thread in threads:
        thread.join(30)
    assert [a.rings for a in alarms] == [1, 1, 1] and not turns.waiting


def test_a_loop_waiting_for_a_turn_gives_up_when_its_alarm_rings():
    turns = Turns()
    assert turns.take()
    alarm, stop = threading.Event(), threading.Event()
    result = []
    thread = threading.Thread(
        target=lambda: result.append(turns.take(give_up=stop.is_set, alarm=alarm)), daemon=True
    )
    thread.start()
    while not turns.waiting:
        time.sleep(0.001)
    stop.set()
    alarm.set()
    thread.join(30)
    assert result == [False] and not turns.waiting
    turns.give_back()
    assert turns.take()  # the turn was free again, not handed to the loop that gave up
