// A page for a room: presenter mode (?present=1: large type, high contrast, the run bar
// and the views without the settings), lesson links that hide chosen controls
// (`<control>_hide=1`, as TF Playground's links do), the presenter's keys, and the panel
// that builds such a link.

const TRUE = new Set(["1", "true"]);
const PRESENT = "present";
const HIDE = "_hide";

// What a lesson link may hide, in the page's order: name -> [label, selector]. The form's
// fields are found by their input's name; the rest are whole parts of the page.
const PARTS = {
  learner: ["Your name", ".learner-field"],
  settings: ["Training settings (all)", ".settings-bar"],
  data: ["Data (all)", ".data-column"],
  dataset: ["Dataset", "fieldset.datasets"],
  layers: ["Hidden layers", "#layers-editor"],
  network: ["Network", ".network-column"],
  runs: ["Runs", "#runs"],
  equations: ["Equations", ".equations-column"],
};
const FIELDS = [
  "learning_rate", "activation", "init", "optimizer", "batch_size", "l2", "iterations", "seed", "speed",
  "n_samples", "noise", "test_fraction", "data_seed",
];

// The keys, as the help overlay lists them; Space is the run bar's own (runbuttons.js).
const KEYS = [
  ["Space", "train or pause"],
  ["→", "step (the run bar's count of iterations)"],
  ["R", "reset: new weights, back to iteration 0"],
  ["F", "full screen on or off"],
  ["?", "this list"],
];

/** The parts a lesson link may hide: [{name, label, element}], those on this page. */
export function hideable(root = document) {
  const parts = Object.entries(PARTS).map(([name, [label, selector]]) => ({
    name,
    label,
    element: root.querySelector(selector),
  }));
  const fields = FIELDS.map((name) => {
    const element = root.querySelector(`[name="${name}"]`)?.closest(".field") || null;
    const label = element?.querySelector("span")?.firstChild?.textContent.trim() || name;
    return { name, label, element };
  });
  return [...parts, ...fields].filter((part) => part.element);
}

/** The lesson's own parameters of a query string (present, *_hide), as "&a=1&b=1" or "". */
export function lessonQuery(search) {
  const kept = [...new URLSearchParams(search)].filter(([key, value]) => isLessonKey(key) && TRUE.has(value));
  return kept.map(([key]) => `&${key}=1`).join("");
}

function isLessonKey(key) {
  return key === PRESENT || key.endsWith(HIDE);
}

/** Show the page as the query string asks: presenter mode, and the controls it hides. */
export function applyLesson(search, root = document) {
  const params = new URLSearchParams(search);
  root.body.classList.toggle("present", TRUE.has(params.get(PRESENT)));
  for (const part of hideable(root)) {
    part.element.classList.toggle("lesson-hidden", TRUE.has(params.get(part.name + HIDE)));
  }
}

/** Bind →, R, F, ? and Escape; each key presses the run bar's own button, so a disabled one stays so. */
export function bindShortcuts(runBar, help) {
  const press = (id) => {
    const button = runBar.querySelector(`[data-testid="${id}"]`);
    if (button && !button.disabled && !button.hidden) button.click();
  };
  const actions = {
    ArrowRight: () => press("step-button"),
    r: () => press("reset-button"),
    f: toggleFullscreen,
    "?": () => (help.open ? help.close() : help.showModal()),
  };
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typesText(event.target)) return;
    if (event.key.startsWith("Arrow") && movesWithArrows(event.target)) return;
    const action = actions[event.key.length === 1 ? event.key.toLowerCase() : event.key];
    if (!action || event.repeat) return;
    event.preventDefault();
    action();
  });
}

function toggleFullscreen() {
  const request = document.fullscreenElement
    ? document.exitFullscreen()
    : document.documentElement.requestFullscreen();
  request?.catch(() => {}); // a browser may refuse it (an embedded page): nothing to undo
}

// Inputs whose keys are not text: the presenter's keys still work on them.
const KEY_FREE_INPUTS = new Set(["checkbox", "radio", "range", "button"]);

