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

interface Unit {
  readonly name: 'nsec' | 'usec' | 'msec';
  readonly divisor: number;
}

const NSEC: Unit = { name: 'nsec', divisor: 1 };
const USEC: Unit = { name: 'usec', divisor: 1_000 };
const MSEC: Unit = { name: 'msec', divisor: 1_000_000 };

/**
 * The unit of a "clat (usec): min=.." line, as fio's display_lat picks it (stat.h nsec_to_msec,
 * nsec_to_usec): msec when min > 2 ms, max > 100 ms and stdev > 1 ms; else usec when min > 2 us,
 * max > 100 us and stdev > 1 us; else nsec.
 */
export function latencyLineUnit(summary: LatencySummary): Unit {
  const { min, max, stddev } = summary;
  if (min > 2_000_000 && max > 99_999_999 && stddev > 1_000_000) return MSEC;
  if (min > 2_000 && max > 99_999 && stddev > 1_000) return USEC;
  return NSEC;
}

/**
 * The unit of the percentile table, from the smallest and largest percentile shown, as fio's
 * show_clat_percentiles picks it (stat.c): msec when the smallest > 2 ms and the largest > 100 ms;
 * usec when the smallest > 2 us and the largest > 100 us; else nsec. So a run of 30 us I/Os with
 * one 20 ms outlier still shows its percentiles in usec, not as zeros.
 */
export function percentileUnit(values: readonly number[]): Unit {
  if (values.length === 0) return NSEC;
  const minv = Math.min(...values);
  const maxv = Math.max(...values);
  if (minv > 2_000_000 && maxv > 99_999_999) return MSEC;
  if (minv > 2_000 && maxv > 99_999) return USEC;
  return NSEC;
}

function fixed(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

/** fio's clat percentile table: "     |  1.00th=[  445],  5.00th=[  482], ..." in the unit it picks. */
export function percentileLines(label: string, summary: LatencySummary): string[] {
  const values = FIO_PERCENTILES.map((p) => summary.percentile[percentileKey(p)] ?? 0);
  const unit = percentileUnit(values);
  // fio divides as integers (ovals[j] / divisor) and widens the column for large values.
  const scaled = values.map((value) => Math.floor(value / unit.divisor));
  const width = Math.max(5, String(Math.max(...scaled)).length);
  const perLine = Math.floor((80 - 7) / (2 + 10 + width));
  const cells = FIO_PERCENTILES.map((p, i) => `${p.toFixed(2).padStart(5)}th=[${String(scaled[i] ?? 0).padStart(width)}]`);
  const lines = [`    ${label} percentiles (${unit.name}):`];
  for (let i = 0; i < cells.length; i += perLine) lines.push(`     | ${cells.slice(i, i + perLine).join(', ')}${i + perLine < cells.length ? ',' : ''}`);
  return lines;
}

function latencyLine(label: string, summary: LatencySummary): string {
  const unit = latencyLineUnit(summary);
  const d = unit.divisor;
  return (
    `    ${label} (${unit.name}): min=${fixed(Math.floor(summary.min / d))}, max=${fixed(Math.floor(summary.max / d))}, ` +
    `avg=${(summary.mean / d).toFixed(2)}, stdev=${(summary.stddev / d).toFixed(2)}`
  );
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
    latencyLine('clat', result.clat),
    // Open loop: lat counts from each I/O's arrival; closed loop: it equals clat.
    latencyLine(' lat', result.lat ?? result.clat),
    ...percentileLines('clat', result.clat),
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
  lines.push(`  queues (I/Os, p99 usec): ${result.queues.map((q) => `qid${q.queue + 1}=${q.ios}${q.latencyUs === undefined ? '' : ` (${Math.round(q.latencyUs.p99)})`}`).join(' ')}`);
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
