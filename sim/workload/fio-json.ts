// A workload result in fio's JSON output shape (fio --output-format=json, stat.c
// show_thread_status_json / add_ddir_status_json), so tools that read fio results read ours.
// Keys fio has and we cannot fill meaningfully are zero (slat: submission is one synchronous call).
// Our extras sit under "nvmf_sim" in each job.
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

function direction(result: DirectionResult): FioDirection {
  const seconds = result.runtimeNs / 1e9;
  const bwBytes = seconds > 0 ? Math.round(result.ioBytes / seconds) : 0;
  const clat: LatencySummary = result.clat;
  // Closed loop: submission latency is zero here, so total latency equals completion latency. Open
  // loop: total latency counts from each I/O's arrival, waiting in the host included.
  const total: LatencySummary = result.lat ?? clat;
  const lat: FioLatency = { min: total.min, max: total.max, mean: total.mean, stddev: total.stddev, N: total.N };
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
    clat_ns: { ...clat },
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

export function fioJob(job: ResolvedJob, result: WorkloadResult): FioJob {
  const firstError = result.firstError;
  const firstMismatch = result.verify.firstMismatch;
  const error = firstError !== undefined ? firstError.status : result.verify.mismatches > 0 ? EILSEQ : 0;
  return {
    jobname: result.name,
    groupid: 0,
    error,
    eta: 0,
    elapsed: Math.round(result.elapsedNs / 1e9),
    'job options': jobOptions(job),
    read: direction(result.read),
    write: direction(result.write),
    trim: EMPTY_DIRECTION,
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
