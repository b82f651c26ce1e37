"""The store: a job's whole log round-trips, saves are batched, old jobs are pruned."""

import asyncio
import math
import sqlite3
import time

import numpy as np
import pytest

from app.jobs.job import Job
from app.jobs.log import JobLog, Measure
from app.jobs.messages import snapshot_message
from app.jobs.spec import DataSplit, JobSpec
from app.jobs.store import DB_NAME, JobStore

SPEC = JobSpec(n_samples=40, test_fraction=0.25, grid=10).resolved()
DATA = DataSplit.make(SPEC)


@pytest.fixture
def loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture
def path(tmp_path):
    return tmp_path / "data" / DB_NAME


def open_store(path, max_jobs=100):
    # A long interval: these tests save with flush(), so each save is one they asked for.
    return JobStore(path, max_jobs=max_jobs, save_interval=60)


@pytest.fixture
def store(path):
    store = open_store(path)
    yield store
    store.close()


def new_job(loop, job_id, store=None, owner_hash="hash"):
    on_status = (lambda: store.poke(job_id)) if store else None
    return Job(job_id, SPEC, DATA, JobLog(loop, on_status), owner_hash=owner_hash, learner="Ada")


def train(job, first, count, alpha=1.2, chunk=20):
    """Append `count` costs from iteration `first` on, in chunks as the runner writes them."""
    for start in range(first, first + count, chunk):
        costs = [1 / (1 + i) for i in range(start, min(start + chunk, first + count))]
        last = start + len(costs) - 1
        tested = Measure(last, costs[-1], 0.75, 0.5, 0.6, train_cost=0.4, learning_rate=alpha)
        boundary = {"resolution": 2, "z": f"picture after {last}"}
        details = {"network": {"last": last}, "neurons": None}
        weights = {"W1": np.full((4, 2), last / 3), "b1": np.zeros((4, 1))}
        job.log.append(start, costs, tested, boundary, details, weights)


def restored(loop, stored):
    spec = JobSpec.from_dict(stored.spec).resolved()
    return Job(
        stored.id,
        spec,
        DataSplit.make(spec),
        JobLog.restored(loop, stored.saved),
        learner=stored.learner,
        owner_hash=stored.owner_hash,
        created_at=stored.created_at,
    )


def snapshot_of(job):
    return snapshot_message(job, job.log.snapshot()[0])


def test_a_long_run_comes_back_exactly_as_viewers_saw_it(loop, store):
    job = new_job(loop, "long", store)
    store.track(job)
    job.log.set_status("running", "Training.")
    job.log.append(0, [], Measure(-1, None, 0.5, 0.5, 0.7, 0.7, 1.2), {"z": "initial"})
    train(job, 0, 30_000)
    store.flush()
    train(job, 30_000, 20_000, alpha=0.3)  # a change of learning rate
    job.log.append(50_000, [0.1, math.inf, math.nan], Measure(50_002, math.nan, 0.5, 0.5, None))
    job.log.set_status("diverged", "The cost became NaN.")
    assert store.flush()

    stored = store.load("long")
    assert stored.saved.count == 50_003 and stored.owner_hash == "hash"
    back = restored(loop, stored)
    assert snapshot_of(back) == snapshot_of(job)  # costs, points, pictures, status, job
    before, _ = job.log.snapshot()
    after, _ = back.log.snapshot()
    assert after.learning_rates == [(0, 1.2), (30_000, 0.3)]
    assert after.test_iterations == before.test_iterations and len(after.train_costs) == 2_502
    assert back.log.weights().iteration == 49_999
    W1 = back.log.weights().parameters["W1"]
    np.testing.assert_array_equal(W1, np.full((4, 2), 49_999 / 3))
    assert back.summary() == job.summary()
    with sqlite3.connect(store.path) as db:  # a segment per save (5 at most here), not per chunk
        (segments,) = db.execute("SELECT count(*) FROM segments").fetchone()
    assert 2 <= segments <= 5


