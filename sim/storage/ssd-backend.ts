// A simulated NVMe SSD in simulated time. The model, deliberately small:
// - Service stage: at most `channels` commands are in service at once (the drive's internal
//   parallelism over channels and dies); the rest wait in one FIFO. A read's service time is drawn
//   from `readLatency`, a media write's (or a destage's) from `writeLatency`.
// - Transfer stage: one serial pipe of `bandwidthBytesPerS` that every data transfer crosses in
//   FIFO order (write data before service, read data after it); 0 means no cap.
// - Volatile write cache of `writeCacheBytes`: a write that fits completes after
//   `cacheWriteLatencyUs` and is destaged to media in the background through the service stage;
//   a write that does not fit waits (FIFO) for room. Flush completes once every write accepted
//   before it is destaged. With the cache off, writes complete after media service.
// - Write Zeroes and Deallocate are media operations priced like a write.
// Data lives in a RamBackend, so reads return what was written (written when a write completes to
// the host), unless `retainData` is off: then writes are dropped and reads return zeroes
// (discarded-data.ts), for runs in which nothing reads data back. Reads do not hit the write cache (a simplification: they always pay media latency).
// Every completion runs from a clock timer, never inside the call that submitted the command.
// Hot path: on a SimClock the stages are scheduled with callLater and the op itself as the event's
// argument (no Timer, no closure per stage); close() then works through a flag the events check.
import type { Clock, Random, Timer } from '../core/index.js';
import { NS_PER_S, NS_PER_US } from '../core/index.js';
import { SimClock } from '../core/index.js';
import type { BackendCallback, BackendReadCallback, BlockBackend } from './backend.js';
import { checkRange, checkRanges, STATUS_SUCCESS } from './backend-status.js';
import { Fifo } from '../core/index.js';
import { sampleLatencyNs } from './latency.js';
import type { DeviceData } from './device-data.js';
import { DiscardedData } from './discarded-data.js';
import { RamBackend } from './ram-backend.js';
import { SSD_DEFAULTS, type SsdOptions } from './ssd-options.js';

export interface SsdBackendOptions extends Partial<SsdOptions> {
  /** LBA size: 512 (default) or 4096. */
  readonly blockSize?: number;
  /**
   * Keep written data so that reads return it (default true). A run that never reads data back
   * (no verify, no real peer) turns this off and keeps memory flat under writes.
   */
  readonly retainData?: boolean;
}

/**
 * Allocation unit of retained data: one 4 KiB page, so that random 4 KiB writes over a large
 * namespace cost what they write (a 1 MiB unit cost 256 times that).
 */
const SSD_DATA_CHUNK_BYTES = 4096;

/** Counters for reports and tests. */
export interface SsdStats {
  reads: number;
  writes: number;
  flushes: number;
  /** Writes that completed from the write cache. */
  cachedWrites: number;
  /** Background destages that finished. */
  destages: number;
  /** Highest number of commands in service at once. */
  maxInService: number;
  /** Highest number of commands waiting for a channel at once. */
  maxQueued: number;
  /** Bytes that crossed the host interface (read and write data). */
  bytesTransferred: number;
}

const OP_READ = 0;
const OP_WRITE = 1;
const OP_DESTAGE = 2;
const OP_ZEROES = 3;
const OP_DEALLOCATE = 4;

interface Op {
  readonly ssd: SsdBackend;
  readonly kind: number;
  readonly offset: number;
  readonly length: number;
  readonly data: Uint8Array | undefined;
  readonly ranges: readonly { offset: number; length: number }[] | undefined;
  readonly callback: BackendCallback | undefined;
  readonly readCallback: BackendReadCallback | undefined;
  /** Destage sequence number (OP_DESTAGE only). */
  readonly seq: number;
}

interface FlushWaiter {
  /** The flush covers cached writes with seq <= this. */
  readonly lastSeq: number;
  readonly callback: BackendCallback;
}

