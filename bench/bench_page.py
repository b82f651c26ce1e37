"""The page in a browser (a script, not a test): how smooth it is, beside TF Playground.

    python bench/bench_page.py [--window 5] [--tf-playground PATH]

Starts `python -m app serve` on a free loopback port (its iteration limit raised to
1,000,000, so that a run at full speed outlasts the measuring window) and drives Debian's
Chromium (/usr/bin/chromium, headless, the launch arguments of tests/browser/conftest.py)
through Playwright. At 1400 x 1000 and at 1920 x 1080 it measures gradlive's page playing
the lecture's run at the page's default speed and at full speed (`?speed=max`), and TF
Playground's build (served from PATH by Python's http.server on another loopback port;
skipped when PATH is absent) playing its default run. Prints one table, a column each.

Each column opens a fresh browser context (empty cache) and measures, in this order:

- cold load: the page's first visit. First paint is the paint timing's first contentful
  paint; DOMContentLoaded and load are the navigation timing's domContentLoadedEventEnd
  and loadEventEnd; views drawn is the first animation frame in which the page's empty
  views are drawn (gradlive: both Plotly plots; TF Playground: its heatmap's canvas), all
  from navigation start; bytes are
  the transferSize of the document and of every resource fetched until the page has
  drawn its empty plots and the network is idle (headers included; a websocket's frames
  are not counted).
- warm load: the same, in a new tab of the same context (the browser's cache as the
  first visit left it; a normal navigation, not a reload).
- the live window (`--window` seconds, 5 by default), once the run has trained for one
  second: animation frames per second (requestAnimationFrame callbacks counted over the
  window) and the longest gap between two frames; the share of the window spent in long
  tasks (PerformanceObserver 'longtask', buffered from the document's start, clipped to
  the window); boundaries drawn per second; progress messages carrying a boundary per
  second (a listener on the page's WebSocket, counting messages with a `"boundary": {`);
  and the iterations the page shows per second (the run bar's count; TF Playground's
  epoch counter).
- Pause: the time from the click on Pause (the click event's timeStamp, which the
  browser takes when it receives the input, so a busy main thread counts) to the first
  animation frame after the page shows paused (gradlive: the status word's
  `data-status="paused"`, set when the server's status message arrives; TF Playground:
  its play button losing the class `playing`).
- a second viewer (gradlive only): a 100,000-iteration job created before the columns
  with POST /api/jobs (speed null) and trained to its end, opened by URL (`?job=<id>`)
  in a new tab of the same context (a warm cache, so this is the attach alone): the time
  from navigation start to the first frame in which the cost chart is drawn and the run
  bar shows every iteration, and to the first frame with the boundary's picture drawn
  (the page sketches it on a canvas before Plotly has loaded; the plot then replaces it).

Boundaries drawn: gradlive's page counts them itself (the boundary view's `drawn`, one a
frame at most). For a page without such a counter the probe counts from outside, by an init
script that wraps the calls which draw into the boundary's element: Plotly's drawing
functions (newPlot, react, restyle, update, extendTraces, ...) called on the boundary's
div, and canvas drawing (putImageData, drawImage, transferFromImageBitmap) on a canvas
inside it; at most one is counted per animation frame, so the count is frames in which the
boundary changed. For TF Playground that is its output heatmap's canvas (`#heatmap`), which
it redraws every epoch (its neurons' small heatmaps are not counted).

Every wait has a deadline; a column that fails says why under the table and the others
still run. The machine may be shared: run it twice and read the figures side by side.
Talks to 127.0.0.1 only.
"""

import argparse
import functools
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import HOST, serve
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

VIEWPORTS = [(1400, 1000), (1920, 1080)]
# Iterations of the full-speed run and the server's limit for it: at about 40,000 it/s
# the page's limit (100,000) would end the run in under three seconds.
FULL_SPEED_ITERATIONS = 1_000_000
SPEEDS = [("default speed", ""), ("full speed", f"?speed=max&iterations={FULL_SPEED_ITERATIONS}")]
LONG_JOB_ITERATIONS = 100_000
WARM_UP = 1.0  # seconds of training before the window opens
MAX_WINDOW = 15.0  # seconds; the page's default run (10,000 it. at 500 it/s) lasts 20
WAIT_MS = 30_000  # the longest any single wait in the browser may take
LONG_JOB_DEADLINE = 120.0  # seconds to train the 100,000-iteration job
# Seconds for the whole run (about 100 s with 5 s windows): Playwright's evaluate has no
# timeout of its own, so a page that hangs is cut off here.
RUN_DEADLINE = 420


