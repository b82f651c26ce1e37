// A run whose cost does not move: the cost chart draws it flat, and this says so and why
// it may be, from the run's own costs and settings (as the divergence message does).

import { formatCount } from "./format.js";

// Only a run of at least this many iterations is called stuck: the lecture's run moves
// its cost by a tenth in its first hundred iterations.
const MIN_ITERATIONS = 200;
// "Not changed": every cost within this fraction of the first, so the costs read the
// same to the 4 significant digits the page shows.
const TOLERANCE = 5e-5;

/** The smallest, largest and first finite cost of a run so far. */
export class CostRange {
  constructor() {
    this.clear();
  }

  clear() {
    this.first = null;
    this.lo = Infinity;
    this.hi = -Infinity;
  }

  add(costs) {
    for (const cost of costs) {
      if (cost === null || cost === undefined || !Number.isFinite(cost)) continue;
      if (this.first === null) this.first = cost;
      this.lo = Math.min(this.lo, cost);
      this.hi = Math.max(this.hi, cost);
    }
  }

  /** Whether every cost so far lies within TOLERANCE of the first. */
  get flat() {
    return this.first !== null && this.hi - this.lo <= TOLERANCE * Math.max(Math.abs(this.first), 1e-12);
  }
}

/**
 * The sentence for a run whose cost has not moved in `done` iterations, or null when it
 * has (or the run is too short to tell). `settings` are the run's.
 */
export function stallHint(range, done, settings) {
  if (done < MIN_ITERATIONS || !range.flat) return null;
  const layers = settings.hidden_layers.length;
  const why =
    layers >= 2 && settings.init === "course"
      ? `with ${layers} ${settings.activation.replace("_", " ")} layers and the course init ` +
        "(randn × 0.01) the gradients vanish; try He or Xavier init, or fewer layers"
      : `the gradients are too small for learning rate ${settings.learning_rate} to move it; ` +
        "try a larger learning rate" + (settings.init === "course" ? ", or He or Xavier init" : "");
  return `The cost has not changed in ${formatCount(done)} iterations: ${why}.`;
}
