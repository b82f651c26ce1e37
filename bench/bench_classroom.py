"""A class on one server (a script, not a test): 30, 60, 100 learners at once, side by side.

    python bench/bench_classroom.py [--learners 30,60,100] [--workers 0,2] [--base URL]
                                    [--clickers 5] [--snoopers 3] [--seconds 90]

For each class size (and each `--workers`, default: the server's own, one worker process
per core) it starts `python -m app serve` on a free loopback port, with the per-client
bounds off (every learner comes from 127.0.0.1) and room for the whole class; or, with
`--base`, runs every class against a server already running there (another setup, e.g.
replicas behind a proxy; its memory is not measured then). Each learner does what the page
does: creates a job with the page's defaults (the lecture's run at speed 500), watches
it over a websocket, and steers it with the token its creation returned: changes the
learning rate, pauses, steps a few times and resumes, then watches to the end. The first
`--clickers` of them also click "new run" five times in a row first (each click stops the
old run and starts another). `--snoopers` of them also open others' shared links and click
everything: they watch (allowed), and try pause, stop, delete, a gradient check and a
wrong token over REST and the websocket (each must be refused, and change nothing). The
teacher's room (/ws/room, the admin's token) is open all along. Meanwhile another process
times GET /healthz (and before the class, idle, for the machine's own noise).

Prints, one column per class: the pace each viewer received (the iterations its viewer got
while its job ran at its pace, paused time and the steps left out, over that time x the
speed asked: median, worst learner and the class's total; goal >= 95% at 60 learners on 2
cores), latencies (goal: /healthz p99 < 50 ms), progress messages per viewer per second,
gaps in any viewer's costs (goal 0), every job's final status, what was refused, what the
room saw, the memory of the server and its worker processes, CPU time, and errors.

Bounded: at most 100 learners a class and 300 s; talks to 127.0.0.1 (or --base) only.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import re
import resource
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (
    ADMIN_TOKEN,
    cpu,
    machine_busy_seconds,
    quantile,
    serve,
    tree_cpu_seconds,
    tree_rss_mb,
    ws_url,
)

MAX_LEARNERS = 100
MAX_SECONDS = 300.0
FINAL = {"done", "stopped", "diverged", "failed", "interrupted"}
IDLE_SECONDS = 3.0  # /healthz timed before each class, on the idle server
PACE_GOAL = 0.95  # of the asked pace, at 60 learners on 2 cores
HEALTH_GOAL = 0.050  # /healthz p99, seconds
# Room on the server for the largest class: every learner's job trains at once, the jobs
# the clickers stopped are kept, and every viewer, snooper and the room has a socket.
CLASS_ENV = {
    "GRADLIVE_MAX_RUNNING_JOBS": str(2 * MAX_LEARNERS),
    "GRADLIVE_MAX_JOBS": str(6 * MAX_LEARNERS),
    "GRADLIVE_MAX_VIEWERS": str(4 * MAX_LEARNERS),
}

# The body the page posts for its defaults (static/js/controls.js), grid left to the server.
PAGE_CONFIG: dict[str, Any] = {
    "dataset": "flower",
    "n_samples": 400,
    "noise": 0.2,
    "test_fraction": 0,
    "data_seed": 1,
    "hidden_layers": [4],
    "activation": "tanh",
    "init": "course",
    "learning_rate": 1.2,
    "optimizer": "gd",
    "batch_size": None,
    "l2": 0,
    "iterations": 10_000,
    "seed": 2,
    "speed": 500,
    "start_paused": False,
}
SPEED = float(PAGE_CONFIG["speed"])
# A progress message begins with these members (app.jobs.stream), so a viewer counts its
# costs without parsing the boundary that follows.
PROGRESS_HEAD = re.compile(r'\{"type":"progress","first_iteration":(\d+),"iteration":(-?\d+),')


def health_latencies(
    base: str, seconds: float, token: str, over: Any = None
) -> tuple[list[float], int]:
    """GET /healthz every 50 ms on a kept-alive connection for `seconds` or until the
    event `over` is set: latencies (s) and failures."""
    latencies, errors = [], 0
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, timeout=10, headers=headers) as client:
        end = time.monotonic() + seconds
        while time.monotonic() < end and not (over and over.is_set()):
            start = time.perf_counter()
            try:
                client.get("/healthz").raise_for_status()
                latencies.append(time.perf_counter() - start)
            except httpx.HTTPError:
                errors += 1
            time.sleep(0.05)
    return latencies, errors


def _probe_health(base: str, seconds: float, token: str, over: Any, out: Any) -> None:
    """In its own process: health_latencies until the class is over, put on `out`."""
    out.put(health_latencies(base, seconds, token, over))


@dataclass
class Viewer:
    """What one websocket viewer received."""

    progress: int = 0
    costs: int = 0
    gaps: int = 0
    seconds: float = 0.0
    final: str = ""
    close_code: int | None = None
    paced_iterations: int = 0  # costs received while the job ran at its pace
    paced_seconds: float = 0.0  # how long it ran so, as this viewer saw it
    stretches: list[tuple[float, int]] = field(default_factory=list)  # (s, costs) of each

    @property
    def pace(self) -> float:
        """The iterations received at pace over those asked in that time."""
        if self.paced_seconds <= 0:
            return float("nan")
        return self.paced_iterations / (self.paced_seconds * SPEED)


@dataclass
class Tally:
    """Every learner's measurements."""

    token: str = ADMIN_TOKEN  # the admin's, for the room and the tidying up
    create: list[float] = field(default_factory=list)
    control: list[float] = field(default_factory=list)
    viewers: list[Viewer] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    jobs: list[str] = field(default_factory=list)  # every learner's job, as shared links
    created: list[str] = field(default_factory=list)  # and the clickers' first ones
    refused: int = 0  # another's action, refused as it must be
    let_through: Counter[str] = field(default_factory=Counter)  # another's action that worked
    room_messages: int = 0
    room_jobs: int = 0  # the most jobs one room message listed

    async def timed(self, kind: str, call: Any) -> httpx.Response | None:
        """A request, its latency filed under `kind`; None (and an error) when it failed."""
        start = time.perf_counter()
        try:
            response: httpx.Response = await call
        except httpx.HTTPError as error:
            self.errors[f"{kind}: {type(error).__name__}"] += 1
            return None
        (self.create if kind == "create" else self.control).append(time.perf_counter() - start)
        if response.is_error:
            self.errors[f"{kind}: HTTP {response.status_code}"] += 1
            return None
        if kind == "create":
            self.created.append(response.json()["id"])
        return response


