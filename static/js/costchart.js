// The cost chart: every iteration's train cost, the test cost where it is measured,
// log-y, TensorBoard-style smoothing of the train costs, and past runs' train costs as
// thin lines to compare with. Plotly: newPlot once, extendTraces for new points (batched:
// at most ten calls a second), restyle when the smoothing changes, past runs as traces
// after the current run's four.

import { FONT, INK, plotConfig, throttledDraw } from "./chartstyle.js";
import { Smoother, smooth } from "./smoothing.js";

const CONFIG = plotConfig("cost");

const TEST = "#6a4c93";
// The test cost is J on the whole test set: no mini-batch noise to smooth away, and it is
// measured only now and then, so smoothing would only make it lag. It is drawn as it is.
const TEST_WEIGHT = 0;
// Trace order: 0 train (raw), 1 train (smoothed), 2 test (raw, hidden: trace 3 draws the
// test costs as measured), 3 test, then one trace per past run drawn over the chart.
const TRACES = [0, 1, 2, 3];
// A past run's line is drawn from at most this many points: more than the chart has pixels.
const MAX_OVERLAY_POINTS = 2000;
const MAX_LEGEND_NAME = 26;
const LEGEND_FONT_SIZE = 14;
const LEGEND_SYMBOL = 46; // px: the line sample before an entry's text, and a gap after it
const MARGIN = { l: 64, r: 16, t: 8, b: 52 };
const LEGEND_ROW = 34; // px: the legend box with one row, which the height in the CSS leaves room for

function series(name, color, { raw, dash, showlegend }) {
  return {
    type: "scatter",
    mode: "lines",
    name,
    x: [],
    y: [],
    showlegend,
    connectgaps: false,
    line: { color, width: raw ? 1.5 : 2.5, dash },
    opacity: raw ? 0.3 : 1,
    hovertemplate: `%{y:.4g}<extra>${name}</extra>`,
  };
}

/** A run's name as the legend shows it: cut short with "…" when long. */
function legendName(name) {
  return name.length > MAX_LEGEND_NAME ? `${name.slice(0, MAX_LEGEND_NAME - 1)}…` : name;
}

/** A past run's line: thin, in its own colour and dash, named by its label in the legend. */
function overlay({ name, costs, style }, weight) {
  const { x, y } = thinned(smooth(costs, weight));
  const short = legendName(name);
  return {
    type: "scatter",
    mode: "lines",
    name: short,
    x,
    y,
    showlegend: true,
    connectgaps: false,
    line: { color: style.color, width: 1.75, dash: style.dash },
    zorder: -1, // behind the current run's curve
    hovertemplate: `%{y:.4g}<extra>${short}</extra>`,
  };
}

/** Every k-th point of a series (and its last), at most MAX_OVERLAY_POINTS: {x, y}. */
function thinned(values) {
  const step = Math.ceil(values.length / MAX_OVERLAY_POINTS);
  const x = [];
  for (let i = 0; i < values.length; i += Math.max(1, step)) x.push(i);
  if (values.length && x[x.length - 1] !== values.length - 1) x.push(values.length - 1);
  return { x, y: x.map((i) => values[i]) };
}

/** Points received but not drawn yet, per series: x, raw cost, smoothed cost. */
function emptyPending() {
  return { train: { x: [], raw: [], smooth: [] }, test: { x: [], raw: [], smooth: [] } };
}

function layout() {
  return {
    margin: { ...MARGIN },
    font: FONT,
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "#ffffff",
    xaxis: { title: { text: "iteration" }, rangemode: "tozero", gridcolor: "#e3e6ea", zeroline: false },
    yaxis: { title: { text: "cost J" }, type: "linear", gridcolor: "#e3e6ea", exponentformat: "power" },
    // Top left: the mode bar appears top right on hover.
    // Entries in columns (two, or one when the names are too long: see fitLegend).
    legend: {
      orientation: "h",
      x: 0,
      xanchor: "left",
      y: 1,
      yanchor: "bottom",
      entrywidth: 0.5,
      entrywidthmode: "fraction",
      font: { size: LEGEND_FONT_SIZE },
    },
    hovermode: "x unified",
    uirevision: "cost",
    showlegend: true,
  };
}

export class CostChart {
  /** Draws into `div`; `hint` (optional) is shown while the chart has no costs. */
  constructor(div, hint = null) {
    this.div = div;
    this.hint = hint;
    this.weight = 0;
    this.pending = null;
    this.overlays = []; // past runs drawn over the chart: [{id, name, costs, style}]
    this.schedule = throttledDraw(() => this.flush());
    this.clearData();
    const data = [
      series("train (raw)", INK, { raw: true, showlegend: false }),
      series("train", INK, { raw: false, showlegend: true }),
      series("test (raw)", TEST, { raw: true, dash: "dash", showlegend: false }),
      series("test", TEST, { raw: false, dash: "dash", showlegend: true }),
    ];
    window.Plotly.newPlot(div, data, layout(), CONFIG);
    // Past runs' names wrap the legend onto more rows: the chart grows so its plot does not shrink.
    div.on("plotly_afterplot", () => this.fitLegend());
  }

