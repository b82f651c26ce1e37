"""The job manager: create, find, steer, delete; limits and the eviction of old jobs."""

import asyncio

import pytest

from app.config import Settings
from app.jobs.control import Command
from app.jobs.errors import JobFinishedError, JobNotFoundError, SpecError, TooManyJobsError
from app.jobs.manager import JobManager
from app.jobs.spec import JobSpec
from tests.conftest import FakeClock

pytestmark = pytest.mark.anyio

FAST = JobSpec(iterations=40, speed=None, grid=10)
SLOW = JobSpec(iterations=100_000, speed=50.0, grid=10)


@pytest.fixture
async def manager():
    manager = JobManager(Settings(MAX_RUNNING_JOBS=2, MAX_JOBS=3, RETRY_AFTER=7))
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
    manager = JobManager(Settings(MAX_RUNNING_JOBS=5, MAX_JOBS=2))
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


IDLE = "Paused: its owner's page was closed for 10 minutes. It resumes when they open it again."


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
async def idling(clock):
    """A manager whose jobs idle after 600 s on `clock`, with one training place."""
    manager = JobManager(Settings(MAX_RUNNING_JOBS=1, MAX_JOBS=3, IDLE_TIMEOUT=600), clock=clock)
    yield manager
    await manager.aclose()


async def idle_paused(manager, clock, job):
    """Let `job`'s owner be away for the idle time: it is paused for being idle."""
    clock.now = job.seen + manager.presence.timeout
    assert job in manager.pause_idle()
    return await paused(job)


async def test_a_job_whose_owners_page_has_closed_is_paused_after_the_idle_time(idling, clock):
    job = idling.create(SLOW)
    with idling.presence.owner_watching(job):
        clock.now += 1000
        assert idling.pause_idle() == ()  # its owner's page is open
    clock.now += 599
    assert idling.pause_idle() == ()  # idle from when its owner's last page closed
    clock.now += 1
    assert idling.pause_idle() == (job,)
    await paused(job)
    assert job.log.status.detail == IDLE and job.idle_paused
    assert idling.pause_idle() == ()  # paused once, not again and again
    assert idling.training() == 0
    idling.create(SLOW)  # its training place is free


async def test_watchers_do_not_keep_a_job_alive_its_owners_requests_do(idling, clock):
    idling.max_running = 2
    watched, used = idling.create(SLOW), idling.create(SLOW)
    with idling.watching(watched), idling.watching(used):
        clock.now += 300
        idling.get(watched.id)  # what GET /api/jobs/{id} without the token does
        idling.presence.seen(used)  # a request with its token (app.api.owners.note_owner)
        clock.now += 300
        assert idling.pause_idle() == (watched,)
        assert watched.viewers == 1 and idling.viewers == 2
    clock.now += 300
    assert idling.pause_idle() == (used,)


async def test_a_job_paused_for_being_idle_resumes_when_its_owner_is_back(idling, clock):
    job = await idle_paused(idling, clock, idling.create(SLOW))
    with idling.presence.owner_watching(job):
        await idling.owner_back(job)
        assert job.status == "running" and "owner's page is open again" in job.log.status.detail
        assert not job.idle_paused and job.owner_sockets == 1
    assert job.owner_sockets == 0
    clock.now += 600
    assert idling.pause_idle() == (job,)
    await idling.owner_back(job)  # back at once, perhaps before the pause was applied
    assert job.status == "running" and not job.idle_paused


async def test_a_job_its_owner_paused_is_not_resumed_when_they_are_back(idling, clock):
    job = idling.create(SLOW)
    await idling.control(job.id, Command("pause"))
    clock.now += 600
    assert idling.pause_idle() == ()  # paused already: it holds no place
    await idling.owner_back(job)
    assert job.status == "paused" and "Paused after" in job.log.status.detail
    # Paused for being idle, then by its owner: their own pause, which a return keeps.
    other = await idle_paused(idling, clock, idling.create(SLOW))
    await idling.control(other.id, Command("pause"))
    await idling.owner_back(other)
    assert other.status == "paused"


async def test_in_a_full_server_a_job_paused_for_being_idle_stays_paused(idling, clock):
    job = await idle_paused(idling, clock, idling.create(SLOW))
    other = idling.create(SLOW)  # takes the one training place
    with pytest.raises(TooManyJobsError, match="server is full") as refused:
        await idling.owner_back(job)
    assert "press Resume in a little while" in str(refused.value)
    assert job.status == "paused" and job.idle_paused  # a later return may resume it
    await idling.control(other.id, Command("stop"))
    await idling.owner_back(job)
    assert job.status == "running"


