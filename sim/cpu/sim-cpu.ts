// The simulated CPU: N cores, each a FIFO of work items. An item's cost comes from the transport
// cost profile (profiles.ts); a core runs one item at a time, and the item's callback runs when the
// core has spent that long on it. An item submitted to an idle core starts at once; otherwise it
// waits behind the items ahead of it, and that wait is the queueing delay a saturated core adds to
// every I/O. This is the simulator's hot path (millions of items), so each core keeps its queue in
// parallel ring arrays and uses one pre-bound timer callback: submitting an item allocates nothing
// once the rings have grown to the run's peak depth, and at most one timer per core is pending.
// On a SimClock the core schedules its completion on the scheduler directly (the core is the
// event's argument), with the clock's gate rules, so not even a Timer object is made per item.
import type { Clock, Cpu, Wake, Work } from '../core/index.js';
import type { Scheduler } from '../core/index.js';
import { ALWAYS_RUNNING, type ExecutionGate, SimClock } from '../core/index.js';
import { type CostProfile, handsOff, wakeDelayNs, workCostNs } from './profiles.js';

/** Per-core counters since construction or the last resetStats(). */
export interface CoreStats {
  /** Time spent running items, in ns (the item in progress counts up to now). */
  readonly busyNs: number;
  /** Items whose callbacks have run. */
  readonly completed: number;
  /** Items started (completed plus the one in progress). */
  readonly started: number;
  /** Sum over started items of the time they waited before starting, in ns. */
  readonly queueDelayNsTotal: number;
  /** Longest wait before starting, in ns. */
  readonly queueDelayNsMax: number;
  /** Items waiting or running now. */
  readonly depth: number;
}

const INITIAL_RING = 16;

/**
 * One core. The item it runs is kept in its own fields and only the items waiting behind it go to
 * the rings: a fleet's cores are mostly idle between items (a host core serves one queue at QD2),
 * so starting and finishing an item touches the core object alone, not three ring arrays as well.
 */
class Core {
  /** Items waiting behind the running one, in FIFO order. */
  fns: ((() => void) | undefined)[] = new Array<(() => void) | undefined>(INITIAL_RING).fill(undefined);
  costs: number[] = new Array<number>(INITIAL_RING).fill(0);
  enqueuedAt: number[] = new Array<number>(INITIAL_RING).fill(0);
  head = 0;
  /** Items waiting (the running one not included). */
  waiting = 0;
  running = false;
  /** The running item's callback and cost. */
  #runningFn: (() => void) | undefined = undefined;
  #runningCost = 0;
  startedAtNs = 0;
  busyNs = 0;
  completed = 0;
  started = 0;
  queueDelayNsTotal = 0;
  queueDelayNsMax = 0;
  readonly clock: Clock;
  /** The simulator's scheduler and gate when the clock is a SimClock (the fast path), else null. */
  readonly #scheduler: Scheduler | null;
  readonly #gate: ExecutionGate;
  readonly onDone: () => void;

  constructor(clock: Clock) {
    this.clock = clock;
    this.#scheduler = clock instanceof SimClock ? clock.scheduler : null;
    this.#gate = clock instanceof SimClock ? clock.gate : ALWAYS_RUNNING;
    this.onDone = () => this.finish();
  }

  /** Items waiting or running. */
  get depth(): number {
    return this.waiting + (this.running ? 1 : 0);
  }

  #now(): number {
    return this.#scheduler !== null ? this.#scheduler.now : this.clock.nowNs();
  }

  push(costNs: number, fn: () => void): void {
    const now = this.#now();
    if (!this.running) {
      this.#start(fn, costNs, now, now);
      return;
    }
    if (this.waiting === this.fns.length) this.grow();
    const slot = (this.head + this.waiting) & (this.fns.length - 1);
    this.fns[slot] = fn;
    this.costs[slot] = costNs;
    this.enqueuedAt[slot] = now;
    this.waiting++;
  }

  #start(fn: () => void, cost: number, enqueuedAtNs: number, now: number): void {
    const wait = now - enqueuedAtNs;
    this.running = true;
    this.#runningFn = fn;
    this.#runningCost = cost;
    this.startedAtNs = now;
    this.started++;
    this.queueDelayNsTotal += wait;
    if (wait > this.queueDelayNsMax) this.queueDelayNsMax = wait;
    const scheduler = this.#scheduler;
    // The fast path schedules exactly what clock.setTimer would (one event at now + cost), with
    // the core itself as the event's argument instead of a Timer object.
    if (scheduler !== null) scheduler.post(now + cost, coreDone, this);
    else this.clock.setTimer(cost, this.onDone);
  }

  /** The fast path's event: SimClock's timer rules (nothing after a crash; wait out a pause). */
  fire(): void {
    const gate = this.#gate;
    if (!gate.alive) return;
    if (gate.paused) gate.defer(this.onDone);
    else this.finish();
  }

  finish(): void {
    // A deferred completion runs on resume; the incarnation may have died in between.
    if (!this.#gate.alive) return;
    const fn = this.#runningFn;
    this.#runningFn = undefined;
    this.busyNs += this.#runningCost;
    this.completed++;
    // Start the next item before running this one's callback, so the core's state is consistent
    // even if the callback throws, and work it submits queues behind what is already waiting.
    if (this.waiting > 0) {
      const slot = this.head;
      const next = this.fns[slot] as () => void;
      this.fns[slot] = undefined;
      this.head = (slot + 1) & (this.fns.length - 1);
      this.waiting--;
      this.#start(next, this.costs[slot] ?? 0, this.enqueuedAt[slot] ?? 0, this.#now());
    } else {
      this.running = false;
    }
    fn?.();
  }

  /** Doubles the rings (sizes stay powers of two so slots wrap with a mask). */
  grow(): void {
    const size = this.fns.length;
    const fns = new Array<(() => void) | undefined>(size * 2).fill(undefined);
    const costs = new Array<number>(size * 2).fill(0);
    const enqueuedAt = new Array<number>(size * 2).fill(0);
    for (let i = 0; i < this.waiting; i++) {
      const from = (this.head + i) & (size - 1);
      fns[i] = this.fns[from];
      costs[i] = this.costs[from] ?? 0;
      enqueuedAt[i] = this.enqueuedAt[from] ?? 0;
    }
    this.fns = fns;
    this.costs = costs;
    this.enqueuedAt = enqueuedAt;
    this.head = 0;
  }
}

