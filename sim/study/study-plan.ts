// A study expanded into what runs: its points (every combination of the axes' values, in order),
// each point's scenario, and the tasks (point × seed). Each task has a content key: a hash of the
// point's scenario, its seed, the run's duration override and the tool's version, so `--resume` reuses a result only when it
// would come out the same, whatever the point's position in the study.
import { createHash } from 'node:crypto';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { FieldPathError, setFieldPath } from '../scenario/index.js';
import type { Scenario } from '../scenario/index.js';
import { axisName, type Study, type StudyPoint, type StudyValue } from './define-study.js';
import { StudyError } from './study-error.js';

export interface PlannedPoint {
  readonly index: number;
  readonly point: StudyPoint;
}

export interface StudyTask {
  /** Position in the study's task list: point-major, then seed. */
  readonly index: number;
  readonly pointIndex: number;
  readonly seed: string;
  readonly key: string;
}

export interface StudyPlan {
  readonly study: Study;
  readonly file: string;
  readonly points: readonly PlannedPoint[];
  readonly seeds: readonly string[];
  readonly tasks: readonly StudyTask[];
  /** Hash of the study's identity (name, axes, seeds, every point's scenario): shards must agree on it. */
  readonly studyKey: string;
}

/** The seeds a study runs: `--seeds K` (1..K) wins over the study's own. */
export function studySeeds(study: Study, seedsOverride?: number): readonly string[] {
  const seeds = seedsOverride ?? study.seeds ?? 1;
  if (typeof seeds === 'number') return Array.from({ length: seeds }, (_, i) => String(i + 1));
  return seeds.map(String);
}

function cartesian(axes: Study['axes']): StudyPoint[] {
  let points: Record<string, StudyValue>[] = [{}];
  for (const axis of axes) {
    const name = axisName(axis);
    points = points.flatMap((point) => axis.values.map((value) => ({ ...point, [name]: value })));
  }
  return points;
}

/** Canonical JSON: object keys sorted, functions by their source, so equal scenarios hash equal. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === 'function') return `function:${item.toString()}`;
    if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
      return Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return item;
  });
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The scenario of one point: the base (inline, loaded from its path, or returned by the study's
 * function), then each path axis's value set into it. Errors name the study file and the axis.
 */
export function pointScenario(study: Study, file: string, base: Scenario | undefined, point: StudyPoint): Scenario {
  let scenario: unknown;
  if (typeof study.scenario === 'function') {
    try {
      scenario = study.scenario(point);
    } catch (error) {
      throw new StudyError(file, `scenario(${JSON.stringify(point)}) threw: ${error instanceof Error ? error.message : String(error)}`);
    }
  } else scenario = typeof study.scenario === 'string' ? base : study.scenario;
  for (const axis of study.axes) {
    if (axis.path === undefined) continue;
    const value = point[axisName(axis)];
    try {
      scenario = setFieldPath(scenario, axis.path, value);
    } catch (error) {
      if (error instanceof FieldPathError) throw new StudyError(file, `axis '${axisName(axis)}' = ${JSON.stringify(value)}: ${axis.path} ${error.message}`);
      throw error;
    }
  }
  return scenario as Scenario;
}

/** Where a study's base scenario file is: relative to the study file. */
export function baseScenarioPath(study: Study, file: string): string | undefined {
  if (typeof study.scenario !== 'string') return undefined;
  return isAbsolute(study.scenario) ? study.scenario : resolve(dirname(resolve(file)), study.scenario);
}

/** A path as a user would type it from the working directory. */
export function displayPath(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown.startsWith('..') || isAbsolute(shown) ? path : shown;
}

