// Numbers a learner can read: costs to 4 significant digits, accuracy in percent.

const DASH = "—";

// A cost that blew up: JSON carries NaN and infinities alike as null, so the page cannot
// tell which it was and names both, the same way everywhere.
export const NOT_FINITE = "NaN/∞";

/** A cost to 4 significant digits; "—" when unknown, "NaN/∞" when not finite. */
export function formatCost(value) {
  if (value === null || value === undefined) return DASH;
  if (!Number.isFinite(value)) return NOT_FINITE;
  return value.toPrecision(4);
}

/**
 * Iterations done, from the server's `iteration` (the index of the last one covered; -1
 * before any). When the cost blew up, its last iteration is the one whose cost was not
 * finite: that iteration never completed, so it is not counted.
 */
export function iterationsDone(iteration, blewUp = false) {
  if (iteration === null || iteration === undefined) return 0;
  return Math.max(0, iteration + (blewUp ? 0 : 1));
}

/** A fraction in [0, 1] as a percent with two decimals: 0.9075 -> "90.75%". */
export function formatPercent(fraction) {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return DASH;
  return `${(100 * fraction).toFixed(2)}%`;
}

/** R² to three decimals: "R² 0.912"; "—" when unknown. */
export function formatR2(r2) {
  return r2 === null || r2 === undefined || !Number.isFinite(r2) ? DASH : `R² ${r2.toFixed(3)}`;
}

/**
 * A run's score on one split: its accuracy, or for a regression (whose accuracy is null)
 * its R², said so. `split` is "train" or "test"; `metrics` as REST and progress have them.
 */
export function formatScore(metrics, split) {
  if (!metrics) return DASH;
  const r2 = metrics[`${split}_r2`];
  const accuracy = metrics[`${split}_accuracy`];
  if ((accuracy === null || accuracy === undefined) && r2 !== null && r2 !== undefined) return formatR2(r2);
  return formatPercent(accuracy);
}

// Every third digit from the right: a comma goes before each such group. (Not Intl's
// NumberFormat: making the first one takes 15-20 ms of a page's start.)
const THOUSANDS = /\B(?=(\d{3})+$)/g;

/** A whole number with thousands separators: 10000 -> "10,000"; negative -> "—". */
export function formatCount(n) {
  if (n === null || n === undefined || !Number.isFinite(n) || n < 0) return DASH;
  return String(Math.round(n)).replace(THOUSANDS, ",");
}

/** A parameter value for a tooltip: 4 significant digits, signed. */
export function formatValue(value) {
  if (!Number.isFinite(value)) return String(value);
  return value.toPrecision(4);
}

/** A small positive number in scientific notation: 3.1e-9 ("0" for zero). */
export function formatScientific(value, digits = 1) {
  if (value === 0) return "0";
  if (!Number.isFinite(value)) return String(value);
  return value.toExponential(digits);
}
