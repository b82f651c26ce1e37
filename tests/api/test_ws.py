"""The websocket /ws/jobs/{id}: snapshot, progress, statuses, controls, bad input."""

import base64
import contextlib
import time
import warnings

import numpy as np
import pytest
from starlette.exceptions import StarletteDeprecationWarning
from starlette.websockets import WebSocketDisconnect

from app.config import Settings
from app.jobs import messages
from app.nn import datasets, model
from app.nn.trainer import TrainConfig, Trainer
from tests.conftest import KeepsTokens, read_until_closed

with warnings.catch_warnings():  # Starlette would rather have httpx2 under its TestClient
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient, WebSocketDenialResponse

FAST_JOB = {"iterations": 200, "speed": None, "grid": 10}


@pytest.fixture
def client(app):
    with TestClient(app) as client:
        client.event_hooks = KeepsTokens().hooks()
        yield client


def create(client, **body):
    response = client.post("/api/jobs", json={**FAST_JOB, **body})
    assert response.status_code == 201, response.text
    return response.json()


@contextlib.contextmanager
def steer(client, job):
    """A websocket to `job` that steers it: the page sends its token first, as here."""
    with client.websocket_connect(f"/ws/jobs/{job['id']}") as ws:
        ws.send_json({"action": "auth", "token": job["token"]})
        yield ws


def watch_from_the_start(ws):
    """Take the snapshot and status of a job created paused, then let it run."""
    snapshot, status = ws.receive_json(), ws.receive_json()
    assert snapshot["type"] == "snapshot" and status["status"] in {"queued", "paused"}
    ws.send_json({"action": "resume"})
    return [snapshot, status]


def read_until(ws, predicate):
    """Messages up to and including the first one for which predicate(message) holds."""
    received = []
    while True:
        received.append(ws.receive_json())
        if predicate(received[-1]):
            return received


def ws_stop(ws):
    """Stop the job over its owner's socket and read until the close."""
    ws.send_json({"action": "stop"})
    received, code = read_until_closed(ws)
    assert received[-1]["status"] == "stopped" and code == 1000


def costs_in_order(received):
    """Snapshot history plus progress batches, checking each batch starts where it should."""
    assert received[0]["type"] == "snapshot"
    costs = list(received[0]["history"]["cost"])
    for message in received[1:]:
        if message["type"] == "progress":
            assert message["first_iteration"] == len(costs)
            costs += message["cost"]
    return costs


def test_a_viewer_gets_snapshot_status_progress_then_done_and_a_normal_close(client):
    job = create(client, start_paused=True)
    with steer(client, job) as ws:
        first = watch_from_the_start(ws)
        received, code = read_until_closed(ws)
    received = first + received
    assert code == 1000
    assert [m["type"] for m in received[:2]] == ["snapshot", "status"]
    assert received[-1]["type"] == "status" and received[-1]["status"] == "done"
    progress = [m for m in received if m["type"] == "progress"]
    assert progress and all(
        {"first_iteration", "cost", "iteration", "train_accuracy", "test_accuracy"} <= set(m)
        for m in progress
    )
    assert progress[-1]["iteration"] == 199
    assert len(costs_in_order(received)) == 200


def test_progress_carries_the_boundary_the_network_and_the_neurons(client):
    job = create(client, grid=12, hidden_layers=[3, 2], start_paused=True)
    with steer(client, job) as ws:
        watch_from_the_start(ws)
        received, _ = read_until_closed(ws)
    pictures = [m for m in received if m.get("boundary")]
    assert pictures
    boundary = pictures[-1]["boundary"]
    assert boundary["resolution"] == 12 and boundary["encoding"] == "uint8-base64"
    assert {"x_min", "x_max", "y_min", "y_max", "z"} <= set(boundary)
    detailed = [m for m in received if m.get("network")]
    assert detailed[-1]["network"]["layer_dims"] == [2, 3, 2, 1]
    assert [len(layer) for layer in detailed[-1]["neurons"]["layers"]] == [3, 2]


