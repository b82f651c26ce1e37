// Backpropagation step by step: one iteration of the watched run (the server's trace at
// its latest weights) walked equation by equation, forward, cost, backward and update,
// each with its real matrices drawn as small heatmaps (values on hover, shapes beside),
// then a step to the next iteration. Deeper networks walk the same way, layer by layer.

import * as api from "./api.js";
import { formatCount, formatValue } from "./format.js";

// Statuses whose run has weights to walk and is not moving under the walk.
const STILL = new Set(["paused", "done", "stopped", "interrupted"]);
const CELL = 12; // px per entry, at most
const WIDTH = 560; // px a matrix may take
const STEP_WAIT = { tries: 40, ms: 100 }; // how long a step's new weights are awaited

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const shape = ([rows, cols]) => `(${rows}, ${cols})`;

/**
 * The walk's steps for a trace with L layers: [{part, equation, arrays, note}], arrays the
 * names (in trace.cache, parameters, grads) to draw, the last one the result.
 */
export function steps(trace) {
  const L = Object.keys(trace.parameters).filter((name) => name.startsWith("W")).length;
  const g = trace.activation;
  const A = (l) => (l === 0 ? "X" : `A${l}`);
  const out = [];
  for (let l = 1; l <= L; l += 1) {
    const [n] = trace.shapes[`b${l}`];
    out.push({
      part: "forward",
      equation: `Z${l} = W${l} ${A(l - 1)} + b${l}`,
      arrays: [`W${l}`, A(l - 1), `b${l}`, `Z${l}`],
      note: `b${l} is (${n}, 1): NumPy broadcasts it across the m columns.`,
    });
    const output = l === L;
    out.push({
      part: "forward",
      equation: `A${l} = ${output ? "σ" : g}(Z${l})`,
      arrays: [`Z${l}`, `A${l}`],
      note: output ? `A${l} is P(y=1) for every example.` : "",
    });
  }
  out.push({
    part: "cost",
    equation: `J = −(1/m) Σ (Y log A${L} + (1 − Y) log(1 − A${L}))`,
    arrays: ["Y", `A${L}`],
    note: "",
  });
  out.push({ part: "backward", equation: `dZ${L} = A${L} − Y`, arrays: [`A${L}`, "Y", `dZ${L}`], note: "" });
  for (let l = L; l >= 1; l -= 1) {
    out.push({
      part: "backward",
      equation: `dW${l} = (1/m) dZ${l} ${A(l - 1)}ᵀ`,
      arrays: [`dZ${l}`, A(l - 1), `dW${l}`],
      note: "",
    });
    out.push({
      part: "backward",
      equation: `db${l} = (1/m) np.sum(dZ${l}, axis=1, keepdims=True)`,
      arrays: [`dZ${l}`, `db${l}`],
      note: `keepdims=True keeps db${l} a column (n, 1), the shape of b${l}; without it NumPy gives (n,).`,
    });
    if (l > 1) {
      out.push({
        part: "backward",
        equation: `dZ${l - 1} = W${l}ᵀ dZ${l} * g'(Z${l - 1})`,
        arrays: [`W${l}`, `dZ${l}`, `Z${l - 1}`, `dZ${l - 1}`],
        note: `* is element by element: g' = ${g}' at Z${l - 1}.`,
      });
    }
  }
  for (let l = 1; l <= L; l += 1) {
    out.push({
      part: "update",
      equation: `W${l} := W${l} − α dW${l}, b${l} := b${l} − α db${l}`,
      arrays: [`W${l}`, `dW${l}`, `W${l}'`],
      note: `α = ${trace.learning_rate}. W${l}' is W${l} after the update.`,
    });
  }
  return out;
}

/** The array `name` of a trace (W1' is W1 after this iteration's update), rows of numbers. */
export function arrayOf(trace, name) {
  if (name.endsWith("'")) {
    const W = trace.parameters[name.slice(0, -1)];
    const dW = trace.grads[`d${name.slice(0, -1)}`];
    return W.map((row, i) => row.map((w, j) => w - trace.learning_rate * dW[i][j]));
  }
  return trace.parameters[name] || trace.cache[name] || trace.grads[name];
}

