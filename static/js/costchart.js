// The cost chart: every iteration's cost, the test cost where it is measured, log-y,
// TensorBoard-style smoothing of the per-iteration costs, past runs' costs as thin lines
// to compare with, and a marker where the learning rate changed. A mini-batch run's
// per-iteration cost is one batch's: its main line is then the whole training set's cost
// (measured with each progress message) and the batch costs are a faint trace.
// Plotly: newPlot once, extendTraces for new points (batched: at most ten calls a
// second), restyle when the smoothing changes, past runs as traces after the run's four.
// The chart keeps every iteration's cost; a line of more than four points a pixel column
// is drawn decimated (each column's first, lowest, highest and last cost, so a spike never
// disappears), as one restyle, instead of 100,000 points a redraw.

import { FONT, INK, extent, plotConfig, throttledDraw } from "./chartstyle.js";
import { formatCount } from "./format.js";
import { Smoother, smooth } from "./smoothing.js";

const CONFIG = plotConfig("cost");

const TEST = "#6a4c93";
const BATCH = "#6b7480";
const MARKER = "#b35900";
// Trace order: 0 per-iteration cost (raw), 1 per-iteration cost (smoothed), 2 the whole
// training set's cost (mini-batch runs), 3 test, then one trace per past run. The whole-set
// and test costs are J on a whole set, measured now and then: no batch noise to smooth
// away, so they are drawn as measured (smoothing would only make them lag).
const TRACES = [0, 1, 2, 3];
// The y axis never spans less than this fraction of its top value (linear) or than this
// many decades (log): a cost that moves by 1e-9 is drawn flat, not as a steep drop.
const MIN_SPAN_FRACTION = 0.1;
const MIN_SPAN_FLOOR = 1e-3; // the same for a cost of 0
const MIN_DECADES = 0.2;
// A mini-batch run's batch costs may leave the plot: the axis follows the main lines.
const BATCH_HEADROOM = 0.15; // of the main lines' span, above their top
// A past run's line is drawn from at most this many points: more than the chart has pixels.
const MAX_OVERLAY_POINTS = 2000;
// Milliseconds between two draws at least, and the most of the main thread they may take:
// every draw is a whole Plotly redraw of the chart (10-50 ms, over 50 on a loaded 2-core
// machine, where each is a long task), and the boundary, drawn every frame, matters more
// while the run trains. A long run on a loaded machine thus redraws its cost about once a
// second, a quiet one about five times.
const DRAW_INTERVAL = 100;
const DRAW_SHARE = 0.08;
const MAX_LEGEND_NAME = 26;
const LEGEND_FONT_SIZE = 14;
const LEGEND_SYMBOL = 46; // px: the line sample before an entry's text, and a gap after it
const MARGIN = { l: 64, r: 16, t: 28, b: 52 }; // the y axis grows its margin for long tick labels
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

/**
 * A past run's line: thin, in its own colour and dash, named by its label in the legend;
 * a mini-batch run's is its whole training set's cost (`whole`), as measured.
 */
