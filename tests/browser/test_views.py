"""A job's view is one object in JobViews' list (static/js/messages.js): a fake one added
to the page's list gets the snapshot, every progress message and the clear, with no other
edit anywhere."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Playground

pytestmark = pytest.mark.browser

# The fake view: it writes down what reached it, on the page (`window.fakeView`). The
# list is main.js's: imported by the page's own module URL, so it is the same instance.
ADD_FAKE_VIEW = """async () => {
  const src = document.querySelector('script[type=module]').src;
  const { jobViews } = await import(src);
  const calls = { snapshot: [], progress: [], clear: 0 };
  window.fakeView = calls;
  jobViews.views.push({
    snapshot: (message, context) => calls.snapshot.push(
      { job: message.job.id, type: message.type, same: context.job === message.job }),
    progress: (message, context) => calls.progress.push(
      { job: context.job.id, type: message.type, iterations: message.cost.length,
        last: message.iteration }),
    clear: () => { calls.clear += 1; },
  });
}"""


def test_a_view_added_to_the_list_gets_the_snapshot_the_progress_and_the_clear(
    playground: Playground,
) -> None:
    playground.open("?iterations=150&speed=100")
    playground.page.evaluate(ADD_FAKE_VIEW)
    job_id = playground.train_to_the_end()
    calls = playground.page.evaluate("() => window.fakeView")
    assert calls["snapshot"] == [{"job": job_id, "type": "snapshot", "same": True}]
    progress = calls["progress"]
    assert progress and {p["job"] for p in progress} == {job_id}
    assert {p["type"] for p in progress} == {"progress"}
    # Every iteration reached it, each once: the snapshot's and the messages' together.
    snapshot_iterations = playground.page.evaluate(
        "() => document.querySelector('[data-testid=cost-plot]').view.train.x.length"
    ) - sum(p["iterations"] for p in progress)
    assert 0 <= snapshot_iterations < 150
    assert progress[-1]["last"] == 149
    assert calls["clear"] == 0

    # A new setting with no run playing: the views are cleared.
    playground.by_id("activation").select_option("relu")
    playground.page.wait_for_function("() => window.fakeView.clear === 1")
    assert playground.page_errors == []
