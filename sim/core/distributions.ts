// Random variates drawn from a seeded Random stream (env.ts): the delay distributions tc-netem
// offers (constant, uniform, normal, pareto) plus the exponential TigerBeetle and turmoil use, and
// the Gilbert-Elliott two-state burst-loss model (netem `loss gemodel`). Every function draws a
// fixed number of values per call, so a stream's position depends only on how many samples were
// taken, never on their values.
import type { Random } from './env.js';

/** Names of the delay distributions a link accepts. */
export type DistributionName = 'constant' | 'uniform' | 'normal' | 'exponential' | 'pareto';

export const DISTRIBUTION_NAMES: readonly DistributionName[] = [
  'constant',
  'uniform',
  'normal',
  'exponential',
  'pareto',
];

/** Default Pareto shape: finite mean and variance, and a heavy tail (netem's pareto table is ~3). */
export const PARETO_SHAPE_DEFAULT = 3;

/** Uniform in [min, max). One draw. */
export function sampleUniform(rng: Random, min: number, max: number): number {
  return min + (max - min) * rng.next();
}

/** Normal (Box-Muller). Two draws; the second variate is discarded to keep the draw count fixed. */
export function sampleNormal(rng: Random, mean: number, stddev: number): number {
  // 1 - next() is in (0, 1], so the logarithm is finite.
  const u1 = 1 - rng.next();
  const u2 = rng.next();
  return mean + stddev * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Exponential with the given mean. One draw. */
export function sampleExponential(rng: Random, mean: number): number {
  return -mean * Math.log(1 - rng.next());
}

/** Pareto type I with scale xm (the minimum) and shape alpha. One draw. */
export function samplePareto(rng: Random, scale: number, shape: number): number {
  return scale / Math.pow(1 - rng.next(), 1 / shape);
}

/** True with probability p. One draw, even when p is 0 or 1. */
export function sampleBernoulli(rng: Random, probability: number): boolean {
  return rng.next() < probability;
}

/**
 * A delay around a base value, shaped by a distribution with spread `jitter` (same unit):
 * constant: base; uniform: base + U(-jitter, +jitter); normal: base + N(0, jitter);
 * exponential: base + Exp(mean jitter); pareto: base + (Pareto(xm, shape) - xm) with xm chosen so
 * the added mean is jitter. The result is never negative. Constant draws nothing.
 */
export function sampleDelay(
  rng: Random,
  distribution: DistributionName,
  base: number,
  jitter: number,
  paretoShape = PARETO_SHAPE_DEFAULT,
): number {
  let value: number;
  switch (distribution) {
    case 'constant':
      return base;
    case 'uniform':
      value = base + sampleUniform(rng, -jitter, jitter);
      break;
    case 'normal':
      value = sampleNormal(rng, base, jitter);
      break;
    case 'exponential':
      value = base + sampleExponential(rng, jitter);
      break;
    case 'pareto': {
      // Pareto(xm, a) has mean a*xm/(a-1), so the excess over xm has mean xm/(a-1).
      const scale = jitter * (paretoShape - 1);
      value = base + (scale > 0 ? samplePareto(rng, scale, paretoShape) - scale : 0);
      break;
    }
  }
  return value > 0 ? value : 0;
}

/** Parameters of the Gilbert-Elliott model; probabilities are per packet. */
export interface GilbertElliottParams {
  /** Probability of moving from the good to the bad state (netem's p). */
  readonly goodToBad: number;
  /** Probability of moving from the bad to the good state (netem's r). */
  readonly badToGood: number;
  /** Loss probability in the good state (netem's 1-k). */
  readonly lossGood: number;
  /** Loss probability in the bad state (netem's 1-h). */
  readonly lossBad: number;
}

/**
 * Gilbert-Elliott burst loss: a two-state Markov chain stepped once per packet, losing packets
 * with the current state's loss probability. Two draws per packet (transition, then loss).
 */
export class GilbertElliott {
  /** True while in the bad (bursty) state. */
  bad = false;

  /** Steps the chain for one packet; returns true if that packet is lost. */
  step(rng: Random, params: GilbertElliottParams): boolean {
    const flip = rng.next();
    if (this.bad ? flip < params.badToGood : flip < params.goodToBad) this.bad = !this.bad;
    return rng.next() < (this.bad ? params.lossBad : params.lossGood);
  }

  /** Long-run loss rate of the chain: pi_bad * lossBad + pi_good * lossGood. */
  static steadyStateLoss(params: GilbertElliottParams): number {
    const total = params.goodToBad + params.badToGood;
    if (total === 0) return params.lossGood;
    const piBad = params.goodToBad / total;
    return piBad * params.lossBad + (1 - piBad) * params.lossGood;
  }
}
