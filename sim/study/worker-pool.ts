// The pool that runs a study's (or a seed sweep's) tasks in worker processes (tinypool: the pool
// vitest runs on, with bounded workers, task queueing, clean shutdown, and a child-process runtime).
// Each task is independent and deterministic, so the results do not depend on the number of
// workers; they are handed back in task order whatever order they finish in.
//
// Why processes, not threads: V8 gives every isolate background threads (concurrent marking,
// parallel scavenges, concurrent compilation). With one worker per core there is no idle core for
// them, so they only contend with the simulation. V8's flags are per process, so only a worker
// process can run without them (`--single-threaded`). Measured on this project's 2-core machine
// (the same 8 simulation points, two at a time): two processes without background threads scale
// 1.90x over one, with them 1.58x; two worker threads of one process 1.53x. With fewer workers
// than cores the background threads have idle cores to use, so they are kept.
import { availableParallelism } from 'node:os';
import { Tinypool } from 'tinypool';
import type { TaskInput, TaskOutcome } from './study-task.js';

/** The default `--jobs`: one worker per core. */
export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

/**
 * The worker entry: ts-worker.mjs, which registers the TypeScript loader in the worker process when
 * the worker module is TypeScript (a development checkout running its sources), then loads the
 * worker module beside this one (TypeScript from sources, JavaScript when built).
 */
function workerFiles(): { readonly entry: string; readonly module: string } {
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return {
    entry: new URL('./ts-worker.mjs', import.meta.url).href,
    module: new URL(`./study-worker${extension}`, import.meta.url).href,
  };
}

/** The V8 flags of worker processes: without background threads when the workers fill every core. */
export function workerExecArgv(workers: number, cores = availableParallelism()): string[] {
  const inherited = process.execArgv.filter((flag) => flag !== '--single-threaded');
  return workers >= cores ? [...inherited, '--single-threaded'] : inherited;
}

export interface PoolProgress {
  readonly done: number;
  readonly total: number;
}

/**
 * Runs every input on `jobs` worker processes. `onResult` sees each outcome as it finishes (for
 * progress and partial saves); the returned list is in input order. A task that throws rejects
 * the whole run (a point's failed invariant is an outcome, not a throw).
 */
export async function runOnPool(
  inputs: readonly TaskInput[],
  jobs: number,
  onResult?: (index: number, outcome: TaskOutcome, progress: PoolProgress) => void,
): Promise<TaskOutcome[]> {
  if (inputs.length === 0) return [];
  const workers = Math.max(1, Math.min(jobs, inputs.length));
  const files = workerFiles();
  const pool = new Tinypool({
    filename: files.entry,
    runtime: 'child_process',
    minThreads: workers,
    maxThreads: workers,
    concurrentTasksPerWorker: 1,
    // Results carry typed arrays and Maps-free plain data; the structured clone keeps them exact.
    serialization: 'advanced',
    execArgv: workerExecArgv(workers),
    env: { ...process.env, NVMF_SIM_WORKER_MODULE: files.module },
    // Workers live for the whole run; nothing idles long enough to matter.
    idleTimeout: 60_000,
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
