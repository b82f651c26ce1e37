"""The control channel: commands in order, and a wait that a command cuts short."""

import threading

from app.jobs.control import Command, Control


def test_commands_come_out_in_order_with_their_numbers():
    control = Control()
    assert not control.pending
    first = control.send(Command("pause"))
    second = control.send(Command("step", steps=3))
    assert control.pending
    assert control.take() == [(first, Command("pause")), (second, Command("step", steps=3))]
    assert not control.pending and control.take() == []


def test_a_command_wakes_a_waiting_runner():
    control = Control()
    woke = threading.Event()

    def runner():
        control.wait()  # no timeout: only a command can end this wait
        woke.set()

    thread = threading.Thread(target=runner)
    thread.start()
    control.send(Command("resume"))
    thread.join(timeout=10)
    assert woke.is_set()


def test_wait_returns_at_once_when_a_command_is_waiting():
    control = Control()
    control.send(Command("stop"))
    control.wait()  # would block forever otherwise
    assert control.pending


def test_every_command_rings_the_alarm():
    control = Control()
    assert not control.alarm.is_set()
    control.send(Command("pause"))
    assert control.alarm.is_set()


def test_a_relay_hands_on_the_waiting_commands_then_each_one_as_it_is_sent():
    control = Control()
    control.send(Command("pause"))
    control.send(Command("step", steps=3))
    relayed = []
    control.relay(lambda number, command: relayed.append((number, command.action)))
    assert relayed == [(1, "pause"), (2, "step")] and not control.pending
    assert control.send(Command("stop")) == 3
    assert relayed[-1] == (3, "stop") and not control.pending
