// Running a study: load and check it (every point's scenario, before anything runs), pick this
// shard's tasks, reuse results already computed (--resume, by content key), run the rest on the
// worker pool, and assemble the document. Merging shards' documents gives what one run gives.
import { readFile } from 'node:fs/promises';
import { formatDuration, setValueText, shellWord } from '../scenario/index.js';
import type { ScenarioResult } from '../scenario/index.js';
import { axisName, type StudyPoint } from './define-study.js';
import { inShard, type Shard } from './shard.js';
import { StudyError } from './study-error.js';
import { loadStudy, type LoadedStudy } from './study-module.js';
import { planStudy, sha256, type StudyPlan, type StudyTask } from './study-plan.js';
import { assembleStudy, type SeedRecord, type StudyIdentity, type StudyResult } from './study-result.js';
import { checkPoints, type TaskInput } from './study-task.js';
import { defaultJobs, startPool, type PoolProgress, type WorkerPool } from './worker-pool.js';

export interface StudyRunOptions {
  /** The tool's version (it is part of every content key). */
  readonly version: string;
  /** Worker threads; default one per core. */
  readonly jobs?: number;
  /** Seeds per point (1..K), overriding the study's. */
  readonly seeds?: number;
  /** `--duration` for every point, in ns. */
  readonly durationNs?: number;
  readonly shard?: Shard;
  /** A previous document of this study: its seeds with matching content keys are not run again. */
  readonly resume?: StudyResult;
  /** Only this point (0-based), e.g. to repeat one. */
  readonly point?: number;
  /** Only this seed. */
  readonly seed?: string;
  readonly onProgress?: (progress: PoolProgress & { readonly reused: number }) => void;
  /**
   * Called after each task with a way to build the document so far, e.g. to save partial results;
   * building it costs a pass over every result, so callers build it only when they save.
   */
  readonly onPartial?: (document: () => StudyResult) => void;
  /** Wall-clock milliseconds (only reported as wallSeconds). */
  readonly wallClockMs?: () => number;
}

/** The one command that repeats a point under a seed. */
/**
 * The one command that repeats a point under a seed. `seeds` is the run's `--seeds K`, if any: a
 * repeat through `nvmf-sim study --point` must name the same seeds for `--seed` to be one of them.
 */
export function pointRepeatCommand(
  loaded: LoadedStudy,
  pointIndex: number,
  point: StudyPoint,
  seed: string,
  durationNs?: number,
  seeds?: number,
): string {
  const { study, file, basePath } = loaded;
  const duration = durationNs === undefined ? [] : ['--duration', formatDuration(durationNs)];
  const pathOnly = basePath !== undefined && study.axes.every((axis) => axis.path !== undefined);
  if (pathOnly) {
    const sets = study.axes.flatMap((axis) => ['--set', `${axis.path}=${setValueText(point[axisName(axis)] ?? '')}`]);
    return ['npx', 'nvmf-sim', 'run', basePath, '--seed', seed, ...duration, ...sets].map(shellWord).join(' ');
  }
  const seedCount = seeds === undefined ? [] : ['--seeds', String(seeds)];
  return ['npx', 'nvmf-sim', 'study', file, '--point', String(pointIndex), ...seedCount, '--seed', seed, ...duration].map(shellWord).join(' ');
}

async function identityOf(plan: StudyPlan, durationNs?: number): Promise<StudyIdentity> {
  const study = plan.study;
  return {
    name: study.name,
    description: study.description ?? '',
    file: plan.file,
    fileHash: sha256((await readFile(plan.file)).toString('utf8')),
    studyKey: plan.studyKey,
    axes: study.axes.map((axis) => ({ ...(axis.name === undefined ? {} : { name: axis.name }), ...(axis.path === undefined ? {} : { path: axis.path }), values: axis.values })),
    seeds: plan.seeds,
    questions: study.questions ?? [],
    points: plan.points.map((point) => point.point),
    ...(durationNs === undefined ? {} : { durationNs }),
  };
}

export async function runStudy(file: string, options: StudyRunOptions): Promise<StudyResult> {
  const wallStart = options.wallClockMs?.() ?? 0;
  // Workers start (and compile the study) while this process loads and checks it; a resumed
  // run that reuses every result, or a bad study, ends them unused.
  const workers = options.point !== undefined && options.seed !== undefined ? 1 : (options.jobs ?? defaultJobs());
  const pool = startPool(workers, { preloadStudy: file });
  try {
    return await runStudyOn(pool, file, options, wallStart);
  } finally {
    await pool.destroy();
  }
}

async function runStudyOn(pool: WorkerPool, file: string, options: StudyRunOptions, wallStart: number): Promise<StudyResult> {
  const loaded = await loadStudy(file);
  const plan = planStudy(loaded.study, file, loaded.base, options.version, options.seeds, options.durationNs);
  if (options.point !== undefined && (options.point < 0 || options.point >= plan.points.length || !Number.isInteger(options.point))) {
    throw new StudyError(file, `--point: ${options.point} is not a point of this study (0..${plan.points.length - 1})`);
  }
  if (options.seed !== undefined && !plan.seeds.includes(options.seed)) {
    throw new StudyError(file, `--seed: ${options.seed} is not one of this study's seeds (${plan.seeds.join(', ')}); use --seeds to change them`);
  }
  checkPoints(
    loaded,
    plan.points.map((point) => point.point),
    plan.seeds[0] ?? '1',
    options.durationNs,
  );
  const identity = await identityOf(plan, options.durationNs);
  const previous = new Map<string, SeedRecord>();
  if (options.resume !== undefined) {
    for (const point of options.resume.points) for (const seed of point.seeds) previous.set(seed.key, seed);
  }
  const wanted = plan.tasks.filter(
    (task) =>
      inShard(options.shard, task.index) &&
      (options.point === undefined || task.pointIndex === options.point) &&
      (options.seed === undefined || task.seed === options.seed),
  );
  const records: SeedRecord[] = [];
  const toRun: StudyTask[] = [];
  for (const task of wanted) {
    const reused = previous.get(task.key);
    if (reused !== undefined) records.push({ ...reused, task: task.index });
    else toRun.push(task);
  }
  const reusedCount = records.length;
  const inputs: TaskInput[] = toRun.map((task) => ({
    kind: 'study',
    studyFile: file,
    point: plan.points[task.pointIndex]?.point ?? {},
    seed: task.seed,
    ...(options.durationNs === undefined ? {} : { durationNs: options.durationNs }),
  }));
  const wall = (): number => ((options.wallClockMs?.() ?? 0) - wallStart) / 1000;
  const shard = options.shard === undefined ? {} : { shard: options.shard };
  options.onProgress?.({ done: 0, total: inputs.length, reused: reusedCount });
  await pool.run(inputs, (index, outcome, progress) => {
    const task = toRun[index];
    if (task === undefined) return;
    const point = plan.points[task.pointIndex]?.point ?? {};
    records.push({
      task: task.index,
      seed: task.seed,
      key: task.key,
      ok: outcome.ok,
      ...(outcome.failure === undefined ? {} : { failure: outcome.failure }),
      failed: outcome.failed,
      fingerprint: outcome.fingerprint,
      metrics: outcome.metrics,
      repeat: pointRepeatCommand(loaded, task.pointIndex, point, task.seed, options.durationNs, options.seeds),
      result: outcome.result as ScenarioResult,
    });
    options.onProgress?.({ ...progress, reused: reusedCount });
    options.onPartial?.(() => assembleStudy(options.version, identity, records, { ...shard, wallSeconds: wall() }));
  });
  return assembleStudy(options.version, identity, records, { ...shard, wallSeconds: wall() });
}