/** One matrix as a heatmap: orange negative, blue positive, white 0, on a symmetric scale. */
function heatmap(values, onHover) {
  const rows = values.length;
  const cols = values[0].length;
  const size = Math.max(2, Math.min(CELL, Math.floor(WIDTH / cols)));
  const canvas = element("canvas", "walk-matrix");
  canvas.width = cols * size;
  canvas.height = rows * Math.max(size, Math.min(CELL, 4));
  const height = canvas.height / rows;
  const context = canvas.getContext("2d");
  const top = Math.max(...values.flat().map((v) => (Number.isFinite(v) ? Math.abs(v) : 0))) || 1;
  values.forEach((row, i) =>
    row.forEach((v, j) => {
      context.fillStyle = colour(v / top);
      context.fillRect(j * size, i * height, size, height);
    }),
  );
  canvas.addEventListener("mousemove", (event) => {
    const box = canvas.getBoundingClientRect();
    const j = Math.min(cols - 1, Math.floor(((event.clientX - box.left) / box.width) * cols));
    const i = Math.min(rows - 1, Math.floor(((event.clientY - box.top) / box.height) * rows));
    onHover(i, j, values[i][j]);
  });
  return canvas;
}

function colour(t) {
  if (!Number.isFinite(t)) return "#000";
  const [r, g, b] = t < 0 ? [245, 147, 34] : [8, 119, 189]; // the page's orange and blue
  const s = Math.min(1, Math.abs(t));
  const mix = (c) => Math.round(255 + (c - 255) * s);
  return `rgb(${mix(r)} ${mix(g)} ${mix(b)})`;
}

export class Walkthrough {
  /** A button in `slot` opens the walk; onStep(1) steps the run (the session's, owner only). */
  constructor(slot, { onStep }) {
    this.job = null;
    this.onStep = onStep;
    this.button = element("button", "text-button", "Walk one iteration");
    this.button.type = "button";
    this.button.dataset.testid = "walk-button";
    this.button.addEventListener("click", () => this.open());
    slot.append(this.button);
    this.dialog = element("dialog", "overlay walk");
    this.dialog.dataset.testid = "walk";
    this.dialog.addEventListener("keydown", (event) => this.key(event));
    document.body.append(this.dialog);
    this.setJob(null);
  }

  /** The run to walk ({id, status}; null: none). Call again when its status changes. */
  setJob(job) {
    this.job = job ? { id: job.id, status: job.status } : null;
    const still = Boolean(this.job) && STILL.has(this.job.status);
    this.button.disabled = !still;
    this.button.title = still
      ? "Walk through one iteration of backpropagation with this run's real matrices"
      : "Pause the run first: the walk shows one iteration at its latest weights";
  }

  async open() {
    if (!this.job) return;
    this.at = 0;
    await this.load();
    if (!this.dialog.open) this.dialog.showModal();
  }

  async load() {
    try {
      this.trace = await api.trace(this.job.id);
    } catch (error) {
      this.trace = null;
      this.dialog.replaceChildren(element("p", "walk-error", `Cannot walk this run: ${error.message}`), this.close());
      return;
    }
    this.steps = steps(this.trace);
    this.render();
  }

