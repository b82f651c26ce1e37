"""The playground page (GET /), its static files, and Plotly served from its package."""

import functools
from pathlib import Path
from typing import Any

import plotly
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from app import __version__
from app.api.deps import SettingsDep
from app.api.limits import public_limits
from app.nn import datasets

router = APIRouter(tags=["pages"])

# plotly's wheel ships plotly.min.js here: every asset comes from this server.
PLOTLY_DIR = Path(plotly.__file__).resolve().parent / "package_data"


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def read_index(request: Request, settings: SettingsDep) -> Any:
    """The playground: data, network and output, trained live on the server."""
    context = {
        "version": __version__,
        "limits": public_limits(settings),
        "datasets": [{"name": n, **datasets.DEFAULTS[n]} for n in datasets.NAMES],
    }
    return _templates(settings.TEMPLATES_DIR).TemplateResponse(request, "index.html", context)


@functools.cache
def _templates(directory: Path) -> Jinja2Templates:
    return Jinja2Templates(directory=directory)


def mount_assets(app: FastAPI, static_dir: Path) -> None:
    """Serve /static from the source tree and /vendor/plotly from the plotly package."""
    app.mount("/static", StaticFiles(directory=static_dir, check_dir=False), name="static")
    app.mount("/vendor/plotly", StaticFiles(directory=PLOTLY_DIR), name="plotly")
