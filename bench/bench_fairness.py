"""Fair shares of training time (a script, not a test): a paced job beside heavy ones.

    python bench/bench_fairness.py [--seconds 4] [--heavy 0,1,2,4,8]

Starts `python -m app serve` on a free loopback port. For each row it starts that many
max-size jobs at full speed (4 x 16 units, 2,000 samples, grid 200: the largest the
default limits allow), each watched by one viewer, then the page's lecture job at speed
500, watched over a websocket for `--seconds`. Prints, per row, the iterations per second
the lecture job delivered to its viewer (and as a share of its pace), the longest gap
between two of its progress messages, and what the heavy jobs trained in all. Goal: at
least 95% of the pace and no gap over 0.5 s in every row.

Bounded: at most 16 heavy jobs and 30 s a row; talks to 127.0.0.1 only.
"""

import argparse
import asyncio
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
from bench.harness import serve, ws_url

MAX_HEAVY = 16
MAX_SECONDS = 30.0
WARM_UP = 1.0  # seconds the heavy jobs train before the lecture job starts
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


async def watch(base: str, job_id: str, seen: Watch, until: float) -> None:
    """Read one job's messages until `until` (time.monotonic()), checking costs arrive in order."""
    expected = 0
    async with websockets.connect(ws_url(base, job_id), max_size=None) as ws:
        while (left := until - time.monotonic()) > 0:
            try:
                message = json.loads(await asyncio.wait_for(ws.recv(), left))
            except (TimeoutError, websockets.ConnectionClosed):
                return
            if message["type"] == "snapshot":
                expected = len(message["history"]["cost"])
            elif message["type"] == "progress":
                seen.arrivals.append(time.monotonic())
                seen.counts.append(len(message["cost"]))
                seen.gaps_in_costs += message["first_iteration"] != expected
                expected = message["first_iteration"] + len(message["cost"])


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
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        jobs = [await create(client, HEAVY_CONFIG) for _ in range(heavy)]
        end = time.monotonic() + WARM_UP + seconds
        heavy_seen = [Watch() for _ in jobs]
        viewers = [
            asyncio.create_task(watch(base, job_id, seen, end))
            for (job_id, _), seen in zip(jobs, heavy_seen, strict=True)
        ]
        await asyncio.sleep(WARM_UP)
        lecture, lecture_seen = await create(client, PAGE_CONFIG), Watch()
        jobs.append(lecture)
        await watch(base, lecture[0], lecture_seen, end)
        await asyncio.gather(*viewers)
        for job_id, headers in jobs:
            (await client.delete(f"/api/jobs/{job_id}", headers=headers)).raise_for_status()
    # From the first progress message on: the job's start-up is not its pace.
    arrivals, counts = lecture_seen.arrivals, lecture_seen.counts
    elapsed = arrivals[-1] - arrivals[0] if len(arrivals) > 1 else float("nan")
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    heavy_rate = sum(sum(seen.counts) for seen in heavy_seen) / seconds
    return Row(
        heavy,
        sum(counts[1:]) / elapsed,
        max(gaps, default=float("nan")),
        heavy_rate,
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
