"""A worker's sink (app.jobs.brokerworker.StreamSink) against a real Redis."""

from typing import Any

import pytest
import redis

from app.jobs import broker
from app.jobs.brokerworker import StreamSink
from app.jobs.log import Measure
from app.jobs.workers import APPEND, STATUS


class LosesOnce:
    """A client whose first transaction breaks: after it landed (its reply lost on the way
    back), or before it was sent."""

    def __init__(self, client: Any, landed: bool) -> None:
        self.client = client
        self.landed = landed
        self.lost = False

    def pipeline(self) -> Any:
        pipe = self.client.pipeline()
        if self.lost:
            return pipe
        execute = pipe.execute

        def lose() -> Any:
            if self.landed:
                execute()
            self.lost = True
            raise redis.ConnectionError("the connection broke")

        pipe.execute = lose
        return pipe


@pytest.fixture
def client(broker_url: str) -> Any:
    client = redis.Redis.from_url(broker_url)
    yield client
    client.close()


class NoCommands:
    def applied_id(self, job_id: str) -> str:
        return "0-0"


@pytest.mark.parametrize("landed", [True, False])
def test_a_frame_written_again_after_a_broken_connection_lands_once_with_its_pictures(
    client, landed
):
    sink = StreamSink(LosesOnce(client, landed), "j1", NoCommands())  # type: ignore[arg-type]
    measure = Measure(1, 0.5, 0.75, None, None)
    sink.append(0, [0.6, 0.5], measure, {"z": "abc"}, None, None)
    sink.set_status("done", "Done: 2 iterations.")
    log = client.xrange(broker.job_key("j1", broker.LOG))
    pictures = client.xrange(broker.job_key("j1", broker.PICTURES))
    assert [entry_id for entry_id, _ in log] == [b"2-1", b"2-2"]
    assert [broker.message(fields)[0] for _, fields in log] == [APPEND, STATUS]
    assert broker.message(log[0][1])[1:3] == (0, [0.6, 0.5])
    assert [entry_id for entry_id, _ in pictures] == [b"2-1"]
    assert broker.message(pictures[0][1])[0] == {"z": "abc"}


def test_the_pictures_stream_keeps_only_the_newest(client):
    sink = StreamSink(client, "j2", NoCommands())  # type: ignore[arg-type]
    for i in range(10):
        sink.append(i, [1.0], Measure(i, 1.0, None, None, None), {"z": str(i)})
    pictures = client.xrange(broker.job_key("j2", broker.PICTURES))
    assert len(pictures) == broker.PICTURES_KEPT
    assert broker.message(pictures[-1][1])[0] == {"z": "9"}
    assert len(client.xrange(broker.job_key("j2", broker.LOG))) == 10
