// One task of a study: a point's scenario under one seed, run to its result. Workers run tasks
// (study-worker.ts); the main thread uses the same code to check every point before the pool
// starts, so a bad axis value is one line with exit status 2, not a failed point.
import { loadScenario, resolveScenario, runScenario, ScenarioError } from '../scenario/index.js';
import type { FailureClass, FieldAssignment, ResolvedScenario, ScenarioResult } from '../scenario/index.js';
import { axisName, type StudyPoint } from './define-study.js';
import { pointMetrics, type PointMetrics } from './point-metrics.js';
import { StudyError } from './study-error.js';
import { loadStudy, type LoadedStudy } from './study-module.js';
import { pointScenario } from './study-plan.js';
import { parseFieldPath } from '../scenario/index.js';

/** A point of a study under one seed. */
export interface StudyTaskInput {
  readonly kind: 'study';
  readonly studyFile: string;
  readonly point: StudyPoint;
  readonly seed: string;
  /** `--duration` for every point, if given. */
  readonly durationNs?: number;
}

/** A scenario file under one seed (a seed sweep's task), with its `--set` changes. */
export interface ScenarioTaskInput {
  readonly kind: 'scenario';
  readonly file: string;
  readonly sets: readonly FieldAssignment[];
  readonly seed: string;
  readonly durationNs?: number;
  /** Hand back the full result (default true); a sweep of thousands of seeds keeps only verdicts. */
  readonly keepResult?: boolean;
}

export type TaskInput = StudyTaskInput | ScenarioTaskInput;

/** What a run's verification saw, over all hosts: the figures a soak (sim/soak) adds up. */
export interface TaskIntegrity {
  /** Writes the hosts' workloads saw completed successfully (acknowledged). */
  readonly writesAcknowledged: number;
  /** Blocks read back and compared against what was last written. */
  readonly blocksChecked: number;
  /** Of those, blocks that read back differently: a lost write or damaged data. */
  readonly mismatches: number;
}

export interface TaskOutcome {
  readonly seed: string;
  readonly ok: boolean;
  readonly failure?: FailureClass;
  /** Names and details of the invariants that failed. */
  readonly failed: readonly string[];
  readonly fingerprint: string;
  readonly metrics: PointMetrics;
  readonly integrity: TaskIntegrity;
  /** Absent when the task asked not to keep it. */
  readonly result?: ScenarioResult;
}

/** True when a field path such as `hosts[1].x` is one that the axis path `hosts[*].x` sets. */
function axisCovers(axisPath: string, field: string): boolean {
  try {
    const axis = parseFieldPath(axisPath);
    const actual = parseFieldPath(field);
    if (actual.length < axis.length) return false;
    return axis.every((segment, i) => {
      const other = actual[i];
      if (other === undefined) return false;
      if (segment.kind === 'every') return other.kind === 'index' || other.kind === 'every';
      return JSON.stringify(segment) === JSON.stringify(other);
    });
  } catch {
    return false;
  }
}

/** Builds and checks a point's scenario; errors name the study file, the axis and the value. */
export function resolvePoint(loaded: LoadedStudy, point: StudyPoint, seed: string, durationNs?: number): ResolvedScenario {
  const { study, file } = loaded;
  const scenario = pointScenario(study, file, loaded.base, point);
  const source = loaded.basePath ?? file;
  try {
    return resolveScenario(scenario, source, durationNs === undefined ? { seed } : { seed, durationNs });
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    const axis = study.axes.find((candidate) => candidate.path !== undefined && axisCovers(candidate.path, error.field));
    const at =
      axis === undefined
        ? `point ${JSON.stringify(point)}`
        : `axis '${axisName(axis)}' = ${JSON.stringify(point[axisName(axis)])}`;
    throw new StudyError(file, `${at}: ${error.message}`);
  }
}

/** Checks every point of a study once (seed of the first), before anything runs. */
export function checkPoints(loaded: LoadedStudy, points: readonly StudyPoint[], seed: string, durationNs?: number): void {
  for (const point of points) resolvePoint(loaded, point, seed, durationNs);
}

async function resolveTask(input: TaskInput): Promise<ResolvedScenario> {
  if (input.kind === 'study') return resolvePoint(await loadStudy(input.studyFile), input.point, input.seed, input.durationNs);
  const overrides = input.durationNs === undefined ? { seed: input.seed } : { seed: input.seed, durationNs: input.durationNs };
  return loadScenario(input.file, overrides, input.sets);
}

export async function runTask(input: TaskInput): Promise<TaskOutcome> {
  const result = await runScenario(await resolveTask(input), {});
  const keep = input.kind === 'study' || input.keepResult !== false;
  return {
    seed: input.seed,
    ok: result.ok,
    ...(result.failure === undefined ? {} : { failure: result.failure }),
    failed: result.invariants.filter((inv) => !inv.ok).map((inv) => `${inv.name}: ${inv.detail}`),
    fingerprint: result.fingerprint,
    metrics: pointMetrics(result),
    integrity: {
      writesAcknowledged: result.perHost.reduce((sum, host) => sum + (host.write?.ios ?? 0), 0),
      blocksChecked: result.perHost.reduce((sum, host) => sum + host.verify.blocksChecked, 0),
      mismatches: result.perHost.reduce((sum, host) => sum + host.verify.mismatches, 0),
    },
    ...(keep ? { result } : {}),
  };
}

