// The simulated world: one seed, one scheduler, one network, and the environments (NodeEnv) that
// targets and hosts run in. Everything random derives from the seed through named streams, and
// nothing is global, so two worlds in one process are independent and a seed replays exactly.
//
// Running: run*() are synchronous and fast, for callback-driven code. run*Async() also let
// promise continuations run at the virtual time that resolved them: after every event that
// touched a promise, they drain the microtask queue before time moves on. (Without that, code
// such as `await stream-ready; write()` would run only when the synchronous loop returns, at a
// later virtual time.) Draining uses V8 promise hooks to see when the queue is empty; the hooks
// are installed only while an async run is in progress. The hot path stays synchronous: an event
// that touched no promise costs one counter comparison.
import v8 from 'node:v8';
import type { Cpu, Logger, LogLevel, NodeEnv, Random, RngSource } from '../core/index.js';
import { LOG_LEVEL_RANK } from '../core/index.js';
import { Fingerprint } from '../core/index.js';
import { SeededRngSource } from '../core/index.js';
import { Scheduler } from '../core/index.js';
import { SimClock } from '../core/index.js';
import type { TraceSink } from '../core/index.js';
import { SimNetwork } from '../net/index.js';
import type { SimNode } from '../net/index.js';

export interface WorldOptions {
  /** The run seed; every random stream derives from it. */
  readonly seed: string | number;
  /** Optional event trace (JSONL or memory). Default none. */
  readonly trace?: TraceSink | null;
  /** Default log level for node loggers. Default 'silent'. */
  readonly logLevel?: LogLevel;
  /** Where log lines go. Default process.stderr. */
  readonly logSink?: (line: string) => void;
  /** Mix every delivered application byte into the fingerprint. Default false (samples). */
  readonly fingerprintAllBytes?: boolean;
}

export interface NodeEnvOptions {
  /** The node's CPU model (sim/cpu), built on world.nodeClock(name). */
  readonly cpu: Cpu;
  /** Log level for this node (overrides the world's). */
  readonly logLevel?: LogLevel;
}

/** What a finished run reports; equal summaries mean equal runs. */
export interface RunSummary {
  readonly seed: string;
  readonly nowNs: number;
  readonly events: number;
  readonly fingerprint: string;
}


export class World {
  readonly seed: string;
  readonly scheduler = new Scheduler();
  /** A clock for world-level drivers (scenario timelines); never paused or crashed. */
  readonly clock: SimClock;
  readonly rng: SeededRngSource;
  readonly fingerprint = new Fingerprint();
  readonly network: SimNetwork;
  readonly #logLevel: LogLevel;
  readonly #logSink: (line: string) => void;
  readonly #clocks = new Map<SimNode, { incarnation: number; clock: SimClock }>();

  constructor(options: WorldOptions) {
    this.seed = String(options.seed);
    this.rng = new SeededRngSource(this.seed);
    this.clock = new SimClock(this.scheduler);
    this.#logLevel = options.logLevel ?? 'silent';
    this.#logSink = options.logSink ?? ((line) => process.stderr.write(line));
    this.network = new SimNetwork({
      scheduler: this.scheduler,
      rng: this.rng,
      fingerprint: this.fingerprint,
      trace: options.trace ?? null,
      fingerprintAllBytes: options.fingerprintAllBytes ?? false,
    });
  }

  get nowNs(): number {
    return this.scheduler.now;
  }

  get trace(): TraceSink | null {
    return this.network.context.trace;
  }

  set trace(sink: TraceSink | null) {
    this.network.context.trace = sink;
  }

  // ---------------------------------------------------------------- nodes

  node(name: string): SimNode {
    return this.network.node(name);
  }

  /** The clock of the node's current incarnation: its timers die with a crash, wait in a pause. */
  nodeClock(name: string): SimClock {
    const node = this.node(name);
    const cached = this.#clocks.get(node);
    if (cached !== undefined && cached.incarnation === node.incarnation) return cached.clock;
    const clock = new SimClock(this.scheduler, node.gate);
    this.#clocks.set(node, { incarnation: node.incarnation, clock });
    return clock;
  }