@dataclass(frozen=True)
class Target:
    """What the benchmark needs to know of a page: selectors and JS expressions."""

    name: str
    boundary: str  # the element the boundary (TF: the output heatmap) is drawn in
    ready: str  # the page has drawn its empty views after its load
    iterations: str  # the iterations (TF: epochs) the page shows
    start: str  # the button that starts training
    pause: str  # the button that pauses
    paused_in: str  # the element that changes when the page shows paused
    paused: str  # the page shows paused
    running: str  # the page shows a run training
    streamed: bool  # trained on gradlive's server (boundaries arrive; a job to stop and open)


STATUS = "document.querySelector('[data-testid=status]').dataset.status"
GRADLIVE = Target(
    name="gradlive",
    boundary="#boundary-plot",
    ready="window.Plotly && document.querySelectorAll('.js-plotly-plot').length === 2",
    iterations="Number(document.querySelector('[data-testid=iteration]').dataset.value)",
    start="[data-testid=train-button]",
    pause="[data-testid=pause-button]",
    paused_in="[data-testid=status]",
    paused=f"{STATUS} === 'paused'",
    running=f"{STATUS} === 'running'",
    streamed=True,
)
PLAYING = "document.querySelector('#play-pause-button').classList.contains('playing')"
TF = Target(
    name="TF Playground",
    boundary="#heatmap",
    ready="document.querySelector('#heatmap canvas') !== null",
    iterations=r"Number(document.querySelector('#iter-number').textContent.replace(/\D/g, ''))",
    start="#play-pause-button",
    pause="#play-pause-button",
    paused_in="#play-pause-button",
    paused=f"!{PLAYING}",
    running=PLAYING,
    streamed=False,
)

