// A run over time: IOPS and p99 latency per interval, one line per host and one for the total, with
// each fault drawn where it happened: a fault with an end (a partition and its heal, a pause and its
// resume) as a shaded, labelled window, a fault without one as a labelled vertical line. The
// faults come from result.timeSeries.faults (scenario fault-windows.ts pairs each with its end).
import type { ScenarioResult } from '../scenario/index.js';
import type { ChartOption, ChartSpec } from './chart-spec.js';

type TimeSeries = ScenarioResult['timeSeries'];
type Fault = TimeSeries['faults'][number];
type Row = TimeSeries['perHost'][number]['intervals'][number];

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];
const TOTAL_COLOR = '#111827';
/** Hosts drawn as their own line; beyond this only the total is (a 32-host study is unreadable). */
const MAX_HOST_LINES = 8;

/** A window can be narrow: its label is the verb; the caption gives the details. */
function faultLabel(fault: Fault): string {
  return fault.action;
}

function faultList(faults: readonly Fault[]): string {
  return faults
    .map((fault) => `${fault.action} at ${fault.tMs} ms${fault.untilMs === undefined ? '' : ` until ${fault.untilMs} ms`} (${fault.detail})`)
    .join('; ');
}

/** Verbs that end an earlier window: drawn as that window's edge, not as a fault of their own. */
function endsAWindow(fault: Fault, faults: readonly Fault[]): boolean {
  return faults.some((other) => other !== fault && other.untilMs === fault.tMs && other.tMs <= fault.tMs);
}

/** The faults as an ECharts markArea (windows) and markLine (instants), on one series. */
export function faultMarks(faults: readonly Fault[], endMs: number): ChartOption {
  const windows = faults.filter((fault) => fault.untilMs !== undefined);
  const instants = faults.filter((fault) => fault.untilMs === undefined && !endsAWindow(fault, faults));
  const marks: ChartOption = {};
  if (windows.length > 0) {
    marks['markArea'] = {
      silent: true,
      itemStyle: { color: 'rgba(220, 38, 38, 0.12)', borderColor: 'rgba(220, 38, 38, 0.5)', borderWidth: 1 },
      label: { show: true, position: 'insideTop', color: '#991b1b', fontSize: 11, overflow: 'break' },
      data: windows.map((fault) => [{ name: faultLabel(fault), xAxis: fault.tMs }, { xAxis: Math.min(fault.untilMs ?? endMs, endMs) }]),
    };
  }
  if (instants.length > 0) {
    marks['markLine'] = {
      silent: true,
      symbol: 'none',
      lineStyle: { color: '#991b1b', type: 'dashed', width: 1.5 },
      label: { show: true, position: 'insideEndTop', color: '#991b1b', fontSize: 11, formatter: '{b}' },
      data: instants.map((fault) => ({ name: faultLabel(fault), xAxis: fault.tMs })),
    };
  }
  return marks;
}

interface Line {
  readonly name: string;
  readonly color: string;
  readonly rows: readonly Row[];
}

function lines(series: TimeSeries): Line[] {
  const hosts = series.perHost.length > 1 && series.perHost.length <= MAX_HOST_LINES ? series.perHost : [];
  return [
    ...hosts.map((host, i) => ({ name: host.host, color: PALETTE[i % PALETTE.length] ?? TOTAL_COLOR, rows: host.intervals })),
    { name: series.perHost.length > 1 ? 'total' : (series.perHost[0]?.host ?? 'total'), color: TOTAL_COLOR, rows: series.intervals },
  ];
}

function overTime(result: ScenarioResult, id: string, title: string, yName: string, value: (row: Row) => number | null, caption: string, yLog: boolean): ChartSpec {
  const series = result.timeSeries;
  const drawn = lines(series);
  const endMs = Math.max(result.simSeconds * 1000, ...series.intervals.map((row) => row.tMs + series.intervalMs));
  const marks = faultMarks(series.faults, endMs);
  const hostNote = series.perHost.length > MAX_HOST_LINES ? ` Only the total is drawn: ${series.perHost.length} hosts are more lines than a chart can show.` : '';
  return {
    id,
    title,
    caption: `${caption}${series.faults.length > 0 ? ` Faults are shaded from the fault to its end, or drawn as a dashed line: ${faultList(series.faults)}.` : ''}${hostNote}`,
    option: {
      title: { text: title, left: 'center', textStyle: { fontSize: 15 } },
      legend: { bottom: 0, data: drawn.map((line) => line.name) },
      grid: { left: 80, right: 30, top: 50, bottom: 70 },
      xAxis: { type: 'value', name: 'time (ms)', nameLocation: 'middle', nameGap: 28, min: 0, max: Math.ceil(endMs) },
      yAxis: { type: yLog ? 'log' : 'value', name: yName, nameLocation: 'middle', nameGap: 60 },
      series: drawn.map((line, i) => ({
        name: line.name,
        type: 'line',
        showSymbol: false,
        connectNulls: false,
        lineStyle: { width: 1.5, color: line.color },
        itemStyle: { color: line.color },
        data: line.rows.map((row) => [row.tMs, value(row)]),
        // The fault marks once, on the last (total) line.
        ...(i === drawn.length - 1 ? marks : {}),
      })),
    },
    csv: {
      columns: ['series', 't_ms', yName],
      rows: drawn.flatMap((line) => line.rows.map((row) => [line.name, row.tMs, value(row) ?? ''])),
    },
  };
}

/** IOPS and p99 over time, with the faults marked. */
export function timeSeriesCharts(result: ScenarioResult): ChartSpec[] {
  if (result.timeSeries.intervals.length === 0) return [];
  const interval = `${result.timeSeries.intervalMs} ms`;
  return [
    overTime(result, 'iops-over-time', 'IOPS over time', 'IOPS', (row) => row.iops, `I/Os completed per second in each ${interval} interval.`, false),
    overTime(
      result,
      'p99-over-time',
      'p99 latency over time',
      'p99 latency (µs)',
      // An interval with no completion has no latency: a gap, not a zero on a log axis.
      (row) => (row.ios > 0 ? row.latencyUs.p99 : null),
      `p99 latency of the I/Os completed in each ${interval} interval (a gap: none completed).`,
      true,
    ),
  ];
}