def test_every_iteration_reaches_a_slow_reader_exactly_once_in_order(client):
    job = create(client, iterations=3000, speed=30_000, start_paused=True)
    with (
        steer(client, job) as slow,
        steer(client, job) as fast,
    ):
        slow_first = [slow.receive_json(), slow.receive_json()]
        fast_first = watch_from_the_start(fast)
        fast_received, _ = read_until_closed(fast)
        slow_received, _ = read_until_closed(slow, delay=0.02)
    fast_received, slow_received = fast_first + fast_received, slow_first + slow_received
    assert len([m for m in slow_received if m["type"] == "progress"]) > 1
    assert costs_in_order(slow_received) == costs_in_order(fast_received)
    assert len(costs_in_order(slow_received)) == 3000
    assert None not in costs_in_order(slow_received)


def test_many_viewers_all_see_the_same_run(client):
    job = create(client, iterations=500, speed=20_000, start_paused=True)
    with contextlib.ExitStack() as stack:
        viewers = [stack.enter_context(steer(client, job)) for _ in range(6)]
        firsts = [[ws.receive_json(), ws.receive_json()] for ws in viewers]
        client.post(f"/api/jobs/{job['id']}/control", json={"action": "resume"})
        runs = []
        for ws, first in zip(viewers, firsts, strict=True):
            received, code = read_until_closed(ws)
            assert code == 1000
            runs.append(costs_in_order(first + received))
    assert all(run == runs[0] for run in runs) and len(runs[0]) == 500


def test_a_late_viewer_gets_the_whole_run_its_final_status_and_the_close(client):
    job = create(client)
    while client.get(f"/api/jobs/{job['id']}").json()["status"] != "done":
        time.sleep(0.01)
    with steer(client, job) as ws:
        received, code = read_until_closed(ws)
    assert [m["type"] for m in received] == ["snapshot", "status"]
    snapshot = received[0]
    assert snapshot["history"]["iteration"] == list(range(200))
    assert len(snapshot["history"]["cost"]) == 200
    assert snapshot["job"]["status"] == "done" and snapshot["boundary"] is not None
    assert received[1]["status"] == "done" and code == 1000


def test_a_compact_snapshot_counts_its_iterations_instead_of_listing_them(client):
    job = create(client)
    while client.get(f"/api/jobs/{job['id']}").json()["status"] != "done":
        time.sleep(0.01)
    with client.websocket_connect(f"/ws/jobs/{job['id']}") as ws:
        full = read_until_closed(ws)[0][0]["history"]
    with client.websocket_connect(f"/ws/jobs/{job['id']}?history=compact") as ws:
        compact = read_until_closed(ws)[0][0]["history"]
    assert "iteration" not in compact
    assert compact["first_iteration"] == 0 and compact["count"] == 200
    del full["iteration"], compact["first_iteration"], compact["count"]
    assert compact == full  # the costs and every other series alike


@pytest.fixture
def short_previews(monkeypatch):
    """Previews of runs past 32 iterations (16 stretches), so that a short job has one."""
    monkeypatch.setattr(messages, "PREVIEW_STRETCHES", 16)


def test_a_preview_snapshot_is_followed_by_every_cost_then_the_rest(client, short_previews):
    job = create(client)
    while client.get(f"/api/jobs/{job['id']}").json()["status"] != "done":
        time.sleep(0.01)
    with client.websocket_connect(f"/ws/jobs/{job['id']}") as ws:
        full = read_until_closed(ws)[0][0]["history"]
    with client.websocket_connect(f"/ws/jobs/{job['id']}?history=preview") as ws:
        received, code = read_until_closed(ws)
    assert [m["type"] for m in received] == ["snapshot", "history", "status"] and code == 1000
    preview, history = received[0]["history"], received[1]
    assert preview["preview"] is True and preview["count"] == 200
    kept = preview["iteration"]
    assert kept[0] == 0 and kept[-1] == 199 and len(kept) <= 2 * 16 + 2
    assert preview["cost"] == [full["cost"][i] for i in kept]
    assert history == {"type": "history", "first_iteration": 0, "count": 200, "cost": full["cost"]}
    for series in ("iteration", "cost", "preview", "count"):
        full.pop(series, None), preview.pop(series)
    assert preview == full  # every other series whole


