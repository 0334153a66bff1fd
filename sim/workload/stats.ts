// Per-direction and per-queue counters of a running job, and the result types a finished job
// reports. Everything here is O(1) per completion: counters and one histogram record.
import { LatencyHistogram, type LatencySummary } from '../stats/index.js';
import type { BlockMismatch } from './pattern.js';

export type Direction = 'read' | 'write';

/** Counters for one direction (fio's "read" / "write" groups). */
export class DirectionStats {
  readonly clat = new LatencyHistogram();
  /** From each I/O's arrival (open loop only; in closed loop it equals clat and is not kept). */
  readonly lat: LatencyHistogram | undefined;
  /** False when the caller keeps its own latency statistics: clat stays empty. */
  readonly #recordLatency: boolean;
  ioBytes = 0;
  ios = 0;
  errors = 0;
  /** Clock time of the first issue and the last completion in this direction (-1: none yet). */
  firstIssueNs = -1;
  lastCompletionNs = -1;

  constructor(recordLatency = true, openLoop = false) {
    this.#recordLatency = recordLatency;
    this.lat = recordLatency && openLoop ? new LatencyHistogram() : undefined;
  }

  issued(nowNs: number): void {
    if (this.firstIssueNs < 0) this.firstIssueNs = nowNs;
  }

  /** `clatNs` from submission; `latNs` from the arrival (the same in closed loop). */
  completed(bytes: number, clatNs: number, latNs: number, nowNs: number): void {
    this.ioBytes += bytes;
    this.ios++;
    if (this.#recordLatency) this.clat.record(clatNs);
    this.lat?.record(latNs);
    this.lastCompletionNs = nowNs;
  }

  failed(nowNs: number): void {
    this.errors++;
    this.lastCompletionNs = nowNs;
  }

  result(): DirectionResult {
    const runtimeNs = this.firstIssueNs < 0 ? 0 : Math.max(0, this.lastCompletionNs - this.firstIssueNs);
    const counts = { ioBytes: this.ioBytes, ios: this.ios, errors: this.errors, runtimeNs, clat: this.clat.summary() };
    // json+ bins come from the same histograms (fio-json.ts fioBins).
    const buckets = this.#recordLatency ? { clatBuckets: this.clat.buckets() } : {};
    return this.lat === undefined ? { ...counts, ...buckets } : { ...counts, ...buckets, lat: this.lat.summary(), latBuckets: this.lat.buckets() };
  }
}

export interface DirectionResult {
  /** Bytes of successful I/O. */
  readonly ioBytes: number;
  /** Successful I/Os. */
  readonly ios: number;
  readonly errors: number;
  /** From this direction's first issue to its last completion. */
  readonly runtimeNs: number;
  /** Submission-to-completion latency of successful I/Os. */
  readonly clat: LatencySummary;
  /** Open loop only: arrival-to-completion latency (fio's lat), waiting in the host included. */
  readonly lat?: LatencySummary;
  /** clat's (and lat's) histogram buckets, [value ns, count], for fio's json+ bins (when kept). */
  readonly clatBuckets?: readonly (readonly [number, number])[];
  readonly latBuckets?: readonly (readonly [number, number])[];
}

/** A latency distribution's headline points, in microseconds (per-queue and per-host results). */
export interface LatencyPointsUs {
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly mean: number;
}

/** The headline points of a histogram of nanoseconds, in µs. */
export function latencyPointsUs(histogram: LatencyHistogram): LatencyPointsUs {
  const us = (ns: number): number => Math.round(ns) / 1000;
  if (histogram.count === 0) return { p50: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  const summary = histogram.summary();
  return {
    p50: us(histogram.valueAt(50)),
    p99: us(histogram.valueAt(99)),
    p999: us(histogram.valueAt(99.9)),
    max: us(summary.max),
    mean: us(summary.mean),
  };
}

export interface QueueResult {
  readonly queue: number;
  readonly ios: number;
  readonly bytes: number;
  readonly errors: number;
  /** Latency on this queue (from the arrival in open loop), when the job recorded latency. */
  readonly latencyUs?: LatencyPointsUs;
}

/** The first failed I/O of a run. */
export interface IoFailure {
  readonly kind: Direction;
  readonly offset: number;
  readonly length: number;
  readonly queue: number;
  /** The completion status (NVMe status field, or the host's failure code). */
  readonly status: number;
  readonly atNs: number;
}

export interface VerifyResult {
  readonly enabled: boolean;
  /** Blocks whose content was compared with the expected pattern. */
  readonly blocksChecked: number;
  readonly mismatches: number;
  readonly firstMismatch?: BlockMismatch & { readonly offset: number };
}

export interface WorkloadResult {
  readonly name: string;
  /** From start to the last completion, on the environment's clock. */
  readonly elapsedNs: number;
  readonly read: DirectionResult;
  readonly write: DirectionResult;
  readonly queues: readonly QueueResult[];
  readonly errors: number;
  readonly firstError?: IoFailure;
  readonly verify: VerifyResult;
  /** Why it ended: its size or runtime was done, the first error stopped it, or stop() was called. */
  readonly ended: 'done' | 'error' | 'stopped';
}

/** A periodic progress report. Rates cover the interval since the previous report. */
export interface WorkloadProgress {
  readonly elapsedNs: number;
  readonly phase: 'io' | 'verify';
  /** 0-100. */
  readonly percentDone: number;
  readonly iops: number;
  readonly readBytesPerS: number;
  readonly writeBytesPerS: number;
  readonly totalIos: number;
  readonly errors: number;
}
