// Start-up: builds the page's parts and wires them together, then shows the settings
// from the URL and watches its job (if any). Each part does one job: the form and the
// URL (controls), what shows the settings (settingsview), the run bar, the views, the
// job's lifecycle (session) and its messages (messages), the runs to compare (runs).

import { BoundaryPlot } from "./boundary.js";
import { Controls, setDefaults, setLimits, settingsFromUrl } from "./controls.js";
import { CostChart } from "./costchart.js";
import { drawPreviews, takeNoise } from "./datasets.js";
import { Downloads } from "./downloads.js";
import { ExperimentForm } from "./experimentform.js";
import { checkSlot } from "./equations.js";
import { GradCheck } from "./gradcheck.js";
import { HiddenSpace } from "./hiddenspace.js";
import { InsideViews } from "./inside.js";
import { LayersEditor } from "./layers.js";
import { bindLearnerField } from "./learner.js";
import { JobViews } from "./messages.js";
import { NetworkView } from "./network.js";
import { OwnData, showClassesField } from "./owndata.js";
import { fetchPastRuns } from "./pastruns.js";
import { bindLessons } from "./present.js";
import { loadPlotly } from "./plotly.js";
import { RunBar } from "./runbar.js";
import { bindRunButtons } from "./runbuttons.js";
import { RunList } from "./runs.js";
import { RunsPanel } from "./runspanel.js";
import { Session, readyData } from "./session.js";
import { SettingsView } from "./settingsview.js";
import { openEarly } from "./socket.js";
import { bindViewOptions } from "./viewoptions.js";
import {
  boundaryView,
  controlsView,
  costView,
  followersView,
  networkView,
  runBarView,
  runsView,
  settingsShownView,
  showTestView,
  stallView,
} from "./views.js";
import { Walkthrough } from "./walk.js";

/** The page's job views (messages.js), for a test to add a view to `jobViews.views`. */
export let jobViews = null;

const $ = (selector) => document.querySelector(selector);

/** Resolves once the next frame is painted. */
function painted() {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
}

/**
 * Build and wire every part of the page, show its first run state, then run Plotly.
 * `early`: a shared link's snapshot (or null), on its way.
 */
async function start(early) {
  setLimits(JSON.parse(document.body.dataset.limits || "{}"));
  setDefaults(JSON.parse(document.body.dataset.defaults || "{}"), JSON.parse(document.body.dataset.datasets || "[]"));
  const { settings, jobId } = settingsFromUrl(window.location.search);
  if (!jobId) readyData(settings); // the points the page shows, on their way while it is built
  await early;

  const runBar = new RunBar($("#run-bar"));
  bindLearnerField($("#learner"));
  const cost = new CostChart($("#cost-plot"), $("#cost-hint"));
  const boundary = new BoundaryPlot($("#boundary-plot"), $("#boundary-readout"));
  const network = new NetworkView($("#network"));
  const gradCheck = new GradCheck(checkSlot($("#equations")));
  const walk = new Walkthrough(checkSlot($("#equations")).querySelector(".gradcheck-head"), {
    onStep: (steps) => session.step(steps),
  });
  const downloads = new Downloads($("#downloads"), (text) => runBar.say(text, "error"));
  const inside = new InsideViews(network, boundary);
  const hiddenSpace = new HiddenSpace($("#hidden-space"));

  // The parts below call each other back; each callback runs only after start-up.
  const controls = new Controls($("#settings"), {
    onChange: (key) => {
      if (key === "dataset") {
        takeNoise(controls);
        showClassesField($("#classes-field"), controls.settings.dataset);
      }
      session.settingChanged(key);
    },
    onInvalid: (label, range) => runBar.say(`${label}: enter a number from ${range}.`, "error"),
  });
  const layers = new LayersEditor($("#layers-editor"), {
    onChange: (hidden) => controls.update({ hidden_layers: hidden }, "hidden_layers"),
  });
  const runsPanel = new RunsPanel($("#runs"), {
    onToggle: (id, on) => runs.setOverlay(id, on),
    onLoad: (id) => session.loadRun(id),
    onClear: () => runs.clear(),
  });
  const runs = new RunList({
    storage: localStorageOrNull(),
    onRows: () => {
      runsPanel.render(runs.newestFirst(), runs.currentId);
      downloads.show(runs.currentId); // the watched run's exports
    },
    onRow: (run) => runsPanel.update(run),
    onOverlays: () => {
      cost.setOverlays(runs.overlays());
      runsPanel.showSideBySide(runs.currentId, runs.overlays());
    },
  });
  window.addEventListener("pagehide", () => runs.save());

  const settingsView = new SettingsView({ controls, layers, network, runBar, equations: $("#equations") });
  const showTest = $("#show-test");
  // The job's views, in the order each message reaches them (see messages.js).
  jobViews = new JobViews([
    // These follow the watched run's status: checking, walking, editing and the hidden
    // space need its weights (and editing its owner, paused).
    followersView([gradCheck, walk, inside, hiddenSpace]),
    runsView(runs), // before the cost chart, which reads the run's learning rates from it
    controlsView(controls),
    showTestView(showTest),
    boundaryView(boundary),
    costView(cost, runs),
    networkView(network),
    runBarView(runBar, controls),
    stallView(runBar, controls), // after the run bar, whose sentence it may replace
    settingsShownView(settingsView), // last: it shapes the network the snapshot drew
  ]);
  const session = new Session({ controls, runBar, runs, views: jobViews, settingsView });
  bindRunButtons($("#run-bar"), $("#step-count"), session);
  bindLessons($("#run-bar"), $(".footer"));
  bindViewOptions(
    { showTest, discretize: $("#discretize"), logScale: $("#log-scale"), smoothing: $("#smoothing"), smoothingValue: $("#smoothing-value") },
    { boundary, cost },
  );

  new ExperimentForm($('[data-testid="experiment-panel"]'), controls);
  const ownData = new OwnData($(".own-data"), $("#dataset-choices"), controls, boundary);
  controls.show(settings);
  ownData.tile(settings.dataset);
  showClassesField($("#classes-field"), settings.dataset);
  runs.load();
  // Each shows the settings (the job's, or the URL's) and writes the URL once.
  if (jobId) await session.attach(jobId);
  else session.ready();
  runBar.enable();
  // After: their requests do not hold up the job's.
  fetchPastRuns(runs, jobId);
  drawPreviews();
  // Last: Plotly's evaluation holds the main thread a while, so the page is painted first
  // (the boundary as a sketch); the charts draw once it has run.
  await painted();
  await loadPlotly().catch((error) => runBar.say(error.message, "error"));
}

/** The page's localStorage, or null where the browser refuses it (the list then lives only here). */
function localStorageOrNull() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

const sharedJob = new URLSearchParams(window.location.search).get("job");
// A shared link's snapshot is read out while the page is built: its socket opens first.
start(sharedJob ? openEarly(sharedJob) : null);
