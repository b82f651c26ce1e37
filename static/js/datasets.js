// The datasets the server offers: their defaults (a dataset looks right at its own noise
// level) and a small preview of each on its button.

import * as api from "./api.js";
import { drawPreview } from "./previews.js";

const PREVIEW_SAMPLES = 200;

export class Datasets {
  /** onError(message) when the list cannot be loaded. */
  constructor({ onError }) {
    this.onError = onError;
    this.defaults = {}; // name -> {name, n_samples, noise, seed}
  }

  /** Fetch the list and its defaults, then draw each preview as it arrives. */
  async load() {
    try {
      const list = await api.getDatasets();
      for (const entry of list) {
        this.defaults[entry.name] = entry;
        api.getDataset(entry.name, { n_samples: PREVIEW_SAMPLES }).then(
          (data) => drawPreview(entry.name, data.train),
          () => {}, // a missing preview leaves a plain tile
        );
      }
    } catch (error) {
      this.onError(`Could not load the datasets: ${error.message}`);
    }
  }

  /** Show the chosen dataset's own noise in the form, when switching datasets. */
  takeNoise(controls) {
    const defaults = this.defaults[controls.settings.dataset];
    if (defaults && defaults.noise !== undefined) {
      controls.show({ ...controls.settings, noise: defaults.noise });
    }
  }
}