def test_a_short_runs_preview_snapshot_is_its_compact_one(client):
    job = create(client)
    while client.get(f"/api/jobs/{job['id']}").json()["status"] != "done":
        time.sleep(0.01)
    with client.websocket_connect(f"/ws/jobs/{job['id']}?history=compact") as ws:
        compact = read_until_closed(ws)[0]
    with client.websocket_connect(f"/ws/jobs/{job['id']}?history=preview") as ws:
        preview = read_until_closed(ws)[0]
    assert [m["type"] for m in preview] == ["snapshot", "status"]
    assert preview == compact


def test_a_viewer_who_joins_mid_run_gets_its_preview_then_every_cost_once(client, short_previews):
    job = create(client, iterations=900, start_paused=True)
    expected = [
        s.cost for s in Trainer(TrainConfig(iterations=900), *datasets.make("flower")).steps()
    ]
    control = f"/api/jobs/{job['id']}/control"
    client.post(control, json={"action": "step", "steps": 500})
    while client.get(f"/api/jobs/{job['id']}").json()["iteration"] < 499:
        time.sleep(0.01)
    with client.websocket_connect(f"/ws/jobs/{job['id']}?history=preview") as ws:
        client.post(control, json={"action": "resume"})
        received, code = read_until_closed(ws)
    assert received[0]["history"]["preview"] and received[1]["type"] == "history"
    costs = list(received[1]["cost"])
    for message in received[2:]:
        if message["type"] == "progress":
            assert message["first_iteration"] == len(costs)
            costs += message["cost"]
    assert costs == expected and code == 1000


def test_an_unknown_history_form_is_refused_with_400_naming_the_forms(client):
    job = create(client)
    url = f"/ws/jobs/{job['id']}?history=all"
    with pytest.raises(WebSocketDenialResponse) as refused, client.websocket_connect(url):
        pass
    assert refused.value.status_code == 400
    assert refused.value.json() == {
        "detail": "history must be one of full, compact, preview, not 'all'."
    }


def test_viewers_who_join_mid_run_get_every_cost_once_from_their_snapshot_on(client):
    job = create(client, iterations=900, start_paused=True)
    url, control = f"/ws/jobs/{job['id']}", f"/api/jobs/{job['id']}/control"
    expected = [
        s.cost for s in Trainer(TrainConfig(iterations=900), *datasets.make("flower")).steps()
    ]
    with contextlib.ExitStack() as stack:
        viewers = []
        for done in (200, 500):  # a viewer joins, then the job runs on to `done` iterations
            viewers.append(stack.enter_context(client.websocket_connect(url)))
            steps = done - client.get(f"/api/jobs/{job['id']}").json()["iteration"] - 1
            client.post(control, json={"action": "step", "steps": steps})
            while client.get(f"/api/jobs/{job['id']}").json()["iteration"] < done - 1:
                time.sleep(0.01)
        viewers.append(stack.enter_context(client.websocket_connect(url)))
        client.post(control, json={"action": "resume"})
        runs = [read_until_closed(ws) for ws in viewers]
    for (received, code), joined in zip(runs, (0, 200, 500), strict=True):
        assert len(received[0]["history"]["cost"]) == joined
        assert costs_in_order(received) == expected and code == 1000


