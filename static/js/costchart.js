// The cost chart: every iteration's train cost, the test cost where it is measured,
// log-y and TensorBoard-style smoothing. Plotly: newPlot once, extendTraces for new
// points (batched: at most ten calls a second), restyle when the smoothing changes.

import { FONT, INK, PLOT_CONFIG, throttledDraw } from "./chartstyle.js";
import { Smoother, smooth } from "./smoothing.js";

const TEST = "#6a4c93";
// Trace order: 0 train (raw), 1 train (smoothed), 2 test (raw), 3 test (smoothed).
const TRACES = [0, 1, 2, 3];

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

/** Points received but not drawn yet, per series: x, raw cost, smoothed cost. */
function emptyPending() {
  return { train: { x: [], raw: [], smooth: [] }, test: { x: [], raw: [], smooth: [] } };
}

function layout() {
  return {
    margin: { l: 64, r: 16, t: 8, b: 52 },
    font: FONT,
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "#ffffff",
    xaxis: { title: { text: "iteration" }, rangemode: "tozero", gridcolor: "#e3e6ea", zeroline: false },
    yaxis: { title: { text: "cost J" }, type: "linear", gridcolor: "#e3e6ea", exponentformat: "power" },
    // Top left: the mode bar appears top right on hover.
    legend: { orientation: "h", x: 0, xanchor: "left", y: 1, yanchor: "bottom" },
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
    this.schedule = throttledDraw(() => this.flush());
    this.clearData();
    const data = [
      series("train (raw)", INK, { raw: true, showlegend: false }),
      series("train", INK, { raw: false, showlegend: true }),
      series("test (raw)", TEST, { raw: true, dash: "dash", showlegend: false }),
      series("test", TEST, { raw: false, dash: "dash", showlegend: true }),
    ];
    window.Plotly.newPlot(div, data, layout(), PLOT_CONFIG);
  }

  clearData() {
    // Raw values are kept so that a new smoothing weight can recompute the smoothed lines.
    this.train = { x: [], y: [], smoother: new Smoother(this.weight) };
    this.test = { x: [], y: [], smoother: new Smoother(this.weight) };
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
    if (this.hint) this.hint.hidden = this.train.x.length > 0;
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
        y: [train.y.slice(), smooth(train.y, this.weight), test.y.slice(), smooth(test.y, this.weight)],
        visible: [visibleRaw, true, visibleRaw, true],
      },
      TRACES,
    );
  }

  /** Smoothing weight in [0, 1): 0 shows the raw costs. */
  setSmoothing(weight) {
    this.flush();
    this.weight = weight;
    this.train.smoother = new Smoother(weight);
    this.test.smoother = new Smoother(weight);
    // Bring the running smoothers up to date so later points continue the same curve.
    this.train.y.forEach((y) => this.train.smoother.push(y));
    this.test.y.forEach((y) => this.test.smoother.push(y));
    this.redraw();
  }

  /** Log or linear y axis. */
  setLog(on) {
    window.Plotly.relayout(this.div, { "yaxis.type": on ? "log" : "linear", "yaxis.autorange": true });
  }
}