# The probe, run in every document before the page's own scripts. TARGET, iterations_shown,
# paused_shown and views_drawn are prepended for the page measured (see probe()).
PROBE = r"""
const bench = { longTasks: [], arrived: 0, result: null, pause: null };
window.__bench = bench;

// The first frame in which the page's empty views are drawn (ms from navigation start).
window.__benchDrawn = null;
const drawnPoll = () => {
  if (views_drawn()) window.__benchDrawn = performance.now();
  else requestAnimationFrame(drawnPoll);
};
requestAnimationFrame(drawnPoll);

// The main thread's long tasks from the document's start.
const keep = (entries) => {
  for (const entry of entries) bench.longTasks.push([entry.startTime, entry.duration]);
};
const longTasks = new PerformanceObserver((list) => keep(list.getEntries()));
longTasks.observe({ type: "longtask", buffered: true });

// ---- boundaries drawn: frames in which something drew into the boundary's element -----
let drawnFrames = 0;
let drawnThisFrame = false;
function drawn() {
  if (drawnThisFrame) return;
  drawnThisFrame = true;
  drawnFrames += 1;
  requestAnimationFrame(() => { drawnThisFrame = false; });
}
const inBoundary = (element) => Boolean(element && element.closest?.(TARGET.boundary));

// Plotly's exports are getters (they cannot be reassigned): wrap them in a Proxy when
// plotly.min.js sets window.Plotly.
const PLOTLY_DRAWS = new Set(["newPlot", "react", "restyle", "update", "extendTraces",
  "prependTraces", "addTraces", "deleteTraces", "redraw"]);
let plotly;
Object.defineProperty(window, "Plotly", {
  configurable: true,
  get: () => plotly,
  set: (real) => {
    const wrapped = new Map();
    plotly = new Proxy(real, {
      get(target, key) {
        const value = Reflect.get(target, key);
        if (!PLOTLY_DRAWS.has(key) || typeof value !== "function") return value;
        if (!wrapped.has(key)) {
          wrapped.set(key, function (gd, ...rest) {
            if (inBoundary(typeof gd === "string" ? document.getElementById(gd) : gd)) drawn();
            return value.call(target, gd, ...rest);
          });
        }
        return wrapped.get(key);
      },
    });
  },
});
for (const [proto, names] of [
  [CanvasRenderingContext2D.prototype, ["putImageData", "drawImage"]],
  [ImageBitmapRenderingContext.prototype, ["transferFromImageBitmap"]],
]) {
  for (const name of names) {
    const real = proto[name];
    proto[name] = function (...args) {
      if (this.canvas && this.canvas.isConnected && inBoundary(this.canvas)) drawn();
      return real.apply(this, args);
    };
  }
}

/** Boundaries drawn so far: the page's own counter where it keeps one (gradlive's view). */
function boundary_draws() {
  const element = document.querySelector(TARGET.boundary);
  const view = element && element.view;
  return view && typeof view.drawn === "number" ? view.drawn : drawnFrames;
}

// Progress messages that carry a boundary, as they arrive on the page's websocket.
const BOUNDARY_FIELD = /"boundary"\s*:\s*\{/;
const NativeWebSocket = window.WebSocket;
window.WebSocket = class extends NativeWebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", (event) => {
      if (typeof event.data === "string" && BOUNDARY_FIELD.test(event.data)) bench.arrived += 1;
    });
  }
};

// ---- the live window ------------------------------------------------------------------
bench.start = (ms) => {
  bench.result = null;
  const t0 = performance.now();
  const [draws0, arrived0, iterations0] = [boundary_draws(), bench.arrived, iterations_shown()];
  const frames = [];
  let counting = true;
  const tick = (t) => {
    if (!counting) return;
    frames.push(t);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  setTimeout(() => {
    counting = false;
    const t1 = performance.now();
    keep(longTasks.takeRecords()); // those not yet delivered to the observer
    const seconds = (t1 - t0) / 1000;
    const edges = [t0, ...frames.filter((t) => t <= t1), t1];
    let worst = 0;
    for (let k = 1; k < edges.length; k += 1) worst = Math.max(worst, edges[k] - edges[k - 1]);
    let busy = 0;
    for (const [s, d] of bench.longTasks) {
      busy += Math.max(0, Math.min(s + d, t1) - Math.max(s, t0)); // the part inside the window
    }
    bench.result = {
      seconds,
      fps: (edges.length - 2) / seconds,
      worst_frame_ms: worst,
      long_task_share: busy / (t1 - t0),
      boundaries_per_s: (boundary_draws() - draws0) / seconds,
      arrived_per_s: (bench.arrived - arrived0) / seconds,
      iterations_per_s: (iterations_shown() - iterations0) / seconds,
    };
  }, ms);
};

// ---- Pause: from the click to the first frame that shows the page paused --------------
bench.armPause = () => {
  const pause = { clickAt: null, shownAt: null };
  bench.pause = pause;
  document.addEventListener("click", (event) => {
    if (pause.clickAt === null && event.target.closest && event.target.closest(TARGET.pause)) {
      pause.clickAt = event.timeStamp;
    }
  }, { capture: true });
  const observer = new MutationObserver(() => {
    if (pause.clickAt === null || !paused_shown()) return;
    observer.disconnect();
    requestAnimationFrame(() => { pause.shownAt = performance.now(); });
  });
  const options = { attributes: true, childList: true, characterData: true, subtree: true };
  observer.observe(document.querySelector(TARGET.pausedIn), options);
};
"""

# A second viewer's page: when (ms from navigation start) its cost chart and boundary are
# first shown. EXPECTED (the job's iterations) is prepended. These two checks read
# gradlive's DOM: the cost chart as Plotly draws it, the boundary's picture as its sketch
# (a canvas, before Plotly has loaded) or as Plotly's layout image under the points.
SHOWN = r"""
const shown = { cost: null, boundary: null };
window.__benchShown = shown;
function cost_shown() {
  const count = document.querySelector("[data-testid=iteration]");
  if (!count || Number(count.dataset.value) < EXPECTED) return false;
  return [...document.querySelectorAll("#cost-plot path.js-line")].some(
    (path) => (path.getAttribute("d") || "").length > 1,
  );
}
function boundary_shown() {
  return document.querySelector("#boundary-plot .imagelayer image, .boundary-sketch") !== null;
}
const poll = () => {
  const t = performance.now();
  if (shown.cost === null && cost_shown()) shown.cost = t;
  if (shown.boundary === null && boundary_shown()) shown.boundary = t;
  if (shown.cost === null || shown.boundary === null) requestAnimationFrame(poll);
};
requestAnimationFrame(poll);
"""


