// What a study reports: the answers first, then each point with its metrics' spread over seeds,
// its failures and its repeat commands, then every seed's own result. The document is a pure
// function of the study's identity and its task results in task order, so one run, any --jobs,
// and the merge of its shards all give the same document (wall time aside).
import type { FailureClass, ScenarioResult } from '../scenario/index.js';
import type { StudyAxis, StudyPoint, StudyQuestion } from './define-study.js';
import { METRIC_NAMES, type PointMetrics } from './point-metrics.js';
import { spreadOf, type Spread } from './seed-spread.js';
import { answerQuestion, type QuestionAnswer } from './study-questions.js';

/** What identifies a study run: shards of one study agree on all of it. */
export interface StudyIdentity {
  readonly name: string;
  readonly description: string;
  /** The study file as given on the command line. */
  readonly file: string;
  /** Hash of the study file's bytes. */
  readonly fileHash: string;
  /** Hash of the axes, seeds, questions and every point's scenario. */
  readonly studyKey: string;
  readonly axes: readonly StudyAxis[];
  readonly seeds: readonly string[];
  readonly questions: readonly StudyQuestion[];
  readonly points: readonly StudyPoint[];
  /** `--duration` given for every point, in ns (absent: each scenario's own). */
  readonly durationNs?: number;
}

/** One seed of one point. */
export interface SeedRecord {
  /** Position in the study's task list (point-major, then seed). */
  readonly task: number;
  readonly seed: string;
  /** Content key: hash of the point's scenario, the seed and the tool version (for --resume). */
  readonly key: string;
  readonly ok: boolean;
  readonly failure?: FailureClass;
  readonly failed: readonly string[];
  readonly fingerprint: string;
  readonly metrics: PointMetrics;
  readonly repeat: string;
  readonly result: ScenarioResult;
}

export interface PointFailure {
  readonly seed: string;
  readonly class: FailureClass;
  readonly failed: readonly string[];
  readonly repeat: string;
}

export interface PointBottleneck {
  readonly resource: string;
  readonly name: string | null;
  /** Seeds that gave this verdict, of those run. */
  readonly seeds: number;
  readonly next: { readonly name: string; readonly headroom: number } | null;
}

/** The verdict most seeds of a point agree on (ties go to the earliest seed). */
function pointBottleneck(seeds: readonly SeedRecord[]): PointBottleneck {
  const counts = new Map<string, { count: number; seed: SeedRecord }>();
  for (const seed of seeds) {
    const verdict = seed.result.bottleneck;
    const key = `${verdict.resource} ${verdict.name ?? ''}`;
    const entry = counts.get(key);
    if (entry === undefined) counts.set(key, { count: 1, seed });
    else entry.count++;
  }
  let best: { count: number; seed: SeedRecord } | undefined;
  for (const entry of counts.values()) if (best === undefined || entry.count > best.count) best = entry;
  if (best === undefined) return { resource: 'none', name: null, seeds: 0, next: null };
  const verdict = best.seed.result.bottleneck;
  return {
    resource: verdict.resource,
    name: verdict.name,
    seeds: best.count,
    next: verdict.next === null ? null : { name: verdict.next.name, headroom: verdict.next.headroom },
  };
}

export interface PointResult {
  readonly index: number;
  readonly point: StudyPoint;
  /** Every seed run passed its invariants. */
  readonly ok: boolean;
  /** Mean and 95% confidence interval of each metric over the point's seeds. */
  readonly metrics: Readonly<Record<string, Spread>>;
  readonly failures: readonly PointFailure[];
  /** The repeat command of the point's first seed. */
  readonly repeat: string;
  /**
   * What saturated first: the verdict most of the point's seeds agree on (ties: the first seed's),
   * with its resource's name and the next resource's headroom.
   */
  readonly bottleneck: PointBottleneck;
  readonly seeds: readonly SeedRecord[];
}

export interface StudyResult {
  readonly tool: 'nvmf-sim';
  readonly kind: 'study';
  readonly version: string;
  readonly study: StudyIdentity;
  /** Every task of the study is here (false in a shard's output). */
  readonly complete: boolean;
  /** The shard this document holds, when it holds one. */
  readonly shard?: { readonly index: number; readonly count: number };
  readonly answers: readonly QuestionAnswer[];
  readonly tasks: { readonly total: number; readonly present: number; readonly failed: number };
  readonly points: readonly PointResult[];
  /** Wall-clock seconds of this run (the only figure that differs between equal runs). */
  readonly wallSeconds: number;
}

/** Assembles the document from the identity and the task results present, in task order. */
export function assembleStudy(
  version: string,
  identity: StudyIdentity,
  records: readonly SeedRecord[],
  options: { readonly shard?: { readonly index: number; readonly count: number }; readonly wallSeconds: number },
): StudyResult {
  const total = identity.points.length * identity.seeds.length;
  const sorted = [...records].sort((a, b) => a.task - b.task);
  const byPoint = new Map<number, SeedRecord[]>();
  for (const record of sorted) {
    const point = Math.floor(record.task / identity.seeds.length);
    const list = byPoint.get(point) ?? [];
    byPoint.set(point, list);
    list.push(record);
  }
  const points: PointResult[] = [];
  for (const [index, seeds] of [...byPoint].sort((a, b) => a[0] - b[0])) {
    const names = [...new Set([...METRIC_NAMES, ...seeds.flatMap((seed) => Object.keys(seed.metrics))])];
    const metrics: Record<string, Spread> = {};
    for (const name of names) metrics[name] = spreadOf(seeds.map((seed) => seed.metrics[name] ?? 0));
    const failures = seeds
      .filter((seed) => !seed.ok)
      .map((seed) => ({ seed: seed.seed, class: seed.failure ?? 'crash', failed: seed.failed, repeat: seed.repeat }));
    points.push({
      index,
      point: identity.points[index] ?? {},
      ok: failures.length === 0,
      metrics,
      failures,
      repeat: seeds[0]?.repeat ?? '',
      bottleneck: pointBottleneck(seeds),
      seeds,
    });
  }
  const complete = sorted.length === total;
  const answers = complete ? identity.questions.map((question) => answerQuestion(question, points)) : [];
  return {
    tool: 'nvmf-sim',
    kind: 'study',
    version,
    study: identity,
    complete,
    ...(options.shard === undefined ? {} : { shard: options.shard }),
    answers,
    tasks: { total, present: sorted.length, failed: sorted.filter((record) => !record.ok).length },
    points,
    wallSeconds: options.wallSeconds,
  };
}
