"""When a training loop may run its next iterations: its pace, and its turn.

`Pacer` keeps a loop at `speed` iterations per second on average. `Turns` lets the
training threads of one process train one at a time (see there for why).
"""

import math
import threading
from collections import deque
from collections.abc import Callable

# A pace is kept on average; a wait shorter than this is left for a later iteration.
MIN_WAIT = 0.001
UNLIMITED = 1 << 62
# A loop that fell this far behind its pace (a busy machine) starts counting afresh
# instead of rushing to catch up.
MAX_LAG = 0.25
# Training loops take turns of this many seconds, with this pause in between (see Turns).
TURN = 0.02
TURN_PAUSE = 0.0005
# A loop waiting for a turn is woken by its alarm when a command comes; it also looks
# every this many seconds, in case an alarm was missed.
ALARM_POLL = 0.5


class Pacer:
    """Keeps `speed` iterations per second on average (None: as fast as it can)."""

    def __init__(self, speed: float | None) -> None:
        self.speed = speed
        self._start: float | None = None
        self._count = 0

    def restart(self) -> None:
        """Count afresh from the next iteration (after a pause)."""
        self._start = None

    def set_speed(self, speed: float | None) -> None:
        """A new pace, counted from the next iteration."""
        self.speed = speed
        self._start = None

    def allowance(self, now: float) -> int:
        """How many iterations may run now (UNLIMITED without a speed)."""
        if self.speed is None:
            return UNLIMITED
        if self._start is None or now - (self._start + self._count / self.speed) > MAX_LAG:
            self._start, self._count = now, 0
        due = math.floor((now - self._start) * self.speed) + 1 - self._count
        if due <= 0 and self.wait_time(now) < MIN_WAIT:
            return 1  # too short a wait to be worth one; the average pace is kept
        return max(0, due)

    def wait_time(self, now: float) -> float:
        """Seconds until the next iteration is due (0: now)."""
        if self.speed is None or self._start is None:
            return 0.0
        return max(0.0, self._start + self._count / self.speed - now)

    def count(self, n: int = 1) -> None:
        """n more iterations have run."""
        self._count += n


class Turns:
    """Training loops take turns: one trains at a time, for at most `length` seconds.

    Python runs one thread's bytecode at a time (the GIL). Loops that all train at once
    fight over it, and the event loop, which needs it back after every socket call,
    queues behind each of them. Taking turns (first come, first served) leaves it one
    rival, and the short `pause` when a turn passes to another loop gives it a clear run.

    A turn is handed to the next loop in line by waking that loop alone: waking every
    waiting loop to let each check whether it is next costs a GIL handover per loop and
    per turn, which with a class of jobs took more time than the training itself.
    """

    def __init__(self, length: float = TURN, pause: float = TURN_PAUSE) -> None:
        self.length = length
        self.pause = pause
        self._lock = threading.Lock()
        self._queue: deque[_Ticket] = deque()
        self._busy = False

    def take(
        self, give_up: Callable[[], bool] = lambda: False, alarm: threading.Event | None = None
    ) -> bool:
        """Wait for this thread's turn: True once it has it, False if give_up() came true.

        give_up is checked whenever `alarm` is set (a control channel sets it when a
        command arrives) and every TURN seconds without an alarm, so a command to a
        waiting loop is not held up behind the turns of every other loop.
        """
        with self._lock:
            if not self._busy and not self._queue:
                self._busy = True
                return True
            ticket = _Ticket(alarm or threading.Event())
            self._queue.append(ticket)
        poll = TURN if alarm is None else ALARM_POLL
        while True:
            ticket.alarm.wait(poll)
            with self._lock:
                ticket.alarm.clear()
                if ticket.granted:
                    return True
                if give_up():
                    self._queue.remove(ticket)
                    return False

    @property
    def waiting(self) -> bool:
        """Whether a loop is queued for a turn."""
        return bool(self._queue)

    def give_back(self) -> None:
        """End this thread's turn; the next in line takes it."""
        with self._lock:
            if not self._queue:
                self._busy = False
                return
            ticket = self._queue.popleft()
            ticket.granted = True  # the turn passes on without ever being free
            ticket.alarm.set()


class _Ticket:
    """A place in the line for a turn: `granted` once it is this loop's turn."""

    __slots__ = ("alarm", "granted")

    def __init__(self, alarm: threading.Event) -> None:
        self.alarm = alarm
        self.granted = False
