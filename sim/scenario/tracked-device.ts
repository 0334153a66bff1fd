// The runner's view of every I/O: a WorkloadDevice that sits between the workload engine and a
// host's BlockDevice and accounts for each I/O exactly once. It checks the safety half of the
// invariants as I/Os complete (no completion without a submission, no second completion, no
// resubmission while in flight), and keeps the run's streaming statistics: counts per I/O queue
// and HDR latency histograms per host and per queue. In open loop (a workload with rateIops),
// latency counts from each I/O's arrival, waiting for a free slot included, and clat from its
// submission, as fio's lat and clat. Reads and writes are also counted apart (fio's read and write
// groups), for mixed workloads. IOPS and bandwidth count only I/Os that completed within the
// scenario's duration, not those finishing in the drain. Nothing is kept per I/O, so memory is flat however long
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

export interface HostIoStatsOptions {
  /** I/Os completing after this (the scenario's duration) count in `succeeded` but not `inDuration`. Default: never. */
  readonly durationNs?: number;
  /** The workload is open loop: keep a clat histogram beside the latency from arrival. */
  readonly openLoop?: boolean;
}

/** One direction's counters of a host (fio's read or write group). */
export class DirectionIoStats {
  /** Completed with status 0, and their bytes. */
  ios = 0;
  bytes = 0;
  /** Completed with an error status. */
  errors = 0;
  /** Successful I/Os and their bytes that completed within the duration. */
  inDuration = 0;
  bytesInDuration = 0;
  #latency: LatencyHistogram | undefined;
  /** #latency is the host's own histogram (HostIoStats.recordLatency): no sample of the other direction yet. */
  #sharesHost = false;

  /** Latency of successful I/Os, as the host's; made on first use (a read-only job has no writes). */
  get latency(): LatencyHistogram {
    this.#latency ??= new LatencyHistogram();
    return this.#latency;
  }

  /** HostIoStats: while this is the only direction with successful I/Os its latency is the host's. */
  shareHostLatency(host: LatencyHistogram): void {
    this.#latency = host;
    this.#sharesHost = true;
  }

  /** HostIoStats: the other direction has a sample now; from here on this one records its own. */
  unshareHostLatency(): void {
    if (!this.#sharesHost || this.#latency === undefined) return;
    this.#latency = this.#latency.copy();
    this.#sharesHost = false;
  }
}

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
  /** Latency of successful I/Os: from the arrival in open loop, from submission otherwise. */
  readonly latency = new LatencyHistogram();
  /** Open loop only: submission-to-completion latency (fio's clat). */
  readonly clat: LatencyHistogram | undefined;
  /**
   * Latency per I/O queue index, at two significant digits (many queues, small histograms); made
   * on a queue's first I/O (a fleet's idle queues hold none): read it through queueLatency().
   */
  readonly #perQueueLatency: (LatencyHistogram | undefined)[];
  /** The same counts for reads and for writes. */
  readonly read = new DirectionIoStats();
  readonly write = new DirectionIoStats();
  /** Successful I/Os and their bytes that completed within the duration: what IOPS and bandwidth count. */
  inDuration = 0;
  bytesInDuration = 0;
  readonly durationNs: number;
  /** Status and time of the first failed I/O. */
  firstFailure: { readonly status: number; readonly atNs: number } | undefined;
  /** Sees every I/O as it is accounted (the run's time series); null: nobody. */
  observer: IoObserver | null = null;
  /**
   * The one direction that has had successful I/Os, whose latency histogram is `latency` itself
   * (the same samples in the same order), so a single-direction host records each latency once;
   * null once both have. A fleet's hosts are mostly single-direction, and each histogram recorded
   * is memory a completion touches.
   */
  #soleDirection: DirectionIoStats | null | undefined = undefined;

  constructor(queues: number, options: HostIoStatsOptions = {}) {
    this.perQueue = new Array<number>(queues).fill(0);
    this.#perQueueLatency = new Array<LatencyHistogram | undefined>(queues).fill(undefined);
    this.clat = options.openLoop === true ? new LatencyHistogram() : undefined;
    this.durationNs = options.durationNs ?? Infinity;
  }

  violation(detail: string): void {
    this.violations++;
    this.firstViolation ??= detail;
  }

  /** Records a successful I/O's latency for the host and for its direction. */
  recordLatency(direction: DirectionIoStats, latencyNs: number): void {
    const sole = this.#soleDirection;
    if (sole === direction) {
      this.latency.record(latencyNs);
      return;
    }
    if (sole === undefined) {
      // The first sample: the direction's histogram (empty so far) becomes the host's.
      this.#soleDirection = direction;
      direction.shareHostLatency(this.latency);
      this.latency.record(latencyNs);
      return;
    }
    if (sole !== null) {
      // The other direction's first sample: the sole one gets a copy of what it shared.
      sole.unshareHostLatency();
      this.#soleDirection = null;
    }
    this.latency.record(latencyNs);
    direction.latency.record(latencyNs);
  }

  /** The latency histogram of an I/O queue index (empty if it saw no I/O), or undefined out of range. */
  queueLatency(queue: number): LatencyHistogram | undefined {
    if (queue < 0 || queue >= this.#perQueueLatency.length) return undefined;
    return (this.#perQueueLatency[queue] ??= new LatencyHistogram({ significantDigits: 2 }));
  }
}

interface SlotRecord {
  inflight: boolean;
  startNs: number;
  arrivalNs: number;
  queue: number;
  length: number;
  direction: DirectionIoStats;
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
        arrivalNs: 0,
        queue: 0,
        length: 0,
        direction: this.#stats.read,
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
    record.arrivalNs = io.arrivalNs ?? record.startNs;
    record.queue = (io.queue ?? 0) % this.#queues;
    record.length = io.length;
    record.direction = io.kind === 'read' ? stats.read : stats.write;
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
      const latency = now - record.arrivalNs;
      const direction = record.direction;
      stats.recordLatency(direction, latency);
      stats.queueLatency(record.queue)?.record(latency);
      stats.clat?.record(now - record.startNs);
      direction.ios++;
      direction.bytes += record.length;
      if (now <= stats.durationNs) {
        stats.inDuration++;
        stats.bytesInDuration += record.length;
        direction.inDuration++;
        direction.bytesInDuration += record.length;
      }
      stats.observer?.completed(record.queue, now, latency, record.length);
      this.#onSuccess();
    } else {
      stats.failed++;
      record.direction.errors++;
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
