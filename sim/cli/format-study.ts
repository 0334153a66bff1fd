// The readable summary of a study: the answers first, then one row per point (the mean over seeds
// with its 95% interval), then each failed seed with the command that repeats it.
import { formatNumber as number } from '../stats/index.js';
import { ratioAnswerText, type StudyResult } from '../study/index.js';

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) => `  ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ')}`.trimEnd());
}

/** "link host/eth0>target/eth0 (100%)", or "none (latency-bound)". */
export function bottleneckText(point: StudyResult['points'][number]): string {
  const verdict = point.bottleneck;
  if (verdict.resource === 'none') return 'none (latency-bound)';
  if (verdict.resource === 'unmeasured') return 'unmeasured (real time)';
  const use = point.metrics['bottleneck.utilisation']?.mean ?? 0;
  return `${verdict.resource} ${verdict.name ?? ''} (${number(use * 100, 0)}%)`;
}

export function formatStudy(result: StudyResult, workers?: number): string {
  const { study } = result;
  const lines: string[] = [];
  const runs = result.tasks.present;
  lines.push(
    `study ${study.name} (${study.file}): ${study.points.length} point(s) x ${study.seeds.length} seed(s), ` +
      `${runs} run(s) in ${result.wallSeconds.toFixed(1)} s${workers === undefined ? '' : ` on ${workers} worker(s)`}` +
      (result.shard === undefined ? '' : `, shard ${result.shard.index}/${result.shard.count}`),
  );
  if (result.answers.length > 0) {
    lines.push('answers:');
    for (const answer of result.answers) {
      // A ratio question states a claim: its line shows the claim, the model's ratio and PASS/FAIL.
      const claim = ratioAnswerText(answer);
      if (claim !== null) lines.push(`  ${claim}`);
      for (const series of answer.answers) {
        const label = Object.entries(series.series).map(([name, value]) => `${name}=${String(value)}`).join(', ');
        const value = series.value === null ? 'none' : String(series.value);
        const at = series.metricValue === null ? '' : ` (${answer.metric} ${number(series.metricValue, 1)})`;
        const cautious = series.cautiousValue !== undefined && series.cautiousValue !== series.value ? `; with the 95% interval: ${String(series.cautiousValue)}` : '';
        const note = series.note === undefined ? '' : ` [${series.note}]`;
        lines.push(`  ${answer.question}${label === '' ? '' : ` [${label}]`}: ${value}${at}${cautious}${note}`);
      }
    }
  } else if (!result.complete) {
    lines.push(`answers: after all ${result.tasks.total} runs (this holds ${result.tasks.present}; merge the shards)`);
  }
  const axes = study.axes.map((axis) => axis.name ?? axis.path ?? '');
  const spread = (point: StudyResult['points'][number], name: string, digits: number): string => {
    const value = point.metrics[name];
    if (value === undefined) return '-';
    return value.n > 1 ? `${number(value.mean, digits)} ±${number(value.ci95, digits)}` : number(value.mean, digits);
  };
  const header = [...axes, 'IOPS', 'p50 us', 'p99 us', 'p99.9 us', 'bottleneck', 'verdict'];
  const rows = result.points.map((point) => [
    ...axes.map((axis) => String(point.point[axis] ?? '')),
    spread(point, 'iops', 0),
    spread(point, 'latencyUs.p50', 1),
    spread(point, 'latencyUs.p99', 1),
    spread(point, 'latencyUs.p999', 1),
    bottleneckText(point),
    point.ok ? 'ok' : point.failures.map((failure) => failure.class).join(','),
  ]);
  lines.push('points:', ...table([header, ...rows]));
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
