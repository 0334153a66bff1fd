// What a verifying job knows about its region: per unit (the job's minimum block size), the
// generation last written there and whether an I/O touching it is in flight. Three bytes a unit.
// Generation 0 means "content unknown" (never written, or the write failed), so reads of it are
// not checked; generations run 1..65535 and wrap, which is ample to catch a stale block.

const GENERATION_MAX = 0xffff;

export class WrittenMap {
  readonly units: number;
  readonly #generations: Uint16Array;
  readonly #busy: Uint8Array;

  constructor(units: number) {
    this.units = units;
    this.#generations = new Uint16Array(units);
    this.#busy = new Uint8Array(units);
  }

  generation(unit: number): number {
    return this.#generations[unit] ?? 0;
  }

  /** True when no I/O touching units [first, first+count) is in flight. */
  isFree(first: number, count: number): boolean {
    const busy = this.#busy;
    for (let u = first; u < first + count; u++) if (busy[u] !== 0) return false;
    return true;
  }

  /** Marks units in flight; verification keeps I/Os to a unit exclusive so results are defined. */
  lock(first: number, count: number): void {
    this.#busy.fill(1, first, first + count);
  }

  unlock(first: number, count: number): void {
    this.#busy.fill(0, first, first + count);
  }

  /** Advances the generation of each unit about to be written. */
  advance(first: number, count: number): void {
    const gens = this.#generations;
    for (let u = first; u < first + count; u++) gens[u] = ((gens[u] ?? 0) % GENERATION_MAX) + 1;
  }

  /** Forgets what units hold (a failed write may have landed partly). */
  forget(first: number, count: number): void {
    this.#generations.fill(0, first, first + count);
  }

  /**
   * The next run of written units at or after `from`, at most `maxUnits` long, as [first, count];
   * undefined when none remain. Used for the read-back pass.
   */
  nextWrittenRun(from: number, maxUnits: number): [number, number] | undefined {
    const gens = this.#generations;
    let first = from;
    while (first < this.units && gens[first] === 0) first++;
    if (first >= this.units) return undefined;
    let count = 1;
    while (count < maxUnits && first + count < this.units && gens[first + count] !== 0) count++;
    return [first, count];
  }
}
