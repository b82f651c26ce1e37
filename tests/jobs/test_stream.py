"""One viewer's messages: snapshot, status, then every cost exactly once, in order."""

import asyncio
import json

import pytest

from app.config import Settings
from app.jobs.control import Command
from app.jobs.manager import JobManager
from app.jobs.spec import JobSpec
from app.jobs.stream import messages
from app.nn import datasets
from app.nn.trainer import TrainConfig, Trainer

pytestmark = pytest.mark.anyio


@pytest.fixture
async def manager():
    manager = JobManager(Settings(PROGRESS_RATE=50))
    yield manager
    await manager.aclose()


async def collect(job, delay=0.0, joined=None):
    """Every message of the stream, parsed; `delay` seconds between two reads.

    `joined` (an asyncio.Event) is set once the snapshot and the status have come.
    """
    out = []
    async for text in messages(job):
        out.append(json.loads(text))
        if joined and len(out) == 2:
            joined.set()
        if delay:
            await asyncio.sleep(delay)
    return out


def costs_in_order(received):
    """The costs of the snapshot and progress messages, checking there is no gap."""
    costs = list(received[0]["history"]["cost"])
    for message in received[1:]:
        if message["type"] == "progress":
            assert message["first_iteration"] == len(costs)
            assert message["iteration"] == len(costs) + len(message["cost"]) - 1
            costs += message["cost"]
    return costs


async def watched_from_the_start(manager, job, delay=0.0):
    """A viewer who joined a job created paused, before it was resumed."""
    joined = asyncio.Event()
    viewer = asyncio.ensure_future(collect(job, delay, joined))
    await joined.wait()
    return viewer


async def test_a_viewer_gets_a_snapshot_a_status_and_then_every_cost(manager):
    job = manager.create(JobSpec(iterations=300, speed=None, grid=10, start_paused=True))
    viewer = await watched_from_the_start(manager, job)
    await manager.control(job.id, Command("resume"))
    received = await asyncio.wait_for(viewer, 30)
    assert any(m["type"] == "progress" for m in received)
    assert [m["type"] for m in received[:2]] == ["snapshot", "status"]
    assert received[0]["job"]["id"] == job.id
    assert len(received[0]["dataset"]["train"]["x1"]) == 400
    trainer = Trainer(TrainConfig(iterations=300), *datasets.make("flower"))
    assert costs_in_order(received) == [step.cost for step in trainer.steps()]
    assert received[-1] == {
        "type": "status",
        "status": "done",
        "detail": "Done: 300 iterations.",
        "iteration": 299,
    }


async def test_a_slow_viewer_gets_bigger_batches_never_gaps(manager):
    job = manager.create(JobSpec(iterations=3000, speed=20_000, grid=10, start_paused=True))
    slow = await watched_from_the_start(manager, job, delay=0.05)
    fast = await watched_from_the_start(manager, job)
    await manager.control(job.id, Command("resume"))
    slow_received, fast_received = await asyncio.wait_for(asyncio.gather(slow, fast), 60)
    assert costs_in_order(slow_received) == costs_in_order(fast_received)
    assert len(costs_in_order(slow_received)) == 3000
    assert slow_received[-1]["status"] == "done"


async def test_a_late_viewer_sees_the_whole_run_then_the_final_status(manager):
    job = manager.create(JobSpec(iterations=120, speed=None, grid=10))
    await job.log.wait_until(lambda: job.final)
    received = await collect(job)
    assert [m["type"] for m in received] == ["snapshot", "status"]
    snapshot = received[0]
    assert snapshot["history"]["iteration"] == list(range(120))
    assert len(snapshot["history"]["cost"]) == 120
    assert (
        snapshot["boundary"]["resolution"] == 10
        and snapshot["boundary"]["encoding"] == "uint8-base64"
    )
    assert snapshot["network"]["layer_dims"] == [2, 4, 1]
    assert len(snapshot["neurons"]["layers"]) == 1 and len(snapshot["neurons"]["layers"][0]) == 4
    assert snapshot["job"]["status"] == "done" and received[1]["status"] == "done"


async def test_every_status_change_reaches_the_viewer_in_place(manager):
    job = manager.create(JobSpec(iterations=1000, speed=None, grid=10, start_paused=True))
    await job.log.wait_until(lambda: job.status == "paused")
    viewer = await watched_from_the_start(manager, job)
    await manager.control(job.id, Command("step", steps=10))
    await job.log.wait_until(lambda: job.log.measure.iteration == 9 and job.status == "paused")
    await manager.control(job.id, Command("stop"))
    received = await asyncio.wait_for(viewer, 30)
    statuses = [(m["status"], m["iteration"]) for m in received if m["type"] == "status"]
    assert statuses == [("paused", -1), ("running", -1), ("paused", 9), ("stopped", 9)]
    assert len(costs_in_order(received)) == 10


async def test_a_diverging_job_sends_null_for_the_bad_cost(manager):
    job = manager.create(JobSpec(iterations=1000, speed=None, grid=10, learning_rate=100))
    received = await collect(job)
    costs = costs_in_order(received)
    assert costs[-1] is None and all(c is not None for c in costs[:-1])
    assert received[-1]["status"] == "diverged"
    assert "smaller learning rate" in received[-1]["detail"]


async def test_test_costs_are_measured_when_a_frame_goes_out(manager):
    job = manager.create(JobSpec(iterations=200, speed=None, grid=10, test_fraction=0.2))
    received = await collect(job)
    progress = [m for m in received if m["type"] == "progress"]
    assert all(0 <= m["test_accuracy"] <= 1 and m["test_cost"] > 0 for m in progress)
    late = await collect(job)
    history = late[0]["history"]
    assert len(history["test_iteration"]) == len(history["test_cost"]) >= 2
    assert history["test_iteration"][-1] == 199


async def test_every_viewer_sees_the_whole_sets_cost_and_each_change_of_alpha(manager):
    spec = JobSpec(iterations=1000, speed=None, grid=10, start_paused=True, batch_size=40)
    job = manager.create(spec)
    await job.log.wait_until(lambda: job.status == "paused")
    viewer = await watched_from_the_start(manager, job)
    await manager.control(job.id, Command("step", steps=10))
    await job.log.wait_until(lambda: job.log.measure.iteration == 9 and job.status == "paused")
    await manager.control(job.id, Command("set", learning_rate=0.25))
    await manager.control(job.id, Command("step", steps=5))
    await job.log.wait_until(lambda: job.log.measure.iteration == 14 and job.status == "paused")
    await manager.control(job.id, Command("stop"))
    received = await asyncio.wait_for(viewer, 30)
    progress = [m for m in received if m["type"] == "progress" and m["cost"]]
    marks = [(m["first_iteration"], m["learning_rate"]) for m in progress]
    assert marks == [(0, 1.2), (10, 0.25)]
    assert all(0 < m["train_cost"] < 1 for m in progress)
    late = await collect(job)
    history = late[0]["history"]
    assert history["learning_rate"] == [[0, 1.2], [10, 0.25]]
    assert history["train_iteration"][-1] == 14
    assert history["train_cost"][-1] == progress[-1]["train_cost"]
    assert late[0]["job"]["metrics"]["train_cost"] == progress[-1]["train_cost"]
