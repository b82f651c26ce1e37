// The datasets on their buttons: a small preview of each, and the noise a dataset brings
// with it when it is chosen (a dataset looks right at its own noise level).

import * as api from "./api.js";
import { FIELDS, datasetDefaults } from "./controls.js";
import { drawPreview } from "./previews.js";

const PREVIEW_SAMPLES = 200;

const PREVIEW_WAIT_MS = 2000; // the longest the previews wait for the page to be idle
const whenIdle = window.requestIdleCallback || ((callback) => setTimeout(callback, 0));

/**
 * Draw each dataset's preview on its button as its points arrive, once the page is idle:
 * a shared link's snapshot (its cost chart and boundary) comes first.
 */
export function drawPreviews() {
  whenIdle(
    () => {
      for (const name of FIELDS.dataset.choices) {
        api.getDataset(name, { n_samples: PREVIEW_SAMPLES }).then(
          (data) => drawPreview(name, data.train, data.problem),
          () => {}, // a missing preview leaves a plain tile
        );
      }
    },
    { timeout: PREVIEW_WAIT_MS },
  );
}

/** Show the chosen dataset's own noise in the form (samples and data seed stay as set). */
export function takeNoise(controls) {
  const { noise } = datasetDefaults(controls.settings.dataset);
  if (noise !== undefined) controls.show({ ...controls.settings, noise });
}
