// Each view of the watched job as the one object JobViews (messages.js) hands its
// messages to: the glue between a message and what a part of the page draws lives here,
// one adapter per view. A view has only the methods it needs (see JobViews for the set);
// the context passed with a message holds what is worked out once for all views.

import { NOT_FINITE, formatCount, iterationsDone } from "./format.js";
import { stallHint } from "./stall.js";

/** The parts that follow the watched run's status (checking, walking, editing, the hidden space). */
export function followersView(parts) {
  const setJob = (job) => parts.forEach((part) => part.setJob(job));
  return {
    clear: () => setJob(null),
    connecting: () => setJob(null),
    watching: ({ job }) => setJob(job),
    snapshot: (message, { job }) => setJob(job),
    status: (message, { job }) => setJob(job),
  };
}

/** The runs to compare (runs.js): the watched run's row and its costs. */
export function runsView(runs) {
  const snapshot = ({ job, history, dataset }) => runs.snapshot(job.id, job, history, dataset);
  return {
    snapshot,
    history: snapshot,
    progress: (message, { job }) => runs.progress(job.id, message),
    status: (message, { job }) => runs.status(job.id, job.status),
  };
}

/** The form shows the job's config: another viewer may have changed its learning rate. */
export function controlsView(controls) {
  return { snapshot: (message, { settings }) => controls.show(settings) };
}

/** What shows the settings (settingsview.js); its equations' m is the run's training-set size. */
export function settingsShownView(settingsView) {
  return {
    clear: () => {
      settingsView.trainSize = null;
    },
    showData: (data) => {
      settingsView.trainSize = data.train.x1.length;
    },
    snapshot: (message, { job, trainSize }) => {
      settingsView.trainSize = trainSize;
      settingsView.show(job);
    },
  };
}

/** The show-test box: off while there are no test points. */
export function showTestView(box) {
  return {
    clear: () => {
      box.disabled = true;
    },
    showData: (data) => {
      box.disabled = data.test.x1.length === 0;
    },
    snapshot: ({ dataset }) => {
      box.disabled = !(dataset && dataset.test && dataset.test.x1.length);
    },
  };
}

/** The decision boundary with the points (boundary.js). */
export function boundaryView(boundary) {
  return {
    clear: () => boundary.setData(null, null),
    showData: (data) => boundary.setData(data, null),
    snapshot: ({ dataset, boundary: picture }, { job }) => {
      boundary.setData(dataset, job.id);
      boundary.setBoundary(picture);
    },
    progress: (message) => boundary.setBoundary(message.boundary),
  };
}

/** The network's units and weights (network.js). */
export function networkView(network) {
  return {
    clear: () => network.clear(),
    snapshot: ({ network: weights, neurons, boundary }) => {
      network.clear();
      network.update({ network: weights, neurons, boundary });
    },
    progress: (message) => network.update(message),
  };
}

/**
 * The cost chart (costchart.js), with the learning rates it marks: from the snapshot's
 * history, then from the run's row in `runs` (its view comes first in the list).
 */
export function costView(cost, runs) {
  const snapshot = ({ history }, { miniBatch }) => {
    cost.reset(history, { miniBatch });
    cost.setRates((history && history.learning_rate) || []);
  };
  return {
    clear: () => {
      cost.reset(null);
      cost.setRates([]);
    },
    snapshot,
    history: snapshot, // a preview's costs, now every one
    progress: (message, { job, trainCost }) => {
      cost.append(message.first_iteration, message.cost);
      if (message.test_cost !== undefined && message.test_cost !== null) {
        cost.appendTest(message.iteration, message.test_cost);
      }
      const run = runs.get(job.id);
      if (run) cost.setRates(run.rates);
      if (trainCost !== undefined) cost.appendWhole(message.iteration, trainCost);
    },
  };
}

/** The run bar (runbar.js): status, iteration, metrics, and a sentence when the run ended badly. */
export function runBarView(runBar, controls) {
  const showStatus = (job) => {
    const { status, detail } = job;
    runBar.setStatus(status);
    if (status === "diverged") {
      runBar.say(divergedText(job, controls.settings), "warning");
    } else if (status === "failed") {
      runBar.say(detail || "The run failed.", "error");
    } else if (status === "paused" && detail && !runBar.owned) {
      runBar.say(detail); // why someone else's run paused (its owner, or their page closed)
    } else if (status === "interrupted") {
      runBar.say(detail || "The server restarted while this run trained.", "warning");
    } else if (status === "running" || status === "queued") {
      runBar.say("");
    }
  };
  return {
    clear: () => {
      runBar.setStatus("ready");
      runBar.setIteration(-1, controls.settings.iterations);
      runBar.setMetrics({ cost: null, train_accuracy: null, test_accuracy: null });
    },
    connecting: () => {
      runBar.say("");
      runBar.setStatus("connecting");
    },
    watching: ({ job }) => showStatus(job),
    snapshot: (message, { job, miniBatch }) => {
      const blewUp = job.status === "diverged";
      runBar.setIteration(job.iteration, job.config.iterations, blewUp);
      const m = job.metrics || {};
      const cost = miniBatch && m.train_cost !== undefined ? m.train_cost : m.cost;
      runBar.setMetrics({ ...m, cost: blewUp && cost === null ? NaN : cost });
      showStatus(job);
    },
    progress: (message, { blewUp, trainCost }) => {
      const last = message.cost.length ? message.cost[message.cost.length - 1] : undefined;
      runBar.setIteration(message.iteration, undefined, blewUp);
      runBar.setMetrics({
        cost: trainCost !== undefined ? trainCost : blewUp ? NaN : last,
        train_accuracy: message.train_accuracy,
        test_accuracy: message.test_accuracy,
        train_r2: message.train_r2,
        test_r2: message.test_r2,
      });
    },
    status: (message, { job }) => showStatus(job),
    error: (message) => runBar.say(message.detail, "error"),
  };
}

/**
 * A diverged run, in the figures the run bar and the runs list show: the iterations
 * done and the cost that is no longer a number. `settings`: the form's.
 */
function divergedText(job, settings) {
  const done = formatCount(iterationsDone(job.iteration, true));
  const total = formatCount(job.config ? job.config.iterations : settings.iterations);
  const alpha = settings.learning_rate;
  return (
    `The cost became ${NOT_FINITE} after ${done} of ${total} iterations: with learning rate ` +
    `${alpha} the updates overshoot and blow up. Try a smaller learning rate, such as ` +
    `${Number((alpha / 10).toPrecision(3))}.`
  );
}

/**
 * The run bar's hint when the cost has not moved (the chart draws it flat), taken back
 * when it does; it reads the context's cost range. Comes after the run bar's view, whose
 * status sentence it may replace.
 */
export function stallView(runBar, controls) {
  let hint = null; // the sentence about a flat cost, while it is shown
  // `fresh`: write the sentence again (its count), else only when it comes or goes.
  const showStall = (job, range, fresh) => {
    const text = stallHint(range, iterationsDone(job.iteration), controls.settings);
    if (text && (fresh || !hint)) {
      runBar.say(text, "warning");
      hint = text;
    } else if (!text && hint) {
      if (runBar.message.textContent === hint) runBar.say(""); // not another message
      hint = null;
    }
  };
  const afterStatus = ({ job, range }) => {
    hint = null;
    if (job.status !== "diverged" && job.status !== "failed") showStall(job, range, true);
  };
  return {
    clear: () => {
      hint = null;
    },
    watching: afterStatus,
    snapshot: (message, context) => afterStatus(context),
    progress: (message, { job, range }) => showStall(job, range, false),
    status: (message, context) => afterStatus(context),
  };
}
