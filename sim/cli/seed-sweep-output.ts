// `nvmf-sim run FILE --seeds LIST`: the sweep on the worker pool, its progress line, and its
// summary (sim/report: how many seeds passed, then each failure class with its seeds and their
// repeat commands). Exit status: 0 when every seed passed, else the worst class's (127/128/129).
import { FAILURE_EXIT_STATUS, type FieldAssignment } from '../scenario/index.js';
import { defaultJobs, parseSeedList, StudyError, sweepSeeds, type SweepResult } from '../study/index.js';
import { formatSweepSummary } from '../report/index.js';
import { UsageError } from './args.js';
import type { CliIo } from './command.js';
import { poolBar } from './pool-progress.js';

export interface SeedSweepRequest {
  readonly file: string;
  readonly seedsText: string;
  readonly sets: readonly FieldAssignment[];
  readonly durationNs: number;
  readonly jobs: number | undefined;
  readonly json: boolean;
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
  io.out(request.json ? `${JSON.stringify({ ...result, wallSeconds }, null, 2)}\n` : formatSweepSummary(result, wallSeconds, jobs));
  for (const cls of ['crash', 'correctness', 'liveness'] as const) if (result.failures[cls].length > 0) return FAILURE_EXIT_STATUS[cls];
  return 0;
}
