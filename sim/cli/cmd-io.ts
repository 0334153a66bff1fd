// `nvmf-sim io`: connect, run one fio-like job on a namespace, print fio's summary or JSON, and
// disconnect. Exit status 1 when any I/O failed or a verified block did not match. With several
// paths (-a/-s repeated) the job runs on the multipath head, and each path's statistics follow.
import { parseDurationNs, parseSize, UnitError } from '../core/index.js';
import { fioOutput } from '../workload/index.js';
import { formatFioText, shortNumber } from '../workload/index.js';
import { RATE_PROCESSES, RW_MODES, resolveJob, type JobFieldNames, type JobSpec, type RateProcess, type ResolvedJob, type RwMode } from '../workload/index.js';
import { WorkloadRun } from '../workload/index.js';
import { FioJobFileError, FioJobFileRun, fioJobFileOutput, fioReportEntries, planFioJobs, readFioJobFile, resolveFioJobs, type FioJobPlan } from '../workload/index.js';
import { readFileSync, statSync } from 'node:fs';
import type { WorkloadProgress, WorkloadResult } from '../workload/index.js';
import { ArgReader, parseArgs, UsageError, type OptionSpec } from './args.js';
import { EXIT_FAILURE, type CliIo, type Command } from './command.js';
import { CONNECT_FLAGS, connectPaths, OUTPUT_FLAGS, wantsJson } from './connect-flags.js';
import { formatPathsText, pathsJson } from './format-paths.js';
import { cliEnv, connectSubsystem, discoverPaths, type CliPath } from './stack.js';

const JOB_FLAGS: readonly OptionSpec[] = [
  { long: 'job', kind: 'value', valueName: 'FILE.fio', help: 'run a fio job file (also as the one positional argument); job flags given too override every job' },
  { long: 'nsid', kind: 'value', valueName: 'N', help: 'namespace ID (default 1)' },
  { long: 'rw', kind: 'value', valueName: 'MODE', help: `I/O pattern: ${RW_MODES.join(', ')} (default read)` },
  { long: 'rwmixread', kind: 'value', valueName: 'PCT', help: 'percentage of reads for randrw (default 50)' },
  { long: 'bs', kind: 'value', valueName: 'SIZE', help: 'block size (default 4k)' },
  { long: 'bsrange', kind: 'value', valueName: 'MIN-MAX', help: 'random block sizes, e.g. 4k-256k' },
  { long: 'iodepth', kind: 'value', valueName: 'N', help: 'I/Os outstanding in total, spread over the I/O queues (default 1)' },
  { long: 'size', kind: 'value', valueName: 'SIZE', help: 'region to do I/O in, and bytes to transfer (default: whole namespace)' },
  { long: 'io-size', kind: 'value', valueName: 'SIZE', help: 'bytes to transfer when different from --size' },
  { long: 'runtime', kind: 'value', valueName: 'TIME', help: 'run for this long, looping over the region (e.g. 5s)' },
  { long: 'offset', kind: 'value', valueName: 'SIZE', help: 'start of the region (default 0)' },
  { long: 'verify', kind: 'flag', help: 'write a checkable pattern and verify reads of it' },
  { long: 'continue-on-error', kind: 'flag', help: 'keep going after a failed I/O' },
  { long: 'rate-iops', kind: 'value', valueName: 'N', help: 'open loop: I/Os arrive at N per second (fio rate_iops); latency counts from the arrival' },
  { long: 'rate-process', kind: 'value', valueName: 'P', help: "arrival spacing for --rate-iops: linear (default) or poisson (fio rate_process)" },
  { long: 'seed', kind: 'value', valueName: 'S', help: 'seed for offsets and data patterns (default 1)' },
  { long: 'name', kind: 'value', valueName: 'NAME', help: 'job name in the report' },
];

const OPTIONS = [...CONNECT_FLAGS, ...JOB_FLAGS, ...OUTPUT_FLAGS];

const FIELDS: JobFieldNames = {
  rw: '--rw',
  rwmixread: '--rwmixread',
  bs: '--bs',
  bsrange: '--bsrange',
  iodepth: '--iodepth',
  queues: '--nr-io-queues (-i)',
  offsetBytes: '--offset',
  sizeBytes: '--size',
  ioSizeBytes: '--io-size',
  runtimeNs: '--runtime',
  verify: '--verify',
  rateIops: '--rate-iops',
  rateProcess: '--rate-process',
};

/** Parses the job flags that do not need the namespace's geometry. */
export function jobSpecFromArgs(args: ArgReader): JobSpec {
  return { rw: 'read', ...jobOverridesFromArgs(args) };
}

