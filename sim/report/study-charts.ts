// The charts of a study report, from its points' spreads over seeds:
// - each headline metric against each axis, one line per combination of the other axes (TCP and
//   RDMA IOPS against threads, say), with the 95% interval across seeds as a band;
// - load-latency curves: p50, p99 and p99.9 against the IOPS each point reached, per series.
import { seriesAlong } from '../study/index.js';
import type { PointResult, Spread, StudyResult } from '../study/index.js';
import type { ChartOption, ChartSpec } from './chart-spec.js';

const HEADLINE_METRICS: readonly { readonly name: string; readonly label: string }[] = [
  { name: 'iops', label: 'IOPS' },
  { name: 'latencyUs.p50', label: 'p50 latency (µs)' },
  { name: 'latencyUs.p99', label: 'p99 latency (µs)' },
];
const PERCENTILES: readonly { readonly name: string; readonly label: string }[] = [
  { name: 'latencyUs.p50', label: 'p50' },
  { name: 'latencyUs.p99', label: 'p99' },
  { name: 'latencyUs.p999', label: 'p99.9' },
];

/** A chart id from words: lowercase, dashes. */
export function chartId(...words: readonly string[]): string {
  return words
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

interface Series {
  readonly label: string;
  readonly points: readonly PointResult[];
}

/** The study's series along `axis` (sim/study seriesAlong), each named for its legend. */
function seriesOf(result: StudyResult, axis: string): Series[] {
  return seriesAlong(result.points, axis).map((group) => ({ label: group.label === '' ? axis : group.label, points: group.points }));
}

/** Line plus a 95% band: a transparent lower line and the band stacked on it. */
function bandSeries(name: string, values: readonly (Spread | undefined)[], color: string): ChartOption[] {
  const stack = `band-${name}`;
  return [
    {
      name,
      type: 'line',
      symbolSize: 6,
      itemStyle: { color },
      lineStyle: { color, width: 2 },
      data: values.map((spread) => (spread === undefined ? null : spread.mean)),
    },
    {
      name: `${name} (95% low)`,
      type: 'line',
      stack,
      symbol: 'none',
      silent: true,
      lineStyle: { opacity: 0 },
      data: values.map((spread) => (spread === undefined ? null : spread.mean - spread.ci95)),
    },
    {
      name: `${name} (95% band)`,
      type: 'line',
      stack,
      symbol: 'none',
      silent: true,
      lineStyle: { opacity: 0 },
      areaStyle: { color, opacity: 0.18 },
      data: values.map((spread) => (spread === undefined ? null : 2 * spread.ci95)),
    },
  ];
}

/** ECharts custom-series renderer: a vertical bar from data[1] to data[2] at x = data[0]. */
interface RenderApi {
  value(dimension: number): number;
  coord(point: readonly [number, number]): [number, number];
  visual(name: 'color'): string;
}
function errorBar(_params: unknown, api: RenderApi): Record<string, unknown> {
  const [x, low] = api.coord([api.value(0), api.value(1)]);
  const [, high] = api.coord([api.value(0), api.value(2)]);
  const style = { stroke: api.visual('color'), lineWidth: 1.5 };
  return {
    type: 'group',
    children: [
      { type: 'line', shape: { x1: x, y1: low, x2: x, y2: high }, style },
      { type: 'line', shape: { x1: x - 4, y1: low, x2: x + 4, y2: low }, style },
      { type: 'line', shape: { x1: x - 4, y1: high, x2: x + 4, y2: high }, style },
    ],
  };
}

/** Bars of the means, with the 95% interval as an error bar on each. */
function barSeries(name: string, values: readonly (Spread | undefined)[], color: string): ChartOption[] {
  return [
    { name, type: 'bar', barMaxWidth: 60, itemStyle: { color }, data: values.map((spread) => (spread === undefined ? null : spread.mean)) },
    {
      name,
      type: 'custom',
      silent: true,
      itemStyle: { color: '#111827' },
      data: values.map((spread, i) => (spread === undefined ? [i, 0, 0] : [i, spread.mean - spread.ci95, spread.mean + spread.ci95])),
      renderItem: errorBar,
    },
  ];
}

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];

function axisOption(name: string, values: readonly string[]): ChartOption {
  return { type: 'category', name, nameLocation: 'middle', nameGap: 28, data: values, boundaryGap: false };
}

