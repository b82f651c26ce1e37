"""Pydantic schemas of the HTTP API, named by role: JobCreate, JobPublic, JobControl,
ExperimentCreate, ExperimentPublic.

Bounds that hold everywhere are Field bounds; the server's limits (Settings, so the
environment can change them) are checked by `limit_errors` in the endpoint, from their one
table (app.api.limits.BOUNDS). Either way a value out of range is a 422 whose message names
the field.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from app.api.limits import bound_errors, echo
from app.config import Settings
from app.jobs.control import Command
from app.jobs.log import STATUSES
from app.jobs.owndata import is_own
from app.jobs.room import LEARNER_LENGTH
from app.jobs.spec import JobSpec
from app.nn import activations, datasets
from app.nn.datasets import MAX_SEED
from app.nn.features import FEATURES
from app.nn.features import check as check_features


def _a_number(value: Any) -> Any:
    """Refuse true/false and text where a number belongs (pydantic would take 1 or "100")."""
    if isinstance(value, bool | str):
        kind = "true or false" if isinstance(value, bool) else "text"
        raise PydanticCustomError(
            "number_type", "Input should be a number, not {kind}", {"kind": kind}
        )
    return value


# Numbers as JSON writes them: 100 and 100.0 are the integer 100, but true and "100"
# are mistakes to point out, not values to guess. The bounds come before the check, so
# the OpenAPI schema shows them.
_NUMBER = BeforeValidator(_a_number)
Count = Annotated[int, Field(ge=1), _NUMBER]
SampleCount = Annotated[int, Field(ge=2), _NUMBER]
Seed = Annotated[int, Field(ge=0, le=MAX_SEED), _NUMBER]
GridSize = Annotated[int, Field(ge=2), _NUMBER]
Noise = Annotated[float, Field(ge=0, le=5), _NUMBER]
TestFraction = Annotated[float, Field(ge=0, le=0.9), _NUMBER]
L2 = Annotated[float, Field(ge=0, le=10), _NUMBER]
ProblemName = Literal["binary", "multiclass", "regression"]  # app.nn.problems.PROBLEMS
ClassCount = Annotated[int, Field(ge=datasets.MIN_CLASSES, le=datasets.MAX_CLASSES), _NUMBER]
Feature = Annotated[str, Strict(), Field(json_schema_extra={"enum": list(FEATURES)})]
LearningRate = Annotated[float, Field(gt=0, le=1000), _NUMBER]
Speed = Annotated[float, Field(gt=0), _NUMBER]
Bool = Annotated[bool, Strict()]
# A learner's name in the teacher's room: short text, spaces at its ends dropped.
Learner = Annotated[
    str, Strict(), StringConstraints(strip_whitespace=True, min_length=1, max_length=LEARNER_LENGTH)
]

_SPEC = JobSpec()


class JobCreate(BaseModel):
    """A training job; every field is optional and the defaults give the lecture's run.

    grid left out takes the server's default; speed left out takes the server's
    default pace, and speed null means as fast as it can.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    dataset: str = Field(default=_SPEC.dataset, json_schema_extra={"enum": list(datasets.NAMES)})
    n_samples: SampleCount | None = None
    noise: Noise | None = None
    data_seed: Seed | None = None
    test_fraction: TestFraction = _SPEC.test_fraction
    hidden_layers: list[Count] = Field(default_factory=lambda: list(_SPEC.hidden_layers))
    activation: str = Field(
        default=_SPEC.activation, json_schema_extra={"enum": list(activations.ACTIVATIONS)}
    )
    init: Literal["course", "he", "xavier"] = "course"  # JobSpec's (a test holds them alike)
    learning_rate: LearningRate = _SPEC.learning_rate
    iterations: Count = _SPEC.iterations
    seed: Seed = _SPEC.seed
    optimizer: Literal["gd", "momentum", "rmsprop", "adam"] = "gd"  # JobSpec's, as init
    batch_size: Count | None = _SPEC.batch_size
    l2: L2 = _SPEC.l2
    l1: L2 = _SPEC.l1
    n_classes: ClassCount | None = Field(
        default=None,
        description="K classes, for the multi-class datasets (spiral, blobs); null: two.",
    )
    features: list[Feature] = Field(
        default_factory=lambda: list(_SPEC.features),
        description="The network's inputs, computed from each point (x1, x2): n_x of them.",
    )
    grid: GridSize | None = None
    speed: Speed | None = None
    start_paused: Bool = False
    learner: Learner | None = Field(
        default=None, description="The name its creator goes by in the teacher's room (/room)."
    )

    @field_validator("dataset")
    @classmethod
    def _known_dataset(cls, name: str) -> str:
        # A learner's dataset (own-...) is looked up when the job is made.
        if name not in datasets.NAMES and not is_own(name):
            raise ValueError(
                f"unknown dataset {echo(name)!r}: use one of {', '.join(datasets.NAMES)}"
            )
        return name

    @field_validator("activation")
    @classmethod
    def _known_activation(cls, name: str) -> str:
        if name not in activations.ACTIVATIONS:
            accepted = ", ".join(activations.ACTIVATIONS)
            raise ValueError(f"unknown activation {echo(name)!r}: use one of {accepted}")
        return name

    @field_validator("features")
    @classmethod
    def _known_features(cls, names: list[str]) -> list[str]:
        return list(check_features(names))

    @field_validator("n_classes")
    @classmethod
    def _classes_for_multiclass_sets(cls, K: int | None, info: ValidationInfo) -> int | None:
        # An own dataset's classes are its labels': n_classes is not asked of it.
        name = info.data.get("dataset", "")
        if K not in (None, datasets.MIN_CLASSES) and name not in datasets.MULTICLASS:
            raise ValueError(datasets.not_multiclass(name))
        return K

    @field_validator("learner")
    @classmethod
    def _printable_learner(cls, name: str | None) -> str | None:
        if name is not None and not name.isprintable():
            raise ValueError("a name is text on one line, without control characters")
        return name

    def spec(self, settings: Settings) -> JobSpec:
        """The job's spec, with the server's default grid and pace where none was given."""
        values = self.model_dump(exclude={"grid", "speed", "hidden_layers", "features", "learner"})
        return JobSpec(
            **values,
            hidden_layers=tuple(self.hidden_layers),
            features=tuple(self.features),
            grid=settings.DEFAULT_GRID if self.grid is None else self.grid,
            speed=self.speed if "speed" in self.model_fields_set else settings.DEFAULT_SPEED,
        )