def probe(target: Target) -> str:
    """The probe's text for one page."""
    config = {"boundary": target.boundary, "pause": target.pause, "pausedIn": target.paused_in}
    head = (
        f"const TARGET = {json.dumps(config)};\n"
        f"const iterations_shown = () => ({target.iterations});\n"
        f"const paused_shown = () => ({target.paused});\n"
        f"const views_drawn = () => ({target.ready});\n"
    )
    return f"(() => {{\n{head}{PROBE}\n}})();"


@dataclass
class Column:
    """One page at one size and speed, and what was measured of it."""

    target: Target
    viewport: tuple[int, int]
    speed: str
    url: str
    figures: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        width, height = self.viewport
        return f"{self.target.name} {width}x{height} {self.speed}".strip()


# -- measuring --------------------------------------------------------------------------


def load(page: Page, url: str, target: Target, kind: str) -> dict[str, float]:
    """Open `url` and wait for its views: `kind`_dcl and _load (s), _kb (KB transferred)."""
    page.goto(url, wait_until="load", timeout=WAIT_MS)
    page.wait_for_function(f"() => {target.ready}", timeout=WAIT_MS)
    page.wait_for_load_state("networkidle", timeout=WAIT_MS)  # what it fetches after its load too
    timing = page.evaluate(
        """() => {
          const [nav] = performance.getEntriesByType("navigation");
          const resources = performance.getEntriesByType("resource");
          const bytes = resources.reduce((sum, entry) => sum + entry.transferSize, 0);
          const [paint] = performance.getEntriesByName("first-contentful-paint");
          return [paint.startTime, nav.domContentLoadedEventEnd, nav.loadEventEnd,
                  window.__benchDrawn, nav.transferSize + bytes];
        }"""
    )
    paint, dcl, loaded, drawn, size = timing
    return {
        f"{kind}_paint": paint / 1000,
        f"{kind}_dcl": dcl / 1000,
        f"{kind}_load": loaded / 1000,
        f"{kind}_drawn": drawn / 1000,
        f"{kind}_kb": size / 1000,
    }


def live_window(page: Page, target: Target, seconds: float) -> dict[str, float]:
    """Start the run, let it train WARM_UP seconds, then measure one window."""
    page.click(target.start, timeout=WAIT_MS)
    training = f"() => ({target.running}) && ({target.iterations}) > 0"
    page.wait_for_function(training, timeout=WAIT_MS)
    page.wait_for_timeout(WARM_UP * 1000)  # a fixed warm-up, not a condition
    page.evaluate("(ms) => window.__bench.start(ms)", seconds * 1000)
    page.wait_for_function("() => window.__bench.result !== null", timeout=seconds * 1000 + WAIT_MS)
    result: dict[str, float] = page.evaluate("() => window.__bench.result")
    result["still_running"] = float(page.evaluate(f"() => {target.running}"))
    return result


def pause_latency(page: Page, target: Target) -> float:
    """Milliseconds from the click on Pause to the first frame showing the page paused."""
    page.evaluate("() => window.__bench.armPause()")
    page.click(target.pause, timeout=WAIT_MS)
    page.wait_for_function("() => window.__bench.pause.shownAt !== null", timeout=WAIT_MS)
    pause = page.evaluate("() => window.__bench.pause")
    return float(pause["shownAt"] - pause["clickAt"])


def stop_run(page: Page) -> None:
    """Stop gradlive's run from the page (it owns the job), so it trains no longer."""
    stop = page.locator("[data-testid=stop-button]")
    if stop.is_enabled():
        stop.click(timeout=WAIT_MS)
        page.wait_for_function(f"() => ['stopped', 'done'].includes({STATUS})", timeout=WAIT_MS)


@dataclass(frozen=True)
class LongJob:
    """The job a second viewer opens: on the server at `base`, `iterations` done."""

    base: str
    id: str
    iterations: int


