// The runs panel: one row per run (newest first) with a toggle that draws its costs
// over the cost chart, its label (a button that loads its settings), iterations, cost,
// train and test accuracy, and status. It only shows the list (runs.js); main.js wires it.

import { INK } from "./chartstyle.js";
import { formatCost, formatCount, formatPercent, iterationsDone } from "./format.js";
import { displayLabel, settingsSummary, styleOf } from "./runs.js";

const SVG = "http://www.w3.org/2000/svg";

/** A short line in a run's overlay style (or the bold main curve's), as in the chart. */
function swatch({ color, dash }, width) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "run-swatch");
  svg.setAttribute("viewBox", "0 0 30 8");
  svg.setAttribute("aria-hidden", "true");
  const line = document.createElementNS(SVG, "line");
  line.setAttribute("x1", "1");
  line.setAttribute("y1", "4");
  line.setAttribute("x2", "29");
  line.setAttribute("y2", "4");
  line.setAttribute("stroke", color);
  line.setAttribute("stroke-width", String(width));
  if (dash !== "solid") line.setAttribute("stroke-dasharray", dash.replaceAll("px", ""));
  svg.append(line);
  return svg;
}

function element(tag, { className, text, testid } = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  if (testid) node.dataset.testid = testid;
  return node;
}

/** Whether a run's cost blew up (its cost is NaN: see RunList). */
function blewUp(run) {
  return run.status === "diverged" || Number.isNaN(run.cost);
}

/** The status word a row shows: the server's, or "expired" once the server has let it go. */
function statusOf(run) {
  return run.expired ? "expired" : run.status;
}

export class RunsPanel {
  /**
   * Draws into `root` (the runs section): onToggle(id, on) when a run's overlay toggle
   * changes, onLoad(id) when its label is clicked, onClear() for the clear button.
   */
  constructor(root, { onToggle, onLoad, onClear }) {
    this.root = root;
    this.body = root.querySelector("tbody");
    this.table = root.querySelector("table");
    this.empty = root.querySelector(".runs-empty");
    this.clearButton = root.querySelector("[data-testid=runs-clear]");
    this.onToggle = onToggle;
    this.onLoad = onLoad;
    this.clearButton.addEventListener("click", () => onClear());
    this.dirty = new Map(); // runs with new numbers, filled in on the next frame
    this.frame = 0;
  }

  /** Link the current run and those drawn over its chart (`overlays`) side by side, when two or more. */
  showSideBySide(currentId, overlays) {
    const link = this.root.querySelector("[data-testid=runs-side-by-side]");
    const ids = [currentId, ...overlays.map((run) => run.id)].filter(Boolean);
    link.hidden = ids.length < 2;
    link.href = `experiment?jobs=${ids.map(encodeURIComponent).join(",")}`;
  }

  /** Redraw every row (runs newest first; `currentId` is the run being watched). */
  render(runs, currentId) {
    // The rows are rebuilt: keep the keyboard focus on the same control of the same run.
    const focused = document.activeElement;
    const row = focused && focused.closest && focused.closest("tr[data-job-id]");
    const again = row && this.body.contains(row) ? [row.dataset.jobId, focused.dataset.testid] : null;

    this.body.replaceChildren(...runs.map((run) => this.row(run, run.id === currentId)));
    this.table.hidden = runs.length === 0;
    this.empty.hidden = runs.length > 0;
    this.clearButton.disabled = !runs.some((run) => run.id !== currentId);

    if (again) {
      const target = this.body.querySelector(
        `tr[data-job-id="${CSS.escape(again[0])}"] [data-testid="${again[1]}"]`,
      );
      if (target && !target.disabled) target.focus();
    }
  }

