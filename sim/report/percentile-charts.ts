// Latency percentile plots as fio users draw them: fio's percentile list (1 … 99.99) along x,
// completion latency on a log y axis, one line per host of a run, or per point of a study. The
// percentiles are the ones each host's fio JSON carries (result.perHost[].fio, built by
// sim/workload fio-json.ts from the run's HDR histograms), not computed again here.
import type { HostResult, ScenarioResult } from '../scenario/index.js';
import { FIO_PERCENTILES, percentileKey } from '../stats/index.js';
import type { StudyResult } from '../study/index.js';
import type { FioDirection, FioJob } from '../workload/index.js';
import type { ChartSpec } from './chart-spec.js';

/** Lines one chart shows; further ones are left out and the caption says how many. */
export const MAX_PERCENTILE_SERIES = 16;

const PALETTE = [
  '#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777',
  '#4b5563', '#65a30d', '#7c3aed', '#0f766e', '#b45309', '#be123c', '#1e3a8a', '#111827',
];

/** The direction of a job that did the I/O: mixed when reported so, else the busier of read and write. */
function busiest(job: FioJob): FioDirection {
  if (job.mixed !== undefined) return job.mixed;
  return job.write.total_ios > job.read.total_ios ? job.write : job.read;
}

/** A job's clat percentiles in µs, in fio's list order (null where it has none). */
function percentilesUs(job: FioJob): (number | null)[] {
  const percentile = busiest(job).clat_ns.percentile ?? {};
  return FIO_PERCENTILES.map((p) => {
    const ns = percentile[percentileKey(p)];
    return ns === undefined || ns <= 0 ? null : ns / 1000;
  });
}

interface Curve {
  readonly name: string;
  readonly values: readonly (number | null)[];
}

function chart(id: string, title: string, caption: string, curves: readonly Curve[], total: number): ChartSpec {
  const shown = curves.slice(0, MAX_PERCENTILE_SERIES);
  const left = total - shown.length;
  const labels = FIO_PERCENTILES.map(String);
  const legendRows = Math.ceil(shown.length / 5);
  return {
    id,
    title,
    caption: `${caption}${left > 0 ? ` The first ${shown.length} of ${total} are drawn; the CSV has them all.` : ''}${shown.length > 1 ? ' Points with equal latency draw one line over another.' : ''}`,
    width: 900,
    // The legend wraps at about five entries a line; the plot keeps its height above it.
    height: 440 + legendRows * 22,
    option: {
      title: { text: title, left: 'center', textStyle: { fontSize: 15 } },
      legend: { bottom: 0, type: 'plain', textStyle: { fontSize: 11 } },
      grid: { left: 80, right: 30, top: 50, bottom: 78 + legendRows * 22 },
      xAxis: { type: 'category', name: 'percentile', nameLocation: 'middle', nameGap: 44, data: labels, boundaryGap: false, axisLabel: { fontSize: 10, interval: 0, rotate: 40 } },
      yAxis: { type: 'log', name: 'completion latency (µs)', nameLocation: 'middle', nameGap: 60 },
      series: shown.map((curve, i) => ({
        name: curve.name,
        type: 'line',
        symbolSize: 5,
        itemStyle: { color: PALETTE[i % PALETTE.length] },
        lineStyle: { width: 1.5 },
        data: curve.values,
      })),
    },
    csv: {
      columns: ['series', ...labels.map((p) => `p${p}_us`)],
      rows: curves.map((curve) => [curve.name, ...curve.values.map((value) => value ?? '')]),
    },
  };
}

function withFio(hosts: readonly HostResult[]): (HostResult & { fio: FioJob })[] {
  return hosts.filter((host): host is HostResult & { fio: FioJob } => host.fio !== undefined && busiest(host.fio).total_ios > 0);
}

/** A run: one line per host that did I/O. */
export function runPercentileChart(result: ScenarioResult): ChartSpec | null {
  const hosts = withFio(result.perHost);
  if (hosts.length === 0) return null;
  const curves = hosts.map((host) => ({ name: host.host, values: percentilesUs(host.fio) }));
  return chart('latency-percentiles', 'Latency percentiles', "Each host's completion latency at fio's percentile list (fio's clat percentiles).", curves, curves.length);
}

function pointLabel(point: Readonly<Record<string, unknown>>): string {
  return Object.entries(point).map(([name, value]) => `${name}=${String(value)}`).join(' ');
}

/** A study: one line per point, from its first seed's first host that did I/O. */
export function studyPercentileChart(result: StudyResult): ChartSpec | null {
  const curves: Curve[] = [];
  for (const point of result.points) {
    const seed = point.seeds[0];
    const host = seed === undefined ? undefined : withFio(seed.result.perHost)[0];
    if (seed === undefined || host === undefined) continue;
    const hosts = seed.result.perHost.length;
    curves.push({ name: `${pointLabel(point.point)}${hosts > 1 ? ` (${host.host})` : ''}`, values: percentilesUs(host.fio) });
  }
  if (curves.length === 0) return null;
  return chart(
    'latency-percentiles',
    'Latency percentiles per point',
    "Completion latency at fio's percentile list for each point (its first seed; with several hosts, the first host).",
    curves,
    curves.length,
  );
}
