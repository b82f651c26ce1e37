"""The API docs: /docs (Swagger UI) and /redoc, whose scripts this server serves itself.

FastAPI's own pages load them from a CDN: broken in a room without internet, and a request
off the host. The fastapi-offline package ships the same builds; pages.VENDOR serves them
under /vendor/docs/, and FastAPI's page functions point at them.
"""

import html

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

ASSETS = "/vendor/docs"
FAVICON = "/static/favicon.svg"

# The browser itself keeps the pages on this host (Redoc always shows its maker's logo from
# their CDN: an <img> that hides itself when it cannot load). Neither page has an inline
# script: Swagger UI's set-up is static/js/swaggerdocs.js.
ONLY_THIS_HOST = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; worker-src 'self' blob:; frame-ancestors 'self'"
)


def _on_this_host_only(page: HTMLResponse) -> HTMLResponse:
    """`page` with a Content-Security-Policy that lets it load nothing from elsewhere."""
    page.headers["Content-Security-Policy"] = ONLY_THIS_HOST
    return page


SWAGGER_PAGE = """<!DOCTYPE html>
<html>
<head>
<link type="text/css" rel="stylesheet" href="{css}">
<link rel="shortcut icon" href="{favicon}">
<title>{title}</title>
</head>
<body>
<div id="swagger-ui" data-openapi="{openapi}"></div>
<script src="{bundle}"></script>
<script src="{setup}"></script>
</body>
</html>
"""


@router.get("/docs")
async def read_swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI: try every endpoint from the browser; its set-up is a served file."""
    root = request.scope.get("root_path", "")
    page = SWAGGER_PAGE.format(
        css=html.escape(f"{root}{ASSETS}/swagger-ui.css"),
        favicon=html.escape(f"{root}{FAVICON}"),
        title=html.escape(f"{request.app.title} API"),
        openapi=html.escape(f"{root}{request.app.openapi_url}"),
        bundle=html.escape(f"{root}{ASSETS}/swagger-ui-bundle.js"),
        setup=html.escape(f"{root}/static/js/swaggerdocs.js"),
    )
    return _on_this_host_only(HTMLResponse(page))


@router.get("/redoc")
async def read_redoc(request: Request) -> HTMLResponse:
    """Redoc: the API reference as one page."""
    root = request.scope.get("root_path", "")
    page = get_redoc_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} API reference",
        redoc_js_url=f"{root}{ASSETS}/redoc.standalone.js",
        redoc_favicon_url=f"{root}{FAVICON}",
        with_google_fonts=False,
    )
    return _on_this_host_only(page)
