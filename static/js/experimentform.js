// The playground's experiment panel: vary one setting over a list of values (the others as
// the form has them), or run the lecture's hidden-size experiment in one click. Either
// starts an experiment (POST /api/experiments) and opens its page.

import * as api from "./api.js";
import { FIELDS, parseField, toConfig } from "./controls.js";

// The lecture's hidden-size experiment (docs/api.md, Experiments): the notebook's figure of n_h = 1 ... 50.
export const LECTURE_EXPERIMENT = {
  base: { iterations: 5000, speed: null },
  vary: "hidden_layers",
  values: [[1], [2], [3], [4], [5], [20], [50]],
};
const SEPARATOR = ";"; // between values: a layer list itself has commas ("4,3")

// What the values field offers for each setting, until the learner writes their own.
const EXAMPLES = {
  hidden_layers: "1; 2; 3; 4; 5; 20; 50",
  learning_rate: "0.01; 0.1; 0.5; 1.2; 5",
  l2: "0; 0.01; 0.1; 1",
  batch_size: "16; 64; full",
  seed: "1; 2; 3; 4",
};

/** Example values for `vary`: its list, or every choice it has. */
function example(vary) {
  const field = FIELDS[vary];
  return EXAMPLES[vary] || (field.choices ? field.choices.join(`${SEPARATOR} `) : "");
}

/** The values of `vary` in `text` ("1; 2; 4,3"), or an error naming the first bad one. */
export function parseValues(vary, text) {
  const parts = text
    .split(SEPARATOR)
    .map((part) => part.trim())
    .filter(Boolean);
  if (parts.length < 2) return { error: `Give two values or more, separated by "${SEPARATOR}".` };
  const values = [];
  for (const [i, part] of parts.entries()) {
    const value = parseField(vary, part);
    if (value === undefined) return { error: `Value ${i + 1}, "${part}", is not a ${vary} this page can train.` };
    values.push(value);
  }
  return { values };
}

export class ExperimentForm {
  /** root: the panel; controls: the settings form, whose settings are the experiment's base. */
  constructor(root, controls) {
    const part = (testid) => root.querySelector(`[data-testid="${testid}"]`);
    this.vary = part("experiment-vary");
    this.values = part("experiment-values");
    this.note = part("experiment-note");
    this.buttons = [part("experiment-start"), part("experiment-lecture")];
    this.controls = controls;
    this.vary.addEventListener("change", () => this.offer());
    part("experiment-start").addEventListener("click", () => this.runTyped());
    part("experiment-lecture").addEventListener("click", () => this.run(LECTURE_EXPERIMENT));
    this.offer();
  }

  offer() {
    this.values.value = example(this.vary.value);
    this.values.placeholder = this.values.value;
  }

  runTyped() {
    const vary = this.vary.value;
    const { values, error } = parseValues(vary, this.values.value);
    if (error) {
      this.say(error, "error");
      return;
    }
    const base = toConfig(this.controls.settings);
    delete base[vary]; // each run's own value
    this.run({ base, vary, values });
  }

  async run(experiment) {
    this.buttons.forEach((button) => (button.disabled = true));
    this.say("Starting the runs…");
    try {
      const created = await api.createExperiment(experiment);
      window.location.assign(`experiment?id=${encodeURIComponent(created.id)}`);
    } catch (error) {
      this.say(`The experiment could not start: ${error.message}`, "error");
      this.buttons.forEach((button) => (button.disabled = false));
    }
  }

  say(text, kind = "") {
    this.note.textContent = text;
    this.note.classList.toggle("error", kind === "error");
  }
}
