"""The page's files: /static from the source tree, /vendor from the packages that ship them.

A first visit loads every file once; a second loads none. The page names its files under
one versioned prefix, `static/~<tree hash>/js/main.js`, where the tree hash is a hash of
every file under static/ but vendor/ (tree_hash: recomputed only when a file's mtime or
size changes, or a file comes or goes). A module's relative imports ("./x.js") resolve
inside the same prefix, so every module the page can import is versioned with no import
map (and no inline script). A URL with the current tree hash is cached for a year as
immutable; one with any other hash is served the current file with no-cache and an ETag
(not redirected: the old version's files are gone either way, and a redirect would only
add a round trip before the same revalidated file). Plain /static/... URLs are revalidated
as well. Plotly, under /vendor, is named `?v=<hash of its content>` with the same rule, and
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
    """The page's URLs for its files, under the tree's versioned prefix, relative to the
    page as the template writes them (so the page works under a path prefix)."""

    prefix = f"static/{VERSION}{tree_hash(static_dir)}"  # one walk of the tree per page

    def versioned(path: str) -> str:
        return f"{prefix}/{path}"

    return {
        "favicon": versioned("favicon.svg"),
        "css": versioned("css/gradlive.css"),
        "main": versioned("js/main.js"),
        # Every module main.js imports, fetched at once rather than a level of imports at a time.
        "preload": [versioned(m) for m in imported(static_dir, "js/main.js")],
        "room_css": versioned("css/room.css"),
        "room": versioned("js/room.js"),
        "runs": versioned("js/runspage.js"),
        "experiment": versioned("js/experimentpage.js"),
        "plotly": f"vendor/plotly/{PLOTLY}?v={content_hash(static_dir / 'vendor/plotly' / PLOTLY)}",
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


# A first path segment "~<hash>" under /static names the version of the whole tree.
VERSION = "~"


def tree_hash(static_dir: Path) -> str:
    """The first 12 hex digits of a hash of every file under static/ but vendor/ (names
    and contents). Each call lists and stats the files (a few dozen); the contents are
    read again only when a file's mtime or size changes, or a file comes or goes."""
    stamps = []
    for path in sorted(static_dir.rglob("*")):
        relative = path.relative_to(static_dir)
        if relative.parts[0] == "vendor" or not path.is_file():
            continue
        stat = path.stat()
        stamps.append((relative.as_posix(), stat.st_mtime_ns, stat.st_size))
    return _tree_hash(static_dir, tuple(stamps))


@functools.lru_cache(maxsize=8)
def _tree_hash(static_dir: Path, stamps: tuple[tuple[str, int, int], ...]) -> str:
    digest = hashlib.sha256()
    for name, _, _ in stamps:
        digest.update(f"{name}\0{content_hash(static_dir / name)}\n".encode())
    return digest.hexdigest()[:12]


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
        version = None
        if self.names is None and path.startswith(VERSION):
            version, _, path = path.partition("/")
            version = version.removeprefix(VERSION)
            if not path:
                raise HTTPException(status_code=404)
        if self.names is None and path.split("/", 1)[0] == "vendor":
            raise HTTPException(status_code=404)
        response = await super().get_response(path, scope)
        if not isinstance(response, FileResponse) or response.status_code != 200:
            response.headers.setdefault("Cache-Control", REVALIDATE)
            return response
        file = Path(response.path)
        if version is None:
            response.headers["Cache-Control"] = cache_control(file, scope)
        else:
            current = version == tree_hash(Path(str(self.directory)))
            response.headers["Cache-Control"] = IMMUTABLE if current else REVALIDATE
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