  row(run, current) {
    const tr = element("tr", { className: "run", testid: "run-row" });
    tr.dataset.jobId = run.id;
    if (current) tr.setAttribute("aria-current", "true");
    const name = `#${run.number} ${displayLabel(run)}`;

    const compare = element("td", { className: "run-compare" });
    if (current) {
      // The run watched is always drawn: it is the chart's bold main curve.
      compare.append(swatch({ color: INK, dash: "solid" }, 4));
      compare.append(element("span", { className: "visually-hidden", text: "current run, the bold curve" }));
      compare.title = "The current run: the bold curve on the cost chart";
    } else {
      const label = element("label", { className: "run-toggle" });
      const box = element("input", { testid: "run-overlay" });
      box.type = "checkbox";
      box.checked = run.overlay;
      box.disabled = run.costs === null || run.costs.length === 0;
      box.setAttribute("aria-label", `Draw the costs of run ${name} on the cost chart`);
      box.addEventListener("change", () => this.onToggle(run.id, box.checked));
      label.title = box.disabled ? noCostsReason(run) : "Draw its costs on the cost chart";
      label.append(box, swatch(styleOf(run), 2.5));
      compare.append(label);
    }

    const head = element("th", { className: "run-name" });
    head.scope = "row";
    const number = element("span", { className: "run-number", text: `#${run.number}` });
    const text = element("span", { className: "run-text", text: displayLabel(run) });
    const settings = `${settingsSummary(run)} · job ${run.id}`;
    if (current) {
      const plain = element("span", { className: "run-label", testid: "run-label" });
      plain.append(number, " ", text, element("span", { className: "run-now", text: "current" }));
      plain.title = settings;
      head.append(plain);
    } else {
      const button = element("button", { className: "run-label", testid: "run-label" });
      button.type = "button";
      button.append(number, " ", text);
      button.title = `Load these settings (${settings})`;
      button.setAttribute("aria-label", `Load the settings of run ${name}`);
      button.addEventListener("click", () => this.onLoad(run.id));
      head.append(button);
    }

    tr.append(compare, head);
    // data-label names a number where a narrow window has no column heads.
    const columns = { iterations: "iter.", cost: "cost", train: "train", test: "test" };
    for (const [column, name] of Object.entries(columns)) {
      const td = element("td", { className: "num", testid: `run-${column}` });
      td.dataset.label = name;
      tr.append(td);
    }
    const status = element("td", { className: "run-status" });
    status.append(element("span", { className: "status", testid: "run-status" }));
    tr.append(status);
    this.fill(tr, run);
    return tr;
  }

  /** New numbers for a run already listed: written once a frame, however often they come. */
  update(run) {
    this.dirty.set(run.id, run);
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      for (const dirty of this.dirty.values()) {
        const tr = this.body.querySelector(`tr[data-job-id="${CSS.escape(dirty.id)}"]`);
        if (tr) this.fill(tr, dirty);
      }
      this.dirty.clear();
    });
  }

  fill(tr, run) {
    const cell = (column) => tr.querySelector(`[data-testid="run-${column}"]`);
    // The label follows the run: a learning rate changed mid-run shows in it.
    const text = tr.querySelector(".run-text");
    if (text) text.textContent = displayLabel(run);
    const load = tr.querySelector("button.run-label");
    if (load) load.setAttribute("aria-label", `Load the settings of run #${run.number} ${displayLabel(run)}`);
    cell("iterations").textContent = formatCount(iterationsDone(run.iteration, blewUp(run)));
    cell("cost").textContent = formatCost(run.cost);
    cell("train").textContent = formatPercent(run.trainAccuracy);
    cell("test").textContent = formatPercent(run.testAccuracy);
    const status = cell("status");
    status.textContent = statusOf(run);
    status.dataset.status = statusOf(run);
    if (run.expired) status.title = "The server no longer has this run: its summary is kept";
    const box = tr.querySelector("[data-testid=run-overlay]");
    if (box) {
      const none = run.costs === null || run.costs.length === 0;
      box.disabled = none;
      box.closest("label").title = none ? noCostsReason(run) : "Draw its costs on the cost chart";
    }
  }
}

function noCostsReason(run) {
  if (run.expired) return "Its costs are no longer on the server";
  if (run.unreachable) return "Could not reach the server for its costs";
  return run.costs === null ? "Fetching its costs…" : "No costs yet";
}
