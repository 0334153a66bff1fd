// Ordinary timers on a simulated run's clock, for scenario steps (steps.ts): setTimeout,
// setInterval, setImmediate (and node:timers/promises, which @sinonjs/fake-timers fakes with them)
// are replaced by @sinonjs/fake-timers for the run, and the simulator's scheduler drives that fake
// clock at every slice boundary (1 ms of virtual time), so a step's `await setTimeout(5000)` ends at
// simulated 5 s whatever the wall clock did. Only timer functions are faked: Date, performance,
// process.nextTick and queueMicrotask stay real, so the run loop's microtask draining (sim/world)
// and promise machinery are untouched. One run at a time per process may fake them.
import { withGlobal, type Clock, type FakeMethod } from '@sinonjs/fake-timers';
import { syncBuiltinESMExports } from 'node:module';

/** The timer functions faked: nothing else (the run loop relies on real microtasks and nextTick). */
export const FAKED_TIMERS: readonly FakeMethod[] = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate'];

/** A step loop that never yields to virtual time (setInterval(fn, 0) re-arming itself) stops here. */
const LOOP_LIMIT = 100_000;

let installed: VirtualTimers | null = null;

export class VirtualTimers {
  readonly #clock: Clock;
  #active = true;

  private constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Fakes the global timer functions, with the clock at 0 ms (the run's time 0). */
  static install(): VirtualTimers {
    if (installed !== null) throw new Error('steps: another run with steps is running in this process (timers are faked once per process)');
    const clock = withGlobal(globalThis).install({ now: 0, toFake: [...FAKED_TIMERS], loopLimit: LOOP_LIMIT });
    // ESM named imports of node:timers and node:timers/promises read the builtins' exports as last synced.
    syncBuiltinESMExports();
    installed = new VirtualTimers(clock);
    return installed;
  }

  /** The fake clock, in ms since the run's time 0. */
  get nowMs(): number {
    return this.#clock.now;
  }

  /** Timers (and immediates) not yet fired. */
  get pending(): number {
    return this.#active ? this.#clock.countTimers() : 0;
  }

  /**
   * Moves the fake clock to `nowMs`, firing what falls due on the way, each at its own time, and
   * what is due now (immediates). Their promise continuations run after this returns, on the
   * simulator's next microtask drain, at the same virtual time.
   */
  advanceTo(nowMs: number): void {
    if (!this.#active) return;
    this.#clock.tick(Math.max(0, nowMs - this.#clock.now));
  }

  /** Puts the real timers back; timers still pending are dropped. Safe to call twice. */
  uninstall(): void {
    if (!this.#active) return;
    this.#active = false;
    this.#clock.reset();
    this.#clock.uninstall();
    syncBuiltinESMExports();
    if (installed === this) installed = null;
  }
}
