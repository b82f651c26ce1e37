// The runs started on this page, kept to be compared: each run's settings, a short label
// of what it changed, its latest numbers and its train costs. The list (without the
// costs) is kept in localStorage, so a reload keeps it; the costs of a past run come
// back from its websocket snapshot while the server still has the run. At most MAX_RUNS
// are kept, the oldest dropped first, so memory stays bounded.

import { OVERLAY_STYLES } from "./chartstyle.js";
import { datasetDefaults, defaultSettings, formatField, isMiniBatch, settingsFromConfig } from "./controls.js";

export const MAX_RUNS = 8;
const STORAGE_KEY = "gradlive.runs";
const SAVE_MS = 1000; // numbers change ten times a second; the list is saved at most once a second
const ACTIVE = new Set(["queued", "running", "paused"]);
const MAX_RATES_SHOWN = 3; // learning-rate changes a label lists (the latest ones)
// A run's fields the list does not save: its costs are fetched again, reachability found again.
const UNSAVED = ["costs", "whole", "unreachable"];

// What a label says about each setting that changed, in the order data -> network -> training.
// The speed is left out: it changes how fast a run goes, not where it goes.
const PARTS = {
  dataset: (v) => v,
  n_samples: (v) => `${v} points`,
  noise: (v) => `noise ${v}`,
  test_fraction: (v) => `test ${Math.round(100 * v)}%`,
  data_seed: (v) => `data seed ${v}`,
  activation: (v) => v.replace("_", " "),
  hidden_layers: (v) => (v.length ? `[${v.join(",")}]` : "no hidden layer"),
  init: (v) => ({ course: "course init", he: "He init", xavier: "Xavier init" })[v] || `${v} init`,
  learning_rate: (v) => `α ${v}`,
  optimizer: (v) => ({ gd: "GD", rmsprop: "RMSprop", adam: "Adam" })[v] || v,
  batch_size: (v) => (v === null ? "full batch" : `batch ${v}`),
  l2: (v) => `λ ${v}`,
  iterations: (v) => `${v} iterations`,
  seed: (v) => `seed ${v}`,
};

/**
 * The settings in which `settings` differs from `base`, each as a short phrase. A data
 * setting each side leaves at its own dataset's default (circles' noise 0.3 against the
 * flower's 0.2) came with the dataset: the dataset's name says it.
 */
export function differences(settings, base) {
  const own = datasetDefaults(settings.dataset);
  const baseOwn = datasetDefaults(base.dataset);
  const same = (key, value, defaults) => key in defaults && formatField(key, value) === formatField(key, defaults[key]);
  return Object.keys(PARTS)
    .filter((key) => formatField(key, settings[key]) !== formatField(key, base[key]))
    .filter((key) => !(same(key, settings[key], own) && same(key, base[key], baseOwn)))
    .map((key) => PARTS[key](settings[key]));
}

/**
 * A run's label: what changed since the previous run ("α 0.5", "relu, [8]"); the same
 * settings again say what differs from the lecture's run, and the lecture's run is "lecture".
 */
export function labelFor(settings, previous) {
  const sincePrevious = previous ? differences(settings, previous) : [];
  if (sincePrevious.length) return sincePrevious.join(", ");
  const sinceLecture = differences(settings, defaultSettings());
  return sinceLecture.length ? sinceLecture.join(", ") : "lecture";
}

/** A cost as JSON keeps it: NaN and infinities (a diverged run) as strings. */
function storedCost(cost) {
  return typeof cost === "number" && !Number.isFinite(cost) ? String(cost) : cost;
}

export class RunList {
  /**
   * The list; it reports what changed: onRows() when runs come or go, onRow(run) when a
   * run's numbers change, onOverlays() when the costs to draw over the chart change.
   */
  constructor({ storage = null, onRows = () => {}, onRow = () => {}, onOverlays = () => {} } = {}) {
    this.storage = storage;
    this.onRows = onRows;
    this.onRow = onRow;
    this.onOverlays = onOverlays;
    this.runs = []; // oldest first
    this.nextNumber = 1;
    this.currentId = null; // the run the page watches: it is the chart's main curve
    this.saveTimer = null;
  }