/** Each headline metric against each axis with more than one value. */
function metricCharts(result: StudyResult): ChartSpec[] {
  const specs: ChartSpec[] = [];
  for (const axis of result.study.axes) {
    const name = axis.name ?? axis.path ?? '';
    // Lines need a range: axes of one or two values (a profile, QD1 beside QD32) are the series,
    // unless the study has no other axis; then its points are bars side by side.
    const bars = axis.values.length < 3;
    if (bars && result.study.axes.length > 1) continue;
    const categories = axis.values.map(String);
    const series = seriesOf(result, name).filter((s) => bars || s.points.length >= 2);
    if (series.length === 0) continue;
    for (const metric of HEADLINE_METRICS) {
      const values = (s: Series): (Spread | undefined)[] =>
        categories.map((value) => s.points.find((point) => String(point.point[name]) === value)?.metrics[metric.name]);
      const lines = bars
        ? series.flatMap((s, i) => barSeries(s.label, values(s), PALETTE[i % PALETTE.length] ?? '#000'))
        : series.flatMap((s, i) => bandSeries(s.label, values(s), PALETTE[i % PALETTE.length] ?? '#000'));
      specs.push({
        id: chartId(metric.name, 'by', name),
        title: `${metric.label} by ${name}`,
        caption: bars
          ? 'Mean over seeds, with the 95% confidence interval as an error bar.'
          : `Mean over seeds; the band is the 95% confidence interval. One line per ${series.length > 1 ? 'combination of the other axes' : 'study'}.`,
        option: {
          title: { text: `${metric.label} by ${name}`, left: 'center', textStyle: { fontSize: 15 } },
          legend: { bottom: 0, data: series.map((s) => s.label) },
          grid: { left: 80, right: 30, top: 50, bottom: 70 },
          xAxis: { ...axisOption(name, categories), boundaryGap: bars },
          yAxis: { type: 'value', name: metric.label, nameLocation: 'middle', nameGap: 62, scale: metric.name !== 'iops' && !bars },
          series: lines,
        },
        csv: {
          columns: ['series', name, `${metric.name} mean`, `${metric.name} ci95`, 'seeds'],
          rows: series.flatMap((s) =>
            s.points.map((point) => {
              const spread = point.metrics[metric.name];
              return [s.label, String(point.point[name]), spread?.mean ?? '', spread?.ci95 ?? '', spread?.n ?? 0];
            }),
          ),
        },
      });
    }
  }
  return specs;
}

/** Latency percentiles against the IOPS reached, for each series of three points or more. */
function loadLatencyCharts(result: StudyResult): ChartSpec[] {
  const axis = result.study.axes.find((candidate) => candidate.values.length >= 3);
  if (axis === undefined) return [];
  const name = axis.name ?? axis.path ?? '';
  return seriesOf(result, name)
    .filter((s) => s.points.length >= 3)
    .map((s) => {
      // In the axis's order (more load, more threads): a closed loop past saturation bends back.
      const ordered = s.points;
      const lines = PERCENTILES.map((percentile, i) => ({
        name: percentile.label,
        type: 'line',
        symbolSize: 6,
        itemStyle: { color: PALETTE[i] },
        data: ordered.map((point) => [point.metrics['iops']?.mean ?? 0, point.metrics[percentile.name]?.mean ?? 0]),
      }));
      // The 95% interval of each percentile at each point, drawn as a vertical bar.
      const intervals = PERCENTILES.map((percentile, i) => ({
        name: percentile.label,
        type: 'custom',
        silent: true,
        itemStyle: { color: PALETTE[i] },
        data: ordered.map((point) => {
          const spread = point.metrics[percentile.name];
          const mean = spread?.mean ?? 0;
          const half = spread?.ci95 ?? 0;
          return [point.metrics['iops']?.mean ?? 0, Math.max(mean - half, 1e-3), mean + half];
        }),
        renderItem: errorBar,
      }));
      return {
        id: chartId('load-latency', s.label),
        title: `Load and latency (${s.label})`,
        caption: `Latency percentiles against the IOPS each point of ${name} reached (mean over seeds).`,
        option: {
          title: { text: `Load and latency (${s.label})`, left: 'center', textStyle: { fontSize: 15 } },
          legend: { bottom: 0, data: PERCENTILES.map((p) => p.label) },
          grid: { left: 80, right: 30, top: 50, bottom: 70 },
          xAxis: { type: 'value', name: 'IOPS', nameLocation: 'middle', nameGap: 28, scale: true },
          yAxis: { type: 'log', name: 'latency (µs)', nameLocation: 'middle', nameGap: 62 },
          series: [...lines, ...intervals],
        },
        csv: {
          columns: [name, 'iops', ...PERCENTILES.flatMap((p) => [`${p.name} mean`, `${p.name} ci95`])],
          rows: ordered.map((point) => [
            String(point.point[name]),
            point.metrics['iops']?.mean ?? 0,
            ...PERCENTILES.flatMap((p) => [point.metrics[p.name]?.mean ?? 0, point.metrics[p.name]?.ci95 ?? 0]),
          ]),
        },
      };
    });
}

export function studyCharts(result: StudyResult): ChartSpec[] {
  return [...metricCharts(result), ...loadLatencyCharts(result)];
}
