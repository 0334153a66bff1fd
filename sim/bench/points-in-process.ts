// A child process of the study benchmark: runs points of the bench study one after another with
// the compiled code (dist/), no pool, and prints the seconds they took. Two of these at once show
// what this machine gives two copies of the same simulation: the ceiling of any 2-worker speedup.
// Usage: node --import=tsx sim/bench/points-in-process.ts FIRST LAST
import { fileURLToPath, pathToFileURL } from 'node:url';
import { importUserModule } from '../scenario/index.js';
import type { resolveScenario, runScenario, setFieldPath } from '../scenario/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REFERENCE_FILE = fileURLToPath(new URL('../../scenarios/reference.ts', import.meta.url));
export const POINT_DURATION_NS = 120e6;

/** Runs the bench study's points (scenarios/studies/bench.ts) first..last (1-based) with the compiled code; returns seconds. */
export async function runPointsInProcess(first: number, last: number): Promise<number> {
  const compiled = (await import(pathToFileURL(`${ROOT}dist/index.js`).href)) as {
    resolveScenario: typeof resolveScenario;
    runScenario: typeof runScenario;
    setFieldPath: typeof setFieldPath;
  };
  const reference = (await importUserModule(REFERENCE_FILE)).default;
  const start = performance.now();
  for (let point = first; point <= last; point++) {
    const scenario = compiled.setFieldPath(reference, 'links[0].options.latencyUs', 2 * point);
    await compiled.runScenario(compiled.resolveScenario(scenario, 'bench', { seed: '1', durationNs: POINT_DURATION_NS }));
  }
  return (performance.now() - start) / 1000;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const seconds = await runPointsInProcess(Number(process.argv[2] ?? 1), Number(process.argv[3] ?? 1));
  process.stdout.write(`${seconds}\n`);
}
