// The settings form and its mirror in the URL query string. A settings object holds
// exactly the training config fields of Contract 3 (except the grid resolution), so
// the same names appear in the form, the URL, the POST body and the job's config.

// The server's limits (GET / passes them to the page); these defaults are its own.
export const LIMITS = { max_hidden_layers: 4, max_units: 16, max_iterations: 100000, max_samples: 2000 };

// kind: how a value is read and written; min/max and choices bound what a URL may carry.
export const FIELDS = {
  dataset: {
    kind: "choice",
    default: "flower",
    choices: ["flower", "circles", "moons", "blobs", "quantiles", "xor", "spiral", "gauss"],
  },
  n_samples: { kind: "int", default: 400, min: 10, max: 2000 },
  noise: { kind: "float", default: 0.2, min: 0, max: 2 },
  test_fraction: { kind: "float", default: 0, min: 0, max: 0.9 },
  data_seed: { kind: "int", default: 1, min: 0, max: 4294967295 },
  hidden_layers: { kind: "layers", default: [4] },
  activation: { kind: "choice", default: "tanh", choices: ["tanh", "relu", "sigmoid", "leaky_relu"] },
  init: { kind: "choice", default: "course", choices: ["course", "he", "xavier"] },
  learning_rate: { kind: "float", default: 1.2, min: 1e-6, max: 100 },
  optimizer: { kind: "choice", default: "gd", choices: ["gd", "momentum", "rmsprop", "adam"] },
  batch_size: { kind: "optional-int", default: null, min: 1, max: 2000 },
  l2: { kind: "float", default: 0, min: 0, max: 10 },
  iterations: { kind: "int", default: 10000, min: 1, max: 100000 },
  seed: { kind: "int", default: 2, min: 0, max: 4294967295 },
  speed: { kind: "optional-float", default: 500, min: 1, max: 1000000 },
};

/** Take the server's limits ({max_iterations, max_samples, ...}); unknown keys are ignored. */
export function setLimits(limits) {
  for (const key of Object.keys(LIMITS)) {
    if (Number.isFinite(limits[key])) LIMITS[key] = limits[key];
  }
  FIELDS.iterations.max = LIMITS.max_iterations;
  FIELDS.n_samples.max = LIMITS.max_samples;
  FIELDS.batch_size.max = LIMITS.max_samples;
}

/** A fresh copy of the default settings: the lecture's run. */
export function defaultSettings() {
  const settings = {};
  for (const [key, field] of Object.entries(FIELDS)) {
    settings[key] = Array.isArray(field.default) ? [...field.default] : field.default;
  }
  return settings;
}

/**
 * The value of field `key` from its text form, or undefined when the text is not valid.
 * Optional fields read "" (and "full"/"max") as null; layers read "4,3" as [4, 3].
 */
export function parseField(key, text) {
  const field = FIELDS[key];
  const raw = String(text).trim();
  if (field.kind === "choice") return field.choices.includes(raw) ? raw : undefined;
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
  if (field.kind === "layers") return value.join(",");
  if (value === null) return field.kind === "optional-int" ? "full" : "max";
  return String(value);
}

/** {settings, jobId} from a query string; invalid or missing values take the defaults. */
export function settingsFromUrl(search) {
  const params = new URLSearchParams(search);
  const settings = defaultSettings();
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

/** The POST /api/jobs body for the settings. */
export function toConfig(settings) {
  return { ...settings, hidden_layers: [...settings.hidden_layers] };
}

/** Settings from a job's config (the server fills every field); unknown fields are ignored. */
export function settingsFromConfig(config) {
  const settings = defaultSettings();
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
        if (element.type === "radio") {
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
