// A workload result in fio's JSON output shape (fio --output-format=json, stat.c
// show_thread_status_json / add_ddir_status_json), so tools that read fio results read ours.
// Keys fio has and we cannot fill meaningfully are zero (slat: submission is one synchronous call).
// Our extras sit under "nvmf_sim" in each job. With latency buckets (a DirectionResult's clatBuckets),
// clat_ns and lat_ns carry fio's json+ "bins" (fio --output-format=json+).
import type { LatencySummary } from '../stats/index.js';
import type { ResolvedJob } from './job.js';
import type { DirectionResult, LatencyPointsUs, WorkloadResult } from './stats.js';

export const FIO_VERSION = 'nvmf-sim-0.1';
/** fio reports a verify failure as errno EILSEQ (fio verify.c). */
const EILSEQ = 84;

export interface FioLatency {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly stddev: number;
  readonly N: number;
  readonly percentile?: Readonly<Record<string, number>>;
  /** fio's json+ latency histogram: each non-empty bucket's value in ns (as a decimal key) → count. */
  readonly bins?: Readonly<Record<string, number>>;
}

export interface FioDirection {
  readonly io_bytes: number;
  readonly io_kbytes: number;
  /** Bytes per second. */
  readonly bw_bytes: number;
  /** KiB per second. */
  readonly bw: number;
  readonly iops: number;
  /** Milliseconds. */
  readonly runtime: number;
  readonly total_ios: number;
  readonly short_ios: number;
  readonly drop_ios: number;
  readonly slat_ns: FioLatency;
  readonly clat_ns: FioLatency;
  readonly lat_ns: FioLatency;
}

export interface FioJob {
  readonly jobname: string;
  readonly groupid: number;
  /** 0, the first failed I/O's status, or EILSEQ for a verify mismatch. */
  readonly error: number;
  readonly eta: number;
  /** Seconds. */
  readonly elapsed: number;
  readonly 'job options': Readonly<Record<string, string>>;
  readonly read: FioDirection;
  readonly write: FioDirection;
  readonly trim: FioDirection;
  /**
   * All I/O of both directions, as fio reports it under unified_rw_reporting=mixed: a mixed job
   * whose counters were not kept per direction (a scenario host's randrw workload).
   */
  readonly mixed?: FioDirection;
  readonly nvmf_sim: {
    readonly ended: WorkloadResult['ended'];
    readonly errors: number;
    /** `qid`: the NVMe queue ID (1..N; qid 0 is the admin queue). */
    readonly first_error?: { kind: string; offset: number; length: number; qid: number; status: number };
    /** One entry per I/O queue, in qid order. */
    readonly queues: readonly { qid: number; ios: number; bytes: number; errors: number; latencyUs?: LatencyPointsUs }[];
    readonly verify: {
      enabled: boolean;
      blocks_checked: number;
      mismatches: number;
      first_mismatch?: Readonly<Record<string, string | number>>;
    };
  };
}

export interface FioOutput {
  readonly 'fio version': string;
  readonly jobs: readonly FioJob[];
}

const EMPTY_LATENCY: FioLatency = { min: 0, max: 0, mean: 0, stddev: 0, N: 0 };

// fio's latency buckets (stat.h): FIO_IO_U_PLAT_BITS = 6 bits of each value kept, so 64 buckets in
// each power of two (under 1.6% wide), FIO_IO_U_PLAT_GROUP_NR = 29 groups.
const PLAT_BITS = 6;
const PLAT_VAL = 1 << PLAT_BITS;
const PLAT_NR = 29 * PLAT_VAL;

/** fio's stat.c plat_val_to_idx: the bucket of a latency in ns. */
export function fioPlatIndex(valueNs: number): number {
  const value = Math.max(0, Math.floor(valueNs));
  const msb = value === 0 ? 0 : value.toString(2).length - 1;
  if (msb <= PLAT_BITS) return value;
  const errorBits = msb - PLAT_BITS;
  const base = (errorBits + 1) << PLAT_BITS;
  const offset = Math.floor(value / 2 ** errorBits) % PLAT_VAL;
  return Math.min(base + offset, PLAT_NR - 1);
}

/** fio's stat.c plat_idx_to_val: the value a bucket stands for (the middle of its range), in ns. */
export function fioPlatValue(index: number): number {
  if (index < PLAT_VAL << 1) return index;
  const errorBits = (index >> PLAT_BITS) - 1;
  const base = 2 ** (errorBits + PLAT_BITS);
  return Math.floor(base + ((index % PLAT_VAL) + 0.5) * 2 ** errorBits);
}

/**
 * fio's json+ "bins" from finer histogram buckets ([value ns, count], as LatencyHistogram.buckets
 * gives them): each count lands in fio's bucket of its value, keyed by plat_idx_to_val.
 */
export function fioBins(buckets: readonly (readonly [number, number])[]): Record<string, number> {
  const counts = new Map<number, number>();
  for (const [value, count] of buckets) {
    if (count <= 0) continue;
    const index = fioPlatIndex(value);
    counts.set(index, (counts.get(index) ?? 0) + count);
  }
  const bins: Record<string, number> = {};
  for (const index of [...counts.keys()].sort((a, b) => a - b)) bins[String(fioPlatValue(index))] = counts.get(index) ?? 0;
  return bins;
}