export class SsdBackend implements BlockBackend {
  readonly kind = 'ssd';
  readonly sizeBytes: number;
  readonly blockSize: number;
  readonly options: SsdOptions;
  readonly stats: SsdStats = {
    reads: 0,
    writes: 0,
    flushes: 0,
    cachedWrites: 0,
    destages: 0,
    maxInService: 0,
    maxQueued: 0,
    bytesTransferred: 0,
  };
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #data: DeviceData;
  readonly #queue = new Fifo<Op>();
  #inService = 0;
  /** ∫ inService dt in command·ns up to #inServiceSinceNs (channel occupancy over time). */
  #inServiceNs = 0;
  #inServiceSinceNs = 0;
  /** Simulated time at which the serial transfer stage is next free. */
  #transferFreeAtNs = 0;
  #cacheDirtyBytes = 0;
  /** Writes waiting for cache room, in arrival order. */
  readonly #cacheWaiters = new Fifo<Op>();
  #nextSeq = 1;
  /** Sequence numbers of cached writes not yet destaged. */
  readonly #undestaged = new Set<number>();
  #flushWaiters: FlushWaiter[] = [];
  /** Timers of a clock that is not a SimClock, so that close() can clear them. */
  readonly #timers = new Set<Timer>();
  /** The clock as a SimClock (the fast path), or null. */
  readonly #simClock: SimClock | null;
  #closed = false;

  constructor(sizeBytes: number, clock: Clock, random: Random, options: SsdBackendOptions = {}) {
    const { blockSize = 512, retainData = true, ...ssd } = options;
    this.#data = retainData
      ? new RamBackend(sizeBytes, { blockSize, chunkBytes: Math.max(blockSize, SSD_DATA_CHUNK_BYTES) })
      : new DiscardedData(sizeBytes, blockSize);
    this.sizeBytes = sizeBytes;
    this.blockSize = blockSize;
    this.options = { ...SSD_DEFAULTS, ...ssd };
    if (!Number.isInteger(this.options.channels) || this.options.channels < 1) {
      throw new RangeError(`ssd backend: channels ${this.options.channels} is not a whole number of at least 1`);
    }
    this.#clock = clock;
    this.#simClock = clock instanceof SimClock ? clock : null;
    this.#random = random;
  }

  /** Channel time spent serving commands so far, in channel·ns (occupancy = its rate / channels). */
  get channelBusyNs(): number {
    return this.#inServiceNs + this.#inService * (this.#clock.nowNs() - this.#inServiceSinceNs);
  }

  /** Commands in service now (never more than `channels`). */
  get inService(): number {
    return this.#inService;
  }

  /** Commands waiting for a channel now. */
  get queued(): number {
    return this.#queue.length;
  }

  /** True when the drive has a volatile write cache (what Identify Controller VWC reports). */
  get volatileWriteCache(): boolean {
    return this.options.writeCacheBytes > 0;
  }

  /** Bytes in the write cache not yet destaged to media. */
  get cacheDirtyBytes(): number {
    return this.#cacheDirtyBytes;
  }

  read(offset: number, length: number, callback: BackendReadCallback): void {
    const status = checkRange(offset, length, this.sizeBytes, this.blockSize);
    if (status !== STATUS_SUCCESS) return this.#afterThunk(0, () => callback(status, undefined));
    this.stats.reads++;
    this.#enqueue(makeOp(this, OP_READ, offset, length, undefined, undefined, undefined, callback, 0));
  }

  write(offset: number, data: Uint8Array, callback: BackendCallback): void {
    const status = checkRange(offset, data.length, this.sizeBytes, this.blockSize);
    if (status !== STATUS_SUCCESS) return this.#afterThunk(0, () => callback(status));
    this.stats.writes++;
    const op = makeOp(this, OP_WRITE, offset, data.length, data, undefined, callback, undefined, 0);
    // Write data crosses the host interface before the drive can do anything with it.
    this.#transfer(data.length, SsdBackend.#writeArrivedEvent, op);
  }

