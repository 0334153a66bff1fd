// Per-direction and per-queue counters of a running job, and the result types a finished job
// reports. Everything here is O(1) per completion: counters and one histogram record.
import { LatencyHistogram, type LatencySummary } from '../report/index.js';
import type { BlockMismatch } from './pattern.js';

export type Direction = 'read' | 'write';

/** Counters for one direction (fio's "read" / "write" groups). */
export class DirectionStats {
  readonly clat = new LatencyHistogram();
  /** False when the caller keeps its own latency statistics: clat stays empty. */
  readonly #recordLatency: boolean;
  ioBytes = 0;
  ios = 0;
  errors = 0;
  /** Clock time of the first issue and the last completion in this direction (-1: none yet). */
  firstIssueNs = -1;
  lastCompletionNs = -1;

  constructor(recordLatency = true) {
    this.#recordLatency = recordLatency;
  }

  issued(nowNs: number): void {
    if (this.firstIssueNs < 0) this.firstIssueNs = nowNs;
  }

  completed(bytes: number, latencyNs: number, nowNs: number): void {
    this.ioBytes += bytes;
    this.ios++;
    if (this.#recordLatency) this.clat.record(latencyNs);
    this.lastCompletionNs = nowNs;
  }

  failed(nowNs: number): void {
    this.errors++;
    this.lastCompletionNs = nowNs;
  }

  result(): DirectionResult {
    const runtimeNs = this.firstIssueNs < 0 ? 0 : Math.max(0, this.lastCompletionNs - this.firstIssueNs);
    return { ioBytes: this.ioBytes, ios: this.ios, errors: this.errors, runtimeNs, clat: this.clat.summary() };
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
}

export interface QueueResult {
  readonly queue: number;
  readonly ios: number;
  readonly bytes: number;
  readonly errors: number;
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
