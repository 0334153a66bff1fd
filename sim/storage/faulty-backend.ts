// Fault injection around any BlockBackend, for scenarios that change a device's health mid-run:
// added latency, a slow device (the inner backend's own time multiplied), random errors at a rate,
// errors for an LBA range (a bad region), and whole-device failure until repaired. All knobs are
// off by default and can be changed at any time; a change affects commands submitted or completing
// after it. Injected errors do not execute the command (a failed write leaves the data unchanged).
// Randomness comes only from the Random passed in, and a draw is made only while a rate is set.
import type { Clock, Random } from '../core/index.js';
import { NS_PER_US } from '../core/index.js';
import type { BackendCallback, BackendReadCallback, BackendStatus, BlockBackend } from './backend.js';
import {
  STATUS_INTERNAL_ERROR,
  STATUS_SUCCESS,
  STATUS_UNRECOVERED_READ_ERROR,
  STATUS_WRITE_FAULT,
} from './backend-status.js';

/** Which commands a fault applies to. */
export type FaultOp = 'read' | 'write' | 'all';

/** A bad region: commands touching [offset, offset + length) fail with `status`. */
export interface BadRange {
  readonly offset: number;
  readonly length: number;
  /** Default: Unrecovered Read Error for reads, Write Fault for writes, Internal Error otherwise. */
  readonly status?: BackendStatus;
  /** Default 'all'. */
  readonly op?: FaultOp;
}

/** Counters of what was injected, for reports and tests. */
export interface FaultStats {
  randomErrors: number;
  rangeErrors: number;
  failedCommands: number;
}

const KIND_READ = 0;
const KIND_WRITE = 1;
const KIND_OTHER = 2;

export class FaultyBackend implements BlockBackend {
  readonly inner: BlockBackend;
  readonly stats: FaultStats = { randomErrors: 0, rangeErrors: 0, failedCommands: 0 };
  readonly #clock: Clock;
  readonly #random: Random;
  #addedLatencyNs = 0;
  #latencyMultiplier = 1;
  #errorRate = 0;
  #errorStatus: BackendStatus | undefined;
  #errorOp: FaultOp = 'all';
  #badRanges: BadRange[] = [];
  #failedStatus: BackendStatus | undefined;

  constructor(inner: BlockBackend, clock: Clock, random: Random) {
    this.inner = inner;
    this.#clock = clock;
    this.#random = random;
  }

  get kind(): string {
    return this.inner.kind;
  }
  get sizeBytes(): number {
    return this.inner.sizeBytes;
  }
  get blockSize(): number {
    return this.inner.blockSize;
  }

  /** Adds `us` microseconds to every completion (0 turns it off). */
  setAddedLatency(us: number): void {
    if (!(us >= 0)) throw new RangeError(`added latency ${us} µs is negative`);
    this.#addedLatencyNs = Math.round(us * NS_PER_US);
  }

  /**
   * Slow device: each command takes `multiplier` times as long as the inner backend took (1 = off).
   * It scales measured time, so it only slows backends that take time (ssd, file); use
   * setAddedLatency for instant ones (null, ram).
   */
  setSlow(multiplier: number): void {
    if (!(multiplier >= 1)) throw new RangeError(`latency multiplier ${multiplier} is below 1`);
    this.#latencyMultiplier = multiplier;
  }

