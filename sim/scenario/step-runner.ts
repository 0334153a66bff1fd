// Runs a scenario's steps (steps.ts) inside a simulated run: starts them at time 0 with the timers
// faked (virtual-timers.ts), and at every slice boundary of the run loop advances the fake clock
// and polls the until() conditions, in the order they were awaited. Everything steps do happens
// inside the run loop's events and microtask drains, so a seed replays the same steps at the same
// times. Their verdict: ok, or the first failure (a failed assertion, an escaped error, an until()
// timeout, steps still running at the end) with the simulated time it happened.
import { NS_PER_MS } from '../core/index.js';
import type { FaultVerb } from './fault-verbs/index.js';
import { ScenarioError } from './scenario-error.js';
import { StepFailure, type ScenarioSteps, type StepHost, type StepLogEntry, type StepsResult, type StepWorld, type UntilOptions } from './steps.js';
import { VirtualTimers } from './virtual-timers.js';

/** What the run driver lends the steps. */
export interface StepRuntime {
  nowNs(): number;
  hosts(): readonly StepHost[];
  /** Checks a step's fault as a faults[] entry is checked; throws a ScenarioError naming the field. */
  checkFault(record: unknown, index: number): FaultVerb;
  /** Applies a checked fault now (recorded, fingerprinted and healing like a timeline fault). */
  applyFault(fault: FaultVerb): void;
}

