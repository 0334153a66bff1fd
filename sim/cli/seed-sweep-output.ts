// `nvmf-sim run FILE --seeds LIST`: the sweep on the worker pool, its progress line, and its
// summary: how many seeds passed, then each failure class with its seeds and their repeat
// commands. Exit status: 0 when every seed passed, else the worst class's (127/128/129).
import { FAILURE_EXIT_STATUS, type FieldAssignment } from '../scenario/index.js';
import { defaultJobs, parseSeedList, StudyError, sweepSeeds, type SweepResult } from '../study/index.js';
import { UsageError } from './args.js';
import type { CliIo } from './command.js';
import { poolBar } from './pool-progress.js';

/** At most this many failing seeds per class are listed in the summary (all are in --json). */
const LISTED_PER_CLASS = 20;

export interface SeedSweepRequest {
  readonly file: string;
  readonly seedsText: string;
  readonly sets: readonly FieldAssignment[];
  readonly durationNs: number;
  readonly jobs: number | undefined;
  readonly json: boolean;
}

export function formatSweep(result: SweepResult, wallSeconds: number, jobs: number): string {
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

export async function runSeedSweep(io: CliIo, request: SeedSweepRequest): Promise<number> {
  let seeds;
  try {
    seeds = parseSeedList(request.seedsText);
  } catch (error) {
    if (error instanceof StudyError) throw new UsageError(error.message);
    throw error;
  }
  const jobs = request.jobs ?? defaultJobs();
  const bar = poolBar(io, 'seeds', () => performance.now());
  const start = performance.now();
  let result: SweepResult;
  try {
    result = await sweepSeeds(request.file, seeds, {
      jobs,
      sets: request.sets,
      durationNs: request.durationNs,
      onProgress: (progress) => bar.report(progress.done, progress.total),
    });
  } finally {
    bar.finish();
  }
  const wallSeconds = (performance.now() - start) / 1000;
  io.out(request.json ? `${JSON.stringify({ ...result, wallSeconds }, null, 2)}\n` : formatSweep(result, wallSeconds, jobs));
  for (const cls of ['crash', 'correctness', 'liveness'] as const) if (result.failures[cls].length > 0) return FAILURE_EXIT_STATUS[cls];
  return 0;
}
