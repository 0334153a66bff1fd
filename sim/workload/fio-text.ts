// A workload result as fio's human-readable summary (fio stat.c show_thread_status_normal and
// show_run_stats): "read: IOPS=.., BW=..", latency with a unit picked from its magnitude, the
// clat percentile table, and the "Run status group" lines. Close to fio's look, not byte-exact.
import { FIO_PERCENTILES, percentileKey, type LatencySummary } from '../stats/index.js';
import type { DirectionResult, WorkloadResult } from './stats.js';

/** fio's num2str: three significant digits and a unit suffix (k, M, G in base 1000 or Ki, Mi..). */
export function shortNumber(value: number, base: 1000 | 1024 = 1000): string {
  const suffixes = base === 1000 ? ['', 'k', 'M', 'G', 'T'] : ['', 'Ki', 'Mi', 'Gi', 'Ti'];
  let scaled = value;
  let i = 0;
  while (scaled >= base && i < suffixes.length - 1) {
    scaled /= base;
    i++;
  }
  const digits = i === 0 || scaled >= 100 ? 0 : scaled >= 10 ? 1 : 2;
  return `${scaled.toFixed(i === 0 && Number.isInteger(scaled) ? 0 : digits)}${suffixes[i]}`;
}

function latencyUnit(summary: LatencySummary): { name: string; divisor: number } {
  // fio prints nsec below 10 us, usec below 10 ms, msec above (stat.c usec_to_msec/nsec_to_usec).
  if (summary.max < 10_000) return { name: 'nsec', divisor: 1 };
  if (summary.max < 10_000_000) return { name: 'usec', divisor: 1_000 };
  return { name: 'msec', divisor: 1_000_000 };
}

function fixed(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function latencyLines(label: string, summary: LatencySummary): string[] {
  const unit = latencyUnit(summary);
  const d = unit.divisor;
  const lines = [
    `    ${label} (${unit.name}): min=${fixed(Math.round(summary.min / d))}, max=${fixed(Math.round(summary.max / d))}, ` +
      `avg=${(summary.mean / d).toFixed(2)}, stdev=${(summary.stddev / d).toFixed(2)}`,
  ];
  if (label !== 'clat') return lines;
  lines.push(`    clat percentiles (${unit.name}):`);
  const cells = FIO_PERCENTILES.map((p) => {
    const value = Math.round((summary.percentile[percentileKey(p)] ?? 0) / d);
    return `${p.toFixed(2).padStart(5)}th=[${String(value).padStart(5)}]`;
  });
  for (let i = 0; i < cells.length; i += 4) lines.push(`     | ${cells.slice(i, i + 4).join(', ')}${i + 4 < cells.length ? ',' : ''}`);
  return lines;
}

function directionLines(name: string, result: DirectionResult): string[] {
  if (result.ios === 0 && result.errors === 0) return [];
  const seconds = result.runtimeNs / 1e9;
  const iops = seconds > 0 ? result.ios / seconds : 0;
  const bw = seconds > 0 ? result.ioBytes / seconds : 0;
  const runtimeMs = Math.round(result.runtimeNs / 1e6);
  return [
    `  ${name}: IOPS=${shortNumber(iops)}, BW=${shortNumber(bw, 1024)}B/s (${shortNumber(bw)}B/s)` +
      `(${shortNumber(result.ioBytes, 1024)}B/${runtimeMs}msec)`,
    ...latencyLines('clat', result.clat),
    ...latencyLines(' lat', result.clat),
  ];
}

function groupLine(name: string, result: DirectionResult): string | undefined {
  if (result.ios === 0) return undefined;
  const seconds = result.runtimeNs / 1e9;
  const bw = seconds > 0 ? result.ioBytes / seconds : 0;
  const ms = Math.round(result.runtimeNs / 1e6);
  return (
    `${name.padStart(7)}: bw=${shortNumber(bw, 1024)}B/s (${shortNumber(bw)}B/s), ` +
    `io=${shortNumber(result.ioBytes, 1024)}B (${shortNumber(result.ioBytes)}B), run=${ms}-${ms}msec`
  );
}

/** The human summary, one string with a trailing newline. */
export function formatFioText(result: WorkloadResult): string {
  const mismatches = result.verify.mismatches;
  const err = result.firstError?.status ?? (mismatches > 0 ? 84 : 0);
  const lines = [`${result.name}: (groupid=0, jobs=1): err=${String(err).padStart(2)}: ended=${result.ended}`];
  lines.push(...directionLines('read', result.read), ...directionLines('write', result.write));
  // NVMe queue IDs: I/O queue i is qid i + 1 (qid 0 is the admin queue).
  lines.push(`  queues (I/Os, p99 usec): ${result.queues.map((q) => `qid${q.queue + 1}=${q.ios}${q.latencyUs === undefined ? '' : ` (${q.latencyUs.p99})`}`).join(' ')}`);
  if (result.verify.enabled) {
    lines.push(`  verify: ${result.verify.blocksChecked} blocks checked, ${mismatches} mismatches`);
    const first = result.verify.firstMismatch;
    if (first !== undefined) {
      const found = first.foundLba === undefined ? '' : ` (found lba ${first.foundLba} generation ${first.foundGeneration})`;
      lines.push(`  first mismatch: lba ${first.lba} ${first.reason}, expected generation ${first.expectedGeneration}${found}`);
    }
  }
  if (result.errors > 0) {
    const first = result.firstError;
    const detail =
      first === undefined ? '' : ` (first: ${first.kind} at ${first.offset}+${first.length} status 0x${first.status.toString(16)})`;
    lines.push(`  errors: ${result.errors}${detail}`);
  }
  lines.push('', 'Run status group 0 (all jobs):');
  for (const line of [groupLine('READ', result.read), groupLine('WRITE', result.write)]) {
    if (line !== undefined) lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}