class Pace:
    """A viewer's clock of its job's time at pace: every stretch of `running` counts but
    those between two pauses (the learner's steps), and the costs that arrived in them."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self.since: float | None = None  # when the current stretch of running began
        self.iterations = 0  # costs received in it
        self.paused_before = False

    def status(self, status: str, now: float) -> None:
        if status == "running":
            if self.since is None:
                self.since, self.iterations = now, 0
            return
        self.end(now, stepped=self.paused_before and status == "paused")
        self.paused_before = self.paused_before or status == "paused"

    def costs(self, count: int) -> None:
        if self.since is not None:
            self.iterations += count

    def end(self, now: float, stepped: bool = False) -> None:
        if self.since is not None and not stepped:
            self.viewer.paced_seconds += now - self.since
            self.viewer.paced_iterations += self.iterations
            self.viewer.stretches.append((now - self.since, self.iterations))
        self.since = None


async def watch(base: str, job_id: str, tally: Tally, deadline: float) -> None:
    """Follow one job to its end (or the deadline), checking every cost arrives in order
    and timing the stretches at pace."""
    viewer = Viewer()
    tally.viewers.append(viewer)
    pace = Pace(viewer)
    start = time.perf_counter()
    expected = 0
    try:
        async with websockets.connect(ws_url(base, job_id), max_size=None) as ws:
            while True:
                text = await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic()))
                now = time.perf_counter()
                head = PROGRESS_HEAD.match(str(text))
                if head:
                    first, last = int(head[1]), int(head[2])
                    viewer.progress += 1
                    viewer.gaps += first != expected
                    expected = last + 1
                    pace.costs(last + 1 - first)
                    continue
                message = json.loads(text)
                kind = message["type"]
                if kind == "snapshot":
                    expected = len(message["history"]["cost"])
                    pace.status(message["job"]["status"], now)
                elif kind == "progress":  # not as PROGRESS_HEAD expects: read it whole
                    viewer.progress += 1
                    viewer.gaps += message["first_iteration"] != expected
                    expected = message["first_iteration"] + len(message["cost"])
                    pace.costs(len(message["cost"]))
                elif kind == "status":
                    pace.status(message["status"], now)
                    if message["status"] in FINAL:
                        viewer.final = message["status"]
                elif kind == "error":
                    tally.errors[f"ws error: {message['detail'][:40]}"] += 1
    except websockets.ConnectionClosed as closed:
        viewer.close_code = closed.rcvd.code if closed.rcvd else None
        if viewer.close_code != 1000:
            tally.errors[f"ws closed {viewer.close_code}"] += 1
    except TimeoutError:
        viewer.final = viewer.final or "watching at the deadline"
    except (OSError, websockets.InvalidHandshake) as error:
        tally.errors[f"ws: {type(error).__name__}"] += 1
    pace.end(time.perf_counter())
    viewer.costs = expected
    viewer.seconds = time.perf_counter() - start


async def learner(
    base: str, number: int, clicker: bool, tally: Tally, deadline: float, seed: int
) -> None:
    """One learner's session: (clicks), create, watch, change alpha, pause/step/resume."""
    rng = random.Random(seed * 1000 + number)
    await asyncio.sleep(rng.uniform(0, 2))  # a class does not click in the same millisecond
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        if clicker:  # "new run" five times: each stops the old run and starts another
            previous = None
            for _ in range(5):
                if previous:
                    await tally.timed("control", _control(client, *previous, action="stop"))
                response = await tally.timed("create", client.post("/api/jobs", json=PAGE_CONFIG))
                previous = _job(response)
            if previous:
                await tally.timed("control", _control(client, *previous, action="stop"))
        response = await tally.timed("create", client.post("/api/jobs", json=PAGE_CONFIG))
        mine = _job(response)
        if mine is None:
            return
        tally.jobs.append(mine[0])
        watching = asyncio.create_task(watch(base, mine[0], tally, deadline))
        await asyncio.sleep(2 + rng.uniform(0, 1))
        await tally.timed("control", _control(client, *mine, action="set", learning_rate=0.6))
        await asyncio.sleep(2 + rng.uniform(0, 1))
        await tally.timed("control", _control(client, *mine, action="pause"))
        for _ in range(3):
            await asyncio.sleep(0.3)
            await tally.timed("control", _control(client, *mine, action="step", steps=5))
        await asyncio.sleep(0.5)
        await tally.timed("control", _control(client, *mine, action="resume"))
        await watching


