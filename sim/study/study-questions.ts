// Answers to a study's questions, from the points' metrics (the mean over seeds). A question names
// one axis; the other axes split the points into series (TCP and RDMA, say), and each series gets
// its own answer.
import type { StudyPoint, StudyQuestion, StudyValue } from './define-study.js';
import { questionLabel } from './define-study.js';
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

export interface QuestionAnswer {
  readonly question: string;
  readonly kind: StudyQuestion['kind'];
  readonly axis: string;
  readonly metric: string;
  readonly answers: readonly SeriesAnswer[];
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

export function answerQuestion(question: StudyQuestion, points: readonly AnsweredPoint[]): QuestionAnswer {
  // A knee needs a curve: series of one or two points (a lone QD1 point, say) are not asked.
  const groups = seriesAlong(points, question.axis).filter((group) => question.kind !== 'knee' || group.points.length >= 3);
  const answers = groups.map((group) =>
    question.kind === 'largest' ? largest(question, group.series, group.points) : knee(question, group.series, group.points),
  );
  return { question: questionLabel(question), kind: question.kind, axis: question.axis, metric: question.metric, answers };
}
