// The decision boundary: P(y=1) over the input plane as a picture, the training points
// on it (test points as diamonds with a dark edge, toggled). The points and axes are a
// Plotly plot drawn once per point set; the boundary is a layout image under them whose
// source alone changes, once per animation frame at most, the latest boundary winning.
// Drawing only the picture keeps a redraw near a millisecond where re-rendering the whole
// plot took tens. Zoom, pan and the PNG download keep working: the image is Plotly's own.
// The picture may instead be the output in two colours (discretized), or, while a unit
// of the network is hovered, that unit's output over the plane.

import { FONT, INK, plotConfig, throttledDraw } from "./chartstyle.js";
import { probabilityAt } from "./decode.js";
import { boundaryImage, discreteImage } from "./neurons.js";
import { BLUE, CLASS_COLOURS, ORANGE, scaleColour } from "./palette.js";
import { paintSketch } from "./sketch.js";

const CONFIG = plotConfig("boundary");
// Lighter than the points, so a point on the wrong side stands out.
const OPACITY = 0.6;
// The plot's margins (px): the mode bar and the readout sit above it, not over the picture.
const MARGIN = { l: 52, r: 8, t: 28, b: 52 };
const BACKGROUND = "#f4f5f6";

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

/**
 * Two invisible corners of the boundary's plane, so that the axes' autorange covers the
 * whole picture (a layout image does not count in it).
 */
