// The soak's table for people: one row per scenario, then the totals and the verdict, and each
// failing scenario's first seed with the command that repeats it.
import type { SoakResult } from './soak-run.js';

const HEADER = ['scenario', 'seeds', 'passed', 'writes acked', 'blocks verified', 'lost writes', 'corruptions', 'other failures'];

function count(value: number): string {
  return value.toLocaleString('en-US');
}

export function soakTable(result: SoakResult, wallSeconds?: number): string {
  const rows = result.rows.map((row) => [row.scenario, count(row.seeds), count(row.passed), count(row.writesAcknowledged), count(row.blocksChecked), count(row.lostWrites), count(row.corruptions), count(row.otherFailures)]);
  const t = result.totals;
  rows.push(['total', count(t.seeds), count(result.rows.reduce((sum, row) => sum + row.passed, 0)), '', '', count(t.lostWrites), count(t.corruptions), count(t.otherFailures)]);
  const widths = HEADER.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ').trimEnd();
  const lines = [line(HEADER), ...rows.map(line)];
  for (const row of result.rows) {
    if (row.firstFailure === undefined) continue;
    lines.push(`${row.scenario}: seed ${row.firstFailure.seed} failed: ${row.firstFailure.failed.join('; ') || 'verify mismatches'}`);
    lines.push(`  repeat: ${row.firstFailure.repeat}`);
  }
  const runs = `${count(t.seeds)} seeds (${count(result.seedsPerScenario)} per scenario)${wallSeconds === undefined ? '' : ` in ${wallSeconds.toFixed(1)} s of wall time`}`;
  lines.push(
    result.ok
      ? `soak: ${runs}, 0 acknowledged writes lost, 0 silent corruptions with digests on`
      : `soak FAILED: ${runs}, ${count(t.lostWrites)} acknowledged writes lost, ${count(t.corruptions)} silent corruptions, ${count(t.otherFailures)} other failures`,
  );
  return `${lines.join('\n')}\n`;
}
