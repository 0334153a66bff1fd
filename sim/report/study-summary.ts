// The terminal summary of a study (`nvmf-sim study`, `merge`): a line saying what ran, then the
// report's own answers and points table (render-text.ts), then each failed seed with the command
// that repeats it. The numbers are the report's, so the terminal and report.md agree.
import type { StudyResult } from '../study/index.js';
import { answerLines, summaryDocument, tableLines } from './render-text.js';

/** "answers:" and one indented line per answer, as the report states them (none: no lines). */
export function studyAnswerLines(result: StudyResult): string[] {
  return answerLines(summaryDocument({ kind: 'study', result }));
}

export function formatStudySummary(result: StudyResult, workers?: number): string {
  const { study } = result;
  const doc = summaryDocument({ kind: 'study', result });
  const lines = [
    `study ${study.name} (${study.file}): ${study.points.length} point(s) x ${study.seeds.length} seed(s), ` +
      `${result.tasks.present} run(s) in ${result.wallSeconds.toFixed(1)} s${workers === undefined ? '' : ` on ${workers} worker(s)`}` +
      (result.shard === undefined ? '' : `, shard ${result.shard.index}/${result.shard.count}`),
  ];
  lines.push(...answerLines(doc));
  for (const table of doc.tables) lines.push(...tableLines(table));
  const failures = result.points.flatMap((point) => point.failures.map((failure) => ({ point, failure })));
  if (failures.length > 0) {
    lines.push('failures:');
    for (const { point, failure } of failures) {
      const where = Object.entries(point.point).map(([name, value]) => `${name}=${String(value)}`).join(' ');
      lines.push(`  ${where} seed ${failure.seed}: ${failure.class}: ${failure.failed[0] ?? ''}`);
      lines.push(`    repeat: ${failure.repeat}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
