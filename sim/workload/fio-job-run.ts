// Running a fio job file's jobs together, as fio does: each of a job's numjobs clones is its own
// WorkloadRun on its own I/O queue (fio threads on different CPUs reach different hardware
// queues); a stonewall job waits for all earlier jobs and starts a new group (groupid); startdelay
// idles a job after its group starts; group_reporting reports a group as one job, its latency
// histograms merged rather than averaged.
import type { Clock, Timer } from '../core/index.js';
import type { WorkloadDevice } from './device.js';
import type { WorkloadEnv, WorkloadOptions } from './engine.js';
import { WorkloadRun } from './engine.js';
import { fioJob, FIO_VERSION, type FioOutput } from './fio-json.js';
import type { FioJobPlan } from './fio-job-options.js';
import { FioJobFileError } from './fio-job-file.js';
import { JobError, resolveJob, type JobFieldNames, type JobSpec, type ResolvedJob } from './job.js';
import { DirectionStats, type WorkloadResult } from './stats.js';

/** One clone of one job section, resolved against the namespace. */
export interface FioJobInstance {
  readonly plan: FioJobPlan;
  readonly clone: number;
  readonly groupid: number;
  readonly job: ResolvedJob;
}

export interface FioResolveOptions {
  /** Fields to set on every job (CLI flags given with --job). */
  readonly overrides?: Partial<JobSpec>;
  /** Called with one-line notes (a size capped to the namespace). */
  readonly onNote?: (note: string) => void;
  readonly fieldNames?: Partial<JobFieldNames>;
}

/** Resolves every clone of every plan: its queue, its group, sizes capped to the namespace. */
export function resolveFioJobs(
  plans: readonly FioJobPlan[],
  geometry: { readonly blockSize: number; readonly sizeBytes: number },
  options: FioResolveOptions = {},
): FioJobInstance[] {
  const instances: FioJobInstance[] = [];
  let groupid = 0;
  let queue = 0;
  plans.forEach((plan, index) => {
    if (plan.stonewall && index > 0) groupid++;
    let spec: { -readonly [K in keyof JobSpec]: JobSpec[K] } = { ...plan.spec, ...options.overrides };
    const offset = spec.offsetBytes ?? 0;
    if (spec.sizeBytes !== undefined && offset + spec.sizeBytes > geometry.sizeBytes && offset < geometry.sizeBytes) {
      const capped = geometry.sizeBytes - offset;
      options.onNote?.(`${plan.file}:${plan.optionLines.size ?? plan.line}: job '${plan.name}': size ${spec.sizeBytes} is beyond the ${geometry.sizeBytes}-byte namespace; capped to ${capped}`);
      spec.sizeBytes = capped;
    }
    // fio without time_based ends at size or runtime, whichever comes first.
    const timeBased = plan.timeBased || options.overrides?.runtimeNs !== undefined;
    if (spec.runtimeNs !== undefined && !timeBased && spec.ioSizeBytes === undefined) {
      spec.ioSizeBytes = spec.sizeBytes ?? geometry.sizeBytes - offset;
    }
    for (let clone = 0; clone < plan.numjobs; clone++) {
      spec = { ...spec, queues: 1, queueOffset: queue++, streamPrefix: `${plan.spec.streamPrefix ?? `fio/${plan.name}`}/${clone}` };
      let job: ResolvedJob;
      try {
        job = resolveJob({ ...spec, name: plan.name }, geometry, options.fieldNames);
      } catch (error) {
        if (!(error instanceof JobError)) throw error;
        // The engine names fio's option (job.ts DEFAULT_FIELD_NAMES): point at the line that set it.
        const line = plan.optionLines[error.field] ?? (error.field === 'bs' ? plan.optionLines.bssplit : undefined) ?? plan.line;
        throw new FioJobFileError(plan.file, line, error.field, `job '${plan.name}': ${error.message.slice(error.field.length + 2)}`);
      }
      instances.push({ plan, clone, groupid, job });
    }
  });
  return instances;
}

/** A running job file: stop() ends the current group's jobs and skips the later groups. */
export class FioJobFileRun {
  readonly #env: WorkloadEnv & { readonly clock: Clock };
  readonly #device: WorkloadDevice;
  readonly #instances: readonly FioJobInstance[];
  readonly #options: WorkloadOptions;
  readonly #runs: WorkloadRun[] = [];
  readonly #timers: Timer[] = [];
  #stopped = false;

  constructor(env: WorkloadEnv, device: WorkloadDevice, instances: readonly FioJobInstance[], options: WorkloadOptions = {}) {
    this.#env = env;
    this.#device = device;
    this.#instances = instances;
    this.#options = options;
  }

