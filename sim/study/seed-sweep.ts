// `nvmf-sim run FILE --seeds 1..1000`: one scenario under many seeds on the worker pool, as
// FoundationDB and TigerBeetle sweep seeds to find the rare failing one. Each seed keeps only its
// verdict (class, failed invariants, fingerprint); failures are grouped by class, each with the
// command that repeats it. The sweep is the same for any --jobs.
import { repeatCommand, type FailureClass, type FieldAssignment } from '../scenario/index.js';
import { StudyError } from './study-error.js';
import type { TaskInput } from './study-task.js';
import { runOnPool, type PoolProgress } from './worker-pool.js';

/** The most seeds one sweep takes (a bound on memory and on an accidental 1..1e9). */
export const SWEEP_MAX_SEEDS = 1_000_000;

/** Parses `--seeds`: `1..1000`, `7`, `1,5,9`, or a mix (`1..10,42`), in the order given, no repeats. */
export function parseSeedList(text: string): readonly string[] {
  const seeds: string[] = [];
  const seen = new Set<string>();
  for (const part of text.split(',')) {
    const range = /^\s*(\d+)\s*\.\.\s*(\d+)\s*$/.exec(part);
    const add = (seed: string): void => {
      if (seen.has(seed)) return;
      seen.add(seed);
      seeds.push(seed);
      if (seeds.length > SWEEP_MAX_SEEDS) throw new StudyError('', `--seeds: more than ${SWEEP_MAX_SEEDS} seeds`);
    };
    if (range !== null) {
      const from = Number(range[1]);
      const to = Number(range[2]);
      if (to < from) throw new StudyError('', `--seeds: range '${part.trim()}' runs backwards`);
      if (to - from >= SWEEP_MAX_SEEDS) throw new StudyError('', `--seeds: more than ${SWEEP_MAX_SEEDS} seeds`);
      for (let seed = from; seed <= to; seed++) add(String(seed));
    } else if (/^\s*[\w.:@+-]+\s*$/.test(part) && !part.includes('..')) add(part.trim());
    else throw new StudyError('', `--seeds: expected seeds like 1..1000, 7 or 1,5,9, not '${text}'`);
  }
  if (seeds.length === 0) throw new StudyError('', `--seeds: no seeds in '${text}'`);
  return seeds;
}

export interface SweepSeed {
  readonly seed: string;
  readonly ok: boolean;
  readonly failure?: FailureClass;
  readonly failed: readonly string[];
  readonly fingerprint: string;
  readonly ios: number;
  readonly repeat: string;
}

export interface SweepResult {
  readonly tool: 'nvmf-sim';
  readonly kind: 'seed-sweep';
  readonly file: string;
  readonly seeds: number;
  readonly passed: number;
  readonly failed: number;
  /** Failing seeds by class, in seed order. */
  readonly failures: Readonly<Record<FailureClass, readonly SweepSeed[]>>;
  readonly results: readonly SweepSeed[];
}

export interface SweepOptions {
  readonly jobs: number;
  readonly sets?: readonly FieldAssignment[];
  readonly durationNs: number;
  readonly onProgress?: (progress: PoolProgress) => void;
}

export async function sweepSeeds(file: string, seeds: readonly string[], options: SweepOptions): Promise<SweepResult> {
  const sets = options.sets ?? [];
  const inputs: TaskInput[] = seeds.map((seed) => ({ kind: 'scenario', file, sets, seed, durationNs: options.durationNs, keepResult: false }));
  options.onProgress?.({ done: 0, total: inputs.length });
  const outcomes = await runOnPool(inputs, options.jobs, (_index, _outcome, progress) => options.onProgress?.(progress));
  const results: SweepSeed[] = outcomes.map((outcome) => ({
    seed: outcome.seed,
    ok: outcome.ok,
    ...(outcome.failure === undefined ? {} : { failure: outcome.failure }),
    failed: outcome.failed,
    fingerprint: outcome.fingerprint,
    ios: outcome.metrics['ios'] ?? 0,
    repeat: repeatCommand(file, outcome.seed, options.durationNs, sets),
  }));
  const failing = (cls: FailureClass): SweepSeed[] => results.filter((seed) => seed.failure === cls);
  return {
    tool: 'nvmf-sim',
    kind: 'seed-sweep',
    file,
    seeds: results.length,
    passed: results.filter((seed) => seed.ok).length,
    failed: results.filter((seed) => !seed.ok).length,
    failures: { crash: failing('crash'), correctness: failing('correctness'), liveness: failing('liveness') },
    results,
  };
}
