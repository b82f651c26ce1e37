// Wires the page: the form and the URL (controls), the run bar, the views, the API and
// the websocket, and the list of runs to compare. The one piece of state is the job being
// watched; everything drawn comes from the server's messages.

import * as api from "./api.js";
import { BoundaryPlot } from "./boundary.js";
import { Controls, setLimits, settingsFromConfig, settingsFromUrl, toConfig, urlFor } from "./controls.js";
import { CostChart } from "./costchart.js";
import { checkSlot, renderEquations } from "./equations.js";
import { GradCheck } from "./gradcheck.js";
import { LayersEditor } from "./layers.js";
import { NetworkView } from "./network.js";
import { drawPreview } from "./previews.js";
import { RunBar } from "./runbar.js";
import { displayLabel, RunList } from "./runs.js";
import { RunsPanel } from "./runspanel.js";
import { fetchSnapshot, JobSocket } from "./socket.js";

const FINAL = new Set(["done", "stopped", "diverged", "failed"]);
const PLAYING = new Set(["queued", "running"]);
const ACTIVE = new Set(["queued", "running", "paused"]);
// Settings a running job takes at once (control "set"); any other change starts a new run.
const LIVE = new Set(["learning_rate", "speed"]);

const PREVIEW_SAMPLES = 200;

const $ = (selector) => document.querySelector(selector);

class Playground {
  constructor() {
    this.runBar = new RunBar($("#run-bar"));
    this.cost = new CostChart($("#cost-plot"), $("#cost-hint"));
    this.boundary = new BoundaryPlot($("#boundary-plot"));
    this.network = new NetworkView($("#network"));
    this.gradCheck = new GradCheck(checkSlot($("#equations")));
    this.controls = new Controls($("#settings"), {
      onChange: (key) => this.changed(key),
      onInvalid: (label, range) => this.runBar.say(`${label}: enter a number from ${range}.`, "error"),
    });
    this.layers = new LayersEditor($("#layers-editor"), {
      onChange: (hidden) => this.controls.update({ hidden_layers: hidden }, "hidden_layers"),
    });
    this.runsPanel = new RunsPanel($("#runs"), {
      onToggle: (id, on) => this.runs.setOverlay(id, on),
      onLoad: (id) => this.loadRun(id),
      onClear: () => this.runs.clear(),
    });
    this.runs = new RunList({
      storage: localStorageOrNull(),
      onRows: () => this.runsPanel.render(this.runs.newestFirst(), this.runs.currentId),
      onRow: (run) => this.runsPanel.update(run),
      onOverlays: () => this.cost.setOverlays(this.runs.overlays()),
    });
    window.addEventListener("pagehide", () => this.runs.save());
    this.datasetDefaults = {};
    this.job = null; // the job watched: {id, status, iteration, config, ...}
    this.starting = null; // the pending POST /api/jobs, while a run is being created
    this.runToken = 0; // counts new runs: the answer to an older POST is out of date
    this.readyToken = 0; // the latest ready-state data request; older answers are dropped
    this.socket = null;
    this.trainSize = null; // training examples of the watched run (from its snapshot)
    this.bindButtons();
    this.bindViewToggles();
  }

  get settings() {
    return this.controls.settings;
  }

  // ---- start-up --------------------------------------------------------------------

  async start() {
    const { settings, jobId } = settingsFromUrl(window.location.search);
    this.controls.show(settings);
    this.settingsShown();
    this.loadDatasets();
    this.runs.load();
    this.fetchPastRuns(jobId);
    if (jobId) await this.attach(jobId);
    else this.ready();
  }

  /** The datasets' defaults, and a preview of each on its button. */
  async loadDatasets() {
    try {
      const list = await api.getDatasets();
      for (const entry of list) {
        this.datasetDefaults[entry.name] = entry;
        api.getDataset(entry.name, { n_samples: PREVIEW_SAMPLES }).then(
          (data) => drawPreview(entry.name, data.train),
          () => {}, // a missing preview leaves a plain tile
        );
      }
    } catch (error) {
      this.runBar.say(`Could not load the datasets: ${error.message}`, "error");
    }
  }

