// A learner's own data: CSV rows typed, pasted or opened from a file are sent to the
// server (POST /api/datasets), which keeps them under a name; that name becomes a dataset
// tile like the others, so a run on it and a shared link to it work as for any dataset.
// The server's refusal, which names the line and what is wrong, is shown as it is.

import * as api from "./api.js";
import { OWN_DATASET, addDataset, datasetDefaults, problemOf } from "./controls.js";

const $ = (root, id) => root.querySelector(`[data-testid="${id}"]`);

export class OwnData {
  /** `panel`: the "Your own data" disclosure; `tiles`: the dataset tiles' grid. */
  constructor(panel, tiles, controls) {
    this.panel = panel;
    this.tiles = tiles;
    this.controls = controls;
    this.text = $(panel, "own-data-text");
    this.note = $(panel, "own-data-note");
    $(panel, "own-data-file").addEventListener("change", (event) => this.open(event.target.files[0]));
    $(panel, "own-data-send").addEventListener("click", () => this.send());
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
