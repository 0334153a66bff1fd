// The soak command: `npm run soak -- [--seeds N] [--first-seed N] [--jobs N] [--only NAME,...] [--json]`. Progress
// goes to stderr, the table (or with --json one object) to stdout. Exit status 0 when nothing was
// lost or damaged and every seed passed, 1 otherwise, 2 for bad arguments (one line naming the
// option).
import { fileURLToPath } from 'node:url';
import { defaultJobs } from '../study/index.js';
import { wallClockMs } from './real-wall-clock.js';
import { SOAK_SCENARIOS } from './soak-scenarios.js';
import type { SoakScenario } from './soak-scenarios.js';
import { runSoak } from './soak-run.js';
import { soakTable } from './soak-table.js';

/** Where the command writes, and its exit status (tests pass their own). */
export interface SoakIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Whether err is a terminal (progress redraws one line) or not (a line every 10%). */
  readonly errIsTty: boolean;
}

class UsageError extends Error {}

/** The repository root: scenario files are named relative to it. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function positiveInteger(option: string, text: string | undefined): number {
  const value = Number(text);
  if (text === undefined || !Number.isInteger(value) || value < 1 || value > 1_000_000) throw new UsageError(`${option}: must be an integer 1..1000000, not '${text ?? ''}'`);
  return value;
}

interface SoakArgs {
  readonly seeds: number;
  readonly firstSeed: number;
  readonly jobs: number;
  readonly json: boolean;
  readonly scenarios: readonly SoakScenario[];
}

function parseArgs(argv: readonly string[], scenarios: readonly SoakScenario[]): SoakArgs {
  let seeds = 200;
  let firstSeed = 1;
  let jobs = defaultJobs();
  let json = false;
  let chosen = scenarios;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--seeds') seeds = positiveInteger('--seeds', argv[++i]);
    else if (arg === '--first-seed') firstSeed = positiveInteger('--first-seed', argv[++i]);
    else if (arg === '--jobs') jobs = positiveInteger('--jobs', argv[++i]);
    else if (arg === '--json') json = true;
    else if (arg === '--only') {
      const names = (argv[++i] ?? '').split(',').filter((name) => name !== '');
      const unknown = names.find((name) => !scenarios.some((scenario) => scenario.name === name));
      if (names.length === 0 || unknown !== undefined) throw new UsageError(`--only: no soak scenario '${unknown ?? ''}' (scenarios: ${scenarios.map((s) => s.name).join(', ')})`);
      chosen = scenarios.filter((scenario) => names.includes(scenario.name));
    } else throw new UsageError(`unknown option '${arg ?? ''}' (usage: npm run soak -- [--seeds N] [--first-seed N] [--jobs N] [--only NAME,...] [--json])`);
  }
  return { seeds, firstSeed, jobs, json, scenarios: chosen };
}

/** Runs the soak; resolves to the exit status. `scenarios` defaults to the library's safety scenarios. */
export async function soakMain(argv: readonly string[], io: SoakIo, scenarios: readonly SoakScenario[] = SOAK_SCENARIOS): Promise<number> {
  let args: SoakArgs;
  try {
    args = parseArgs(argv, scenarios);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`soak: ${error.message}\n`);
    return 2;
  }
  const started = wallClockMs();
  let shownTenth = -1;
  const result = await runSoak(args.scenarios, {
    seeds: args.seeds,
    firstSeed: args.firstSeed,
    jobs: args.jobs,
    resolveFile: (file) => `${ROOT}${file}`,
    onProgress: ({ done, total }) => {
      const line = `soak: ${done}/${total} runs (${args.scenarios.length} scenarios x ${args.seeds} seeds), ${((wallClockMs() - started) / 1000).toFixed(0)} s`;
      if (io.errIsTty) io.err(`\r${line}${done === total ? '\n' : ''}`);
      else if (Math.floor((10 * done) / total) > shownTenth) {
        shownTenth = Math.floor((10 * done) / total);
        io.err(`${line}\n`);
      }
    },
  });
  const wallSeconds = (wallClockMs() - started) / 1000;
  io.out(args.json ? `${JSON.stringify({ ...result, wallSeconds }, null, 2)}\n` : soakTable(result, wallSeconds));
  return result.ok ? 0 : 1;
}
