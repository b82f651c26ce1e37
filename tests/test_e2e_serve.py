"""End to end: `python -m app serve` in a subprocess, a job followed over a real websocket."""

import asyncio
import contextlib
import json
import os
import signal
import socket
import sqlite3
import time
from pathlib import Path

import httpx
import pytest
import websockets

from app.jobs.spec import DataSplit, JobSpec
from app.jobs.store import DB_NAME
from app.nn.trainer import Trainer
from tests.conftest import ADMIN, alive, serving


async def follow(base: str) -> tuple[dict, list[dict], int | None]:
    async with httpx.AsyncClient(base_url=base) as client:
        body = {"iterations": 400, "speed": None, "start_paused": True}
        response = await client.post("/api/jobs", json=body)
        assert response.status_code == 201
        job = response.json()
    received = []
    url = base.replace("http://", "ws://") + f"/ws/jobs/{job['id']}"
    async with websockets.connect(url) as ws:
        await ws.send(json.dumps({"action": "auth", "token": job["token"]}))
        async for text in ws:
            received.append(json.loads(text))
            if len(received) == 2:  # the snapshot and the status: now let it train
                await ws.send(json.dumps({"action": "resume"}))
        code = ws.close_code
    return job, received, code


def test_serve_runs_a_job_from_start_to_done_over_a_real_websocket(server):
    job, received, code = asyncio.run(follow(server))
    assert received[0]["type"] == "snapshot" and received[0]["job"]["id"] == job["id"]
    costs = list(received[0]["history"]["cost"])
    for message in received:
        if message["type"] == "progress":
            assert message["first_iteration"] == len(costs)
            costs += message["cost"]
    assert len(costs) == 400 and costs[0] == pytest.approx(0.693048, abs=1e-6)
    assert received[-1]["type"] == "status" and received[-1]["status"] == "done"
    assert code == 1000
    assert any(m["type"] == "progress" and m.get("boundary") for m in received)
    statuses = [m["status"] for m in received if m["type"] == "status"]
    assert statuses[-2:] == ["running", "done"]
    final = httpx.get(f"{server}/api/jobs/{job['id']}").json()
    assert final["status"] == "done" and final["iteration"] == 399


async def refused(base: str) -> int:
    url = base.replace("http://", "ws://") + "/ws/jobs/no-such-job"
    with pytest.raises(websockets.exceptions.InvalidStatus) as refusal:
        async with websockets.connect(url):
            pass
    return refusal.value.response.status_code


def test_the_real_server_answers_an_unknown_jobs_websocket_with_404(server):
    assert asyncio.run(refused(server)) == 404


async def oversized_command(base: str) -> tuple[dict, dict]:
    """Send a command larger than GRADLIVE_MAX_REQUEST_BYTES; then a good one."""
    async with httpx.AsyncClient(base_url=base) as client:
        body = {"iterations": 10_000, "start_paused": True}
        job = (await client.post("/api/jobs", json=body)).json()
    url = base.replace("http://", "ws://") + f"/ws/jobs/{job['id']}"
    async with websockets.connect(url) as ws:
        await ws.send(json.dumps({"action": "auth", "token": job["token"]}))
        await ws.recv(), await ws.recv()  # the snapshot and the status
        await ws.send(json.dumps({"action": "pause", "pad": "x" * 20_000}))
        while (error := json.loads(await ws.recv()))["type"] == "status":
            pass  # the job's `paused` may come first, after its `queued`
        await ws.send(json.dumps({"action": "stop"}))  # still listening
        while (message := json.loads(await ws.recv()))["type"] != "status":
            pass
    return error, message


def test_the_real_server_answers_an_oversized_message_with_an_error_and_stays_open(server):
    error, status = asyncio.run(oversized_command(server))
    assert error["type"] == "error" and "larger than" in error["detail"]
    assert status["status"] == "stopped"


