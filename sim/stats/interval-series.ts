// A time series of I/O completions in fixed intervals: counts, bytes, errors and latency
// percentiles per interval. One latency histogram is reused for every interval (reset when the
// interval closes), so memory grows with the number of intervals, never with the number of I/Os.
// Whoever drives the run closes each interval at its boundary (the scenario runner does so
// between its time slices), so recording costs no scheduler event.
import { LatencyHistogram } from './latency.js';

/** One closed interval. */
export interface IntervalRow {
  /** Interval start, in ms from the start of the run. */
  readonly tMs: number;
  /** Successful I/Os completed in the interval. */
  readonly ios: number;
  readonly iops: number;
  readonly bytesPerSecond: number;
  /** Latency of the I/Os completed in the interval (0 when none), in µs. */
  readonly latencyUs: { readonly p50: number; readonly p99: number };
  readonly errors: number;
  /** I/Os outstanding at the end of the interval. */
  readonly inflight: number;
}

export class IntervalSeries {
  readonly rows: IntervalRow[] = [];
  readonly #latency = new LatencyHistogram({ significantDigits: 2 });
  #startNs: number;
  #ios = 0;
  #bytes = 0;
  #errors = 0;

  constructor(startNs = 0) {
    this.#startNs = startNs;
  }

  completed(latencyNs: number, bytes: number): void {
    this.#ios++;
    this.#bytes += bytes;
    this.#latency.record(latencyNs);
  }

  failed(): void {
    this.#errors++;
  }

  /** Closes the current interval at `endNs` (from the run's start) and opens the next. */
  close(endNs: number, inflight: number): IntervalRow {
    const seconds = Math.max(1, endNs - this.#startNs) / 1e9;
    const us = (ns: number): number => Math.round(ns) / 1000;
    const row: IntervalRow = {
      tMs: this.#startNs / 1e6,
      ios: this.#ios,
      iops: round3(this.#ios / seconds),
      bytesPerSecond: round3(this.#bytes / seconds),
      latencyUs: { p50: us(this.#latency.valueAt(50)), p99: us(this.#latency.valueAt(99)) },
      errors: this.#errors,
      inflight,
    };
    this.rows.push(row);
    this.#latency.reset();
    this.#ios = 0;
    this.#bytes = 0;
    this.#errors = 0;
    this.#startNs = endNs;
    return row;
  }
}

/** Three decimals are plenty for rates, and keep each row's JSON short. */
function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
