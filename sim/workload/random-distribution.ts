// Where random I/O lands (fio random_distribution): uniform, or skewed so some blocks are hot.
// zipf:θ and pareto:h rank blocks by popularity and then scatter the ranks over the region with a
// permutation (fio hashes them), so hot blocks are not all at the start; normal:σ centres a Gaussian (σ as a
// percentage of the region) on the middle; zoned:A/R:... sends A% of I/Os to the next R% of the
// region. zipf follows Gray et al., "Quickly generating billion-record synthetic databases"
// (SIGMOD 1994), which fio also uses; like fio it sums zeta over at most 10 million ranks.
import type { Random } from '../core/index.js';

export type RandomDistributionSpec =
  | { readonly kind: 'random' }
  | { readonly kind: 'zipf'; readonly theta: number }
  | { readonly kind: 'pareto'; readonly h: number }
  | { readonly kind: 'normal'; readonly stddevPercent: number }
  | { readonly kind: 'zoned'; readonly zones: readonly { readonly accessPercent: number; readonly rangePercent: number }[] };

/** Draws a start position in [0, span) (in the engine's alignment units). */
export interface OffsetDistribution {
  draw(rng: Random): number;
}

const ZIPF_MAX_RANKS = 10_000_000;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * Spreads popularity ranks over [0, span) so hot blocks are scattered over the region rather than
 * packed at its start (fio hashes ranks for the same reason). An affine map with a multiplier
 * coprime to span is a permutation: every rank gets a block of its own.
 */
class RankScatter {
  readonly #span: number;
  readonly #chunks: readonly number[];
  readonly #shift: number;
  constructor(span: number) {
    this.#span = span;
    let multiplier = Math.max(1, Math.floor(span * 0.6180339887));
    while (gcd(multiplier, span) !== 1) multiplier++;
    // The multiplier in 16-bit chunks, high first: (rank * m) mod span without leaving 2^53.
    const chunks: number[] = [];
    for (let m = multiplier; m > 0; m = Math.floor(m / 0x1_0000)) chunks.unshift(m % 0x1_0000);
    this.#chunks = chunks;
    this.#shift = Math.floor(span * 0.3819660113);
  }
  place(rank: number): number {
    const span = this.#span;
    let product = 0;
    for (const chunk of this.#chunks) product = (product * 0x1_0000 + (rank % span) * chunk) % span;
    return (product + this.#shift) % span;
  }
}

class Uniform implements OffsetDistribution {
  constructor(readonly span: number) {}
  draw(rng: Random): number {
    return rng.int(this.span);
  }
}

class Zipf implements OffsetDistribution {
  readonly #scatter: RankScatter;
  readonly #ranks: number;
  readonly #theta: number;
  readonly #alpha: number;
  readonly #eta: number;
  readonly #zetan: number;
  constructor(span: number, theta: number) {
    this.#scatter = new RankScatter(span);
    this.#ranks = Math.min(span, ZIPF_MAX_RANKS);
    this.#theta = theta;
    let zetan = 0;
    for (let i = 1; i <= this.#ranks; i++) zetan += Math.pow(1 / i, theta);
    const zeta2 = 1 + Math.pow(0.5, theta);
    this.#zetan = zetan;
    this.#alpha = 1 / (1 - theta);
    this.#eta = (1 - Math.pow(2 / this.#ranks, 1 - theta)) / (1 - zeta2 / zetan);
  }
  draw(rng: Random): number {
    const u = rng.next();
    const uz = u * this.#zetan;
    let rank: number;
    if (uz < 1) rank = 0;
    else if (uz < 1 + Math.pow(0.5, this.#theta)) rank = 1;
    else rank = Math.min(this.#ranks - 1, Math.floor(this.#ranks * Math.pow(this.#eta * u - this.#eta + 1, this.#alpha)));
    return this.#scatter.place(rank);
  }
}

class Pareto implements OffsetDistribution {
  readonly #power: number;
  readonly #scatter: RankScatter;
  constructor(readonly span: number, h: number) {
    this.#scatter = new RankScatter(span);
    // h in (0, 1): the fraction of the region that takes 1 - h of the I/O is about h.
    this.#power = Math.log(h) / Math.log(1 - h);
  }
  draw(rng: Random): number {
    const rank = Math.min(this.span - 1, Math.floor(this.span * Math.pow(rng.next(), this.#power)));
    return this.#scatter.place(rank);
  }
}

class Normal implements OffsetDistribution {
  readonly #stddev: number;
  constructor(readonly span: number, stddevPercent: number) {
    this.#stddev = (span * stddevPercent) / 100;
  }
  draw(rng: Random): number {
    // Box-Muller; draws outside the region are redrawn, so the shape stays a truncated Gaussian.
    for (;;) {
      const r = Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
      const x = Math.floor(this.span / 2 + r * this.#stddev);
      if (x >= 0 && x < this.span) return x;
    }
  }
}

class Zoned implements OffsetDistribution {
  readonly #zones: { cumulative: number; start: number; length: number }[] = [];
  constructor(readonly span: number, zones: readonly { readonly accessPercent: number; readonly rangePercent: number }[]) {
    let access = 0;
    let range = 0;
    for (const zone of zones) {
      const start = Math.floor((span * range) / 100);
      range += zone.rangePercent;
      const end = Math.max(start + 1, Math.min(span, Math.floor((span * range) / 100)));
      access += zone.accessPercent;
      this.#zones.push({ cumulative: access / 100, start: Math.min(start, span - 1), length: Math.max(1, end - Math.min(start, span - 1)) });
    }
  }
  draw(rng: Random): number {
    const u = rng.next();
    const zone = this.#zones.find((z) => u < z.cumulative) ?? this.#zones[this.#zones.length - 1];
    if (zone === undefined) return rng.int(this.span);
    return Math.min(this.span - 1, zone.start + rng.int(zone.length));
  }
}

/** The distribution over `span` positions. */
export function offsetDistribution(spec: RandomDistributionSpec, span: number): OffsetDistribution {
  switch (spec.kind) {
    case 'random':
      return new Uniform(span);
    case 'zipf':
      return new Zipf(span, spec.theta);
    case 'pareto':
      return new Pareto(span, spec.h);
    case 'normal':
      return new Normal(span, spec.stddevPercent);
    case 'zoned':
      return new Zoned(span, spec.zones);
  }
}
