// Latency distributions for simulated devices, in microseconds as datasheets quote them, sampled
// into integer nanoseconds from a seeded Random (never an unseeded source), so a run repeats exactly.
import type { Random } from '../core/index.js';
import { NS_PER_US } from '../core/index.js';

export type LatencyDistribution =
  /** Always `us`. */
  | { readonly kind: 'constant'; readonly us: number }
  /** Uniform in [minUs, maxUs]. */
  | { readonly kind: 'uniform'; readonly minUs: number; readonly maxUs: number }
  /** Normal(meanUs, stddevUs), truncated at zero. */
  | { readonly kind: 'normal'; readonly meanUs: number; readonly stddevUs: number }
  /** Exponential with mean `meanUs` (memoryless service, as in M/M/c models). */
  | { readonly kind: 'exponential'; readonly meanUs: number }
  /**
   * Given by percentiles, as SSD datasheets quote QoS: the median, the 99th and 99.9th percentiles
   * and the largest value (default: one step past p99.9 at the p99→p99.9 ratio). Sampled by inverse
   * CDF, interpolating log-latency linearly in the quantile between the points; below the median it
   * falls to 3/4 of the median (an assumption: a device is not much faster than its typical I/O).
   */
  | { readonly kind: 'percentiles'; readonly p50Us: number; readonly p99Us: number; readonly p999Us: number; readonly maxUs?: number };

/** The quantile points of a 'percentiles' distribution: [quantile, µs] from 0 to 1. */
export function percentileKnots(distribution: LatencyDistribution & { kind: 'percentiles' }): readonly (readonly [number, number])[] {
  const { p50Us, p99Us, p999Us } = distribution;
  const maxUs = distribution.maxUs ?? p999Us * (p999Us / p99Us);
  return [
    [0, p50Us * 0.75],
    [0.5, p50Us],
    [0.99, p99Us],
    [0.999, p999Us],
    [1, maxUs],
  ];
}

/**
 * The µs at quantile `q` in [0, 1] of a 'percentiles' distribution (log-linear between points).
 * Sampled once per simulated device I/O, so it picks its piece of percentileKnots() without building
 * them: the same pieces, the same arithmetic, and nothing allocated.
 */
export function percentileAt(distribution: LatencyDistribution & { kind: 'percentiles' }, q: number): number {
  const p50Us = distribution.p50Us;
  let q0: number;
  let x0: number;
  let q1: number;
  let x1: number;
  // The first knot at or above q, else the last piece (as the knots' loop, NaN included).
  if (!(q > 0.5)) {
    q0 = 0;
    x0 = p50Us * 0.75;
    q1 = 0.5;
    x1 = p50Us;
  } else if (!(q > 0.99)) {
    q0 = 0.5;
    x0 = p50Us;
    q1 = 0.99;
    x1 = distribution.p99Us;
  } else if (!(q > 0.999)) {
    q0 = 0.99;
    x0 = distribution.p99Us;
    q1 = 0.999;
    x1 = distribution.p999Us;
  } else {
    const p999Us = distribution.p999Us;
    q0 = 0.999;
    x0 = p999Us;
    q1 = 1;
    x1 = distribution.maxUs ?? p999Us * (p999Us / distribution.p99Us);
  }
  const t = q1 > q0 ? Math.min(1, Math.max(0, (q - q0) / (q1 - q0))) : 1;
  return x0 > 0 && x1 > 0 ? x0 * Math.pow(x1 / x0, t) : x0 + (x1 - x0) * t;
}

/** Checks that a 'percentiles' distribution's points rise; returns what is wrong, or null. */
export function percentilesProblem(distribution: LatencyDistribution & { kind: 'percentiles' }): string | null {
  const { p50Us, p99Us, p999Us, maxUs } = distribution;
  if (!(p50Us > 0)) return 'p50 must be above zero';
  if (p99Us < p50Us) return 'p99 is below p50';
  if (p999Us < p99Us) return 'p99.9 is below p99';
  if (maxUs !== undefined && maxUs < p999Us) return 'max is below p99.9';
  return null;
}

/** Zero latency: the distribution of an option that is off. */
export const NO_LATENCY: LatencyDistribution = { kind: 'constant', us: 0 };

/** Draws one latency in whole nanoseconds (never negative). Constant draws consume no randomness. */
export function sampleLatencyNs(distribution: LatencyDistribution, random: Random): number {
  let us: number;
  switch (distribution.kind) {
    case 'constant':
      us = distribution.us;
      break;
    case 'uniform':
      us = distribution.minUs + random.next() * (distribution.maxUs - distribution.minUs);
      break;
    case 'normal': {
      // Box-Muller with 1 - u so that log never sees zero.
      const u = 1 - random.next();
      const v = random.next();
      us = distribution.meanUs + distribution.stddevUs * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
      break;
    }
    case 'exponential':
      us = -distribution.meanUs * Math.log(1 - random.next());
      break;
    case 'percentiles':
      us = percentileAt(distribution, random.next());
      break;
  }
  return Math.max(0, Math.round(us * NS_PER_US));
}

/** Mean of a distribution in microseconds (for reports and sanity checks). */
export function meanLatencyUs(distribution: LatencyDistribution): number {
  switch (distribution.kind) {
    case 'constant':
      return distribution.us;
    case 'uniform':
      return (distribution.minUs + distribution.maxUs) / 2;
    case 'normal':
    case 'exponential':
      return distribution.meanUs;
    case 'percentiles': {
      // Exact for log-linear pieces: the mean of x0·(x1/x0)^t over t in [0, 1] is (x1 - x0) / ln(x1/x0).
      const knots = percentileKnots(distribution);
      let sum = 0;
      for (let i = 1; i < knots.length; i++) {
        const [q0, x0] = knots[i - 1] as readonly [number, number];
        const [q1, x1] = knots[i] as readonly [number, number];
        const mean = x1 === x0 || x0 <= 0 ? (x0 + x1) / 2 : (x1 - x0) / Math.log(x1 / x0);
        sum += (q1 - q0) * mean;
      }
      return sum;
    }
  }
}

/** Formats a distribution the way specs write it (see parseLatency in backend-spec.ts). */
export function formatLatency(distribution: LatencyDistribution): string {
  switch (distribution.kind) {
    case 'constant':
      return `${distribution.us}us`;
    case 'uniform':
      return `uniform:${distribution.minUs}us:${distribution.maxUs}us`;
    case 'normal':
      return `normal:${distribution.meanUs}us:${distribution.stddevUs}us`;
    case 'exponential':
      return `exp:${distribution.meanUs}us`;
    case 'percentiles':
      return `pct:${distribution.p50Us}us:${distribution.p99Us}us:${distribution.p999Us}us${distribution.maxUs === undefined ? '' : `:${distribution.maxUs}us`}`;
  }
}