class JobControl(BaseModel):
    """A command: pause, resume, stop, step (`steps` iterations, then pause), or set.

    "set" changes the learning rate and/or the speed (null: as fast as it can) of a
    job while it runs.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    action: Literal["pause", "resume", "stop", "step", "set"]
    steps: Count = 1
    learning_rate: LearningRate | None = None
    speed: Speed | None = None

    @model_validator(mode="after")
    def _set_needs_a_value(self) -> "JobControl":
        if self.action == "set" and not {"learning_rate", "speed"} & self.model_fields_set:
            raise ValueError('"set" needs learning_rate or speed')
        lr_null = "learning_rate" in self.model_fields_set and self.learning_rate is None
        if self.action == "set" and lr_null:
            raise ValueError("learning_rate must be a number > 0 (null is not a learning rate)")
        return self

    def command(self) -> Command:
        """The jobs layer's command."""
        return Command(
            self.action,
            steps=self.steps,
            learning_rate=self.learning_rate,
            speed=self.speed,
            set_speed="speed" in self.model_fields_set,
        )


class JobConfig(BaseModel):
    """A job's config with every default filled (learning rate and speed as set now)."""

    dataset: str
    n_samples: int
    noise: float
    data_seed: int
    test_fraction: float
    hidden_layers: list[int]
    activation: str
    init: str
    learning_rate: float
    iterations: int
    seed: int
    optimizer: str
    batch_size: int | None
    l2: float
    l1: float
    n_classes: int | None
    features: list[str]
    problem: ProblemName
    grid: int
    speed: float | None
    start_paused: bool


class JobMetrics(BaseModel):
    """The latest metrics: last cost, accuracies in [0, 1] (null without a test split, and
    for a regression, which has R^2 as train_r2 and test_r2 instead).

    cost is the last iteration's (its batch's, with mini-batches); train_cost the whole
    training set's at the parameters after it.
    """

    cost: float | None
    train_accuracy: float | None
    test_accuracy: float | None
    test_cost: float | None
    train_cost: float | None
    train_r2: float | None = None
    test_r2: float | None = None


class JobPublic(BaseModel):
    """A job as the API shows it; `iteration` is the last one done (-1 before any).

    learner: the name its creator goes by in the teacher's room, or null.
    """

    id: str
    learner: str | None
    status: Literal[STATUSES]  # type: ignore[valid-type]
    detail: str
    config: JobConfig
    iteration: int
    metrics: JobMetrics
    created_at: datetime


class JobCreated(JobPublic):
    """A new job, with the token that steers it: sent in this answer only, keep it."""

    token: str


class Refusal(BaseModel):
    """Why a request was refused (404, 409, 413, 415, 429): a sentence for people."""

    detail: str


_REFUSALS = {
    403: "Only the job's token (Authorization: Bearer <token>) or the admin's may do this.",
    404: "No job, experiment (or dataset) has this id (name).",
    409: "The job has ended, or has no weights to check.",
    413: "The body is larger than GRADLIVE_MAX_REQUEST_BYTES.",
    415: "The body was not sent as JSON.",
    429: "The server trains all it can at once; Retry-After says when to try again.",
}


