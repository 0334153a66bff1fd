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

/** Options of a pool started ahead of its tasks. */
export interface PoolStartOptions {
  /**
   * A study file each worker loads as soon as it starts, before its first task, so the workers'
   * compilation of it overlaps the main process's own loading and checking of it.
   */
  readonly preloadStudy?: string;
}

/** A running pool: tasks go in with `run`; `destroy` ends the worker processes. */
export interface WorkerPool {
  run(
    inputs: readonly TaskInput[],
    onResult?: (index: number, outcome: TaskOutcome, progress: PoolProgress) => void,
  ): Promise<TaskOutcome[]>;
  destroy(): Promise<void>;
}

/**
 * Starts `workers` worker processes now. Starting them before the tasks are known matters on
 * few cores: a worker's start (a Node process, the simulator's import, the study's compilation)
 * costs a few hundred ms, which otherwise adds to the main process's loading instead of overlapping it.
 */
export function startPool(workers: number, options: PoolStartOptions = {}): WorkerPool {
  const count = Math.max(1, workers);
  const files = workerFiles();
  const preload = options.preloadStudy === undefined ? {} : { NVMF_SIM_PRELOAD_STUDY: options.preloadStudy };
  const pool = new Tinypool({
    filename: files.entry,
    runtime: 'child_process',
    minThreads: count,
    maxThreads: count,
    concurrentTasksPerWorker: 1,
    // Results carry typed arrays and Maps-free plain data; the structured clone keeps them exact.
    serialization: 'advanced',
    execArgv: workerExecArgv(count),
    env: { ...process.env, NVMF_SIM_WORKER_MODULE: files.module, ...preload },
    // Workers live for the whole run; nothing idles long enough to matter.
    idleTimeout: 60_000,
  });
  return {
    async run(inputs, onResult) {
      let done = 0;
      return Promise.all(
        inputs.map(async (input, index) => {
          const outcome = (await pool.run(input)) as TaskOutcome;
          done++;
          onResult?.(index, outcome, { done, total: inputs.length });
          return outcome;
        }),
      );
    },
    destroy: () => pool.destroy(),
  };
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
  options: PoolStartOptions = {},
): Promise<TaskOutcome[]> {
  if (inputs.length === 0) return [];
  const pool = startPool(Math.min(jobs, inputs.length), options);
  try {
    return await pool.run(inputs, onResult);
  } finally {
    await pool.destroy();
  }
}