def http_exchange(sock: socket.socket, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send one HTTP/1.1 request on an open socket; read its response (Content-Length)."""
    sock.sendall(request)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}
    while len(body) < int(headers["content-length"]):
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection"
        body += chunk
    return int(status_line.split()[1]), headers, body


def test_a_lone_surrogate_is_a_422_and_the_connection_stays_open(server):
    host, port = server.removeprefix("http://").split(":")
    body = b'{"dataset": "\\ud800"}'
    post = (
        b"POST /api/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        status, headers, answer = http_exchange(sock, post)
        assert status == 422 and headers.get("connection") != "close"
        assert json.loads(answer)["detail"][0]["loc"] == ["body", "dataset"]
        status, _, answer = http_exchange(sock, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert status == 200 and json.loads(answer) == {"status": "ok"}  # the same connection


# uvicorn shuts down cleanly, then raises the signal again, as a process stopped by it.
STOPPED_BY_SIGTERM = (0, -signal.SIGTERM)


async def watch_a_shutdown(served) -> list[tuple[list[dict], int | None]]:
    """Two viewers of a running job; SIGTERM once both watch; what each got, and its close."""
    async with httpx.AsyncClient(base_url=served.url) as client:
        body = {"iterations": 100_000, "speed": 5}
        job = (await client.post("/api/jobs", json=body)).json()
    url = served.url.replace("http://", "ws://") + f"/ws/jobs/{job['id']}"
    watching = [asyncio.Event(), asyncio.Event()]

    async def viewer(started: asyncio.Event) -> tuple[list[dict], int | None]:
        received = []
        async with websockets.connect(url) as ws:
            async for text in ws:  # ends at a normal close; any other close raises
                received.append(json.loads(text))
                if len(received) == 2:
                    started.set()
            return received, ws.close_code

    viewers = [asyncio.create_task(viewer(started)) for started in watching]
    await asyncio.wait_for(asyncio.gather(*(e.wait() for e in watching)), 30)
    served.process.terminate()
    return await asyncio.wait_for(asyncio.gather(*viewers), 30)


def test_on_sigterm_every_viewer_gets_a_final_status_then_a_normal_close(own_server):
    for received, code in asyncio.run(watch_a_shutdown(own_server)):
        last = received[-1]
        assert last["type"] == "status" and last["status"] == "stopped"
        assert "shutting down" in last["detail"]
        assert code == 1000
    assert own_server.process.wait(timeout=30) in STOPPED_BY_SIGTERM
    assert "Application shutdown complete" in own_server.log.read_text()


async def client_mistakes(base: str) -> tuple[int | None, int]:
    """A text frame that is not UTF-8, and a websocket to an unknown job."""
    async with httpx.AsyncClient(base_url=base) as client:
        job = (await client.post("/api/jobs", json={"start_paused": True})).json()
    ws_base = base.replace("http://", "ws://")
    async with websockets.connect(f"{ws_base}/ws/jobs/{job['id']}") as ws:
        await ws.recv(), await ws.recv()  # the snapshot and the status
        await ws.send(b"\xff\xfe not UTF-8", text=True)
        with pytest.raises(websockets.exceptions.ConnectionClosedError):
            while True:  # a status may still come first (queued, then paused)
                await asyncio.wait_for(ws.recv(), 30)
        bad_frame = ws.close_code
    with pytest.raises(websockets.exceptions.InvalidStatus) as refusal:
        async with websockets.connect(f"{ws_base}/ws/jobs/no-such-job"):
            pass
    return bad_frame, refusal.value.response.status_code


def test_client_mistakes_on_websockets_are_logged_as_one_line_not_as_errors(own_server):
    assert asyncio.run(client_mistakes(own_server.url)) == (1007, 404)
    assert own_server.stop() in STOPPED_BY_SIGTERM  # the whole log is written
    log = own_server.log.read_text()
    assert "Traceback" not in log
    assert not [line for line in log.splitlines() if line.startswith("ERROR")], log
    assert len([line for line in log.splitlines() if "not UTF-8" in line]) == 1, log
    assert len([line for line in log.splitlines() if "/ws/jobs/no-such-job" in line]) == 1, log


# -- runs that last (docs/api.md): the same data dir across two servers ----------------------


async def watch_to_the_close(base: str, job_id: str) -> tuple[list[dict], int | None]:
    """Every message a viewer of a job gets, until the server closes the socket."""
    url = base.replace("http://", "ws://") + f"/ws/jobs/{job_id}"
    async with websockets.connect(url) as ws:
        return [json.loads(text) async for text in ws], ws.close_code


def test_a_finished_run_survives_a_restart_and_its_token_still_deletes_it(tmp_path):
    data = tmp_path / "data"
    with serving(folder(tmp_path, "first"), data) as served:
        job, _, _ = asyncio.run(follow(served.url))
        before = httpx.get(f"{served.url}/api/jobs/{job['id']}").json()
        seen, _ = asyncio.run(watch_to_the_close(served.url, job["id"]))
        assert served.stop() in STOPPED_BY_SIGTERM

    with serving(folder(tmp_path, "second"), data) as served:
        url = f"{served.url}/api/jobs/{job['id']}"
        assert httpx.get(url).json() == before and before["status"] == "done"
        received, code = asyncio.run(watch_to_the_close(served.url, job["id"]))
        assert received == seen and code == 1000  # the same snapshot, final status, close
        assert [m["type"] for m in received] == ["snapshot", "status"]
        assert len(received[0]["history"]["cost"]) == 400 and received[1]["status"] == "done"
        assert httpx.delete(url).status_code == 403
        owner = {"Authorization": f"Bearer {job['token']}"}
        assert httpx.delete(url, headers=owner).status_code == 204
        assert httpx.get(url).status_code == 404
        assert "Traceback" not in served.log.read_text()


def test_a_run_killed_mid_run_comes_back_interrupted_with_its_history_up_to_the_last_save(
    tmp_path,
):
    data = tmp_path / "data"
    with serving(folder(tmp_path, "first"), data, GRADLIVE_SAVE_INTERVAL="0.2") as served:
        body = {"iterations": 100_000, "speed": 500}
        job = httpx.post(f"{served.url}/api/jobs", json=body).json()
        saved = wait_until_saved(data / DB_NAME, job["id"])
        served.process.kill()  # SIGKILL: no shutdown, nothing more is saved
        served.process.wait(timeout=30)

    with serving(folder(tmp_path, "second"), data) as served:
        after = httpx.get(f"{served.url}/api/jobs/{job['id']}").json()
        assert after["status"] == "interrupted" and "server restarted" in after["detail"]
        received, code = asyncio.run(watch_to_the_close(served.url, job["id"]))
        assert "Traceback" not in served.log.read_text()
    snapshot, status = received
    costs = snapshot["history"]["cost"]
    assert saved <= len(costs) < 100_000 and after["iteration"] == len(costs) - 1
    assert costs == pytest.approx(lecture_costs(len(costs)), abs=1e-12)  # what the run computed
    assert status["status"] == "interrupted" and status["iteration"] == len(costs) - 1
    assert code == 1000


def folder(tmp_path, name):
    path = tmp_path / name
    path.mkdir()
    return path


def wait_until_saved(db, job_id, timeout=60):
    """How many costs of the job the server has saved, once it has saved some."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with (
            contextlib.suppress(sqlite3.OperationalError),  # no database or table yet
            contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as connection,
        ):
            query = "SELECT iterations FROM jobs WHERE id = ?"
            row = connection.execute(query, (job_id,)).fetchone()
            if row and row[0] > 0:
                return row[0]
        time.sleep(0.05)
    raise AssertionError(f"the server saved no cost of job {job_id} in {timeout} s")