function coreDone(core: Core): void {
  core.fire();
}

function runWake(fn: () => void): void {
  fn();
}

export class SimCpu implements Cpu {
  readonly cores: number;
  readonly profile: CostProfile;
  readonly #clock: Clock;
  readonly #cores: Core[];
  #statsSinceNs: number;

  constructor(clock: Clock, profile: CostProfile, cores = 1) {
    if (!Number.isInteger(cores) || cores < 1) throw new RangeError(`cpu: core count ${cores} is not at least 1`);
    this.cores = cores;
    this.profile = profile;
    this.#clock = clock;
    this.#cores = Array.from({ length: cores }, () => new Core(clock));
    this.#statsSinceNs = clock.nowNs();
  }

  /** Runs `fn` on core `core % cores` once the work's cost under the profile has been paid. */
  run(core: number, work: Work, fn: () => void): void {
    this.runNs(core, workCostNs(this.profile, work), fn);
  }

  /** Like run, with the cost given directly in ns (for callers that price their own work). */
  runNs(core: number, costNs: number, fn: () => void): void {
    const index = ((core % this.cores) + this.cores) % this.cores;
    (this.#cores[index] as Core).push(Math.max(0, Math.round(costNs)), fn);
  }

  /**
   * Calls `fn` after the latency the profile gives an idle connection's worker woken at `site`
   * (profiles.ts wakeDelayNs): at once when there is none, else from a clock timer, so the core is
   * free while the wake-up waits.
   */
  wake(site: Wake, fn: () => void): void {
    const delayNs = wakeDelayNs(this.profile, site);
    if (delayNs <= 0) fn();
    // On a SimClock, callLater queues the same event as setTimer (same time, same order, same gate
    // rules) without a Timer object: a fleet's idle connections wake about twice per I/O.
    else if (this.#clock instanceof SimClock) this.#clock.callLater(delayNs, runWake, fn);
    else this.#clock.setTimer(delayNs, fn);
  }

  handsOff(site: Wake): boolean {
    return handsOff(this.profile, site);
  }

  /** Fraction of the time since the stats were reset that `core` spent busy, in [0, 1]. */
  utilisation(core: number): number {
    const elapsed = this.#clock.nowNs() - this.#statsSinceNs;
    return elapsed > 0 ? this.coreStats(core).busyNs / elapsed : 0;
  }

  coreStats(core: number): CoreStats {
    const state = this.#cores[core];
    if (state === undefined) throw new RangeError(`cpu: no core ${core} (have ${this.cores})`);
    const inProgressNs = state.running ? this.#clock.nowNs() - state.startedAtNs : 0;
    return {
      busyNs: state.busyNs + inProgressNs,
      completed: state.completed,
      started: state.started,
      queueDelayNsTotal: state.queueDelayNsTotal,
      queueDelayNsMax: state.queueDelayNsMax,
      depth: state.depth,
    };
  }

  /**
   * Starts a new measurement window (e.g. after warm-up). An item in progress keeps only the
   * busy time it spends after the reset.
   */
  resetStats(): void {
    const now = this.#clock.nowNs();
    this.#statsSinceNs = now;
    for (const state of this.#cores) {
      state.busyNs = state.running ? -(now - state.startedAtNs) : 0;
      state.completed = 0;
      state.started = 0;
      state.queueDelayNsTotal = 0;
      state.queueDelayNsMax = 0;
    }
  }
}

/**
 * The core that serves NVMe/TCP queue `queueId` (0 = admin queue) on a host with `cores` cores.
 * Linux nvme-tcp binds each I/O queue's io_work to one CPU: for default queues
 * `io_cpu = cpumask_next_wrap(qid - 2, cpu_online_mask)`, i.e. queue 1 on CPU 0, queue 2 on CPU 1,
 * round robin over the online CPUs (drivers/nvme/host/tcp.c, nvme_tcp_set_queue_io_cpu), matching
 * blk-mq's default spread of hardware contexts over CPUs (block/blk-mq-cpumap.c). Simplifications:
 * all cores are online and in one NUMA node, there are no separate read/poll queue sets, and newer
 * kernels' choice of the least-used CPU among a queue's blk-mq mapped CPUs is not modelled (for
 * one controller with one queue per core it gives the same placement). The admin queue runs on
 * core 0.
 */
export function queueToCore(queueId: number, cores: number): number {
  if (queueId <= 0) return 0;
  return (queueId - 1) % cores;
}
