// What the watched job's websocket messages (docs/api.md, The websocket) change on the page, and what
// the job's views show around them: empty with no job, "connecting" while one starts.
// Everything drawn about a run comes from here; the session keeps the job's record.

import { isMiniBatch, settingsFromConfig } from "./controls.js";
import { NOT_FINITE, formatCount, iterationsDone } from "./format.js";
import { CostRange, stallHint } from "./stall.js";

export class JobViews {
  /**
   * The views a job's messages reach: runBar, cost (chart), boundary, network, gradCheck,
   * runs (the list to compare), controls (the form), settingsView, and the show-test box.
   */
  constructor({ runBar, cost, boundary, network, gradCheck, runs, controls, settingsView, showTest }) {
    this.runBar = runBar;
    this.cost = cost;
    this.boundary = boundary;
    this.network = network;
    this.gradCheck = gradCheck;
    this.runs = runs;
    this.controls = controls;
    this.settingsView = settingsView;
    this.showTest = showTest;
    this.miniBatch = false; // the watched run trains on mini-batches: its cost is the whole set's
    this.range = new CostRange(); // of the run's main cost line, for the hint when it is flat
    this.hint = null; // the sentence about a flat cost, while it is shown
  }

  // ---- around the messages ----------------------------------------------------------

  /** No job: empty views, and the run bar ready for the settings' iterations. */
  clear() {
    this.gradCheck.setJob(null);
    this.settingsView.trainSize = null;
    this.runBar.setStatus("ready");
    this.runBar.setIteration(-1, this.controls.settings.iterations);
    this.runBar.setMetrics({ cost: null, train_accuracy: null, test_accuracy: null });
    this.cost.reset(null);
    this.cost.setRates([]);
    this.range.clear();
    this.hint = null;
    this.boundary.setData(null, null);
    this.network.clear();
    this.showTest.disabled = true;
  }

  /** No job yet: the points a run would train on (and test on), under no boundary. */
  showData(data) {
    this.settingsView.trainSize = data.train.x1.length;
    this.showTest.disabled = data.test.x1.length === 0;
    this.boundary.setData(data, null);
  }

  /** A new run is being created: nothing to check, nothing to say yet. */
  connecting() {
    this.gradCheck.setJob(null);
    this.runBar.say("");
    this.runBar.setStatus("connecting");
  }

  /** A job is watched from now on (its snapshot follows on the socket). */
  watching(job) {
    this.gradCheck.setJob(job);
    this.showStatus(job);
  }

  // ---- the messages -----------------------------------------------------------------

  /** Draw one message of `job` (the session's record, already updated from it). */
  apply(job, message) {
    if (message.type === "snapshot") this.snapshot(message);
    else if (message.type === "progress") this.progress(job, message);
    else if (message.type === "status") this.status(job, message);
    else if (message.type === "error") this.runBar.say(message.detail, "error");
  }

  /** The whole run so far: every view is redrawn from it. */
  snapshot({ job, dataset, history, boundary, network, neurons }) {
    this.gradCheck.setJob(job);
    this.runs.snapshot(job.id, job, history, dataset);
    // The job's config is the truth (another viewer may have changed its learning rate).
    const settings = settingsFromConfig(job.config);
    this.controls.show(settings);
    const train = dataset && dataset.train;
    this.settingsView.trainSize = train ? train.x1.length : null;
    this.miniBatch = isMiniBatch(settings, this.settingsView.trainSize);
    const testCount = dataset && dataset.test ? dataset.test.x1.length : 0;
    this.showTest.disabled = testCount === 0;
    this.boundary.setData(dataset, job.id);
    this.boundary.setBoundary(boundary);
    const h = history || {};
    this.cost.reset(history, { miniBatch: this.miniBatch });
    this.cost.setRates(h.learning_rate || []);
    this.range.clear();
    this.range.add((this.miniBatch ? h.train_cost : h.cost) || []);
    this.hint = null;
    this.network.clear();
    this.network.update({ network, neurons, boundary });
    const blewUp = job.status === "diverged";
    this.runBar.setIteration(job.iteration, job.config.iterations, blewUp);
    const m = job.metrics || {};
    const cost = this.miniBatch && m.train_cost !== undefined ? m.train_cost : m.cost;
    this.runBar.setMetrics({ ...m, cost: blewUp && cost === null ? NaN : cost });
    this.showStatus(job);
    this.settingsView.show(job);
  }

