// A tiny hand-advanced fake clock for unit tests of timed models (CPU, SSD): a sorted timer list,
// so every completion time is exact and no scheduler is involved.
import type { Clock, Timer } from '../../sim/core/env.js';

/** Timers fire in time order, ties in the order they were set. */
export class FakeClock implements Clock {
  now = 0;
  #seq = 0;
  #timers: { at: number; seq: number; id: number; fn: () => void }[] = [];
  nowNs(): number {
    return this.now;
  }
  setTimer(delayNs: number, fn: () => void): Timer {
    const entry = { at: this.now + delayNs, seq: this.#seq++, id: this.#seq, fn };
    this.#timers.push(entry);
    this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    return { id: entry.id };
  }
  clearTimer(timer: Timer): void {
    this.#timers = this.#timers.filter((entry) => entry.id !== timer.id);
  }
  get pending(): number {
    return this.#timers.length;
  }
  /** Runs timers due up to `untilNs` (all of them by default), then sets the time. */
  run(untilNs = Infinity): void {
    for (let next = this.#timers[0]; next !== undefined && next.at <= untilNs; next = this.#timers[0]) {
      this.#timers.shift();
      this.now = next.at;
      next.fn();
    }
    if (untilNs !== Infinity) this.now = untilNs;
  }
}
