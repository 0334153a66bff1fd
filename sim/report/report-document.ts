// A report as a document before it is written: the answers first, then tables a person pastes
// into a document, then the charts, then provenance. Markdown and HTML (render-markdown.ts,
// render-html.ts) are two renderings of the same document, so they always agree.
import { formatNumber as number } from '../stats/index.js';
import type { ScenarioResult } from '../scenario/index.js';
import type { StudyResult } from '../study/index.js';
import { profileByName } from '../cpu/index.js';
import type { ChartSpec } from './chart-spec.js';
import type { Provenance } from './provenance.js';
import type { ReportTable } from './report-table.js';
import { runPercentileChart, studyPercentileChart } from './percentile-charts.js';
import { NO_QUEUE_SERIES_NOTE, queueHeatmap, queueTable } from './queue-latency.js';
import { runCharts } from './run-charts.js';
import { pathTables } from './path-tables.js';
import { hostTable, runTable } from './run-tables.js';
import { studyAnswers } from './study-answers.js';
import { studyCharts } from './study-charts.js';
import { timeSeriesCharts } from './time-series-charts.js';

export type { ReportTable } from './report-table.js';

export interface ReportDocument {
  readonly title: string;
  readonly subtitle: string;
  /** The answers, each one line, shown first and highlighted. */
  readonly answers: readonly string[];
  readonly tables: readonly ReportTable[];
  readonly charts: readonly ChartSpec[];
  /** What the charts leave out and why (e.g. no per-queue time series), shown with them. */
  readonly notes?: readonly string[];
  readonly provenance: Provenance;
  /** Repeat commands, by what they repeat. */
  readonly repeats: readonly (readonly [string, string])[];
}

export type ReportSource =
  | { readonly kind: 'study'; readonly result: StudyResult }
  | { readonly kind: 'run'; readonly result: ScenarioResult; readonly repeat: string };

/**
 * The CPU cost profiles a study sweeps (an axis on nodes[*].cpuProfile), one column each, so a
 * report shows the model's parameters beside its answers (docs/calibration.md gives their sources).
 */
function costProfileTables(result: StudyResult): ReportTable[] {
  const axis = result.study.axes.find((candidate) => candidate.path?.endsWith('cpuProfile') === true);
  if (axis === undefined) return [];
  const profiles = axis.values.flatMap((value) => {
    try {
      return [profileByName(String(value), 'cpuProfile')];
    } catch {
      return [];
    }
  });
  if (profiles.length === 0) return [];
  const fields = Object.keys(profiles[0] ?? {}).filter((field) => field !== 'name');
  return [
    {
      title: 'CPU cost profiles (docs/calibration.md)',
      columns: ['parameter', ...profiles.map((profile) => profile.name)],
      rows: fields.map((field) => [field, ...profiles.map((profile) => String((profile as unknown as Record<string, unknown>)[field]))]),
    },
  ];
}

/** "link host/eth0>target/eth0 (97%)", or "none (latency-bound)". */
function bottleneckText(point: StudyResult['points'][number]): string {
  const verdict = point.bottleneck;
  if (verdict.resource === 'none') return 'none (latency-bound)';
  if (verdict.resource === 'unmeasured') return 'unmeasured (real time)';
  const use = point.metrics['bottleneck.utilisation']?.mean ?? 0;
  return `${verdict.resource} ${verdict.name ?? ''} (${number(use * 100, 0)}%)`;
}

function studyDocument(result: StudyResult, provenance: Provenance): ReportDocument {
  const axes = result.study.axes.map((axis) => axis.name ?? axis.path ?? '');
  const cell = (point: StudyResult['points'][number], name: string, digits: number): string => {
    const spread = point.metrics[name];
    if (spread === undefined) return '';
    return spread.n > 1 ? `${number(spread.mean, digits)} ± ${number(spread.ci95, digits)}` : number(spread.mean, digits);
  };
  const points: ReportTable = {
    title: 'Points (mean ± 95% interval over seeds)',
    columns: [...axes, 'IOPS', 'MB/s', 'p50 µs', 'p99 µs', 'p99.9 µs', 'saturated first', 'next headroom', 'verdict'],
    rows: result.points.map((point) => [
      ...axes.map((axis) => String(point.point[axis] ?? '')),
      cell(point, 'iops', 0),
      number((point.metrics['bytesPerSecond']?.mean ?? 0) / 1e6, 1),
      cell(point, 'latencyUs.p50', 1),
      cell(point, 'latencyUs.p99', 1),
      cell(point, 'latencyUs.p999', 1),
      bottleneckText(point),
      point.bottleneck.next === null ? '' : `${point.bottleneck.next.name}: ${number(point.bottleneck.next.headroom * 100, 0)}%`,
      point.ok ? 'ok' : point.failures.map((failure) => `${failure.class} (seed ${failure.seed})`).join(', '),
    ]),
  };
  return {
    title: `Study: ${result.study.name}`,
    subtitle: `${result.study.description === '' ? '' : `${result.study.description}. `}${result.study.points.length} points × ${result.study.seeds.length} seeds, ${result.tasks.present} runs, ${result.tasks.failed} failed.`,
    answers: studyAnswers(result),
    tables: [points, ...costProfileTables(result)],
    charts: [...studyCharts(result), ...optional(studyPercentileChart(result))],
    provenance,
    repeats: result.points.map((point) => [Object.entries(point.point).map(([name, value]) => `${name}=${String(value)}`).join(' '), point.repeat] as const),
  };
}

function runDocument(result: ScenarioResult, repeat: string, provenance: Provenance): ReportDocument {
  const lat = result.latencyUs;
  const queues = queueTable(result);
  const heatmap = queueHeatmap(result);
  const invariants: ReportTable = {
    title: 'Invariants',
    columns: ['invariant', 'class', 'verdict', 'detail'],
    rows: result.invariants.map((inv) => [inv.name, inv.class, inv.ok ? 'ok' : 'FAIL', inv.detail]),
  };
  return {
    title: `Run: ${result.scenario}`,
    subtitle: `seed ${result.seed}, ${result.durationSeconds} s ${result.timeBase === 'virtual' ? 'simulated' : 'real time'}, fingerprint ${result.fingerprint}`,
    answers: [`${number(result.iops)} IOPS at p99 ${number(lat.p99, 1)} µs; ${result.ok ? 'every invariant held' : `failed: ${result.failure ?? ''}`}`],
    tables: [runTable(result), hostTable(result), ...pathTables(result), queues, invariants],
    charts: [...timeSeriesCharts(result), ...optional(heatmap), ...runCharts(result), ...optional(runPercentileChart(result))],
    ...(heatmap === null ? { notes: [NO_QUEUE_SERIES_NOTE] } : {}),
    provenance,
    repeats: [['this run', repeat]],
  };
}

function optional<T>(value: T | null): T[] {
  return value === null ? [] : [value];
}

export function reportDocument(source: ReportSource, provenance: Provenance): ReportDocument {
  return source.kind === 'study' ? studyDocument(source.result, provenance) : runDocument(source.result, source.repeat, provenance);
}
