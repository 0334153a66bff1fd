// The simulated clock: the Clock seam (env.ts) over the scheduler's virtual time. A node's clock
// is tied to an ExecutionGate, which models the node's life: a crashed incarnation's timers never
// fire, and a paused node's timers wait until it resumes (as a SIGSTOPped process's would).
import type { Clock, Timer } from './env.js';
import type { Scheduler } from './scheduler.js';

/**
 * Whether code of one node incarnation may run. The world owns one per incarnation; the clock and
 * the network consult it before calling back into node code.
 */
export interface ExecutionGate {
  /** False once the incarnation has crashed: its callbacks must never run again. */
  readonly alive: boolean;
  /** True while the node is paused: callbacks are handed to defer() instead of running. */
  readonly paused: boolean;
  /** Queues fn to run, in FIFO order, when the node resumes. Dropped if it crashes first. */
  defer(fn: () => void): void;
}

/** A gate for code that is never paused or crashed (tests, world-level drivers). */
export const ALWAYS_RUNNING: ExecutionGate = {
  alive: true,
  paused: false,
  defer(fn: () => void): void {
    fn();
  },
};

class SimTimer implements Timer {
  readonly id: number;
  readonly clock: SimClock;
  readonly callback: () => void;
  handle = -1;
  cleared = false;
  constructor(id: number, clock: SimClock, callback: () => void) {
    this.id = id;
    this.clock = clock;
    this.callback = callback;
  }
}

function runTimer(timer: SimTimer): void {
  if (timer.cleared || !timer.clock.gate.alive) return;
  timer.cleared = true;
  timer.callback();
}

function fireTimer(timer: SimTimer): void {
  const gate = timer.clock.gate;
  // A paused process runs its overdue timers when it continues; clearTimer() before then wins.
  if (gate.paused && gate.alive && !timer.cleared) gate.defer(() => runTimer(timer));
  else runTimer(timer);
}

/** A callLater() call on a clock whose gate can pause or die: the gate rules of fireTimer. */
class GatedCall {
  readonly gate: ExecutionGate;
  readonly fn: (arg: unknown) => void;
  readonly arg: unknown;
  constructor(gate: ExecutionGate, fn: (arg: unknown) => void, arg: unknown) {
    this.gate = gate;
    this.fn = fn;
    this.arg = arg;
  }
}

function fireGatedCall(call: GatedCall): void {
  const gate = call.gate;
  if (!gate.alive) return;
  if (gate.paused) {
    gate.defer(() => {
      if (gate.alive) call.fn(call.arg);
    });
    return;
  }
  call.fn(call.arg);
}

/** Clock over a Scheduler. Delays are rounded up to whole nanoseconds; negative delays are 0. */
export class SimClock implements Clock {
  readonly scheduler: Scheduler;
  readonly gate: ExecutionGate;
  #nextId = 1;

  constructor(scheduler: Scheduler, gate: ExecutionGate = ALWAYS_RUNNING) {
    this.scheduler = scheduler;
    this.gate = gate;
  }

  nowNs(): number {
    return this.scheduler.now;
  }

  setTimer(delayNs: number, callback: () => void): Timer {
    const timer = new SimTimer(this.#nextId++, this, callback);
    const delay = delayNs > 0 ? Math.ceil(delayNs) : 0;
    timer.handle = this.scheduler.schedule(this.scheduler.now + delay, fireTimer, timer);
    return timer;
  }

  /**
   * setTimer for hot paths: runs fn(arg) after delayNs under the same rules (same event order, and
   * the gate's: never after a crash, deferred while paused), but allocates no Timer and no closure
   * (nothing at all on a clock that is never paused or crashed) and cannot be cleared. Callers
   * that may need to cancel check a flag of their own when fn runs.
   */
  callLater<T>(delayNs: number, fn: (arg: T) => void, arg: T): void {
    const scheduler = this.scheduler;
    const at = scheduler.now + (delayNs > 0 ? Math.ceil(delayNs) : 0);
    if (this.gate === ALWAYS_RUNNING) scheduler.post(at, fn, arg);
    else scheduler.post(at, fireGatedCall, new GatedCall(this.gate, fn as (arg: unknown) => void, arg));
  }

  clearTimer(timer: Timer): void {
    if (!(timer instanceof SimTimer) || timer.clock !== this || timer.cleared) return;
    timer.cleared = true;
    this.scheduler.cancel(timer.handle);
  }
}
