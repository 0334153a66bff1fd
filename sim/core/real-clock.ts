// The wall clock: process.hrtime for now, Node timers for timers. The real-world Clock seam.
import type { Clock, Timer } from './env.js';

/** process.hrtime-based clock with Node timers. */
export class RealClock implements Clock {
  #timers = new Map<number, NodeJS.Timeout>();
  #nextId = 1;
  readonly #originNs = process.hrtime.bigint();

  nowNs(): number {
    return Number(process.hrtime.bigint() - this.#originNs);
  }

  setTimer(delayNs: number, callback: () => void): Timer {
    const id = this.#nextId++;
    const handle = setTimeout(() => {
      this.#timers.delete(id);
      callback();
    }, Math.max(0, Math.ceil(delayNs / 1e6)));
    this.#timers.set(id, handle);
    return { id };
  }

  clearTimer(timer: Timer): void {
    const handle = this.#timers.get(timer.id);
    if (handle !== undefined) {
      clearTimeout(handle);
      this.#timers.delete(timer.id);
    }
  }

  /** Cancels every pending timer (used on shutdown so the process can exit). */
  clearAll(): void {
    for (const handle of this.#timers.values()) clearTimeout(handle);
    this.#timers.clear();
  }
}
