// A learner's own data: CSV rows typed, pasted or opened from a file are sent to the
// server (POST /api/datasets), which keeps them under a name; that name becomes a dataset
// tile like the others, so a run on it and a shared link to it work as for any dataset.
// The server's refusal, which names the line and what is wrong, is shown as it is.

import * as api from "./api.js";
import { OWN_DATASET, addDataset, datasetDefaults, problemOf } from "./controls.js";

/** The rows [[x1, x2, label], ...] of CSV text that parse (a header or a bad row is skipped). */
function rowsOf(text) {
  return text
    .split("\n")
    .map((line) => line.split(",").map(Number))
    .filter((row) => row.length === 3 && row.every(Number.isFinite));
}

/** CSV text of a point set {x1, x2, y}, with its header. */
function csvOf(set) {
  return ["x1,x2,label", ...set.x1.map((x, i) => `${x},${set.x2[i]},${set.y[i]}`)].join("\n") + "\n";
}

const $ = (root, id) => root.querySelector(`[data-testid="${id}"]`);

export class OwnData {
  /** `panel`: the "Your own data" disclosure; `tiles`: the dataset tiles' grid. */
  constructor(panel, tiles, controls, boundary) {
    this.panel = panel;
    this.tiles = tiles;
    this.controls = controls;
    this.boundary = boundary; // the output plot: clicked to draw points while the panel is open
    this.text = $(panel, "own-data-text");
    this.note = $(panel, "own-data-note");
    $(panel, "own-data-file").addEventListener("change", (event) => this.open(event.target.files[0]));
    $(panel, "own-data-send").addEventListener("click", () => this.send());
    $(panel, "own-data-clear").addEventListener("click", () => this.setRows([]));
    $(panel, "own-data-download").addEventListener("click", (event) => this.download(event));
    this.text.addEventListener("input", () => this.drawRows());
    boundary.div.addEventListener("click", (event) => this.clicked(event));
  }

  /** A click on the output plot while drawing: a point added where it fell, or the nearest removed. */
  clicked(event) {
    if (!this.panel.open) return;
    const at = this.boundary.planeAt(event);
    if (!at) return;
    const rows = rowsOf(this.text.value);
    if ($(this.panel, "own-data-remove").checked) {
      const distance = (row) => Math.hypot(row[0] - at[0], row[1] - at[1]);
      const nearest = rows.reduce((best, row, i) => (best < 0 || distance(row) < distance(rows[best]) ? i : best), -1);
      if (nearest >= 0) rows.splice(nearest, 1);
    } else {
      const chosen = Math.max(0, Math.round(Number($(this.panel, "own-data-class").value)) || 0);
      const label = event.shiftKey ? (chosen === 0 ? 1 : 0) : chosen;
      rows.push([Number(at[0].toFixed(3)), Number(at[1].toFixed(3)), label]);
    }
    this.setRows(rows);
  }

  /** The box's points become `rows`, drawn on the output plot. */
  setRows(rows) {
    this.text.value = ["x1,x2,label", ...rows.map((row) => row.join(","))].join("\n") + "\n";
    this.drawRows();
  }

  /** The box's points on the output plot, as a draft (no run's boundary under them). */
  drawRows() {
    const rows = rowsOf(this.text.value);
    const classes = rows.every((row) => Number.isInteger(row[2]) && row[2] >= 0 && row[2] < 6);
    const problem = !classes ? "regression" : rows.some((row) => row[2] > 1) ? "multiclass" : "binary";
    const set = { x1: rows.map((r) => r[0]), x2: rows.map((r) => r[1]), y: rows.map((r) => r[2]) };
    this.boundary.setData({ problem, train: set, test: { x1: [], x2: [], y: [] } }, "draft");
    this.say(`${rows.length} points drawn: press “Use these points” to train on them.`);
  }

  /** The chosen dataset's points (as the settings make them) as a CSV file. */
  async download(event) {
    const link = event.currentTarget;
    if (link.dataset.ready === "true") {
      link.dataset.ready = "false"; // this click downloads the file just made
      return;
    }
    event.preventDefault();
    const s = this.controls.settings;
    const params = OWN_DATASET.test(s.dataset) ? {} : { n_samples: s.n_samples, noise: s.noise, seed: s.data_seed };
    if (problemOf(s.dataset) === "multiclass" && !OWN_DATASET.test(s.dataset)) params.n_classes = s.n_classes;
    const data = await api.getDataset(s.dataset, params);
    link.href = URL.createObjectURL(new Blob([csvOf(data.train)], { type: "text/csv" }));
    link.download = `${s.dataset}.csv`;
    link.dataset.ready = "true";
    link.click();
  }

  /** Put a file's text in the box, to look at before sending. */
  async open(file) {
    if (!file) return;
    this.text.value = await file.text();
    this.say(`${file.name}: ${this.text.value.split("\n").filter((line) => line.trim()).length} lines.`);
  }

  async send() {
    this.say("Sending…");
    try {
      const entry = await api.createDataset(this.text.value, $(this.panel, "own-data-regression").checked);
      addDataset(entry);
      this.tile(entry.name);
      const what = entry.problem === "regression" ? "values" : `${entry.n_classes || 2} classes`;
      this.say(`${entry.n_samples} points, ${what}: they are the dataset ${entry.name}.`);
      this.controls.update({ dataset: entry.name, ...datasetDefaults(entry.name) }, "dataset");
    } catch (error) {
      this.say(error.message, true);
    }
  }

  /** The tile of own dataset `name` (made once): a shared link's dataset gets one too. */
  tile(name) {
    if (!OWN_DATASET.test(name) || this.tiles.querySelector(`[value="${name}"]`)) return;
    const label = document.createElement("label");
    label.className = "dataset-choice own";
    label.title = `${name}: your own ${problemOf(name) === "regression" ? "values" : "points"}`;
    label.innerHTML = `<input type="radio" name="dataset" data-testid="dataset-${name}"><span class="dataset-name">your data</span>`;
    label.querySelector("input").value = name;
    this.tiles.append(label);
    this.controls.show(this.controls.settings); // checks the tile if it is the chosen one
  }

  say(text, error = false) {
    this.note.textContent = text;
    this.note.classList.toggle("error", error);
    this.note.dataset.error = String(error);
  }
}

/** Show the classes field only where it applies: the multi-class sets. */
export function showClassesField(field, dataset) {
  field.hidden = OWN_DATASET.test(dataset) || problemOf(dataset) !== "multiclass";
}
