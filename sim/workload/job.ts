// A fio-like job description and its resolution against a namespace. The fields follow fio's
// option names (rw, rwmixread, bs, bsrange, iodepth, size, io_size, runtime, offset, verify) so
// results read like fio's; numbers are already parsed (bytes, ns). resolveJob checks everything
// once, up front, so the per-I/O path never validates.

import { splitUnitBytes, type BlockSizeShare } from './block-size-split.js';
import type { RandomDistributionSpec } from './random-distribution.js';

/** fio's rw modes; readwrite is fio's sequential mix (rw=rw). */
export type RwMode = 'read' | 'write' | 'randread' | 'randwrite' | 'randrw' | 'readwrite';
export const RW_MODES: readonly RwMode[] = ['read', 'write', 'randread', 'randwrite', 'randrw', 'readwrite'];

/** How open-loop arrivals are spaced (fio rate_process): evenly, or as a Poisson process. */
export type RateProcess = 'linear' | 'poisson';
export const RATE_PROCESSES: readonly RateProcess[] = ['linear', 'poisson'];

export interface JobSpec {
  /** Job name in reports and in the random stream names; default: the rw mode. */
  readonly name?: string;
  readonly rw: RwMode;
  /** Percentage of reads in randrw (fio rwmixread); default 50. */
  readonly rwmixread?: number;
  /** Block size in bytes; default 4096. Ignored when bsrange is given. */
  readonly bs?: number;
  /** I/O sizes drawn uniformly from [min, max] in multiples of min (fio bsrange). */
  readonly bsrange?: { readonly min: number; readonly max: number };
  /** Outstanding I/Os in total, spread round-robin over `queues`; default 1. */
  readonly iodepth?: number;
  /** I/O queues to spread over (the host's I/O queue count); default 1. */
  readonly queues?: number;
  /** Start of the region in bytes (fio offset); default 0. */
  readonly offsetBytes?: number;
  /** Length of the region (fio size); default: from offset to the end of the namespace. */
  readonly sizeBytes?: number;
  /**
   * Bytes to transfer before stopping (fio io_size). Default: sizeBytes when no runtime is given,
   * unlimited with a runtime (fio time_based: loop over the region until the time is up).
   */
  readonly ioSizeBytes?: number;
  /** Stop issuing after this long (fio runtime); default: none. */
  readonly runtimeNs?: number;
  /**
   * Data verification. Writes carry a pattern naming their LBA, a generation and the run's seed.
   * write/randwrite: write, then read back every written block. randrw: reads of blocks written
   * earlier in the run are checked as they complete.
   */
  readonly verify?: boolean;
  /**
   * Open-loop load: I/Os arrive at this rate whatever the device does (fio rate_iops, for the whole
   * job rather than per fio thread). iodepth still caps the I/Os outstanding; arrivals beyond the
   * cap wait in the host, and their latency counts from the arrival. Default 0: closed loop, each
   * completion issues the next I/O.
   */
  readonly rateIops?: number;
  /** Spacing of open-loop arrivals (fio rate_process); default 'linear', as fio's. */
  readonly rateProcess?: RateProcess;
  /** Stop at the first failed I/O (fio continue_on_error=none); default true. */
  readonly stopOnError?: boolean;
  /** Weighted block sizes per direction (fio bssplit); overrides bs and bsrange. */
  readonly bssplit?: { readonly read: readonly BlockSizeShare[]; readonly write: readonly BlockSizeShare[] };
  /** Random offsets are multiples of this (fio blockalign); default: the smallest block size. */
  readonly blockalignBytes?: number;
  /** Where random offsets land (fio random_distribution); default uniform. */
  readonly randomDistribution?: RandomDistributionSpec;
  /** Random modes: a new random offset every this many I/Os, sequential between (fio rw=randread:N). */
  readonly randomRunLength?: number;
  /** Sequential modes: bytes skipped (negative: stepped back) after each I/O (fio rw=read:8k). */
  readonly sequentialSkipBytes?: number;
  /** First I/O queue this job uses; its `queues` follow (numjobs clones each take their own). */
  readonly queueOffset?: number;
  /** Warm-up before statistics count (fio ramp_time); the runtime follows it. Default 0. */
  readonly rampNs?: number;
  /** Stop at the first verification mismatch (fio verify_fatal). Default false. */
  readonly verifyFatal?: boolean;
  /** How fio would check the data (crc32c, md5, pattern), for the report; the engine's check is its own. */
  readonly verifyMethod?: string;
  /** Progress report interval on the environment's clock; default 1 s. */
  readonly progressIntervalNs?: number;
  /** Prefix of the random stream names; default `workload/<name>`. */
  readonly streamPrefix?: string;
}

/** A user error in a job, naming the option (a CLI flag or a scenario field). */
export class JobError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'JobError';
    this.field = field;
  }
}

