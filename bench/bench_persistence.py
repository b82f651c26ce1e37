"""What the store costs a job at full speed (a script, not a test).

    python bench/bench_persistence.py [--iterations 10000,100000] [--repeats 3] [--workers 2,0]

The server always keeps its jobs in DATA_DIR/gradlive.db (app.jobs.store: there is no
setting that turns it off), so this times the job loop in this process, as the server
runs it: a JobManager with the server's runner for `--workers N` (default: the server's,
one worker process per core; 0: threads here), once with no store and once with a
JobStore in a temporary folder saving every SAVE_INTERVAL seconds, as the server does.
Each job is the lecture's run at full speed (speed null, the page's 100 x 100 boundary),
timed from its creation until it is done; the two ways take turns, `--repeats` times.

Prints it/s without and with the store (the median of the repeats) and their ratio, the
database's size after the runs, and the time one save takes (p50 / p99 / max, each a
transaction of every job that changed; timed in the store's writer thread).

Bounded: at most 100,000 iterations a job, 9 repeats, 120 s a job.
"""

import argparse
import asyncio
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.config import Settings
from app.jobs import store as store_module
from app.jobs.job import Job
from app.jobs.manager import JobManager
from app.jobs.spec import JobSpec
from app.jobs.store import DB_NAME, JobStore
from app.jobs.workers import ProcessRunner
from app.main import make_runner
from bench.harness import cpu, quantile

MAX_ITERATIONS = 100_000
MAX_REPEATS = 9
JOB_TIMEOUT = 120.0
READY_TIMEOUT = 60.0


class TimedStore(JobStore):
    """A JobStore that times each save of jobs (one transaction) in its writer thread."""

    def __init__(self, path: Path, *, max_jobs: int, save_interval: float) -> None:
        self.saves: list[float] = []
        super().__init__(path, max_jobs=max_jobs, save_interval=save_interval)

    def _guard(  # type: ignore[override]
        self, write: Callable[..., Any], connection: sqlite3.Connection, *args: Any
    ) -> bool:
        start = time.perf_counter()
        saved = JobStore._guard(write, connection, *args)
        if write is store_module._save_jobs:
            self.saves.append(time.perf_counter() - start)
        return saved


async def job_rate(workers: int | None, iterations: int, store: JobStore | None) -> float:
    """Iterations a second of one full-speed lecture job, from creation to done."""
    settings = Settings() if workers is None else Settings(WORKERS=workers)
    runner = make_runner(settings)
    if isinstance(runner, ProcessRunner) and not runner.wait_ready(READY_TIMEOUT):
        raise RuntimeError(f"the worker processes did not start in {READY_TIMEOUT:g} s")
    manager = JobManager(runner=runner, store=store)
    try:
        start = time.perf_counter()
        job = manager.create(JobSpec(iterations=iterations, speed=None))
        await asyncio.wait_for(finished(job), JOB_TIMEOUT)
        elapsed = time.perf_counter() - start
        if job.status != "done":
            raise RuntimeError(f"the job ended {job.status}")
        return iterations / elapsed
    finally:
        # Closes the store too, after its last save: a fresh store (a fresh writer) each
        # time, on the same database file, as a restarted server would open it.
        await manager.aclose()


async def finished(job: Job) -> None:
    await job.log.wait_until(lambda: job.final)


def db_size(folder: Path) -> int:
    """Bytes of the database with its write-ahead log, if one is left."""
    return sum(p.stat().st_size for p in folder.glob(DB_NAME + "*"))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", default="10000,100000", help="a job's, comma-separated")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--workers", default="", help="the runners, e.g. 2,0; default: the server's own"
    )
    args = parser.parse_args()
    counts = [int(n) for n in args.iterations.split(",")]
    if not all(1 <= n <= MAX_ITERATIONS for n in counts) or not 1 <= args.repeats <= MAX_REPEATS:
        parser.error(f"1-{MAX_ITERATIONS} iterations, 1-{MAX_REPEATS} repeats")
    runners: list[int | None] = [int(n) for n in args.workers.split(",") if n.strip()] or [None]
    settings = Settings()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"CPU: {cpu()}; python {sys.version.split()[0]}; load average {load}")
    print(
        f"a full-speed lecture job, median of {args.repeats}; the store saves every "
        f"{settings.SAVE_INTERVAL:g} s and at each change of status"
    )
    print(
        "| runner | iterations | no store it/s | store it/s | store / none "
        "| database after | save p50 / p99 / max | saves |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for workers in runners:
        label = f"--workers {workers}" if workers is not None else f"default ({settings.WORKERS})"
        for iterations in counts:
            without: list[float] = []
            with_store: list[float] = []
            saves: list[float] = []
            with tempfile.TemporaryDirectory(prefix="gradlive-bench-") as tmp:
                for _ in range(args.repeats):
                    without.append(await job_rate(workers, iterations, None))
                    store = TimedStore(
                        Path(tmp) / DB_NAME,
                        max_jobs=settings.MAX_STORED_JOBS,
                        save_interval=settings.SAVE_INTERVAL,
                    )
                    with_store.append(await job_rate(workers, iterations, store))
                    saves += store.saves
                size = db_size(Path(tmp))
            none_rate, store_rate = statistics.median(without), statistics.median(with_store)
            cells = [
                label,
                f"{iterations:,}",
                f"{none_rate:,.0f}",
                f"{store_rate:,.0f}",
                f"{store_rate / none_rate:.2f}x",
                f"{size / 1e6:.2f} MB ({args.repeats} jobs)",
                " / ".join(f"{1000 * quantile(saves, q):.1f}" for q in (0.5, 0.99, 1.0)) + " ms",
                str(len(saves)),
            ]
            print("| " + " | ".join(cells) + " |", flush=True)
    print("it/s: each way's median; their spread moves with the machine's other work.")


if __name__ == "__main__":
    asyncio.run(main())
