// The settings form and its mirror in the URL query string. A settings object holds
// exactly the training config fields of docs/api.md, HTTP (except the grid resolution), so
// the same names appear in the form, the URL, the POST body and the job's config.

// The server's limits (GET / passes them to the page); these defaults are its own.
export const LIMITS = {
  max_hidden_layers: 4,
  max_units: 50,
  max_iterations: 100000,
  max_samples: 2000,
  min_classes: 2,
  max_classes: 6,
  activations: ["tanh", "relu", "sigmoid", "leaky_relu", "linear"],
  // How the page writes each activation: {label, symbol, derivative} (the server's registry).
  activation_text: {},
  features: ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"],
};
// A learner's own dataset, as the server names it (POST /api/datasets).
export const OWN_DATASET = /^own-[0-9a-f]{12}$/;

// kind: how a value is read and written; min/max and choices bound what a URL may carry:
// the server's (setLimits takes its `fields`), these until then.
// The defaults are the server's (setDefaults): n_samples, noise and data_seed are each
// dataset's own (`data` names the dataset's default), the rest the job config's.
export const FIELDS = {
  dataset: { kind: "choice", choices: [] },
  n_samples: { kind: "int", min: 2, max: 2000, data: "n_samples" },
  noise: { kind: "float", min: 0, max: 5, data: "noise" },
  test_fraction: { kind: "float", min: 0, max: 0.9 },
  data_seed: { kind: "int", min: 0, max: 4294967295, data: "seed" },
  hidden_layers: { kind: "layers" },
  activation: { kind: "choice", choices: [...LIMITS.activations] },
  n_classes: { kind: "int", min: 2, max: 6 },
  features: { kind: "features", choices: [...LIMITS.features] },
  init: { kind: "choice", choices: ["course", "he", "xavier"] },
  learning_rate: { kind: "float", min: 1e-6, max: 1000 },
  optimizer: { kind: "choice", choices: ["gd", "momentum", "rmsprop", "adam"] },
  batch_size: { kind: "optional-int", min: 1, max: 2000 },
  l2: { kind: "float", min: 0, max: 10 },
  l1: { kind: "float", min: 0, max: 10 },
  iterations: { kind: "int", min: 1, max: 100000 },
  seed: { kind: "int", min: 0, max: 4294967295 },
  speed: { kind: "optional-float", min: 1, max: 1000000 },
};

// Each dataset's own data defaults, from the server: name -> {n_samples, noise, seed}.
const DATASETS = {};

/**
 * Take the server's defaults (GET / renders them into the page): `job`, the config a job
 * gets for what it leaves out; `datasets`, [{name, n_samples, noise, seed}] in menu order.
 */
export function setDefaults(job, datasets) {
  for (const [key, value] of Object.entries(job)) {
    if (key in FIELDS) FIELDS[key].default = value;
  }
  FIELDS.dataset.choices = datasets.map((entry) => entry.name);
  for (const entry of datasets) DATASETS[entry.name] = entry;
}

/** The problem dataset `name` poses ("binary", "multiclass", "regression"; own data: as sent). */
export function problemOf(name) {
  return (DATASETS[name] && DATASETS[name].problem) || "binary";
}

/** The network's output for the settings: {problem, nY} (K units for K classes, else 1). */
export function outputOf(settings) {
  const own = DATASETS[settings.dataset] || {};
  let problem = problemOf(settings.dataset);
  let K = OWN_DATASET.test(settings.dataset) ? own.n_classes || 2 : settings.n_classes;
  if (problem === "multiclass" && K <= 2) problem = "binary"; // two classes: the lecture's σ
  return { problem, nY: problem === "multiclass" ? K : 1 };
}

/** Add a learner's dataset (POST /api/datasets's answer) to the choices. */
export function addDataset(entry) {
  DATASETS[entry.name] = { seed: 0, noise: 0, ...entry };
  if (!FIELDS.dataset.choices.includes(entry.name)) FIELDS.dataset.choices.push(entry.name);
}

/** The data settings dataset `name` brings with it: {n_samples, noise, data_seed}. */
export function datasetDefaults(name) {
  const own = DATASETS[name] || {};
  const values = {};
  for (const [key, field] of Object.entries(FIELDS)) {
    if (field.data && own[field.data] !== undefined) values[key] = own[field.data];
  }
  return values;
}

