"""The page in the distributed mode: a run started on one replica, watched live from a
second browser through the other replica, steered only by its owner."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import VIEWPORT, Playground
from tests.cluster import Cluster, running_cluster

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def cluster(redis_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with running_cluster(redis_server, tmp_path_factory.mktemp("cluster")) as cluster:
        yield cluster


def page_on(browser: Browser, base: str) -> Playground:
    return Playground(browser.new_context(viewport=VIEWPORT).new_page(), base)


def test_a_run_started_through_one_replica_is_watched_live_through_the_other(
    browser: Browser, cluster: Cluster, artifacts
) -> None:
    presenter = page_on(browser, cluster.a.url)
    presenter.open("?speed=50&iterations=100000")
    presenter.click("train-button")
    presenter.wait_for_status("running")
    job_id = presenter.wait_for_job()

    classmate = page_on(browser, cluster.b.url)
    classmate.page.goto(presenter.page.url.replace(cluster.a.url, cluster.b.url))
    classmate.wait_for_status("running")
    assert classmate.job_id() == job_id
    assert classmate.by_id("fork-button").is_visible()
    assert classmate.by_id("pause-button").is_disabled()
    shown = classmate.count()
    classmate.wait_for_count(f"n > {shown}")  # live: it goes on through the other replica
    classmate.page.screenshot(path=str(artifacts / "replica-b-watching.png"))

    presenter.click("pause-button")  # its owner steers it through the first replica
    presenter.wait_for_status("paused")
    classmate.wait_for_status("paused")
    for page in (presenter, classmate):
        assert not page.console_errors and not page.page_errors
        page.page.context.close()
