// The pool that runs a study's tasks on worker threads (piscina: maintained by Node.js
// contributors, with a bounded thread count, task queueing and clean shutdown). Each task is
// independent and deterministic, so the results do not depend on the number of threads; they are
// handed back in task order whatever order they finish in.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { TaskInput, TaskOutcome } from './study-task.js';

/** The default `--jobs`: one worker per core. */
export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

/**
 * The worker entry: ts-worker.mjs, which registers the TypeScript loader in the worker thread and
 * then loads the worker module beside this one (TypeScript from sources, JavaScript when built).
 */
function workerFiles(): { readonly entry: string; readonly module: string } {
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return {
    entry: new URL('./ts-worker.mjs', import.meta.url).href,
    module: new URL(`./study-worker${extension}`, import.meta.url).href,
  };
}

export interface PoolProgress {
  readonly done: number;
  readonly total: number;
}

/**
 * Runs every input on `jobs` worker threads. `onResult` sees each outcome as it finishes (for
 * progress and partial saves); the returned list is in input order. A task that throws rejects
 * the whole run (a point's failed invariant is an outcome, not a throw).
 */
export async function runOnPool(
  inputs: readonly TaskInput[],
  jobs: number,
  onResult?: (index: number, outcome: TaskOutcome, progress: PoolProgress) => void,
): Promise<TaskOutcome[]> {
  if (inputs.length === 0) return [];
  const threads = Math.max(1, Math.min(jobs, inputs.length));
  // Workers start with this process's flags (export conditions, heap size); the TypeScript loader
  // they register themselves (ts-worker.mjs).
  const files = workerFiles();
  const pool = new Piscina({
    filename: files.entry,
    workerData: { module: files.module },
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: 1,
    idleTimeout: 1000,
    execArgv: [...process.execArgv],
  });
  let done = 0;
  try {
    return await Promise.all(
      inputs.map(async (input, index) => {
        const outcome = (await pool.run(input)) as TaskOutcome;
        done++;
        onResult?.(index, outcome, { done, total: inputs.length });
        return outcome;
      }),
    );
  } finally {
    await pool.destroy();
  }
}