  /** Random streams for a node, namespaced "node/<name>/<stream>". */
  nodeRng(name: string): RngSource {
    const source = this.rng;
    return {
      stream(stream: string): Random {
        return source.stream(`node/${name}/${stream}`);
      },
    };
  }

  /** A logger whose lines carry the simulated time and the node name. Silent by default. */
  logger(name: string, level: LogLevel = this.#logLevel): Logger {
    const threshold = LOG_LEVEL_RANK[level];
    const scheduler = this.scheduler;
    const sink = this.#logSink;
    const emit = (at: LogLevel, message: string): void => {
      if (LOG_LEVEL_RANK[at] < threshold) return;
      sink(`${formatSeconds(scheduler.now)} ${name} ${at}: ${message}\n`);
    };
    return {
      debug: (m) => emit('debug', m),
      info: (m) => emit('info', m),
      warn: (m) => emit('warn', m),
      error: (m) => emit('error', m),
    };
  }

  /** The environment for a node's current incarnation. Build a new one after restart(). */
  nodeEnv(name: string, options: NodeEnvOptions): NodeEnv {
    const node = this.node(name);
    return {
      network: node.networkView,
      clock: this.nodeClock(name),
      cpu: options.cpu,
      rng: this.nodeRng(name),
      log: this.logger(name, options.logLevel ?? this.#logLevel),
    };
  }

  crash(name: string): void {
    this.node(name).crash();
  }

  restart(name: string): void {
    this.node(name).restart();
  }

  pause(name: string): void {
    this.node(name).pause();
  }

  resume(name: string): void {
    this.node(name).resume();
  }

  // ---------------------------------------------------------------- running (synchronous)

  /** Runs one event. Returns false when nothing is pending. */
  step(): boolean {
    return this.scheduler.step();
  }

  /** Runs every event due at or before tNs, then moves time to tNs. Returns events run. */
  runUntil(tNs: number): number {
    return this.scheduler.runUntil(tNs);
  }

  runFor(durationNs: number): number {
    return this.scheduler.runUntil(this.scheduler.now + durationNs);
  }

  runUntilIdle(limitEvents = Infinity): number {
    return this.scheduler.runUntilIdle(limitEvents);
  }

  /** Runs until condition() is true (checked after each event) or time would pass limitNs. */
  runUntilTrue(condition: () => boolean, limitNs = Infinity): boolean {
    const scheduler = this.scheduler;
    while (!condition()) {
      if (scheduler.peekNs() > limitNs || !scheduler.step()) return condition();
    }
    return true;
  }

  // ---------------------------------------------------------------- running (promise-aware)

  /** runUntil, letting promise continuations run at the virtual time that resolved them. */
  async runUntilAsync(tNs: number): Promise<number> {
    const scheduler = this.scheduler;
    const start = scheduler.eventCount;
    // #runAsync's loop, specialised: this is the scenario runner's hot loop.
    scheduler.clearStop();
    installPromiseHooks();
    try {
      await drainMicrotasks();
      while (scheduler.runWhileUnchanged(tNs, promiseActivity)) await drainMicrotasks();
    } finally {
      uninstallPromiseHooks();
    }
    if (!scheduler.stopped && tNs > scheduler.now && tNs !== Infinity && scheduler.peekNs() > tNs) {
      scheduler.advanceTo(tNs);
    }
    return this.scheduler.eventCount - start;
  }

  runForAsync(durationNs: number): Promise<number> {
    return this.runUntilAsync(this.scheduler.now + durationNs);
  }

  async runUntilIdleAsync(limitEvents = Infinity): Promise<number> {
    const start = this.scheduler.eventCount;
    await this.#runAsync(() => this.scheduler.eventCount - start < limitEvents && this.scheduler.pending > 0);
    return this.scheduler.eventCount - start;
  }

  /** Runs one event, then lets the promise continuations it caused run. False when idle. */
  async stepAsync(): Promise<boolean> {
    installPromiseHooks();
    try {
      const mark = promiseActivity.count;
      const ran = this.scheduler.step();
      if (promiseActivity.count !== mark) await drainMicrotasks();
      return ran;
    } finally {
      uninstallPromiseHooks();
    }
  }

  /** Promise-aware runUntilTrue. */
  async runUntilTrueAsync(condition: () => boolean, limitNs = Infinity): Promise<boolean> {
    await this.#runAsync(() => !condition() && this.scheduler.peekNs() <= limitNs);
    return condition();
  }

  async #runAsync(proceed: () => boolean): Promise<void> {
    const scheduler = this.scheduler;
    scheduler.clearStop();
    installPromiseHooks();
    try {
      await drainMicrotasks();
      while (!scheduler.stopped && proceed()) {
        const mark = promiseActivity.count;
        if (!scheduler.step()) break;
        if (promiseActivity.count !== mark) await drainMicrotasks();
      }
    } finally {
      uninstallPromiseHooks();
    }
  }

