"""The datasets: their names and defaults, and a preview of their points."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response

from app.api.deps import SettingsDep
from app.api.limits import ReadableErrorsRoute, echo, engine_error
from app.api.schemas import DatasetInfo, refusals
from app.jobs.spec import DataSplit, JobSpec
from app.nn import datasets
from app.nn.datasets import MAX_SEED

router = APIRouter(prefix="/api/datasets", tags=["datasets"], route_class=ReadableErrorsRoute)


@router.get("", response_model=list[DatasetInfo])
async def list_datasets() -> Any:
    """Every dataset's name with its defaults (n_samples, noise, seed), in menu order."""
    return [{"name": name, **datasets.DEFAULTS[name]} for name in datasets.NAMES]


@router.get("/{name}", responses=refusals(404))
async def read_dataset(
    name: str,
    settings: SettingsDep,
    n_samples: Annotated[int | None, Query(ge=2)] = None,
    noise: Annotated[float | None, Query(ge=0, le=5, allow_inf_nan=False)] = None,
    seed: Annotated[int | None, Query(ge=0, le=MAX_SEED)] = None,
    test_fraction: Annotated[float, Query(ge=0, le=0.9, allow_inf_nan=False)] = 0.0,
) -> Response:
    """The points a job with these data settings would train and test on (a preview).

    Same shape as the snapshot's `dataset`: {"name", "train": {"x1", "x2", "y"}, "test"}.
    """
    if name not in datasets.NAMES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"Unknown dataset {echo(name)!r}")
    spec = JobSpec(
        dataset=name, n_samples=n_samples, noise=noise, data_seed=seed, test_fraction=test_fraction
    ).resolved()
    if spec.n_samples is not None and spec.n_samples > settings.MAX_SAMPLES:
        message = (
            f"Input should be at most {settings.MAX_SAMPLES} on this server (GRADLIVE_MAX_SAMPLES)"
        )
        raise RequestValidationError(
            [{"type": "value_error", "loc": ("query", "n_samples"), "msg": message}]
        )
    try:
        data = DataSplit.make(spec)
    except ValueError as error:
        fields = ("n_samples", "noise", "seed", "test_fraction")
        raise RequestValidationError([engine_error(error, "query", fields)]) from None
    return Response(data.to_json(name), media_type="application/json")
