// The hidden space (as ConvNetJS draws it): the points and the input plane's grid lines as
// two hidden units see them, A[l][i] against A[l][j], live while the run trains. The
// network bends the plane until a straight line can split the classes; here it shows.
// The server computes it (GET /api/jobs/{id}/hidden) only while this panel is open.

import * as api from "./api.js";
import { FONT, INK, plotConfig } from "./chartstyle.js";
import { BLUE, ORANGE } from "./palette.js";
import { whenPlotly } from "./plotly.js";

// How often the open panel asks again: while the run trains, and while it is paused (its
// weights change only by a step or an edit then). A finished run is asked once.
const TRAINING_MS = 250;
const PAUSED_MS = 1000;
const FINAL = new Set(["done", "stopped", "diverged", "failed", "interrupted"]);
// Where an activation's values lie, so the axes stay still as the points move.
const RANGES = { tanh: [-1.05, 1.05], sigmoid: [-0.05, 1.05] };

function option(value, text) {
  const node = document.createElement("option");
  node.value = value;
  node.textContent = text;
  return node;
}

function points(set, label, { test }) {
  const keep = set.y.map((y, k) => (y === label ? k : -1)).filter((k) => k >= 0);
  return {
    type: "scatter",
    mode: "markers",
    x: keep.map((k) => set.A[0][k]),
    y: keep.map((k) => set.A[1][k]),
    name: `${test ? "test" : "train"}, y = ${label}`,
    marker: {
      color: label === 1 ? BLUE : ORANGE,
      size: test ? 8 : 6,
      symbol: test ? "diamond" : "circle",
      line: { color: test ? INK : "#ffffff", width: 1 },
    },
    hoverinfo: "skip",
  };
}

export class HiddenSpace {
  /** root: the panel (a <details>) holding the unit selects, the plot and a note. */
  constructor(root) {
    this.root = root;
    this.plot = root.querySelector('[data-testid="hidden-plot"]');
    this.layer = root.querySelector('[data-testid="hidden-layer"]');
    this.units = [root.querySelector('[data-testid="hidden-x"]'), root.querySelector('[data-testid="hidden-y"]')];
    this.note = root.querySelector('[data-testid="hidden-note"]');
    this.job = null;
    this.hidden = null; // the hidden layer sizes the selects were made for
    this.timer = 0;
    this.asking = false;
    this.drawn = 0; // answers drawn, for the tests
    root.addEventListener("toggle", () => this.refresh());
    this.layer.addEventListener("change", () => {
      this.fillUnits();
      this.refresh();
    });
    this.units.forEach((select) => select.addEventListener("change", () => this.refresh()));
  }

  /** The watched job (or null): its hidden layers make the choices; its status the pace. */
  setJob(job) {
    const hidden = job && job.config ? job.config.hidden_layers : [];
    const changed = !this.job || !job || this.job.id !== job.id;
    this.job = job;
    if (changed || String(hidden) !== String(this.hidden)) this.fillLayers(hidden);
    if (changed) this.refresh();
  }

  fillLayers(hidden) {
    this.hidden = hidden;
    const wide = hidden.map((n, k) => [n, k + 1]).filter(([n]) => n >= 2);
    this.layer.replaceChildren(...wide.map(([n, l]) => option(l, `layer ${l} (${n} units)`)));
    this.layer.hidden = wide.length < 2;
    this.fillUnits();
  }

  fillUnits() {
    const l = Number(this.layer.value);
    const n = l ? this.hidden[l - 1] : 0;
    this.units.forEach((select, axis) => {
      select.replaceChildren(...Array.from({ length: n }, (_, i) => option(i, `A${l}[${i}]`)));
      select.value = String(Math.min(axis, n - 1));
    });
  }

  /** Ask the server now (if open), then again at the run's pace. */
  refresh() {
    clearTimeout(this.timer);
    this.timer = 0;
    if (!this.root.open) return;
    if (!this.job) return this.say("Start a run to see its hidden space.");
    if (!this.layer.value) return this.say("This network has no hidden layer of two units or more.");
    const [i, j] = this.units.map((select) => Number(select.value));
    if (i === j) return this.say("Choose two different units.");
    this.ask(Number(this.layer.value), [i, j]);
  }

  async ask(layer, units) {
    if (this.asking) return;
    this.asking = true;
    const job = this.job;
    try {
      const space = await api.hiddenSpace(job.id, layer, units);
      await whenPlotly(); // asked for before the charts' script has run
      this.draw(space);
      this.say("");
    } catch (error) {
      this.say(error.status === 409 ? "The run has no weights yet." : error.message);
    } finally {
      this.asking = false;
    }
    if (this.job !== job || FINAL.has(job.status)) return;
    const wait = job.status === "paused" ? PAUSED_MS : TRAINING_MS;
    this.timer = setTimeout(() => this.refresh(), wait);
  }

  draw(space) {
    const grid = {
      type: "scatter",
      mode: "lines",
      x: space.grid.A[0],
      y: space.grid.A[1],
      line: { color: "#aab1b9", width: 1 },
      hoverinfo: "skip",
      connectgaps: false,
    };
    const traces = [grid];
    for (const [set, test] of [
      [space.train, false],
      [space.test, true],
    ]) {
      if (set.y.length) traces.push(points(set, 0, { test }), points(set, 1, { test }));
    }
    const [i, j] = space.units;
    const range = RANGES[space.activation];
    const axis = (name) => ({ title: { text: name }, zeroline: false, range, autorange: !range });
    const layout = {
      margin: { l: 52, r: 8, t: 8, b: 48 },
      font: FONT,
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "#f4f5f6",
      showlegend: false,
      xaxis: axis(`A${space.layer}[${i}]`),
      yaxis: { ...axis(`A${space.layer}[${j}]`), scaleanchor: "x" },
      uirevision: `${this.job && this.job.id} ${space.layer} ${i} ${j}`,
    };
    window.Plotly.react(this.plot, traces, layout, plotConfig("hidden-space"));
    this.drawn += 1;
    this.plot.dataset.iteration = space.iteration;
  }

  say(text) {
    this.note.textContent = text;
    this.note.hidden = !text;
  }
}