def test_the_boundary_is_p_of_y_equals_1_on_the_contracts_grid(client):
    """z: base64 of R*R bytes, row i at y_i, column j at x_j, byte = round(255 P(y=1))."""
    job = create(client, iterations=150, grid=11, dataset="moons", hidden_layers=[5, 3])
    with steer(client, job) as ws:
        received, _ = read_until_closed(ws)
    b = [m for m in received if m.get("boundary")][-1]["boundary"]  # the final weights'
    R = b["resolution"]
    assert R == 11 and b["encoding"] == "uint8-base64"
    xs = [b["x_min"] + j * (b["x_max"] - b["x_min"]) / (R - 1) for j in range(R)]
    ys = [b["y_min"] + i * (b["y_max"] - b["y_min"]) / (R - 1) for i in range(R)]
    points = np.array([[x, y] for y in ys for x in xs]).T  # row-major: row i is ys[i]
    trainer = Trainer(TrainConfig(layer_dims=(2, 5, 3, 1), iterations=150), *datasets.make("moons"))
    for _ in trainer.steps():
        pass
    P, _ = model.forward_propagation(points, trainer.parameters, "tanh")
    assert list(base64.b64decode(b["z"])) == [round(255 * p) for p in P[0]]


def test_controls_over_the_socket(client):
    job = create(client, iterations=10_000, start_paused=True)
    with steer(client, job) as ws:
        read_until(ws, lambda m: m["type"] == "status" and m["status"] == "paused")
        ws.send_json({"action": "step", "steps": 4})
        stepped = read_until(ws, lambda m: m.get("status") == "paused")
        assert [m["status"] for m in stepped if m["type"] == "status"] == ["running", "paused"]
        assert [m for m in stepped if m["type"] == "progress"][-1]["iteration"] == 3
        ws.send_json({"action": "set", "learning_rate": 0.25})
        ws.send_json({"action": "resume"})
        read_until(ws, lambda m: m.get("status") == "running")
        ws.send_json({"action": "stop"})
        received, code = read_until_closed(ws)
    assert received[-1]["status"] == "stopped" and code == 1000
    assert client.get(f"/api/jobs/{job['id']}").json()["config"]["learning_rate"] == 0.25


@pytest.mark.parametrize(
    "message, says",
    [
        ("pause please", "not JSON"),
        ('{"action": "jump"}', "action"),
        ('{"action": "step", "steps": 0}', "steps"),
        ('{"action": "step", "steps": 10000000}', "GRADLIVE_MAX_ITERATIONS"),
        ('{"action": "set"}', "learning_rate or speed"),
        ('{"action": "set", "speed": 1e-10}', "speed: Input should be at least 1"),
        ('{"action": "set", "speed": 1e-10}', "GRADLIVE_MIN_SPEED"),
        ('["pause"]', "JSON object"),
        (b"\x00\x01", "JSON text"),
        ('{"action": "pause", "pad": "' + "x" * 20_000 + '"}', "larger than"),
    ],
)
def test_a_bad_message_gets_an_error_and_the_connection_stays(client, message, says):
    job = create(client, iterations=10_000, start_paused=True)
    with steer(client, job) as ws:
        read_until(ws, lambda m: m["type"] == "status")
        if isinstance(message, bytes):
            ws.send_bytes(message)
        else:
            ws.send_text(message)
        error = read_until(ws, lambda m: m["type"] == "error")[-1]
        assert says in error["detail"]
        ws.send_json({"action": "stop"})  # still listening
        received, code = read_until_closed(ws)
    assert received[-1]["status"] == "stopped" and code == 1000


def test_an_unknown_job_gets_404_and_a_closed_websocket(client):
    with pytest.raises(WebSocketDenialResponse) as refused, client.websocket_connect("/ws/jobs/x"):
        pass
    assert refused.value.status_code == 404
    assert refused.value.json() == {"detail": "Job not found"}
    assert isinstance(refused.value, WebSocketDisconnect)


def test_deleting_a_watched_job_tells_its_viewers(client):
    job = create(client, iterations=10_000, speed=50)
    with steer(client, job) as ws:
        read_until(ws, lambda m: m["type"] == "status")
        assert client.delete(f"/api/jobs/{job['id']}").status_code == 204
        received, code = read_until_closed(ws)
    assert received[-1]["status"] == "stopped" and "deleted" in received[-1]["detail"]
    assert code == 1000