  /** Watch a job that already exists (a reload, or a shared link with ?job=). */
  async attach(jobId) {
    try {
      const job = await api.getJob(jobId);
      this.controls.show(settingsFromConfig(job.config));
      this.settingsShown();
      this.watch(job);
    } catch (error) {
      this.ready();
      const gone = error.status === 404;
      if (gone) this.runs.expire(jobId);
      this.runBar.say(
        gone
          ? "That run is no longer on the server. Its settings are restored: press ▶ to train it again."
          : `Could not reach the run: ${error.message}`,
        gone ? "info" : "error",
      );
    }
  }

  /** The costs of the runs listed from before a reload, from their snapshots. */
  fetchPastRuns(watchedId) {
    for (const run of this.runs.runs) {
      if (run.id === watchedId || run.expired) continue;
      fetchSnapshot(run.id).then(
        (snapshot) => this.runs.snapshot(run.id, snapshot.job, snapshot.history),
        (error) => (error.gone ? this.runs.expire(run.id) : this.runs.unreachable(run.id)),
      );
    }
  }

  /** Show a listed run's settings in the form (and the URL); the viewer presses ▶ to train. */
  async loadRun(id) {
    const run = this.runs.get(id);
    if (!run) return;
    this.controls.show(run.settings);
    await this.newRun({ play: false });
    const label = displayLabel(run);
    this.runBar.say(`Settings of run #${run.number} (${label}) loaded: press ▶ to train them.`);
  }

  // ---- runs ------------------------------------------------------------------------

  /** No job: the settings are shown, the views are empty, ▶ starts a run. */
  ready() {
    this.unwatch();
    this.job = null;
    this.gradCheck.setJob(null);
    this.runs.unwatch();
    this.trainSize = null;
    this.runBar.setStatus("ready");
    this.runBar.setIteration(-1, this.settings.iterations);
    this.runBar.setMetrics({ cost: null, train_accuracy: null, test_accuracy: null });
    this.cost.reset(null);
    this.boundary.setData(null, null);
    this.network.clear();
    $("#show-test").disabled = true;
    this.settingsShown();
    this.showReadyData();
  }

  /** Before a run, the points it would train on (and test on) under an empty boundary. */
  async showReadyData() {
    const s = this.settings;
    this.readyToken += 1;
    const token = this.readyToken;
    const params = {
      n_samples: s.n_samples,
      noise: s.noise,
      seed: s.data_seed,
      test_fraction: s.test_fraction,
    };
    let data;
    try {
      data = await api.getDataset(s.dataset, params);
    } catch (error) {
      return; // the run itself will report bad settings
    }
    // Settings may have changed, or a run started, while the points were on their way.
    if (this.job || this.starting || token !== this.readyToken) return;
    this.trainSize = data.train.x1.length;
    $("#show-test").disabled = data.test.x1.length === 0;
    this.boundary.setData(data, null);
    this.settingsShown();
  }

  /** Start a new run with the current settings (or only get ready for one). */
  async newRun({ play, paused = false }) {
    this.stopWatched();
    this.runToken += 1;
    const token = this.runToken;
    this.starting = null; // a POST still out belongs to an older run now
    if (!play) {
      this.ready();
      return null;
    }
    this.unwatch();
    this.job = null;
    this.gradCheck.setJob(null);
    this.runBar.say("");
    this.runBar.setStatus("connecting");
    const config = { ...toConfig(this.settings), start_paused: paused };
    // Clicks that arrive while the POST is out wait for it (see play and step).
    this.starting = api.createJob(config).then(
      (job) => {
        if (token !== this.runToken) {
          // The settings changed again meanwhile: this run is already out of date.
          api.control(job.id, { action: "stop" }).catch(() => {});
          return null;
        }
        this.watch(job);
        return job;
      },
      (error) => {
        if (token === this.runToken) {
          this.ready();
          this.runBar.say(`Could not start the run: ${error.message}`, "error");
        }
        return null;
      },
    );
    const job = await this.starting;
    if (token === this.runToken) this.starting = null;
    return job;
  }

  /** Stop the watched job if it is still training (its other viewers see "stopped"). */
  stopWatched() {
    const job = this.job;
    if (job && ACTIVE.has(job.status)) {
      api.control(job.id, { action: "stop" }).catch(() => {});
      this.runs.stopped(job.id);
    }
  }

  watch(job) {
    this.unwatch();
    this.job = job;
    this.gradCheck.setJob(job);
    this.runs.watch(job);
    this.showStatus(job.status, job.detail);
    this.updateUrl();
    this.socket = new JobSocket(job.id, {
      onMessage: (message) => this.receive(job.id, message),
      onRetry: () => this.runBar.say("Connection lost: reconnecting…", "warning"),
      onGone: () => {
        this.runs.expire(job.id);
        this.ready();
        this.runBar.say("That run is no longer on the server: press ▶ to train again.", "info");
      },
    });
  }