def test_the_database_is_in_wal_mode(store):
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_status_change_is_saved_at_once_without_waiting_for_the_interval(loop, store):
    job = new_job(loop, "quick", store)
    store.track(job)
    train(job, 0, 60)
    job.log.set_status("done", "Done: 60 iterations.")
    deadline = time.monotonic() + 30  # the writer's turn comes in milliseconds, not in 60 s
    with sqlite3.connect(store.path) as db:
        while (row := saved_status(db, "quick")) != ("done", 60) and time.monotonic() < deadline:
            time.sleep(0.01)
    assert row == ("done", 60)


def saved_status(db, job_id):
    return db.execute("SELECT status, iterations FROM jobs WHERE id = ?", (job_id,)).fetchone()


def test_a_job_left_training_comes_back_interrupted_with_what_was_saved(loop, path):
    first = open_store(path)
    job = new_job(loop, "lost", first)
    first.track(job)
    job.log.set_status("running", "Training.")
    train(job, 0, 300)
    first.flush()
    train(job, 300, 100)  # never saved: the server dies here (its writer is left behind)

    again = open_store(path)
    stored = again.load("lost")
    assert stored.saved.status.status == "interrupted" and stored.saved.count == 300
    assert "server restarted" in stored.saved.status.detail
    assert "first 300 iterations" in stored.saved.status.detail
    assert stored.saved.status.iteration == 299
    again.close()
    first.close()


def test_jobs_the_shutdown_stopped_are_kept_as_interrupted(loop, path):
    store = open_store(path)
    stopped, done = new_job(loop, "stopped", store), new_job(loop, "done", store)
    for job in (stopped, done):
        store.track(job)
        train(job, 0, 40)
    stopped.log.set_status("stopped", "The server is shutting down.")
    done.log.set_status("done", "Done: 40 iterations.")
    store.close(interrupted=frozenset({"stopped", "done"}))

    again = open_store(path)
    assert again.load("stopped").saved.status.status == "interrupted"
    assert again.load("done").saved.status.status == "done"  # it had finished by then
    again.close()


def finished_job(loop, store, job_id, status="done"):
    job = new_job(loop, job_id, store)
    store.track(job)
    train(job, 0, 20)
    if status != "running":
        job.log.set_status(status, "")
    return job


def test_the_oldest_finished_jobs_are_pruned_first(loop, path):
    store = open_store(path, max_jobs=3)
    finished_job(loop, store, "old-running", status="running")
    for name in ("a", "b", "c", "d"):
        finished_job(loop, store, name)
    store.flush()
    assert store.ids() == ["old-running", "c", "d"]  # unfinished jobs are kept
    with sqlite3.connect(store.path) as db:  # their costs went with them
        assert {r[0] for r in db.execute("SELECT DISTINCT job_id FROM segments")} == {
            "old-running",
            "c",
            "d",
        }
    store.close()


def test_a_forgotten_job_is_deleted_with_its_costs(loop, store):
    finished_job(loop, store, "gone")
    finished_job(loop, store, "kept")
    store.flush()
    store.forget("gone")
    assert store.load("gone") is None  # at once, before the writer has deleted its row
    assert [j.id for j in store.newest(10)] == ["kept"]
    store.flush()
    assert store.load("gone") is None and store.ids() == ["kept"]
    with sqlite3.connect(store.path) as db:
        assert db.execute("SELECT DISTINCT job_id FROM segments").fetchall() == [("kept",)]


def test_newest_reads_back_the_last_jobs_oldest_first(loop, store):
    for name in ("a", "b", "c"):
        finished_job(loop, store, name)
    store.flush()
    assert [j.id for j in store.newest(2)] == ["b", "c"]


def test_a_data_dir_that_cannot_be_written_stops_the_server_saying_which_setting(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    with pytest.raises(RuntimeError, match="GRADLIVE_DATA_DIR"):
        open_store(blocked / DB_NAME)


def test_a_job_is_its_own_copy_until_the_store_has_saved_its_end(loop, store):
    job = new_job(loop, "live", store)
    store.track(job)
    assert store.unsaved("live") is job  # the manager reads it, not an older row
    train(job, 0, 20)
    job.log.set_status("done", "")
    store.flush()
    assert store.unsaved("live") is None and store.load("live").saved.count == 20
