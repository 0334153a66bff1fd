// fio job options (fio HOWTO, "Job description") mapped onto the workload engine's JobSpec, plus
// the options that shape how jobs run together (numjobs, stonewall, group_reporting, startdelay).
// Options that only mean something to a local kernel device are accepted and ignored; anything
// else, and any value that does not parse, is a FioJobFileError naming the file and line.
import { parseDurationNs, parseSize, UnitError } from '../core/index.js';
import { completeShares, type BlockSizeShare } from './block-size-split.js';
import { FioJobFileError, type FioJobFileText, type FioOptionLine } from './fio-job-file.js';
import type { JobSpec, RwMode } from './job.js';
import type { RandomDistributionSpec } from './random-distribution.js';

/** One job section as the engine will run it: its JobSpec and how it joins the others. */
export interface FioJobPlan {
  readonly name: string;
  readonly file: string;
  readonly line: number;
  readonly spec: JobSpec;
  /** fio numjobs: clones of this job, each on its own I/O queue. */
  readonly numjobs: number;
  /** fio stonewall: wait for every earlier job to finish; starts a new reporting group. */
  readonly stonewall: boolean;
  readonly groupReporting: boolean;
  /** fio startdelay: idle this long after the group starts. */
  readonly startDelayNs: number;
  /** fio time_based: loop over the region until runtime ends, whatever size says. */
  readonly timeBased: boolean;
  /** The options as written (global then job), for the JSON "job options". */
  readonly options: Readonly<Record<string, string>>;
  /** The line each option was last given on, so later checks can point at it. */
  readonly optionLines: Readonly<Record<string, number>>;
}

/** Options of a local kernel device or of fio's own process: accepted and ignored (README). */
export const FIO_IGNORED_OPTIONS: readonly string[] = [
  'ioengine', 'direct', 'buffered', 'filename', 'directory', 'filename_format', 'nrfiles', 'filesize', 'file_service_type',
  'thread', 'iodepth_batch', 'iodepth_batch_submit', 'iodepth_batch_complete', 'iodepth_batch_complete_min',
  'iodepth_batch_complete_max', 'iodepth_low', 'cpus_allowed', 'cpus_allowed_policy', 'cpumask', 'numa_cpu_nodes',
  'numa_mem_policy', 'invalidate', 'sync', 'fsync', 'fdatasync', 'end_fsync', 'fsync_on_close', 'overwrite', 'create_on_open',
  'unlink', 'allow_file_create', 'fallocate', 'lockmem', 'nice', 'prio', 'prioclass', 'ioscheduler', 'gtod_reduce',
  'clocksource', 'mem', 'iomem', 'hugepage-size', 'zero_buffers', 'refill_buffers', 'scramble_buffers',
  'buffer_compress_percentage', 'userspace_reap', 'registerfiles', 'fixedbufs', 'hipri', 'sqthread_poll', 'disable_lat',
  'disable_clat', 'disable_slat', 'disable_bw_measurement', 'log_avg_msec', 'write_bw_log', 'write_lat_log',
  'write_iops_log', 'write_hist_log', 'per_job_logs', 'cgroup', 'uid', 'gid', 'pre_read', 'description', 'kb_base',
  'exitall', 'norandommap', 'randseed',
];

const NOT_A_BOOLEAN = 'expected 0 or 1 (or the bare option name)';

interface Draft {
  spec: { -readonly [K in keyof JobSpec]: JobSpec[K] };
  name: string;
  numjobs: number;
  stonewall: boolean;
  groupReporting: boolean;
  startDelayNs: number;
  timeBased: boolean;
  rwmixwrite: number | undefined;
}

type Handler = (value: string | undefined, draft: Draft) => void;

function required(value: string | undefined): string {
  if (value === undefined || value === '') throw new Error('needs a value');
  return value;
}

