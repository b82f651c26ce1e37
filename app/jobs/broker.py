"""What the distributed mode keeps in Redis, and how: the keys, entry ids and entries.

With GRADLIVE_BROKER_URL set, jobs train in `gradlive worker` processes (app.jobs.brokerworker)
and any `gradlive serve` replica (app.jobs.remote) serves any viewer. They meet in Redis:

- `gradlive:job:<id>` (a hash): what defines the job (its spec as JSON, its learner, its
  owner's token hash, when it was made) and, once a worker has taken it, that worker's name.
  `gradlive:job:<id>:recipe`: the job's trainer and painter, pickled, for the worker.
- `gradlive:job:<id>:log` (a stream): the job's frame log, written by its worker, read by
  every replica once for all its viewers. Entry ids are `<iterations done>-<n>`, n counting
  the job's entries: ids grow with the iterations, and a write retried after a lost reply
  is refused as a duplicate instead of landing twice. Entries are the frames' costs and
  metrics, the changes of status and how far the job's commands are applied.
- `gradlive:job:<id>:pictures` (a stream, the last PICTURES_KEPT entries kept): each
  frame's pictures and parameters, under the id of its log entry. Pictures are
  latest-wins (a viewer draws the newest), so a long run keeps its costs, not every picture.
- `gradlive:job:<id>:control` (a stream): the commands any replica sends, in order.
- `gradlive:jobs` (a sorted set, by creation time) and `gradlive:events` (a stream of jobs
  made and deleted): how a replica learns of jobs made through another.
- `gradlive:experiments` (a hash): every experiment (app.jobs.experiments) by its id.
- `gradlive:worker:<name>`: a worker's heartbeat, a key that expires HEARTBEAT_TTL seconds
  after its last beat. A job whose worker's key is gone has lost its worker.

Entries hold one pickled tuple (field `m`), as the worker processes' pipes do: Redis is
the service's own, never open to its learners (compose.yaml keeps it on an inner network).
"""

import contextlib
import pickle
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dramatiq.brokers.redis import RedisBroker

PREFIX = "gradlive"
JOBS = f"{PREFIX}:jobs"
EXPERIMENTS = f"{PREFIX}:experiments"  # a hash: experiment id -> its record as JSON
EVENTS = f"{PREFIX}:events"
QUEUE = f"{PREFIX}-jobs"  # the job queue's name (app.jobs.brokerworker)
# A worker beats every HEARTBEAT seconds; HEARTBEAT_TTL after its last beat it counts as
# dead, and a replica that notices (it looks every HEARTBEAT) ends its jobs `failed`.
HEARTBEAT = 1.0
HEARTBEAT_TTL = 5
PICTURES_KEPT = 4
# Events of gradlive:events (with a job id), and of a job's log besides the worker's
# (app.jobs.workers): CREATED, DELETED.
CREATED = "created"
DELETED = "deleted"
EVENTS_KEPT = 10_000


# A job's record is gradlive:job:<id>; its other keys are gradlive:job:<id>:<part>.
RECIPE, LOG, PICTURES, CONTROL = "recipe", "log", "pictures", "control"


def job_key(job_id: str, part: str = "") -> str:
    """The key of a job's record, or of one of its parts (RECIPE, LOG, PICTURES, CONTROL)."""
    return f"{PREFIX}:job:{job_id}" + (f":{part}" if part else "")


def worker_key(name: str) -> str:
    return f"{PREFIX}:worker:{name}"


def job_of(key: bytes) -> tuple[str, str]:
    """(job id, part) of a job's key as Redis names it in a reply."""
    _, _, job_id, part = key.decode().split(":")
    return job_id, part


def job_keys(job_id: str) -> tuple[str, ...]:
    """Every key of one job (to delete it)."""
    return (job_key(job_id), *(job_key(job_id, part) for part in (RECIPE, LOG, PICTURES, CONTROL)))


def entry(*message: Any) -> dict[str, bytes]:
    """A stream entry holding `message`."""
    return {"m": pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)}


def message(fields: dict[bytes, bytes]) -> tuple[Any, ...]:
    """The message an entry holds."""
    return tuple(pickle.loads(fields[b"m"]))


def entry_id(iterations: int, n: int) -> str:
    """A log entry's id: after `iterations` iterations, the job's n-th entry (n >= 1)."""
    return f"{iterations}-{n}"


def id_order(stream_id: bytes | str) -> tuple[int, int]:
    """A stream id as a pair that sorts as Redis orders them."""
    text = stream_id.decode() if isinstance(stream_id, bytes) else stream_id
    first, _, second = text.partition("-")
    return int(first), int(second or 0)


def check_reachable(url: str) -> None:
    """ValueError naming the URL unless a Redis answers there: the commands say so at once,
    not in a traceback at the first job."""
    import redis

    try:
        with contextlib.closing(redis.Redis.from_url(url, socket_connect_timeout=5)) as client:
            client.ping()
    except redis.RedisError as error:
        raise ValueError(f"no Redis answers at GRADLIVE_BROKER_URL {url} ({error})") from None


def job_queue(url: str) -> "RedisBroker":
    """The job queue (Dramatiq on Redis) that hands jobs to `gradlive worker` processes.

    Without Dramatiq's default middleware: a job must never be tried again (Retries) nor
    cut off after ten minutes (TimeLimit), since a paused job may wait for hours. A
    worker's own heartbeat, not the queue's, tells when its jobs are lost.
    """
    from dramatiq.brokers.redis import RedisBroker

    return RedisBroker(url=url, middleware=[], namespace=f"{PREFIX}-queue")


TRAIN = "train"  # the actor that trains one job (its only argument: the job's id)
