"""The control channel of one job: commands from viewers, polled by the runner.

Viewers `send` commands from the event loop; the runner takes them between two
iterations, applies them in order and marks each one applied. Waiting on the channel
(while paused, or between paced iterations) wakes up as soon as a command arrives, so
pause, stop and delete take effect at once.

A loop in another process gets the commands through `relay`: each is handed on as it is
sent, and the runner sets `applied` as the loop reports it.
"""

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Action = Literal["pause", "resume", "step", "stop", "set", "edit"]


@dataclass(frozen=True)
class Edit:
    """One entry of a parameter set by hand: parameter[row, col] = value ("W1", "b2", ...)."""

    parameter: str
    row: int
    col: int
    value: float


@dataclass(frozen=True)
class Command:
    """One command: `steps` for "step"; "set" changes what is given; "edit" sets `edit`.

    set_speed tells whether `speed` is meant (None then means as fast as it can).
    reason: the status detail a stop, pause or resume shows instead of the usual one.
    """

    action: Action
    steps: int = 1
    learning_rate: float | None = None
    speed: float | None = None
    set_speed: bool = False
    reason: str = ""
    edit: Edit | None = None


class Control:
    """A thread-safe queue of commands with a wake-up for the runner."""

    def __init__(self) -> None:
        self._commands: deque[tuple[int, Command]] = deque()
        self._condition = threading.Condition()
        self._sent = 0
        self._forward: Callable[[int, Command], None] | None = None  # see relay
        self.applied = 0
        # Set by every command: wakes the runner where it waits for something else
        # (its turn to train), so it can look at the command at once.
        self.alarm = threading.Event()

    def send(self, command: Command) -> int:
        """Queue a command; returns its number, which `applied` reaches once it is done."""
        with self._condition:
            self._sent += 1
            number = self._sent
            if self._forward is not None:
                self._forward(number, command)
            else:
                self._commands.append((number, command))
            self._condition.notify_all()
        self.alarm.set()
        return number

    def relay(self, forward: Callable[[int, Command], None]) -> None:
        """From now on hand every command to `forward(number, command)` as it is sent, the
        waiting ones first, in order: for a loop in another process (it must not block)."""
        with self._condition:
            for number, command in self._commands:
                forward(number, command)
            self._commands.clear()
            self._forward = forward

    @property
    def pending(self) -> bool:
        """Whether commands are waiting (cheap: checked between every two iterations)."""
        return bool(self._commands)

    def take(self) -> list[tuple[int, Command]]:
        """Every waiting command, oldest first, with its number."""
        with self._condition:
            commands = list(self._commands)
            self._commands.clear()
            return commands

    def wait(self, timeout: float | None = None) -> None:
        """Block until a command is waiting, or `timeout` seconds have passed."""
        with self._condition:
            if not self._commands:
                self._condition.wait(timeout)
