"""Settings: every knob and limit of the server, read from GRADLIVE_* environment variables.

The defaults suit a shared classroom server (2 cores, about 30 learners): each learner
can run a job at the default pace at once, while the limits keep one request from
taking the machine. Every default works without a .env file.
"""

import os
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_ROOT = Path(__file__).resolve().parent


def asset_dir(name: str) -> Path:
    """static/ or templates/: inside the installed package (a wheel puts them there), or
    at the top of the source tree beside app/ (a checkout, or an editable install)."""
    installed = PACKAGE_ROOT / name
    return installed if installed.is_dir() else PACKAGE_ROOT.parent / name


def default_data_dir() -> Path:
    """Where the jobs are kept by default: the user's data folder, as XDG has it
    ($XDG_DATA_HOME/gradlive, else ~/.local/share/gradlive); /data in the Docker image."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "gradlive"


def default_workers() -> int:
    """As many worker processes as there are cores this process may run on: in a container
    pinned to some of the machine's cores (`docker run --cpuset-cpus`), those."""
    if hasattr(os, "sched_getaffinity"):  # not on macOS or Windows
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class Settings(BaseSettings):
    """Server settings; `GRADLIVE_MAX_RUNNING_JOBS=8` sets MAX_RUNNING_JOBS, and so on."""

    model_config = SettingsConfigDict(env_prefix="GRADLIVE_", frozen=True)

    HOST: str = "127.0.0.1"
    PORT: int = Field(default=8000, ge=0, le=65535)

    # Jobs: how many train at once (queued or running: a paused job holds no place, but
    # resuming it needs one), how many are kept in memory (finished ones are dropped
    # oldest first to make room).
    MAX_RUNNING_JOBS: int = Field(default=32, ge=1)
    MAX_JOBS: int = Field(default=60, ge=1)
    # Seconds after which a queued or running job whose owner has no page open on it (no
    # websocket that sent its token) and sent no request with its token is paused, so it
    # frees its training place; it resumes when its owner's page is back (if a place is
    # free). Watchers never keep a job alive. When MAX_JOBS are kept and none has finished,
    # the job left the longest (at least this long) is stopped to make room. 0: never.
    IDLE_TIMEOUT: float = Field(default=600.0, ge=0)
    # What one client (one address) may hold of those, so no student can take every place:
    # jobs not yet ended (queued, running or paused; beyond it 429; an experiment's jobs
    # count, but an experiment is never refused for having more), and jobs kept (beyond it
    # the client's own oldest finished job makes room, not another's). 0: no bound beyond
    # the server's. Behind a reverse proxy set TRUST_PROXY: the client is then the first
    # X-Forwarded-For address.
    MAX_ACTIVE_JOBS_PER_CLIENT: int = Field(default=8, ge=0)
    MAX_JOBS_PER_CLIENT: int = Field(default=20, ge=0)
    TRUST_PROXY: bool = False
    # Seconds a refused client is told to wait (Retry-After) when every slot is taken.
    RETRY_AFTER: int = Field(default=10, ge=1)

    # The size of one job.
    MAX_ITERATIONS: int = Field(default=100_000, ge=1)
    MAX_HIDDEN_LAYERS: int = Field(default=4, ge=0)
    # 50 units: the widest network of the lecture's hidden-size experiment.
    MAX_UNITS: int = Field(default=50, ge=1)
    MAX_SAMPLES: int = Field(default=2_000, ge=10)
    MIN_GRID: int = Field(default=10, ge=2)
    MAX_GRID: int = Field(default=200, ge=2)
    DEFAULT_GRID: int = Field(default=100, ge=2)

    # Experiments (POST /api/experiments): the most values (one job each) in one, and how
    # many are kept, with their jobs (beyond it the oldest whose jobs are all gone are dropped).
    MAX_EXPERIMENT_VALUES: int = Field(default=10, ge=1)
    MAX_EXPERIMENTS: int = Field(default=100, ge=1)

    # Pace: iterations per second. 500/s plays the lecture's 10,000 iterations in 20 s.
    # Below MIN_SPEED a job would hold a training place while doing next to nothing (and
    # at 1e-10 its next iteration lies past the clock's range).
    MIN_SPEED: float = Field(default=1.0, gt=0)
    DEFAULT_SPEED: float = Field(default=500.0, gt=0)
    MAX_SPEED: float = Field(default=1_000_000.0, gt=0)
    # Progress messages (each with a fresh decision boundary) per second and per job.
    PROGRESS_RATE: float = Field(default=20.0, gt=0, le=100)
    # The network's weights and per-neuron heatmaps (about 3 KB) ride on fewer messages
    # (a second), which keeps the mean progress message with a 100 x 100 boundary
    # under 15 KB of text (at 4 a second it measured 15.0 KB).
    DETAILS_RATE: float = Field(default=2.0, gt=0, le=100)
    # Progress messages per second over all websocket viewers: each message is compressed
    # and sent once per viewer, so with more viewers than this allows at PROGRESS_RATE,
    # each one gets fewer, larger messages (never fewer iterations).
    MAX_SEND_RATE: float = Field(default=600.0, gt=0)
    # Websocket viewers: at most this many at once on the whole server and on one job (a
    # presenter's job watched by a class). Each open socket costs memory (its compressor)
    # even when it reads nothing; past either bound the handshake is refused with 429.
    MAX_VIEWERS: int = Field(default=200, ge=1)
    MAX_VIEWERS_PER_JOB: int = Field(default=50, ge=1)
    # Seconds between the teacher's room updates (/ws/room): each lists every job with a
    # boundary thumbnail, so a few a second keep 30 jobs live without costing much.
    ROOM_INTERVAL: float = Field(default=0.4, gt=0, le=10)
    # A trace (GET /api/jobs/{id}/trace) sends at most this many examples' columns of each
    # (n, m) array: enough to see, small enough to draw; the gradients use every example.
    TRACE_COLUMNS: int = Field(default=64, ge=1, le=2000)
    # Resolution of the small per-neuron heatmaps.
    NEURON_GRID: int = Field(default=24, ge=2, le=64)

    # Worker processes that train the jobs (app.jobs.workers), so that jobs use every core;
    # `gradlive serve --workers N` sets it too. 0: jobs train in threads of the server's
    # own process (app.jobs.runner.ThreadRunner), sharing one core.
    WORKERS: int = Field(default_factory=default_workers, ge=0)

    # The distributed mode (app.jobs.remote): with a Redis URL (redis://host:port/db) jobs
    # are trained by `gradlive worker` processes on any machine, and their frames and
    # commands go through Redis Streams, so that several `gradlive serve` replicas serve
    # any viewer and steer any job. Unset: everything runs on this machine.
    BROKER_URL: str | None = None
    # How many jobs one `gradlive worker` trains at once (each in a thread, taking turns).
    WORKER_JOBS: int = Field(default=16, ge=1, le=256)

    # How long (s) a training thread may keep Python's GIL when the event loop needs it;
    # shorter keeps the server responsive while jobs train at full speed (Python: 0.005).
    SWITCH_INTERVAL: float = Field(default=0.001, gt=0, le=0.1)
    # permessage-deflate on websockets: about 4x fewer bytes per message, for some CPU.
    WS_COMPRESSION: bool = True

    # Largest request body (HTTP) or websocket message, in bytes.
    MAX_REQUEST_BYTES: int = Field(default=16_384, ge=256)

    # Who may steer (docs/api.md, HTTP): a job's creator, with the token it was given, and whoever
    # sends ADMIN_TOKEN (a teacher: it steers and deletes every job, and lists them all).
    # Unset: nobody is an admin.
    ADMIN_TOKEN: SecretStr | None = None
    # Origins besides this server's own whose pages may open its websockets, comma-separated
    # (e.g. "https://slides.example.org"); a client that sends no Origin (a script) may.
    ALLOWED_ORIGINS: str = ""
    # Who may embed the page in a frame (CSP frame-ancestors), e.g. "'self' https://slides.example.org".
    FRAME_ANCESTORS: str = "'self'"

    # Runs that last (app.jobs.store): every job is saved in DATA_DIR/gradlive.db (SQLite),
    # so a restart finds the finished ones again and those that were training come back
    # `interrupted`. A training job's new costs are saved every SAVE_INTERVAL seconds (and
    # at each change of status), which bounds what a crash loses. At most MAX_STORED_JOBS
    # are kept, the oldest finished first to go; the newest MAX_JOBS of them are read back
    # into memory at startup, the others when someone asks for them. One server per dir.
    DATA_DIR: Path = Field(default_factory=default_data_dir)
    MAX_STORED_JOBS: int = Field(default=1_000, ge=1)
    SAVE_INTERVAL: float = Field(default=2.0, gt=0, le=60)

    # A learner's own data (POST /api/datasets, in docs/api.md): at most MAX_DATA_ROWS points
    # in a body of at most MAX_DATA_BYTES; MAX_DATASETS are kept in DATA_DIR/datasets, the
    # least recently used going first.
    MAX_DATA_ROWS: int = Field(default=2_000, ge=2)
    MAX_DATA_BYTES: int = Field(default=262_144, ge=256)
    MAX_DATASETS: int = Field(default=500, ge=1)

    STATIC_DIR: Path = asset_dir("static")
    TEMPLATES_DIR: Path = asset_dir("templates")

    @model_validator(mode="after")
    def _consistent(self) -> "Settings":
        if not self.MIN_GRID <= self.DEFAULT_GRID <= self.MAX_GRID:
            raise ValueError("DEFAULT_GRID must lie between MIN_GRID and MAX_GRID")
        if not self.MIN_SPEED <= self.DEFAULT_SPEED <= self.MAX_SPEED:
            raise ValueError("DEFAULT_SPEED must lie between MIN_SPEED and MAX_SPEED")
        if self.MAX_STORED_JOBS < self.MAX_JOBS:
            # Else jobs still in memory would be pruned from the store and lost at a restart.
            raise ValueError("MAX_STORED_JOBS must be at least MAX_JOBS")
        return self

    @property
    def allowed_origins(self) -> frozenset[str]:
        return frozenset(
            o.strip().rstrip("/") for o in self.ALLOWED_ORIGINS.split(",") if o.strip()
        )
