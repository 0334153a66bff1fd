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
  | { readonly kind: 'exponential'; readonly meanUs: number };

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
  }
}
