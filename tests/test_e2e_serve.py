"""End to end: `python -m app serve` in a subprocess, a job followed over a real websocket."""

import asyncio
import json

import httpx
import pytest
import websockets


async def follow(base: str) -> tuple[dict, list[dict], int]:
    async with httpx.AsyncClient(base_url=base) as client:
        body = {"iterations": 400, "speed": None, "start_paused": True}
        response = await client.post("/api/jobs", json=body)
        assert response.status_code == 201
        job = response.json()
    received = []
    url = base.replace("http://", "ws://") + f"/ws/jobs/{job['id']}"
    async with websockets.connect(url) as ws:
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
        await ws.recv(), await ws.recv()  # the snapshot and the status
        await ws.send(json.dumps({"action": "pause", "pad": "x" * 20_000}))
        error = json.loads(await ws.recv())
        await ws.send(json.dumps({"action": "stop"}))  # still listening
        while (message := json.loads(await ws.recv()))["type"] != "status":
            pass
    return error, message


def test_the_real_server_answers_an_oversized_message_with_an_error_and_stays_open(server):
    error, status = asyncio.run(oversized_command(server))
    assert error["type"] == "error" and "larger than" in error["detail"]
    assert status["status"] == "stopped"