def lecture_costs(count):
    """The first `count` costs of the lecture's run, trained here."""
    spec = JobSpec().resolved()
    data = DataSplit.make(spec)
    trainer = Trainer(spec.train_config(), data.X_train, data.Y_train)
    return [step.cost for step, _ in zip(trainer.steps(), range(count), strict=False)]


# -- worker processes (README): `gradlive serve --workers 2` ---------------------------------


def worker_pids(server_pid: int) -> set[int]:
    """The running worker processes of a server: its children started by multiprocessing's
    spawn (its resource tracker is another child, not a worker)."""
    pids = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
            if int(fields[1]) == server_pid and fields[0] != "Z" and b"spawn_main" in cmdline:
                pids.add(int(stat.parent.name))
    return pids


def wait_for(condition, what, timeout=30):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        time.sleep(0.05)
    return value


async def kill_a_worker(base: str, server_pid: int) -> tuple[list[dict], dict, dict]:
    """Two running jobs, one on each worker, watched; SIGKILL one worker. What the viewer
    of the job that failed got, and both jobs as the server then gives them."""
    async with httpx.AsyncClient(base_url=base, headers=ADMIN) as client:
        body = {"iterations": 100_000, "speed": 200, "grid": 10}
        jobs = [(await client.post("/api/jobs", json=body)).json() for _ in range(2)]

        async def viewer(job: dict, running: asyncio.Event) -> list[dict]:
            received = []
            async with websockets.connect(ws_url(base, job["id"])) as ws:
                async for text in ws:  # until the server closes it, after a final status
                    received.append(json.loads(text))
                    if received[-1].get("type") == "progress":
                        running.set()
            return received

        started = [asyncio.Event(), asyncio.Event()]
        viewers = [asyncio.create_task(viewer(j, e)) for j, e in zip(jobs, started, strict=True)]
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in started)), 30)
        os.kill(min(worker_pids(server_pid)), signal.SIGKILL)
        done, _ = await asyncio.wait(viewers, timeout=30, return_when=asyncio.FIRST_COMPLETED)
        assert len(done) == 1, "no viewer was told its job ended"
        [failed] = [jobs[viewers.index(task)] for task in done]
        [other] = [job for job in jobs if job is not failed]
        url = f"/api/jobs/{other['id']}"
        then = (await client.get(url)).json()["iteration"]
        deadline = time.monotonic() + 30
        while (carried_on := (await client.get(url)).json())["iteration"] <= then:
            assert time.monotonic() < deadline, "the other job stopped training"
            await asyncio.sleep(0.05)
        for task in viewers:
            task.cancel()
        failed_now = (await client.get(f"/api/jobs/{failed['id']}")).json()
        return done.pop().result(), failed_now, carried_on


def ws_url(base: str, job_id: str) -> str:
    return base.replace("http://", "ws://") + f"/ws/jobs/{job_id}"


def test_serve_with_two_workers_fails_only_a_killed_workers_job_and_carries_on(tmp_path):
    with serving(tmp_path, workers=2) as served:
        pid = served.process.pid
        first = wait_for(lambda: len(worker_pids(pid)) == 2 and worker_pids(pid), "2 workers")
        received, failed, other = asyncio.run(kill_a_worker(served.url, pid))
        last = received[-1]
        assert last["type"] == "status" and last["status"] == "failed"
        assert "stopped unexpectedly" in last["detail"] and "Traceback" not in last["detail"]
        assert failed["status"] == "failed" and other["status"] == "running"
        now = wait_for(lambda: len(worker_pids(pid)) == 2 and worker_pids(pid), "a new worker")
        assert len(now - first) == 1  # the killed one was replaced
        _, received, code = asyncio.run(follow(served.url))  # trained to the end
        assert received[-1]["status"] == "done" and code == 1000
        assert served.stop() in STOPPED_BY_SIGTERM
    assert "Traceback" not in served.log.read_text()
    wait_for(lambda: not worker_pids(pid) and not any(alive(p) for p in first | now), "exit")
