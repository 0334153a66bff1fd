// Streaming latency statistics: an HDR histogram of integer nanoseconds, summarised the way fio
// reports completion latency (min, max, mean, stddev and a fixed percentile list). Recording is
// O(1) and allocation-free, so it sits on the per-I/O path in both real and simulated runs.
// Int32Histogram is what hdr-histogram-js's build() makes for 32-bit buckets without WebAssembly,
// imported from its own module: the package's index also loads its WebAssembly build (a large
// base64 module), which cost every process and study worker 50 to 140 ms of start for nothing.
// A CommonJS module: its default import is module.exports, and the class is its `default`.
import int32HistogramModule from 'hdr-histogram-js/dist/Int32Histogram.js';

const Int32HistogramClass = int32HistogramModule.default;
type Int32Histogram = InstanceType<typeof Int32HistogramClass>;

/**
 * fio's default percentile list (fio options.c, "percentile_list" default
 * "1:5:10:20:30:40:50:60:70:80:90:95:99:99.5:99.9:99.95:99.99").
 */
export const FIO_PERCENTILES: readonly number[] = [
  1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99,
];

/** A latency summary in integer nanoseconds (mean and stddev are fractional, as in fio). */
export interface LatencySummary {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly stddev: number;
  /** Number of samples. */
  readonly N: number;
  /** Keyed like fio's JSON: "1.000000", "99.990000", ... */
  readonly percentile: Readonly<Record<string, number>>;
}

/** fio prints percentile keys with "%f": six decimals. */
export function percentileKey(percentile: number): string {
  return percentile.toFixed(6);
}

/** Three significant digits keep the error under 0.1% at any magnitude (HdrHistogram's usual choice). */
const SIGNIFICANT_DIGITS = 3;
/** Initial range: one hour in ns; autoResize grows it if a stalled I/O takes longer. */
const HIGHEST_TRACKABLE_NS = 3600e9;

/**
 * Percentiles come from the histogram (within 0.1%); min, max, mean and stddev are exact, and
 * percentiles are clamped to [min, max] so a single-valued run reports that value everywhere.
 */
export interface LatencyHistogramOptions {
  /**
   * Significant digits: 3 (default, within 0.1%, ~136 KB) or 2 (within 1%, ~19 KB), for the many
   * small histograms of per-queue latency and time series.
   */
  readonly significantDigits?: 2 | 3;
}

/** Values below this take the fast index computation in record() (2^31 ns is about 2.1 s). */
const FAST_RECORD_LIMIT = 0x80000000;

export class LatencyHistogram {
  readonly #histogram: Int32Histogram;
  /** The same histogram when record() may index it directly (unit magnitude 0, always as built here). */
  readonly #js: Int32Histogram | null;
  readonly #significantDigits: 2 | 3;
  #count = 0;
  #min = Infinity;
  #max = 0;
  // Welford's running mean and sum of squared deviations: stable for long runs.
  #mean = 0;
  #m2 = 0;

  constructor(options: LatencyHistogramOptions = {}) {
    this.#significantDigits = options.significantDigits ?? SIGNIFICANT_DIGITS;
    // The pure-JS histogram: no WebAssembly instance to free, same results in every runtime.
    this.#histogram = new Int32HistogramClass(1, HIGHEST_TRACKABLE_NS, this.#significantDigits);
    this.#histogram.autoResize = true;
    this.#js = this.#histogram.unitMagnitude === 0 ? this.#histogram : null;
  }

  /** Records one latency; values below 1 ns (a same-instant simulated completion) count as 0. */
  record(latencyNs: number): void {
    const value = latencyNs > 0 ? Math.round(latencyNs) : 0;
    const js = this.#js;
    if (js !== null && value < FAST_RECORD_LIMIT) {
      // JsHistogram.recordSingleValue with its index computed by shifts instead of Math.log2 and
      // Math.pow (exact for values below 2^31 and unitMagnitude 0): floor(log2(v)) = 31 - clz32(v).
      const magnitude = js.subBucketHalfCountMagnitude;
      const bucket = Math.max(31 - Math.clz32(value) - magnitude, 0);
      const index = ((bucket + 1) << magnitude) + (value >>> bucket) - js.subBucketHalfCount;
      if (index < js.countsArrayLength) {
        js.incrementCountAtIndex(index);
        js.updateMinAndMax(value);
        js.incrementTotalCount();
      } else {
        js.recordValue(value);
      }
    } else {
      this.#histogram.recordValue(value);
    }
    this.#count++;
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
    const delta = value - this.#mean;
    this.#mean += delta / this.#count;
    this.#m2 += delta * (value - this.#mean);
  }

  get count(): number {
    return this.#count;
  }

  /** Forgets every sample (a time series reuses one histogram per interval). */
  reset(): void {
    this.#histogram.reset();
    this.#count = 0;
    this.#min = Infinity;
    this.#max = 0;
    this.#mean = 0;
    this.#m2 = 0;
  }

  /** The value at a percentile (0-100), in ns. */
  valueAt(percentile: number): number {
    if (this.#count === 0) return 0;
    const value = this.#histogram.getValueAtPercentile(percentile);
    return Math.min(this.#max, Math.max(this.#min, value));
  }

  /**
   * A histogram holding exactly these samples: the same counts, and the same min, max and running
   * mean and M2 (copied, not recombined), so recording on into the copy gives what recording on
   * into this one would.
   */
  copy(): LatencyHistogram {
    const copy = new LatencyHistogram({ significantDigits: this.#significantDigits });
    if (this.#count > 0) copy.#histogram.add(this.#histogram);
    copy.#count = this.#count;
    copy.#min = this.#min;
    copy.#max = this.#max;
    copy.#mean = this.#mean;
    copy.#m2 = this.#m2;
    return copy;
  }

  /** Adds another histogram's samples into this one (per-queue into per-job). */
  add(other: LatencyHistogram): void {
    if (other.#count === 0) return;
    this.#histogram.add(other.#histogram);
    // Chan et al.'s parallel combination of (count, mean, M2).
    const count = this.#count + other.#count;
    const delta = other.#mean - this.#mean;
    this.#m2 += other.#m2 + (delta * delta * this.#count * other.#count) / count;
    this.#mean += (delta * other.#count) / count;
    this.#count = count;
    this.#min = Math.min(this.#min, other.#min);
    this.#max = Math.max(this.#max, other.#max);
  }

  /**
   * Every non-empty bucket as [value, count], lowest first, the value being the bucket's median
   * equivalent value in ns (fio's json+ bins are built from these: fio-json.ts fioBins).
   */
  buckets(): [number, number][] {
    const histogram = this.#histogram;
    if (this.#count === 0) return [];
    const out: [number, number][] = [];
    const iterator = histogram.recordedValuesIterator;
    iterator.reset();
    while (iterator.hasNext()) {
      const step = iterator.next();
      out.push([histogram.medianEquivalentValue(step.valueIteratedTo), step.countAtValueIteratedTo]);
    }
    return out;
  }

  summary(percentiles: readonly number[] = FIO_PERCENTILES): LatencySummary {
    const percentile: Record<string, number> = {};
    for (const p of percentiles) percentile[percentileKey(p)] = this.valueAt(p);
    if (this.#count === 0) return { min: 0, max: 0, mean: 0, stddev: 0, N: 0, percentile };
    // Population standard deviation, as fio reports it.
    const stddev = Math.sqrt(this.#m2 / this.#count);
    return { min: this.#min, max: this.#max, mean: this.#mean, stddev, N: this.#count, percentile };
  }
}