def _job(response: httpx.Response | None) -> tuple[str, str] | None:
    """(id, token) of a job just created, or None."""
    return (response.json()["id"], response.json()["token"]) if response else None


def _control(client: httpx.AsyncClient, job_id: str, token: str, **body: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"}
    return client.post(f"/api/jobs/{job_id}/control", json=body, headers=headers)


async def snooper(base: str, number: int, tally: Tally, deadline: float, seed: int) -> None:
    """Open three others' shared links and click everything: only watching may work."""
    rng = random.Random(seed * 1000 + 500 + number)
    while len(tally.jobs) < 3 and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    wrong = {"Authorization": "Bearer not-their-token"}
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        for job_id in rng.sample(tally.jobs, min(3, len(tally.jobs))):
            if (await client.get(f"/api/jobs/{job_id}")).status_code != 200:
                tally.errors["a shared link could not be watched"] += 1
            attempts = {
                "REST pause": _control(client, job_id, "not-their-token", action="pause"),
                "REST stop": client.post(f"/api/jobs/{job_id}/control", json={"action": "stop"}),
                "REST delete": client.delete(f"/api/jobs/{job_id}"),
                "REST gradcheck": client.post(f"/api/jobs/{job_id}/gradcheck", headers=wrong),
            }
            for action, call in attempts.items():
                response = await call
                if response.status_code == 403:
                    tally.refused += 1
                else:
                    tally.let_through[f"{action}: HTTP {response.status_code}"] += 1
            await _snoop_socket(base, job_id, tally)


async def _snoop_socket(base: str, job_id: str, tally: Tally) -> None:
    """On another's websocket: a control without auth, and with a wrong token.

    Each must be answered with an `error`; a `paused` status proves nothing (the job's
    owner pauses it too), so only a missing refusal counts as let through."""
    async with websockets.connect(ws_url(base, job_id), max_size=None) as ws:
        for attempt in ({"action": "pause"}, {"action": "auth", "token": "not-their-token"}):
            await ws.send(json.dumps(attempt))
            try:
                await asyncio.wait_for(_refusal(ws), 10)
                tally.refused += 1
            except TimeoutError:
                tally.let_through[f"websocket {attempt['action']}: no refusal in 10 s"] += 1


async def _refusal(ws: Any) -> None:
    """Read the socket until an `error` arrives."""
    while True:
        text = str(await ws.recv())
        if not PROGRESS_HEAD.match(text) and json.loads(text)["type"] == "error":
            return


async def teacher(base: str, tally: Tally, done: asyncio.Event) -> None:
    """The teacher's room, open until the class is over: its messages and jobs listed."""
    async with websockets.connect(base.replace("http://", "ws://") + "/ws/room") as ws:
        await ws.send(json.dumps({"action": "auth", "token": tally.token}))
        while not done.is_set():
            try:
                message = json.loads(await asyncio.wait_for(ws.recv(), 1))
            except TimeoutError:
                continue
            if message["type"] != "room":
                tally.errors[f"room: {message.get('detail', message['type'])[:40]}"] += 1
                return
            tally.room_messages += 1
            tally.room_jobs = max(tally.room_jobs, len(message["jobs"]))


async def classroom(
    bases: str, learners: int, clickers: int, snoopers: int, seconds: float, token: str
) -> Tally:
    """The class on the server at `bases` (replicas, comma-separated: dealt in turn)."""
    tally = Tally(token=token)
    deadline = time.monotonic() + seconds
    done = asyncio.Event()
    at = bases.split(",")
    room = asyncio.create_task(teacher(at[0], tally, done))
    tasks = [
        learner(at[i % len(at)], i, i < clickers, tally, deadline, seed=1) for i in range(learners)
    ]
    tasks += [snooper(at[-1 - i % len(at)], i, tally, deadline, seed=1) for i in range(snoopers)]
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), seconds + 30)
    except TimeoutError:
        tally.errors["learners still busy at the time limit"] += 1
    done.set()
    await room
    return tally