/** Checks the study's shape; the points' scenarios are checked when they are built. */
export function checkStudy(value: unknown, file: string): Study {
  if (typeof value !== 'object' || value === null) throw new StudyError(file, 'has no study as its default export (export default defineStudy({ ... }))');
  const study = value as Partial<Study>;
  if (typeof study.name !== 'string' || study.name === '') throw new StudyError(file, 'name: must be a non-empty string');
  if (study.scenario === undefined) throw new StudyError(file, 'scenario: is required (inline, a path, or a function of the point)');
  if (!Array.isArray(study.axes) || study.axes.length === 0) throw new StudyError(file, 'axes: must list at least one axis');
  const names = new Set<string>();
  study.axes.forEach((axis: Study['axes'][number], at: number) => {
    const name = axisName(axis);
    if (name === '') throw new StudyError(file, `axes[${at}]: needs a name or a path`);
    if (names.has(name)) throw new StudyError(file, `axes[${at}]: '${name}' is named twice`);
    names.add(name);
    if (!Array.isArray(axis.values) || axis.values.length === 0) throw new StudyError(file, `axis '${name}': values must list at least one value`);
    for (const item of axis.values as unknown[]) {
      if (!['number', 'string', 'boolean'].includes(typeof item)) {
        throw new StudyError(file, `axis '${name}': value ${JSON.stringify(item)} is not a number, string or boolean`);
      }
    }
    if (axis.path === undefined && typeof study.scenario !== 'function') {
      throw new StudyError(file, `axis '${name}': has no path, so only a scenario function could read it`);
    }
  });
  const seeds = study.seeds;
  if (study.where !== undefined && typeof study.where !== 'function') throw new StudyError(file, 'where: must be a function of the point');
  if (seeds !== undefined && !(typeof seeds === 'number' ? Number.isSafeInteger(seeds) && seeds >= 1 : Array.isArray(seeds) && seeds.length > 0)) {
    throw new StudyError(file, `seeds: must be a count of at least 1 or a non-empty list, not ${JSON.stringify(seeds)}`);
  }
  for (const [at, question] of (study.questions ?? []).entries()) {
    if (question.kind === 'ratio') {
      for (const side of ['numerator', 'denominator'] as const) {
        const point: unknown = question[side];
        if (typeof point !== 'object' || point === null) throw new StudyError(file, `questions[${at}]: a 'ratio' question needs a ${side} point`);
        for (const name of Object.keys(point)) {
          if (!names.has(name)) throw new StudyError(file, `questions[${at}]: ${side} axis '${name}' is not one of the study's axes`);
        }
      }
      continue;
    }
    if (!names.has(question.axis)) throw new StudyError(file, `questions[${at}]: axis '${question.axis}' is not one of the study's axes`);
    if (question.kind === 'largest' && question.below === undefined && question.above === undefined) {
      throw new StudyError(file, `questions[${at}]: a 'largest' question needs a bound (below or above)`);
    }
    if (question.kind !== 'largest' && question.kind !== 'knee') throw new StudyError(file, `questions[${at}]: kind must be 'largest', 'knee' or 'ratio'`);
  }
  return value as Study;
}

/** Expands a checked study into points and tasks. `base` is the loaded base scenario, if by path. */
export function planStudy(
  study: Study,
  file: string,
  base: Scenario | undefined,
  version: string,
  seedsOverride?: number,
  durationNs?: number,
): StudyPlan {
  const seeds = studySeeds(study, seedsOverride);
  const where = study.where;
  const points = cartesian(study.axes)
    .filter((point) => where === undefined || where(point))
    .map((point, index) => ({ index, point }));
  if (points.length === 0) throw new StudyError(file, 'where: keeps none of the points');
  const tasks: StudyTask[] = [];
  const scenarioHashes: string[] = [];
  for (const { index, point } of points) {
    const scenarioJson = canonicalJson(pointScenario(study, file, base, point));
    scenarioHashes.push(sha256(scenarioJson));
    for (const seed of seeds) {
      tasks.push({ index: tasks.length, pointIndex: index, seed, key: sha256(canonicalJson({ scenario: scenarioJson, seed, version, durationNs: durationNs ?? null })) });
    }
  }
  const studyKey = sha256(
    canonicalJson({ name: study.name, axes: study.axes, seeds, scenarios: scenarioHashes, questions: study.questions ?? [], durationNs: durationNs ?? null }),
  );
  return { study, file, points, seeds, tasks, studyKey };
}