  /** Fails a fraction `rate` of commands of kind `op` with `status` (default per kind; 0 = off). */
  setErrorRate(rate: number, options: { readonly status?: BackendStatus; readonly op?: FaultOp } = {}): void {
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`error rate ${rate} is not in [0, 1]`);
    this.#errorRate = rate;
    this.#errorStatus = options.status;
    this.#errorOp = options.op ?? 'all';
  }

  /** Adds a bad region. */
  addBadRange(range: BadRange): void {
    this.#badRanges = [...this.#badRanges, range];
  }

  /** Removes every bad region. */
  clearBadRanges(): void {
    this.#badRanges = [];
  }

  /** Device failure: every command (and every completion still in flight) fails with `status`. */
  fail(status: BackendStatus = STATUS_INTERNAL_ERROR): void {
    this.#failedStatus = status;
  }

  /** Ends a device failure. */
  repair(): void {
    this.#failedStatus = undefined;
  }

  get failed(): boolean {
    return this.#failedStatus !== undefined;
  }

  read(offset: number, length: number, callback: BackendReadCallback): void {
    const injected = this.#inject(KIND_READ, offset, length);
    if (injected !== STATUS_SUCCESS) return this.#after(0, () => callback(injected, undefined));
    const startNs = this.#clock.nowNs();
    this.inner.read(offset, length, (status, data) => {
      const final = this.#onCompletion(status);
      const delayNs = this.#extraNs(startNs);
      // The common case (no fault with time attached) completes at once, with no second closure.
      if (delayNs <= 0 && this.#addedLatencyNs === 0) callback(final, final === STATUS_SUCCESS ? data : undefined);
      else this.#after(delayNs, () => callback(final, final === STATUS_SUCCESS ? data : undefined));
    });
  }

  write(offset: number, data: Uint8Array, callback: BackendCallback): void {
    const injected = this.#inject(KIND_WRITE, offset, data.length);
    if (injected !== STATUS_SUCCESS) return this.#after(0, () => callback(injected));
    this.#wrap(callback, (done) => this.inner.write(offset, data, done));
  }

  flush(callback: BackendCallback): void {
    const injected = this.#inject(KIND_OTHER, 0, 0);
    if (injected !== STATUS_SUCCESS) return this.#after(0, () => callback(injected));
    this.#wrap(callback, (done) => this.inner.flush(done));
  }

  writeZeroes(offset: number, length: number, callback: BackendCallback): void {
    const injected = this.#inject(KIND_WRITE, offset, length);
    if (injected !== STATUS_SUCCESS) return this.#after(0, () => callback(injected));
    this.#wrap(callback, (done) => this.inner.writeZeroes(offset, length, done));
  }

  deallocate(ranges: readonly { offset: number; length: number }[], callback: BackendCallback): void {
    let injected = this.#inject(KIND_OTHER, 0, 0);
    for (const range of ranges) {
      if (injected !== STATUS_SUCCESS) break;
      injected = this.#rangeStatus(KIND_WRITE, range.offset, range.length);
    }
    if (injected !== STATUS_SUCCESS) return this.#after(0, () => callback(injected));
    this.#wrap(callback, (done) => this.inner.deallocate(ranges, done));
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  #wrap(callback: BackendCallback, submit: (done: BackendCallback) => void): void {
    const startNs = this.#clock.nowNs();
    submit((status) => {
      const final = this.#onCompletion(status);
      this.#after(this.#extraNs(startNs), () => callback(final));
    });
  }

  /** Status a fault imposes on a new command, or 0 to let it through. */
  #inject(kind: number, offset: number, length: number): BackendStatus {
    if (this.#failedStatus !== undefined) {
      this.stats.failedCommands++;
      return this.#failedStatus;
    }
    if (this.#errorRate > 0 && applies(this.#errorOp, kind) && this.#random.next() < this.#errorRate) {
      this.stats.randomErrors++;
      return this.#errorStatus ?? defaultStatus(kind);
    }
    return length > 0 ? this.#rangeStatus(kind, offset, length) : STATUS_SUCCESS;
  }

  #rangeStatus(kind: number, offset: number, length: number): BackendStatus {
    for (const range of this.#badRanges) {
      const overlaps = offset < range.offset + range.length && range.offset < offset + length;
      if (overlaps && applies(range.op ?? 'all', kind)) {
        this.stats.rangeErrors++;
        return range.status ?? defaultStatus(kind);
      }
    }
    return STATUS_SUCCESS;
  }

  /** A device that failed while the command was in flight fails the command too. */
  #onCompletion(status: BackendStatus): BackendStatus {
    if (this.#failedStatus === undefined) return status;
    this.stats.failedCommands++;
    return this.#failedStatus;
  }

  #extraNs(startNs: number): number {
    const tookNs = this.#clock.nowNs() - startNs;
    return this.#addedLatencyNs + Math.round(tookNs * (this.#latencyMultiplier - 1));
  }

  #after(delayNs: number, fn: () => void): void {
    // Faults with no time attached keep the inner backend's timing (and synchronous completion).
    if (delayNs <= 0 && this.#addedLatencyNs === 0) return fn();
    this.#clock.setTimer(Math.max(delayNs, this.#addedLatencyNs), fn);
  }
}

function applies(op: FaultOp, kind: number): boolean {
  return op === 'all' || (op === 'read' ? kind === KIND_READ : kind === KIND_WRITE);
}

function defaultStatus(kind: number): BackendStatus {
  if (kind === KIND_READ) return STATUS_UNRECOVERED_READ_ERROR;
  if (kind === KIND_WRITE) return STATUS_WRITE_FAULT;
  return STATUS_INTERNAL_ERROR;
}