/** Only the job flags the user gave (they override every job of a job file). */
export function jobOverridesFromArgs(args: ArgReader): Partial<JobSpec> {
  const rw = args.string('rw');
  if (rw !== undefined && !(RW_MODES as readonly string[]).includes(rw)) {
    throw new UsageError(`--rw: unknown mode '${rw}' (expected ${RW_MODES.join(', ')})`);
  }
  const size = (long: string): number | undefined => {
    const text = args.string(long);
    return text === undefined ? undefined : parseSize(text, `--${long}`);
  };
  const spec: { -readonly [K in keyof JobSpec]?: JobSpec[K] } = rw === undefined ? {} : { rw: rw as RwMode };
  const name = args.string('name');
  if (name !== undefined) spec.name = name;
  const rwmixread = args.integer('rwmixread', 0, 100);
  if (rwmixread !== undefined) spec.rwmixread = rwmixread;
  const bs = size('bs');
  if (bs !== undefined) spec.bs = bs;
  const bsrange = args.string('bsrange');
  if (bsrange !== undefined) {
    const match = /^([^-]+)-([^-]+)$/.exec(bsrange);
    if (match === null) throw new UnitError('--bsrange', `malformed range '${bsrange}' (expected e.g. 4k-256k)`);
    spec.bsrange = { min: parseSize(match[1] ?? '', '--bsrange'), max: parseSize(match[2] ?? '', '--bsrange') };
  }
  const iodepth = args.integer('iodepth', 1, 65536);
  if (iodepth !== undefined) spec.iodepth = iodepth;
  const sizeBytes = size('size');
  if (sizeBytes !== undefined) spec.sizeBytes = sizeBytes;
  const ioSizeBytes = size('io-size');
  if (ioSizeBytes !== undefined) spec.ioSizeBytes = ioSizeBytes;
  const offsetBytes = size('offset');
  if (offsetBytes !== undefined) spec.offsetBytes = offsetBytes;
  const runtime = args.string('runtime');
  if (runtime !== undefined) spec.runtimeNs = parseDurationNs(runtime, '--runtime');
  if (args.flag('verify')) spec.verify = true;
  if (args.flag('continue-on-error')) spec.stopOnError = false;
  const rate = args.integer('rate-iops', 0, 100_000_000);
  if (rate !== undefined) spec.rateIops = rate;
  const process = args.string('rate-process');
  if (process !== undefined) {
    if (!(RATE_PROCESSES as readonly string[]).includes(process)) {
      throw new UsageError(`--rate-process: unknown process '${process}' (expected ${RATE_PROCESSES.join(', ')})`);
    }
    if (rate === undefined) throw new UsageError('--rate-process: needs --rate-iops');
    spec.rateProcess = process as RateProcess;
  }
  return spec;
}

