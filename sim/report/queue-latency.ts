// The per-queue view that shows head-of-line blocking: a queue × time heatmap of each I/O queue's
// p99 per interval (a queue stuck behind a lost segment or a slow command stays dark, or has no
// completion at all, while its neighbours carry on), and a table of each queue's percentiles over
// the run. Queues are named by NVMe qid (1..N). The heatmap needs the per-queue time series, which
// a run records when asked (`nvmf-sim run --per-queue`); without it the report says so.
import type { ScenarioResult } from '../scenario/index.js';
import { formatNumber as number } from '../stats/index.js';
import type { ChartSpec } from './chart-spec.js';

/** A report table (report-document.ts ReportTable has this shape). */
interface Table {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** The colour steps of the heatmap: decades of latency, so that 100 µs and 200 ms both read. */
const DECADE_COLORS = ['#a7f3d0', '#34d399', '#fde047', '#fb923c', '#ef4444', '#b91c1c', '#7f1d1d', '#450a0a'];
const NO_COMPLETION = -1;
/** Columns of the heatmap at most (a 10 s run at 10 ms has 1000 intervals). */
export const MAX_COLUMNS = 200;

export const NO_QUEUE_SERIES_NOTE =
  'No per-queue time series in this run, so no queue × time heatmap: run it again with --per-queue to record one.';

function decadeLabel(us: number): string {
  if (us >= 1e6) return `${number(us / 1e6)} s`;
  return us >= 1000 ? `${number(us / 1000)} ms` : `${number(us)} µs`;
}

/** p99 µs of each queue in each interval, as a heatmap; null when the run has no per-queue series. */
export function queueHeatmap(result: ScenarioResult): ChartSpec | null {
  const queues = result.timeSeries.perQueue;
  if (queues === undefined || queues.length === 0) return null;
  // At most MAX_COLUMNS columns: a long run's intervals are merged in groups, each showing the
  // worst p99 of its intervals (a stall stays visible), grey only when none completed anything.
  const count = result.timeSeries.intervals.length;
  const group = Math.max(1, Math.ceil(count / MAX_COLUMNS));
  const columns = Math.ceil(count / group);
  const intervals = Array.from({ length: columns }, (_, x) => result.timeSeries.intervals[x * group]?.tMs ?? 0);
  const labels = queues.map((queue) => `${queue.host} qid ${queue.qid}`);
  const cells: [number, number, number][] = [];
  let low = Infinity;
  let high = 0;
  queues.forEach((queue, y) => {
    for (let x = 0; x < columns; x++) {
      let value = NO_COMPLETION;
      for (const row of queue.intervals.slice(x * group, (x + 1) * group)) if (row.ios > 0) value = Math.max(value, row.latencyUs.p99);
      if (value > 0) {
        low = Math.min(low, value);
        high = Math.max(high, value);
      }
      cells.push([x, y, value]);
    }
  });
  if (!Number.isFinite(low)) low = high = 1;
  const first = Math.floor(Math.log10(low));
  const last = Math.max(first + 1, Math.ceil(Math.log10(high)));
  const pieces = [
    { value: NO_COMPLETION, label: 'no completion', color: '#9ca3af' },
    ...Array.from({ length: last - first }, (_, i) => {
      const from = 10 ** (first + i);
      const to = 10 ** (first + i + 1);
      return { gte: i === 0 ? 0 : from, lt: to, label: `${decadeLabel(from)} – ${decadeLabel(to)}`, color: DECADE_COLORS[Math.min(i, DECADE_COLORS.length - 1)] };
    }),
  ];
  const height = Math.max(260, 120 + 22 * labels.length);
  return {
    id: 'queue-p99-heatmap',
    title: 'p99 per queue over time',
    caption: `p99 latency of each I/O queue (NVMe qid) in each ${result.timeSeries.intervalMs * group} ms${group > 1 ? ` (the worst of ${group} intervals of ${result.timeSeries.intervalMs} ms)` : ' interval'}; grey: the queue completed nothing. A row that stays grey or dark while the others recover is blocked at its head.`,
    height,
    width: 900,
    option: {
      title: { text: 'p99 per queue over time', left: 'center', textStyle: { fontSize: 15 } },
      grid: { left: 110, right: 30, top: 45, bottom: 95 },
      xAxis: {
        type: 'category',
        name: 'time (ms)',
        nameLocation: 'middle',
        nameGap: 26,
        data: intervals.map(String),
        splitArea: { show: false },
        // About twelve labels, whatever the number of intervals.
        axisLabel: { interval: Math.max(0, Math.ceil(intervals.length / 12) - 1) },
      },
      yAxis: { type: 'category', data: labels, inverse: true },
      visualMap: { type: 'piecewise', dimension: 2, orient: 'horizontal', left: 'center', bottom: 0, itemWidth: 14, itemHeight: 10, textStyle: { fontSize: 11 }, pieces },
      series: [{ name: 'p99 µs', type: 'heatmap', data: cells, itemStyle: { borderColor: '#ffffff', borderWidth: 0.5 } }],
    },
    csv: {
      columns: ['host', 'qid', 't_ms', 'ios', 'p99_us'],
      rows: queues.flatMap((queue) => queue.intervals.map((row) => [queue.host, queue.qid, row.tMs, row.ios, row.latencyUs.p99])),
    },
  };
}

/** Each queue's percentiles over the run. */
export function queueTable(result: ScenarioResult): Table {
  return {
    title: 'Per queue (NVMe qid)',
    columns: ['host', 'qid', 'I/Os', 'p50 µs', 'p99 µs', 'p99.9 µs', 'max µs', 'mean µs'],
    rows: result.perQueue.map((queue) => [
      queue.host,
      String(queue.qid),
      number(queue.ios),
      number(queue.latencyUs?.p50 ?? 0, 1),
      number(queue.latencyUs?.p99 ?? 0, 1),
      number(queue.latencyUs?.p999 ?? 0, 1),
      number(queue.latencyUs?.max ?? 0, 1),
      number(queue.latencyUs?.mean ?? 0, 1),
    ]),
  };
}
