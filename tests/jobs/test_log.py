"""The frame log: chunks in order, statuses in place, latest-wins pictures, cursors."""

import asyncio
import json
import math
import threading

import pytest

from app.jobs.log import Cursor, JobLog, Measure, Progress, StatusChange


def measure(iteration: int) -> Measure:
    return Measure(iteration, 0.5, 0.9, None, None)


def costs_of(entries) -> list:
    out = []
    for entry in entries:
        if isinstance(entry, Progress) and entry.count:
            out += json.loads(f"[{entry.costs_json}]")
    return out


@pytest.fixture
def log():
    loop = asyncio.new_event_loop()
    yield JobLog(loop)
    loop.close()


def test_a_new_log_is_queued_and_empty(log):
    snapshot, cursor = log.snapshot()
    assert snapshot.status.status == "queued" and snapshot.count == 0
    assert snapshot.boundary is None and snapshot.measure.iteration == -1
    assert log.read(cursor) == ([], cursor)


def test_reads_merge_chunks_and_keep_statuses_in_place(log):
    log.set_status("running", "")
    log.append(0, [0.7, 0.6], measure(1))
    log.append(2, [0.5], measure(2))
    log.set_status("paused", "")
    log.append(3, [0.4], measure(3))
    entries, cursor = log.read(Cursor())
    kinds = [type(e).__name__ for e in entries]
    assert kinds == ["StatusChange", "Progress", "StatusChange", "Progress"]
    first = entries[1]
    assert (first.first_iteration, first.count, first.measure.iteration) == (0, 3, 2)
    assert entries[2] == StatusChange("paused", "", 2)
    assert costs_of(entries) == [0.7, 0.6, 0.5, 0.4]
    assert log.read(cursor) == ([], cursor)


def test_a_cursor_reads_only_what_came_after_it(log):
    log.append(0, [1.0, 2.0], measure(1))
    _, cursor = log.read(Cursor())
    log.append(2, [3.0], measure(2))
    entries, _ = log.read(cursor)
    assert costs_of(entries) == [3.0]
    assert entries[0].first_iteration == 2


def test_pictures_are_latest_wins_and_sent_once(log):
    log.append(0, [1.0], measure(0), boundary={"z": "a"}, details={"network": 1, "neurons": 2})
    log.append(1, [2.0], measure(1), boundary={"z": "b"})
    entries, cursor = log.read(Cursor())
    (progress,) = entries
    assert json.loads("{" + progress.boundary.members + "}") == {"boundary": {"z": "b"}}
    assert json.loads("{" + progress.details.members + "}") == {"network": 1, "neurons": 2}
    log.append(2, [3.0], measure(2))
    (progress,), _ = log.read(cursor)
    assert progress.boundary is None and progress.details is None


def test_pictures_ride_on_the_last_progress_of_a_read(log):
    log.append(0, [1.0], measure(0), boundary={"z": "a"})
    log.set_status("paused", "")
    entries, _ = log.read(Cursor())
    assert entries[0].boundary is not None


def test_the_snapshot_holds_the_whole_run_and_its_cursor_continues_it(log):
    log.set_status("running", "")
    log.append(0, [], measure(-1), boundary={"z": "0"})
    log.append(0, [0.7, float("nan")], Measure(1, None, 0.5, 0.25, float("inf")))
    snapshot, cursor = log.snapshot()
    assert snapshot.count == 2
    assert json.loads(f"[{snapshot.costs_json}]") == [0.7, None]  # JSON has no NaN
    assert snapshot.test_iterations == [1] and snapshot.test_costs == [None]
    assert snapshot.status.status == "running" and snapshot.boundary is not None
    assert log.read(cursor) == ([], cursor)
    log.append(2, [0.1], measure(2))
    assert costs_of(log.read(cursor)[0]) == [0.1]


def test_after_a_final_status_nothing_more_is_written(log):
    log.append(0, [1.0], measure(0))
    assert log.set_status("done", "Done.")
    assert not log.set_status("stopped", "late")
    log.append(1, [2.0], measure(1))
    snapshot, _ = log.snapshot()
    assert snapshot.count == 1 and snapshot.status.status == "done" and log.final


def test_chunks_must_continue_the_log(log):
    log.append(0, [1.0], measure(0))
    with pytest.raises(ValueError, match="expected 1"):
        log.append(5, [1.0], measure(5))
    with pytest.raises(ValueError, match="unknown status"):
        log.set_status("sleeping", "")


@pytest.mark.anyio
async def test_waiting_viewers_wake_when_another_thread_appends():
    log = JobLog(asyncio.get_running_loop())
    _, cursor = log.snapshot()
    writer = threading.Thread(target=log.append, args=(0, [0.5], measure(0)))
    waiting = asyncio.ensure_future(log.wait(cursor))
    await asyncio.sleep(0)
    assert not waiting.done()
    writer.start()
    await asyncio.wait_for(waiting, timeout=10)
    writer.join()
    assert log.beyond(cursor)


def test_a_read_never_merges_chunks_across_a_change_of_learning_rate(log):
    def at(iteration, alpha):
        return Measure(iteration, 0.5, 0.9, None, None, train_cost=0.4, learning_rate=alpha)

    log.append(0, [], at(-1, 1.2))
    log.append(0, [0.7, 0.6], at(1, 1.2))
    log.append(2, [0.5], at(2, 1.2))
    log.append(3, [0.4, 0.3], at(4, 0.5))
    log.append(5, [0.2], at(5, 0.5))
    entries, _ = log.read(Cursor())
    runs = [(e.first_iteration, e.count, e.measure.learning_rate) for e in entries]
    assert runs == [(0, 3, 1.2), (3, 3, 0.5)]
    snapshot, _ = log.snapshot()
    assert snapshot.learning_rates == [(0, 1.2), (3, 0.5)]
    assert snapshot.train_iterations == [-1, 1, 2, 4, 5]
    assert snapshot.train_costs == [0.4] * 5


def test_an_alpha_changed_before_any_iteration_ran_replaces_the_first(log):
    log.append(0, [], Measure(-1, None, None, None, None, learning_rate=1.2))
    log.append(0, [0.7], Measure(0, 0.7, 0.5, None, None, learning_rate=0.1))
    snapshot, _ = log.snapshot()
    assert snapshot.learning_rates == [(0, 0.1)]


def test_the_history_keeps_every_cost_at_full_precision_nan_and_inf_included(log):
    log.append(0, [], Measure(-1, None, 0.5, 0.5, 0.69))
    log.append(0, [0.1 + 0.2, 1 / 3], Measure(1, 1 / 3, 0.5, 0.5, float("inf")))
    log.append(2, [float("nan")], Measure(2, float("nan"), 0.5, 0.5, 0.25))
    history = log.history()
    assert history.costs[:2] == [0.1 + 0.2, 1 / 3] and math.isnan(history.costs[2])
    assert history.test_iterations == [-1, 1, 2]
    assert history.test_costs == [0.69, float("inf"), 0.25]
    snapshot, _ = log.snapshot()
    assert snapshot.test_costs == [0.69, None, 0.25]  # JSON still has no NaN


def test_values_are_every_cost_as_floats_read_once_per_chunk(log):
    log.append(0, [0.7, 0.6], measure(1))
    log.append(2, [0.5, math.inf], measure(3))
    values = log.values(4)
    assert values[:3].tolist() == [0.7, 0.6, 0.5] and math.isnan(values[3])  # JSON's null
    assert log.values(2).tolist() == [0.7, 0.6]
    log.append(4, [0.4], measure(4))
    assert log.values(5)[4] == 0.4  # the new chunk, read on the next call
