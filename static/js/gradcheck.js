// Gradient checking, beside the backward-propagation equations it verifies: a button
// asks the server to compare backward propagation's dW, db with two-sided differences
// of the cost at the watched run's latest weights; the answer reads as in the course.

import * as api from "./api.js";
import { formatCount, formatScientific } from "./format.js";

// Activations with a kink at Z = 0, where a two-sided difference can straddle it.
const KINKED = new Set(["relu", "leaky_relu"]);
const QUESTION = "Is backward propagation right?";
// A diverged run's weights give an infinite cost: the server would refuse (409), so the
// button says why at once instead.
const DIVERGED = "The run diverged: its cost is not finite, so there is nothing to compare.";
const KINK_HINT =
  "ReLU has a kink at Z = 0: where an example's Z is 0 (or within ε of it) the two-sided " +
  "difference straddles the kink, so the check can fail without a bug.";

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** "difference = 3.1e-9 < 2e-7: backward propagation is right ✓" (or ✗ and the worst entry). */
export function verdict({ difference, passed, worst, threshold }) {
  const comparison = `difference = ${formatScientific(difference)} ${passed ? "<" : "≥"} ${threshold}`;
  return passed
    ? `${comparison}: backward propagation is right ✓`
    : `${comparison}: backward propagation is wrong ✗ (worst: ${worst})`;
}

/** "two-sided differences, ε = 1e-7, m = 100, 17 parameters, at the weights after iteration 9,999". */
export function method({ epsilon, m, n_parameters: count, iteration }) {
  const parameters = `${formatCount(count)} parameter${count === 1 ? "" : "s"}`;
  const weights = iteration < 0 ? "the initial weights" : `the weights after iteration ${formatCount(iteration)}`;
  return `two-sided differences, ε = ${epsilon}, m = ${formatCount(m)}, ${parameters}, at ${weights}`;
}

export class GradCheck {
  /** Draws the button and its result into `slot` (made once; the equations leave it alone). */
  constructor(slot) {
    this.job = null; // {id, status, config} of the run to check, or null
    this.token = 0; // counts requests: an answer for a run left behind is dropped
    this.busy = false;
    const box = element("div", "gradcheck");
    const head = element("div", "gradcheck-head");
    this.button = element("button", "text-button", "Check gradients");
    this.button.type = "button";
    this.button.dataset.testid = "gradcheck-button";
    this.button.addEventListener("click", () => this.check());
    this.what = element("span", "gradcheck-what", QUESTION);
    head.append(this.button, this.what);
    this.result = element("div", "gradcheck-result");
    this.result.dataset.testid = "gradcheck-result";
    this.result.setAttribute("role", "status");
    this.result.hidden = true;
    box.append(head, this.result);
    slot.replaceChildren(box);
    this.setJob(null);
  }

  /**
   * The run to check ({id, status, config}; null: none, the button is off). Call again
   * when its status changes. A new run clears the last result.
   */
  setJob(job) {
    const id = job ? job.id : null;
    if (!this.job || this.job.id !== id) {
      this.token += 1;
      this.busy = false;
      this.show(null);
    }
    this.job = job ? { id, status: job.status, config: job.config || {} } : null;
    this.refresh();
  }

  refresh() {
    const diverged = Boolean(this.job) && this.job.status === "diverged";
    this.button.disabled = !this.job || this.busy || diverged;
    this.what.textContent = diverged ? DIVERGED : QUESTION;
    this.button.textContent = this.busy ? "Checking…" : "Check gradients";
    this.button.setAttribute("aria-busy", String(this.busy));
    this.button.title = this.job
      ? "Compare dW, db with (J(θ + ε) − J(θ − ε)) / 2ε at the run's latest weights"
      : "Start a run first: the check uses its weights";
  }

  async check() {
    if (!this.job || this.busy) return;
    const { id, config } = this.job;
    // A disabled button loses the keyboard focus: it gets it back with the answer.
    const hadFocus = document.activeElement === this.button;
    this.token += 1;
    const token = this.token;
    this.busy = true;
    this.refresh();
    this.show({ kind: "busy", lines: ["Checking at the run's latest weights…"] });
    let answer;
    try {
      const result = await api.gradcheck(id);
      const hint = !result.passed && KINKED.has(config.activation) ? [KINK_HINT] : [];
      answer = { kind: result.passed ? "passed" : "failed", lines: [verdict(result), method(result)], hint };
    } catch (error) {
      // 409 (no finite weights yet, or diverged) and 429 (a check under way) say why plainly.
      const plain = error.status === 404 || error.status === 409 || error.status === 429;
      answer = { kind: "refused", lines: [plain ? error.message : `Could not check: ${error.message}`] };
    }
    if (token !== this.token) return; // another run is watched now
    this.busy = false;
    this.refresh();
    this.show(answer);
    const lost = !document.activeElement || document.activeElement === document.body;
    if (hadFocus && lost && !this.button.disabled) this.button.focus();
  }

  /** Show an answer {kind, lines, hint}; null hides the result. */
  show(answer) {
    this.result.hidden = !answer;
    if (!answer) {
      this.result.replaceChildren();
      delete this.result.dataset.kind;
      return;
    }
    this.result.dataset.kind = answer.kind;
    this.result.setAttribute("aria-busy", String(answer.kind === "busy"));
    const [first, ...rest] = answer.lines;
    const nodes = [element("p", "gradcheck-verdict", first)];
    for (const line of rest) nodes.push(element("p", "gradcheck-method", line));
    for (const line of answer.hint || []) nodes.push(element("p", "gradcheck-hint", line));
    this.result.replaceChildren(...nodes);
  }
}
