"""The distributed mode on this one machine (a script, not a test): what the broker adds.

    python bench/bench_distributed.py [--jobs 10] [--seconds 20] [--learners 30]

Starts a redis-server (Debian's) on a free loopback port, two `gradlive serve` replicas
and two `gradlive worker` processes, as compose.yaml does (without the proxy: the
learners are dealt to the replicas in turn, as the proxy's cookie would).

1. The latency the broker adds: `--jobs` jobs at the page's speed (500 it/s), made through
   replica A and each watched over a websocket through replica B. A reader of Redis in
   this process sees each frame arrive in its job's stream; the viewer's receipt of the
   message that starts with that frame, minus that arrival, is what the broker path adds
   (the replica's reader, its log, the websocket). Prints p50/p99/max per message.
2. With `--learners N`, the classroom benchmark (bench/bench_classroom.py) against the two
   replicas, then against a single-process `gradlive serve` on the same machine, one
   after the other in this run.

Bounded: at most 50 jobs and 120 s; talks to 127.0.0.1 only.
"""

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import redis
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.jobs import broker
from app.jobs.workers import APPEND
from bench.harness import (
    ADMIN,
    HOST,
    ROOT,
    cpu,
    free_port,
    quantile,
    serve,
    tree_cpu_seconds,
    ws_url,
)

MAX_JOBS = 50
MAX_SECONDS = 120.0


@dataclass
class Setup:
    """The running setup: the broker's URL, the replicas' URLs, each process's pid."""

    url: str
    bases: list[str]
    pids: dict[str, int] = field(default_factory=dict)

    def cpu(self) -> dict[str, float]:
        return {name: sum(tree_cpu_seconds(pid)) for name, pid in self.pids.items()}