  key(event) {
    if (!this.trace) return;
    const moves = { ArrowRight: 1, ArrowLeft: -1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    event.stopPropagation(); // the page's → steps the run: here it walks
    this.go(this.at + moves[event.key]);
  }

  go(at) {
    this.at = Math.max(0, Math.min(this.steps.length, at));
    this.render();
  }

  render() {
    const trace = this.trace;
    const last = this.at === this.steps.length;
    const head = element("div", "walk-head");
    head.append(
      element("h2", "", `Iteration ${formatCount(trace.iteration)}, step by step`),
      element("span", "muted", `${this.at + 1} of ${this.steps.length + 1}`),
    );
    const body = last ? this.summary() : this.equation(this.steps[this.at]);
    this.dialog.replaceChildren(head, body, this.buttons(last));
    this.dialog.querySelector("[data-walk=next], [data-walk=step]")?.focus();
  }

  equation(step) {
    const box = element("div", "walk-step");
    box.dataset.part = step.part;
    box.append(element("p", "walk-part", step.part), element("p", "walk-equation", step.equation));
    box.dataset.testid = "walk-step";
    const hover = element("output", "walk-hover muted", "Point at an entry to read its value.");
    const grid = element("div", "walk-arrays");
    for (const name of step.arrays) grid.append(this.matrix(name, hover));
    box.append(grid, hover);
    if (step.part === "cost") box.append(element("p", "walk-value", `J = ${formatValue(this.trace.cost ?? NaN)}`));
    const norm = this.trace.norms[step.arrays.at(-1)];
    if (norm !== undefined) box.append(element("p", "walk-value", `‖${step.arrays.at(-1)}‖ = ${formatValue(norm ?? NaN)}`));
    if (step.note) box.append(element("p", "walk-note", step.note));
    return box;
  }

  matrix(name, hover) {
    const values = arrayOf(this.trace, name);
    const full = this.trace.shapes[name.replace("'", "")] || [values.length, values[0].length];
    const figure = element("figure", "walk-array");
    const subsampled = this.trace.columns && full[1] === this.trace.m;
    const caption = `${name} ${shape(full)}` + (subsampled ? `, ${values[0].length} of ${formatCount(this.trace.m)} columns` : "");
    const column = (j) => (subsampled ? this.trace.columns[j] : j);
    figure.append(
      heatmap(values, (i, j, v) => (hover.textContent = `${name}[${i}, ${column(j)}] = ${formatValue(v)}`)),
      element("figcaption", "", caption),
    );
    return figure;
  }

  summary() {
    const box = element("div", "walk-step");
    box.dataset.testid = "walk-step";
    box.append(element("p", "walk-part", "done"), element("p", "walk-equation", "One iteration: forward, cost, backward, update."));
    const norms = element("dl", "walk-norms");
    for (const [name, norm] of Object.entries(this.trace.norms)) {
      norms.append(element("dt", "", `‖${name}‖`), element("dd", "", formatValue(norm ?? NaN)));
    }
    box.append(norms);
    const owned = api.ownsJob(this.job.id) && this.job.status === "paused";
    if (!owned) box.append(element("p", "walk-note", "Only a paused run of your own can take the step."));
    return box;
  }

  buttons(last) {
    const bar = element("div", "walk-buttons");
    const back = element("button", "text-button", "← Back");
    back.type = "button";
    back.disabled = this.at === 0;
    back.addEventListener("click", () => this.go(this.at - 1));
    bar.append(back);
    if (last) {
      const step = element("button", "text-button", `Step to iteration ${formatCount(this.trace.iteration + 1)}`);
      step.type = "button";
      step.dataset.walk = "step";
      step.dataset.testid = "walk-next-iteration";
      step.disabled = !(api.ownsJob(this.job.id) && this.job.status === "paused");
      step.addEventListener("click", () => this.nextIteration());
      bar.append(step);
    } else {
      const next = element("button", "text-button", "Next →");
      next.type = "button";
      next.dataset.walk = "next";
      next.dataset.testid = "walk-next";
      next.addEventListener("click", () => this.go(this.at + 1));
      bar.append(next);
    }
    bar.append(this.close());
    return bar;
  }

  close() {
    const button = element("button", "text-button", "Close");
    button.type = "button";
    button.addEventListener("click", () => this.dialog.close());
    return button;
  }

  /** Step the run once, wait for the weights after it, and walk that iteration from its start. */
  async nextIteration() {
    const before = this.trace.iteration;
    await this.onStep(1);
    for (let tries = 0; tries < STEP_WAIT.tries; tries += 1) {
      const trace = await api.trace(this.job.id).catch(() => null);
      if (trace && trace.iteration > before) {
        this.trace = trace;
        this.steps = steps(trace);
        this.go(0);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, STEP_WAIT.ms));
    }
  }
}
