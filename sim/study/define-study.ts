// The study format: a base scenario, axes that vary it, seeds per point, and questions to answer.
// A study is a TypeScript module whose default export comes from defineStudy, as a scenario's
// comes from defineScenario; workers load the same module by path, so everything in it, functions
// included, is available to every point.
import type { Scenario } from '../scenario/index.js';

/** A value an axis takes: what a scenario field holds, or a label a scenario function reads. */
export type StudyValue = number | string | boolean;

/** One point of a study: each axis's value, by axis name. */
export type StudyPoint = Readonly<Record<string, StudyValue>>;

export interface StudyAxis {
  /** The axis's name in results and reports; default: its path. */
  readonly name?: string;
  /**
   * The scenario field it sets, as `nvmf-sim run --set` takes it: `hosts[*].workload.rateIops`,
   * `links[0].options.lossRate`, `nodes[*].cpuProfile`. Without a path the axis is only a label,
   * read by a `scenario` function (changes of structure, such as the number of hosts).
   */
  readonly path?: string;
  readonly values: readonly StudyValue[];
}

/** The largest value of an axis for which a metric stays below (or above) a bound. */
export interface LargestQuestion {
  readonly kind: 'largest';
  readonly axis: string;
  readonly metric: string;
  readonly below?: number;
  readonly above?: number;
  /** How reports ask it; default built from the fields, e.g. "largest hosts with latencyUs.p99 < 1000". */
  readonly label?: string;
}

/** The knee of a curve: where `metric` against `axis` bends most (Kneedle, Satopää et al. 2011). */
export interface KneeQuestion {
  readonly kind: 'knee';
  readonly axis: string;
  readonly metric: string;
  readonly label?: string;
}

/**
 * A claim about two points: the ratio of their metric means (numerator over denominator), whether
 * it lies in `expect`, and the claim in words, e.g. a published result the study reproduces.
 */
export interface RatioQuestion {
  readonly kind: 'ratio';
  readonly metric: string;
  /** Axis values that pick the numerator's point (every axis not named may take any value, but one point must match). */
  readonly numerator: StudyPoint;
  readonly denominator: StudyPoint;
  /** The range the ratio should lie in, bounds included; without it the ratio is only reported. */
  readonly expect?: { readonly min?: number; readonly max?: number };
  /** How reports ask it; default built from the fields, e.g. "iops ratio profile=rdma / profile=tcp". */
  readonly label?: string;
  /** The claim the ratio checks, in words (a quote or a paraphrase of `source`). */
  readonly claim?: string;
  /** Where the claim comes from. */
  readonly source?: string;
}

export type StudyQuestion = LargestQuestion | KneeQuestion | RatioQuestion;

export interface Study {
  readonly name: string;
  readonly description?: string;
  /**
   * The base scenario: inline, a path relative to the study file, or a function of the point that
   * returns the scenario (path axes are applied to what it returns).
   */
  readonly scenario: Scenario | string | ((point: StudyPoint) => Scenario);
  /** Every combination of the axes' values is a point, in the order the axes and values are given. */
  readonly axes: readonly StudyAxis[];
  /** Keeps only the combinations it returns true for (e.g. QD1 only with one thread). Default: all. */
  readonly where?: (point: StudyPoint) => boolean;
  /** Seeds per point: a count (seeds 1..N) or the seeds themselves; `--seeds` overrides. Default 1. */
  readonly seeds?: number | readonly (number | string)[];
  readonly questions?: readonly StudyQuestion[];
}

/** Identity, for type checking and completion in study files. */
export function defineStudy(study: Study): Study {
  return study;
}

/** An axis's name: its own, or its path. */
export function axisName(axis: StudyAxis): string {
  return axis.name ?? axis.path ?? '';
}

/** A question as reports ask it. */
export function questionLabel(question: StudyQuestion): string {
  if (question.label !== undefined) return question.label;
  if (question.kind === 'knee') return `knee of ${question.metric} against ${question.axis}`;
  if (question.kind === 'ratio') return `${question.metric} ratio ${pointText(question.numerator)} / ${pointText(question.denominator)}`;
  const bounds = [
    question.below === undefined ? '' : `${question.metric} < ${question.below}`,
    question.above === undefined ? '' : `${question.metric} > ${question.above}`,
  ].filter((text) => text !== '');
  return `largest ${question.axis} with ${bounds.join(' and ')}`;
}

/** "profile=rdma threads=1": a point's axis values as text. */
export function pointText(point: StudyPoint): string {
  return Object.entries(point)
    .map(([name, value]) => `${name}=${String(value)}`)
    .join(' ');
}