@contextmanager
def peak_rss(pid: int | None) -> Iterator[list[float]]:
    """The most memory the server's process tree held while inside, sampled every 0.5 s
    from another thread: a one-item list, filled on the way out (empty without a pid)."""

    peak: list[float] = []
    stop = threading.Event()

    def sample() -> None:
        most = 0.0
        while not stop.wait(0.5):
            most = max(most, tree_rss_mb(pid or 0))
        peak.append(most)

    sampler = threading.Thread(target=sample, daemon=True) if pid else None
    if sampler:
        sampler.start()
    try:
        yield peak
    finally:
        stop.set()
        if sampler:
            sampler.join(5)


def run_class(
    base: str,
    pid: int | None,
    learners: int,
    args: argparse.Namespace,
    log: Path | None,
) -> dict[str, str]:
    """One class on the server at `base` (its process `pid`, None: not ours to measure):
    its column of the table, measure by measure. `base` may list several replicas of one
    service, comma-separated: the learners are dealt to them in turn, /healthz is timed on
    the first."""
    bases, base = base, base.split(",")[0]
    token = args.admin_token
    admin = {"Authorization": f"Bearer {token}"}
    httpx.get(f"{base}/").raise_for_status()  # templates loaded, as after a first visit
    idle, _ = health_latencies(base, IDLE_SECONDS, token)
    rss_before = tree_rss_mb(pid) if pid else float("nan")
    seconds = max(5.0, min(args.seconds, MAX_SECONDS))
    results: Any = multiprocessing.Queue()
    over = multiprocessing.Event()  # the class is over: /healthz is no longer timed
    prober = multiprocessing.Process(
        target=_probe_health, args=(base, seconds + 30, token, over, results)
    )
    prober.start()
    cpu_start = resource.getrusage(resource.RUSAGE_SELF)
    nothing = (float("nan"), float("nan"))
    cpu_before = tree_cpu_seconds(pid) if pid else nothing
    busy = machine_busy_seconds()
    start = time.monotonic()
    clickers, snoopers = min(args.clickers, learners), min(args.snoopers, learners)
    with peak_rss(pid) as peak:
        tally = asyncio.run(classroom(bases, learners, clickers, snoopers, seconds, token))
    elapsed = time.monotonic() - start
    over.set()
    cpu_end = resource.getrusage(resource.RUSAGE_SELF)
    cpu_after = tree_cpu_seconds(pid) if pid else nothing
    busy = machine_busy_seconds() - busy
    server_cpu, workers_cpu = (
        after - before for after, before in zip(cpu_after, cpu_before, strict=True)
    )
    latencies, health_errors = results.get(timeout=seconds + 60)
    prober.join(10)
    rss_after = tree_rss_mb(pid) if pid else float("nan")
    with httpx.Client(base_url=base, headers=admin, timeout=30) as client:
        statuses = Counter(
            response.json()["status"]
            if response.status_code == 200
            else f"HTTP {response.status_code}"
            for response in (client.get(f"/api/jobs/{job_id}") for job_id in tally.created)
        )
        if args.base:  # another's server: leave it as it was
            for job_id in tally.created:
                client.delete(f"/api/jobs/{job_id}")
    server_log = log.read_text() if log else ""

    client_cpu = (cpu_end.ru_utime - cpu_start.ru_utime) + (cpu_end.ru_stime - cpu_start.ru_stime)
    viewers = [v for v in tally.viewers if v.seconds > 0]
    rates = [v.progress / v.seconds for v in viewers]
    finals = Counter(v.final or "no final status" for v in viewers)
    paced = [v for v in viewers if v.paced_seconds > 0]
    paces = [v.pace for v in paced]
    firsts = [_share(v.stretches[0]) for v in paced]
    lasts = [_share(v.stretches[-1]) for v in paced if len(v.stretches) > 1]
    asked = sum(v.paced_seconds * SPEED for v in paced)
    total = sum(v.paced_iterations for v in paced) / asked if asked else float("nan")
    total_rate = sum(v.paced_iterations / v.paced_seconds for v in paced)
    if health_errors:
        tally.errors["healthz failed"] += health_errors
    if "Traceback" in server_log:
        tally.errors["server tracebacks"] += server_log.count("Traceback")
    memory = (
        f"{rss_before:.0f} / {peak[0] if peak else float('nan'):.0f} / {rss_after:.0f} MB"
        if pid
        else "not measured (--base: another setup)"
    )
    column = {
        "learners (clickers, snoopers)": f"{learners} ({clickers}, {snoopers})",
        "pace received: median / worst learner": (
            f"{quantile(paces, 0.5):.1%} / {min(paces, default=float('nan')):.1%}"
        ),
        "pace received: the class in all": (
            f"{total:.1%} ({total_rate:,.0f} of {len(paced) * SPEED:,.0f} it/s)"
        ),
        "pace: before the pause / after it, median (worst)": (
            f"{quantile(firsts, 0.5):.1%} ({min(firsts, default=float('nan')):.1%}) / "
            f"{quantile(lasts, 0.5):.1%} ({min(lasts, default=float('nan')):.1%})"
        ),
        "viewers timed at pace / all": f"{len(paced)} / {len(viewers)}",
        "GET /healthz idle p50 / p99": _ms(idle, 0.5, 0.99),
        "GET /healthz in class p50 / p99 / max": _ms(latencies, 0.5, 0.99, 1.0),
        "POST /api/jobs p50 / p99 / max": _ms(tally.create, 0.5, 0.99, 1.0),
        "POST control p50 / p99 / max": _ms(tally.control, 0.5, 0.99, 1.0),
        "progress msgs/s per viewer p50 / min": (
            f"{quantile(rates, 0.5):.1f} / {min(rates, default=0):.1f}"
        ),
        "viewers: gaps in costs": str(sum(v.gaps for v in viewers)),
        "viewers: final statuses": _counts(finals),
        "jobs' final statuses (server)": _counts(statuses),
        "others' actions: refused / let through": (
            f"{tally.refused} / {sum(tally.let_through.values())}"
        ),
        "teacher's room: msgs/s, most jobs listed": (
            f"{tally.room_messages / elapsed:.1f}, {tally.room_jobs}"
        ),
        "server + workers RSS before / peak / after": memory,
        "CPU s: server / its workers / learners": (
            f"{server_cpu:.1f} / {workers_cpu:.1f} / {client_cpu:.1f}"
            if pid
            else f"not measured (--base) / {client_cpu:.1f}"
        ),
        "CPU s: all else (with the prober) / machine": (
            f"{busy - server_cpu - workers_cpu - client_cpu:.1f} / {busy:.1f}"
            if pid
            else f"{busy - client_cpu:.1f} (the server too) / {busy:.1f}"
        ),
        "class wall time": f"{elapsed:.1f} s",
        "errors": _counts(tally.errors + tally.let_through) or "none",
    }
    return column


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", default="30", help="class sizes, e.g. 30,60,100")
    parser.add_argument(
        "--workers",
        default="",
        help="the server's --workers, e.g. 0,2 (a column each); default: the server's own",
    )
    parser.add_argument(
        "--base",
        default="",
        help="a running server's URL (or its replicas', comma-separated): no server started",
    )
    parser.add_argument(
        "--admin-token", default=ADMIN_TOKEN, help="that server's GRADLIVE_ADMIN_TOKEN"
    )
    parser.add_argument("--clickers", type=int, default=5, help="learners who click new run x5")
    parser.add_argument(
        "--snoopers", type=int, default=3, help="learners who click on others' runs"
    )
    parser.add_argument("--seconds", type=float, default=90.0, help="time limit of a class")
    args = parser.parse_args()
    sizes = [int(n) for n in args.learners.split(",")]
    if not all(1 <= n <= MAX_LEARNERS for n in sizes):
        parser.error(f"1-{MAX_LEARNERS} learners a class")
    workers: list[int | None] = [int(n) for n in args.workers.split(",") if n.strip()] or [None]
    if args.base and args.workers:
        parser.error("--workers starts servers of its own: not with --base")
    args.base = ",".join(url.rstrip("/") for url in args.base.split(",") if url)

    print(f"CPU: {cpu()}; python {sys.version.split()[0]}; load average {_load()}")
    print(f"jobs: the page's defaults ({PAGE_CONFIG['iterations']:,} iterations at {SPEED:g} it/s)")
    columns: list[tuple[str, dict[str, str]]] = []
    for count in workers:
        for learners in sizes:
            if args.base:
                columns.append((args.base, run_class(args.base, None, learners, args, None)))
                continue
            label = f"--workers {count}" if count is not None else f"workers: default ({_cores()})"
            with tempfile.TemporaryDirectory() as tmp:
                log = Path(tmp) / "serve.log"
                with (
                    log.open("w") as serve_log,
                    serve(serve_log, workers=count, env=CLASS_ENV) as (
                        base,
                        pid,
                    ),
                ):
                    columns.append((label, run_class(base, pid, learners, args, log)))
            print(f"({label}, {learners} learners: done; load average {_load()})", flush=True)

    names = list(columns[0][1])
    print()
    print("| measure | " + " | ".join(label for label, _ in columns) + " |")
    print("| --- |" + " --- |" * len(columns))
    for name in names:
        print(f"| {name} | " + " | ".join(column[name] for _, column in columns) + " |")
    print(
        f"Goals: pace >= {PACE_GOAL:.0%} at 60 learners on 2 cores; /healthz p99 < "
        f"{1000 * HEALTH_GOAL:.0f} ms; no gaps. The idle /healthz says how quiet the machine was."
    )


def _share(stretch: tuple[float, int]) -> float:
    """A stretch's costs received over those asked in its time."""
    seconds, iterations = stretch
    return iterations / (seconds * SPEED) if seconds > 0 else float("nan")


def _ms(values: list[float], *qs: float) -> str:
    return " / ".join(f"{1000 * quantile(values, q):.1f}" for q in qs) + " ms"


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{kind} {n}" for kind, n in counter.most_common())


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


if __name__ == "__main__":
    main()