  // ---------------------------------------------------------------- results

  summary(): RunSummary {
    return {
      seed: this.seed,
      nowNs: this.scheduler.now,
      events: this.scheduler.eventCount,
      fingerprint: this.fingerprint.hex(),
    };
  }
}

/** Seconds with nanosecond digits, e.g. "12.000345678s". */
export function formatSeconds(nowNs: number): string {
  const seconds = Math.floor(nowNs / 1e9);
  const fraction = String(nowNs - seconds * 1e9).padStart(9, '0');
  return `${seconds}.${fraction}s`;
}

// Microtask draining. The microtask queue is per process, so this bookkeeping is too; it only
// decides how long to yield, never what a simulation computes.
//
// The drain is exact, also when several simulations interleave in one process (the determinism
// tests run two at once and require each to match its solo run). Its hops are queueMicrotask
// callbacks, which create no promises and so are invisible to the promise hooks: a hop after which
// no promise was created, settled or reacted to anywhere in the process proves the queue holds no
// promise work. Any activity, ours or another simulation's, means "not quiet yet": draining too
// long only costs time, never changes a result. Counting only reactions is not enough: adopting a
// promise (`return promise` in an async function, resolve(promise)) runs a thenable job that is
// not a reaction; it shows up as the init of the promise its then() creates. (An earlier version
// counted reactions and subtracted the drains in progress; it could stop early both ways: a solo
// run let a continuation slip past its event, and interleaved runs then differed from solo ones.)

/** Promise creations, settlements and reactions while hooks are installed (a cell, so that the
 *  scheduler's run loop can watch it). */
const promiseActivity = { count: 0 };
let hookUsers = 0;
let stopHooks: (() => void) | null = null;
/** A microtask chain longer than this is an infinite loop, not a continuation. */
const MAX_DRAIN_HOPS = 1_000_000;

function countPromiseActivity(): void {
  promiseActivity.count++;
}

function installPromiseHooks(): void {
  if (hookUsers++ > 0) return;
  // @types/node declares the returned stop function as Function.
  stopHooks = v8.promiseHooks.createHook({
    init: countPromiseActivity,
    settled: countPromiseActivity,
    before: countPromiseActivity,
  }) as () => void;
}

function uninstallPromiseHooks(): void {
  if (--hookUsers > 0) return;
  if (stopHooks !== null) stopHooks();
  stopHooks = null;
}

/** Hops through the microtask queue until a whole hop saw no promise activity, then calls done. */
function hopUntilQuiet(done: () => void, fail: (error: Error) => void, hops: number): void {
  const before = promiseActivity.count;
  queueMicrotask(() => {
    if (promiseActivity.count === before) done();
    else if (hops >= MAX_DRAIN_HOPS) fail(new Error('microtask queue never drained: a promise loop that never yields?'));
    else hopUntilQuiet(done, fail, hops + 1);
  });
}

/** Yields until the microtask queue holds no promise work (see above). */
function drainMicrotasks(): Promise<void> {
  return new Promise((resolve, reject) => hopUntilQuiet(resolve, reject, 0));
}