function boolean(value: string | undefined): boolean {
  if (value === undefined || value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw new Error(`'${value}': ${NOT_A_BOOLEAN}`);
}

function integer(value: string | undefined, min: number, max: number): number {
  const text = required(value);
  if (!/^\d+$/.test(text)) throw new Error(`'${text}' is not a whole number`);
  const n = Number(text);
  if (n < min || n > max) throw new Error(`${n} is outside ${min}..${max}`);
  return n;
}

function size(value: string | undefined): number {
  const text = required(value);
  try {
    return parseSize(text);
  } catch (error) {
    if (error instanceof UnitError) throw new Error(`malformed size '${text}' (expected e.g. 4k, 64m, 1g)`);
    throw error;
  }
}

/** fio times: a bare number is seconds; with a unit (us, ms, s, m, h) as written. */
function duration(value: string | undefined): number {
  const text = required(value);
  try {
    return parseDurationNs(text);
  } catch (error) {
    if (error instanceof UnitError) throw new Error(`malformed time '${text}' (expected e.g. 30, 10s, 500ms)`);
    throw error;
  }
}

const RW_ALIASES: Readonly<Record<string, RwMode>> = {
  read: 'read',
  write: 'write',
  randread: 'randread',
  randwrite: 'randwrite',
  randrw: 'randrw',
  rw: 'readwrite',
  readwrite: 'readwrite',
};

/** rw=MODE[:N] — N an I/O count for random modes, a (signed) byte offset for sequential ones. */
function rw(value: string | undefined, draft: Draft): void {
  const text = required(value);
  const [modeText = '', modifier] = text.split(':', 2);
  const mode = RW_ALIASES[modeText];
  if (mode === undefined) {
    const refused = ['trim', 'randtrim', 'trimwrite', 'randtrimwrite'].includes(modeText) ? ' (trim is not simulated)' : '';
    throw new Error(`unknown mode '${modeText}'${refused} (expected ${Object.keys(RW_ALIASES).join(', ')})`);
  }
  draft.spec.rw = mode;
  if (modifier === undefined) return;
  if (mode.startsWith('rand')) {
    if (!/^\d+$/.test(modifier) || Number(modifier) < 1) throw new Error(`modifier '${modifier}' of a random mode must be an I/O count of at least 1`);
    draft.spec.randomRunLength = Number(modifier);
  } else {
    const negative = modifier.startsWith('-');
    const bytes = size(negative ? modifier.slice(1) : modifier);
    draft.spec.sequentialSkipBytes = negative ? -bytes : bytes;
  }
}

function bssplitList(text: string): BlockSizeShare[] {
  const rows = text.split(':').map((entry) => {
    const [bytesText = '', percentText] = entry.split('/', 2);
    const bytes = size(bytesText);
    if (percentText !== undefined && percentText !== '' && !/^\d+(\.\d+)?$/.test(percentText)) {
      throw new Error(`'${entry}': percentage '${percentText}' is not a number`);
    }
    return { bytes, percent: percentText === undefined || percentText === '' ? undefined : Number(percentText) };
  });
  return completeShares(rows);
}

function bssplit(value: string | undefined, draft: Draft): void {
  const [readText = '', writeText] = required(value).split(',', 2);
  const read = bssplitList(readText);
  const write = writeText === undefined || writeText === '' ? read : bssplitList(writeText);
  draft.spec.bssplit = { read, write };
}

function randomDistribution(value: string | undefined, draft: Draft): void {
  const text = required(value);
  const colon = text.indexOf(':');
  const kind = colon < 0 ? text : text.slice(0, colon);
  const arg = colon < 0 ? undefined : text.slice(colon + 1);
  const number = (fallback: number | undefined, what: string): number => {
    if (arg === undefined || arg === '') {
      if (fallback === undefined) throw new Error(`${kind} needs ${what}, e.g. ${kind}:${kind === 'zipf' ? '1.2' : kind === 'pareto' ? '0.2' : '20'}`);
      return fallback;
    }
    if (!/^\d+(\.\d+)?$/.test(arg)) throw new Error(`${kind}: '${arg}' is not a number`);
    return Number(arg);
  };
  let spec: RandomDistributionSpec;
  switch (kind) {
    case 'random':
      spec = { kind: 'random' };
      break;
    case 'zipf': {
      const theta = number(undefined, 'a theta');
      if (theta <= 0 || theta === 1) throw new Error('zipf theta must be above 0 and not 1');
      spec = { kind: 'zipf', theta };
      break;
    }
    case 'pareto': {
      const h = number(undefined, 'a power h');
      if (h <= 0 || h >= 1) throw new Error('pareto h must be between 0 and 1');
      spec = { kind: 'pareto', h };
      break;
    }
    case 'normal':
    case 'gauss': {
      const stddevPercent = number(undefined, 'a deviation in percent');
      if (stddevPercent <= 0 || stddevPercent > 100) throw new Error('normal deviation must be a percentage above 0 and at most 100');
      spec = { kind: 'normal', stddevPercent };
      break;
    }
    case 'zoned': {
      if (arg === undefined || arg === '') throw new Error('zoned needs zones, e.g. zoned:50/5:30/15:20/80');
      const zones = arg.split(':').map((zone) => {
        const match = /^(\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?)$/.exec(zone);
        if (match === null) throw new Error(`zone '${zone}' is not ACCESS%/RANGE%`);
        return { accessPercent: Number(match[1]), rangePercent: Number(match[2]) };
      });
      const access = zones.reduce((sum, zone) => sum + zone.accessPercent, 0);
      const range = zones.reduce((sum, zone) => sum + zone.rangePercent, 0);
      if (access !== 100) throw new Error(`zone access percentages add up to ${access}, not 100`);
      if (range !== 100) throw new Error(`zone range percentages add up to ${range}, not 100`);
      spec = { kind: 'zoned', zones };
      break;
    }
    default:
      throw new Error(`unknown distribution '${kind}' (expected random, zipf:θ, pareto:h, normal:σ, zoned:A/R:...)`);
  }
  draft.spec.randomDistribution = spec;
}

function verify(value: string | undefined, draft: Draft): void {
  const method = required(value);
  if (['0', 'null', 'none'].includes(method)) {
    delete draft.spec.verify;
    return;
  }
  if (!['crc32c', 'crc32c-intel', 'md5', 'pattern', 'meta', 'crc32', 'sha1', 'sha256', 'xxhash'].includes(method)) {
    throw new Error(`unknown method '${method}' (expected crc32c, md5 or pattern)`);
  }
  draft.spec.verify = true;
  draft.spec.verifyMethod = method;
}

const HANDLERS: Readonly<Record<string, Handler>> = {
  name: (value, draft) => {
    draft.name = required(value);
  },
  stonewall: (value, draft) => {
    draft.stonewall = boolean(value);
  },
  wait_for_previous: (value, draft) => {
    draft.stonewall = boolean(value);
  },
  group_reporting: (value, draft) => {
    draft.groupReporting = boolean(value);
  },
  numjobs: (value, draft) => {
    draft.numjobs = integer(value, 1, 4096);
  },
  rw,
  readwrite: rw,
  rwmixread: (value, draft) => {
    draft.spec.rwmixread = integer(value, 0, 100);
  },
  rwmixwrite: (value, draft) => {
    draft.rwmixwrite = integer(value, 0, 100);
  },
  bs: (value, draft) => {
    const [read = '', write] = required(value).split(',', 2);
    const bytes = size(read);
    if (write !== undefined && write !== '' && size(write) !== bytes) throw new Error('different read and write block sizes are not supported');
    draft.spec.bs = bytes;
    delete draft.spec.bsrange;
    delete draft.spec.bssplit;
  },
  blocksize: (value, draft) => HANDLERS.bs?.(value, draft),
  bsrange: (value, draft) => {
    const text = required(value).split(',', 1)[0] ?? '';
    const match = /^([^-]+)-([^-]+)$/.exec(text);
    if (match === null) throw new Error(`malformed range '${text}' (expected e.g. 4k-256k)`);
    draft.spec.bsrange = { min: size(match[1]), max: size(match[2]) };
    delete draft.spec.bssplit;
  },
  blocksize_range: (value, draft) => HANDLERS.bsrange?.(value, draft),
  bssplit,
  blockalign: (value, draft) => {
    draft.spec.blockalignBytes = size((required(value).split(',', 1)[0] ?? ''));
  },
  ba: (value, draft) => HANDLERS.blockalign?.(value, draft),
  size: (value, draft) => {
    draft.spec.sizeBytes = size(value);
  },
  io_size: (value, draft) => {
    draft.spec.ioSizeBytes = size(value);
  },
  io_limit: (value, draft) => HANDLERS.io_size?.(value, draft),
  offset: (value, draft) => {
    draft.spec.offsetBytes = size(value);
  },
  iodepth: (value, draft) => {
    draft.spec.iodepth = integer(value, 1, 65536);
  },
  runtime: (value, draft) => {
    draft.spec.runtimeNs = duration(value);
  },
  timeout: (value, draft) => HANDLERS.runtime?.(value, draft),
  time_based: (value, draft) => {
    draft.timeBased = boolean(value);
  },
  ramp_time: (value, draft) => {
    draft.spec.rampNs = duration(value);
  },
  startdelay: (value, draft) => {
    draft.startDelayNs = duration(value);
  },
  rate_iops: (value, draft) => {
    const [read = '', write] = required(value).split(',', 2);
    if (write !== undefined && write !== '' && write !== read) throw new Error('different read and write rates are not supported');
    draft.spec.rateIops = integer(read, 0, 100_000_000);
  },
  rate_process: (value, draft) => {
    const text = required(value);
    if (text !== 'linear' && text !== 'poisson') throw new Error(`unknown process '${text}' (expected linear or poisson)`);
    draft.spec.rateProcess = text;
  },
  random_distribution: randomDistribution,
  randrepeat: (value, draft) => {
    // The engine's offsets are always a function of the seed; randrepeat=0 draws from other streams.
    if (!boolean(value)) draft.spec.streamPrefix = 'norepeat';
  },
  verify,
  verify_pattern: (value) => {
    required(value);
  },
  verify_fatal: (value, draft) => {
    draft.spec.verifyFatal = boolean(value);
  },
  do_verify: (value) => {
    boolean(value);
  },
  continue_on_error: (value, draft) => {
    draft.spec.stopOnError = required(value) === 'none' || value === '0';
  },
};

/** Every option this reader takes (handled or ignored). */
export const FIO_SUPPORTED_OPTIONS: readonly string[] = Object.keys(HANDLERS);

function apply(file: string, option: FioOptionLine, draft: Draft): void {
  if (FIO_IGNORED_OPTIONS.includes(option.name)) return;
  const handler = HANDLERS[option.name];
  if (handler === undefined) throw new FioJobFileError(file, option.line, option.name, 'unknown or unsupported option (see README "fio job files")');
  try {
    handler(option.value, draft);
  } catch (error) {
    throw new FioJobFileError(file, option.line, option.name, error instanceof Error ? error.message : String(error));
  }
}

/** Turns each job section into a plan; throws a FioJobFileError at the first bad line. */
export function planFioJobs(text: FioJobFileText): FioJobPlan[] {
  return text.jobs.map((section) => {
    const draft: Draft = {
      spec: { rw: 'read' },
      name: section.name,
      numjobs: 1,
      stonewall: false,
      groupReporting: false,
      startDelayNs: 0,
      timeBased: false,
      rwmixwrite: undefined,
    };
    const options: Record<string, string> = {};
    const optionLines: Record<string, number> = {};
    for (const option of [...section.global, ...section.options]) {
      apply(text.file, option, draft);
      options[option.name] = option.value ?? '';
      optionLines[option.name] = option.line;
    }
    // fio: rwmixwrite is the complement of rwmixread; when both are given, rwmixread wins here.
    if (draft.rwmixwrite !== undefined && !section.options.concat(section.global).some((o) => o.name === 'rwmixread')) {
      draft.spec.rwmixread = 100 - draft.rwmixwrite;
    }
    const spec: JobSpec = {
      ...draft.spec,
      name: draft.name,
      streamPrefix: `fio/${draft.spec.streamPrefix === 'norepeat' ? 'norepeat/' : ''}${draft.name}`,
    };
    return {
      name: draft.name,
      file: text.file,
      line: section.line,
      spec,
      numjobs: draft.numjobs,
      stonewall: draft.stonewall,
      groupReporting: draft.groupReporting,
      startDelayNs: draft.startDelayNs,
      timeBased: draft.timeBased,
      options,
      optionLines,
    };
  });
}