  get(id) {
    return this.runs.find((run) => run.id === id) || null;
  }

  get current() {
    return this.get(this.currentId);
  }

  /** Runs newest first, as the panel lists them. */
  newestFirst() {
    return [...this.runs].reverse();
  }

  // ---- which run is watched --------------------------------------------------------

  /** The page watches `job`: record it if it is new, and make it the current run. */
  watch(job) {
    this.forgetEmpty(job.id); // first, so the new run's label is against a run still listed
    let run = this.get(job.id);
    if (!run) {
      const settings = settingsFromConfig(job.config || {});
      const previous = this.runs.length ? this.runs[this.runs.length - 1].settings : null;
      run = {
        id: job.id,
        number: this.nextNumber,
        slot: this.freeSlot(),
        label: labelFor(settings, previous),
        settings,
        startRate: settings.learning_rate,
        rates: [], // [[first_iteration, α], ...] as the server reports them
        trainSize: null, // training examples, once the snapshot says
        status: job.status,
        iteration: -1,
        cost: null,
        trainAccuracy: null,
        testAccuracy: null,
        overlay: false,
        expired: false,
        costs: [],
        whole: emptyWhole(),
      };
      this.nextNumber += 1;
      this.runs.push(run);
    }
    this.currentId = job.id;
    this.dropOldest();
    this.changed({ rows: true, overlays: true });
    return run;
  }

  /** Watch nothing (the page is ready for a new run). */
  unwatch() {
    if (this.currentId === null) return;
    this.forgetEmpty(null);
    this.currentId = null;
    this.changed({ rows: true, overlays: true });
  }

  /** The current run, left for `next`, is forgotten if it never did a single iteration. */
  forgetEmpty(next) {
    const left = this.current;
    if (left && left.id !== next && left.iteration < 0 && !(left.costs && left.costs.length)) {
      this.runs = this.runs.filter((run) => run !== left);
    }
  }

  /** An overlay style no other run kept uses, so every line looks different. */
  freeSlot() {
    const used = new Set(this.runs.slice(-(MAX_RUNS - 1)).map((run) => run.slot));
    const free = OVERLAY_STYLES.findIndex((_, slot) => !used.has(slot));
    return free >= 0 ? free : this.nextNumber % OVERLAY_STYLES.length;
  }

  dropOldest() {
    while (this.runs.length > MAX_RUNS) {
      const k = this.runs.findIndex((run) => run.id !== this.currentId);
      this.runs.splice(k, 1);
    }
  }

  // ---- what the server says about a run --------------------------------------------

  /**
   * A snapshot: the run's whole history so far, its job (status, config, metrics) and
   * its dataset (for the training set's size).
   */
  snapshot(id, job, history, dataset = null) {
    const run = this.get(id);
    if (!run) return;
    if (job.config) run.settings = settingsFromConfig(job.config); // the job's config is the truth
    run.status = job.status;
    run.iteration = job.iteration;
    if (dataset && dataset.train) run.trainSize = dataset.train.x1.length;
    if (history && Array.isArray(history.learning_rate)) run.rates = history.learning_rate.map((r) => [...r]);
    const m = job.metrics || {};
    const cost = isMiniBatch(run.settings, run.trainSize) && m.train_cost !== undefined ? m.train_cost : m.cost;
    run.cost = cost === undefined ? run.cost : cost;
    run.trainAccuracy = m.train_accuracy === undefined ? run.trainAccuracy : m.train_accuracy;
    run.testAccuracy = m.test_accuracy === undefined ? run.testAccuracy : m.test_accuracy;
    // A preview's costs are not every iteration's: its `history` brings those (messages.js).
    if (!(history && history.preview)) run.costs = ((history && history.cost) || []).map((c) => (c === null ? null : Number(c)));
    run.whole = {
      iteration: [...((history && history.train_iteration) || [])],
      cost: [...((history && history.train_cost) || [])],
    };
    if (job.status === "diverged" && run.cost === null) run.cost = NaN;
    run.expired = false;
    this.changed({ run, overlays: run.overlay, save: true });
  }