  /** Runs group after group; resolves with each instance's run and result, in file order. */
  async run(): Promise<{ instance: FioJobInstance; run: WorkloadRun; result: WorkloadResult }[]> {
    const out: { instance: FioJobInstance; run: WorkloadRun; result: WorkloadResult }[] = [];
    const groups = [...new Set(this.#instances.map((instance) => instance.groupid))];
    for (const groupid of groups) {
      if (this.#stopped) break;
      const members = this.#instances.filter((instance) => instance.groupid === groupid);
      const done = await Promise.all(members.map((instance) => this.#start(instance)));
      out.push(...done);
    }
    return out;
  }

  #start(instance: FioJobInstance): Promise<{ instance: FioJobInstance; run: WorkloadRun; result: WorkloadResult }> {
    return new Promise((resolve) => {
      const run = new WorkloadRun(this.#env, this.#device, instance.job, this.#options);
      this.#runs.push(run);
      const begin = (): void => run.start((result) => resolve({ instance, run, result }));
      const delay = instance.plan.startDelayNs;
      if (delay > 0 && !this.#stopped) this.#timers.push(this.#env.clock.setTimer(delay, begin));
      else begin();
      if (this.#stopped) run.stop();
    });
  }

  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) this.#env.clock.clearTimer(timer);
    for (const run of this.#runs) run.stop();
  }
}

/** Adds one run's counters into a group's (latency histograms merged, not averaged). */
function mergeDirection(into: DirectionStats, from: DirectionStats): void {
  into.clat.add(from.clat);
  // A closed-loop member's total latency is its clat (engine.ts keeps no separate lat for it).
  into.lat?.add(from.lat ?? from.clat);
  into.ioBytes += from.ioBytes;
  into.ios += from.ios;
  into.errors += from.errors;
  if (from.firstIssueNs >= 0) into.firstIssueNs = into.firstIssueNs < 0 ? from.firstIssueNs : Math.min(into.firstIssueNs, from.firstIssueNs);
  into.lastCompletionNs = Math.max(into.lastCompletionNs, from.lastCompletionNs);
}

const ENDED_RANK: Readonly<Record<WorkloadResult['ended'], number>> = { done: 0, stopped: 1, error: 2 };

function mergeResults(name: string, runs: readonly { run: WorkloadRun; result: WorkloadResult }[]): WorkloadResult {
  const openLoop = runs.some(({ run }) => run.directions[0].lat !== undefined);
  const read = new DirectionStats(true, openLoop);
  const write = new DirectionStats(true, openLoop);
  for (const { run } of runs) {
    mergeDirection(read, run.directions[0]);
    mergeDirection(write, run.directions[1]);
  }
  const first = runs.find(({ result }) => result.firstError !== undefined)?.result.firstError;
  const mismatch = runs.find(({ result }) => result.verify.firstMismatch !== undefined)?.result.verify.firstMismatch;
  return {
    name,
    elapsedNs: Math.max(...runs.map(({ result }) => result.elapsedNs)),
    read: read.result(),
    write: write.result(),
    queues: runs.flatMap(({ result }) => result.queues),
    errors: runs.reduce((sum, { result }) => sum + result.errors, 0),
    ...(first === undefined ? {} : { firstError: first }),
    verify: {
      enabled: runs.some(({ result }) => result.verify.enabled),
      blocksChecked: runs.reduce((sum, { result }) => sum + result.verify.blocksChecked, 0),
      mismatches: runs.reduce((sum, { result }) => sum + result.verify.mismatches, 0),
      ...(mismatch === undefined ? {} : { firstMismatch: mismatch }),
    },
    ended: runs.map(({ result }) => result.ended).reduce((a, b) => (ENDED_RANK[b] > ENDED_RANK[a] ? b : a), 'done'),
  };
}

/** One reported entry: a clone, or a whole group under group_reporting. */
export interface FioReportEntry {
  readonly groupid: number;
  readonly job: ResolvedJob;
  readonly options: Readonly<Record<string, string>>;
  readonly result: WorkloadResult;
  /** Clones reported in this entry (fio's "jobs=N"). */
  readonly jobs: number;
}

/** Entries in fio's order: per clone, or one per group where any of its jobs asks for group_reporting. */
export function fioReportEntries(done: readonly { instance: FioJobInstance; run: WorkloadRun; result: WorkloadResult }[]): FioReportEntry[] {
  const entries: FioReportEntry[] = [];
  const groups = [...new Set(done.map(({ instance }) => instance.groupid))];
  for (const groupid of groups) {
    const members = done.filter(({ instance }) => instance.groupid === groupid);
    const head = members[0];
    if (head === undefined) continue;
    if (members.some(({ instance }) => instance.plan.groupReporting)) {
      entries.push({ groupid, job: head.instance.job, options: head.instance.plan.options, result: mergeResults(head.instance.plan.name, members), jobs: members.length });
    } else {
      for (const { instance, result } of members) entries.push({ groupid, job: instance.job, options: instance.plan.options, result, jobs: 1 });
    }
  }
  return entries;
}

/** fio's JSON document for a job file run. */
export function fioJobFileOutput(entries: readonly FioReportEntry[]): FioOutput {
  return {
    'fio version': FIO_VERSION,
    jobs: entries.map((entry) => fioJob(entry.job, entry.result, { groupid: entry.groupid, jobOptions: entry.options })),
  };
}