def refusals(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the refusals a route may answer, besides its 422."""
    return {code: {"model": Refusal, "description": _REFUSALS[code]} for code in codes}


# What an experiment may not vary: who started it is one person, and a job made to start
# paused would only wait to be resumed one by one.
NOT_VARIED = ("learner", "start_paused")
VARIED = tuple(name for name in JobCreate.model_fields if name not in NOT_VARIED)


class ExperimentCreate(BaseModel):
    """One job per value of `vary`: each is `base` with `vary` set to that value.

    The lecture's hidden-size experiment: base {"iterations": 5000, "speed": null}, vary
    "hidden_layers", values [[1], [2], [3], [4], [5], [20], [50]].
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    base: JobCreate = Field(default_factory=JobCreate)
    vary: str = Field(json_schema_extra={"enum": list(VARIED)})
    values: list[Any] = Field(min_length=1)

    @field_validator("vary")
    @classmethod
    def _a_field_to_vary(cls, name: str) -> str:
        if name in NOT_VARIED:
            raise ValueError(f"{name} is the same for every job of an experiment: set it in base")
        if name not in VARIED:
            raise ValueError(f"unknown field {echo(name)!r}: vary one of {', '.join(VARIED)}")
        return name

    def configs(self, settings: Settings) -> tuple[list[JobCreate], list[dict[str, Any]]]:
        """Each value's job config, and the 422 errors of the bad ones, checked as POST
        /api/jobs checks one: a bad value's loc is ("body", "values", i, field, ...)."""
        errors = [_under(("base",), e) for e in limit_errors(self.base, settings)]
        if len(self.values) > settings.MAX_EXPERIMENT_VALUES:
            limit = settings.MAX_EXPERIMENT_VALUES
            message = f"At most {limit} values on this server (GRADLIVE_MAX_EXPERIMENT_VALUES)"
            errors.append(_error(("values",), len(self.values), message))
        if errors:
            return [], errors
        base = self.base.model_dump(exclude_unset=True)
        configs = []
        for i, value in enumerate(self.values):
            try:
                config = JobCreate.model_validate({**base, self.vary: value})
            except ValidationError as error:
                found = [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False)]
            else:
                configs.append(config)
                found = limit_errors(config, settings)
            errors += [_under(("values", i), e) for e in found]
        return configs, errors

    def value(self, config: JobCreate) -> Any:
        """The varied field's value in `config`, as JSON writes it."""
        return config.model_dump(mode="json")[self.vary]


class ExperimentCreated(BaseModel):
    """A new experiment: its id, its jobs' ids in the order of the values, and the one
    token that steers them all (sent in this answer only, keep it)."""

    id: str
    jobs: list[str]
    token: str


class ExperimentJob(BaseModel):
    """One job of an experiment: its value of the varied field and how far it is.

    status "deleted", with iteration and metrics null: the server no longer keeps the job.
    """

    id: str
    value: Any
    status: Literal[(*STATUSES, "deleted")]  # type: ignore[valid-type]
    iteration: int | None
    metrics: JobMetrics | None


class ExperimentPublic(BaseModel):
    """An experiment: the field it varies, its values, and each value's job."""

    id: str
    vary: str
    values: list[Any]
    jobs: list[ExperimentJob]


class DatasetInfo(BaseModel):
    """A dataset's name, the problem it poses and the defaults it is made with.

    n_classes: the classes it is made with by default (2), for the sets that take
    n_classes (problem "multiclass", 2 to 6), else null.
    """

    name: str
    problem: ProblemName
    n_samples: int
    noise: float
    seed: int
    n_classes: int | None


class DatasetCreated(BaseModel):
    """A learner's dataset, kept: its name works as `dataset` in any job config."""

    name: str
    problem: ProblemName
    n_samples: int
    n_classes: int | None


def limit_errors(body: JobCreate, settings: Settings) -> list[dict[str, Any]]:
    """The server's limits (limits.BOUNDS) that `body` goes beyond, as 422 errors naming
    each field; n_samples left out is the dataset's."""
    n_samples = body.n_samples
    if n_samples is None and body.dataset in datasets.DEFAULTS:
        n_samples = int(datasets.DEFAULTS[body.dataset]["n_samples"])
    return bound_errors({**body.model_dump(), "n_samples": n_samples}, settings)


def control_errors(body: JobControl, settings: Settings) -> list[dict[str, Any]]:
    """The server's limits (limits.BOUNDS) that a command goes beyond (steps, speed)."""
    return bound_errors(body.model_dump(), settings)


def _under(prefix: tuple[str | int, ...], error: dict[str, Any]) -> dict[str, Any]:
    """A 422 error about the body's field, moved to the same field under `prefix`."""
    return {**error, "loc": ("body", *prefix, *error["loc"][1:])}


def _error(loc: tuple[str | int, ...], value: Any, message: str) -> dict[str, Any]:
    return {"type": "value_error", "loc": ("body", *loc), "msg": message, "input": value}
