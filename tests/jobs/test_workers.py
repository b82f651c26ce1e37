"""Worker processes: a job trains in one exactly as in a thread, is steered the same, fails
plainly when its process dies, and leaves no process behind."""

import asyncio
import os
import signal

import pytest

from app.jobs.control import Command, Edit
from app.jobs.log import Cursor, StatusChange
from app.jobs.manager import SHUTTING_DOWN, JobManager
from app.jobs.runner import Runner, ThreadRunner
from app.jobs.spec import JobSpec
from app.jobs.workers import WORKER_DIED, ProcessRunner
from tests.conftest import alive

pytestmark = pytest.mark.anyio

DEADLINE = 30  # seconds: every wait below ends by then
FAST = JobSpec(iterations=300, speed=None, grid=10)
SLOW = JobSpec(iterations=100_000, speed=100.0, grid=10)


async def until(job, condition):
    await asyncio.wait_for(job.log.wait_until(condition), DEADLINE)


async def trained(runner: Runner, spec: JobSpec) -> tuple[list[float], dict]:
    """The costs and final weights of one job, trained by `runner`."""
    manager = JobManager(runner=runner)
    try:
        job = manager.create(spec)
        await until(job, lambda: job.final)
        assert job.status == "done", job.log.status.detail
        weights = job.log.weights()
        assert weights is not None
        return job.log.history().costs, {k: v.tolist() for k, v in weights.parameters.items()}
    finally:
        await manager.aclose()


@pytest.mark.parametrize(
    "spec",
    [
        FAST,  # the lecture's, on the in-place fast path
        JobSpec(
            dataset="spiral",
            n_classes=3,
            optimizer="adam",
            batch_size=64,
            iterations=120,
            speed=None,
            grid=10,
        ),
        JobSpec(
            dataset="reg-plane",
            features=("x1", "x2", "x1*x2"),
            iterations=120,
            speed=None,
            grid=10,
        ),
    ],
    ids=["lecture", "multiclass-adam-batches", "regression-features"],
)
async def test_a_job_trained_in_a_worker_gives_exactly_the_costs_of_a_thread(spec):
    in_thread = await trained(ThreadRunner(), spec)
    in_worker = await trained(ProcessRunner(1), spec)
    assert in_worker == in_thread
    assert len(in_worker[0]) == spec.iterations


# Steps between the other commands, each waited for: the same run in either runner.
SCRIPT = (
    Command("step", steps=5),
    Command("set", learning_rate=0.5),
    Command("step", steps=3),
    Command("edit", edit=Edit("W1", 0, 1, 0.25)),
    Command("step", steps=4),
)


def paused_after(job, iteration: int) -> bool:
    return job.status == "paused" and job.log.status.iteration == iteration


async def steered(runner: Runner) -> tuple[list[float], list, list[str]]:
    """A paused job stepped, its learning rate set and a weight edited, then stopped."""
    manager = JobManager(runner=runner)
    try:
        job = manager.create(JobSpec(iterations=1000, speed=None, grid=10, start_paused=True))
        await until(job, lambda: job.status == "paused")
        for command in SCRIPT:
            done = job.log.snapshot()[0].count
            await manager.control(job.id, command, timeout=DEADLINE)
            if command.action == "step":
                last = done + command.steps - 1
                await until(job, lambda last=last: paused_after(job, last))
            if command.action == "edit":
                weights = job.log.weights()
                assert weights is not None and weights.parameters["W1"][0, 1] == 0.25
        await manager.control(job.id, Command("stop"), timeout=DEADLINE)
        assert job.status == "stopped" and job.log.status.iteration == 11
        snapshot, _ = job.log.snapshot()
        events, _ = job.log.read(Cursor())
        statuses = [e.status for e in events if isinstance(e, StatusChange)]
        return job.log.history().costs, snapshot.learning_rates, statuses
    finally:
        await manager.aclose()


async def test_step_set_and_edit_steer_a_job_in_a_worker_as_in_a_thread():
    in_worker = await steered(ProcessRunner(1))
    assert in_worker == await steered(ThreadRunner())
    costs, learning_rates, _ = in_worker
    assert len(costs) == 12 and learning_rates == [(0, 1.2), (5, 0.5)]


async def test_pause_resume_and_stop_act_at_once_in_a_worker():
    manager = JobManager(runner=ProcessRunner(2))
    try:
        job = manager.create(SLOW)
        await until(job, lambda: job.status == "running" and job.log.measure.iteration >= 0)
        await manager.control(job.id, Command("pause"), timeout=DEADLINE)
        assert job.status == "paused"
        paused_at = job.log.status.iteration
        await manager.control(job.id, Command("resume"), timeout=DEADLINE)
        assert job.status == "running"
        await until(job, lambda: job.log.measure.iteration > paused_at)
        await manager.control(job.id, Command("stop"), timeout=DEADLINE)
        assert job.status == "stopped"
    finally:
        await manager.aclose()


async def test_a_killed_worker_fails_its_job_plainly_and_a_new_one_trains_the_next():
    runner = ProcessRunner(1)
    manager = JobManager(runner=runner)
    try:
        job = manager.create(SLOW)
        await until(job, lambda: job.status == "running" and job.log.measure.iteration >= 0)
        _, viewer = job.log.snapshot()  # a viewer watching the run
        [pid] = runner.pids
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        await until(job, lambda: job.final)
        assert (job.status, job.log.status.detail) == ("failed", WORKER_DIED)
        told, _ = job.log.read(viewer)
        assert told[-1] == job.log.status
        assert runner.pids != [pid] and not alive(pid)
        after = await asyncio.wait_for(asyncio.to_thread(runner.wait_ready, DEADLINE), DEADLINE)
        assert after
        again = manager.create(FAST)
        await until(again, lambda: again.final)
        assert again.status == "done" and len(again.log.history().costs) == FAST.iterations
    finally:
        await manager.aclose()


async def test_jobs_go_to_the_least_loaded_worker_and_shutdown_leaves_no_process():
    runner = ProcessRunner(2)
    manager = JobManager(runner=runner)
    pids = runner.pids
    jobs = [manager.create(SLOW), manager.create(SLOW)]
    for job in jobs:
        await until(job, lambda job=job: job.status == "running")
    assert runner.loads == [1, 1]
    await manager.aclose()
    assert [job.status for job in jobs] == ["stopped", "stopped"]
    assert {job.log.status.detail for job in jobs} == {SHUTTING_DOWN}
    assert not any(alive(pid) for pid in pids)
