// The run bar: play/pause, step, reset, stop, and the numbers of the run (iteration,
// cost, train and test accuracy, status). It only shows state; the session and the
// job's views (messages.js) set it, and runbuttons.js binds its buttons.

import { formatCost, formatCount, formatPercent, formatR2, iterationsDone } from "./format.js";

const ACTIVE = new Set(["queued", "running", "paused"]);
const STATUS_TEXT = {
  ready: "ready",
  connecting: "connecting",
  queued: "queued",
  running: "running",
  paused: "paused",
  done: "done",
  stopped: "stopped",
  diverged: "diverged",
  failed: "failed",
  interrupted: "interrupted",
};

function byTestId(root, id) {
  return root.querySelector(`[data-testid="${id}"]`);
}

export class RunBar {
  constructor(root) {
    this.root = root;
    this.play = byTestId(root, "train-button");
    this.pause = byTestId(root, "pause-button");
    this.stop = byTestId(root, "stop-button");
    this.step = byTestId(root, "step-button");
    this.fork = byTestId(root, "fork-button");
    this.watching = byTestId(root, "watching");
    this.owned = true; // false while watching someone else's run (a shared link)
    this.iteration = byTestId(root, "iteration");
    this.total = root.querySelector("#iteration-total");
    this.cost = byTestId(root, "cost");
    this.trainAccuracy = byTestId(root, "train-accuracy");
    this.testAccuracy = byTestId(root, "test-accuracy");
    this.status = byTestId(root, "status");
    this.progress = root.querySelector("#progress");
    this.message = document.querySelector("#message");
    this.totalIterations = 0;
  }

  /** The page is ready: the buttons the HTML keeps off until then (play, step, reset) work. */
  enable() {
    for (const id of ["train-button", "reset-button"]) byTestId(this.root, id).disabled = false;
    this.step.disabled = !this.owned; // watching someone else's run, only Fork is offered
  }

  /** Status word and which buttons make sense in it. */
  setStatus(status) {
    this.status.textContent = STATUS_TEXT[status] || status;
    this.status.dataset.status = status;
    const playing = status === "running" || status === "queued";
    // One big button that turns from play into pause: keep the keyboard focus on it.
    const hadFocus = document.activeElement === this.play || document.activeElement === this.pause;
    this.play.hidden = playing;
    this.pause.hidden = !playing;
    if (hadFocus) (playing ? this.pause : this.play).focus();
    this.stop.disabled = !this.owned || !ACTIVE.has(status);
    this.pause.disabled = !this.owned;
  }

  /**
   * Whether this browser steers the run it shows. Watching someone else's (`learner`:
   * their name in the room, if they gave one), the bar says whose it is, and only Fork (a
   * run of one's own with the same settings) and a new run are offered.
   */
  setOwned(owned, learner = null) {
    const whose = learner ? `${learner}'s run` : "someone's run";
    this.watching.textContent = `watching ${whose}`;
    this.watching.title = `You are watching ${whose}`;
    this.watching.hidden = owned;
    if (owned === this.owned) return; // (and the page's first state stays as the HTML has it)
    this.owned = owned;
    this.fork.hidden = owned;
    this.step.disabled = !owned;
    this.setStatus(this.status.dataset.status); // the buttons again, for the same status
  }

  /**
   * Show how many iterations are done out of `total`, given the index of the last one
   * done (the server's `iteration`: -1 before any, 9999 once 10,000 are done) and
   * whether the cost blew up on it (see iterationsDone).
   */
  setIteration(iteration, total = this.totalIterations, blewUp = false) {
    this.totalIterations = total;
    const done = iterationsDone(iteration, blewUp);
    if (this.iteration.dataset.value === String(done) && this.shownTotal === total) return;
    this.shownTotal = total;
    this.iteration.textContent = formatCount(done);
    this.iteration.dataset.value = String(done);
    this.total.textContent = `of ${formatCount(total)}`;
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    this.progress.style.transform = `scaleX(${fraction})`;
  }

  /** Latest cost and accuracies (fractions; null when unknown or no test split). */
  setMetrics({ cost, train_accuracy: train, test_accuracy: test, train_r2: trainR2, test_r2: testR2 }) {
    if (cost !== undefined) this.cost.textContent = formatCost(cost);
    // A regression has no accuracy: its R^2 stands in the same place, said so.
    if (trainR2 !== undefined && trainR2 !== null) {
      this.trainAccuracy.textContent = formatR2(trainR2);
      this.testAccuracy.textContent = formatR2(testR2);
      return;
    }
    if (train !== undefined) this.trainAccuracy.textContent = formatPercent(train);
    if (test !== undefined) this.testAccuracy.textContent = formatPercent(test);
  }

  /** A plain sentence under the bar; kind "info", "warning" or "error"; empty hides it. */
  say(text, kind = "info") {
    this.message.textContent = text || "";
    this.message.dataset.kind = kind;
    this.message.hidden = !text;
  }
}
