// What the watched job's websocket messages (Contract 4) change on the page, and what
// the job's views show around them: empty with no job, "connecting" while one starts.
// Everything drawn about a run comes from here; the session keeps the job's record.

import { settingsFromConfig } from "./controls.js";

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
    this.showStatus(job.status, job.detail);
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
    this.runs.snapshot(job.id, job, history);
    // The job's config is the truth (another viewer may have changed its learning rate).
    this.controls.show(settingsFromConfig(job.config));
    const train = dataset && dataset.train;
    this.settingsView.trainSize = train ? train.x1.length : null;
    const testCount = dataset && dataset.test ? dataset.test.x1.length : 0;
    this.showTest.disabled = testCount === 0;
    this.boundary.setData(dataset, job.id);
    this.boundary.setBoundary(boundary);
    this.cost.reset(history);
    this.network.clear();
    this.network.update({ network, neurons, boundary });
    this.runBar.setIteration(job.iteration, job.config.iterations);
    this.runBar.setMetrics(job.metrics);
    this.showStatus(job.status, job.detail);
    this.settingsView.show(job);
  }

  /** New iterations: their costs are appended, the rest shows the latest. */
  progress(job, message) {
    this.runs.progress(job.id, message);
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

  status(job, { status, detail }) {
    this.gradCheck.setJob(job);
    this.runs.status(job.id, status);
    this.showStatus(status, detail);
  }

  /** The status word, and a sentence when the run ended badly. */
  showStatus(status, detail) {
    this.runBar.setStatus(status);
    if (status === "diverged") {
      // The server's detail names the iteration and suggests a smaller learning rate.
      const alpha = this.controls.settings.learning_rate;
      const fallback = `The cost became NaN or infinite: try a learning rate smaller than ${alpha}.`;
      this.runBar.say(detail || fallback, "warning");
    } else if (status === "failed") {
      this.runBar.say(detail || "The run failed.", "error");
    } else if (status === "running" || status === "queued") {
      this.runBar.say("");
    }
  }
}