def second_viewer(context: BrowserContext, job: LongJob) -> tuple[float, float]:
    """Open the long job in a new tab: seconds until its cost chart and boundary show."""
    page = context.new_page()
    try:
        page.add_init_script(f"(() => {{\nconst EXPECTED = {job.iterations};\n{SHOWN}\n}})();")
        page.goto(f"{job.base}/?job={job.id}", wait_until="commit", timeout=WAIT_MS)
        page.wait_for_function(
            "() => window.__benchShown && window.__benchShown.cost !== null"
            " && window.__benchShown.boundary !== null",
            timeout=WAIT_MS,
        )
        shown = page.evaluate("() => window.__benchShown")
        return shown["cost"] / 1000, shown["boundary"] / 1000
    finally:
        page.close()


def measure(browser: Browser, column: Column, window: float, long_job: LongJob | None) -> None:
    """Fill `column.figures`, step by step; a step that fails is noted and ends the column."""
    target, figures = column.target, column.figures
    width, height = column.viewport
    context = browser.new_context(viewport={"width": width, "height": height})
    context.add_init_script(probe(target))
    step = "cold load"
    try:
        page = context.new_page()
        figures.update(load(page, column.url, target, "cold"))
        page.close()
        step = "warm load"
        page = context.new_page()
        figures.update(load(page, column.url, target, "warm"))
        step = "live window"
        result = live_window(page, target, window)
        if not target.streamed:
            del result["arrived_per_s"]  # it trains in the page: nothing arrives
        running = result.pop("still_running")
        figures.update(result)
        step = "Pause"
        if running:
            figures["pause_ms"] = pause_latency(page, target)
        else:
            column.notes.append("the run ended inside the window (nothing to pause)")
        if target.streamed:
            step = "stopping the run"
            stop_run(page)
        page.close()
        if target.streamed and long_job:
            step = "second viewer"
            figures["viewer_cost"], figures["viewer_boundary"] = second_viewer(context, long_job)
    except PlaywrightError as error:
        column.notes.append(f"failed at {step}: {str(error).splitlines()[0]}")
    finally:
        context.close()


def train_long_job(base: str) -> LongJob:
    """A 100,000-iteration job at full speed, trained to its end (or its deadline)."""
    response = httpx.post(
        f"{base}/api/jobs", json={"iterations": LONG_JOB_ITERATIONS, "speed": None}, timeout=10
    )
    response.raise_for_status()
    job_id = str(response.json()["id"])
    deadline = time.monotonic() + LONG_JOB_DEADLINE
    while True:
        job = httpx.get(f"{base}/api/jobs/{job_id}", timeout=10).json()
        if job["status"] not in ("queued", "running") or time.monotonic() > deadline:
            return LongJob(base, job_id, int(job["iteration"]) + 1)
        time.sleep(0.2)  # the REST API has no way to wait for a status


@contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """Serve `folder` on a free loopback port from a thread; yields the base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer((HOST, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# -- the table --------------------------------------------------------------------------

Row = tuple[str, str, Callable[[float], str]]
ROWS: list[Row] = [
    ("animation frames/s", "fps", lambda v: f"{v:.1f}"),
    ("worst frame (ms)", "worst_frame_ms", lambda v: f"{v:.0f}"),
    ("main thread in long tasks", "long_task_share", lambda v: f"{100 * v:.0f}%"),
    ("boundaries drawn/s", "boundaries_per_s", lambda v: f"{v:.1f}"),
    ("boundaries arrived/s", "arrived_per_s", lambda v: f"{v:.1f}"),
    ("iterations shown/s", "iterations_per_s", lambda v: f"{v:,.0f}"),
    ("Pause click to paused shown (ms)", "pause_ms", lambda v: f"{v:.0f}"),
    ("cold load: first paint (s)", "cold_paint", lambda v: f"{v:.2f}"),
    ("cold load: DOMContentLoaded (s)", "cold_dcl", lambda v: f"{v:.2f}"),
    ("cold load: load (s)", "cold_load", lambda v: f"{v:.2f}"),
    ("cold load: views drawn (s)", "cold_drawn", lambda v: f"{v:.2f}"),
    ("cold load: KB transferred", "cold_kb", lambda v: f"{v:,.0f}"),
    ("warm load: first paint (s)", "warm_paint", lambda v: f"{v:.2f}"),
    ("warm load: DOMContentLoaded (s)", "warm_dcl", lambda v: f"{v:.2f}"),
    ("warm load: load (s)", "warm_load", lambda v: f"{v:.2f}"),
    ("warm load: views drawn (s)", "warm_drawn", lambda v: f"{v:.2f}"),
    ("warm load: KB transferred", "warm_kb", lambda v: f"{v:,.0f}"),
    ("second viewer, 100k job: cost chart (s)", "viewer_cost", lambda v: f"{v:.2f}"),
    ("second viewer, 100k job: boundary (s)", "viewer_boundary", lambda v: f"{v:.2f}"),
]


def table(columns: list[Column]) -> str:
    """A Markdown table: one row a figure, one column a page at a size and speed."""
    lines = [
        "| figure | " + " | ".join(column.title for column in columns) + " |",
        "| --- |" + " --- |" * len(columns),
    ]
    for label, key, show in ROWS:
        cells = [show(c.figures[key]) if key in c.figures else "–" for c in columns]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def cpu_model() -> str:
    """lscpu's model name (or a word saying it is unknown)."""
    try:
        text = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "unknown (no lscpu)"
    for line in text.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def over_deadline(signum: int, frame: object) -> None:
    raise TimeoutError(f"the run took longer than {RUN_DEADLINE} s")


def run(window: float, tf_path: Path | None) -> list[Column]:
    """Start the servers and the browser, and measure every column."""
    # The full-speed column's run must be allowed to outlast its window.
    os.environ["GRADLIVE_MAX_ITERATIONS"] = str(FULL_SPEED_ITERATIONS)
    tf_context = static_server(tf_path) if tf_path else nullcontext(None)
    with serve() as (base, _), tf_context as tf_base, sync_playwright() as playwright:
        columns = []
        for viewport in VIEWPORTS:
            for speed, query in SPEEDS:
                columns.append(Column(GRADLIVE, viewport, speed, f"{base}/{query}"))
            if tf_base:
                columns.append(Column(TF, viewport, "", f"{tf_base}/index.html"))
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            print(f"Chromium {browser.version}, headless; window {window:g} s.", flush=True)
            long_job = train_long_job(base)
            if long_job.iterations < LONG_JOB_ITERATIONS:
                print(f"(the second viewer's job reached only {long_job.iterations:,} iterations)")
            for column in columns:
                print(f"measuring {column.title} ...", file=sys.stderr, flush=True)
                measure(browser, column, window, long_job)
        except TimeoutError as error:
            print(f"Cut short: {error}; the columns not reached are empty.")
        finally:
            browser.close()
    return columns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=float, default=5.0, help="seconds of each live window")
    parser.add_argument(
        "--tf-playground",
        type=Path,
        default=None,
        help="a built TF Playground (the folder with its index.html), measured beside",
    )
    args = parser.parse_args()
    if not 1 <= args.window <= MAX_WINDOW:
        parser.error(f"--window must be from 1 to {MAX_WINDOW:g} seconds, not {args.window:g}")
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: apt-get install chromium")
    tf_path = args.tf_playground
    if tf_path is not None and not (tf_path / "index.html").is_file():
        parser.error(f"--tf-playground: no index.html in {tf_path}")

    started = time.monotonic()
    print(f"CPU: {cpu_model()}, {os.cpu_count()} cores. The machine may be shared with other")
    print("work, so figures vary from run to run: compare columns of one run.")
    if tf_path is None:
        print("TF Playground skipped: give --tf-playground PATH to measure it beside")
    signal.signal(signal.SIGALRM, over_deadline)
    signal.alarm(RUN_DEADLINE)
    columns = run(args.window, tf_path)
    signal.alarm(0)
    print()
    print(table(columns))
    print()
    for column in columns:
        for note in column.notes:
            print(f"{column.title}: {note}")
    if tf_path:
        print("TF Playground trains in the page: its boundaries are its output heatmap's")
        print("canvas redraws, its iterations its epochs; nothing arrives over a network.")
    print(f"({time.monotonic() - started:.0f} s in all)")


if __name__ == "__main__":
    main()
