// Everything that shows the settings themselves, outside the form: the URL, the layers
// editor, the network's shape, the equations, the range inputs' values and the run
// bar's total. The equations' m is the watched run's training-set size when known.

import { outputOf, trainingSize, urlFor } from "./controls.js";
import { renderEquations } from "./equations.js";
import { lessonQuery } from "./present.js";

export class SettingsView {
  /** controls: the form (its settings); the views that follow them; equations: their root. */
  constructor({ controls, layers, network, runBar, equations }) {
    this.controls = controls;
    this.layers = layers;
    this.network = network;
    this.runBar = runBar;
    this.equations = equations;
    this.trainSize = null; // training examples of the watched run (from its snapshot or data)
    this.outputs = [...document.querySelectorAll("output[data-for]")];
    // Range inputs show their value while dragged; the run changes when they are let go.
    for (const output of this.outputs) {
      const input = document.querySelector(`input[name="${output.dataset.for}"]`);
      input.addEventListener("input", () => showRangeValue(output, Number(input.value)));
    }
  }

  /** Show the current settings everywhere; `job` is the watched job, or null. */
  show(job) {
    const s = this.controls.settings;
    this.layers.show(s.hidden_layers);
    // Logistic regression has no hidden units: the hidden activation does nothing.
    const activation = document.querySelector('select[name="activation"]');
    if (activation) {
      activation.disabled = s.hidden_layers.length === 0;
      activation.title = activation.disabled ? "No hidden layer: the output is σ(W X + b)" : "";
    }
    const { problem, nY } = outputOf(s);
    const dims = [s.features.length, ...s.hidden_layers, nY];
    this.network.setArchitecture(dims, s.activation, { features: s.features, problem });
    const mTrain = this.trainSize || trainingSize(s);
    renderEquations(this.equations, {
      layerDims: dims,
      problem,
      l1: s.l1,
      m: s.batch_size ? Math.min(s.batch_size, mTrain) : mTrain,
      mTrain,
      activation: s.activation,
      optimizer: s.optimizer,
      learningRate: s.learning_rate,
      l2: s.l2,
    });
    for (const output of this.outputs) {
      showRangeValue(output, s[output.dataset.for]);
    }
    if (!job) this.runBar.setIteration(-1, s.iterations);
    this.updateUrl(job);
  }

  /** The settings and the watched job's id in the address bar, without a new history entry. */
  updateUrl(job) {
    // A lesson's flags (presenter mode, hidden controls) stay with the page.
    const url = urlFor(this.controls.settings, job && job.id) + lessonQuery(window.location.search);
    if (url !== window.location.search) window.history.replaceState(null, "", url);
  }
}

/** The value a range input's <output> shows ("0.2", or "25%" with data-percent). */
function showRangeValue(output, value) {
  output.textContent = "percent" in output.dataset ? `${Math.round(100 * value)}%` : String(value);
}
