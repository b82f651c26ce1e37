"""What the server benchmarks share: the real server on a free loopback port, and helpers."""

import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
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
def serve(
    log: IO[str] | None = None,
    *,
    workers: int | None = None,
    env: Mapping[str, str] | None = None,
) -> Iterator[tuple[str, int]]:
    """`python -m app serve` on a free port, output to `log` (or dropped); yields (URL, pid).

    workers: its `--workers` (None: the server's default); env: settings beside ENV.
    Its runs are kept in a data dir of its own, removed afterwards: a benchmark's jobs
    neither land among the user's runs nor meet old ones."""
    port = free_port()
    data = tempfile.TemporaryDirectory(prefix="gradlive-bench-")
    command = [sys.executable, "-m", "app", "serve", "--host", HOST, "--port", str(port)]
    if workers is not None:
        command += ["--workers", str(workers)]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        env={**os.environ, **ENV, **(env or {}), "GRADLIVE_DATA_DIR": data.name},
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


def process_tree(pid: int) -> list[int]:
    """The process and all its descendants still alive (Linux /proc), parents first."""
    tree, index = [pid], 0
    while index < len(tree):
        for task in Path(f"/proc/{tree[index]}/task").glob("*/children"):
            with suppress(OSError):  # the task ended meanwhile
                tree += [int(child) for child in task.read_text().split()]
        index += 1
    return tree


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its descendants (worker processes), in MB."""
    total = 0
    for member in process_tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        total += next(
            (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0
        )
    return total / 1024


def tree_cpu_seconds(pid: int) -> tuple[float, float]:
    """User + system CPU time of a process and of its live descendants, in seconds."""
    own, others = 0, 0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks = int(fields[11]) + int(fields[12])
        own, others = (own + ticks, others) if member == pid else (own, others + ticks)
    return own / os.sysconf("SC_CLK_TCK"), others / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time every process of the machine has used since boot, all cores (/proc/stat)."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")  # guest time is in user's


def cpu() -> str:
    """The CPU's model and count, as lscpu gives them (or what Python knows)."""
    try:
        lines = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return platform.processor() or platform.machine()
    fields = dict(line.split(":", 1) for line in lines.splitlines() if ":" in line)
    return f"{fields.get('Model name', '?').strip()}, {fields.get('CPU(s)', '?').strip()} CPUs"
