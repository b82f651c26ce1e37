// The view of several runs side by side: an experiment's (one setting varied over a list of
// values) or any runs picked to compare. Each run has a boundary tile in the grid, a cost
// line on one chart, and a row in the table; the tiles and lines follow the runs' sockets,
// the table the REST answers, so it reads exactly as the API does.

import { FONT, OVERLAY_STYLES, plotConfig, throttledDraw } from "./chartstyle.js";
import { decimate } from "./costchart.js";
import { formatCost, formatCount, formatScore, iterationsDone } from "./format.js";
import { BoundaryTile } from "./tiles.js";

const DRAW_MS = 250; // the cost chart is drawn at most this often: several runs stream into it
const IGNORED = new Set(["learner", "start_paused", "grid"]); // fields that do not tell runs apart

/** How a value of the varied field reads as a tile's title: "n_h = 4", "learning_rate = 0.5". */
export function valueTitle(vary, value) {
  if (vary === "hidden_layers") {
    if (value.length === 0) return "no hidden layer";
    return value.length === 1 ? `n_h = ${value[0]}` : `layers [${value.join(", ")}]`;
  }
  if (value === null) return `${vary} = ${vary === "batch_size" ? "full" : "max"}`;
  return `${vary} = ${Array.isArray(value) ? value.join(", ") : value}`;
}

/** Whether every config has the same value of `key`. */
function alike(configs, key) {
  return new Set(configs.map((config) => JSON.stringify(config[key]))).size === 1;
}

/** Titles for runs compared: the fields in which their configs differ ("run 2" if none). */
export function compareTitles(configs) {
  const keys = Object.keys(configs[0] || {}).filter(
    (key) => !IGNORED.has(key) && !alike(configs, key),
  );
  return configs.map((config, i) =>
    keys.length ? keys.map((key) => valueTitle(key, config[key])).join(", ") : `run ${i + 1}`,
  );
}

// What the heading says the runs share, in this order, each only if every run has it alike.
const SHARED = [
  ["dataset", (c) => c.dataset],
  ["hidden_layers", (c) => `[${c.hidden_layers.join(", ")}]`],
  ["activation", (c) => c.activation],
  ["learning_rate", (c) => `α ${c.learning_rate}`],
  ["iterations", (c) => `${formatCount(c.iterations)} it.`],
  ["optimizer", (c) => c.optimizer],
  ["init", (c) => `${c.init} init`],
  ["seed", (c) => `seed ${c.seed}`],
];

/** "flower · tanh · 5,000 it. · ...": the settings every run has alike (configs as REST has them). */
export function sharedSettings(configs) {
  if (configs.length === 0) return "";
  return SHARED.filter(([key]) => alike(configs, key))
    .map(([, text]) => text(configs[0]))
    .join(" · ");
}

/** A table row's cells for one run as REST reads it ({status, iteration, metrics}). */
export function rowCells(title, run) {
  const metrics = run.metrics;
  return [
    title,
    run.status,
    run.iteration === null ? "—" : formatCount(iterationsDone(run.iteration, run.status === "diverged")),
    formatCost(metrics ? metrics.cost : null),
    formatScore(metrics, "train"),
    formatScore(metrics, "test"),
  ];
}

class CostLines {
  /** One line per run on one Plotly chart in `div`, in the runs' order and styles. */
  constructor(div, titles) {
    this.div = div;
    this.lines = titles.map(() => ({ x: [], y: [] }));
    this.titles = titles;
    this.schedule = throttledDraw(() => this.draw(), DRAW_MS);
    const layout = {
      font: FONT,
      margin: { l: 56, r: 16, t: 8, b: 44 },
      xaxis: { title: { text: "iteration" }, rangemode: "tozero" },
      yaxis: { title: { text: "cost J" }, rangemode: "tozero" },
      legend: { orientation: "h", y: -0.22 },
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
    };
    window.Plotly.newPlot(div, this.traces(), layout, plotConfig("experiment-cost"));
  }

  traces() {
    const columns = Math.max(100, this.div.clientWidth || 600);
    return this.lines.map((line, i) => {
      const style = OVERLAY_STYLES[i % OVERLAY_STYLES.length];
      const { x, y } = decimate(line.x, line.y, columns);
      return { x, y, name: this.titles[i], mode: "lines", line: { color: style.color, dash: style.dash, width: 2 } };
    });
  }

  /** Run i's whole history so far (a snapshot's `iteration` and `cost`). */
  reset(i, iterations, costs) {
    this.lines[i] = { x: [...iterations], y: [...costs] };
    this.schedule();
  }

  /** Run i's costs of the iterations from `first` on (a progress message). */
  append(i, first, costs) {
    const line = this.lines[i];
    costs.forEach((cost, k) => {
      line.x.push(first + k);
      line.y.push(cost);
    });
    this.schedule();
  }

  draw() {
    window.Plotly.react(this.div, this.traces(), this.div.layout);
  }
}

export class RunsSideBySide {
  /**
   * grid: the tiles' container; chart: the cost chart's div; table: the <tbody>;
   * titles: each run's title, in order.
   */
  constructor({ grid, chart, table }, titles) {
    this.titles = titles;
    this.tiles = titles.map((title) => new BoundaryTile(title));
    grid.replaceChildren(...this.tiles.map((tile) => tile.root));
    this.costs = new CostLines(chart, titles);
    this.table = table;
  }

  /** Run i's websocket message (docs/api.md, The websocket): its snapshot, progress or status. */
  message(i, message) {
    const tile = this.tiles[i];
    if (message.type === "snapshot") {
      const { history, dataset, boundary } = message;
      if (dataset) tile.setPoints(dataset.train, dataset.problem);
      tile.setBoundary(boundary);
      if (history) this.costs.reset(i, history.iteration, history.cost);
    } else if (message.type === "progress") {
      tile.setBoundary(message.boundary);
      if (message.cost && message.cost.length) this.costs.append(i, message.first_iteration, message.cost);
    }
  }

  /** The table and the tiles' captions from the runs as REST reads them ({status, iteration, metrics}), in order. */
  showRows(runs) {
    runs.forEach((run, i) => this.tiles[i].setStatus(`${run.status} · train ${formatScore(run.metrics, "train")}`));
    const rows = runs.map((run, i) => {
      const tr = document.createElement("tr");
      tr.dataset.testid = "experiment-row";
      tr.dataset.job = run.id;
      rowCells(this.titles[i], run).forEach((text, k) => {
        const td = document.createElement(k === 0 ? "th" : "td");
        if (k === 0) td.scope = "row";
        if (k >= 2) td.className = "num";
        td.textContent = text;
        tr.append(td);
      });
      return tr;
    });
    this.table.replaceChildren(...rows);
  }
}
