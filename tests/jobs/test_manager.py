"""The job manager: create, find, steer, delete; limits and the eviction of old jobs."""

import asyncio

import pytest

from app.config import Settings
from app.jobs.control import Command
from app.jobs.manager import (
    JobFinishedError,
    JobManager,
    JobNotFoundError,
    JobSpec,
    TooManyJobsError,
)

pytestmark = pytest.mark.anyio

FAST = JobSpec(iterations=40, speed=None, grid=10)
SLOW = JobSpec(iterations=100_000, speed=50.0, grid=10)


@pytest.fixture
async def manager():
    manager = JobManager(max_running=2, max_jobs=3, retry_after=7)
    yield manager
    await manager.aclose()


async def finished(job):
    await asyncio.wait_for(job.log.wait_until(lambda: job.final), timeout=30)
    return job


async def test_a_job_is_created_with_every_default_filled_and_runs_to_done(manager):
    job = await finished(manager.create(FAST))
    summary = job.summary()
    assert summary["status"] == "done" and summary["iteration"] == 39
    config = summary["config"]
    assert (config["n_samples"], config["noise"], config["data_seed"]) == (400, 0.2, 1)
    assert config["hidden_layers"] == [4] and config["learning_rate"] == 1.2
    assert 0 < summary["metrics"]["train_accuracy"] <= 1
    assert summary["metrics"]["test_accuracy"] is None
    assert manager.get(job.id) is job and manager.list() == [job]


async def test_a_test_split_gives_test_metrics(manager):
    job = await finished(manager.create(JobSpec(iterations=20, speed=None, test_fraction=0.25)))
    metrics = job.summary()["metrics"]
    assert 0 <= metrics["test_accuracy"] <= 1 and metrics["test_cost"] > 0
    assert job.data.X_test.shape == (2, 100) and job.data.X_train.shape == (2, 300)


async def test_unknown_ids_are_not_found(manager):
    with pytest.raises(JobNotFoundError):
        manager.get("nope")
    with pytest.raises(JobNotFoundError):
        await manager.control("nope", Command("pause"))
    with pytest.raises(JobNotFoundError):
        await manager.delete("nope")


async def test_a_bad_spec_raises_value_error_and_starts_nothing(manager):
    with pytest.raises(ValueError, match="dataset"):
        manager.create(JobSpec(dataset="nope"))
    with pytest.raises(ValueError, match="test_fraction"):
        manager.create(JobSpec(n_samples=2, test_fraction=0.9))
    assert manager.list() == []


async def test_control_waits_until_the_job_has_applied_the_command(manager):
    job = manager.create(JobSpec(iterations=1000, speed=None, start_paused=True))
    await job.log.wait_until(lambda: job.status == "paused")
    await manager.control(job.id, Command("set", learning_rate=0.3))
    assert job.config()["learning_rate"] == 0.3
    await manager.control(job.id, Command("step", steps=3))
    await job.log.wait_until(lambda: job.log.measure.iteration == 2 and job.status == "paused")
    await manager.control(job.id, Command("resume"))
    await finished(job)
    assert job.status == "done"
    with pytest.raises(JobFinishedError, match="start a new one"):
        await manager.control(job.id, Command("pause"))


async def test_too_many_running_jobs_are_refused_with_a_time_to_retry(manager):
    manager.create(SLOW)
    manager.create(SLOW)
    with pytest.raises(TooManyJobsError, match="2 jobs are already training") as refused:
        manager.create(SLOW)
    assert refused.value.retry_after == 7
    assert len(manager.list()) == 2


async def test_the_oldest_finished_jobs_make_room_for_new_ones(manager):
    first = await finished(manager.create(FAST))
    second = await finished(manager.create(FAST))
    third = manager.create(SLOW)
    fourth = manager.create(FAST)
    assert [j.id for j in manager.list()] == [second.id, third.id, fourth.id]
    assert first.id not in {j.id for j in manager.list()}


async def test_when_every_kept_job_is_unfinished_a_new_one_is_refused():
    manager = JobManager(max_running=5, max_jobs=2)
    try:
        manager.create(SLOW)
        manager.create(SLOW)
        with pytest.raises(TooManyJobsError, match="keeps at most 2 jobs"):
            manager.create(FAST)
    finally:
        await manager.aclose()


