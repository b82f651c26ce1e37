// What the watched job's websocket messages (docs/api.md, The websocket) change on the page, and what
// the job's views show around them: empty with no job, "connecting" while one starts.
// Everything drawn about a run comes from here; the session keeps the job's record.
//
// A view is one object in JobViews' list (built in main.js; the adapters are in views.js)
// with any of these methods; a method a view does not have is not called:
//   clear()                      no job: show nothing
//   showData(data)               no job yet: the points a run would train on
//   connecting()                 a new run is being created
//   watching(context)            a job is watched from now on (its snapshot follows)
//   snapshot(message, context)   the whole run so far (a long run's costs maybe a preview)
//   history(message, context)    the snapshot again, with every cost (after a preview)
//   progress(message, context)   new iterations
//   status(message, context)     the run's status changed
//   error(message, context)      the server refused something
// Every view gets each call in the list's order. The context holds what is worked out
// once for all views: `job` (the session's record, already updated from the message),
// `miniBatch` (the run trains on mini-batches: its cost is the whole set's), `range` (of
// the run's main cost line, for the hint when it is flat); a snapshot's also `settings`
// (from the job's config) and `trainSize`; a progress message's also `blewUp` (its last
// cost is not a number) and `trainCost` (a mini-batch run's whole-set cost, or undefined).
// Adding a view is one more entry in the list.

import { isMiniBatch, settingsFromConfig } from "./controls.js";
import { CostRange } from "./stall.js";

export class JobViews {
  /** `views`: the list of views, in the order they are called (kept, not copied). */
  constructor(views) {
    this.views = views;
    this.miniBatch = false;
    this.range = new CostRange();
    this.previewed = null; // the snapshot whose costs were a preview, until its history
  }

  /** Call `method` on every view that has it. */
  each(method, ...args) {
    for (const view of this.views) {
      if (view[method]) view[method](...args);
    }
  }

  /** What every message's views are told about the watched job. */
  context(job) {
    return { job, miniBatch: this.miniBatch, range: this.range };
  }

  // ---- around the messages ----------------------------------------------------------

  /** No job: empty views, and the run bar ready for the settings' iterations. */
  clear() {
    this.range.clear();
    this.each("clear");
  }

  /** No job yet: the points a run would train on (and test on), under no boundary. */
  showData(data) {
    this.each("showData", data);
  }

  /** A new run is being created: nothing to check, nothing to say yet. */
  connecting() {
    this.each("connecting");
  }

  /** A job is watched from now on (its snapshot follows on the socket). */
  watching(job) {
    this.each("watching", this.context(job));
  }

  // ---- the messages -----------------------------------------------------------------

  /** Draw one message of `job` (the session's record, already updated from it). */
  apply(job, message) {
    if (message.type === "snapshot") this.snapshot(job, message);
    else if (message.type === "history") this.history(job, message);
    else if (message.type === "progress") this.progress(job, message);
    else if (message.type === "status" || message.type === "error") {
      this.each(message.type, message, this.context(job));
    }
  }

  /**
   * The whole run so far: every view is redrawn from it. A long run's costs may come as a
   * preview (its `history` says so: the same line at the chart's width), all of them in the
   * `history` message that follows it.
   */
  snapshot(job, message) {
    this.previewed = message.history && message.history.preview ? message : null;
    this.each("snapshot", message, this.snapshotContext(job, message));
  }

  /** Every cost of the previewed snapshot: the views that keep costs read it again, whole. */
  history(job, message) {
    const snapshot = this.previewed;
    this.previewed = null;
    if (!snapshot) return;
    const { first_iteration: first = 0, count, cost } = message;
    const iteration = Array.from({ length: count }, (_, i) => first + i);
    const whole = { ...snapshot, history: { ...snapshot.history, preview: false, iteration, cost } };
    this.each("history", whole, this.snapshotContext(job, whole));
  }

  /** A snapshot's context: the settings, the training set's size, the cost's range. */
  snapshotContext(job, message) {
    // The job's config is the truth (another viewer may have changed its learning rate).
    const settings = settingsFromConfig(job.config);
    const { dataset } = message;
    const trainSize = dataset && dataset.train ? dataset.train.x1.length : null;
    this.miniBatch = isMiniBatch(settings, trainSize);
    const h = message.history || {};
    this.range.clear();
    this.range.add((this.miniBatch ? h.train_cost : h.cost) || []);
    return { ...this.context(job), settings, trainSize };
  }

  /** New iterations: their costs are appended, the rest shows the latest. */
  progress(job, message) {
    const last = message.cost.length ? message.cost[message.cost.length - 1] : undefined;
    const blewUp = last === null; // JSON has no NaN: a cost that blew up comes as null
    const trainCost = this.miniBatch && message.train_cost !== undefined && !blewUp ? message.train_cost : undefined;
    if (trainCost !== undefined) this.range.add([trainCost]);
    else if (!this.miniBatch) this.range.add(message.cost);
    this.each("progress", message, { ...this.context(job), blewUp, trainCost });
  }
}
