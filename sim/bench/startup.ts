// Benchmark "startup": the wall time of `nvmf-sim --help` as a user starts it, from the process
// spawn to its exit; the median of several runs, after one unmeasured run that warms the file cache.
// - startupHelpSeconds: the installed bin on the compiled dist/ (what `npm ci` builds). Goal: < 0.3 s.
// - startupNpxHelpSeconds: the same through `npx nvmf-sim --help` (npx itself costs most of it).
// - startupSourcesHelpSeconds: the bin on the TypeScript sources through tsx (what every start cost
//   before the build, and what a checkout with a stale build still costs).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Benchmark } from './benchmark.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../sim/cli/nvmf-sim.mjs', import.meta.url));
const BUILT = new URL('../../dist/cli/main.js', import.meta.url);
const GOAL_SECONDS = 0.3;
const RUNS = 9;
const NPX_RUNS = 5;
const SOURCE_RUNS = 5;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Median seconds of `command args`, run from the repository root with `from` forced. */
function medianSeconds(command: string, args: readonly string[], from: 'dist' | 'sources', runs: number): number {
  const env = { ...process.env, NVMF_SIM_FROM: from };
  const once = (): number => {
    const started = performance.now();
    const child = spawnSync(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    const seconds = (performance.now() - started) / 1000;
    if (child.status !== 0 || !child.stdout.startsWith('usage: nvmf-sim')) {
      throw new Error(`${command} ${args.join(' ')} failed (${child.status}): ${child.stderr}`);
    }
    return seconds;
  };
  once();
  return median(Array.from({ length: runs }, once));
}

const round = (seconds: number): number => Math.round(seconds * 1000) / 1000;

export const startup: Benchmark = {
  name: 'startup',
  description: `wall time of nvmf-sim --help: compiled bin (goal < ${GOAL_SECONDS} s), through npx, and on the sources`,
  run: async (options) => {
    if (!existsSync(BUILT)) {
      options.note('startup: dist/ is not built (npm run build); measuring the sources only');
      return { startupHelpSeconds: null, startupSourcesHelpSeconds: round(medianSeconds(process.execPath, [BIN, '--help'], 'sources', SOURCE_RUNS)) };
    }
    const help = medianSeconds(process.execPath, [BIN, '--help'], 'dist', RUNS);
    const npx = medianSeconds('npx', ['nvmf-sim', '--help'], 'dist', NPX_RUNS);
    const sources = medianSeconds(process.execPath, [BIN, '--help'], 'sources', SOURCE_RUNS);
    return {
      startupHelpSeconds: round(help),
      startupHelpGoalSeconds: GOAL_SECONDS,
      startupHelpMeetsGoal: help < GOAL_SECONDS,
      startupNpxHelpSeconds: round(npx),
      startupSourcesHelpSeconds: round(sources),
    };
  },
};