  unwatch() {
    if (this.socket) this.socket.close();
    this.socket = null;
  }

  // ---- messages (Contract 4) -------------------------------------------------------

  receive(jobId, message) {
    if (!this.job || this.job.id !== jobId) return; // a message of a run left behind
    if (message.type === "snapshot") this.onSnapshot(message);
    else if (message.type === "progress") this.onProgress(message);
    else if (message.type === "status") this.onStatus(message);
    else if (message.type === "error") this.runBar.say(message.detail, "error");
  }

  onSnapshot({ job, dataset, history, boundary, network, neurons }) {
    this.job = job;
    this.gradCheck.setJob(job);
    this.runs.snapshot(job.id, job, history);
    // The job's config is the truth (another viewer may have changed its learning rate).
    this.controls.show(settingsFromConfig(job.config));
    const train = dataset && dataset.train;
    this.trainSize = train ? train.x1.length : null;
    const testCount = dataset && dataset.test ? dataset.test.x1.length : 0;
    $("#show-test").disabled = testCount === 0;
    this.boundary.setData(dataset, job.id);
    this.boundary.setBoundary(boundary);
    this.cost.reset(history);
    this.network.clear();
    this.network.update({ network, neurons, boundary });
    this.runBar.setIteration(job.iteration, job.config.iterations);
    this.runBar.setMetrics(job.metrics);
    this.showStatus(job.status, job.detail);
    this.settingsShown();
  }

  onProgress(message) {
    this.job.iteration = message.iteration;
    this.runs.progress(this.job.id, message);
    this.cost.append(message.first_iteration, message.cost);
    if (message.test_cost !== undefined && message.test_cost !== null) {
      this.cost.appendTest(message.iteration, message.test_cost);
    }
    this.runBar.setIteration(message.iteration);
    const last = message.cost.length ? message.cost[message.cost.length - 1] : undefined;
    this.runBar.setMetrics({
      cost: last === null ? NaN : last, // JSON has no NaN: a cost that blew up comes as null
      train_accuracy: message.train_accuracy,
      test_accuracy: message.test_accuracy,
    });
    this.boundary.setBoundary(message.boundary);
    this.network.update(message);
  }

  onStatus({ status, detail }) {
    this.job.status = status;
    this.job.detail = detail;
    this.gradCheck.setJob(this.job);
    this.runs.status(this.job.id, status);
    this.showStatus(status, detail);
  }

  showStatus(status, detail) {
    this.runBar.setStatus(status);
    if (status === "diverged") {
      // The server's detail names the iteration and suggests a smaller learning rate.
      const alpha = this.settings.learning_rate;
      const fallback = `The cost became NaN or infinite: try a learning rate smaller than ${alpha}.`;
      this.runBar.say(detail || fallback, "warning");
    } else if (status === "failed") {
      this.runBar.say(detail || "The run failed.", "error");
    } else if (status === "running" || status === "queued") {
      this.runBar.say("");
    }
  }

  // ---- buttons and keys ------------------------------------------------------------

  bindButtons() {
    const on = (id, handler) => $(`[data-testid="${id}"]`).addEventListener("click", handler);
    on("train-button", () => this.play());
    on("pause-button", () => this.pause());
    on("step-button", () => this.step());
    on("reset-button", () => this.reset());
    on("stop-button", () => this.command({ action: "stop" }));
    document.addEventListener("keydown", (event) => {
      if (event.code !== "Space" || event.repeat || isInteractive(event.target)) return;
      event.preventDefault();
      if (this.job && PLAYING.has(this.job.status)) this.pause();
      else this.play();
    });
  }

  bindViewToggles() {
    const showTest = $("#show-test");
    showTest.addEventListener("change", () => this.boundary.setShowTest(showTest.checked));
    const log = $("#log-scale");
    log.addEventListener("change", () => this.cost.setLog(log.checked));
    const smoothing = $("#smoothing");
    const shown = $("#smoothing-value");
    const apply = () => {
      shown.textContent = Number(smoothing.value).toFixed(2);
      this.cost.setSmoothing(Number(smoothing.value));
    };
    smoothing.addEventListener("input", apply);
    apply();
  }