/** The job file named by --job or the one positional argument; a stray positional is refused. */
export function jobFileFromArgs(args: ArgReader): { file: string; plans: FioJobPlan[] } | undefined {
  const positionals = args.positionals;
  const flag = args.string('job');
  if (positionals.length > 1 || (flag !== undefined && positionals.length > 0)) {
    throw new UsageError(`unexpected argument '${positionals[flag === undefined ? 1 : 0] ?? ''}' (io takes one job file, by --job or as the only positional argument)`);
  }
  const file = flag ?? positionals[0];
  if (file === undefined) return undefined;
  const what = flag === undefined ? `argument '${file}'` : `--job: '${file}'`;
  let text: string;
  try {
    if (!statSync(file).isFile()) throw new UsageError(`${what} is not a job file (not a regular file)`);
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${what} is not a job file (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  try {
    return { file, plans: planFioJobs(readFioJobFile(text, file)) };
  } catch (error) {
    if (error instanceof FioJobFileError) throw new UsageError(error.message);
    throw error;
  }
}

/** Non-TTY progress is one line every this many reports (about 5 s). */
const PLAIN_PROGRESS_EVERY = 5;

function progressLine(progress: WorkloadProgress): string {
  const bw = progress.readBytesPerS + progress.writeBytesPerS;
  return (
    `[${progress.phase}] ${progress.percentDone.toFixed(1)}% done, ${shortNumber(progress.iops)} IOPS, ` +
    `${shortNumber(bw, 1024)}B/s, ${progress.totalIos} I/Os, ${progress.errors} errors`
  );
}

function progressReporter(io: CliIo): { report: (p: WorkloadProgress) => void; finish: () => void } {
  let count = 0;
  let drawn = false;
  return {
    report: (progress) => {
      count++;
      if (io.errIsTty) {
        io.err(`\r\x1b[K${progressLine(progress)}`);
        drawn = true;
      } else if (count % PLAIN_PROGRESS_EVERY === 0) {
        io.err(`${progressLine(progress)}\n`);
      }
    },
    finish: () => {
      if (drawn) io.err('\r\x1b[K');
    },
  };
}

export const ioCommand: Command = {
  name: 'io',
  usage:
    'io -t tcp -a ADDR [-s PORT] [-a ADDR -s PORT ... | --connect-all] [--iopolicy P] -n NQN [--nsid N] [-i QUEUES] [-Q SIZE] [-g] [-G] --rw MODE [--rwmixread P]\n' +
    '       [--bs SIZE | --bsrange MIN-MAX] [--iodepth N] (--size SIZE | --runtime TIME) [--verify] [--seed S] [--json]\n' +
    '       nvmf-sim io -t tcp -a ADDR -n NQN [job flags overriding every job] (--job FILE.fio | FILE.fio)',
  options: OPTIONS,
  async run(argv, io) {
    const args = new ArgReader(parseArgs(argv, OPTIONS, 'io'), OPTIONS);
    const json = wantsJson(args);
    const request = connectPaths(args);
    const iopolicy = request.iopolicy;
    const jobFile = jobFileFromArgs(args);
    const spec = jobSpecFromArgs(args);
    const overrides = jobOverridesFromArgs(args);
    const nsid = args.integer('nsid', 1, 0xfffffffe) ?? 1;
    const env = cliEnv({ seed: args.string('seed') ?? '1' });
    try {
      const paths = request.connectAll && request.paths[0] !== undefined ? await discoverPaths(env, request.paths[0]) : request.paths;
      const controller = await connectSubsystem(env, paths, iopolicy);
      if (jobFile !== undefined) {
        try {
          return await runJobFile(env, controller, nsid, jobFile.plans, overrides, io, json, iopolicy);
        } finally {
          await controller.disconnect();
        }
      }
      let result: WorkloadResult;
      let job: ResolvedJob;
      let pathStats: readonly CliPath[] = [];
      try {
        const device = await controller.namespace(nsid);
        job = resolveJob({ ...spec, queues: controller.ioQueues }, device, FIELDS);
        const progress = json ? undefined : progressReporter(io);
        const run = new WorkloadRun(env, device, job, progress === undefined ? {} : { onProgress: progress.report });
        // Ctrl-C stops issuing; in-flight I/O completes and the partial result is reported.
        void io.untilSignal().then(() => run.stop());
        result = await new Promise<WorkloadResult>((resolve) => run.start(resolve));
        progress?.finish();
        pathStats = controller.paths(nsid);
      } finally {
        await controller.disconnect();
      }
      if (json) {
        const output = fioOutput([{ job, result }]);
        const jobs = pathStats.length === 0 ? output.jobs : output.jobs.map((entry) => ({ ...entry, nvmf_sim: { ...entry.nvmf_sim, iopolicy, paths: pathsJson(pathStats) } }));
        io.out(`${JSON.stringify({ ...output, jobs }, null, 2)}\n`);
      } else {
        const text = formatFioText(result);
        // The per-path table belongs to the job, above fio's group summary.
        const at = text.indexOf('\nRun status group');
        const block = pathStats.length === 0 ? '' : formatPathsText(iopolicy, pathStats);
        io.out(at < 0 ? text + block : `${text.slice(0, at + 1)}${block}${block === '' ? '' : '\n'}${text.slice(at + 1)}`);
      }
      return result.errors > 0 || result.verify.mismatches > 0 ? EXIT_FAILURE : 0;
    } finally {
      env.clock.clearAll();
    }
  },
};

/** Runs a job file's jobs on one namespace and prints fio's JSON or text for each reported entry. */
async function runJobFile(
  env: ReturnType<typeof cliEnv>,
  controller: Awaited<ReturnType<typeof connectSubsystem>>,
  nsid: number,
  plans: readonly FioJobPlan[],
  overrides: Partial<JobSpec>,
  io: CliIo,
  json: boolean,
  iopolicy: Parameters<typeof formatPathsText>[0],
): Promise<number> {
  const device = await controller.namespace(nsid);
  let instances;
  try {
    instances = resolveFioJobs(plans, device, { overrides, onNote: (note) => io.err(`nvmf-sim: note: ${note}\n`) });
  } catch (error) {
    if (error instanceof FioJobFileError) throw new UsageError(error.message);
    throw error;
  }
  const run = new FioJobFileRun(env, device, instances);
  void io.untilSignal().then(() => run.stop());
  const entries = fioReportEntries(await run.run());
  // With several paths, the whole file's per-path statistics follow, as for a single job.
  const pathStats = controller.paths(nsid);
  if (json) {
    const output = fioJobFileOutput(entries);
    const jobs = pathStats.length === 0 ? output.jobs : output.jobs.map((entry) => ({ ...entry, nvmf_sim: { ...entry.nvmf_sim, iopolicy, paths: pathsJson(pathStats) } }));
    io.out(`${JSON.stringify({ ...output, jobs }, null, 2)}\n`);
  } else {
    const text = entries.map((entry) => formatFioText(entry.result).replace('(groupid=0, jobs=1)', `(groupid=${entry.groupid}, jobs=${entry.jobs})`)).join('\n');
    io.out(pathStats.length === 0 ? text : `${text}\n${formatPathsText(iopolicy, pathStats)}`);
  }
  return entries.some((entry) => entry.result.errors > 0 || entry.result.verify.mismatches > 0) ? EXIT_FAILURE : 0;
}
