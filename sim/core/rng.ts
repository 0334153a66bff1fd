// Named, seeded random streams. Each stream is seeded from (run seed, stream name), so adding a
// component (a new stream) never shifts the draws of any other component.
import seedrandom from 'seedrandom';
import type { Random, RngSource } from './env.js';

class SeededRandom implements Random {
  readonly #prng: seedrandom.PRNG;
  constructor(seed: string) {
    // alea is fast and passes the usual statistical batteries; its state is small.
    this.#prng = seedrandom.alea(seed);
  }
  next(): number {
    return this.#prng();
  }
  int(n: number): number {
    return Math.floor(this.#prng() * n);
  }
}

export class SeededRngSource implements RngSource {
  readonly seed: string;
  readonly #streams = new Map<string, Random>();
  constructor(seed: string | number) {
    this.seed = String(seed);
  }
  /** The same name always returns the same stream object within one source. */
  stream(name: string): Random {
    let stream = this.#streams.get(name);
    if (stream === undefined) {
      stream = new SeededRandom(`${this.seed}/${name}`);
      this.#streams.set(name, stream);
    }
    return stream;
  }
}
