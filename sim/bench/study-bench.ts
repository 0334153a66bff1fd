// Studies on the worker pool (issue 9): the same 8-point study on one worker and on two, and the
// pool's overhead per point against running the same points one after another in this process
// (the honest baseline: the same scenario runs with no pool, no worker start, no result copying).
// Goal: a speedup of at least 1.8 on two workers (this machine has 2 cores).
import { fileURLToPath } from 'node:url';
import { importUserModule, resolveScenario, runScenario, setFieldPath } from '../scenario/index.js';
import { runStudy } from '../study/index.js';

const STUDY_FILE = fileURLToPath(new URL('./bench-study.ts', import.meta.url));
const REFERENCE_FILE = fileURLToPath(new URL('../../scenarios/reference.ts', import.meta.url));
const DURATION_NS = 30e6;
const GOAL_SPEEDUP = 1.8;

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const start = performance.now();
  const value = await work();
  return { value, seconds: (performance.now() - start) / 1000 };
}

export async function studyBench(): Promise<Record<string, unknown>> {
  const options = { version: 'bench', durationNs: DURATION_NS } as const;
  const one = await timed(() => runStudy(STUDY_FILE, { ...options, jobs: 1 }));
  const two = await timed(() => runStudy(STUDY_FILE, { ...options, jobs: 2 }));
  const points = one.value.points.length;
  // The same points in this process, one after another: what the pool adds is the difference.
  const reference = (await importUserModule(REFERENCE_FILE)).default;
  const inline = await timed(async () => {
    for (let queues = 1; queues <= points; queues++) {
      const scenario = setFieldPath(reference, 'hosts[*].connect.nrIoQueues', queues);
      await runScenario(resolveScenario(scenario, 'bench', { seed: '1', durationNs: DURATION_NS }));
    }
  });
  const speedup = one.seconds / two.seconds;
  const same = JSON.stringify({ ...one.value, wallSeconds: 0 }) === JSON.stringify({ ...two.value, wallSeconds: 0 });
  return {
    study: {
      points,
      jobs1Seconds: Number(one.seconds.toFixed(2)),
      jobs2Seconds: Number(two.seconds.toFixed(2)),
      inProcessSeconds: Number(inline.seconds.toFixed(2)),
      speedup: Number(speedup.toFixed(2)),
      poolOverheadMsPerPoint: Number((((one.seconds - inline.seconds) / points) * 1000).toFixed(1)),
      sameResultsForAnyJobs: same,
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
