"""What the server benchmarks share: the real server on a free loopback port, and helpers."""

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # benchmarks talk to this machine only
# Every simulated learner comes from this one loopback address, so the server is started
# without per-client bounds; the benchmarks steer and tidy up with the admin's token.
ADMIN_TOKEN = "bench-admin-token"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
ENV = {
    "GRADLIVE_ADMIN_TOKEN": ADMIN_TOKEN,
    "GRADLIVE_MAX_ACTIVE_JOBS_PER_CLIENT": "0",
    "GRADLIVE_MAX_JOBS_PER_CLIENT": "0",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(log: IO[str] | None = None) -> Iterator[tuple[str, int]]:
    """`python -m app serve` on a free port, output to `log` (or dropped); yields (URL, pid).

    Its runs are kept in a data dir of its own, removed afterwards: a benchmark's jobs
    neither land among the user's runs nor meet old ones."""
    port = free_port()
    data = tempfile.TemporaryDirectory(prefix="gradlive-bench-")
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--host", HOST, "--port", str(port)],
        cwd=ROOT,
        stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        env={**os.environ, **ENV, "GRADLIVE_DATA_DIR": data.name},
    )
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.1)
        yield base, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        data.cleanup()


def ws_url(base: str, job_id: str) -> str:
    """The websocket of a job on the server at `base`."""
    return base.replace("http://", "ws://") + f"/ws/jobs/{job_id}"


def quantile(values: list[float], q: float) -> float:
    """The q-quantile of `values` (the nearest rank below); NaN when there are none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
