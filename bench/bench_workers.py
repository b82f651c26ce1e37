"""Jobs in worker processes against jobs in threads (a script, not a test).

    python bench/bench_workers.py [--iterations 20000] [--jobs 1,2,4] [--workers 2]

For each row it starts that many lecture jobs at full speed (speed null, the page's
100 x 100 boundary, 20 frames a second) in a job manager whose runner is the server's
for `--workers 0` (threads taking turns in this process) and for `--workers N` (N worker
processes, started and ready before the clock starts), and times them until every one is
done. Prints the total iterations a second of each, side by side, and each one's speed-up
over one job. Goal: with 2 workers on 2 cores, 2 jobs train at least 1.8x as many
iterations a second as one.

Bounded: at most 16 jobs of at most 100,000 iterations, each row 120 s at most.
"""

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.config import Settings
from app.jobs.job import Job
from app.jobs.manager import JobManager
from app.jobs.spec import JobSpec
from app.jobs.workers import ProcessRunner
from app.main import make_runner
from bench.harness import cpu

MAX_JOBS = 16
MAX_ITERATIONS = 100_000
ROW_TIMEOUT = 120.0
READY_TIMEOUT = 60.0
GOAL = 1.8


async def total_rate(workers: int, jobs: int, iterations: int) -> float:
    """Iterations a second over `jobs` full-speed lecture jobs, with `workers` processes."""
    runner = make_runner(Settings(WORKERS=workers))
    if isinstance(runner, ProcessRunner) and not runner.wait_ready(READY_TIMEOUT):
        raise RuntimeError(f"the worker processes did not start in {READY_TIMEOUT:g} s")
    manager = JobManager(Settings(MAX_RUNNING_JOBS=MAX_JOBS, MAX_JOBS=MAX_JOBS), runner=runner)
    try:
        spec = JobSpec(iterations=iterations, speed=None)
        start = time.perf_counter()
        started = [manager.create(spec) for _ in range(jobs)]
        await asyncio.wait_for(asyncio.gather(*map(finished, started)), ROW_TIMEOUT)
        elapsed = time.perf_counter() - start
        if any(job.status != "done" for job in started):
            raise RuntimeError(f"a job ended {[job.status for job in started]}")
        return jobs * iterations / elapsed
    finally:
        await manager.aclose()


async def finished(job: Job) -> None:
    await job.log.wait_until(lambda: job.final)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=20_000)
    parser.add_argument("--jobs", default="1,2,4", help="comma-separated job counts")
    parser.add_argument("--workers", type=int, default=2, help="worker processes to compare")
    args = parser.parse_args()
    counts = [int(n) for n in args.jobs.split(",")]
    if not all(1 <= n <= MAX_JOBS for n in counts) or not 1 <= args.iterations <= MAX_ITERATIONS:
        parser.error(f"1-{MAX_JOBS} jobs of 1-{MAX_ITERATIONS} iterations")
    print(f"CPU: {cpu()}; {args.iterations:,} iterations a job (figures move with other work)")
    print(f"| jobs | --workers 0 it/s | x one job | --workers {args.workers} it/s | x one job |")
    print("| --- | --- | --- | --- | --- |")
    first: dict[int, float] = {}
    for jobs in counts:
        cells = [str(jobs)]
        for workers in (0, args.workers):
            rate = await total_rate(workers, jobs, args.iterations)
            first.setdefault(workers, rate)
            cells += [f"{rate:,.0f}", f"{rate / first[workers]:.2f}x"]
        print("| " + " | ".join(cells) + " |", flush=True)
    print(f"Goal: 2 jobs with --workers 2 at least {GOAL}x one job (on 2 cores).")


if __name__ == "__main__":
    asyncio.run(main())