  async play() {
    if (this.starting) return;
    if (!this.job || FINAL.has(this.job.status)) await this.newRun({ play: true });
    else if (this.job.status === "paused") await this.command({ action: "resume" });
  }

  async pause() {
    if (this.job && PLAYING.has(this.job.status)) await this.command({ action: "pause" });
  }

  /** Run the chosen number of iterations, then pause (a new paused run if there is none). */
  async step() {
    const input = $("#step-count");
    const steps = Math.round(Number(input.value));
    if (!Number.isFinite(steps) || steps < 1) {
      input.setAttribute("aria-invalid", "true");
      return;
    }
    input.setAttribute("aria-invalid", "false");
    if (this.starting) await this.starting;
    if (!this.job || FINAL.has(this.job.status)) {
      if (!(await this.newRun({ play: true, paused: true }))) return;
    }
    await this.command({ action: "step", steps });
  }

  /** A new run with the same settings; it plays if the old one was playing. */
  async reset() {
    await this.newRun({ play: Boolean(this.job && PLAYING.has(this.job.status)) });
  }

  async command(body) {
    if (!this.job) return null;
    try {
      return await api.control(this.job.id, body);
    } catch (error) {
      this.runBar.say(`Could not ${body.action}: ${error.message}`, "error");
      return null;
    }
  }

  // ---- settings --------------------------------------------------------------------

  /** A setting changed in the form: live for the learning rate and speed, else a new run. */
  async changed(key) {
    this.runBar.say("");
    if (key === "dataset") this.takeDatasetNoise();
    this.settingsShown();
    if (LIVE.has(key) && this.job && ACTIVE.has(this.job.status)) {
      const [job, value] = [this.job, this.settings[key]];
      if (await this.command({ action: "set", [key]: value })) this.runs.setLive(job.id, key, value);
      return;
    }
    await this.newRun({ play: Boolean(this.job && PLAYING.has(this.job.status)) });
  }

  /** A dataset looks right at its own noise level: take it when switching datasets. */
  takeDatasetNoise() {
    const defaults = this.datasetDefaults[this.settings.dataset];
    if (defaults && defaults.noise !== undefined) {
      this.controls.show({ ...this.settings, noise: defaults.noise });
    }
  }

  /** Everything that shows the settings themselves: URL, layers, network, equations. */
  settingsShown() {
    const s = this.settings;
    this.layers.show(s.hidden_layers);
    this.network.setArchitecture([2, ...s.hidden_layers, 1], s.activation);
    const mTrain = this.trainSize || Math.max(1, s.n_samples - Math.round(s.test_fraction * s.n_samples));
    renderEquations($("#equations"), {
      layerDims: [2, ...s.hidden_layers, 1],
      m: s.batch_size ? Math.min(s.batch_size, mTrain) : mTrain,
      mTrain,
      activation: s.activation,
      optimizer: s.optimizer,
      learningRate: s.learning_rate,
      l2: s.l2,
    });
    for (const output of document.querySelectorAll("output[data-for]")) {
      showRangeValue(output, s[output.dataset.for]);
    }
    if (!this.job) this.runBar.setIteration(-1, s.iterations);
    this.updateUrl();
  }

  updateUrl() {
    const url = urlFor(this.settings, this.job && this.job.id);
    if (url !== window.location.search) window.history.replaceState(null, "", url);
  }
}

/** The page's localStorage, or null where the browser refuses it (the list then lives only here). */
function localStorageOrNull() {
  try {
    return window.localStorage;
  } catch (error) {
    return null;
  }
}

/** Whether Space belongs to the focused element (typing, a button, a checkbox...). */
function isInteractive(target) {
  const owners = "input, select, textarea, button, summary, a, [contenteditable]";
  return Boolean(target.closest && target.closest(owners));
}

/** The value a range input's <output> shows ("0.2", or "25%" with data-percent). */
function showRangeValue(output, value) {
  output.textContent = "percent" in output.dataset ? `${Math.round(100 * value)}%` : String(value);
}

// Range inputs show their value while dragged; the run changes when they are let go.
for (const output of document.querySelectorAll("output[data-for]")) {
  const input = document.querySelector(`input[name="${output.dataset.for}"]`);
  input.addEventListener("input", () => showRangeValue(output, Number(input.value)));
}

setLimits(JSON.parse(document.body.dataset.limits || "{}"));
const playground = new Playground();
playground.start();
