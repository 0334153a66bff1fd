// The terminal summary of a seed sweep (`nvmf-sim run FILE --seeds LIST`): how many seeds passed,
// then each failure class with its seeds and the commands that repeat them.
import type { SweepResult } from '../study/index.js';

/** At most this many failing seeds per class are listed in the summary (all are in --json). */
const LISTED_PER_CLASS = 20;

export function formatSweepSummary(result: SweepResult, wallSeconds: number, jobs: number): string {
  const classes = (['crash', 'correctness', 'liveness'] as const).filter((cls) => result.failures[cls].length > 0);
  const counts = classes.map((cls) => `${cls} ${result.failures[cls].length}`).join(', ');
  const lines = [
    `seed sweep ${result.file}: ${result.seeds} seed(s), ${result.passed} passed, ${result.failed} failed` +
      (counts === '' ? '' : ` (${counts})`) +
      ` in ${wallSeconds.toFixed(1)} s on ${jobs} worker(s)`,
  ];
  for (const cls of classes) {
    lines.push(`${cls}:`);
    const seeds = result.failures[cls];
    for (const seed of seeds.slice(0, LISTED_PER_CLASS)) {
      lines.push(`  seed ${seed.seed}: ${seed.failed[0] ?? ''}`, `    repeat: ${seed.repeat}`);
    }
    if (seeds.length > LISTED_PER_CLASS) lines.push(`  ... and ${seeds.length - LISTED_PER_CLASS} more (--json lists them all)`);
  }
  return `${lines.join('\n')}\n`;
}
