// The tables of a run's report that its terminal summary also prints: the run's totals and each
// host's, with reads and writes apart when the run mixes them (fio's read and write groups).
import { formatNumber as number } from '../stats/index.js';
import type { DirectionTotals, LatencyUs, ScenarioResult } from '../scenario/index.js';
import type { ReportTable } from './report-table.js';

/** What a row counts: I/Os, rate and latency. */
interface Counts {
  readonly ios: number;
  readonly iops: number;
  readonly bytesPerSecond: number;
  readonly latencyUs: LatencyUs;
  readonly errors: number;
}

const COUNT_COLUMNS = ['I/Os', 'IOPS', 'MB/s', 'p50 µs', 'p99 µs', 'p99.9 µs', 'max µs', 'errors'] as const;

function countCells(counts: Counts): string[] {
  const lat = counts.latencyUs;
  return [
    number(counts.ios),
    number(counts.iops),
    number(counts.bytesPerSecond / 1e6, 1),
    number(lat.p50, 1),
    number(lat.p99, 1),
    number(lat.p999, 1),
    number(lat.max, 1),
    number(counts.errors),
  ];
}

/** Both directions did I/O: the run's rows split into all, read and write. */
export function mixesReadsAndWrites(result: ScenarioResult): boolean {
  return (result.read?.ios ?? 0) > 0 && (result.write?.ios ?? 0) > 0;
}

/** The all row, then read and write rows when the run mixes them. */
function directionRows(all: Counts, read: DirectionTotals | undefined, write: DirectionTotals | undefined, mixed: boolean): [string, Counts][] {
  if (!mixed || read === undefined || write === undefined) return [['all', all]];
  return [
    ['all', all],
    ['read', read],
    ['write', write],
  ];
}

/** The run's totals: one row, or all/read/write rows for a mixed workload. */
export function runTable(result: ScenarioResult): ReportTable {
  const mixed = mixesReadsAndWrites(result);
  const rows = directionRows(result, result.read, result.write, mixed);
  const verdict = result.ok ? 'ok' : `FAILED: ${result.failure ?? ''}`;
  return {
    title: 'Run',
    columns: [...(mixed ? ['I/O'] : []), ...COUNT_COLUMNS, 'verdict'],
    rows: rows.map(([direction, counts], i) => [...(mixed ? [direction] : []), ...countCells(counts), i === 0 ? verdict : '']),
  };
}

/** Each host's state, I/O and latency (split by direction when the run mixes them). */
export function hostTable(result: ScenarioResult): ReportTable {
  const mixed = mixesReadsAndWrites(result);
  return {
    title: 'Per host',
    columns: ['host', 'target', 'state', 'reconnects', ...(mixed ? ['I/O'] : []), ...COUNT_COLUMNS],
    rows: result.perHost.flatMap((host) =>
      directionRows(host, host.read, host.write, mixed).map(([direction, counts], i) => [
        ...(i === 0 ? [host.host, host.target, host.error === undefined ? host.state : `${host.state} (${host.error})`, String(host.reconnects)] : ['', '', '', '']),
        ...(mixed ? [direction] : []),
        ...countCells(counts),
      ]),
    ),
  };
}
