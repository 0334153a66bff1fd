// The world a scenario's steps see: `steps: async (world) => { ... }` runs beside the fault
// timeline from time 0, as a turmoil test's client runs beside its hosts. It reads the hosts'
// controller states and I/O counts, awaits conditions polled in virtual time, applies fault verbs
// (checked as a faults[] entry is), and asserts; ordinary timers run on the simulated clock
// (virtual-timers.ts). A failed assertion, an escaped error or an until() that times out fails the
// run's `steps` verdict, a correctness failure (exit status 129).
import type { HostController } from '../host/index.js';
import type { FaultVerb } from './fault-verbs/index.js';

/** A host as steps see it: its controller's state ('none' before it connected or after its node crashed) and its I/O so far. */
export interface StepHost {
  readonly name: string;
  readonly state: HostController['state'] | 'none';
  /** I/Os completed successfully. */
  readonly ios: number;
  /** I/Os completed with an error. */
  readonly errors: number;
  /** I/Os submitted and not yet completed. */
  readonly outstanding: number;
  /** Successful I/Os per I/O queue (index 0 is qid 1). */
  readonly perQueue: readonly number[];
}

/** Totals over every host, so far. */
export interface StepStats {
  readonly ios: number;
  readonly errors: number;
  readonly hosts: readonly StepHost[];
}

export interface UntilOptions {
  /** Fails the steps when the condition has not held after this many simulated ms. Default: none (the run's end fails them). */
  readonly timeoutMs?: number;
  /** What is awaited, for the step log and the timeout's message. Default: the predicate's source. */
  readonly what?: string;
}

/** A fault verb as a faults[] entry writes it, without timing: a step applies it now. */
export type StepFault = FaultVerb;

export interface StepWorld {
  /** The simulated clock: ms since time 0 (fractional). */
  nowMs(): number;
  /** Resolves once `predicate` holds, checked now and at every 1 ms of virtual time. */
  until(predicate: () => boolean, options?: UntilOptions): Promise<void>;
  /** A host by name (default: the first host). */
  host(name?: string): StepHost;
  /** I/O statistics so far, per host. */
  stats(): StepStats;
  /** Applies a fault verb now, checked exactly as a faults[] entry (a bad field fails the run with exit status 2). */
  fault(record: StepFault): void;
  /**
   * Fails the steps with `message` unless `condition` holds. Not an `asserts` signature: TypeScript
   * accepts those only on explicitly typed names, and `world` is typed by context.
   */
  assert(condition: unknown, message: string): void;
  /** Adds a line to the step log (result.steps.log). */
  log(message: string): void;
}

/** A scenario's steps. */
export type ScenarioSteps = (world: StepWorld) => Promise<void>;

/** One line of the step log: what happened, at what simulated time. */
export interface StepLogEntry {
  readonly atMs: number;
  readonly event: string;
}

/** The steps' outcome in the result. */
export interface StepsResult {
  readonly ok: boolean;
  /** Simulated ms at which the steps finished or failed (null: they never finished). */
  readonly endedAtMs: number | null;
  /** Why they failed: the assertion's or error's message. */
  readonly error?: string;
  readonly log: readonly StepLogEntry[];
}

/** A failed world.assert() or until() timeout (its message is the whole story). */
export class StepFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StepFailure';
  }
}