  flush(callback: BackendCallback): void {
    this.stats.flushes++;
    if (this.#undestaged.size === 0) return this.#finishFlush(callback);
    this.#flushWaiters.push({ lastSeq: this.#nextSeq - 1, callback });
  }

  writeZeroes(offset: number, length: number, callback: BackendCallback): void {
    const status = checkRange(offset, length, this.sizeBytes, this.blockSize);
    if (status !== STATUS_SUCCESS) return this.#afterThunk(0, () => callback(status));
    this.#enqueue(makeOp(this, OP_ZEROES, offset, length, undefined, undefined, callback, undefined, 0));
  }

  deallocate(ranges: readonly { offset: number; length: number }[], callback: BackendCallback): void {
    const status = checkRanges(ranges, this.sizeBytes, this.blockSize);
    if (status !== STATUS_SUCCESS) return this.#afterThunk(0, () => callback(status));
    this.#enqueue(makeOp(this, OP_DEALLOCATE, 0, 0, undefined, ranges, callback, undefined, 0));
  }

  /** Cancels pending work (callbacks of in-flight commands never run) and frees the data. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers) this.#clock.clearTimer(timer);
    this.#timers.clear();
    await this.#data.close();
  }

  #writeArrived(op: Op): void {
    const cacheBytes = this.options.writeCacheBytes;
    // No cache, or a write larger than the whole cache: write through to media.
    if (cacheBytes === 0 || op.length > cacheBytes) return this.#enqueue(op);
    if (this.#cacheWaiters.length === 0 && this.#cacheDirtyBytes + op.length <= cacheBytes) {
      this.#acceptIntoCache(op);
    } else {
      this.#cacheWaiters.push(op);
    }
  }

  #acceptIntoCache(op: Op): void {
    this.#cacheDirtyBytes += op.length;
    const seq = this.#nextSeq++;
    this.#undestaged.add(seq);
    this.#after(Math.round(this.options.cacheWriteLatencyUs * NS_PER_US), SsdBackend.#cachedWriteDoneEvent, op);
    this.#enqueue(makeOp(this, OP_DESTAGE, op.offset, op.length, undefined, undefined, undefined, undefined, seq));
  }

  #enqueue(op: Op): void {
    this.#queue.push(op);
    if (this.#queue.length > this.stats.maxQueued) this.stats.maxQueued = this.#queue.length;
    this.#startService();
  }

  #startService(): void {
    while (this.#inService < this.options.channels && this.#queue.length > 0) {
      const op = this.#queue.shift() as Op;
      this.#settleInService();
      this.#inService++;
      if (this.#inService > this.stats.maxInService) this.stats.maxInService = this.#inService;
      const distribution = op.kind === OP_READ ? this.options.readLatency : this.options.writeLatency;
      this.#after(sampleLatencyNs(distribution, this.#random), SsdBackend.#serviceDoneEvent, op);
    }
  }

  #serviceDone(op: Op): void {
    this.#settleInService();
    this.#inService--;
    switch (op.kind) {
      case OP_READ:
        // Read data crosses the host interface after the media read.
        this.#transfer(op.length, SsdBackend.#readTransferredEvent, op);
        break;
      case OP_WRITE:
        op.callback?.(this.#data.writeNow(op.offset, op.data ?? new Uint8Array(0)));
        break;
      case OP_DESTAGE:
        this.#destaged(op);
        break;
      case OP_ZEROES:
        op.callback?.(this.#data.zeroNow(op.offset, op.length));
        break;
      case OP_DEALLOCATE:
        for (const range of op.ranges ?? []) this.#data.zeroNow(range.offset, range.length);
        op.callback?.(STATUS_SUCCESS);
        break;
    }
    this.#startService();
  }

  #destaged(op: Op): void {
    this.stats.destages++;
    this.#cacheDirtyBytes -= op.length;
    this.#undestaged.delete(op.seq);
    // Admit waiting writes in order while they fit.
    for (let next = this.#cacheWaiters.peek(); next !== undefined; next = this.#cacheWaiters.peek()) {
      if (this.#cacheDirtyBytes + next.length > this.options.writeCacheBytes) break;
      this.#cacheWaiters.shift();
      this.#acceptIntoCache(next);
    }
    if (this.#flushWaiters.length > 0) this.#releaseFlushes();
  }

  #releaseFlushes(): void {
    let oldest = Infinity;
    for (const seq of this.#undestaged) if (seq < oldest) oldest = seq;
    const waiting: FlushWaiter[] = [];
    for (const waiter of this.#flushWaiters) {
      if (waiter.lastSeq < oldest) this.#finishFlush(waiter.callback);
      else waiting.push(waiter);
    }
    this.#flushWaiters = waiting;
  }

  #finishFlush(callback: BackendCallback): void {
    this.#afterThunk(Math.round(this.options.flushLatencyUs * NS_PER_US), () => callback(STATUS_SUCCESS));
  }

  /** Moves `bytes` through the serial transfer stage, then runs next(op). */
  #settleInService(): void {
    const now = this.#clock.nowNs();
    this.#inServiceNs += this.#inService * (now - this.#inServiceSinceNs);
    this.#inServiceSinceNs = now;
  }

