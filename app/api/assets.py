"""The page's files: /static from the source tree, /vendor from the packages that ship them.

A first visit loads every file once; a second loads none. The page names each file with
`?v=<hash of its content>` (scripts through an import map, so a module's relative imports
are named the same way): a URL with the file's current hash is cached for a year as
immutable; any other URL is revalidated (ETag) on each use. Plotly, the one large file,
is compressed once per content, not once per request.
"""

import functools
import gzip
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI, HTTPException
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.types import Scope

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

# Only the files named here are served under /vendor. Plotly is its basic bundle,
# shipped in static/vendor/plotly (a quarter of the full bundle, with every trace the page uses).
DOCS_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"
PLOTLY = "plotly-basic.min.js"


def vendor(static_dir: Path) -> dict[str, tuple[Path, tuple[str, ...]]]:
    return {
        "plotly": (static_dir / "vendor" / "plotly", (PLOTLY,)),
        "docs": (DOCS_DIR, ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js")),
    }


def mount_assets(app: FastAPI, static_dir: Path) -> None:
    """Serve /static from the source tree and /vendor/<name>/ from the folders in vendor();
    static/vendor itself is not served under /static (its files have their one URL)."""
    app.mount("/static", CachedFiles(directory=static_dir, check_dir=False), name="static")
    for name, (directory, files) in vendor(static_dir).items():
        app.mount(f"/vendor/{name}", CachedFiles(directory, files), name=f"vendor-{name}")


def page_urls(static_dir: Path) -> dict[str, Any]:
    """The page's URLs for its files, each with its hash, relative to the page as the
    template writes them (so the page works under a path prefix), and its import map."""
    scripts = sorted((static_dir / "js").rglob("*.js"))
    modules = [p.relative_to(static_dir).as_posix() for p in scripts]
    return {
        "favicon": versioned(static_dir, "favicon.svg"),
        "css": versioned(static_dir, "css/gradlive.css"),
        "main": versioned(static_dir, "js/main.js"),
        # Every module main.js imports, fetched at once rather than a level of imports at a time.
        "preload": [versioned(static_dir, m) for m in imported(static_dir, "js/main.js")],
        "room_css": versioned(static_dir, "css/room.css"),
        "room": versioned(static_dir, "js/room.js"),
        "runs": versioned(static_dir, "js/runspage.js"),
        "experiment": versioned(static_dir, "js/experimentpage.js"),
        "plotly": f"vendor/plotly/{PLOTLY}?v={content_hash(static_dir / 'vendor/plotly' / PLOTLY)}",
        "import_map": {
            "imports": {f"./static/{m}": f"./{versioned(static_dir, m)}" for m in modules}
        },
    }


IMPORT = re.compile(r"""^import\s[^;]*?from\s+"\./([\w.-]+\.js)";""", re.MULTILINE)


def imported(static_dir: Path, path: str) -> list[str]:
    """The modules `path` imports, directly or not (paths under static/, sorted). The
    page's modules sit in one folder and import one another as "./name.js"."""
    folder = Path(path).parent
    seen: set[str] = set()
    todo = [path]
    while todo:
        text = (static_dir / todo.pop()).read_text(encoding="utf-8")
        for name in IMPORT.findall(text):
            module = (folder / name).as_posix()
            if module not in seen:
                seen.add(module)
                todo.append(module)
    return sorted(seen)


def versioned(static_dir: Path, path: str) -> str:
    return f"static/{path}?v={content_hash(static_dir / path)}"


def content_hash(path: Path) -> str:
    """The first 12 hex digits of the file's SHA-256, read again only when the file changes."""
    stat = path.stat()
    return _hash(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=512)
def _hash(path: Path, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


@functools.lru_cache(maxsize=8)
def _gzipped(path: Path, mtime_ns: int, size: int) -> bytes:
    # mtime=0: the same bytes for the same content, on every server.
    return gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)


# Files at least this large are kept compressed in memory (only Plotly and the docs' bundles).
PRECOMPRESS_BYTES = 256 * 1024


class CachedFiles(StaticFiles):
    """Static files with caching headers; only the named ones when `names` is given."""

    def __init__(
        self, directory: Path, names: Iterable[str] | None = None, check_dir: bool = True
    ) -> None:
        super().__init__(directory=directory, check_dir=check_dir)
        self.names = None if names is None else frozenset(names)

    async def get_response(self, path: str, scope: Scope) -> Response:
        if self.names is not None and path not in self.names:
            raise HTTPException(status_code=404)
        if self.names is None and path.split("/", 1)[0] == "vendor":
            raise HTTPException(status_code=404)
        response = await super().get_response(path, scope)
        if not isinstance(response, FileResponse) or response.status_code != 200:
            response.headers.setdefault("Cache-Control", REVALIDATE)
            return response
        file = Path(response.path)
        response.headers["Cache-Control"] = cache_control(file, scope)
        big = file.stat().st_size >= PRECOMPRESS_BYTES
        if big and scope["method"] == "GET" and accepts_gzip(scope):
            return precompressed(file, response)
        return response


def cache_control(file: Path, scope: Scope) -> str:
    query = scope.get("query_string", b"").decode("latin-1")
    return IMMUTABLE if query == f"v={content_hash(file)}" else REVALIDATE


def accepts_gzip(scope: Scope) -> bool:
    return "gzip" in Headers(scope=scope).get("accept-encoding", "")


def precompressed(file: Path, response: FileResponse) -> Response:
    stat = file.stat()
    headers = {k: v for k, v in response.headers.items() if k != "content-length"}
    headers.update({"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
    body = _gzipped(file, stat.st_mtime_ns, stat.st_size)
    return Response(body, headers=headers, media_type=response.media_type)