function direction(result: DirectionResult): FioDirection {
  const seconds = result.runtimeNs / 1e9;
  const bwBytes = seconds > 0 ? Math.round(result.ioBytes / seconds) : 0;
  const clat: LatencySummary = result.clat;
  // Closed loop: submission latency is zero here, so total latency equals completion latency. Open
  // loop: total latency counts from each I/O's arrival, waiting in the host included.
  const total: LatencySummary = result.lat ?? clat;
  const totalBuckets = result.lat === undefined ? result.clatBuckets : result.latBuckets;
  const lat: FioLatency = {
    min: total.min,
    max: total.max,
    mean: total.mean,
    stddev: total.stddev,
    N: total.N,
    ...(totalBuckets === undefined ? {} : { bins: fioBins(totalBuckets) }),
  };
  return {
    io_bytes: result.ioBytes,
    io_kbytes: Math.floor(result.ioBytes / 1024),
    bw_bytes: bwBytes,
    bw: Math.floor(bwBytes / 1024),
    iops: seconds > 0 ? result.ios / seconds : 0,
    runtime: Math.round(result.runtimeNs / 1e6),
    total_ios: result.ios,
    short_ios: 0,
    drop_ios: 0,
    slat_ns: { ...EMPTY_LATENCY, N: clat.N },
    clat_ns: { ...clat, ...(result.clatBuckets === undefined ? {} : { bins: fioBins(result.clatBuckets) }) },
    lat_ns: lat,
  };
}

const EMPTY_DIRECTION = direction({
  ioBytes: 0,
  ios: 0,
  errors: 0,
  runtimeNs: 0,
  clat: { min: 0, max: 0, mean: 0, stddev: 0, N: 0, percentile: {} },
});

/** fio's "job options": the options as strings, as given. */
export function jobOptions(job: ResolvedJob): Record<string, string> {
  const options: Record<string, string> = { rw: job.rw };
  if (job.rw === 'randrw') options.rwmixread = String(job.rwmixread);
  if (job.minBs === job.maxBs) options.bs = String(job.minBs);
  else options.bsrange = `${job.minBs}-${job.maxBs}`;
  options.iodepth = String(job.iodepth);
  options.queues = String(job.queues);
  options.offset = String(job.offsetBytes);
  options.size = String(job.sizeBytes);
  if (Number.isFinite(job.ioSizeBytes) && job.ioSizeBytes !== job.sizeBytes) options.io_size = String(job.ioSizeBytes);
  if (Number.isFinite(job.runtimeNs)) {
    options.runtime = `${job.runtimeNs / 1e6}ms`;
    options.time_based = '1';
  }
  if (job.verify) options.verify = 'pattern';
  return options;
}

/** `mixed`: the result's `read` holds both directions' I/O (see FioJob.mixed). */
export function fioJob(
  job: ResolvedJob,
  result: WorkloadResult,
  options: { readonly mixed?: boolean; readonly groupid?: number; readonly jobOptions?: Readonly<Record<string, string>> } = {},
): FioJob {
  const mixed = options.mixed === true;
  const firstError = result.firstError;
  const firstMismatch = result.verify.firstMismatch;
  const error = firstError !== undefined ? firstError.status : result.verify.mismatches > 0 ? EILSEQ : 0;
  return {
    jobname: result.name,
    groupid: options.groupid ?? 0,
    error,
    eta: 0,
    elapsed: Math.round(result.elapsedNs / 1e9),
    'job options': mixed ? { ...jobOptions(job), unified_rw_reporting: 'mixed' } : (options.jobOptions ?? jobOptions(job)),
    read: mixed ? EMPTY_DIRECTION : direction(result.read),
    write: mixed ? EMPTY_DIRECTION : direction(result.write),
    trim: EMPTY_DIRECTION,
    ...(mixed ? { mixed: direction(result.read) } : {}),
    nvmf_sim: {
      ended: result.ended,
      errors: result.errors,
      ...(firstError === undefined
        ? {}
        : {
            first_error: {
              kind: firstError.kind,
              offset: firstError.offset,
              length: firstError.length,
              qid: firstError.queue + 1,
              status: firstError.status,
            },
          }),
      // I/O queue index i is NVMe qid i + 1 (qid 0 is the admin queue).
      queues: result.queues.map(({ queue, ...counts }) => ({ qid: queue + 1, ...counts })),
      verify: {
        enabled: result.verify.enabled,
        blocks_checked: result.verify.blocksChecked,
        mismatches: result.verify.mismatches,
        ...(firstMismatch === undefined ? {} : { first_mismatch: { ...firstMismatch } }),
      },
    },
  };
}

/** The whole fio JSON document for one or more jobs. */
export function fioOutput(jobs: readonly { job: ResolvedJob; result: WorkloadResult }[]): FioOutput {
  return { 'fio version': FIO_VERSION, jobs: jobs.map(({ job, result }) => fioJob(job, result)) };
}
