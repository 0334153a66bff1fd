// The terminal summary of `nvmf-sim run`: what ran and how fast, the report's answer, its run,
// per-host and per-queue tables (render-text.ts; the same cells report.md prints), then what only a
// terminal shows: CPU, network and TCP counters, faults, invariants, the fingerprint and the
// command that repeats the run.
import { formatNumber as number } from '../stats/index.js';
import type { ScenarioResult, TcpResult } from '../scenario/index.js';
import { answerLines, summaryDocument, tableLines } from './render-text.js';
import type { ReportTable } from './report-table.js';

function percent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

/** One line of TCP counters (frames, as Linux counts segs_out and total_retrans). */
export function formatTcp(tcp: TcpResult): string {
  return (
    `tcp: ${number(tcp.segmentsSent)} frames sent, ${number(tcp.retransmits)} retransmitted ` +
    `(${number(tcp.fastRetransmits)} fast recoveries, ${number(tcp.rtoCount)} RTOs), ${number(tcp.dupAcks)} dup ACKs, ` +
    `${number(tcp.outOfOrderSegments)} out of order, ${number(tcp.zeroWindowProbes)} zero-window probes; ` +
    `connections ${number(tcp.connectionsOpened)} opened, ${number(tcp.connectionsReset)} reset, ${number(tcp.timeouts)} timed out`
  );
}

/** The Run table's rows as "I/O: .." and "latency (us): .." lines; read and write each on one line. */
function runLines(table: ReportTable, lostInCrash: number): string[] {
  const at = (row: readonly string[], column: string): string => row[table.columns.indexOf(column)] ?? '';
  const io = (row: readonly string[]): string => `${at(row, 'I/Os')} completed, ${at(row, 'IOPS')} IOPS, ${at(row, 'MB/s')} MB/s, ${at(row, 'errors')} failed`;
  const latency = (row: readonly string[]): string =>
    `latency (us): p50 ${at(row, 'p50 µs')}  p99 ${at(row, 'p99 µs')}  p99.9 ${at(row, 'p99.9 µs')}  max ${at(row, 'max µs')}`;
  const [all, ...directions] = table.rows;
  if (all === undefined) return [];
  return [
    `I/O: ${io(all)}${lostInCrash > 0 ? `, ${number(lostInCrash)} lost in crashes` : ''}`,
    latency(all),
    ...directions.map((row) => `  ${at(row, 'I/O')}: ${io(row)}; ${latency(row)}`),
  ];
}

export function formatRunSummary(result: ScenarioResult, repeat: string): string {
  const doc = summaryDocument({ kind: 'run', result, repeat });
  const lines: string[] = [];
  const speed = result.wallSeconds > 0 ? result.simSeconds / result.wallSeconds : 0;
  lines.push(`scenario ${result.scenario} (${result.source}), seed ${result.seed}`);
  if (result.timeBase === 'real') {
    // A run with a real Linux peer: time is the wall clock, so there is no speed-up to report.
    lines.push(`real time: ran ${result.simSeconds.toFixed(3)} s against real Linux peers (not deterministic)`);
    for (const peer of result.realPeers ?? []) {
      lines.push(`peer ${peer.node}: ${peer.runtime}, Linux ${peer.kernel}, booted in ${peer.bootSeconds.toFixed(1)} s`);
    }
  } else {
    lines.push(
      `simulated ${result.simSeconds.toFixed(3)} s in ${result.wallSeconds.toFixed(2)} s of wall time ` +
        `(${speed.toFixed(3)}x real time), ${number(result.events)} events` +
        (result.wallSeconds > 0 ? `, ${number(result.ios / result.wallSeconds)} simulated I/Os per wall second` : ''),
    );
  }
  lines.push(...answerLines(doc));
  for (const table of doc.tables) {
    // The run's totals read best as two lines; the invariants keep their own form below.
    if (table.title === 'Run') lines.push(...runLines(table, result.lostInCrash));
    else if (table.title !== 'Invariants') lines.push(...tableLines(table));
  }
  for (const cpu of result.cpu) {
    lines.push(`cpu ${cpu.node} (${cpu.profile}): mean ${percent(cpu.meanUtilisation)}, per core ${cpu.utilisation.map(percent).join(' ')}`);
  }
  const drops = Object.entries(result.net.droppedByReason).map(([reason, count]) => `${reason} ${number(count)}`);
  lines.push(`network: ${number(result.net.delivered)} packets delivered, ${number(result.net.dropped)} dropped${drops.length > 0 ? ` (${drops.join(', ')})` : ''}`);
  lines.push(formatTcp(result.net.tcp));
  if (result.faultsApplied.length > 0) {
    lines.push('faults:');
    for (const fault of result.faultsApplied) {
      lines.push(`  ${(fault.atNs / 1e9).toFixed(6)} s  ${fault.action}: ${fault.detail}${fault.trigger === undefined ? '' : ` (when ${fault.trigger})`}`);
    }
  }
  lines.push('invariants:');
  for (const invariant of result.invariants) {
    lines.push(`  ${invariant.ok ? 'ok  ' : 'FAIL'} ${invariant.name}${invariant.ok ? '' : ` (${invariant.class})`}: ${invariant.detail}`);
  }
  lines.push(`fingerprint ${result.fingerprint}`);
  if (result.failure !== undefined) lines.push(`FAILED: ${result.failure}`);
  lines.push(`repeat: ${repeat}`);
  return `${lines.join('\n')}\n`;
}