  #transfer(bytes: number, next: (op: Op) => void, op: Op): void {
    this.stats.bytesTransferred += bytes;
    const bandwidth = this.options.bandwidthBytesPerS;
    if (bandwidth <= 0) return next(op);
    const now = this.#clock.nowNs();
    const start = Math.max(now, this.#transferFreeAtNs);
    this.#transferFreeAtNs = start + Math.ceil((bytes * NS_PER_S) / bandwidth);
    this.#after(this.#transferFreeAtNs - now, next, op);
  }

  /**
   * Runs fn(arg) after `delayNs` of simulated time. fn must return at once if the drive was closed
   * (on a SimClock nothing is cancelled; on another clock close() clears the timer).
   */
  #after<T>(delayNs: number, fn: (arg: T) => void, arg: T): void {
    const simClock = this.#simClock;
    if (simClock !== null) {
      simClock.callLater(delayNs, fn, arg);
      return;
    }
    const timer = this.#clock.setTimer(delayNs, () => {
      this.#timers.delete(timer);
      fn(arg);
    });
    this.#timers.add(timer);
  }

  /** #after for the rare paths (errors, flush), with a closure. */
  #afterThunk(delayNs: number, fn: () => void): void {
    this.#after(delayNs, SsdBackend.#runThunkEvent, { ssd: this, fn });
  }

  // The events. Each is static so that scheduling one allocates nothing; each does nothing once the
  // drive is closed (callbacks of in-flight commands never run).

  static #runThunkEvent(thunk: { readonly ssd: SsdBackend; readonly fn: () => void }): void {
    if (!thunk.ssd.#closed) thunk.fn();
  }

  static #serviceDoneEvent(op: Op): void {
    if (!op.ssd.#closed) op.ssd.#serviceDone(op);
  }

  static #readTransferredEvent(op: Op): void {
    const ssd = op.ssd;
    if (ssd.#closed) return;
    op.readCallback?.(STATUS_SUCCESS, ssd.#data.readNow(op.offset, op.length));
  }

  static #writeArrivedEvent(op: Op): void {
    if (!op.ssd.#closed) op.ssd.#writeArrived(op);
  }

  static #cachedWriteDoneEvent(op: Op): void {
    const ssd = op.ssd;
    if (ssd.#closed) return;
    ssd.#data.writeNow(op.offset, op.data ?? new Uint8Array(0));
    ssd.stats.cachedWrites++;
    op.callback?.(STATUS_SUCCESS);
  }
}

function makeOp(
  ssd: SsdBackend,
  kind: number,
  offset: number,
  length: number,
  data: Uint8Array | undefined,
  ranges: readonly { offset: number; length: number }[] | undefined,
  callback: BackendCallback | undefined,
  readCallback: BackendReadCallback | undefined,
  seq: number,
): Op {
  // One object shape for every op keeps the hot path monomorphic.
  return { ssd, kind, offset, length, data, ranges, callback, readCallback, seq };
}
