"""The room's thumbnails: the boundary's grid, shrunk once per new boundary."""

import asyncio
import base64
import json

import numpy as np
import pytest

from app.jobs import room
from app.jobs.job import Job
from app.jobs.log import JobLog, Measure
from app.jobs.spec import DataSplit, JobSpec

pytestmark = pytest.mark.anyio


def boundary(z: np.ndarray) -> dict[str, object]:
    R = z.shape[0]
    return {
        "x_min": -4.0,
        "x_max": 4.0,
        "y_min": -3.0,
        "y_max": 3.0,
        "resolution": R,
        "encoding": "uint8-base64",
        "z": base64.b64encode(z.astype(np.uint8).tobytes()).decode(),
    }


def pixels(thumbnail: dict[str, object]) -> np.ndarray:
    size = int(str(thumbnail["resolution"]))
    z = base64.b64decode(str(thumbnail["z"]))
    return np.frombuffer(z, dtype=np.uint8).reshape(size, size)


@pytest.mark.parametrize("R", [10, 24, 100, 200])
def test_a_thumbnail_samples_the_boundarys_grid_over_the_same_plane(R):
    rows, columns = np.mgrid[0:R, 0:R]
    z = (255 * rows // (R - 1)) ^ (columns % 2)  # rows climb from 0 to 255 (odd columns +-1)
    small = room.thumbnail(boundary(z))
    assert small["resolution"] == room.THUMBNAIL and small["encoding"] == "uint8-base64"
    assert (small["x_min"], small["x_max"], small["y_min"], small["y_max"]) == (-4, 4, -3, 3)
    image = pixels(small)
    assert image.shape == (room.THUMBNAIL, room.THUMBNAIL)
    assert (image[0] <= 1).all() and (image[-1] >= 254).all()  # bottom row y_min, top row y_max
    assert (np.diff(image[:, 0].astype(int)) >= 0).all()  # upwards, as the contract's rows


async def test_each_new_boundary_is_shrunk_once_whoever_asks(monkeypatch):
    calls = []
    shrink = room.thumbnail

    def counted(b):
        calls.append(b)
        return shrink(b)

    monkeypatch.setattr(room, "thumbnail", counted)
    spec = JobSpec(grid=10).resolved()
    log = JobLog(asyncio.get_running_loop())  # written here alone: no training loop runs
    job = Job("a-job", spec, DataSplit.make(spec), log, learner="Bold Otter")
    the_room = room.Room()
    assert json.loads(the_room.message([job]))["jobs"][0]["thumbnail"] is None
    log.append(0, [0.69], Measure(0, 0.69, 0.5, None, None), boundary(np.zeros((10, 10))))
    first = the_room.message([job])
    assert the_room.message([job]) == first and len(calls) == 1
    log.append(1, [0.68], Measure(1, 0.68, 0.6, None, None), boundary(np.ones((10, 10))))
    [entry] = json.loads(the_room.message([job]))["jobs"]
    assert len(calls) == 2 and entry["learner"] == "Bold Otter" and entry["iteration"] == 1
    assert (pixels(entry["thumbnail"]) == 1).all()
    assert the_room.message([]) == '{"type":"room","jobs":[]}'
