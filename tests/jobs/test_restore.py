"""The manager with a store: jobs outlive it, finished or interrupted, and read as before."""

import asyncio

import pytest

from app.config import Settings
from app.jobs.control import Command
from app.jobs.errors import JobFinishedError, JobNotFoundError
from app.jobs.manager import JobManager
from app.jobs.messages import snapshot_message
from app.jobs.spec import JobSpec
from app.jobs.store import DB_NAME, JobStore

pytestmark = pytest.mark.anyio

FAST = JobSpec(iterations=60, speed=None, grid=10, test_fraction=0.2)
SLOW = JobSpec(iterations=100_000, speed=200.0, grid=10)


def new_manager(tmp_path, max_jobs=3):
    store = JobStore(tmp_path / DB_NAME, max_jobs=100, save_interval=0.1)
    manager = JobManager(Settings(MAX_RUNNING_JOBS=3, MAX_JOBS=max_jobs), store=store)
    manager.load_stored()
    return manager


async def until(job, condition):
    """`job` once condition(job) holds."""
    await asyncio.wait_for(job.log.wait_until(lambda: condition(job)), timeout=30)
    return job


async def finished(job):
    return await until(job, lambda j: j.final)


def snapshot_of(job):
    return snapshot_message(job, job.log.snapshot()[0])


async def test_a_finished_job_reads_the_same_after_a_restart(tmp_path):
    manager = new_manager(tmp_path)
    job = manager.create(JobSpec(**{**FAST.__dict__, "start_paused": True}), "Ada", "hash")
    await until(job, lambda j: j.status == "paused")
    await manager.control(job.id, Command("set", learning_rate=0.5))
    await manager.control(job.id, Command("resume"))
    await until(job, lambda j: j.final)
    before, summary = snapshot_of(job), job.summary()
    await manager.aclose()

    manager = new_manager(tmp_path)
    back = manager.get(job.id)
    assert back is not job and back.summary() == summary and summary["status"] == "done"
    assert summary["config"]["learning_rate"] == 0.5
    assert snapshot_of(back) == before  # every cost, point, picture and the final status
    assert back.owner_hash == "hash" and back.learner == "Ada"
    assert [j.id for j in manager.list()] == [job.id]  # loaded at startup
    with pytest.raises(JobFinishedError):
        await manager.control(job.id, Command("resume"))  # restored jobs do not train
    await manager.delete(job.id)
    await manager.aclose()

    manager = new_manager(tmp_path)
    with pytest.raises(JobNotFoundError):  # deleted from the store too
        manager.get(job.id)
    await manager.aclose()


async def test_jobs_training_at_shutdown_come_back_interrupted_with_their_history(tmp_path):
    manager = new_manager(tmp_path)
    running = await until(manager.create(SLOW), lambda j: j.log.measure.iteration >= 10)
    paused = manager.create(JobSpec(iterations=100, grid=10, start_paused=True))
    await until(paused, lambda j: j.status == "paused")
    manager.stop_all()  # as `gradlive serve` does on SIGTERM: viewers get `stopped`
    await until(running, lambda j: j.final)  # from its loop, at its next iteration
    assert running.status == "stopped"
    count = running.log.snapshot()[0].count
    await manager.aclose()

    manager = new_manager(tmp_path)
    back = manager.get(running.id)
    assert back.status == "interrupted" and "server restarted" in back.log.status.detail
    snapshot, _ = back.log.snapshot()
    assert snapshot.count == count and back.summary()["iteration"] == count - 1
    assert manager.get(paused.id).status == "interrupted"
    assert "before its first iteration" in manager.get(paused.id).log.status.detail
    await manager.aclose()


async def test_a_job_dropped_from_memory_is_read_back_from_the_store(tmp_path):
    manager = new_manager(tmp_path, max_jobs=2)
    first = await finished(manager.create(FAST))
    second = await finished(manager.create(FAST))
    third = await finished(manager.create(FAST))
    assert [j.id for j in manager.list()] == [second.id, third.id]  # first was dropped
    before = snapshot_of(first)
    back = manager.get(first.id)
    assert snapshot_of(back) == before and back.status == "done"
    assert [j.id for j in manager.list()] == [first.id, third.id]  # the oldest made room
    await manager.aclose()