@contextlib.contextmanager
def redis_server(folder: Path, pids: dict[str, int]) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    command = [binary, "--port", str(port), "--bind", HOST, "--save", "", "--dir", str(folder)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pids["redis"] = process.pid
    url = f"redis://{HOST}:{port}/0"
    client: Any = redis.Redis.from_url(url)
    try:
        _wait(lambda: _pings(client), "redis-server")
        yield url
    finally:
        client.close()
        process.terminate()
        process.wait(15)


def _pings(client: Any) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


def _wait(condition: Any, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.05)


@contextlib.contextmanager
def process(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    with log.open("wb") as out:
        environment = {**os.environ, **env}
        child = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=out, stderr=out)
    try:
        yield child
    finally:
        child.terminate()
        try:
            child.wait(15)
        except subprocess.TimeoutExpired:
            child.kill()


@contextlib.contextmanager
def replica(folder: Path, env: dict[str, str], pids: dict[str, int], name: str) -> Iterator[str]:
    """`gradlive serve` (bench.harness.serve) with `env`, logging to folder; its pid kept."""
    with (folder / f"serve-{name}.log").open("w") as log, serve(log, env=env) as (base, pid):
        pids[name] = pid
        yield base


@contextlib.contextmanager
def cluster(folder: Path) -> Iterator[Setup]:
    """Redis, two replicas and two workers."""
    pids: dict[str, int] = {}
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(redis_server(folder, pids))
        env = {"GRADLIVE_BROKER_URL": url, "GRADLIVE_MAX_RUNNING_JOBS": "200"}
        env["GRADLIVE_MAX_JOBS"] = "400"
        bases = [stack.enter_context(replica(folder, env, pids, n)) for n in ("A", "B")]
        client: Any = stack.enter_context(contextlib.closing(redis.Redis.from_url(url)))
        for name in ("w1", "w2"):
            command = [sys.executable, "-m", "app", "worker", "--name", name, "--jobs", "64"]
            pids[name] = stack.enter_context(process(command, env, folder / f"{name}.log")).pid
            _wait(lambda n=name: client.exists(broker.worker_key(n)), f"worker {name}")
        yield Setup(url, bases, pids)


class Arrivals(threading.Thread):
    """Reads the jobs' log streams as the workers write them: when each frame arrived."""

    def __init__(self, url: str, job_ids: list[str]) -> None:
        super().__init__(daemon=True)
        self.client: Any = redis.Redis.from_url(url)
        self.at: dict[tuple[str, int], float] = {}
        self.read_to = {broker.job_key(j, broker.LOG): "0-0" for j in job_ids}
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            for key, entries in self.client.xread(self.read_to, block=100) or []:
                now = time.monotonic()
                job_id, _ = broker.job_of(key)
                for entry_id, fields in entries:
                    self.read_to[key.decode()] = entry_id.decode()
                    message = broker.message(fields)
                    if message[0] == APPEND:
                        self.at[(job_id, message[1])] = now


async def _view(base: str, job_id: str, seconds: float) -> list[tuple[int, float]]:
    """(first_iteration, receipt time) of each progress message, for `seconds`."""
    received = []
    deadline = time.monotonic() + seconds
    async with websockets.connect(ws_url(base, job_id), max_size=None) as ws:
        while (left := deadline - time.monotonic()) > 0:
            try:
                text = await asyncio.wait_for(ws.recv(), left)
            except TimeoutError:
                break
            message = json.loads(text)
            if message["type"] == "progress":
                received.append((message["first_iteration"], time.monotonic()))
    return received


def latency(setup: Setup, jobs: int, seconds: float) -> dict[str, float]:
    """The broker path's delay per message, and what each process and Redis spent on it."""
    url, (a, b) = setup.url, setup.bases
    client: Any = redis.Redis.from_url(url)
    body = {"iterations": 100_000, "speed": 500}
    ids = [httpx.post(f"{a}/api/jobs", json=body, headers=ADMIN).json()["id"] for _ in range(jobs)]
    arrivals = Arrivals(url, ids)
    arrivals.start()
    stats, cpu, start = client.info("stats"), setup.cpu(), time.monotonic()

    async def view_all() -> list[list[tuple[int, float]]]:
        return await asyncio.gather(*(_view(b, job_id, seconds) for job_id in ids))

    seen = asyncio.run(view_all())
    elapsed = time.monotonic() - start
    spent = {name: (t - cpu[name]) / elapsed for name, t in setup.cpu().items()}
    after = client.info("stats")
    client.close()
    arrivals.stopped.set()
    arrivals.join(5)
    delays = [
        receipt - arrivals.at[(job_id, first)]
        for job_id, messages in zip(ids, seen, strict=True)
        for first, receipt in messages[1:]  # the first may hold frames from before it joined
        if (job_id, first) in arrivals.at
    ]
    for job_id in ids:
        httpx.delete(f"{a}/api/jobs/{job_id}", headers=ADMIN)
    ops = (after["total_commands_processed"] - stats["total_commands_processed"]) / elapsed
    bytes_in = (after["total_net_input_bytes"] - stats["total_net_input_bytes"]) / elapsed
    bytes_out = (after["total_net_output_bytes"] - stats["total_net_output_bytes"]) / elapsed
    return {
        **{f"cpu_{name}": share for name, share in spent.items()},
        "redis_ops": ops,
        "redis_in_mb": bytes_in / 1e6,
        "redis_out_mb": bytes_out / 1e6,
        "messages": len(delays),
        "p50_ms": 1000 * quantile(delays, 0.5),
        "p99_ms": 1000 * quantile(delays, 0.99),
        "max_ms": 1000 * max(delays),
    }


def classroom(bases: list[str], learners: int) -> str:
    """bench_classroom.py's table against these servers (its own process)."""
    command = [sys.executable, "bench/bench_classroom.py", "--learners", str(learners)]
    command += ["--base", ",".join(bases)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    return result.stdout + result.stderr[-2000:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10, help="jobs watched for the latency")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--learners", type=int, default=0, help="also run the classroom")
    args = parser.parse_args()
    jobs = max(1, min(args.jobs, MAX_JOBS))
    seconds = max(5.0, min(args.seconds, MAX_SECONDS))
    print(f"CPU: {cpu()}")
    with tempfile.TemporaryDirectory(prefix="gradlive-dist-") as tmp:
        with cluster(Path(tmp)) as setup:
            figures = latency(setup, jobs, seconds)
            print(
                f"broker latency, {jobs} jobs at 500 it/s made on A, watched on B, {seconds:g} s: "
                f"{figures['messages']} messages, p50 {figures['p50_ms']:.1f} ms, "
                f"p99 {figures['p99_ms']:.1f} ms, max {figures['max_ms']:.1f} ms"
            )
            shares = ", ".join(f"{n} {100 * figures[f'cpu_{n}']:.0f}%" for n in setup.pids)
            print(f"CPU (share of one core): {shares}")
            print(
                f"Redis: {figures['redis_ops']:.0f} commands/s, "
                f"{figures['redis_in_mb']:.2f} MB/s in, {figures['redis_out_mb']:.2f} MB/s out"
            )
            if args.learners:
                print(f"\n== classroom, {args.learners} learners: 2 replicas, 2 workers, Redis")
                print(classroom(setup.bases, args.learners))
        if args.learners:
            with replica(Path(tmp), {}, {}, "single") as single:
                print(f"\n== classroom, {args.learners} learners: one `gradlive serve`")
                print(classroom([single], args.learners))


if __name__ == "__main__":
    main()
