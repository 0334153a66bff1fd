// A soak: the library's safety scenarios under many seeds on the worker pool (the seed sweep's
// machinery, sim/study), adding up what verification saw. Each seed of each scenario is one task;
// a task keeps only its verdict and its integrity figures, so ten thousand seeds hold little
// memory. The figures that must be zero: acknowledged writes lost, and silent corruptions with
// digests on. Seeds that fail any other invariant are counted too, each scenario's first with the
// command that repeats it. Like a sweep, the result is the same for any number of workers.
import { loadScenario, repeatCommand } from '../scenario/index.js';
import { runOnPool } from '../study/index.js';
import type { PoolProgress, ScenarioTaskInput } from '../study/index.js';
import type { SoakScenario } from './soak-scenarios.js';

export interface SoakOptions {
  /** Seeds per scenario: firstSeed..firstSeed + seeds - 1. */
  readonly seeds: number;
  /** The first seed. Default 1 (a soak run in parts gives each part its own range). */
  readonly firstSeed?: number;
  /** Worker processes. */
  readonly jobs: number;
  /** Resolves a scenario's `file` (relative to the repository) to a path to load. */
  readonly resolveFile: (file: string) => string;
  readonly onProgress?: (progress: PoolProgress) => void;
}

/** One failing seed, with the command that repeats it. */
export interface SoakFailure {
  readonly seed: string;
  readonly failed: readonly string[];
  readonly repeat: string;
}

export interface SoakRow {
  readonly scenario: string;
  readonly file: string;
  readonly seeds: number;
  /** Seeds whose every invariant held. */
  readonly passed: number;
  readonly writesAcknowledged: number;
  readonly blocksChecked: number;
  /** Blocks read back wrong where the fault is a node or network one: acknowledged writes lost. */
  readonly lostWrites: number;
  /** Blocks read back wrong where the link damages bytes: corruptions the digests let through. */
  readonly corruptions: number;
  /** Seeds that failed for another reason (a liveness or correctness invariant other than verify). */
  readonly otherFailures: number;
  /** The first seed that lost or damaged data, or failed otherwise. */
  readonly firstFailure?: SoakFailure;
}

export interface SoakResult {
  readonly tool: 'nvmf-sim';
  readonly kind: 'soak';
  readonly seedsPerScenario: number;
  readonly firstSeed: number;
  readonly rows: readonly SoakRow[];
  readonly totals: {
    readonly seeds: number;
    readonly lostWrites: number;
    readonly corruptions: number;
    readonly otherFailures: number;
  };
  /** True when no acknowledged write was lost, nothing was silently corrupted and every seed passed. */
  readonly ok: boolean;
}

export async function runSoak(scenarios: readonly SoakScenario[], options: SoakOptions): Promise<SoakResult> {
  // Load and check every scenario once in this process (a bad --set is an error before any worker
  // starts); the duration is what each repeat command names.
  const durations: number[] = [];
  for (const scenario of scenarios) {
    const overrides = scenario.durationNs === undefined ? {} : { durationNs: scenario.durationNs };
    durations.push((await loadScenario(options.resolveFile(scenario.file), overrides, scenario.sets)).durationNs);
  }
  const inputs: ScenarioTaskInput[] = scenarios.flatMap((scenario) =>
    Array.from({ length: options.seeds }, (_, index): ScenarioTaskInput => ({
      kind: 'scenario',
      file: options.resolveFile(scenario.file),
      sets: scenario.sets,
      ...(scenario.durationNs === undefined ? {} : { durationNs: scenario.durationNs }),
      seed: String((options.firstSeed ?? 1) + index),
      keepResult: false,
    })),
  );
  options.onProgress?.({ done: 0, total: inputs.length });
  const outcomes = await runOnPool(inputs, options.jobs, (_index, _outcome, progress) => options.onProgress?.(progress));
  const rows = scenarios.map((scenario, position): SoakRow => {
    const mine = outcomes.slice(position * options.seeds, (position + 1) * options.seeds);
    let mismatches = 0;
    let writesAcknowledged = 0;
    let blocksChecked = 0;
    let otherFailures = 0;
    let firstFailure: SoakFailure | undefined;
    for (const outcome of mine) {
      mismatches += outcome.integrity.mismatches;
      writesAcknowledged += outcome.integrity.writesAcknowledged;
      blocksChecked += outcome.integrity.blocksChecked;
      const dataLost = outcome.integrity.mismatches > 0;
      if (!outcome.ok && !dataLost) otherFailures++;
      if ((dataLost || !outcome.ok) && firstFailure === undefined) {
        firstFailure = { seed: outcome.seed, failed: outcome.failed, repeat: repeatCommand(scenario.file, outcome.seed, durations[position] ?? 0, scenario.sets) };
      }
    }
    return {
      scenario: scenario.name,
      file: scenario.file,
      seeds: mine.length,
      passed: mine.filter((outcome) => outcome.ok).length,
      writesAcknowledged,
      blocksChecked,
      lostWrites: scenario.mismatches === 'lost-writes' ? mismatches : 0,
      corruptions: scenario.mismatches === 'corruptions' ? mismatches : 0,
      otherFailures,
      ...(firstFailure === undefined ? {} : { firstFailure }),
    };
  });
  const sum = (pick: (row: SoakRow) => number): number => rows.reduce((total, row) => total + pick(row), 0);
  const totals = { seeds: sum((row) => row.seeds), lostWrites: sum((row) => row.lostWrites), corruptions: sum((row) => row.corruptions), otherFailures: sum((row) => row.otherFailures) };
  return { tool: 'nvmf-sim', kind: 'soak', seedsPerScenario: options.seeds, firstSeed: options.firstSeed ?? 1, rows, totals, ok: totals.lostWrites === 0 && totals.corruptions === 0 && totals.otherFailures === 0 };
}