  /** A progress message: the costs of iterations first_iteration, ... and the metrics. */
  progress(id, message) {
    const run = this.get(id);
    if (!run) return;
    const first = message.first_iteration;
    if (!run.costs) run.costs = [];
    // Iterations arrive in order, each once; should a batch overlap or skip, line it up.
    if (run.costs.length > first) run.costs.length = first;
    while (run.costs.length < first) run.costs.push(null);
    for (const c of message.cost) run.costs.push(c === null ? null : Number(c));
    run.iteration = message.iteration;
    const last = message.cost.length ? message.cost[message.cost.length - 1] : undefined;
    if (last !== undefined) run.cost = last === null ? NaN : last;
    // A mini-batch run's cost is the whole training set's (the last batch's says little).
    const whole = message.train_cost;
    if (last !== null && whole !== undefined && isMiniBatch(run.settings, run.trainSize)) {
      run.cost = whole === null ? NaN : whole;
    }
    if (whole !== undefined) {
      if (!run.whole) run.whole = emptyWhole();
      run.whole.iteration.push(message.iteration);
      run.whole.cost.push(whole);
    }
    if (message.learning_rate !== undefined) run.rates = withRate(run.rates, first, message.learning_rate);
    if (message.train_accuracy !== undefined) run.trainAccuracy = message.train_accuracy;
    if (message.test_accuracy !== undefined) run.testAccuracy = message.test_accuracy;
    this.changed({ run });
  }

  /** A new status of run `id`. */
  status(id, status) {
    const run = this.get(id);
    if (!run || run.status === status) return;
    run.status = status;
    this.changed({ run, save: true });
  }

  /** The page stopped run `id` on leaving it. */
  stopped(id) {
    const run = this.get(id);
    if (run && ACTIVE.has(run.status)) this.status(id, "stopped");
  }

  /** A setting the running job took live (learning rate or speed). */
  setLive(id, key, value) {
    const run = this.get(id);
    if (!run) return;
    run.settings = { ...run.settings, [key]: value };
    this.changed({ run, save: true });
  }

  /** The server no longer has run `id`: keep its summary, its costs are gone. */
  expire(id) {
    const run = this.get(id);
    if (!run) return;
    run.expired = true;
    if (ACTIVE.has(run.status)) run.status = "stopped";
    this.changed({ run, overlays: run.overlay, save: true });
  }

  /** Run `id`'s snapshot could not be fetched (the server is down?): no costs to draw. */
  unreachable(id) {
    const run = this.get(id);
    if (!run || run.costs !== null) return;
    run.costs = [];
    run.unreachable = true;
    this.changed({ run });
  }

  // ---- what the viewer asks --------------------------------------------------------

  /** Draw run `id`'s costs over the chart, or not. */
  setOverlay(id, on) {
    const run = this.get(id);
    if (!run || run.overlay === on) return;
    run.overlay = on;
    this.changed({ run, overlays: true, save: true });
  }

  /** Forget every run but the current one. */
  clear() {
    this.runs = this.runs.filter((run) => run.id === this.currentId);
    this.changed({ rows: true, overlays: true });
  }

  /**
   * The past runs to draw over the chart: [{id, name, costs, whole, style}]; `whole`, the
   * whole training set's costs ({iteration, cost}), is a mini-batch run's line (else null).
   */
  overlays() {
    return this.runs
      .filter((run) => run.overlay && run.id !== this.currentId && run.costs && run.costs.length)
      .map((run) => ({
        id: run.id,
        name: `#${run.number} ${displayLabel(run)}`,
        costs: run.costs,
        whole: isMiniBatch(run.settings, run.trainSize) && run.whole && run.whole.cost.length ? run.whole : null,
        style: styleOf(run),
      }));
  }

  changed({ rows = false, run = null, overlays = false, save = rows }) {
    if (rows) this.onRows();
    else if (run) this.onRow(run);
    if (overlays) this.onOverlays();
    if (save) this.save();
    else this.saveSoon();
  }

  // ---- localStorage ----------------------------------------------------------------

  saveSoon() {
    if (this.saveTimer !== null) return;
    this.saveTimer = setTimeout(() => this.save(), SAVE_MS);
  }