/** Take the server's limits ({max_iterations, max_samples, ...}); unknown keys are ignored. */
export function setLimits(limits) {
  for (const key of Object.keys(LIMITS)) {
    if (Number.isFinite(limits[key]) || Array.isArray(limits[key])) LIMITS[key] = limits[key];
  }
  if (limits.activation_text) LIMITS.activation_text = { ...limits.activation_text };
  FIELDS.activation.choices = [...LIMITS.activations];
  FIELDS.features.choices = [...LIMITS.features];
  // Each field's bounds and choices as the server checks them; a bound to pass ("above")
  // leaves the page's own lowest value.
  for (const [key, bounds] of Object.entries(limits.fields || {})) {
    const field = FIELDS[key];
    if (!field || key === "dataset") continue; // the datasets come with their defaults
    if (Number.isFinite(bounds.min)) field.min = bounds.min;
    if (Number.isFinite(bounds.max)) field.max = bounds.max;
    if (Array.isArray(bounds.choices) && field.kind === "choice") field.choices = [...bounds.choices];
  }
}

/**
 * How activation `name` is written: its label (the menu, the network's layers), its symbol
 * in the equations, and g'(Z[l]) for layer l (its name with a prime when the server has
 * none).
 */
export function activationText(name) {
  const text = LIMITS.activation_text[name] || {};
  return {
    label: text.label || name,
    symbol: text.symbol || name,
    derivative: (l) => (text.derivative ? text.derivative.replaceAll("{l}", String(l)) : `${name}'(Z${l})`),
  };
}

/** A fresh copy of the default settings (the lecture's run), or of `dataset`'s defaults. */
export function defaultSettings(dataset = FIELDS.dataset.default) {
  const settings = {};
  for (const [key, field] of Object.entries(FIELDS)) {
    settings[key] = Array.isArray(field.default) ? [...field.default] : field.default;
  }
  if (FIELDS.dataset.choices.includes(dataset)) settings.dataset = dataset;
  return { ...settings, ...datasetDefaults(settings.dataset) };
}

/**
 * The value of field `key` from its text form, or undefined when the text is not valid.
 * Optional fields read "" (and "full"/"max") as null; layers read "4,3" as [4, 3].
 */
export function parseField(key, text) {
  const field = FIELDS[key];
  const raw = String(text).trim();
  if (key === "dataset" && OWN_DATASET.test(raw)) return raw; // the server knows it, or says not
  if (field.kind === "choice") return field.choices.includes(raw) ? raw : undefined;
  if (field.kind === "features") {
    const names = raw.split(",").map((part) => part.trim());
    const ok = names.length > 0 && names.every((name) => field.choices.includes(name)) && new Set(names).size === names.length;
    return ok ? field.choices.filter((name) => names.includes(name)) : undefined;
  }
  if (field.kind === "layers") {
    if (raw === "") return [];
    const units = raw.split(",").map((part) => Number(part));
    const ok =
      units.length <= LIMITS.max_hidden_layers &&
      units.every((n) => Number.isInteger(n) && n >= 1 && n <= LIMITS.max_units);
    return ok ? units : undefined;
  }
  if (field.kind.startsWith("optional") && ["", "full", "max", "null"].includes(raw)) return null;
  if (raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < field.min || value > field.max) return undefined;
  if (field.kind.endsWith("int") && !Number.isInteger(value)) return undefined;
  return value;
}

/** The text form of a field's value (the inverse of parseField). */
export function formatField(key, value) {
  const field = FIELDS[key];
  if (field.kind === "layers" || field.kind === "features") return value.join(",");
  if (value === null) return field.kind === "optional-int" ? "full" : "max";
  return String(value);
}

/** {settings, jobId} from a query string; invalid or missing values take the defaults. */
export function settingsFromUrl(search) {
  const params = new URLSearchParams(search);
  // A dataset comes with its own data settings; the URL may still set each of them.
  const settings = defaultSettings(params.get("dataset"));
  for (const key of Object.keys(FIELDS)) {
    if (!params.has(key)) continue;
    const value = parseField(key, params.get(key));
    if (value !== undefined) settings[key] = value;
  }
  return { settings, jobId: params.get("job") || null };
}

