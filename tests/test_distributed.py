"""The distributed mode, for real: a redis-server, two `gradlive serve` replicas on two
ports and two `gradlive worker` processes. A job made through one replica is watched
and steered through the other, joined late through a third, and outlives its worker."""

import asyncio
import json
import os
import signal
import time
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import redis
import websockets
from starlette.exceptions import StarletteDeprecationWarning

from app.jobs import broker
from app.jobs.workers import WORKER_DIED
from tests.cluster import Cluster, running_cluster
from tests.conftest import ADMIN, serving
from tests.test_e2e_serve import lecture_costs, wait_for, ws_url

with warnings.catch_warnings():  # Starlette would rather have httpx2 under its TestClient
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient


@pytest.fixture(scope="module")
def cluster(redis_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with running_cluster(redis_server, tmp_path_factory.mktemp("cluster")) as cluster:
        yield cluster


async def watch(base: str, job_id: str, token: str | None = None, resume: bool = False) -> list:
    """Every message of a viewer of the job until its socket closes (after a final status);
    with `resume`, the viewer (the owner, by its token) resumes the job once it has joined."""
    received = []
    async with websockets.connect(ws_url(base, job_id), max_size=None) as ws:
        if token:
            await ws.send(json.dumps({"action": "auth", "token": token}))
        async for text in ws:
            received.append(json.loads(text))
            if resume and len(received) == 2:  # its snapshot and status: now let it train
                await ws.send(json.dumps({"action": "resume"}))
    return received


async def snapshot(base: str, job_id: str) -> dict:
    async with websockets.connect(ws_url(base, job_id), max_size=None) as ws:
        return json.loads(await ws.recv())


def costs_of(received: list[dict]) -> list[float]:
    """A viewer's costs, each checked to come once and in order."""
    costs = list(received[0]["history"]["cost"])
    for message in received:
        if message["type"] == "progress":
            assert message["first_iteration"] == len(costs), "an iteration came twice or never"
            costs += message["cost"]
    return costs


async def watch_from_both(cluster: Cluster, count: int) -> tuple[dict, list, list]:
    async with httpx.AsyncClient(base_url=cluster.a.url) as client:
        body = {"iterations": count, "speed": None, "start_paused": True, "grid": 20}
        job = (await client.post("/api/jobs", json=body)).json()
    on_a = asyncio.create_task(watch(cluster.a.url, job["id"]))
    on_b = await watch(cluster.b.url, job["id"], job["token"], resume=True)
    return job, await asyncio.wait_for(on_a, 30), on_b


def test_a_job_made_through_one_replica_reaches_a_viewer_of_the_other_whole_and_in_order(
    cluster,
):
    job, on_a, on_b = asyncio.run(watch_from_both(cluster, 600))
    assert costs_of(on_b) == costs_of(on_a) == lecture_costs(600)
    assert on_b[-1]["type"] == "status" and on_b[-1]["status"] == "done"
    assert any(m["type"] == "progress" and m.get("boundary") for m in on_b)
    for base in (cluster.a.url, cluster.b.url):
        final = httpx.get(f"{base}/api/jobs/{job['id']}").json()
        assert (final["status"], final["iteration"]) == ("done", 599)

    # A late joiner on B, and on a replica started after the job ended, sees it all.
    late_on_b = asyncio.run(watch(cluster.b.url, job["id"]))
    assert late_on_b[0]["job"]["status"] == "done" and costs_of(late_on_b) == costs_of(on_a)
    # (the replica started after it ended reads it from Redis alone)
    (cluster.folder / "c").mkdir()
    with serving(cluster.folder / "c", GRADLIVE_BROKER_URL=cluster.url) as c:
        late = asyncio.run(watch(c.url, job["id"]))
        assert late[0]["type"] == "snapshot"
        assert costs_of(late) == costs_of(on_a)
        assert late[0]["job"]["status"] == "done"


def test_pause_step_a_new_learning_rate_and_stop_sent_through_one_replica_reach_the_job(
    cluster,
):
    a, b = httpx.Client(base_url=cluster.a.url), httpx.Client(base_url=cluster.b.url)
    job = a.post("/api/jobs", json={"iterations": 10_000, "speed": 50}).json()
    owner = {"Authorization": f"Bearer {job['token']}"}
    url = f"/api/jobs/{job['id']}"

    def control(**body: object) -> httpx.Response:
        return b.post(f"{url}/control", json=body, headers=owner)

    wait_for(lambda: a.get(url).json()["iteration"] >= 0, "the job training")
    assert control(action="pause").status_code == 200
    paused = wait_for(lambda: (j := a.get(url).json())["status"] == "paused" and j, "paused")
    stepped = control(action="step", steps=5)
    assert stepped.status_code == 200
    wait_for(lambda: a.get(url).json()["iteration"] == paused["iteration"] + 5, "5 steps")
    assert control(action="set", learning_rate=0.5).status_code == 200
    wait_for(lambda: a.get(url).json()["config"]["learning_rate"] == 0.5, "the new alpha on A")
    assert b.get(url).json()["config"]["learning_rate"] == 0.5
    assert control(action="resume").status_code == 200
    wait_for(lambda: a.get(url).json()["status"] == "running", "running again")
    # A viewer joining B now gets every iteration so far, the steps and alpha's change too.
    seen_on_a = a.get(url).json()["iteration"]
    joined = asyncio.run(snapshot(cluster.b.url, job["id"]))
    assert len(joined["history"]["cost"]) >= seen_on_a + 1

    def trained_with_the_new_alpha() -> bool:
        history = asyncio.run(snapshot(cluster.b.url, job["id"]))["history"]
        return [alpha for _, alpha in history["learning_rate"]] == [1.2, 0.5]

    wait_for(trained_with_the_new_alpha, "a late joiner on B seeing alpha's change")

    # A stranger is refused on either replica; the owner's stop ends it on both.
    assert b.post(f"{url}/control", json={"action": "stop"}).status_code == 403
    assert a.post(f"{url}/control", json={"action": "stop"}).status_code == 403
    assert control(action="stop").status_code == 200
    for client in (a, b):
        wait_for(lambda c=client: c.get(url).json()["status"] == "stopped", "stopped")


def test_a_job_deleted_through_one_replica_is_gone_from_the_other_and_its_viewers_told(cluster):
    a = httpx.Client(base_url=cluster.a.url)
    job = a.post("/api/jobs", json={"iterations": 10_000, "speed": 20}).json()

    async def delete_while_watched() -> list:
        viewer = asyncio.create_task(watch(cluster.b.url, job["id"]))
        await asyncio.sleep(0)  # let the viewer connect
        wait_for(lambda: httpx.get(f"{cluster.b.url}/api/jobs/{job['id']}").status_code == 200, "B")
        headers = {"Authorization": f"Bearer {job['token']}"}
        async with httpx.AsyncClient(base_url=cluster.a.url) as client:
            while (
                not viewer.done()
                and (await client.get(f"/api/jobs/{job['id']}")).json()["iteration"] < 0
            ):
                await asyncio.sleep(0.05)
            assert (
                await client.delete(f"/api/jobs/{job['id']}", headers=headers)
            ).status_code == 204
        return await asyncio.wait_for(viewer, 30)

    received = asyncio.run(delete_while_watched())
    assert received[-1]["type"] == "status" and received[-1]["status"] == "stopped"
    wait_for(
        lambda: httpx.get(f"{cluster.b.url}/api/jobs/{job['id']}").status_code == 404,
        "the job gone from B",
    )


def test_a_killed_workers_job_fails_within_10_s_and_viewers_on_every_replica_are_told(cluster):
    client: Any = redis.Redis.from_url(cluster.url)
    a = httpx.Client(base_url=cluster.a.url, headers=ADMIN)
    job = a.post("/api/jobs", json={"iterations": 100_000, "speed": 200, "grid": 10}).json()
    url = f"/api/jobs/{job['id']}"
    wait_for(lambda: a.get(url).json()["iteration"] >= 0, "the job training")
    name = client.hget(broker.job_key(job["id"]), "worker").decode()
    [worker] = [w for w in cluster.workers if w.name == name]

    async def kill_while_watched() -> tuple[list, list, float]:
        viewers = [
            asyncio.create_task(watch(base, job["id"])) for base in (cluster.a.url, cluster.b.url)
        ]
        await asyncio.sleep(0.5)  # both have joined
        killed = time.monotonic()
        os.kill(worker.process.pid, signal.SIGKILL)
        on_a, on_b = await asyncio.wait_for(asyncio.gather(*viewers), 30)
        return on_a, on_b, time.monotonic() - killed

    on_a, on_b, took = asyncio.run(kill_while_watched())
    assert took < 10
    for received in (on_a, on_b):
        assert received[-1]["type"] == "status" and received[-1]["status"] == "failed"
        assert received[-1]["detail"] == WORKER_DIED
    assert httpx.get(f"{cluster.b.url}{url}").json()["status"] == "failed"

    # The other worker carries on: a new job is trained to its end.
    worker.process.wait()
    cluster.workers.remove(worker)
    fresh = a.post("/api/jobs", json={"iterations": 200, "speed": None}).json()
    wait_for(lambda: a.get(f"/api/jobs/{fresh['id']}").json()["status"] == "done", "done")


def test_an_experiment_started_through_one_replica_reads_the_same_through_the_other(cluster):
    body = {"base": {"iterations": 60, "speed": None}, "vary": "learning_rate", "values": [0.5, 2]}
    created = httpx.post(f"{cluster.a.url}/api/experiments", json=body).json()
    url = f"/api/experiments/{created['id']}"

    def ended_on_b() -> dict | None:
        experiment = httpx.get(f"{cluster.b.url}{url}").json()
        return experiment if all(j["status"] == "done" for j in experiment["jobs"]) else None

    on_b = wait_for(ended_on_b, "the experiment's jobs done, seen through B")
    assert on_b == httpx.get(f"{cluster.a.url}{url}").json()
    assert [job["id"] for job in on_b["jobs"]] == created["jobs"]
    assert [job["iteration"] for job in on_b["jobs"]] == [59, 59]


def test_the_teacher_lists_on_either_replica_every_job_made_through_both(cluster):
    made = [
        httpx.post(f"{base}/api/jobs", json={"iterations": 50, "speed": None}).json()["id"]
        for base in (cluster.a.url, cluster.b.url)
    ]
    for base in (cluster.a.url, cluster.b.url):

        def listed(base: str = base) -> bool:
            jobs = httpx.get(f"{base}/api/jobs", headers=ADMIN).json()
            return set(made) <= {job["id"] for job in jobs}

        wait_for(listed, f"both jobs listed on {base}")


def test_a_replica_never_pauses_as_idle_a_job_whose_owner_watches_it_through_another(
    broker_url, tmp_path
):
    """Two replicas in this process: the owner's page is open on A; B, where nobody owns
    a page of it, must not take it for left behind."""
    from app.config import Settings
    from app.jobs.brokerworker import BrokerWorker
    from app.main import create_app

    settings = Settings(BROKER_URL=broker_url, IDLE_TIMEOUT=0.5, ADMIN_TOKEN=None)
    apps = [create_app(settings.model_copy(update={"DATA_DIR": tmp_path / n})) for n in "ab"]
    worker = BrokerWorker(broker_url, jobs=2, name="in-process")
    worker.start()
    try:
        with TestClient(apps[0]) as a, TestClient(apps[1]) as b:
            job = a.post("/api/jobs", json={"iterations": 100_000, "speed": 50}).json()
            url = f"/api/jobs/{job['id']}"
            with a.websocket_connect(f"/ws/jobs/{job['id']}") as owner:
                owner.send_json({"action": "auth", "token": job["token"]})
                wait_for(lambda: b.get(url).json()["status"] == "running", "running, on B")
                deadline = time.monotonic() + 3  # six idle times
                while time.monotonic() < deadline:
                    assert b.get(url).json()["status"] == "running"
                    time.sleep(0.1)
                owner.send_json({"action": "stop"})
            wait_for(lambda: b.get(url).json()["status"] == "stopped", "stopped, on B")
    finally:
        worker.close()


def test_an_experiments_job_stopped_while_it_waits_for_a_place_reads_stopped_on_every_replica(
    broker_url, tmp_path
):
    """A job that never went to a worker has its stopped status written where every
    replica reads it, not only in the memory of the replica that held it back."""
    from app.config import Settings
    from app.main import create_app

    settings = Settings(BROKER_URL=broker_url, MAX_RUNNING_JOBS=1, ADMIN_TOKEN=None)
    apps = [create_app(settings.model_copy(update={"DATA_DIR": tmp_path / n})) for n in "ab"]
    with TestClient(apps[0]) as a, TestClient(apps[1]) as b:  # no worker: nothing trains
        body = {"base": {"iterations": 50}, "vary": "learning_rate", "values": [0.5, 2]}
        experiment = a.post("/api/experiments", json=body).json()
        waiting = experiment["jobs"][1]
        headers = {"Authorization": f"Bearer {experiment['token']}"}
        stop = a.post(f"/api/jobs/{waiting}/control", json={"action": "stop"}, headers=headers)
        assert stop.status_code == 200 and stop.json()["status"] == "stopped"
        wait_for(lambda: b.get(f"/api/jobs/{waiting}").json()["status"] == "stopped", "on B")
        assert b.get(f"/api/jobs/{waiting}").json()["status"] == "stopped"