  /**
   * Fit the legend: two entries a row while the longest name fits in half the plot's
   * width (else one), and the chart taller by the legend's rows beyond the first.
   */
  fitLegend() {
    const texts = [...this.div.querySelectorAll("g.legend text.legendtext")];
    const widest = Math.max(0, ...texts.map((text) => text.getComputedTextLength())) + LEGEND_SYMBOL;
    const plotWidth = this.div.clientWidth - MARGIN.l - MARGIN.r;
    const fraction = widest <= 0.5 * plotWidth ? 0.5 : 1;
    if (this.div.layout.legend.entrywidth !== fraction) {
      window.Plotly.relayout(this.div, { "legend.entrywidth": fraction }); // draws again, then fits
      return;
    }
    const legend = this.div.querySelector("g.legend");
    const extra = legend ? Math.max(0, legend.getBoundingClientRect().height - LEGEND_ROW) : 0;
    if (!this.div.style.height) this.baseHeight = this.div.getBoundingClientRect().height;
    const base = this.baseHeight;
    const height = extra > 2 ? `${Math.round(base + extra)}px` : "";
    if (this.div.style.height === height) return;
    this.div.style.height = height;
    window.Plotly.Plots.resize(this.div);
  }

  clearData() {
    // Raw values are kept so that a new smoothing weight can recompute the smoothed lines.
    this.train = { x: [], y: [], smoother: new Smoother(this.weight) };
    this.test = { x: [], y: [], smoother: new Smoother(TEST_WEIGHT) };
    this.pending = emptyPending();
  }

  /** Start over from a snapshot's history ({iteration, cost, test_iteration, test_cost}). */
  reset(history) {
    this.clearData();
    const h = history || {};
    this.add(this.train, h.iteration || [], h.cost || [], "train");
    this.add(this.test, h.test_iteration || [], h.test_cost || [], "test");
    this.pending = emptyPending(); // redraw() draws the whole history at once
    this.redraw();
    this.showHint();
  }

  showHint() {
    if (this.hint) this.hint.hidden = this.train.x.length > 0 || this.overlays.length > 0;
  }

  /** Past runs to draw as thin lines over the current one: [{id, name, costs, style}]. */
  setOverlays(runs) {
    this.overlays = runs;
    this.drawOverlays();
    this.showHint();
  }

  /** Replace the past runs' traces (smoothed like the current run's curve). */
  drawOverlays() {
    const count = this.div.data.length - TRACES.length;
    if (count > 0) {
      window.Plotly.deleteTraces(
        this.div,
        Array.from({ length: count }, (_, k) => TRACES.length + k),
      );
    }
    if (this.overlays.length) {
      window.Plotly.addTraces(
        this.div,
        this.overlays.map((run) => overlay(run, this.weight)),
      );
    }
  }

  /** Costs of iterations first, first + 1, ... (a progress message's batch). */
  append(first, costs) {
    const xs = costs.map((_, k) => first + k);
    this.add(this.train, xs, costs, "train");
    this.schedule();
  }

  /** The test cost measured at `iteration`. */
  appendTest(iteration, cost) {
    this.add(this.test, [iteration], [cost], "test");
    this.schedule();
  }

  add(line, xs, ys, which) {
    const pending = this.pending[which];
    xs.forEach((x, k) => {
      const y = ys[k] === null ? null : Number(ys[k]);
      line.x.push(x);
      line.y.push(y);
      pending.x.push(x);
      pending.raw.push(y);
      pending.smooth.push(line.smoother.push(y));
    });
  }

  /** One extendTraces call for everything that arrived since the last draw. */
  flush() {
    const { train, test } = this.pending;
    this.pending = emptyPending();
    if (!train.x.length && !test.x.length) return;
    this.showHint();
    window.Plotly.extendTraces(
      this.div,
      { x: [train.x, train.x, test.x, test.x], y: [train.raw, train.smooth, test.raw, test.smooth] },
      TRACES,
    );
  }

  /** Redraw all four lines from the kept raw values (new run, new smoothing weight). */
  redraw() {
    const visibleRaw = this.weight > 0;
    const { train, test } = this;
    // Copies: Plotly keeps the arrays it is given, and extendTraces grows them later.
    window.Plotly.restyle(
      this.div,
      {
        x: [train.x.slice(), train.x.slice(), test.x.slice(), test.x.slice()],
        y: [train.y.slice(), smooth(train.y, this.weight), test.y.slice(), test.y.slice()],
        visible: [visibleRaw, true, false, true],
      },
      TRACES,
    );
  }

  /** Smoothing weight in [0, 1): 0 shows the raw costs. */
  setSmoothing(weight) {
    this.flush();
    this.weight = weight;
    this.train.smoother = new Smoother(weight);
    // Bring the running smoother up to date so later points continue the same curve.
    this.train.y.forEach((y) => this.train.smoother.push(y));
    this.redraw();
    if (this.overlays.length) this.drawOverlays();
  }

  /** Log or linear y axis. */
  setLog(on) {
    window.Plotly.relayout(this.div, { "yaxis.type": on ? "log" : "linear", "yaxis.autorange": true });
  }
}