interface Waiter {
  readonly predicate: () => boolean;
  readonly deadlineNs: number;
  readonly timeoutMs: number;
  readonly what: string;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export class StepRunner {
  readonly #steps: ScenarioSteps;
  readonly #runtime: StepRuntime;
  readonly #log: StepLogEntry[] = [];
  #waiters: Waiter[] = [];
  #timers: VirtualTimers | null = null;
  #faults = 0;
  /** Finished or failed: nothing more is advanced or polled. */
  #over = false;
  #endedAtMs: number | null = null;
  #error: string | undefined;
  #usageError: ScenarioError | undefined;

  constructor(steps: ScenarioSteps, runtime: StepRuntime) {
    this.#steps = steps;
    this.#runtime = runtime;
  }

  /** A bad fault record from a step: the run's result is replaced by this usage error (exit 2). */
  get usageError(): ScenarioError | undefined {
    return this.#usageError;
  }

  /** Fakes the timers and calls the steps (they run until their first await). */
  start(): void {
    this.#timers = VirtualTimers.install();
    let running: Promise<void>;
    try {
      running = Promise.resolve(this.#steps(this.#world()));
    } catch (error) {
      running = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    running.then(
      () => this.#end(undefined),
      (error: unknown) => this.#fail(error),
    );
  }

  /** The run loop reached a slice boundary: timers due by now fire, then conditions are polled. */
  sliceEnded(nowNs: number): void {
    if (this.#over) return;
    try {
      this.#timers?.advanceTo(nowNs / NS_PER_MS);
    } catch (error) {
      // A timer callback threw (fake-timers rethrows after firing the rest), or a timer loop never
      // let time pass: the steps' failure, not a crash of the simulated code.
      this.#fail(error);
      return;
    }
    this.#poll();
  }

  /** The run is over: real timers come back; steps still running fail. */
  finish(): StepsResult {
    this.close();
    if (!this.#over) {
      const waiting = this.#waiters.map((waiter) => waiter.what);
      this.#end(`steps did not finish by the end of the run${waiting.length === 0 ? '' : ` (awaiting until(${waiting.join(', ')}))`}`);
    }
    return { ok: this.#error === undefined, endedAtMs: this.#endedAtMs, ...(this.#error === undefined ? {} : { error: this.#error }), log: this.#log };
  }

  /** Puts the real timers back (also after a failed run). */
  close(): void {
    this.#timers?.uninstall();
  }

  #nowMs(): number {
    return this.#runtime.nowNs() / NS_PER_MS;
  }

  #note(event: string): void {
    this.#log.push({ atMs: this.#nowMs(), event });
  }

  #end(error: string | undefined): void {
    if (this.#over) return;
    this.#over = true;
    this.#endedAtMs = this.#nowMs();
    this.#error = error;
    this.#note(error === undefined ? 'steps finished' : `steps failed: ${error}`);
    this.#waiters = [];
  }

  #fail(error: unknown): void {
    if (error instanceof ScenarioError) this.#usageError ??= error;
    this.#end(error instanceof Error ? error.message.replace(/\s*\n\s*/g, ' ') : String(error));
  }

  #poll(): void {
    if (this.#waiters.length === 0) return;
    const now = this.#runtime.nowNs();
    // Settling runs no step code synchronously (continuations are microtasks): the list stays put.
    this.#waiters = this.#waiters.filter((waiter) => !this.#settle(waiter, now));
  }

  /** Settles a waiter whose condition holds or whose time ran out; true when settled. */
  #settle(waiter: Waiter, nowNs: number): boolean {
    let held: boolean;
    try {
      held = waiter.predicate();
    } catch (error) {
      waiter.reject(error instanceof Error ? error : new Error(String(error)));
      return true;
    }
    if (held) {
      this.#note(`until(${waiter.what}) held`);
      waiter.resolve();
      return true;
    }
    if (nowNs >= waiter.deadlineNs) {
      waiter.reject(new StepFailure(`until(${waiter.what}) timed out after ${waiter.timeoutMs} ms`));
      return true;
    }
    return false;
  }

  #world(): StepWorld {
    const runtime = this.#runtime;
    const host = (name?: string): StepHost => {
      const hosts = runtime.hosts();
      const found = name === undefined ? hosts[0] : hosts.find((candidate) => candidate.name === name);
      if (found === undefined) throw new StepFailure(`world.host('${String(name)}'): no such host (hosts: ${hosts.map((h) => h.name).join(', ')})`);
      return found;
    };
    return {
      nowMs: () => this.#nowMs(),
      until: (predicate, options: UntilOptions = {}) => this.#until(predicate, options),
      host,
      stats: () => {
        const hosts = runtime.hosts();
        return { ios: hosts.reduce((sum, h) => sum + h.ios, 0), errors: hosts.reduce((sum, h) => sum + h.errors, 0), hosts };
      },
      fault: (record) => {
        if (this.#over) return;
        let fault: FaultVerb;
        try {
          fault = runtime.checkFault(record, this.#faults++);
        } catch (error) {
          // Bad input, however the steps handle it: the run ends in a usage error.
          if (error instanceof ScenarioError) this.#usageError ??= error;
          throw error;
        }
        this.#note(`fault ${fault.action}`);
        runtime.applyFault(fault);
      },
      assert: (condition, message) => {
        if (!condition) throw new StepFailure(`assertion failed: ${message}`);
      },
      log: (message) => this.#note(message),
    };
  }

  #until(predicate: () => boolean, options: UntilOptions): Promise<void> {
    const what = options.what ?? predicate.toString().replace(/\s+/g, ' ').replace(/^\(\)\s*=>\s*/, '');
    const timeoutMs = options.timeoutMs;
    if (timeoutMs !== undefined && !(timeoutMs >= 0)) return Promise.reject(new StepFailure(`until(${what}): timeoutMs must be a number >= 0, not ${String(timeoutMs)}`));
    const nowNs = this.#runtime.nowNs();
    const deadlineNs = timeoutMs === undefined ? Infinity : nowNs + Math.round(timeoutMs * NS_PER_MS);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { predicate, deadlineNs, timeoutMs: timeoutMs ?? Infinity, what, resolve, reject };
      // Checked at once: a condition that already holds does not wait for the next slice.
      if (!this.#settle(waiter, nowNs)) this.#waiters.push(waiter);
    });
  }
}
