"""The playground page (GET /), its static files, and the vendored scripts it and the API
docs use (Plotly, Swagger UI, Redoc), each served from its Python package."""

import dataclasses
import functools
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import fastapi_offline
import plotly
from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.responses import Response
from starlette.types import Scope

from app import __version__
from app.api.deps import SettingsDep
from app.api.limits import public_limits
from app.config import Settings
from app.jobs.manager import JobSpec
from app.nn import datasets

router = APIRouter(tags=["pages"])

# Every asset comes from this server, out of the packages that ship them; only the files
# named here are served (plotly's package_data also holds data sets and a widget bundle).
PLOTLY_DIR = Path(plotly.__file__).resolve().parent / "package_data"
DOCS_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"
VENDOR = {
    "plotly": (PLOTLY_DIR, ("plotly.min.js",)),
    "docs": (DOCS_DIR, ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js")),
}


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def read_index(request: Request, settings: SettingsDep) -> Any:
    """The playground: data, network and output, trained live on the server."""
    context = {
        "version": __version__,
        "limits": public_limits(settings),
        "datasets": [{"name": n, **datasets.DEFAULTS[n]} for n in datasets.NAMES],
        "defaults": job_defaults(settings),
    }
    return _templates(settings.TEMPLATES_DIR).TemplateResponse(request, "index.html", context)


def job_defaults(settings: Settings) -> dict[str, Any]:
    """The config a job gets for what it leaves out, as the page's form shows it.

    The data fields (n_samples, noise, data_seed) are the dataset's own, so they come
    with each dataset; the pace is this server's default.
    """
    spec = dataclasses.asdict(JobSpec())
    for per_dataset in ("n_samples", "noise", "data_seed", "grid", "start_paused"):
        del spec[per_dataset]
    return {**spec, "hidden_layers": list(spec["hidden_layers"]), "speed": settings.DEFAULT_SPEED}


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


def mount_assets(app: FastAPI, static_dir: Path) -> None:
    """Serve /static from the source tree and /vendor/<name>/ from the packages in VENDOR."""
    app.mount("/static", StaticFiles(directory=static_dir, check_dir=False), name="static")
    for name, (directory, files) in VENDOR.items():
        app.mount(f"/vendor/{name}", OnlyFiles(directory, files), name=f"vendor-{name}")


class OnlyFiles(StaticFiles):
    """Static files of a folder, but only the named ones: 404 for everything else in it."""

    def __init__(self, directory: Path, names: Iterable[str]) -> None:
        super().__init__(directory=directory)
        self.names = frozenset(names)

    async def get_response(self, path: str, scope: Scope) -> Response:
        if path not in self.names:
            raise HTTPException(status_code=404)
        return await super().get_response(path, scope)
