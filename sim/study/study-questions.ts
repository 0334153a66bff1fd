// Answers to a study's questions, from the points' metrics (the mean over seeds). A question names
// one axis; the other axes split the points into series (TCP and RDMA, say), and each series gets
// its own answer.
import type { RatioQuestion, StudyPoint, StudyQuestion, StudyValue } from './define-study.js';
import { pointText, questionLabel } from './define-study.js';
import { formatNumber } from '../stats/index.js';
import type { Spread } from './seed-spread.js';
import { seriesAlong } from './series.js';

/** What a question needs of a point. */
export interface AnsweredPoint {
  readonly point: StudyPoint;
  /** Every seed passed its invariants. */
  readonly ok: boolean;
  readonly metrics: Readonly<Record<string, Spread>>;
}

export interface SeriesAnswer {
  /** The other axes' values that make this series (empty with one axis). */
  readonly series: StudyPoint;
  /** The axis value that answers the question; null when none does. */
  readonly value: StudyValue | null;
  /** The metric's mean at that value. */
  readonly metricValue: number | null;
  /**
   * For `largest`: the answer when the bound must hold for the whole 95% interval, not just the
   * mean (the cautious reading with few seeds).
   */
  readonly cautiousValue?: StudyValue | null;
  /** Why there is no answer, or what to keep in mind about it. */
  readonly note?: string;
}

/** The answer to a ratio question. */
export interface RatioAnswer {
  /** numerator / denominator of the metric's means; null when a point is missing or the denominator is 0. */
  readonly value: number | null;
  readonly numerator: number | null;
  readonly denominator: number | null;
  readonly expect: { readonly min?: number; readonly max?: number } | null;
  /** The ratio lies in `expect`; null without a ratio or without `expect`. */
  readonly meets: boolean | null;
  readonly claim?: string;
  readonly source?: string;
  /** Why there is no ratio, or what to keep in mind about it. */
  readonly note?: string;
}

export interface QuestionAnswer {
  readonly question: string;
  readonly kind: StudyQuestion['kind'];
  /** The swept axis ('' for a ratio, which compares two points). */
  readonly axis: string;
  readonly metric: string;
  /** One answer per series ('largest', 'knee'); empty for a ratio. */
  readonly answers: readonly SeriesAnswer[];
  readonly ratio?: RatioAnswer;
}

function holds(question: StudyQuestion & { kind: 'largest' }, value: number): boolean {
  return (question.below === undefined || value < question.below) && (question.above === undefined || value > question.above);
}

function largest(question: StudyQuestion & { kind: 'largest' }, label: StudyPoint, series: readonly AnsweredPoint[]): SeriesAnswer {
  let value: StudyValue | null = null;
  let metricValue: number | null = null;
  let cautiousValue: StudyValue | null = null;
  let cautiousOpen = true;
  let note: string | undefined;
  // Values in the axis's order; the answer is the last one before the first that breaks the bound.
  for (const point of series) {
    const spread = point.metrics[question.metric];
    if (spread === undefined) return { series: label, value: null, metricValue: null, note: `no metric '${question.metric}'` };
    const axisValue = point.point[question.axis] as StudyValue;
    const worst = question.below !== undefined ? spread.mean + spread.ci95 : spread.mean - spread.ci95;
    if (!point.ok || !holds(question, spread.mean)) {
      if (!point.ok) note = `the point ${question.axis}=${String(axisValue)} failed an invariant`;
      break;
    }
    value = axisValue;
    metricValue = spread.mean;
    if (cautiousOpen && holds(question, worst)) cautiousValue = axisValue;
    else cautiousOpen = false;
  }
  if (value === null) note ??= `the bound does not hold even at the first ${question.axis}`;
  else if (value === (series[series.length - 1] as AnsweredPoint).point[question.axis]) {
    note ??= `the bound holds at every ${question.axis} tried; try larger values`;
  }
  return { series: label, value, metricValue, cautiousValue, ...(note === undefined ? {} : { note }) };
}

/**
 * Kneedle's idea in its simplest form: normalise both axes to [0, 1] and take the point farthest
 * from the chord between the first and last points (Satopää et al., "Finding a 'Kneedle' in a
 * Haystack", ICDCS workshops 2011).
 */
