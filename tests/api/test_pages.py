"""The page, its static files, the API docs, and the vendored scripts they use."""

import re
from pathlib import Path

import pytest

from app.api import assets
from app.config import Settings

pytestmark = pytest.mark.anyio


async def test_the_page_renders(client):
    response = await client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "plotly-basic.min.js" in response.text


async def test_plotly_is_served_compressed(client):
    response = await client.get(
        "/vendor/plotly/plotly-basic.min.js", headers={"Accept-Encoding": "gzip"}
    )
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["vary"] == "Accept-Encoding"
    assert "Plotly" in response.text[:5000]  # httpx has inflated it
    plain = await client.get(
        "/vendor/plotly/plotly-basic.min.js", headers={"Accept-Encoding": "identity"}
    )
    assert "content-encoding" not in plain.headers
    assert plain.content == response.content


def test_plotly_is_compressed_once_per_content():
    path = Settings().STATIC_DIR / "vendor" / "plotly" / assets.PLOTLY
    stat = path.stat()
    assets._gzipped.cache_clear()
    for _ in range(3):
        assets._gzipped(path, stat.st_mtime_ns, stat.st_size)
    assert assets._gzipped.cache_info().misses == 1


def test_the_vendored_plotly_is_the_one_the_plotly_package_bundles():
    import plotly

    bundled = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    version = re.compile(r"plotly\.js.*? v(\d+\.\d+\.\d+)")
    vendored = Settings().STATIC_DIR / "vendor" / "plotly" / assets.PLOTLY
    heads = [version.search(p.read_text(errors="ignore")[:300]) for p in (bundled, vendored)]
    assert heads[0] and heads[1] and heads[0][1] == heads[1][1], heads


async def test_every_file_the_page_names_is_cached_for_good_and_others_revalidate(client):
    page = (await client.get("/")).text
    static = Settings().STATIC_DIR
    prefix = f"static/~{assets.tree_hash(static)}/"
    head = page.split("</head>", 1)[0]
    urls = re.findall(r'(?:src|href)="([^"]+)"', head)
    plotly = [url for url in urls if re.fullmatch(r"vendor/plotly/[\w.-]+\?v=[0-9a-f]{12}", url)]
    versioned = [url for url in urls if url.startswith(prefix)]
    assert len(plotly) == 1 and len(plotly) + len(versioned) == len(urls), urls
    preloads = re.findall(r'<link rel="modulepreload" href="([^"]+)">', page)
    assert len(versioned) == 4 + len(preloads) and len(preloads) > 10, urls
    # Every module a page can import, by a relative import from its script, sits under the
    # same versioned prefix: no import map.
    modules = [prefix + p.relative_to(static).as_posix() for p in (static / "js").rglob("*.js")]
    # Every module the page's script imports is fetched at once, under its versioned URL.
    # Not preloaded: the page's own script, and the modules of the room, the runs page and
    # the experiment page (its boundary tiles), which the playground does not import.
    others = (
        "/main.js",
        "/room",
        "/runspage.js",
        "/experimentpage.js",
        "/experiment.js",
        "/tiles.js",
        "/swaggerdocs.js",
    )
    assert set(preloads) == {m for m in modules if not any(name in m for name in others)}
    for url in urls + modules:
        response = await client.get("/" + url)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == assets.IMMUTABLE, url
    plain = await client.get("/static/js/main.js")
    assert plain.headers["cache-control"] == assets.REVALIDATE
    again = await client.get("/static/js/main.js", headers={"If-None-Match": plain.headers["etag"]})
    assert again.status_code == 304
    # A page of an older version gets today's files, revalidated on each use.
    stale = await client.get("/static/~000000000000/js/main.js")
    assert stale.status_code == 200 and stale.content == plain.content
    assert stale.headers["cache-control"] == assets.REVALIDATE
    again = await client.get(
        "/static/~000000000000/js/main.js", headers={"If-None-Match": stale.headers["etag"]}
    )
    assert again.status_code == 304
    assert (await client.get(f"/{prefix}js/no-such-file.js")).status_code == 404


