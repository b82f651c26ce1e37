"""Test helpers: the distributed mode for real, a Redis, two replicas and two workers."""

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import redis

from app.jobs import broker
from tests.conftest import ROOT, Served, serving
from tests.test_e2e_serve import wait_for


@dataclass
class Worker:
    name: str
    process: subprocess.Popen[bytes]


@contextlib.contextmanager
def working(folder: Path, url: str, name: str) -> Iterator[Worker]:
    """The real command, `python -m app worker --name <name>`, until it beats."""
    environment = {**os.environ, "PYTHONUNBUFFERED": "1", "GRADLIVE_BROKER_URL": url}
    command = [sys.executable, "-m", "app", "worker", "--name", name, "--jobs", "4"]
    with (folder / f"{name}.log").open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=log)
    client = redis.Redis.from_url(url)
    try:
        wait_for(lambda: client.exists(broker.worker_key(name)), f"worker {name} beating")
        yield Worker(name, process)
    finally:
        client.close()
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Cluster:
    a: Served
    b: Served
    workers: list[Worker]
    url: str
    folder: Path


@contextlib.contextmanager
def running_cluster(url: str, folder: Path) -> Iterator[Cluster]:
    """Replicas A and B (`gradlive serve`) and workers w1 and w2 on the Redis at `url`,
    whose database is emptied first (the jobs of another session's cluster would be read
    back)."""
    with contextlib.closing(redis.Redis.from_url(url)) as client:
        client.flushdb()
    for name in ("a", "b"):
        (folder / name).mkdir()
    with (
        serving(folder / "a", GRADLIVE_BROKER_URL=url) as a,
        serving(folder / "b", GRADLIVE_BROKER_URL=url) as b,
        working(folder, url, "w1") as w1,
        working(folder, url, "w2") as w2,
    ):
        yield Cluster(a, b, [w1, w2], url, folder)