def test_a_job_goes_on_when_its_viewers_leave(client):
    job = create(client, iterations=3000, speed=20_000, start_paused=True)
    with steer(client, job) as ws:
        watch_from_the_start(ws)
    while (state := client.get(f"/api/jobs/{job['id']}").json())["status"] != "done":
        time.sleep(0.01)
    assert state["iteration"] == 2999
    with steer(client, job) as ws:
        received, code = read_until_closed(ws)
    assert len(received[0]["history"]["cost"]) == 3000 and code == 1000


def test_the_message_limit_counts_bytes_not_characters(client, settings):
    job = create(client, iterations=10_000, start_paused=True)
    text = '{"action": "pause", "pad": "' + "€" * 6_000 + '"}'  # 6,000 characters
    assert len(text) < settings.MAX_REQUEST_BYTES < len(text.encode())  # 18,000 bytes
    with steer(client, job) as ws:
        read_until(ws, lambda m: m["type"] == "status")
        ws.send_text(text)
        ws.send_text("a marker")  # not JSON: an error in any case, so the test cannot hang
        received = read_until(ws, lambda m: "not JSON" in m.get("detail", ""))
    errors = [m["detail"] for m in received if m["type"] == "error"]
    assert len(errors) == 2 and "larger than 16384 bytes" in errors[0]


@pytest.mark.parametrize(
    "message, says",
    [
        ('{"action": "set", "learning_rate": NaN}', "learning_rate: Input should be a finite"),
        ('{"action": "set", "speed": Infinity}', "speed: Input should be a finite"),
        ("[" * 5000 + "]" * 5000, "nested too deeply"),
        ('{"action": ' + "[" * 900 + "]" * 900 + "}", "action"),
        ('{"action": "step", "steps": ' + "9" * 5000 + "}", "too many digits"),
        ('{"action": "step", "steps": true}', "steps: Input should be a number"),
        ('{"action": "\\ud800"}', "action: Input should be"),
        ('{"action": "set", "\\ud800": 1}', "lone surrogate"),
        ('{"action": "set", "speed": "\\udfff"}', "speed"),
        ("", "not JSON"),
    ],
)
def test_abusive_messages_get_an_error_and_the_connection_stays(client, message, says):
    job = create(client, iterations=10_000, start_paused=True)
    with steer(client, job) as ws:
        read_until(ws, lambda m: m["type"] == "status")
        ws.send_text(message)
        error = read_until(ws, lambda m: m["type"] == "error")[-1]
        assert says in error["detail"]
        ws.send_json({"action": "stop"})
        received, code = read_until_closed(ws)
    assert received[-1]["status"] == "stopped" and code == 1000


def test_a_flood_of_commands_is_applied_in_order_and_the_server_still_answers(client):
    job = create(client, iterations=20_000, speed=1000, start_paused=True)
    with steer(client, job) as ws:
        read_until(ws, lambda m: m["type"] == "status")
        for i in range(300):
            ws.send_json({"action": ("resume", "pause", "step")[i % 3]})
        ws.send_json({"action": "set", "learning_rate": 0.125})
        ws.send_json({"action": "stop"})
        received, code = read_until_closed(ws)
    assert received[-1]["status"] == "stopped" and code == 1000
    assert not [m for m in received if m["type"] == "error"]
    assert client.get("/healthz").status_code == 200
    assert client.get(f"/api/jobs/{job['id']}").json()["config"]["learning_rate"] == 0.125


def test_resuming_over_the_socket_in_a_full_server_is_an_error_and_the_job_stays_paused(
    client, settings
):
    job = create(client, iterations=10_000, start_paused=True)
    others = [create(client, iterations=20_000, speed=20) for _ in range(settings.MAX_RUNNING_JOBS)]
    with steer(client, job) as ws:
        read_until(ws, lambda m: m.get("status") == "paused")
        ws.send_json({"action": "resume"})
        error = read_until(ws, lambda m: m["type"] == "error")[-1]
        assert "stays paused" in error["detail"]
        client.delete(f"/api/jobs/{others[0]['id']}")
        ws.send_json({"action": "resume"})
        read_until(ws, lambda m: m.get("status") == "running")
        ws.send_json({"action": "stop"})
        read_until_closed(ws)


