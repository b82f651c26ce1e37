// The decision boundary: P(y=1) over the input plane as a heatmap, the training points
// on it (test points as diamonds with a dark edge, toggled). Plotly.react with
// datarevision for each new boundary, uirevision to keep the viewer's zoom within a run;
// at most ten redraws a second, the latest boundary winning.

import { FONT, INK, plotConfig, throttledDraw } from "./chartstyle.js";
import { boundaryGrid } from "./decode.js";
import { BLUE, COLORSCALE, ORANGE } from "./palette.js";

const CONFIG = plotConfig("boundary");

function points(name, color, { test }) {
  return {
    type: "scatter",
    mode: "markers",
    name,
    x: [],
    y: [],
    visible: true,
    marker: {
      color,
      size: test ? 8 : 7,
      symbol: test ? "diamond" : "circle",
      line: { color: test ? INK : "#ffffff", width: 1 },
    },
    hovertemplate: `${name}<br>x1 %{x:.3f}<br>x2 %{y:.3f}<extra></extra>`,
  };
}

/** Split a {x1, x2, y} point set by class: [[x, y] of class 0, [x, y] of class 1]. */
function byClass(set) {
  const out = [
    [[], []],
    [[], []],
  ];
  if (!set) return out;
  set.y.forEach((label, i) => {
    const k = Number(label) === 1 ? 1 : 0;
    out[k][0].push(set.x1[i]);
    out[k][1].push(set.x2[i]);
  });
  return out;
}

export class BoundaryPlot {
  constructor(div) {
    this.div = div;
    this.revision = 0;
    this.boundary = null; // the latest boundary message, decoded when it is drawn
    this.draw = throttledDraw(() => {
      if (this.boundary) {
        const { x, y, z } = boundaryGrid(this.boundary);
        this.heatmap = { ...this.heatmap, x, y, z };
        this.boundary = null;
      }
      this.revision += 1;
      // Plotly.react to new points (or from points alone to points on a heatmap) can keep
      // an autorange around the old centre; a new plot for those changes gets it right.
      const shown = `${this.points}:${this.heatmap.z.length > 0}`;
      const draw = shown === this.shown ? window.Plotly.react : window.Plotly.newPlot;
      this.shown = shown;
      draw(this.div, this.data(), this.layout(), CONFIG);
    });
    this.points = 0; // counts the point sets shown (setData)
    this.shown = "0:false";
    this.run = "none";
    this.showTest = true;
    this.heatmap = {
      type: "heatmap",
      x: [],
      y: [],
      z: [],
      zmin: 0,
      zmax: 1,
      colorscale: COLORSCALE,
      showscale: false,
      zsmooth: "best",
      // Lighter than the points, so a point on the wrong side stands out.
      opacity: 0.6,
      hovertemplate: "x1 %{x:.2f}<br>x2 %{y:.2f}<br>P(y=1) %{z:.2f}<extra></extra>",
    };
    this.traces = [
      points("train, y = 0", ORANGE, { test: false }),
      points("train, y = 1", BLUE, { test: false }),
      points("test, y = 0", ORANGE, { test: true }),
      points("test, y = 1", BLUE, { test: true }),
    ];
    window.Plotly.newPlot(div, this.data(), this.layout(), CONFIG);
  }

  data() {
    return [this.heatmap, ...this.traces];
  }

  layout() {
    return {
      margin: { l: 52, r: 8, t: 8, b: 52 },
      font: FONT,
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "#f4f5f6",
      xaxis: { title: { text: "x1" }, zeroline: false, showgrid: false, constrain: "domain" },
      yaxis: {
        title: { text: "x2" },
        zeroline: false,
        showgrid: false,
        scaleanchor: "x", // one unit of x2 as long as one of x1
        constrain: "domain",
      },
      showlegend: false,
      datarevision: this.revision,
      uirevision: this.run,
    };
  }

  /** The run's points ({train: {x1, x2, y}, test: {...}}) under a fresh, empty boundary. */
  setData(dataset, runId) {
    this.run = runId || "none";
    this.points += 1;
    const [train0, train1] = byClass(dataset && dataset.train);
    const [test0, test1] = byClass(dataset && dataset.test);
    [train0, train1, test0, test1].forEach(([x, y], k) => {
      this.traces[k] = { ...this.traces[k], x, y };
    });
    this.heatmap = { ...this.heatmap, x: [], y: [], z: [] };
    this.boundary = null;
    this.applyTestVisibility();
    this.draw();
  }

  /** A new boundary message (Contract 4); null keeps the plot as it is. */
  setBoundary(boundary) {
    if (!boundary) return;
    this.boundary = boundary;
    this.draw();
  }

  /** Show or hide the test points. */
  setShowTest(show) {
    this.showTest = show;
    this.applyTestVisibility();
    this.draw();
  }

  applyTestVisibility() {
    for (const k of [2, 3]) this.traces[k] = { ...this.traces[k], visible: this.showTest };
  }
}
