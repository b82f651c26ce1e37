"""The datasets: their names, problems and defaults, a preview of their points, and the
learners' own (POST /api/datasets), kept under a name any job config may give."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response

from app.api.deps import JobManagerDep, SettingsDep
from app.api.limits import ReadableErrorsRoute, bound_errors, echo
from app.api.schemas import DatasetCreated, DatasetInfo, refusals
from app.jobs import messages
from app.jobs.owndata import OwnDatasets, check_size, is_own, read_csv, read_json
from app.jobs.spec import DataSplit, JobSpec
from app.nn import datasets
from app.nn.datasets import MAX_SEED
from app.nn.errors import renamed

OWN_DATA_PATH = "/api/datasets"  # where learners send their points, read within MAX_DATA_BYTES
# Bad points (422 at their line or point) and refused data settings (422 at the query
# parameter) are answered by app.api.errors.
router = APIRouter(prefix=OWN_DATA_PATH, tags=["datasets"], route_class=ReadableErrorsRoute)
QUERY_NAMES = {"data_seed": "seed"}  # the spec's fields that the preview's query calls otherwise

UNKNOWN = "Unknown dataset {name!r}: it is none of the server's, nor one sent to it"


def dataset_infos() -> list[dict[str, Any]]:
    """Every offered dataset as GET /api/datasets (and the page) list it, in menu order."""
    return [
        {
            "name": name,
            "problem": datasets.kind_of(name),
            **datasets.DEFAULTS[name],
            "n_classes": datasets.MIN_CLASSES if name in datasets.MULTICLASS else None,
        }
        for name in datasets.NAMES
    ]


@router.get("", response_model=list[DatasetInfo])
async def list_datasets() -> Any:
    """Every dataset's name, problem and defaults (n_samples, noise, seed), in menu order.

    The "multiclass" sets take `n_classes` (2 to 6) in a job config; with two they train
    as the lecture's binary problem (a sigmoid output: softmax over two classes is one).
    """
    return dataset_infos()


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=DatasetCreated,
    responses=refusals(413, 415),
)
async def create_dataset(
    request: Request,
    settings: SettingsDep,
    manager: JobManagerDep,
    problem: Annotated[Literal["regression"] | None, Query()] = None,
) -> Any:
    """Keep a learner's own points: a CSV body (Content-Type text/csv, `x1,x2,label` rows,
    a header optional) or JSON (`{"points": [[x1, x2, label], ...]}`).

    Labels are 0/1 (two classes), 0..K-1 (K classes, K up to 6), or real numbers with
    `problem=regression` (query, or `"problem": "regression"` in the JSON). The answer's
    `name` works as `dataset` in any job config and in shared links. 422 names the line
    (CSV, from 1) or the point (JSON, from 0) and what is wrong; nothing is kept then.
    """
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    reader = read_json if kind.endswith("json") else read_csv if kind in CSV_TYPES else None
    if reader is None:
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, NOT_DATA)
    body = await _body(request, settings.MAX_DATA_BYTES)
    data = reader(body, problem == "regression", settings.MAX_DATA_ROWS, settings.MAX_DATA_BYTES)
    name = _own(manager.own).add(data)
    return {
        "name": name,
        "problem": data.problem,
        "n_samples": data.X.shape[1],
        "n_classes": data.n_classes if data.problem == "multiclass" else None,
    }


CSV_TYPES = ("text/csv", "text/plain", "application/csv")
NOT_DATA = (
    "Send the points as CSV (Content-Type: text/csv, x1,x2,label rows) "
    'or as JSON (Content-Type: application/json, {"points": [[x1, x2, label], ...]}).'
)


async def _body(request: Request, max_bytes: int) -> bytes:
    """The body, read no further than max_bytes (OwnDataError beyond), so a huge upload
    costs the server no more than a small one."""
    length = request.headers.get("content-length", "")
    if length.isdigit():
        check_size(int(length), max_bytes)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        check_size(len(body), max_bytes)
    return bytes(body)


def _own(own: OwnDatasets | None) -> OwnDatasets:
    if own is None:  # a manager made without a place for them (some tests)
        raise HTTPException(status.HTTP_404_NOT_FOUND, "This server keeps no datasets.")
    return own


@router.get("/{name}", responses=refusals(404))
async def read_dataset(
    name: str,
    settings: SettingsDep,
    manager: JobManagerDep,
    n_samples: Annotated[int | None, Query(ge=2)] = None,
    noise: Annotated[float | None, Query(ge=0, le=5, allow_inf_nan=False)] = None,
    seed: Annotated[int | None, Query(ge=0, le=MAX_SEED)] = None,
    test_fraction: Annotated[float, Query(ge=0, le=0.9, allow_inf_nan=False)] = 0.0,
    n_classes: Annotated[
        int | None, Query(ge=datasets.MIN_CLASSES, le=datasets.MAX_CLASSES)
    ] = None,
) -> Response:
    """The points a job with these data settings would train and test on (a preview).

    Same shape as the snapshot's `dataset`: {"name", "problem", "train": {"x1", "x2",
    "y"}, "test"}. A learner's own dataset is given whole (n_samples and noise are its
    own); `seed` splits it.
    """
    own = manager.own
    if name not in datasets.NAMES and not (is_own(name) and own and own.get(name)):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=UNKNOWN.format(name=echo(name)))
    request = JobSpec(
        dataset=name,
        n_samples=n_samples,
        noise=noise,
        data_seed=seed,
        test_fraction=test_fraction,
        n_classes=n_classes,
    )
    spec = request.resolved(own)
    errors = [] if is_own(name) else bound_errors({"n_samples": spec.n_samples}, settings, "query")
    if errors:
        raise RequestValidationError(errors)
    with renamed(QUERY_NAMES):
        data = DataSplit.make(spec, own)
    return Response(messages.dataset_json(name, spec.problem, data), media_type="application/json")