@pytest.mark.parametrize("settings", [Settings(IDLE_TIMEOUT=1.0)])
def test_a_job_pauses_when_its_owners_page_closes_and_resumes_when_it_is_back(client):
    job = create(client, iterations=100_000, speed=50)
    with client.websocket_connect(f"/ws/jobs/{job['id']}") as watcher:
        with steer(client, job) as owner:
            read_until(owner, lambda m: m.get("status") == "running")
        # Only a watcher is left: the job pauses, and every viewer is told why.
        paused = read_until(watcher, lambda m: m.get("status") == "paused")[-1]
        assert paused["detail"] == (
            "Paused: its owner's page was closed for 1 second. It resumes when they open it again."
        )
        with steer(client, job) as owner:
            resumed = read_until(owner, lambda m: m.get("status") == "running")[-1]
            assert resumed["detail"] == "Resumed: its owner's page is open again."
            ws_stop(owner)


@pytest.mark.parametrize("settings", [Settings(IDLE_TIMEOUT=1.0, MAX_RUNNING_JOBS=1)])
def test_an_owner_back_on_a_full_server_is_told_to_press_resume_later(client):
    job = create(client, iterations=100_000, speed=50)
    with client.websocket_connect(f"/ws/jobs/{job['id']}") as watcher:
        read_until(watcher, lambda m: m.get("status") == "paused")  # its owner never came
    other = create(client, iterations=100_000, speed=50)  # takes the one training place
    with steer(client, other) as other_owner, steer(client, job) as owner:
        error = read_until(owner, lambda m: m["type"] == "error")[-1]
        assert "server is full" in error["detail"] and "press Resume" in error["detail"]
        ws_stop(other_owner)
        owner.send_json({"action": "resume"})
        read_until(owner, lambda m: m.get("status") == "running")
        ws_stop(owner)


def test_viewers_are_counted_while_they_watch_and_not_after(client, app):
    manager = app.state.manager
    job = create(client, iterations=10_000, start_paused=True)
    for _ in range(50):  # connect and leave in a tight loop
        with steer(client, job) as ws:
            ws.receive_json()
    with (
        steer(client, job) as first,
        steer(client, job) as second,
    ):
        first.receive_json(), second.receive_json()
        assert manager.viewers == 2 and manager.get(job["id"]).viewers == 2
    while manager.viewers:  # the server notices the close a moment later
        time.sleep(0.01)
    assert manager.get(job["id"]).viewers == 0


@pytest.mark.parametrize("settings", [Settings(MAX_SEND_RATE=1.0, MAX_ITERATIONS=20_000)])
def test_with_more_viewers_than_the_send_rate_allows_each_gets_every_cost_in_bigger_batches(
    client, settings
):
    job = create(client, iterations=2000, speed=4000, start_paused=True)
    with (
        steer(client, job) as ws,
        steer(client, job) as other,
    ):
        first = watch_from_the_start(ws)
        received, code = read_until_closed(ws)
        read_until_closed(other)
    costs = costs_in_order(first + received)
    assert len(costs) == 2000 and None not in costs and code == 1000


def test_the_gap_between_messages_grows_with_the_readers_beyond_the_send_rate():
    from app.api.ws import SendBudget

    now = [0.0]
    budget = SendBudget(send_rate=600, progress_rate=20, clock=lambda: now[0])
    viewers = [object() for _ in range(600)]
    with contextlib.ExitStack() as stack:
        for viewer in viewers:
            stack.enter_context(budget.member(viewer))
        assert [budget.sent(v) for v in viewers[:30]][-1] == 0.0  # 30 x 20 a second fit in 600
        assert budget.sent(viewers[30]) == pytest.approx(31 / 600)
        gaps = [budget.sent(v) for v in viewers[31:60]]
        assert gaps[-1] == pytest.approx(0.1) and budget.readers() == 60
        assert [budget.sent(v) for v in viewers[60:]][-1] == pytest.approx(1.0)


