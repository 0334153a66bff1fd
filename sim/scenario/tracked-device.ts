// The runner's view of every I/O: a WorkloadDevice that sits between the workload engine and a
// host's BlockDevice and accounts for each I/O exactly once. It checks the safety half of the
// invariants as I/Os complete (no completion without a submission, no second completion, no
// resubmission while in flight), and keeps the run's streaming statistics: counts per I/O queue
// and an HDR latency histogram per host. Nothing is kept per I/O, so memory is flat however long
// the run: the engine reuses one completion callback per outstanding-I/O slot, and the tracker
// keeps one small record per slot, keyed by that callback.
import type { Clock } from '../core/index.js';
import type { Fingerprint } from '../core/index.js';
import type { BlockDevice } from '../host/index.js';
import { LatencyHistogram } from '../stats/index.js';
import type { WorkloadDevice, WorkloadIo, WorkloadIoCallback } from '../workload/index.js';
import type { IoObserver } from './io-observer.js';

/** Fingerprint tag for an I/O completion (distinct from the network's tags 1..4). */
const FP_IO_DONE = 0x10;

/** Counters of one host over all its incarnations. */
export class HostIoStats {
  submitted = 0;
  /** Completed with status 0. */
  succeeded = 0;
  /** Completed with an error status. */
  failed = 0;
  /** Submitted and not yet completed. */
  outstanding = 0;
  /** In flight when the host crashed: neither completed nor failed, because the process died. */
  lostInCrash = 0;
  bytes = 0;
  /** Clock time of the first submission and of the last completion (-1: none yet). */
  firstSubmitNs = -1;
  lastCompletionNs = -1;
  /** Safety violations seen (second completions, completions of unknown I/Os, resubmissions). */
  violations = 0;
  firstViolation: string | undefined;
  /** Successful I/Os per I/O queue index (0-based; queue ID = index + 1). */
  readonly perQueue: number[];
  /** Completion latency of successful I/Os. */
  readonly latency = new LatencyHistogram();
  /** Status and time of the first failed I/O. */
  firstFailure: { readonly status: number; readonly atNs: number } | undefined;
  /** Sees every I/O as it is accounted (the run's time series); null: nobody. */
  observer: IoObserver | null = null;

  constructor(queues: number) {
    this.perQueue = new Array<number>(queues).fill(0);
  }

  violation(detail: string): void {
    this.violations++;
    this.firstViolation ??= detail;
  }
}

interface SlotRecord {
  inflight: boolean;
  startNs: number;
  queue: number;
  length: number;
  readonly callback: WorkloadIoCallback;
  readonly wrapped: WorkloadIoCallback;
}

export class TrackedDevice implements WorkloadDevice {
  readonly #inner: BlockDevice;
  readonly #clock: Clock;
  readonly #stats: HostIoStats;
  readonly #fingerprint: Fingerprint;
  readonly #hostIndex: number;
  readonly #queues: number;
  readonly #onSuccess: () => void;
  readonly #slots = new Map<WorkloadIoCallback, SlotRecord>();
  /** Set when the host crashed: this incarnation's I/Os are written off. */
  #dead = false;

  constructor(
    inner: BlockDevice,
    clock: Clock,
    stats: HostIoStats,
    fingerprint: Fingerprint,
    hostIndex: number,
    onSuccess: () => void,
  ) {
    this.#inner = inner;
    this.#clock = clock;
    this.#stats = stats;
    this.#fingerprint = fingerprint;
    this.#hostIndex = hostIndex;
    this.#queues = stats.perQueue.length;
    this.#onSuccess = onSuccess;
  }

  get blockSize(): number {
    return this.#inner.blockSize;
  }

  get sizeBytes(): number {
    return this.#inner.sizeBytes;
  }

  submit(io: WorkloadIo, callback: WorkloadIoCallback): void {
    let record = this.#slots.get(callback);
    if (record === undefined) {
      const created: SlotRecord = {
        inflight: false,
        startNs: 0,
        queue: 0,
        length: 0,
        callback,
        wrapped: (status, data) => this.#complete(created, status, data),
      };
      record = created;
      this.#slots.set(callback, record);
    }
    const stats = this.#stats;
    if (record.inflight) {
      stats.violation(`an I/O was submitted while the previous one from its slot was still in flight`);
      return;
    }
    record.inflight = true;
    record.startNs = this.#clock.nowNs();
    record.queue = (io.queue ?? 0) % this.#queues;
    record.length = io.length;
    stats.submitted++;
    stats.outstanding++;
    if (stats.firstSubmitNs < 0) stats.firstSubmitNs = record.startNs;
    stats.observer?.submitted(record.queue, record.startNs);
    this.#inner.submit(io, record.wrapped);
  }

  #complete(record: SlotRecord, status: number, data: Uint8Array | undefined): void {
    if (this.#dead) return;
    const stats = this.#stats;
    if (!record.inflight) {
      stats.violation(`an I/O completed twice (status 0x${status.toString(16)})`);
      return;
    }
    record.inflight = false;
    stats.outstanding--;
    const now = this.#clock.nowNs();
    stats.lastCompletionNs = now;
    const fp = this.#fingerprint;
    fp.mix32(FP_IO_DONE);
    fp.mixNumber(now);
    fp.mix32(this.#hostIndex);
    fp.mix32(status);
    if (status === 0) {
      stats.succeeded++;
      stats.bytes += record.length;
      stats.perQueue[record.queue] = (stats.perQueue[record.queue] ?? 0) + 1;
      stats.latency.record(now - record.startNs);
      stats.observer?.completed(record.queue, now, now - record.startNs, record.length);
      this.#onSuccess();
    } else {
      stats.failed++;
      stats.firstFailure ??= { status, atNs: now };
      stats.observer?.failed(record.queue, now);
    }
    record.callback(status, data);
  }

  /** The host crashed: what is in flight now will never complete; it is counted as lost. */
  crash(): void {
    if (this.#dead) return;
    this.#dead = true;
    const stats = this.#stats;
    for (const record of this.#slots.values()) {
      if (!record.inflight) continue;
      record.inflight = false;
      stats.outstanding--;
      stats.lostInCrash++;
      stats.observer?.lost(record.queue, this.#clock.nowNs());
    }
  }
}
