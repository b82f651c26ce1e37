"""A class on one server (a script, not a test): 30 learners at once, then a table.

    python bench/bench_classroom.py [--learners 30] [--clickers 5] [--snoopers 3] [--seconds 60]

Starts `python -m app serve` on a free loopback port. Each learner does what the page
does: creates a job with the page's defaults (the lecture's run at speed 500), watches
it over a websocket, and steers it with the token its creation returned: changes the
learning rate, pauses, steps a few times and resumes, then watches to the end. The first
`--clickers` of them also click "new run" five times in a row first (each click stops the
old run and starts another). `--snoopers` of them also open others' shared links and click
everything: they watch (allowed), and try pause, stop, delete, a gradient check and a
wrong token over REST and the websocket (each must be refused, and change nothing). The
teacher's room (/ws/room, the admin's token) is open all along. Meanwhile another process
times GET /healthz. Prints latencies, progress messages per viewer per second, what was
refused, what the room saw, the server's memory before and after, and every error seen.

Bounded: at most 100 learners and 300 s; talks to 127.0.0.1 only.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import ADMIN, ADMIN_TOKEN, quantile, serve, ws_url

MAX_LEARNERS = 100
MAX_SECONDS = 300.0
FINAL = {"done", "stopped", "diverged", "failed"}

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


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used, in seconds (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _probe_health(base: str, seconds: float, out: Any) -> None:
    """In its own process: GET /healthz every 50 ms on a kept-alive connection."""
    latencies, errors = [], 0
    with httpx.Client(base_url=base, timeout=10, headers=ADMIN) as client:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            start = time.perf_counter()
            try:
                client.get("/healthz").raise_for_status()
                latencies.append(time.perf_counter() - start)
            except httpx.HTTPError:
                errors += 1
            time.sleep(0.05)
    out.put((latencies, errors))


@dataclass
class Viewer:
    """What one websocket viewer received."""

    progress: int = 0
    costs: int = 0
    gaps: int = 0
    seconds: float = 0.0
    final: str = ""
    close_code: int | None = None


@dataclass
class Tally:
    """Every learner's measurements."""

    create: list[float] = field(default_factory=list)
    control: list[float] = field(default_factory=list)
    viewers: list[Viewer] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    jobs: list[str] = field(default_factory=list)  # every learner's job, as shared links
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
        return response


async def watch(base: str, job_id: str, tally: Tally, deadline: float) -> None:
    """Follow one job to its end (or the deadline), checking every cost arrives in order."""
    viewer = Viewer()
    tally.viewers.append(viewer)
    start = time.perf_counter()
    expected = 0
    try:
        async with websockets.connect(ws_url(base, job_id), max_size=None) as ws:
            while True:
                text = await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic()))
                message = json.loads(text)
                kind = message["type"]
                if kind == "snapshot":
                    expected = len(message["history"]["cost"])
                elif kind == "progress":
                    viewer.progress += 1
                    viewer.gaps += message["first_iteration"] != expected
                    expected = message["first_iteration"] + len(message["cost"])
                elif kind == "status" and message["status"] in FINAL:
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
    """On another's websocket: a control without auth, and with a wrong token."""
    async with websockets.connect(ws_url(base, job_id), max_size=None) as ws:
        for attempt in ({"action": "pause"}, {"action": "auth", "token": "not-their-token"}):
            await ws.send(json.dumps(attempt))
            while True:
                message = json.loads(await asyncio.wait_for(ws.recv(), 10))
                if message["type"] == "error":
                    tally.refused += 1
                    break
                if message["type"] == "status" and message["status"] == "paused":
                    tally.let_through["websocket pause"] += 1
                    break