def test_a_changed_file_gets_a_new_hash(tmp_path):
    script = tmp_path / "a.js"
    script.write_text("export const a = 1;")
    first = assets.content_hash(script)
    script.write_text("export const a = 22;")
    assert assets.content_hash(script) != first


def test_the_tree_hash_changes_with_any_file_but_vendor(tmp_path):
    (tmp_path / "js").mkdir()
    (tmp_path / "vendor").mkdir()
    (tmp_path / "js" / "a.js").write_text("export const a = 1;")
    (tmp_path / "vendor" / "big.js").write_text("1")
    first = assets.tree_hash(tmp_path)
    assert assets.tree_hash(tmp_path) == first
    (tmp_path / "vendor" / "big.js").write_text("22")
    assert assets.tree_hash(tmp_path) == first
    (tmp_path / "js" / "a.js").write_text("export const a = 22;")
    changed = assets.tree_hash(tmp_path)
    assert changed != first
    (tmp_path / "js" / "b.js").write_text("")
    assert assets.tree_hash(tmp_path) not in (first, changed)


PAGES = ("/", "/room", "/runs", "/experiment", "/docs", "/redoc")


@pytest.mark.parametrize("path", PAGES)
async def test_no_page_has_an_inline_script_nor_allows_one(client, path):
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert re.findall(r"<script\b[^>]*>", response.text)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.text), path
    directives = response.headers["content-security-policy"].split(";")
    policy = dict(directive.strip().split(" ", 1) for directive in directives)
    assert policy["script-src"] == "'self'", policy


async def test_static_files_are_served_from_the_source_tree(client):
    static = Settings().STATIC_DIR
    present = sorted(static.rglob("*.js"))
    assert present, f"no scripts in {static}"
    path = present[0].relative_to(static).as_posix()
    assert (await client.get(f"/static/{path}")).status_code == 200
    assert (await client.get("/static/no-such-file.js")).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/vendor/plotly/",
        "/vendor/plotly/LICENSE",
        "/vendor/plotly/plotly.min.js",
        "/static/vendor/plotly/plotly-basic.min.js",
        "/vendor/plotly/datasets/iris.csv.gz",
        "/vendor/plotly/widgetbundle.js",
        "/vendor/plotly/plotly-basic.min.js/../LICENSE",
        "/vendor/plotly/%2E%2E/__init__.py",
        "/vendor/docs/favicon.png",
        "/static/~000000000000/vendor/plotly/plotly-basic.min.js",
        "/static/~000000000000",
    ],
)
async def test_only_the_vendored_files_the_pages_use_are_served(client, path):
    assert (await client.get(path)).status_code == 404


def local_assets(html: str) -> list[str]:
    """Every src= and href= in a page, checking none leaves this server."""
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(url.startswith("/") and not url.startswith("//") for url in urls), urls
    return urls


@pytest.mark.parametrize("page, script", [("/docs", "SwaggerUIBundle"), ("/redoc", "Redoc")])
async def test_the_api_docs_load_everything_from_this_server(client, page, script):
    response = await client.get(page)
    assert response.status_code == 200
    assert "cdn" not in response.text and "googleapis" not in response.text
    # and the browser sends nothing elsewhere (Redoc's logo comes from its maker's CDN)
    directives = response.headers["content-security-policy"].split(";")
    policy = dict(directive.strip().split(" ", 1) for directive in directives)
    assert policy["default-src"] == "'self'" and "unsafe" not in policy["script-src"]
    if page == "/docs":  # no inline script, so no hash to allow one
        assert not re.search(r"<script(?![^>]*src=)", response.text)
        assert "sha256" not in policy["script-src"]
    texts = []
    for url in local_assets(response.text):
        asset = await client.get(url)
        assert asset.status_code == 200, url
        texts.append(asset.text)
    assert any(script in text for text in texts)  # the script the page runs is there
    assert (await client.get("/openapi.json")).json()["info"]["title"] == "gradlive"
