"""The page, its static files, and plotly.js served from the plotly package."""

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
