// A Cpu fake that records every work item it is given (core, the Work as it was when submitted, and
// whether its callback has run) so tests can see how work is batched into items. While `hold` is
// false it runs each item at once, like the real-machine Cpu; while true it keeps them in FIFO order
// until runHeld(), like a busy simulated core.
import type { Cpu, Work } from '../../sim/core/env.js';

export interface RecordedWork {
  readonly pdus: number;
  readonly copyBytes: number;
  readonly crcBytes: number;
  readonly commands: number;
}

export interface RecordedItem {
  readonly index: number;
  readonly core: number;
  readonly work: RecordedWork;
  ran: boolean;
}

export class RecordingCpu implements Cpu {
  readonly cores: number;
  readonly items: RecordedItem[] = [];
  hold = false;
  /** The item whose callback is running, or undefined. */
  running: RecordedItem | undefined;
  readonly #held: { item: RecordedItem; fn: () => void }[] = [];

  constructor(cores = 4) {
    this.cores = cores;
  }

  run(core: number, work: Work, fn: () => void): void {
    // Copied now: callers may reuse one mutable Work for every item.
    const item: RecordedItem = {
      index: this.items.length,
      core,
      work: { pdus: work.pdus ?? 0, copyBytes: work.copyBytes ?? 0, crcBytes: work.crcBytes ?? 0, commands: work.commands ?? 0 },
      ran: false,
    };
    this.items.push(item);
    if (this.hold) this.#held.push({ item, fn });
    else this.#execute(item, fn);
  }

  /** Items recorded since `mark` (an earlier items.length). */
  since(mark: number): RecordedItem[] {
    return this.items.slice(mark);
  }

  /** Runs held items in order, including those they submit, until none is left. */
  runHeld(): void {
    for (let next = this.#held.shift(); next !== undefined; next = this.#held.shift()) this.#execute(next.item, next.fn);
  }

  #execute(item: RecordedItem, fn: () => void): void {
    const outer = this.running;
    this.running = item;
    try {
      fn();
    } finally {
      item.ran = true;
      this.running = outer;
    }
  }
}