/** Whether keys typed on `target` are its own text (a field, a select, an editable area). */
function typesText(target) {
  if (!target.closest) return false;
  const owner = target.closest("input, select, textarea, [contenteditable]");
  return Boolean(owner) && !(owner.tagName === "INPUT" && KEY_FREE_INPUTS.has(owner.type));
}

/** Whether arrow keys move `target` (a slider, a radio button): → then is its own, not a step. */
function movesWithArrows(target) {
  return target.tagName === "INPUT" && ARROW_INPUTS.has(target.type);
}

const ARROW_INPUTS = new Set(["range", "radio"]);

/** The help overlay: a dialog listing the keys (Escape or ? closes it). */
export function helpDialog() {
  const dialog = element("dialog", { className: "overlay", "data-testid": "shortcuts" });
  dialog.append(element("h2", { textContent: "Keys" }));
  const list = element("dl", { className: "keys" });
  for (const [key, what] of KEYS) {
    list.append(element("dt", {}, [element("kbd", { textContent: key })]), element("dd", { textContent: what }));
  }
  dialog.append(list, closeButton(dialog));
  document.body.append(dialog);
  return dialog;
}

/**
 * The lesson panel: tick what to hide and whether to present, and take the link. The link
 * keeps the page's settings and leaves out its run, so each student trains their own.
 */
export function lessonDialog(location = window.location) {
  const dialog = element("dialog", { className: "overlay lesson", "data-testid": "lesson" });
  const link = element("input", { type: "url", readOnly: true, "data-testid": "lesson-link" });
  const choices = element("div", { className: "lesson-choices" });
  const boxes = [[PRESENT, "Presenter mode: large type, settings hidden"]]
    .concat(hideable().map((part) => [part.name + HIDE, `Hide ${part.label}`]))
    .map(([key, label]) => {
      const box = element("input", { type: "checkbox", value: key, "data-testid": `lesson-${key}` });
      box.checked = TRUE.has(new URLSearchParams(location.search).get(key)); // the lesson shown now
      choices.append(element("label", {}, [box, ` ${label}`]));
      return box;
    });
  const update = () => {
    const params = new URLSearchParams(location.search);
    for (const key of [...params.keys()]) if (key === "job" || isLessonKey(key)) params.delete(key);
    for (const box of boxes) if (box.checked) params.set(box.value, "1");
    link.value = `${location.origin}${location.pathname}?${params.toString().replaceAll("%2C", ",")}`;
  };
  choices.addEventListener("change", update);
  const copy = element("button", { type: "button", className: "text-button", textContent: "Copy" });
  copy.addEventListener("click", () => navigator.clipboard?.writeText(link.value).catch(() => link.select()));
  dialog.append(
    element("h2", { textContent: "Lesson link" }),
    element("p", { className: "muted", textContent: "This page's settings, with the parts ticked here hidden." }),
    choices,
    element("div", { className: "lesson-link" }, [link, copy]),
    closeButton(dialog),
  );
  dialog.refresh = update; // the settings may have changed since it was built
  document.body.append(dialog);
  return dialog;
}

function closeButton(dialog) {
  const button = element("button", { type: "button", className: "text-button", textContent: "Close" });
  button.addEventListener("click", () => dialog.close());
  return button;
}

function element(tag, properties = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(properties)) {
    if (key.includes("-")) node.setAttribute(key, value);
    else node[key] = value;
  }
  node.append(...children);
  return node;
}

/** Presenter mode, lesson flags, keys, help and the lesson panel, for the playground page. */
export function bindLessons(runBar, footer) {
  applyLesson(window.location.search);
  bindShortcuts(runBar, helpDialog());
  const lesson = lessonDialog();
  const open = element("button", {
    type: "button",
    className: "text-button",
    textContent: "Lesson link…",
    "data-testid": "lesson-button",
    title: "A link to this page with chosen controls hidden, or in presenter mode",
  });
  open.addEventListener("click", () => {
    lesson.refresh();
    lesson.showModal();
  });
  footer.append(open);
}
