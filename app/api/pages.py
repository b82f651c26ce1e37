"""The playground page (GET /), the teacher's room (GET /room), the runs page (GET /runs)
and the experiment page (GET /experiment); app.api.assets serves their files."""

import dataclasses
import functools
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app import __version__
from app.api import assets
from app.api.datasets import dataset_infos
from app.api.deps import SettingsDep
from app.api.limits import public_limits
from app.config import Settings
from app.jobs.spec import JobSpec
from app.nn.datasets import MIN_CLASSES

router = APIRouter(tags=["pages"])


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def read_index(request: Request, settings: SettingsDep) -> Any:
    """The playground: data, network and output, trained live on the server."""
    context = {
        "version": __version__,
        "limits": public_limits(settings),
        "datasets": dataset_infos(),
        "defaults": job_defaults(settings),
        "assets": assets.page_urls(settings.STATIC_DIR),
    }
    return _templates(settings.TEMPLATES_DIR).TemplateResponse(request, "index.html", context)


@router.get("/room", response_class=HTMLResponse, include_in_schema=False)
async def read_room(request: Request, settings: SettingsDep) -> Any:
    """The teacher's room: every job live over /ws/room, once the admin's token is given."""
    context = {"version": __version__, "assets": assets.page_urls(settings.STATIC_DIR)}
    return _templates(settings.TEMPLATES_DIR).TemplateResponse(request, "room.html", context)


@router.get("/runs", response_class=HTMLResponse, include_in_schema=False)
async def read_runs(request: Request, settings: SettingsDep) -> Any:
    """Your runs as the server keeps them: reopen, download or delete each one."""
    context = {"version": __version__, "assets": assets.page_urls(settings.STATIC_DIR)}
    return _templates(settings.TEMPLATES_DIR).TemplateResponse(request, "runs.html", context)


@router.get("/experiment", response_class=HTMLResponse, include_in_schema=False)
async def read_experiment(request: Request, settings: SettingsDep) -> Any:
    """Runs side by side: an experiment's (?id=) or any runs compared (?jobs=a,b,...)."""
    context = {"version": __version__, "assets": assets.page_urls(settings.STATIC_DIR)}
    return _templates(settings.TEMPLATES_DIR).TemplateResponse(request, "experiment.html", context)


def job_defaults(settings: Settings) -> dict[str, Any]:
    """The config a job gets for what it leaves out, as the page's form shows it.

    The data fields (n_samples, noise, data_seed) are the dataset's own, so they come
    with each dataset; the pace is this server's default.
    """
    spec = dataclasses.asdict(JobSpec())
    for per_dataset in ("n_samples", "noise", "data_seed", "grid", "start_paused"):
        del spec[per_dataset]
    return {
        **spec,
        "hidden_layers": list(spec["hidden_layers"]),
        "features": list(spec["features"]),
        "n_classes": MIN_CLASSES,  # the page's K for the multi-class sets; two is the lecture's
        "speed": settings.DEFAULT_SPEED,
    }


def form_text(value: Any) -> str:
    """A value as the page's form writes it (JavaScript's String): 0.0 is "0", 1.2 is "1.2"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


@functools.cache
def _templates(directory: Path) -> Jinja2Templates:
    templates = Jinja2Templates(directory=directory)
    templates.env.filters["form_text"] = form_text
    return templates