async def test_with_every_kept_job_unfinished_the_one_left_longest_makes_room(idling, clock):
    idling.max_jobs = 2
    first = idling.create(PAUSED)  # paused by its owner, who then closed the page
    clock.now += 100
    second = idling.create(PAUSED)
    clock.now += 499
    with pytest.raises(TooManyJobsError, match="keeps at most 2 jobs"):
        idling.create(PAUSED)  # nobody has been away for 600 s yet
    clock.now += 1
    third = idling.create(PAUSED)
    assert idling.list() == [second, third]  # its place is free at once
    await asyncio.wait_for(first.log.wait_until(lambda: first.final), 5)  # its loop ends it
    assert first.status == "stopped"
    assert "needed its place for a new job" in first.log.status.detail
    assert "10 minutes" in first.log.status.detail


async def test_an_idle_timeout_of_zero_never_pauses_or_stops_a_job(clock):
    manager = JobManager(Settings(MAX_JOBS=1, IDLE_TIMEOUT=0), clock=clock)
    try:
        job = manager.create(SLOW)
        clock.now += 10**9
        assert manager.pause_idle() == () and not job.final
        await asyncio.wait_for(manager.check_idle(), timeout=1)  # no timer at all
        with pytest.raises(TooManyJobsError, match="keeps at most 1 job"):
            manager.create(SLOW)
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


async def test_queued_jobs_wait_for_a_place_and_start_in_order(manager):
    specs = [JobSpec(iterations=40, speed=100.0, grid=10, seed=seed) for seed in range(3)]
    jobs = manager.create_queued(specs, owner_hash="h")
    assert [job.owner_hash for job in jobs] == ["h"] * 3
    assert manager.training() == 2  # max_running: the third waits
    for job in jobs[:2]:
        await asyncio.wait_for(job.log.wait_until(lambda j=job: j.status == "running"), 30)
    assert jobs[2].status == "queued" and jobs[2].log.measure.iteration == -1
    with pytest.raises(TooManyJobsError):
        manager.create(FAST)  # a job that waits holds the places up
    for job in jobs:
        assert (await finished(job)).status == "done"
    assert [job.log.measure.iteration for job in jobs] == [39] * 3


async def test_a_queued_job_paused_holds_no_place_and_one_stopped_ends_at_once(idling):
    running, waiting, stopped = idling.create_queued([SLOW, SLOW, SLOW])  # one place
    await idling.control(waiting.id, Command("pause"))
    assert waiting.status == "paused" and waiting.log.status.detail == "Paused before iteration 0."
    assert idling.training() == 1 and stopped.status == "queued"  # the third still waits
    await idling.control(stopped.id, Command("stop"))
    assert stopped.status == "stopped" and stopped.log.measure.iteration == -1
    await idling.delete(running.id)
    await idling.control(waiting.id, Command("resume"))
    assert waiting.status == "running"


async def test_a_queued_job_deleted_is_gone_at_once(manager):
    jobs = manager.create_queued([SLOW, SLOW, SLOW])
    await manager.delete(jobs[2].id)
    assert jobs[2].status == "stopped" and not manager.has(jobs[2].id)
    assert [job.id for job in manager.list()] == [jobs[0].id, jobs[1].id]


async def test_queued_jobs_the_server_cannot_keep_or_a_bad_spec_keep_none(manager):
    with pytest.raises(TooManyJobsError, match="room for 3 more, not 4"):
        manager.create_queued([FAST] * 4)
    with pytest.raises(SpecError, match="test_fraction") as bad:
        manager.create_queued([FAST, JobSpec(n_samples=2, test_fraction=0.9)])
    assert bad.value.index == 1
    assert manager.list() == []


async def test_a_queued_job_whose_owner_is_away_is_paused_and_resumes_when_they_are_back(
    idling, clock
):
    running, waiting = idling.create_queued([SLOW, SLOW])
    clock.now = waiting.seen + idling.presence.timeout
    assert set(idling.pause_idle()) == {running, waiting}
    await paused(waiting)
    await paused(running)
    assert waiting.log.status.detail == IDLE and idling.training() == 0
    await idling.owner_back(waiting)
    assert waiting.status == "running"


@pytest.mark.parametrize(
    "spec, field",
    [
        (JobSpec(n_samples=2, test_fraction=0.9), "test_fraction"),
        (JobSpec(data_seed=-1), "data_seed"),  # datasets.make calls it seed
        (JobSpec(dataset="nope"), "dataset"),
        (JobSpec(learning_rate=-1.0), "learning_rate"),
    ],
)
async def test_a_bad_spec_names_the_specs_field_it_concerns(manager, spec, field):
    with pytest.raises(SpecError) as bad:
        manager.create(spec)
    assert bad.value.field == field and bad.value.index is None
    assert manager.list() == []
