// The spread of one metric over a point's seeds: the mean and a 95% confidence interval from
// Student's t distribution (n - 1 degrees of freedom), since a study runs only a few seeds per point.

export interface Spread {
  readonly mean: number;
  /** Half-width of the 95% confidence interval of the mean; 0 with one seed. */
  readonly ci95: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

/** Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom (standard tables). */
const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];
/** The normal distribution's 97.5% quantile, which t approaches past 30 degrees of freedom. */
const Z_975 = 1.96;

/** t quantile for `dof` degrees of freedom. */
export function tQuantile975(dof: number): number {
  return T_975[dof - 1] ?? Z_975;
}

/** Mean and 95% CI of `values`; values are summed in the given (seed) order, so results replay. */
export function spreadOf(values: readonly number[]): Spread {
  const n = values.length;
  if (n === 0) return { mean: 0, ci95: 0, min: 0, max: 0, n: 0 };
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    sum += value;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const mean = sum / n;
  if (n === 1) return { mean, ci95: 0, min, max, n };
  let squares = 0;
  for (const value of values) squares += (value - mean) ** 2;
  const stddev = Math.sqrt(squares / (n - 1));
  return { mean, ci95: (tQuantile975(n - 1) * stddev) / Math.sqrt(n), min, max, n };
}
