// Batched CPU work, the way a kernel's io_work pass does it: a connection collects everything one
// pass handles (the PDUs decoded from one received chunk, the responses of one command), charges the
// pass's summed cost to its core as one Cpu work item, and handles the collected entries in order
// when that item runs. Linux nvme-tcp and nvmet-tcp work this way (drivers/nvme/host/tcp.c
// nvme_tcp_io_work and drivers/nvme/target/tcp.c nvmet_tcp_io_work loop over everything the socket
// has, then send everything queued), and one item per pass instead of one per PDU is also what keeps
// the simulator's event count per I/O low.
//
// Allocation-free on the hot path: WorkTally is one mutable Work per connection (Cpu.run reads a
// Work synchronously, when the item is submitted, so reusing the object is safe), and BatchFifo keeps
// the entries of passes that are charged but not yet run in FIFOs (fifo.ts). Passes of one connection
// run on one core in submission order, so the n-th item to run takes the n-th sealed batch.
import type { Work } from './env.js';
import { Fifo } from './fifo.js';

/** A Work being summed up for one pass; cleared after it is charged. */
export class WorkTally implements Work {
  pdus = 0;
  copyBytes = 0;
  crcBytes = 0;
  commands = 0;
  handoffs = 0;

  add(pdus: number, copyBytes: number, crcBytes: number, commands: number): void {
    this.pdus += pdus;
    this.copyBytes += copyBytes;
    this.crcBytes += crcBytes;
    this.commands += commands;
  }

  /** The pass starts with a hand-off to the io_work worker (Work.handoffs). */
  addHandoff(): void {
    this.handoffs++;
  }

  get empty(): boolean {
    return this.pdus === 0 && this.copyBytes === 0 && this.crcBytes === 0 && this.commands === 0 && this.handoffs === 0;
  }

  clear(): void {
    this.pdus = 0;
    this.copyBytes = 0;
    this.crcBytes = 0;
    this.commands = 0;
    this.handoffs = 0;
  }
}

/**
 * Entries of passes in FIFO order. The producer add()s entries to the open batch and seal()s it
 * when it charges the pass; the consumer, in the pass's item, calls begin() and then next() until
 * it returns undefined. An entry carries one boolean (e.g. "data digest OK") alongside. Batches of
 * one fifo are taken one at a time: a consumer must not begin() while another is still taking
 * (work items of one core never nest; a Cpu that runs work at once is called outside the loop).
 */
export class BatchFifo<T> {
  readonly #entries = new Fifo<T>();
  readonly #flags = new Fifo<boolean>();
  readonly #sizes = new Fifo<number>();
  #open = 0;
  #left = 0;
  /** The flag of the entry next() returned last. */
  flag = true;

  /** Entries in the batch not yet sealed. */
  get openSize(): number {
    return this.#open;
  }

  add(entry: T, flag = true): void {
    this.#entries.push(entry);
    this.#flags.push(flag);
    this.#open++;
  }

  /** Closes the open batch (possibly empty: a pass may cost CPU and carry no entries). */
  seal(): void {
    this.#sizes.push(this.#open);
    this.#open = 0;
  }

  /**
   * Starts on the oldest sealed batch and returns its size. What a previous batch's consumer left
   * untaken (it threw half-way) is dropped first, so one failure cannot shift later batches.
   */
  begin(): number {
    while (this.#left > 0) this.next();
    const size = this.#sizes.shift() ?? 0;
    this.#left = size;
    return size;
  }

  /** The next entry of the batch begun last, or undefined once it is exhausted. */
  next(): T | undefined {
    if (this.#left === 0) return undefined;
    this.#left--;
    this.flag = this.#flags.shift() ?? true;
    return this.#entries.shift();
  }
}