  /** Write the list (ids, labels, settings, summaries; never the costs). */
  save() {
    clearTimeout(this.saveTimer);
    this.saveTimer = null;
    if (!this.storage) return;
    const runs = this.runs.map(storedRun);
    try {
      this.storage.setItem(STORAGE_KEY, JSON.stringify({ version: 1, nextNumber: this.nextNumber, runs }));
    } catch {
      // Storage full or switched off: the list still works for this page.
    }
  }

  /** Read the list a previous page saved; what cannot be read is skipped. Costs: unknown. */
  load() {
    let saved = null;
    try {
      saved = JSON.parse((this.storage && this.storage.getItem(STORAGE_KEY)) || "null");
    } catch {
      saved = null;
    }
    if (!saved || saved.version !== 1 || !Array.isArray(saved.runs)) return;
    this.runs = saved.runs.filter(isStoredRun).slice(-MAX_RUNS).map(restore);
    this.nextNumber = Math.max(Number(saved.nextNumber) || 1, ...this.runs.map((r) => r.number + 1));
    this.changed({ rows: true, overlays: true, save: false });
  }
}

/** Learning-rate changes `rates` ([[first_iteration, α], ...]) with α from `first` on. */
export function withRate(rates, first, alpha) {
  const last = rates.length ? rates[rates.length - 1] : null;
  if (last && last[1] === alpha) return rates;
  // Changed again before any iteration ran with the previous α: that α never counted.
  const kept = last && last[0] === first ? rates.slice(0, -1) : rates;
  return [...kept, [first, alpha]];
}

/**
 * The label as shown: "α 0.5", with "→ α 0.1" when the learning rate was changed mid-run
 * ("→ α 0.1 → 0.05" for each later change, as the server reports them).
 */
export function displayLabel(run) {
  const changes = (run.rates || []).slice(1).map(([, alpha]) => alpha);
  if (!changes.length) {
    const rate = run.settings.learning_rate;
    return rate === run.startRate ? run.label : `${run.label} → α ${rate}`;
  }
  const shown = changes.slice(-MAX_RATES_SHOWN).join(" → ");
  return `${run.label} → α ${changes.length > MAX_RATES_SHOWN ? "… → " : ""}${shown}`;
}

/** The line style of a run's overlay ({color, dash}). */
export function styleOf(run) {
  return OVERLAY_STYLES[run.slot % OVERLAY_STYLES.length];
}

/** Every setting in which a run differs from the lecture's run ("α 0.5 · relu"). */
export function settingsSummary(run) {
  const parts = differences(run.settings, defaultSettings());
  return parts.length ? parts.join(" · ") : "the lecture's settings";
}

function emptyWhole() {
  return { iteration: [], cost: [] };
}

function isRate(pair) {
  return Array.isArray(pair) && pair.length === 2 && pair.every((v) => typeof v === "number");
}

/** A run as the list saves it (never the costs). */
function storedRun(run) {
  const kept = { ...run, cost: storedCost(run.cost) };
  for (const key of UNSAVED) delete kept[key];
  return kept;
}

function isStoredRun(run) {
  return (
    run &&
    typeof run.id === "string" &&
    Number.isInteger(run.number) &&
    typeof run.label === "string" &&
    run.settings &&
    typeof run.settings === "object"
  );
}

function restore(run) {
  const settings = settingsFromConfig(run.settings);
  const number = (value) => (typeof value === "number" ? value : null);
  return {
    id: run.id,
    number: run.number,
    slot: Number.isInteger(run.slot) ? run.slot : run.number % OVERLAY_STYLES.length,
    label: run.label,
    settings,
    startRate: typeof run.startRate === "number" ? run.startRate : settings.learning_rate,
    rates: Array.isArray(run.rates) ? run.rates.filter(isRate) : [],
    trainSize: Number.isInteger(run.trainSize) ? run.trainSize : null,
    status: typeof run.status === "string" ? run.status : "stopped",
    iteration: Number.isInteger(run.iteration) ? run.iteration : -1,
    cost: typeof run.cost === "string" ? Number(run.cost) : number(run.cost),
    trainAccuracy: number(run.trainAccuracy),
    testAccuracy: number(run.testAccuracy),
    overlay: run.overlay === true,
    expired: run.expired === true,
    costs: null, // null: not fetched yet (an expired run's costs stay null)
    whole: null,
  };
}
