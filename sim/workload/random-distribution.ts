// Where random I/O lands (fio random_distribution): uniform, or skewed so some blocks are hot.
// zipf:θ and pareto:h rank blocks by popularity and then scatter the ranks over the region with a
// hash, as fio does, so hot blocks are not all at the start; normal:σ centres a Gaussian (σ as a
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

/** A 64-bit-ish multiplicative scatter of a rank over [0, span), stable for a given span. */
function scatter(rank: number, span: number): number {
  const lo = Math.imul(rank >>> 0, 0x9e3779b1) >>> 0;
  const hi = Math.imul(Math.floor(rank / 0x1_0000_0000) ^ (lo >>> 13), 0x85ebca6b) >>> 0;
  return (hi * 0x1_0000_0000 + lo) % span;
}

class Uniform implements OffsetDistribution {
  constructor(readonly span: number) {}
  draw(rng: Random): number {
    return rng.int(this.span);
  }
}

class Zipf implements OffsetDistribution {
  readonly #span: number;
  readonly #ranks: number;
  readonly #theta: number;
  readonly #alpha: number;
  readonly #eta: number;
  readonly #zetan: number;
  constructor(span: number, theta: number) {
    this.#span = span;
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
    return scatter(rank, this.#span);
  }
}

class Pareto implements OffsetDistribution {
  readonly #power: number;
  constructor(readonly span: number, h: number) {
    // h in (0, 1): the fraction of the region that takes 1 - h of the I/O is about h.
    this.#power = Math.log(h) / Math.log(1 - h);
  }
  draw(rng: Random): number {
    const rank = Math.min(this.span - 1, Math.floor(this.span * Math.pow(rng.next(), this.#power)));
    return scatter(rank, this.span);
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