function overlay({ name, costs, whole, style }, weight) {
  const { x, y } = whole ? { x: wholeSetX(whole.iteration), y: whole.cost } : thinned(smooth(costs, weight));
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

/**
 * A line as drawn: every point while there are at most four a pixel column, else each
 * column's first, lowest, highest and last point in their order (so a spike never
 * disappears and the line ends at the latest cost), and a gap where a cost was null.
 * `x` ascends. Copies, always: Plotly keeps the arrays it is given.
 */
export function decimate(x, y, columns) {
  if (x.length <= 4 * columns) return { x: x.slice(), y: y.slice() };
  const x0 = x[0];
  const scale = columns / (x[x.length - 1] - x0 || 1);
  const out = { x: [], y: [] };
  let column = -1;
  let [first, lo, hi, gap] = [-1, -1, -1, -1];
  const emit = (last) => {
    const finite = [first, lo, hi, last].filter((k) => k >= 0 && k !== gap);
    const picks = [...new Set([...finite, gap].filter((k) => k >= 0))].sort((a, b) => a - b);
    for (const k of picks) {
      out.x.push(x[k]);
      out.y.push(k === gap ? null : y[k]);
    }
  };
  for (let k = 0; k < x.length; k += 1) {
    const c = Math.min(columns - 1, Math.floor((x[k] - x0) * scale));
    if (c !== column) {
      if (column >= 0) emit(k - 1);
      [column, first, lo, hi, gap] = [c, k, -1, -1, -1];
    }
    const v = y[k];
    if (v === null || !Number.isFinite(v)) gap = k;
    else {
      if (lo < 0 || v < y[lo]) lo = k;
      if (hi < 0 || v > y[hi]) hi = k;
    }
  }
  if (column >= 0) emit(x.length - 1);
  return out;
}

/** Points received but not drawn yet, per series: x, raw cost, smoothed cost. */
function emptyPending() {
  return {
    train: { x: [], raw: [], smooth: [] },
    whole: { x: [], raw: [], smooth: [] },
    test: { x: [], raw: [], smooth: [] },
  };
}

/** The x or y axis; `empty`: no costs to read yet, so no numbers (nor a made-up range). */
function axis(title, empty, extra = {}) {
  return {
    title: { text: title, standoff: 10 },
    gridcolor: "#e3e6ea",
    zeroline: false,
    automargin: true, // tick labels are never cut and never run into the title
    showticklabels: !empty,
    showgrid: !empty,
    ...extra,
  };
}

function layout() {
  return {
    margin: { ...MARGIN },
    font: FONT,
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "#ffffff",
    xaxis: axis("iteration", true, { rangemode: "tozero" }),
    yaxis: axis("cost J", true, { type: "linear", exponentformat: "power", autorangeoptions: {} }),
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
    showlegend: true,
    shapes: [],
    annotations: [],
  };
}

/** Set `object`'s value at a dotted path ("line.color"), copying the objects on the way. */
function setPath(object, path, value) {
  const keys = path.split(".");
  let node = object;
  for (const key of keys.slice(0, -1)) {
    node[key] = { ...node[key] };
    node = node[key];
  }
  node[keys[keys.length - 1]] = value;
}

/** The names and looks of the run's four traces: a full-batch run's, or a mini-batch run's. */
function runStyle(miniBatch) {
  return miniBatch
    ? {
        name: ["batch cost (raw)", "batch cost", "train", "test"],
        showlegend: [false, true, true, true],
        opacity: [0.15, 0.35, 1, 1],
        "line.color": [BATCH, BATCH, INK, TEST],
        "line.width": [1, 1, 2.5, 2.5],
      }
    : {
        name: ["train (raw)", "train", "train (whole set)", "test"],
        showlegend: [false, true, false, true],
        opacity: [0.3, 1, 1, 1],
        "line.color": [INK, INK, INK, TEST],
        "line.width": [1.5, 2.5, 2.5, 2.5],
      };
}

/** A vertical marker with the new α at each iteration where the learning rate changed. */
function rateMarkers(rates) {
  const changes = rates.slice(1);
  return {
    shapes: changes.map(([iteration]) => ({
      type: "line",
      xref: "x",
      yref: "paper",
      x0: iteration,
      x1: iteration,
      y0: 0,
      y1: 1,
      line: { color: MARKER, width: 1.5, dash: "dot" },
    })),
    annotations: changes.map(([iteration, alpha]) => ({
      xref: "x",
      yref: "paper",
      x: iteration,
      y: 1,
      xanchor: "left",
      yanchor: "top",
      showarrow: false,
      text: `α ${alpha}`,
      hovertext: `α = ${alpha} from iteration ${formatCount(iteration)}`,
      font: { color: MARKER, size: 13 },
      bgcolor: "rgba(255,255,255,0.85)",
    })),
  };
}

/** The smallest and largest of several [lo, hi] ranges (null ones left out), or null. */
function union(...ranges) {
  const known = ranges.filter(Boolean);
  if (!known.length) return null;
  return [Math.min(...known.map((r) => r[0])), Math.max(...known.map((r) => r[1]))];
}

/**
 * The y axis for costs from lo to hi: {autorangeoptions} for a linear axis (its span
 * widened to the minimum around the costs' middle and, in a mini-batch run, a ceiling a
 * little above the main lines), or for a narrow log axis its {range} (log10 units: plotly
 * 4.1 ignores autorange options on log axes), else {} (plain autorange).
 */
export function yAxisFor([lo, hi], { log = false, ceiling = false } = {}) {
  if (log) {
    const low = lo > 0 ? lo : hi;
    if (hi <= 0 || Math.log10(hi / low) >= MIN_DECADES) return {};
    const mid = Math.log10(low * hi) / 2;
    return { range: [mid - MIN_DECADES / 2, mid + MIN_DECADES / 2] };
  }
  const options = {};
  const span = Math.max(MIN_SPAN_FRACTION * Math.abs(hi), MIN_SPAN_FLOOR);
  let [bottom, top] = [lo, hi];
  if (hi - lo < span) {
    // Costs are never negative: the widened span stops at 0.
    bottom = lo >= 0 ? Math.max(0, (lo + hi - span) / 2) : (lo + hi - span) / 2;
    top = bottom + span;
    options.include = [bottom, top];
  }
  if (ceiling) options.clipmax = top + BATCH_HEADROOM * (top - bottom);
  return { autorangeoptions: options };
}

export class CostChart {
  /** Draws into `div`; `hint` (optional) is shown while the chart has no costs. */
  constructor(div, hint = null) {
    this.div = div;
    div.view = this; // for the tests and the benchmark: the costs kept, not only those drawn
    this.hint = hint;
    this.weight = 0;
    this.pending = null;
    this.miniBatch = false;
    this.log = false;
    this.empty = true;
    this.decimated = false; // the run's lines are drawn decimated (they are long)
    this.pendingReset = null; // a new run's history, drawn whole on the next frame
    this.rangeKey = "";
    this.rates = [];
    this.overlays = []; // past runs drawn over the chart: [{id, name, costs, style}]
    this.overlayRange = null; // [lo, hi] of their costs
    this.legendKey = ""; // the legend fitted last: its width and names
    this.schedule = throttledDraw(() => this.flush(), DRAW_INTERVAL, DRAW_SHARE);
    this.clearData();
    // Nothing is drawn before the first redraw (the page's empty state, or a shared link's
    // snapshot): it draws the whole chart at once, where an empty plot would be drawn twice.
    this.plotted = false;
  }

  /**
   * Plotly.update of the run's four traces (`data` and `changes` in its dotted form), or
   * the first time, the whole chart drawn with them, with what was set before it.
   */
  update(data, changes) {
    if (this.plotted) {
      window.Plotly.update(this.div, data, changes, TRACES);
      return;
    }
    this.plotted = true;
    const traces = [
      series("train (raw)", INK, { raw: true, showlegend: false }),
      series("train", INK, { raw: false, showlegend: true }),
      series("train (whole set)", INK, { raw: false, showlegend: false }),
      series("test", TEST, { raw: false, dash: "dash", showlegend: true }),
    ];
    for (const [key, values] of Object.entries(data)) traces.forEach((trace, k) => setPath(trace, key, values[k]));
    const full = { ...layout(), ...rateMarkers(this.rates) };
    setPath(full, "yaxis.type", this.log ? "log" : "linear");
    for (const [key, value] of Object.entries(changes)) setPath(full, key, value);
    const overlays = this.overlays.map((run) => overlay(run, this.weight));
    window.Plotly.newPlot(this.div, [...traces, ...overlays], full, CONFIG);
    // Past runs' names wrap the legend onto more rows: the chart grows so its plot does not shrink.
    this.div.on("plotly_afterplot", () => this.fitLegend());
    this.fitLegend();
  }

  /**
   * Fit the legend: two entries a row while the longest name fits in half the plot's
   * width (else one), and the chart taller by the legend's rows beyond the first.
   */
  fitLegend() {
    // Only when the legend's names or the chart's width changed: measuring text forces a
    // layout, and the chart is drawn ten times a second.
    const full = this.div._fullLayout;
    const names = this.div.data.map((trace) => (trace.showlegend === false ? "" : trace.name));
    const key = JSON.stringify([full ? full.width : 0, names]);
    if (key === this.legendKey) return;
    const texts = [...this.div.querySelectorAll("g.legend text.legendtext")];
    const widest = Math.max(0, ...texts.map((text) => text.getComputedTextLength())) + LEGEND_SYMBOL;
    const plotWidth = this.div.clientWidth - MARGIN.l - MARGIN.r;
    const fraction = widest <= 0.5 * plotWidth ? 0.5 : 1;
    if (this.div.layout.legend.entrywidth !== fraction) {
      window.Plotly.relayout(this.div, { "legend.entrywidth": fraction }); // draws again, then fits
      return;
    }
    this.legendKey = key;
    const legend = this.div.querySelector("g.legend");
    const extra = legend ? Math.max(0, legend.getBoundingClientRect().height - LEGEND_ROW) : 0;
    if (!this.div.style.height) this.baseHeight = this.div.getBoundingClientRect().height;
    const base = this.baseHeight;
    const height = extra > 2 ? `${Math.round(base + extra)}px` : "";
    if (this.div.style.height === height) return;
    this.div.style.height = height;
    this.legendKey = ""; // a new height is a new width's worth of drawing: fit once more
    window.Plotly.Plots.resize(this.div);
  }

  clearData() {
    // Raw values are kept so that a new smoothing weight can recompute the smoothed lines.
    // s: the smoothed costs (the train line's; the others are drawn as measured).
    // range: [lo, hi] of the finite costs, kept as they come (the axes follow it).
    this.train = { x: [], y: [], s: [], range: null, smoother: new Smoother(this.weight) };
    this.whole = { x: [], y: [], s: [], range: null, smoother: new Smoother(0) };
    this.test = { x: [], y: [], s: [], range: null, smoother: new Smoother(0) };
    this.pending = emptyPending();
    this.decimated = false;
  }

  /**
   * Start over from a snapshot's history ({iteration, cost, test_iteration, test_cost,
   * train_iteration, train_cost}), or empty (null). `miniBatch`: the run's per-iteration
   * costs are one batch's, and train_cost, the whole training set's, is its main line.
   */
  reset(history, { miniBatch = false } = {}) {
    this.clearData();
    const h = history || {};
    this.miniBatch = miniBatch;
    this.add(this.train, h.iteration || [], h.cost || []);
    this.add(this.test, wholeSetX(h.test_iteration || []), h.test_cost || []);
    if (miniBatch) this.add(this.whole, wholeSetX(h.train_iteration || []), h.train_cost || []);
    this.pending = emptyPending(); // redraw() draws the whole history at once
    // A new run is read from scratch: the previous run's zoom goes with it. One Plotly
    // call for the run's looks, lines, axes and rate markers, on the next frame (with the
    // boundary's first picture, which is not kept waiting behind the history).
    this.rangeKey = "";
    this.pendingReset = { style: runStyle(miniBatch), layout: { "xaxis.autorange": true, "yaxis.autorange": true } };
    this.schedule();
    this.showHint();
  }

  showHint() {
    if (this.hint) this.hint.hidden = this.train.x.length > 0 || this.overlays.length > 0;
  }

  /** Past runs to draw as thin lines over the current one: [{id, name, costs, style}]. */
  setOverlays(runs) {
    this.overlays = runs;
    this.overlayRange = extent(...runs.map((run) => (run.whole ? run.whole.cost : run.costs)));
    this.drawOverlays();
    this.showHint();
    this.fitAxes();
  }

  /** Replace the past runs' traces (smoothed like the current run's curve). */
  drawOverlays() {
    if (!this.plotted) return; // the first draw brings them
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

  /** The test cost measured after iteration `iteration`. */
  appendTest(iteration, cost) {
    this.add(this.test, wholeSetX([iteration]), [cost], "test");
    this.schedule();
  }

  /** The whole training set's cost after iteration `iteration` (mini-batch runs). */
  appendWhole(iteration, cost) {
    if (!this.miniBatch) return;
    this.add(this.whole, wholeSetX([iteration]), [cost], "whole");
    this.schedule();
  }

  /** Where the learning rate changed: [[first_iteration, α], ...], the first at iteration 0. */
  setRates(rates) {
    const key = JSON.stringify(rates);
    if (key === JSON.stringify(this.rates)) return;
    this.rates = rates.map((pair) => [...pair]);
    if (this.pendingReset) Object.assign(this.pendingReset.layout, rateMarkers(this.rates));
    else if (this.plotted) window.Plotly.relayout(this.div, rateMarkers(this.rates));
  }

  /** Keep the points (xs, ys) of `line`; with `which`, they also wait in that pending
   * batch for the next draw (a reset draws the whole history, so it needs none). A plain
   * loop: a long run's snapshot brings 100,000 points at once. */
  add(line, xs, ys, which = null) {
    const pending = which === null ? null : this.pending[which];
    const { x: lineX, y: lineY, s: lineS, smoother } = line;
    for (let k = 0; k < xs.length; k += 1) {
      const x = xs[k];
      const y = ys[k] === null || ys[k] === undefined ? null : Number(ys[k]);
      const smoothed = smoother.push(y);
      lineX.push(x);
      lineY.push(y);
      lineS.push(smoothed);
      if (y !== null && Number.isFinite(y)) {
        if (!line.range) line.range = [y, y];
        else if (y < line.range[0]) line.range[0] = y;
        else if (y > line.range[1]) line.range[1] = y;
      }
      if (pending) {
        pending.x.push(x);
        pending.raw.push(y);
        pending.smooth.push(smoothed);
      }
    }
  }

  /** Whether every cost kept is drawn (none waits for the next draw). */
  drawnAll() {
    const { train, whole, test } = this.pending;
    return !this.pendingReset && !train.x.length && !whole.x.length && !test.x.length;
  }

  /** The plot's width in pixels: as many columns as a decimated line keeps. */
  columns() {
    const size = this.div._fullLayout && this.div._fullLayout._size;
    return Math.max(100, Math.round(size ? size.w : this.div.clientWidth));
  }

  /** One extendTraces call for everything that arrived since the last draw. */
  flush() {
    if (this.pendingReset) {
      const { style, layout } = this.pendingReset;
      this.pendingReset = null;
      this.pending = emptyPending();
      this.rangeKey = ""; // the axes fitted again, after the autorange the reset asks for
      this.redraw(style, layout);
      return;
    }
    const { train, whole, test } = this.pending;
    this.pending = emptyPending();
    if (!train.x.length && !whole.x.length && !test.x.length) return;
    this.showHint();
    if (!this.plotted || this.decimated || this.train.x.length > 4 * this.columns()) {
      this.redraw(); // a long line: drawn anew from its decimation
      return;
    }
    window.Plotly.extendTraces(
      this.div,
      { x: [train.x, train.x, whole.x, test.x], y: [train.raw, train.smooth, whole.raw, test.raw] },
      TRACES,
    );
    this.fitAxes();
  }

  /**
   * Redraw all four lines from the kept values (new run, new smoothing weight, a long
   * line's new decimation), with the axes fitted to them, in one Plotly call; `style` and
   * `layout` are more changes for the same call.
   */
  redraw(style = {}, layout = {}) {
    const visibleRaw = this.weight > 0;
    const { train, whole, test } = this;
    const columns = this.columns();
    this.decimated = train.x.length > 4 * columns;
    const lines = [
      [train.x, train.y],
      [train.x, train.s],
      [whole.x, whole.y],
      [test.x, test.y],
    ].map(([x, y]) => decimate(x, y, columns));
    const data = {
      ...style,
      x: lines.map((line) => line.x),
      y: lines.map((line) => line.y),
      visible: [visibleRaw, true, this.miniBatch, true],
    };
    this.update(data, { ...layout, ...this.axesUpdate() });
  }

  /**
   * Keep the axes honest: no numbers while there is nothing to read, and a y span never
   * below the minimum (a flat cost stays flat). A mini-batch run's axis follows the whole
   * set's cost, the test cost and the past runs; its batch costs may leave the plot.
   */
  fitAxes() {
    if (!this.plotted) return; // the first draw fits them
    const update = this.axesUpdate();
    if (update) window.Plotly.relayout(this.div, update);
  }

  /** The layout changes fitAxes makes, or null when the axes already fit. */
  axesUpdate() {
    const empty = this.train.x.length === 0 && this.overlays.length === 0;
    const main = this.miniBatch ? this.whole.range : this.train.range;
    const range = union(main, this.test.range, this.overlayRange);
    const y = range ? yAxisFor(range, { log: this.log, ceiling: this.miniBatch }) : {};
    const key = JSON.stringify([empty, this.log, y]);
    if (key === this.rangeKey) return null;
    this.rangeKey = key;
    this.empty = empty;
    const update = { "yaxis.autorangeoptions": y.autorangeoptions || {} };
    if (y.range) Object.assign(update, { "yaxis.autorange": false, "yaxis.range": y.range });
    else if (this.log) update["yaxis.autorange"] = true;
    for (const name of ["xaxis", "yaxis"]) {
      update[`${name}.showticklabels`] = !empty;
      update[`${name}.showgrid`] = !empty;
    }
    return update;
  }

  /** Smoothing weight in [0, 1): 0 shows the raw costs. */
  setSmoothing(weight) {
    // Before Plotly has run, what waits is drawn with the new weight when it has.
    const drawing = Boolean(window.Plotly);
    if (drawing) this.flush();
    this.weight = weight;
    this.train.smoother = new Smoother(weight);
    // Bring the running smoother up to date so later points continue the same curve.
    this.train.s = this.train.y.map((y) => this.train.smoother.push(y));
    // No costs yet (the page starting): nothing to redraw, and the first draw shows the weight.
    if (this.train.x.length && drawing) this.redraw();
    if (this.overlays.length) this.drawOverlays();
  }

  /** Log or linear y axis. */
  setLog(on) {
    this.log = on;
    if (!this.plotted) return; // the first draw takes the axis type
    window.Plotly.relayout(this.div, { "yaxis.type": on ? "log" : "linear", "yaxis.autorange": true });
    this.fitAxes();
  }
}

/**
 * Where a whole-set cost (train or test) is drawn: measured after iteration k's update,
 * it is a cost of iteration k + 1 (docs/api.md, Python: iteration i's cost comes before update i).
 */
function wholeSetX(iterations) {
  return iterations.map((k) => k + 1);
}