/** A job with every default filled in and every size checked against the namespace. */
export interface ResolvedJob {
  readonly name: string;
  readonly rw: RwMode;
  readonly random: boolean;
  /** Probability (0-1) that an I/O is a read. */
  readonly readFraction: number;
  readonly rwmixread: number;
  readonly minBs: number;
  readonly maxBs: number;
  readonly iodepth: number;
  readonly queues: number;
  readonly offsetBytes: number;
  readonly sizeBytes: number;
  /** Infinity when only the runtime bounds the job. */
  readonly ioSizeBytes: number;
  /** Infinity when unbounded. */
  readonly runtimeNs: number;
  readonly verify: boolean;
  /** 0 for a closed loop. */
  readonly rateIops: number;
  readonly rateProcess: RateProcess;
  readonly stopOnError: boolean;
  readonly progressIntervalNs: number;
  readonly streamPrefix: string;
  readonly blockSize: number;
  /** In units of minBs, per direction (read, write); undefined: sizes from [minBs, maxBs]. */
  readonly bssplit: { readonly read: readonly BlockSizeShare[]; readonly write: readonly BlockSizeShare[] } | undefined;
  readonly alignUnits: number;
  readonly randomDistribution: RandomDistributionSpec;
  readonly randomRunLength: number;
  readonly sequentialSkipBytes: number;
  readonly queueOffset: number;
  readonly rampNs: number;
  readonly verifyFatal: boolean;
  readonly verifyMethod: string;
}

/** Field names as the CLI spells them, so errors name the flag the user typed. */
export interface JobFieldNames {
  readonly rw: string;
  readonly rwmixread: string;
  readonly bs: string;
  readonly bsrange: string;
  readonly iodepth: string;
  readonly queues: string;
  readonly offsetBytes: string;
  readonly sizeBytes: string;
  readonly ioSizeBytes: string;
  readonly runtimeNs: string;
  readonly verify: string;
  readonly rateIops: string;
  readonly rateProcess: string;
}

export const DEFAULT_FIELD_NAMES: JobFieldNames = {
  rw: 'rw',
  rwmixread: 'rwmixread',
  bs: 'bs',
  bsrange: 'bsrange',
  iodepth: 'iodepth',
  queues: 'queues',
  offsetBytes: 'offset',
  sizeBytes: 'size',
  ioSizeBytes: 'io_size',
  runtimeNs: 'runtime',
  verify: 'verify',
  rateIops: 'rate_iops',
  rateProcess: 'rate_process',
};

/** Verification keeps 3 bytes of state per tracked unit; this bounds it at 48 MiB. */
export const VERIFY_MAX_UNITS = 1 << 24;
const NS_PER_S = 1_000_000_000;

function positiveInteger(value: number, field: string, what: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new JobError(field, `${what} must be a whole number of at least 1, not ${value}`);
  return value;
}

function blockMultiple(value: number, blockSize: number, field: string, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0 || value % blockSize !== 0) {
    throw new JobError(field, `${what} ${value} is not a multiple of the namespace's ${blockSize}-byte block size`);
  }
  return value;
}

