// The run bar's buttons and the Space key, bound to the session's actions.

/** Bind play, pause, step, reset, stop and Space to `session`; stepCount is the steps input. */
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
  document.addEventListener("keydown", (event) => {
    if (event.code !== "Space" || event.repeat || isInteractive(event.target)) return;
    event.preventDefault();
    session.playOrPause();
  });
}

/** The whole number of steps in the input, or null (and the input marked) when it is not one. */
function readSteps(input) {
  const steps = Math.round(Number(input.value));
  const valid = Number.isFinite(steps) && steps >= 1;
  input.setAttribute("aria-invalid", String(!valid));
  return valid ? steps : null;
}

/** Whether Space belongs to the focused element (typing, a button, a checkbox...). */
function isInteractive(target) {
  const owners = "input, select, textarea, button, summary, a, [contenteditable]";
  return Boolean(target.closest && target.closest(owners));
}
