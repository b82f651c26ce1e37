"""The page, its static files, the API docs, and the vendored scripts they use."""

import re

import pytest

from app.config import Settings

pytestmark = pytest.mark.anyio


async def test_the_page_renders(client):
    response = await client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "plotly.min.js" in response.text


async def test_plotly_is_served_compressed_from_its_package(client):
    response = await client.get("/vendor/plotly/plotly.min.js", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert "Plotly" in response.text[:5000]  # httpx has inflated it


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
        "/vendor/plotly/datasets/iris.csv.gz",
        "/vendor/plotly/widgetbundle.js",
        "/vendor/plotly/plotly.min.js/../datasets/tips.csv.gz",
        "/vendor/plotly/%2E%2E/__init__.py",
        "/vendor/docs/favicon.png",
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
    texts = []
    for url in local_assets(response.text):
        asset = await client.get(url)
        assert asset.status_code == 200, url
        texts.append(asset.text)
    assert any(script in text for text in texts)  # the script the page runs is there
    assert (await client.get("/openapi.json")).json()["info"]["title"] == "gradlive"
