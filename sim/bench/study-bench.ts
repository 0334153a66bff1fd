// Studies on the worker pool (issue 9), the way users run them: the compiled `nvmf-sim study` bin
// (dist/, built first) on one worker and on two, for the same 8-point study of the reference
// fabric. Goal: a speedup of at least 1.8 on two workers (this machine has 2 cores), for points of
// the reference's own length (1 s simulated, 4 to 17 s of wall time each on one worker here), timed
// on 1, 2, 2 and 1 workers so that the machine's drift cancels. The same study with
// 120 ms points is timed too, with the pool's overhead per point against the honest baseline: the
// same points run one after another in this process by the same compiled code (no pool, no worker
// start, no result copying). Short points show the pool's fixed cost (the bin's start, the workers'
// start, their compilation of the study and their JIT warm-up), which no number of cores divides.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { importUserModule, resolveScenario, runScenario } from '../scenario/index.js';
import { POINT_DURATION_NS, runPointsInProcess } from './points-in-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../sim/cli/nvmf-sim.mjs', import.meta.url));
const STUDY_FILE = fileURLToPath(new URL('../../scenarios/studies/bench.ts', import.meta.url));
const REFERENCE_FILE = fileURLToPath(new URL('../../scenarios/reference.ts', import.meta.url));
/** Short points: the pool's fixed cost (about 0.6 s to 1 s) is then a large part of the run. */
const DURATION = '120ms';
/** The goal's points: the reference scenario's own duration. */
const LONG_DURATION = '1s';
const LONG_DURATION_MS = 1000;
const DURATION_NS = POINT_DURATION_NS;
const GOAL_SPEEDUP = 1.8;

function seconds(start: number): number {
  return (performance.now() - start) / 1000;
}

// The bench runs compiled (dist/bench) or, in development, from its sources through tsx.
const FROM_SOURCES = import.meta.url.endsWith('.ts');
const POINTS_SCRIPT = fileURLToPath(new URL(FROM_SOURCES ? './points-in-process.ts' : './points-in-process.js', import.meta.url));
const CHILD_ARGS = [...(FROM_SOURCES ? ['--conditions=source', '--import=tsx'] : []), POINTS_SCRIPT];

function childSeconds(first: number, last: number): number {
  return Number(execFileSync(process.execPath, [...CHILD_ARGS, String(first), String(last)], { cwd: ROOT, encoding: 'utf8' }).trim());
}

/** Two of these run at once the way the pool runs two workers: without V8's background threads. */
function childSecondsAsync(first: number, last: number): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--single-threaded', ...CHILD_ARGS, String(first), String(last)], { cwd: ROOT, encoding: 'utf8' }, (error, stdout) =>
      error === null ? resolve(Number(stdout.trim())) : reject(error),
    );
  });
}