/** Checks a job against a namespace of `sizeBytes` with `blockSize`-byte LBAs. */
export function resolveJob(
  spec: JobSpec,
  geometry: { readonly blockSize: number; readonly sizeBytes: number },
  names: Partial<JobFieldNames> = {},
): ResolvedJob {
  // Callers name only the fields they spell differently (a CLI flag, a scenario path).
  const fields: JobFieldNames = { ...DEFAULT_FIELD_NAMES, ...names };
  const { blockSize } = geometry;
  if (!RW_MODES.includes(spec.rw)) throw new JobError(fields.rw, `unknown mode '${spec.rw}' (expected ${RW_MODES.join(', ')})`);
  const name = spec.name ?? spec.rw;
  const rwmixread = spec.rwmixread ?? 50;
  if (!Number.isFinite(rwmixread) || rwmixread < 0 || rwmixread > 100) {
    throw new JobError(fields.rwmixread, `must be a percentage from 0 to 100, not ${rwmixread}`);
  }
  const readFraction = spec.rw === 'randrw' || spec.rw === 'readwrite' ? rwmixread / 100 : spec.rw === 'read' || spec.rw === 'randread' ? 1 : 0;

  let minBs: number;
  let maxBs: number;
  const split = spec.bssplit;
  if (split !== undefined) {
    const all = [...split.read, ...split.write];
    minBs = blockMultiple(splitUnitBytes(all), blockSize, fields.bs, 'bssplit sizes\' common unit');
    if (minBs === 0) throw new JobError(fields.bs, 'bssplit needs at least one size');
    maxBs = Math.max(...all.map((share) => share.bytes));
  } else if (spec.bsrange !== undefined) {
    minBs = blockMultiple(spec.bsrange.min, blockSize, fields.bsrange, 'minimum block size');
    maxBs = blockMultiple(spec.bsrange.max, blockSize, fields.bsrange, 'maximum block size');
    if (minBs === 0 || maxBs < minBs) throw new JobError(fields.bsrange, `range ${minBs}-${maxBs} is empty or reversed`);
    // fio rounds drawn sizes down to a multiple of the minimum; the maximum must be reachable.
    maxBs -= maxBs % minBs;
  } else {
    minBs = maxBs = blockMultiple(spec.bs ?? 4096, blockSize, fields.bs, 'block size');
    if (minBs === 0) throw new JobError(fields.bs, 'block size must not be 0');
  }

  const iodepth = positiveInteger(spec.iodepth ?? 1, fields.iodepth, 'iodepth');
  const queues = positiveInteger(spec.queues ?? 1, fields.queues, 'queue count');
  const offsetBytes = blockMultiple(spec.offsetBytes ?? 0, blockSize, fields.offsetBytes, 'offset');
  if (offsetBytes >= geometry.sizeBytes) {
    throw new JobError(fields.offsetBytes, `offset ${offsetBytes} is past the end of the ${geometry.sizeBytes}-byte namespace`);
  }
  const available = geometry.sizeBytes - offsetBytes;
  const sizeBytes = spec.sizeBytes ?? available;
  blockMultiple(sizeBytes, blockSize, fields.sizeBytes, 'size');
  if (sizeBytes < maxBs) throw new JobError(fields.sizeBytes, `size ${sizeBytes} is smaller than the block size ${maxBs}`);
  if (sizeBytes > available) {
    throw new JobError(fields.sizeBytes, `offset + size (${offsetBytes + sizeBytes}) is past the end of the ${geometry.sizeBytes}-byte namespace`);
  }

  const runtimeNs = spec.runtimeNs ?? Infinity;
  if (spec.runtimeNs !== undefined && (!Number.isFinite(runtimeNs) || runtimeNs <= 0)) {
    throw new JobError(fields.runtimeNs, `runtime must be positive, not ${runtimeNs} ns`);
  }
  let ioSizeBytes = spec.ioSizeBytes ?? (spec.runtimeNs === undefined ? sizeBytes : Infinity);
  if (spec.ioSizeBytes !== undefined) ioSizeBytes = positiveInteger(spec.ioSizeBytes, fields.ioSizeBytes, 'io size');

  const verify = spec.verify ?? false;
  if (verify) {
    if (readFraction === 1) {
      throw new JobError(fields.verify, `needs a mode that writes (write, randwrite or randrw), not '${spec.rw}'`);
    }
    if (sizeBytes / minBs > VERIFY_MAX_UNITS) {
      throw new JobError(fields.verify, `tracks at most ${VERIFY_MAX_UNITS} blocks; use a smaller size or a larger block size`);
    }
  }

  const rateIops = spec.rateIops ?? 0;
  if (!Number.isFinite(rateIops) || rateIops < 0) {
    throw new JobError(fields.rateIops, `must be a rate of at least 0 I/Os per second, not ${rateIops}`);
  }
  const rateProcess = spec.rateProcess ?? 'linear';
  if (!RATE_PROCESSES.includes(rateProcess)) {
    throw new JobError(fields.rateProcess, `unknown process '${String(rateProcess)}' (expected ${RATE_PROCESSES.join(', ')})`);
  }

  const align = spec.blockalignBytes ?? minBs;
  if (!Number.isSafeInteger(align) || align < minBs || align % minBs !== 0) {
    throw new JobError('blockalign', `${align} must be a multiple of the smallest block size ${minBs}`);
  }
  const rampNs = spec.rampNs ?? 0;
  const skip = spec.sequentialSkipBytes ?? 0;
  if (!Number.isSafeInteger(skip) || skip % minBs !== 0) throw new JobError(fields.rw, `offset modifier ${skip} is not a multiple of the block size ${minBs}`);
  return {
    name,
    rw: spec.rw,
    random: spec.rw.startsWith('rand'),
    bssplit: split,
    alignUnits: align / minBs,
    randomDistribution: spec.randomDistribution ?? { kind: 'random' },
    randomRunLength: Math.max(1, spec.randomRunLength ?? 1),
    sequentialSkipBytes: spec.sequentialSkipBytes ?? 0,
    queueOffset: spec.queueOffset ?? 0,
    rampNs,
    verifyFatal: spec.verifyFatal ?? false,
    verifyMethod: spec.verifyMethod ?? 'pattern',
    readFraction,
    rwmixread,
    minBs,
    maxBs,
    iodepth,
    queues,
    offsetBytes,
    sizeBytes,
    ioSizeBytes,
    runtimeNs,
    verify,
    rateIops,
    rateProcess,
    stopOnError: spec.stopOnError ?? true,
    progressIntervalNs: spec.progressIntervalNs ?? NS_PER_S,
    streamPrefix: spec.streamPrefix ?? `workload/${name}`,
    blockSize,
  };
}