function knee(question: StudyQuestion & { kind: 'knee' }, label: StudyPoint, series: readonly AnsweredPoint[]): SeriesAnswer {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const point of series) {
    const x = point.point[question.axis];
    const spread = point.metrics[question.metric];
    if (typeof x !== 'number') return { series: label, value: null, metricValue: null, note: `${question.axis} is not numeric` };
    if (spread === undefined) return { series: label, value: null, metricValue: null, note: `no metric '${question.metric}'` };
    xs.push(x);
    ys.push(spread.mean);
  }
  if (xs.length < 3) return { series: label, value: null, metricValue: null, note: 'a knee needs at least 3 points' };
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (x1 === x0 || y1 === y0) return { series: label, value: null, metricValue: null, note: 'the curve is flat' };
  const nx = xs.map((x) => (x - x0) / (x1 - x0));
  const ny = ys.map((y) => (y - y0) / (y1 - y0));
  const [ax, ay, bx, by] = [nx[0] as number, ny[0] as number, nx[nx.length - 1] as number, ny[ny.length - 1] as number];
  const length = Math.hypot(bx - ax, by - ay);
  let best = -1;
  let bestDistance = 0;
  for (let i = 1; i < nx.length - 1; i++) {
    const distance = Math.abs((by - ay) * (nx[i] as number) - (bx - ax) * (ny[i] as number) + bx * ay - by * ax) / length;
    if (distance > bestDistance) [best, bestDistance] = [i, distance];
  }
  if (best < 0) return { series: label, value: null, metricValue: null, note: 'the curve is straight' };
  return { series: label, value: xs[best] as number, metricValue: ys[best] as number };
}

function matches(point: StudyPoint, wanted: StudyPoint): boolean {
  return Object.entries(wanted).every(([name, value]) => point[name] === value);
}

function ratio(question: RatioQuestion, points: readonly AnsweredPoint[]): RatioAnswer {
  const base = {
    expect: question.expect ?? null,
    ...(question.claim === undefined ? {} : { claim: question.claim }),
    ...(question.source === undefined ? {} : { source: question.source }),
  };
  const notes: string[] = [];
  const mean = (wanted: StudyPoint): number | null => {
    const found = points.filter((point) => matches(point.point, wanted));
    if (found.length !== 1) {
      notes.push(found.length === 0 ? `no point has ${pointText(wanted)}` : `${found.length} points have ${pointText(wanted)}`);
      return null;
    }
    const point = found[0] as AnsweredPoint;
    const spread = point.metrics[question.metric];
    if (spread === undefined) {
      notes.push(`no metric '${question.metric}' at ${pointText(wanted)}`);
      return null;
    }
    if (!point.ok) notes.push(`the point ${pointText(wanted)} failed an invariant`);
    return spread.mean;
  };
  const numerator = mean(question.numerator);
  const denominator = mean(question.denominator);
  if (denominator === 0) notes.push('the denominator is 0');
  const value = numerator === null || denominator === null || denominator === 0 ? null : numerator / denominator;
  const { min, max } = question.expect ?? {};
  const meets = value === null || question.expect === undefined ? null : (min === undefined || value >= min) && (max === undefined || value <= max);
  return { ...base, value, numerator, denominator, meets, ...(notes.length === 0 ? {} : { note: notes.join('; ') }) };
}

/** "at least 1.3", "between 1.2 and 1.4", "at most 2": an expected range in words. */
export function expectText(expect: { readonly min?: number; readonly max?: number }): string {
  const { min, max } = expect;
  if (min !== undefined && max !== undefined) return `between ${min} and ${max}`;
  if (min !== undefined) return `at least ${min}`;
  if (max !== undefined) return `at most ${max}`;
  return 'any value';
}

/**
 * A ratio answer in one line, the claim beside the model's number and a pass/fail mark:
 * "PASS rdma/tcp IOPS at 1 thread QD32: 1.34 (expected at least 1.3) — claim: ... [source]".
 * Null for other kinds of question.
 */
export function ratioAnswerText(answer: QuestionAnswer): string | null {
  const ratio = answer.ratio;
  if (ratio === undefined) return null;
  const mark = ratio.meets === null ? (ratio.value === null ? 'NO ANSWER' : 'INFO') : ratio.meets ? 'PASS' : 'FAIL';
  const value = ratio.value === null ? 'none' : formatNumber(ratio.value, 3);
  const expected = ratio.expect === null ? '' : ` (expected ${expectText(ratio.expect)})`;
  const claim = ratio.claim === undefined ? '' : ` — claim: ${ratio.claim}`;
  const source = ratio.source === undefined ? '' : ` [${ratio.source}]`;
  const note = ratio.note === undefined ? '' : ` (${ratio.note})`;
  return `${mark} ${answer.question}: ${value}${expected}${note}${claim}${source}`;
}

export function answerQuestion(question: StudyQuestion, points: readonly AnsweredPoint[]): QuestionAnswer {
  if (question.kind === 'ratio') {
    return { question: questionLabel(question), kind: 'ratio', axis: '', metric: question.metric, answers: [], ratio: ratio(question, points) };
  }
  // A knee needs a curve: series of one or two points (a lone QD1 point, say) are not asked.
  const groups = seriesAlong(points, question.axis).filter((group) => question.kind !== 'knee' || group.points.length >= 3);
  const answers = groups.map((group) =>
    question.kind === 'largest' ? largest(question, group.series, group.points) : knee(question, group.series, group.points),
  );
  return { question: questionLabel(question), kind: question.kind, axis: question.axis, metric: question.metric, answers };
}