function study(jobs: number, duration = DURATION): { seconds: number; text: string } {
  const start = performance.now();
  const run = spawnSync(process.execPath, [BIN, 'study', STUDY_FILE, '--jobs', String(jobs), '--duration', duration, '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NVMF_SIM_FROM: 'dist' },
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`bench study --jobs ${jobs} failed: ${run.stderr}`);
  return { seconds: seconds(start), text: run.stdout };
}

/**
 * What two threads can gain on this machine at all: the same arithmetic loop in one worker thread
 * and in two at once. A shared or throttled 2-vCPU machine reaches well under 2.
 */
async function parallelCeiling(): Promise<number> {
  const work = `const { parentPort } = require('node:worker_threads'); let x = 0; for (let i = 0; i < 3e8; i++) x += i % 7; parentPort.postMessage(x);`;
  const run = async (threads: number): Promise<number> => {
    const start = performance.now();
    await Promise.all(
      Array.from({ length: threads }, () => new Promise<void>((resolve, reject) => {
        const worker = new Worker(work, { eval: true });
        worker.once('message', () => void worker.terminate().then(() => resolve()));
        worker.once('error', reject);
      })),
    );
    return performance.now() - start;
  };
  await run(1);
  const best = async (threads: number): Promise<number> => Math.min(await run(threads), await run(threads), await run(threads));
  return (2 * (await best(1))) / (await best(2));
}

export async function studyBench(): Promise<Record<string, unknown>> {
  // The bin runs dist/: from the sources, build it first (`npm run bench` has just built it).
  if (FROM_SOURCES) execFileSync(process.execPath, [fileURLToPath(new URL('../../tools/build.mjs', import.meta.url))], { cwd: ROOT, stdio: 'ignore' });
  const one = study(1);
  const two = study(2);
  const comparable = (text: string): string => JSON.stringify({ ...(JSON.parse(text) as object), wallSeconds: 0 });
  const points = (JSON.parse(one.text) as { points: unknown[] }).points.length;
  // The same points in this process, one after another, with the compiled code.
  const inProcess = await runPointsInProcess(1, points);
  // Half the points in each of two processes at once, as the pool runs them (no V8 background
  // threads, which would only contend): what two copies of this simulation get here, against one
  // process that may use the idle core for its garbage collector and compiler.
  const half = Math.ceil(points / 2);
  const alone = childSeconds(1, half);
  const together = await Promise.all([childSecondsAsync(1, half), childSecondsAsync(half + 1, points)]);
  const workloadCeiling = (2 * alone) / Math.max(...together);
  const shortSpeedup = one.seconds / two.seconds;
  // In the order 1, 2, 2, 1 workers: this machine's speed drifts by tens of percent over minutes,
  // and the symmetric order cancels a drift that is linear over the four runs.
  const longOne = study(1, LONG_DURATION);
  const longTwo = study(2, LONG_DURATION);
  const longTwoAgain = study(2, LONG_DURATION);
  const longOneAgain = study(1, LONG_DURATION);
  const speedup = (longOne.seconds + longOneAgain.seconds) / (longTwo.seconds + longTwoAgain.seconds);
  const ceiling = await parallelCeiling();
  return {
    study: {
      points,
      pointSimulatedMs: LONG_DURATION_MS,
      jobs1Seconds: [Number(longOne.seconds.toFixed(2)), Number(longOneAgain.seconds.toFixed(2))],
      jobs2Seconds: [Number(longTwo.seconds.toFixed(2)), Number(longTwoAgain.seconds.toFixed(2))],
      speedup: Number(speedup.toFixed(2)),
      // The same study with 120 ms points, where the pool's fixed cost weighs 8 times as much.
      shortPoints: {
        pointSimulatedMs: DURATION_NS / 1e6,
        jobs1Seconds: Number(one.seconds.toFixed(2)),
        jobs2Seconds: Number(two.seconds.toFixed(2)),
        inProcessSeconds: Number(inProcess.toFixed(2)),
        speedup: Number(shortSpeedup.toFixed(2)),
        poolOverheadMsPerPoint: Number((((one.seconds - inProcess) / points) * 1000).toFixed(1)),
      },
      // The same figure for pure arithmetic in 1 and 2 worker threads: this machine's ceiling.
      machineParallelCeiling: Number(ceiling.toFixed(2)),
      // The same simulation (120 ms points) in two processes at once, no pool, against one alone.
      simulationParallelCeiling: Number(workloadCeiling.toFixed(2)),
      speedupOfSimulationCeiling: Number((speedup / workloadCeiling).toFixed(2)),
      speedupOfCeiling: Number((speedup / ceiling).toFixed(2)),
      sameResultsForAnyJobs: comparable(one.text) === comparable(two.text) && comparable(longOne.text) === comparable(longTwo.text) && comparable(longTwo.text) === comparable(longTwoAgain.text) && comparable(longOne.text) === comparable(longOneAgain.text),
      goal: { speedup: GOAL_SPEEDUP, met: speedup >= GOAL_SPEEDUP },
    },
  };
}

/** Bytes of JSON one time-series interval costs on the reference scenario (issue 9's figure). */
export async function timeSeriesBench(): Promise<Record<string, unknown>> {
  const reference = (await importUserModule(REFERENCE_FILE)).default;
  const result = await runScenario(resolveScenario(reference, 'bench', { seed: '42', durationNs: 100e6 }));
  const intervals = result.timeSeries.intervals;
  const perHost = result.timeSeries.perHost.flatMap((host) => host.intervals);
  const rowBytes = (rows: readonly unknown[]): number => (rows.length === 0 ? 0 : Math.round(JSON.stringify(rows).length / rows.length));
  return {
    timeSeries: {
      intervalMs: result.timeSeries.intervalMs,
      intervals: intervals.length,
      bytesPerInterval: rowBytes(intervals),
      bytesPerHostInterval: rowBytes(perHost),
    },
  };
}