  /** New iterations: their costs are appended, the rest shows the latest. */
  progress(job, message) {
    this.runs.progress(job.id, message);
    this.cost.append(message.first_iteration, message.cost);
    if (message.test_cost !== undefined && message.test_cost !== null) {
      this.cost.appendTest(message.iteration, message.test_cost);
    }
    const run = this.runs.get(job.id);
    if (run) this.cost.setRates(run.rates);
    const last = message.cost.length ? message.cost[message.cost.length - 1] : undefined;
    const blewUp = last === null; // JSON has no NaN: a cost that blew up comes as null
    let cost = blewUp ? NaN : last;
    if (this.miniBatch && message.train_cost !== undefined && !blewUp) {
      cost = message.train_cost;
      this.cost.appendWhole(message.iteration, message.train_cost);
      this.range.add([message.train_cost]);
    } else if (!this.miniBatch) {
      this.range.add(message.cost);
    }
    this.runBar.setIteration(message.iteration, undefined, blewUp);
    this.runBar.setMetrics({
      cost,
      train_accuracy: message.train_accuracy,
      test_accuracy: message.test_accuracy,
      train_r2: message.train_r2,
      test_r2: message.test_r2,
    });
    this.boundary.setBoundary(message.boundary);
    this.network.update(message);
    this.showStall(job, false);
  }

  status(job) {
    this.gradCheck.setJob(job);
    this.runs.status(job.id, job.status);
    this.showStatus(job);
  }

  /** The status word, and a sentence when the run ended badly (or its cost is stuck). */
  showStatus(job) {
    const { status, detail } = job;
    this.runBar.setStatus(status);
    if (status === "diverged") {
      this.runBar.say(this.divergedText(job), "warning");
    } else if (status === "failed") {
      this.runBar.say(detail || "The run failed.", "error");
    } else if (status === "paused" && detail && !this.runBar.owned) {
      this.runBar.say(detail); // why someone else's run paused (its owner, or their page closed)
    } else if (status === "interrupted") {
      this.runBar.say(detail || "The server restarted while this run trained.", "warning");
    } else if (status === "running" || status === "queued") {
      this.runBar.say("");
    }
    this.hint = null;
    if (status !== "diverged" && status !== "failed") this.showStall(job, true);
  }

  /**
   * A diverged run, in the figures the run bar and the runs list show: the iterations
   * done and the cost that is no longer a number.
   */
  divergedText(job) {
    const done = formatCount(iterationsDone(job.iteration, true));
    const total = formatCount(job.config ? job.config.iterations : this.controls.settings.iterations);
    const alpha = this.controls.settings.learning_rate;
    return (
      `The cost became ${NOT_FINITE} after ${done} of ${total} iterations: with learning rate ` +
      `${alpha} the updates overshoot and blow up. Try a smaller learning rate, such as ` +
      `${Number((alpha / 10).toPrecision(3))}.`
    );
  }

  /**
   * Say when the cost has not moved (the chart draws it flat), and take it back when it
   * does. `fresh`: write the sentence again (its count), else only when it comes or goes.
   */
  showStall(job, fresh) {
    const done = iterationsDone(job.iteration);
    const text = stallHint(this.range, done, this.controls.settings);
    if (text && (fresh || !this.hint)) {
      this.runBar.say(text, "warning");
      this.hint = text;
    } else if (!text && this.hint) {
      if (this.runBar.message.textContent === this.hint) this.runBar.say(""); // not another message
      this.hint = null;
    }
  }
}
