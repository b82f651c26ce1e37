// The datasets on their buttons: a small preview of each, and the noise a dataset brings
// with it when it is chosen (a dataset looks right at its own noise level).

import * as api from "./api.js";
import { FIELDS, datasetDefaults } from "./controls.js";
import { drawPreview } from "./previews.js";

const PREVIEW_SAMPLES = 200;

/** Draw each dataset's preview on its button as its points arrive. */
export function drawPreviews() {
  for (const name of FIELDS.dataset.choices) {
    api.getDataset(name, { n_samples: PREVIEW_SAMPLES }).then(
      (data) => drawPreview(name, data.train, data.problem),
      () => {}, // a missing preview leaves a plain tile
    );
  }
}

/** Show the chosen dataset's own noise in the form (samples and data seed stay as set). */
export function takeNoise(controls) {
  const { noise } = datasetDefaults(controls.settings.dataset);
  if (noise !== undefined) controls.show({ ...controls.settings, noise });
}