async def teacher(base: str, tally: Tally, done: asyncio.Event) -> None:
    """The teacher's room, open until the class is over: its messages and jobs listed."""
    async with websockets.connect(base.replace("http://", "ws://") + "/ws/room") as ws:
        await ws.send(json.dumps({"action": "auth", "token": ADMIN_TOKEN}))
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
    base: str, learners: int, clickers: int, snoopers: int, seconds: float
) -> Tally:
    tally = Tally()
    deadline = time.monotonic() + seconds
    done = asyncio.Event()
    room = asyncio.create_task(teacher(base, tally, done))
    tasks = [learner(base, i, i < clickers, tally, deadline, seed=1) for i in range(learners)]
    tasks += [snooper(base, i, tally, deadline, seed=1) for i in range(snoopers)]
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), seconds + 30)
    except TimeoutError:
        tally.errors["learners still busy at the time limit"] += 1
    done.set()
    await room
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--clickers", type=int, default=5, help="learners who click new run x5")
    parser.add_argument(
        "--snoopers", type=int, default=3, help="learners who click on others' runs"
    )
    parser.add_argument("--seconds", type=float, default=60.0, help="time limit of the class")
    args = parser.parse_args()
    learners = max(1, min(args.learners, MAX_LEARNERS))
    seconds = max(5.0, min(args.seconds, MAX_SECONDS))

    with (
        tempfile.TemporaryDirectory() as tmp,
        (Path(tmp) / "serve.log").open("w") as serve_log,
        serve(serve_log) as (base, pid),
    ):
        httpx.get(f"{base}/").raise_for_status()  # templates loaded, as after a first visit
        rss_before = rss_mb(pid)
        results: Any = multiprocessing.Queue()
        prober = multiprocessing.Process(target=_probe_health, args=(base, seconds, results))
        prober.start()
        cpu_start = resource.getrusage(resource.RUSAGE_SELF)
        server_cpu = cpu_seconds(pid)
        start = time.monotonic()
        clickers, snoopers = min(args.clickers, learners), min(args.snoopers, learners)
        tally = asyncio.run(classroom(base, learners, clickers, snoopers, seconds))
        elapsed = time.monotonic() - start
        cpu_end = resource.getrusage(resource.RUSAGE_SELF)
        server_cpu = cpu_seconds(pid) - server_cpu
        latencies, health_errors = results.get(timeout=seconds + 60)
        prober.join(10)
        rss_after = rss_mb(pid)
        jobs = httpx.get(f"{base}/api/jobs", headers=ADMIN).json()
        log = (Path(tmp) / "serve.log").read_text()

    client_cpu = (cpu_end.ru_utime - cpu_start.ru_utime) + (cpu_end.ru_stime - cpu_start.ru_stime)
    viewers = [v for v in tally.viewers if v.seconds > 0]
    rates = [v.progress / v.seconds for v in viewers]
    finals = Counter(v.final or "no final status" for v in viewers)
    if health_errors:
        tally.errors["healthz failed"] += health_errors
    if "Traceback" in log:
        tally.errors["server tracebacks"] += log.count("Traceback")

    rows = [
        ("learners (clickers)", f"{learners} ({min(args.clickers, learners)})"),
        ("GET /healthz p50 / p99 / max", _ms(latencies, 0.5, 0.99, 1.0)),
        ("POST /api/jobs p50 / p99 / max", _ms(tally.create, 0.5, 0.99, 1.0)),
        ("POST control p50 / p99 / max", _ms(tally.control, 0.5, 0.99, 1.0)),
        (
            "progress msgs/s per viewer p50 / min",
            f"{quantile(rates, 0.5):.1f} / {min(rates, default=0):.1f}",
        ),
        ("viewers: gaps in costs", str(sum(v.gaps for v in viewers))),
        ("viewers: final statuses", ", ".join(f"{k} {n}" for k, n in sorted(finals.items()))),
        ("jobs kept at the end", str(len(jobs))),
        (
            "others' actions: refused / let through",
            f"{tally.refused} / {sum(tally.let_through.values())}",
        ),
        (
            "teacher's room: messages/s, most jobs listed",
            f"{tally.room_messages / elapsed:.1f}, {tally.room_jobs}",
        ),
        ("server RSS before / after", f"{rss_before:.0f} MB / {rss_after:.0f} MB"),
        ("class wall time", f"{elapsed:.1f} s"),
        ("CPU used: server / learners", f"{server_cpu:.1f} s / {client_cpu:.1f} s"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print("errors:" if tally.errors else "errors: none")
    for kind, count in (tally.errors + tally.let_through).most_common():
        print(f"  {count:5d}  {kind}")
    print(f"(cpus: {os.cpu_count()}, python {sys.version.split()[0]})")


def _ms(values: list[float], *qs: float) -> str:
    return " / ".join(f"{1000 * quantile(values, q):.1f}" for q in qs) + " ms"


if __name__ == "__main__":
    main()
