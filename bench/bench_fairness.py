"""Fair shares of training time (a script, not a test): a paced job beside heavy ones.

    python bench/bench_fairness.py [--seconds 4] [--heavy 0,1,2,4,8]

Starts `python -m app serve` on a free loopback port. For each row it starts that many
heavy jobs at full speed (4 x 16 units, 2,000 samples, grid 200: the largest the default
limits allowed when it was measured; GRADLIVE_MAX_UNITS is now 50), each watched by one
viewer, lets them train (until each has sent costs), then starts the page's lecture job at
speed 500, watched for `--seconds`. Prints, per row, the iterations per second the lecture
job delivered to its viewer (and as a share of its pace), the longest gap between two of its
progress messages, and what the heavy jobs delivered in all meanwhile. Goal: at least 95% of
the pace and no gap over 0.5 s in every row.

Bounded: at most 16 heavy jobs and 30 s a row (plus at most 60 s to start them); talks
to 127.0.0.1 only.
"""

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_classroom import PAGE_CONFIG
from bench.harness import ADMIN, serve, ws_url

MAX_HEAVY = 16
MAX_SECONDS = 30.0
# The heavy jobs train at least this many seconds, and until each has sent some costs
# (at most START_TIMEOUT s), before the lecture job starts: it joins jobs that run.
WARM_UP = 1.0
START_TIMEOUT = 60.0
GOAL_SHARE = 0.95
GOAL_GAP = 0.5
HEAVY_CONFIG: dict[str, Any] = {
    "dataset": "flower",
    "n_samples": 2000,
    "hidden_layers": [16, 16, 16, 16],
    "grid": 200,
    "iterations": 100_000,
    "speed": None,
}


@dataclass
class Watch:
    """What one viewer saw: when each progress message came, and its costs."""

    arrivals: list[float] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    gaps_in_costs: int = 0
    trained: asyncio.Event = field(default_factory=asyncio.Event)  # some costs came

    def costs_between(self, start: float, end: float) -> int:
        return sum(n for t, n in zip(self.arrivals, self.counts, strict=True) if start < t <= end)


async def watch(base: str, job_id: str, seen: Watch) -> None:
    """Read one job's messages until it ends or the task is cancelled; costs checked in order."""
    expected = 0
    async with websockets.connect(ws_url(base, job_id), max_size=None) as ws:
        async for text in ws:
            message = json.loads(text)
            if message["type"] == "snapshot":
                expected = len(message["history"]["cost"])
            elif message["type"] == "progress":
                seen.arrivals.append(time.monotonic())
                seen.counts.append(len(message["cost"]))
                seen.gaps_in_costs += message["first_iteration"] != expected
                expected = message["first_iteration"] + len(message["cost"])
                if message["cost"]:
                    seen.trained.set()


async def create(client: httpx.AsyncClient, config: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """A new job: its id and the headers that may steer it (a token, if the server gives one)."""
    response = await client.post("/api/jobs", json=config)
    response.raise_for_status()
    body = response.json()
    token = body.get("token")
    return body["id"], {"Authorization": f"Bearer {token}"} if token else {}


@dataclass
class Row:
    heavy: int
    rate: float  # lecture job: iterations per second delivered to its viewer
    gap: float  # lecture job: the longest gap between two progress messages, in s
    heavy_rate: float  # every heavy job together: iterations per second delivered
    gaps_in_costs: int


async def row(base: str, heavy: int, seconds: float) -> Row:
    """One row: `heavy` full-speed max-size jobs, then the lecture job watched `seconds`."""
    async with httpx.AsyncClient(base_url=base, timeout=30, headers=ADMIN) as client:
        jobs = [await create(client, HEAVY_CONFIG) for _ in range(heavy)]
        heavy_seen = [Watch() for _ in jobs]
        viewers = [
            asyncio.create_task(watch(base, job_id, seen))
            for (job_id, _), seen in zip(jobs, heavy_seen, strict=True)
        ]
        started = [seen.trained.wait() for seen in heavy_seen]
        await asyncio.wait_for(asyncio.gather(asyncio.sleep(WARM_UP), *started), START_TIMEOUT)
        lecture, lecture_seen = await create(client, PAGE_CONFIG), Watch()
        jobs.append(lecture)
        with contextlib.suppress(TimeoutError):  # watched long enough
            await asyncio.wait_for(watch(base, lecture[0], lecture_seen), seconds)
        for viewer in viewers:
            viewer.cancel()
        await asyncio.gather(*viewers, return_exceptions=True)
        for job_id, headers in jobs:
            (await client.delete(f"/api/jobs/{job_id}", headers=headers)).raise_for_status()
    # From the first progress message on: the job's start-up is not its pace.
    arrivals = lecture_seen.arrivals
    start, end = (arrivals[0], arrivals[-1]) if len(arrivals) > 1 else (0.0, float("nan"))
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    return Row(
        heavy,
        lecture_seen.costs_between(start, end) / (end - start),
        max(gaps, default=float("nan")),
        sum(seen.costs_between(start, end) for seen in heavy_seen) / (end - start),
        sum(seen.gaps_in_costs for seen in [lecture_seen, *heavy_seen]),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="lecture job watched, per row")
    parser.add_argument("--heavy", default="0,1,2,4,8", help="heavy jobs in each row")
    args = parser.parse_args()
    seconds = max(1.0, min(args.seconds, MAX_SECONDS))
    rows = [max(0, min(int(n), MAX_HEAVY)) for n in args.heavy.split(",")]
    pace = float(PAGE_CONFIG["speed"])

    with serve() as (base, _):
        results = [asyncio.run(row(base, heavy, seconds)) for heavy in rows]

    print(f"lecture job at speed {pace:g} beside max-size jobs at full speed ({seconds:g} s a row)")
    print("heavy jobs | lecture it/s | of its pace | longest gap | heavy jobs' it/s in all")
    for r in results:
        print(
            f"{r.heavy:10d} | {r.rate:12.0f} | {r.rate / pace:10.0%} | {r.gap:9.3f} s "
            f"| {r.heavy_rate:10.0f}"
        )
    met = all(r.rate >= GOAL_SHARE * pace and r.gap <= GOAL_GAP for r in results)
    print(
        f"goal (>= {GOAL_SHARE:.0%} of the pace, no gap over {GOAL_GAP:g} s): "
        + ("met" if met else "NOT met")
    )
    if any(r.gaps_in_costs for r in results):
        print(f"costs missing or out of order: {sum(r.gaps_in_costs for r in results)}")
    print(f"(cpus: {os.cpu_count()}, python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
