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

  clearTimer(timer: Timer): void {
    if (!(timer instanceof SimTimer) || timer.clock !== this || timer.cleared) return;
    timer.cleared = true;
    this.scheduler.cancel(timer.handle);
  }
}