def test_viewers_who_read_nothing_take_no_share_of_the_send_rate():
    from app.api.ws import SendBudget

    now = [0.0]
    budget = SendBudget(send_rate=600, progress_rate=20, clock=lambda: now[0])
    idle, reading = [object() for _ in range(1200)], object()
    with contextlib.ExitStack() as stack:
        for viewer in [*idle, reading]:
            stack.enter_context(budget.member(viewer))
        assert budget.readers() == 0  # connected, never sent a progress message
        assert budget.sent(reading) == 0.0
        for viewer in idle:  # each is sent one message, then reads no more (its send blocks)
            budget.sent(viewer)
        assert budget.sent(reading) == pytest.approx(1201 / 600)  # 0.5 a second
        now[0] += 2.1 + SendBudget.READING  # past the longest gap, and a second more
        assert budget.sent(reading) == 0.0 and budget.readers() == 1
    assert budget.readers() == 0


# Frames at exactly the send budget's rate: through a broker they come in small bursts.
@pytest.mark.single_machine
@pytest.mark.parametrize(
    "settings", [Settings(MAX_SEND_RATE=20, PROGRESS_RATE=20, MAX_ITERATIONS=20_000)]
)
def test_idle_sockets_do_not_slow_down_a_viewer_who_reads(client, app, settings):
    from app.api.ws import SendBudget

    gaps = []

    class RecordingBudget(SendBudget):
        def sent(self, viewer):
            gaps.append(super().sent(viewer))
            return gaps[-1]

    app.state.send_budget = RecordingBudget(settings.MAX_SEND_RATE, settings.PROGRESS_RATE)
    paused = create(client, iterations=10_000, start_paused=True)
    job = create(client, iterations=2000, speed=4000, start_paused=True)
    with contextlib.ExitStack() as stack:
        for _ in range(6):  # connected to a paused job: nothing flows to them
            idle = stack.enter_context(steer(client, paused))
            idle.receive_json(), idle.receive_json()
        ws = stack.enter_context(steer(client, job))
        first = watch_from_the_start(ws)
        assert app.state.manager.viewers == 7
        received, code = read_until_closed(ws)
    assert len(costs_in_order(first + received)) == 2000 and code == 1000
    # One reader: 20 messages a second fit in the budget, so it never waits (7 sockets
    # counted as readers would each wait 7/20 s).
    assert gaps and set(gaps) == {0.0}


@pytest.mark.parametrize(
    "settings",
    [Settings(MAX_VIEWERS=3, MAX_VIEWERS_PER_JOB=2, MAX_ITERATIONS=20_000, RETRY_AFTER=7)],
)
def test_viewers_beyond_the_bounds_are_refused_at_the_handshake(client, app, settings):
    first, second = (create(client, iterations=10_000, start_paused=True) for _ in range(2))

    def refusal(job):
        with (
            pytest.raises(WebSocketDenialResponse) as refused,
            steer(client, job),
        ):
            pass
        assert refused.value.status_code == 429
        assert refused.value.headers["retry-after"] == "7"
        return refused.value.json()["detail"]

    with contextlib.ExitStack() as stack:
        for _ in range(2):
            stack.enter_context(steer(client, first)).receive_json()
        assert "GRADLIVE_MAX_VIEWERS_PER_JOB" in refusal(first)
        stack.enter_context(steer(client, second)).receive_json()
        assert "GRADLIVE_MAX_VIEWERS)" in refusal(second)
        assert "3 viewers" in refusal(first)
    deadline = time.monotonic() + 10
    while app.state.manager.viewers and time.monotonic() < deadline:
        time.sleep(0.01)  # the server notices the closes a moment later
    with steer(client, first) as ws:  # room again
        assert ws.receive_json()["type"] == "snapshot"
