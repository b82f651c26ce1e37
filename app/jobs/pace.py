"""When a training loop may run its next iterations: its pace, and its turn.

`Pacer` keeps a loop at `speed` iterations per second on average. `Turns` lets the
training threads of one process train one at a time, each for an equal share of the time
(see there for why).
"""

import math
import threading
import time
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
# A loop that comes to the turns (new, resumed, back from a nap) counts as having held
# them at most this many seconds less than the least served of the others: enough to be
# served next, too little to keep the turn long. Counted from zero instead, a new job took
# the turns for a second while the others waited.
CATCH_UP = 2 * TURN
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


class Share:
    """One loop's share of the turns: how long it has held them, and how to wake it.

    `alarm` is the loop's control alarm (set when a command comes), so a loop waiting for
    a turn wakes for commands too; without one it looks every TURN seconds.
    """

    __slots__ = ("alarm", "granted", "polls", "used")

    def __init__(self, alarm: threading.Event | None = None) -> None:
        self.alarm = alarm or threading.Event()
        self.polls = alarm is None
        self.granted = False  # this loop holds the turn
        self.used = 0.0  # seconds of turns held (see Turns for how it is counted)


class Turns:
    """Training loops take turns: one trains at a time, for at most `length` seconds.

    Python runs one thread's bytecode at a time (the GIL). Loops that all train at once
    fight over it, and the event loop, which needs it back after every socket call,
    queues behind each of them. Taking turns leaves it one rival, and the short `pause`
    when a turn passes to another loop gives it a clear run.

    Turns are fair by time, not by count: each turn goes to the waiting loop that has held
    the turns least, however long each turn took (painting a frame overruns one), and a
    loop whose turn is over competes for the next one as it stands. A loop that comes to
    the turns starts no further behind than CATCH_UP: what it did not use while it was
    away (paused, napping, not yet started) is not owed to it. Loops that always want to
    train then share the time equally, and a paced loop that needs less than its share is
    served as soon as the turn ends, instead of behind every other loop as it was first
    come, first served.

    A turn is handed to the chosen loop by waking that loop alone: waking every waiting
    loop to let each check whether it is next costs a GIL handover per loop and per turn,
    which with a class of jobs took more time than the training itself.
    """

    def __init__(
        self,
        length: float = TURN,
        pause: float = TURN_PAUSE,
        catch_up: float = CATCH_UP,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.length = length
        self.pause = pause
        self.catch_up = catch_up
        self.clock = clock
        self._lock = threading.Lock()
        self._waiting: list[Share] = []  # in the order they came: first come wins a tie
        self._holder: Share | None = None
        self._since = 0.0  # when the holder got the turn
        self._least = 0.0  # the `used` of the last loop chosen; it never goes down

    def request(self, share: Share) -> bool:
        """Ask for a turn without waiting: True if this loop holds it now, otherwise queued.

        A loop that holds the turn asks for the next one: its turn ends (charged to its
        share) and the next goes to whichever loop held the turns least, this one included.
        """
        with self._lock:
            if share is self._holder:
                self._waiting.append(share)
                self._pass_on(share)
                return share.granted
            share.used = max(share.used, self._least - self.catch_up)
            if self._holder is None and not self._waiting:
                self._grant(share, self.clock())
                return True
            share.granted = False
            self._waiting.append(share)
            return False

    def take(self, share: Share, give_up: Callable[[], bool] = lambda: False) -> bool:
        """Wait for a turn: True once this loop holds it, False if give_up() came true.

        give_up is checked whenever the share's alarm is set (a control channel sets it
        when a command arrives) and every ALARM_POLL seconds, so a command to a waiting
        loop is not held up behind the turns of every other loop.
        """
        passing = share is self._holder
        if self.request(share):
            return True
        if passing:
            time.sleep(self.pause)
        poll = TURN if share.polls else ALARM_POLL
        while True:
            share.alarm.wait(poll)
            with self._lock:
                share.alarm.clear()
                if share.granted:
                    return True
                if give_up():
                    self._waiting.remove(share)
                    return False

    @property
    def waiting(self) -> bool:
        """Whether a loop is queued for a turn."""
        return bool(self._waiting)

    def give_back(self, share: Share) -> None:
        """End this loop's turn, charged to its share; the least served waiting loop gets it."""
        with self._lock:
            if share is self._holder:
                self._pass_on(share)

    def _pass_on(self, share: Share) -> None:
        now = self.clock()
        share.used += now - self._since
        share.granted = False
        self._holder = None
        if self._waiting:
            chosen = min(self._waiting, key=lambda s: s.used)
            self._least = max(self._least, chosen.used)
            self._waiting.remove(chosen)
            self._grant(chosen, now)  # the turn passes on without ever being free
            if chosen is not share:
                chosen.alarm.set()

    def _grant(self, share: Share, now: float) -> None:
        share.granted = True
        self._holder, self._since = share, now
