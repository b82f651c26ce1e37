// Debiased exponential moving average, as TensorBoard smooths its scalar charts:
// last = w last + (1 - w) y; smoothed = last / (1 - w^n) for the n-th finite value.
// Values that are not finite (a diverged cost arrives as null) pass through unsmoothed.

export class Smoother {
  /** weight w in [0, 1): 0 leaves the values as they are. */
  constructor(weight) {
    this.weight = weight;
    this.last = 0;
    this.count = 0;
  }

  /** The smoothed value of the next point y (null passes through as null). */
  push(y) {
    if (y === null || y === undefined || !Number.isFinite(y)) return null;
    const w = this.weight;
    this.last = this.last * w + (1 - w) * y;
    this.count += 1;
    const debias = w === 1 ? 1 : 1 - w ** this.count;
    return this.last / debias;
  }
}

/** The smoothed copy of a whole series. */
export function smooth(values, weight) {
  const smoother = new Smoother(weight);
  return values.map((y) => smoother.push(y));
}