function corners() {
  return {
    type: "scatter",
    mode: "markers",
    x: [],
    y: [],
    marker: { opacity: 0 },
    hoverinfo: "skip",
    showlegend: false,
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

/**
 * A multi-class or regression point set as one trace's {x, y, color}: each point in its
 * class's colour, or its value's on the diverging scale (largest |y| of `scale` at the ends).
 */
function colouredPoints(set, problem, scale) {
  if (!set) return { x: [], y: [], color: [] };
  const colour =
    problem === "regression"
      ? (y) => scaleColour((Number(y) + scale) / (2 * scale))
      : (y) => CLASS_COLOURS[Number(y) % CLASS_COLOURS.length];
  return { x: [...set.x1], y: [...set.x2], color: set.y.map(colour) };
}

/** The largest |y| of a dataset's points (1 if none): a regression's colour scale. */
function valueScale(dataset) {
  const values = [...((dataset && dataset.train && dataset.train.y) || []), ...((dataset && dataset.test && dataset.test.y) || [])];
  return Math.max(...values.map((y) => Math.abs(Number(y))), 0) || 1;
}

/**
 * Where a boundary's picture lies: grid point j is the centre of pixel j, so the picture
 * reaches half a cell beyond the outermost grid points (as a heatmap's cells do).
 */
function placement({ x_min, x_max, y_min, y_max, resolution }) {
  const half = (hi, lo) => (resolution > 1 ? (hi - lo) / (resolution - 1) / 2 : 0.5);
  const dx = half(x_max, x_min);
  const dy = half(y_max, y_min);
  return { x: x_min - dx, y: y_max + dy, sizex: x_max - x_min + 2 * dx, sizey: y_max - y_min + 2 * dy };
}

// What the picture shows, for each problem (the plot's heading says it).
const SHOWS = { binary: "P(y=1)", multiclass: "the most likely class, shaded by its P", regression: "the predicted value ŷ" };

/** The heading and the class legend for a point set's problem (K classes: a swatch each). */
function describeProblem(dataset) {
  const problem = (dataset && dataset.problem) || "binary";
  const what = document.querySelector('[data-testid="boundary-what"]');
  if (what) what.textContent = SHOWS[problem];
  const legend = document.querySelector('[data-testid="class-legend"]');
  if (!legend) return;
  const labels = problem === "multiclass" ? [...(dataset.train.y || []), ...((dataset.test && dataset.test.y) || [])] : [];
  const K = labels.length ? Math.max(...labels) + 1 : 0;
  legend.replaceChildren(
    ...Array.from({ length: K }, (_, k) => {
      const item = document.createElement("li");
      item.innerHTML = `<span class="swatch" style="background:${CLASS_COLOURS[k % CLASS_COLOURS.length]}"></span> class ${k}`;
      return item;
    }),
  );
  legend.hidden = K === 0;
}

export class BoundaryPlot {
  /** Draws into `div`; `readout` (optional) shows P(y=1) under the pointer. */
  constructor(div, readout = null) {
    this.div = div;
    this.readout = readout;
    div.view = this; // for the tests and the benchmark: what is drawn, and how often
    this.drawn = 0; // boundaries drawn so far
    this.shown = null; // the boundary message drawn last
    this.boundary = null; // the latest boundary message, drawn on the next frame
    this.bytes = null; // the drawn boundary's bytes, for the hover readout
    this.place = ""; // the drawn picture's placement, as a key
    // The points or the plane changed: the next frame draws a new plot. Nothing is drawn
    // before the first points (the page's empty state, or a shared link's snapshot): an
    // empty plot drawn first would only be drawn again.
    this.stale = true;
    this.run = "none";
    this.showTest = true;
    this.discrete = false; // the output in two colours: P(y=1) >= 0.5 or not
    this.unit = null; // {source, label} of a hovered unit, shown instead of the output
    this.traces = [
      points("train, y = 0", ORANGE, { test: false }),
      points("train, y = 1", BLUE, { test: false }),
      points("test, y = 0", ORANGE, { test: true }),
      points("test, y = 1", BLUE, { test: true }),
      corners(),
    ];
    this.images = [];
    this.sketched = null; // the canvas sketch() paints, until the first plot
    this.plotted = false; // a Plotly plot is drawn
    this.sketching = 0; // the frame that paints the sketch, while Plotly has not run
    const plot = throttledDraw(() => this.drawBoundary()); // waits for Plotly
    this.draw = () => {
      if (!window.Plotly && !this.sketching) this.sketching = requestAnimationFrame(() => this.sketch());
      plot();
    };
    div.addEventListener("mousemove", (event) => this.hover(event));
    div.addEventListener("mouseleave", () => this.say(""));
  }

  /** [x1, x2] of the plane under a pointer event, or null before the plot is laid out. */
  planeAt(event) {
    const full = this.div._fullLayout;
    if (!full) return null;
    const box = this.div.getBoundingClientRect();
    return [
      full.xaxis.p2l(event.clientX - box.left - full.xaxis._offset),
      full.yaxis.p2l(event.clientY - box.top - full.yaxis._offset),
    ];
  }

  /** The readout: P(y=1) at the pointer, read from the picture drawn. */
  hover(event) {
    const at = this.planeAt(event);
    if (!at || !this.readout) return;
    const [x1, x2] = at;
    if (this.unit) {
      this.say(`${this.unit.label} over the plane`);
      return;
    }
    const p = this.probability(x1, x2);
    this.say(p === null ? "" : `x1 ${x1.toFixed(2)}, x2 ${x2.toFixed(2)}: ${this.describe(p, x1, x2)}`);
  }

  /** What the output is at a point, read as its problem reads it. */
  describe(p, x1, x2) {
    const shown = this.shown;
    if (shown.classes) {
      const confidence = probabilityAt(shown, boundaryImage(shown).confidence, x1, x2);
      return `class ${Math.round(p * 255)}, P ${confidence.toFixed(2)}`;
    }
    if (shown.value_max !== undefined) {
      return `ŷ ${(shown.value_min + p * (shown.value_max - shown.value_min)).toFixed(3)}`;
    }
    return `P(y=1) ${p.toFixed(2)}`;
  }

  say(text) {
    if (this.readout && this.readout.textContent !== text) this.readout.textContent = text;
  }

  layout() {
    return {
      margin: MARGIN,
      font: FONT,
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: BACKGROUND,
      xaxis: { title: { text: "x1" }, zeroline: false, showgrid: false, constrain: "domain" },
      yaxis: {
        title: { text: "x2" },
        zeroline: false,
        showgrid: false,
        scaleanchor: "x", // one unit of x2 as long as one of x1
        constrain: "domain",
      },
      showlegend: false,
      images: this.images,
      uirevision: this.run,
    };
  }

  /** Points, axes and the picture's place: a whole new plot (a new point set, a new plane). */
  replot() {
    // Plotly.react to new points can keep an autorange around the old centre: newPlot.
    window.Plotly.newPlot(this.div, this.traces, this.layout(), CONFIG);
    this.plotted = true;
    if (this.sketched) this.sketched.remove();
    this.sketched = null;
  }

  /**
   * Before Plotly has run (half a second on a small machine): the points and the latest
   * boundary painted on a canvas where the plot will put them; the first plot replaces it.
   */
  sketch() {
    this.sketching = 0;
    if (window.Plotly) return;
    const canvas = this.sketched || document.createElement("canvas");
    const boundary = this.boundary || this.shown;
    const painted = paintSketch(canvas, this.div, {
      traces: this.traces.slice(0, 4),
      boundary,
      place: boundary && placement(boundary),
      style: { margin: MARGIN, opacity: OPACITY, background: BACKGROUND },
    });
    if (!painted || this.sketched) return;
    canvas.className = "boundary-sketch";
    canvas.dataset.testid = "boundary-sketch";
    this.div.after(canvas);
    this.sketched = canvas;
  }

  /**
   * Draw what changed since the last frame: a new point set or plane is a whole new plot
   * (with the latest boundary in it); a new boundary alone changes only the picture's source.
   */
  drawBoundary() {
    const boundary = this.boundary;
    this.boundary = null;
    if (boundary) {
      const { bytes } = boundaryImage(boundary);
      const place = placement(boundary);
      const key = JSON.stringify(place);
      if (key !== this.place) {
        this.place = key;
        this.images = [{ source: null, xref: "x", yref: "y", ...place, sizing: "stretch", layer: "below", opacity: OPACITY }];
        const corner = this.traces[4];
        corner.x = [place.x, place.x + place.sizex];
        corner.y = [place.y - place.sizey, place.y];
        this.stale = true;
      }
      this.bytes = bytes;
      this.shown = boundary;
      this.drawn += 1;
      this.showPicture();
    }
    if (this.stale && this.sketched && !this.sketched.waited) {
      // Its picture shows already: the plot waits a frame, so that the cost chart drawn
      // in this one is painted the sooner.
      this.sketched.waited = true;
      this.draw();
    } else if (this.stale) {
      this.stale = false;
      this.replot();
    }
  }

  /** The picture for the boundary drawn: a hovered unit's, the output's in two colours, or the output's. */
  picture() {
    if (this.unit) return this.unit.source;
    return this.discrete ? discreteImage(this.shown) : boundaryImage(this.shown).source;
  }

  /** Put the picture for the boundary drawn in place (the whole plot, when it is redrawn anyway). */
  showPicture() {
    if (!this.shown || !this.images.length) return;
    const source = this.picture();
    if (this.images[0].source === source) return;
    this.images[0].source = source;
    if (!this.stale) window.Plotly.relayout(this.div, { "images[0].source": source });
  }

  /** Show the output in two colours (true) or shaded by P(y=1). */
  setDiscrete(on) {
    this.discrete = on;
    this.showPicture();
  }

  /** Show a unit's picture ({source, label}) instead of the output; null shows the output again. */
  showUnit(unit) {
    this.unit = unit;
    this.showPicture();
    this.say(unit ? `${unit.label} over the plane` : "");
  }

  /** The run's points ({train: {x1, x2, y}, test: {...}}) under a fresh, empty boundary. */
  setData(dataset, runId) {
    this.run = runId || "none";
    const problem = (dataset && dataset.problem) || "binary";
    describeProblem(dataset);
    if (problem === "binary") {
      const [train0, train1] = byClass(dataset && dataset.train);
      const [test0, test1] = byClass(dataset && dataset.test);
      [train0, train1, test0, test1].forEach(([x, y], k) => {
        const colour = k % 2 ? BLUE : ORANGE;
        this.traces[k] = { ...this.traces[k], x, y, marker: { ...this.traces[k].marker, color: colour } };
      });
    } else {
      // Every class (or value) of a set in one trace, each point in its own colour.
      const scale = valueScale(dataset);
      for (const [k, set] of [
        [0, dataset.train],
        [2, dataset.test],
      ]) {
        const { x, y, color } = colouredPoints(set, problem, scale);
        this.traces[k] = { ...this.traces[k], x, y, marker: { ...this.traces[k].marker, color } };
        this.traces[k + 1] = { ...this.traces[k + 1], x: [], y: [] };
      }
    }
    this.traces[4] = corners();
    this.images = [];
    this.place = "";
    this.boundary = null;
    this.shown = null;
    this.bytes = null;
    this.applyTestVisibility();
    this.stale = true; // drawn on the next frame, with the run's first boundary if it has come
    // No points and no plot yet (a page before its data has come): an empty plot drawn now
    // would only be drawn again.
    if (dataset || this.plotted) this.draw();
  }

  /** A new boundary message (docs/api.md, The websocket); null keeps the plot as it is. */
  setBoundary(boundary) {
    if (!boundary) return;
    this.boundary = boundary;
    this.draw();
  }

  /** P(y=1) at (x1, x2) as drawn, or null outside the picture (for the hover readout). */
  probability(x1, x2) {
    return this.shown ? probabilityAt(this.shown, this.bytes, x1, x2) : null;
  }

  /** Show or hide the test points. */
  setShowTest(show) {
    this.showTest = show;
    this.applyTestVisibility();
    if (!this.stale) window.Plotly.restyle(this.div, { visible: this.showTest }, [2, 3]);
    else if (this.sketched) this.draw(); // the sketch painted again
  }

  applyTestVisibility() {
    for (const k of [2, 3]) this.traces[k] = { ...this.traces[k], visible: this.showTest };
  }
}
