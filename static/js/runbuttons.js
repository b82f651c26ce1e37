// The run bar's buttons and the Space key, bound to the session's actions.

/** Bind play, pause, step, reset, stop, fork and Space to `session`; stepCount is the steps input. */
export function bindRunButtons(root, stepCount, session) {
  const on = (id, handler) => root.querySelector(`[data-testid="${id}"]`).addEventListener("click", handler);
  on("train-button", () => session.play());
  on("pause-button", () => session.pause());
  on("step-button", () => {
    const steps = readSteps(stepCount);
    if (steps !== null) session.step(steps);
  });
  on("reset-button", () => session.reset());
  on("stop-button", () => session.stop());
  on("fork-button", () => session.fork());
  // A value typed back into range is no longer marked (the mark only appears on Step).
  stepCount.addEventListener("input", () => {
    if (stepsIn(stepCount) !== null) stepCount.setAttribute("aria-invalid", "false");
  });
  document.addEventListener("keydown", (event) => {
    if (event.code !== "Space" || event.repeat || ownsSpace(event.target)) return;
    event.preventDefault(); // a select would open, a dataset tile would be chosen
    session.playOrPause();
  });
}

/** The whole number of steps in the input, or null (and the input marked) when it is not one. */
function readSteps(input) {
  const steps = stepsIn(input);
  input.setAttribute("aria-invalid", String(steps === null));
  return steps;
}

function stepsIn(input) {
  const steps = Math.round(Number(input.value));
  return input.value.trim() !== "" && Number.isFinite(steps) && steps >= 1 ? steps : null;
}

// Inputs where Space is a choice of their own (the rest, text and number fields, type it).
const SPACE_FREE_INPUTS = new Set(["radio", "range"]);

/**
 * Whether Space belongs to the focused element: a field it types into, a button, a
 * checkbox or a summary it presses. Selects, sliders and dataset tiles leave it to play.
 */
function ownsSpace(target) {
  if (!target.closest) return false;
  const owner = target.closest("input, select, textarea, button, summary, a, [contenteditable]");
  if (!owner || owner.tagName === "SELECT") return false;
  return !(owner.tagName === "INPUT" && SPACE_FREE_INPUTS.has(owner.type));
}