async def test_delete_stops_a_running_job_and_forgets_it(manager):
    job = manager.create(SLOW)
    await job.log.wait_until(lambda: job.status == "running")
    await manager.delete(job.id)
    assert job.status == "stopped" and "deleted" in job.log.status.detail
    with pytest.raises(JobNotFoundError):
        manager.get(job.id)


async def test_closing_stops_every_job():
    manager = JobManager()
    jobs = [manager.create(SLOW), manager.create(JobSpec(start_paused=True, grid=10))]
    await manager.aclose()
    for job in jobs:
        await finished(job)
        assert job.status == "stopped"


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


PAUSED = JobSpec(iterations=100_000, grid=10, start_paused=True)


async def paused(job):
    await asyncio.wait_for(job.log.wait_until(lambda: job.status == "paused"), timeout=30)
    return job


async def test_paused_jobs_hold_no_place_but_resuming_one_needs_one(manager):
    first, second = [await paused(manager.create(PAUSED)) for _ in range(2)]
    assert manager.training() == 0
    running = manager.create(SLOW)  # two paused jobs do not fill max_running=2
    await manager.control(first.id, Command("resume"))
    assert manager.training() == 2
    with pytest.raises(TooManyJobsError, match="stays paused") as refused:
        await manager.control(second.id, Command("step", steps=3))
    assert refused.value.retry_after == 7
    assert second.status == "paused" and second.log.measure.iteration == -1
    await manager.control(running.id, Command("stop"))
    await manager.control(second.id, Command("resume"))
    assert second.status == "running"


async def test_commands_that_do_not_start_a_paused_job_pass_when_the_server_is_full(manager):
    job = await paused(manager.create(PAUSED))
    manager.create(SLOW)
    manager.create(SLOW)
    await manager.control(job.id, Command("set", learning_rate=0.1))
    await manager.control(job.id, Command("pause"))
    await manager.control(job.id, Command("stop"))
    assert job.status == "stopped"


async def test_a_job_nobody_watches_or_steers_is_stopped_when_its_place_is_needed():
    clock = FakeClock()
    manager = JobManager(max_running=1, max_jobs=2, idle_timeout=600, clock=clock)
    try:
        left = manager.create(SLOW)
        clock.now += 599
        with pytest.raises(TooManyJobsError):
            manager.create(SLOW)
        clock.now += 1
        job = manager.create(SLOW)  # the first one has been idle for 600 s
        assert left.status == "stopped" and "nobody watched or steered" in left.log.status.detail
        assert "10 minutes" in left.log.status.detail
        assert manager.training() == 1 and job.status in {"queued", "running"}
    finally:
        await manager.aclose()


async def test_watching_asking_and_steering_keep_a_job_from_being_idle():
    clock = FakeClock()
    manager = JobManager(max_running=5, idle_timeout=60, clock=clock)
    try:
        watched, asked, steered = (manager.create(SLOW) for _ in range(3))
        with manager.watching(watched):
            assert watched.viewers == 1 and manager.viewers == 1
            clock.now += 120
            manager.get(asked.id)
            await manager.control(steered.id, Command("set", learning_rate=0.5))
            assert manager.stop_idle() == ()
        assert watched.viewers == 0 and manager.viewers == 0
        assert manager.stop_idle() == ()  # idle from when its last viewer left
        clock.now += 60
        assert set(manager.stop_idle()) == {watched, asked, steered}
    finally:
        await manager.aclose()


async def test_an_idle_timeout_of_zero_never_stops_a_job():
    clock = FakeClock()
    manager = JobManager(idle_timeout=0, clock=clock)
    try:
        job = manager.create(SLOW)
        clock.now += 10**9
        assert manager.stop_idle() == () and not job.final
    finally:
        await manager.aclose()


def test_the_managers_defaults_are_the_settings_defaults():
    # One default for each: the server's setting.
    manager, settings = JobManager(), Settings()
    assert manager.details_interval == 1.0 / settings.DETAILS_RATE
    assert manager.frame_interval == 1.0 / settings.PROGRESS_RATE
    assert (manager.max_running, manager.max_jobs, manager.retry_after) == (
        settings.MAX_RUNNING_JOBS,
        settings.MAX_JOBS,
        settings.RETRY_AFTER,
    )