/** The query string ("?dataset=flower&...&job=id") that reproduces the settings (and job). */
export function urlFor(settings, jobId) {
  const params = new URLSearchParams();
  for (const key of Object.keys(FIELDS)) params.set(key, formatField(key, settings[key]));
  if (jobId) params.set("job", jobId);
  // Commas in "4,3" read better unescaped; they are legal in a query string.
  return `?${params.toString().replaceAll("%2C", ",")}`;
}

/** The training examples the settings give (the server holds round(test_fraction m) out). */
export function trainingSize(settings) {
  return Math.max(1, settings.n_samples - Math.round(settings.test_fraction * settings.n_samples));
}

/** Whether a run trains on mini-batches: a batch size below the training set's (if known). */
export function isMiniBatch(settings, trainSize = null) {
  const m = trainSize || trainingSize(settings);
  return settings.batch_size !== null && settings.batch_size < m;
}

/** The POST /api/jobs body for the settings. */
export function toConfig(settings) {
  const config = { ...settings, hidden_layers: [...settings.hidden_layers], features: [...settings.features] };
  // K is the multi-class sets' alone; an own dataset's classes are its labels'.
  const own = OWN_DATASET.test(settings.dataset);
  if (own || problemOf(settings.dataset) !== "multiclass") delete config.n_classes;
  if (own) {
    delete config.n_samples; // the data's own
    delete config.noise;
  }
  return config;
}

/** Settings from a job's config (the server fills every field); unknown fields are ignored. */
export function settingsFromConfig(config) {
  const settings = defaultSettings(config.dataset);
  for (const key of Object.keys(FIELDS)) {
    if (config[key] === undefined) continue;
    const value = parseField(key, formatField(key, config[key]));
    if (value !== undefined) settings[key] = value;
  }
  return settings;
}

/** The form: shows settings, reports each committed change as onChange(key, settings). */
export class Controls {
  constructor(form, { onChange, onInvalid }) {
    this.form = form;
    this.onChange = onChange;
    this.onInvalid = onInvalid;
    this.settings = defaultSettings();
    form.addEventListener("submit", (event) => event.preventDefault());
    form.addEventListener("change", (event) => this.read(event.target));
  }

  /** The form elements named `key` (a radio group has several). */
  elements(key) {
    return [...this.form.querySelectorAll(`[name="${key}"]`)];
  }

  /** Read one changed element; invalid text is marked and not applied. */
  read(element) {
    const key = element.name;
    if (!(key in FIELDS) || FIELDS[key].kind === "layers") return;
    if (FIELDS[key].kind === "features") {
      const chosen = this.elements(key).filter((box) => box.checked).map((box) => box.value);
      if (!chosen.length) {
        element.checked = true; // the network needs one input at least
        this.onInvalid("Features", "at least one input");
        return;
      }
      this.update({ [key]: chosen }, key);
      return;
    }
    if (element.type === "radio" && !element.checked) return;
    const value = parseField(key, element.value);
    element.setAttribute("aria-invalid", String(value === undefined));
    if (value === undefined) {
      const label = element.closest("label");
      const name = label ? label.querySelector("span").textContent.trim() : key;
      this.onInvalid(name, `${FIELDS[key].min} to ${FIELDS[key].max}`);
      return;
    }
    this.update({ [key]: value }, key);
  }

  /** Apply changed values (from the form or a widget), show them, and report them. */
  update(values, key) {
    Object.assign(this.settings, values);
    this.show(this.settings);
    this.onChange(key, this.settings);
  }

  /** Show settings in the form without reporting a change. */
  show(settings) {
    this.settings = { ...settings, hidden_layers: [...settings.hidden_layers] };
    for (const key of Object.keys(FIELDS)) {
      const text = formatField(key, this.settings[key]);
      for (const element of this.elements(key)) {
        if (FIELDS[key].kind === "features") {
          element.checked = this.settings.features.includes(element.value);
        } else if (element.type === "radio") {
          element.checked = element.value === text;
        } else {
          if (element.tagName === "SELECT") ensureOption(element, text);
          element.value = text;
          element.setAttribute("aria-invalid", "false");
        }
      }
    }
  }
}

/** A select shows any value a shared link carries (e.g. batch 100) by adding its option. */
function ensureOption(select, value) {
  if ([...select.options].some((option) => option.value === value)) return;
  select.add(new Option(value, value));
}
