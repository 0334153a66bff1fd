// The scheduler's fast paths keep the exact (time, insertion) order: events scheduled for the
// current time (the same-time FIFO), events scheduled through lanes (only a lane's head in the
// heap), cancellations of both, and the run loops used by the promise-aware world. Each case runs a
// seeded random workload against a plain sorted-list model of the order and compares.
import test from 'ava';
import { type EventLane, Scheduler } from '../sim/core/scheduler.js';

/** A tiny seeded generator (xorshift32), so the workloads repeat. */
function generator(seed: number): (n: number) => number {
  let state = seed >>> 0 || 1;
  return (n) => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state % n;
  };
}

interface Planned {
  readonly label: number;
  readonly atNs: number;
  readonly order: number;
}

/**
 * Runs a workload in which events spawn further events (now, soon, later, into lanes whose times
 * never decrease) and cancel some pending ones, and records the order events ran in. Returns the
 * run's order and the order the (time, insertion) rule demands.
 */
function randomRun(seed: number): { ran: string[]; expected: string[] } {
  const scheduler = new Scheduler();
  const random = generator(seed);
  const lanes = [scheduler.createLane(), scheduler.createLane(), scheduler.createLane()];
  const laneLast = [0, 0, 0];
  const ran: string[] = [];
  const expected: string[] = [];
  // The model: every pending event with its key; cancelled ones are removed.
  const pending = new Map<number, Planned>();
  const handles = new Map<number, number>();
  let insertion = 0;
  let nextLabel = 0;
  let budget = 3000;

  const plan = (atNs: number): number => {
    const label = nextLabel++;
    pending.set(label, { label, atNs, order: insertion++ });
    return label;
  };
  const run = (label: number): void => {
    ran.push(`${label}@${scheduler.now}`);
    pending.delete(label);
    handles.delete(label);
    spawn();
  };
  const spawn = (): void => {
    const count = budget > 0 ? random(4) : 0;
    for (let i = 0; i < count && budget > 0; i++, budget--) {
      const kind = random(5);
      if (kind === 0) {
        const label = plan(scheduler.now);
        handles.set(label, scheduler.schedule(scheduler.now, run, label));
      } else if (kind === 1 || kind === 2) {
        const atNs = scheduler.now + random(3) * 10;
        const label = plan(atNs);
        handles.set(label, scheduler.schedule(atNs, run, label));
      } else {
        const lane = random(3);
        // Mostly non-decreasing per lane; sometimes earlier, which the lane must handle too.
        const atNs = Math.max(scheduler.now, random(8) === 0 ? scheduler.now : (laneLast[lane] as number) + random(3) * 10);
        laneLast[lane] = Math.max(laneLast[lane] as number, atNs);
        const label = plan(atNs);
        scheduler.scheduleInLane(lanes[lane] as EventLane, atNs, run, label);
      }
    }
    // Cancel a pending directly-scheduled event now and then.
    if (random(6) === 0 && handles.size > 0) {
      const labels = [...handles.keys()];
      const victim = labels[random(labels.length)] as number;
      cancelLabel(victim);
    }
  };
  const cancelLabel = (label: number): void => {
    const handle = handles.get(label);
    if (handle === undefined) return;
    if (scheduler.cancel(handle)) pending.delete(label);
    handles.delete(label);
  };

  for (let i = 0; i < 20; i++) {
    const atNs = random(5) * 10;
    const label = plan(atNs);
    handles.set(label, scheduler.schedule(atNs, run, label));
  }
  // Replay the model alongside: the next event is always the pending one with the smallest key.
  const modelOrder = (): Planned | undefined => {
    let best: Planned | undefined;
    for (const p of pending.values()) {
      if (best === undefined || p.atNs < best.atNs || (p.atNs === best.atNs && p.order < best.order)) best = p;
    }
    return best;
  };
  for (;;) {
    const next = modelOrder();
    if (next === undefined) break;
    expected.push(`${next.label}@${next.atNs}`);
    if (!scheduler.step()) break;
  }
  return { ran, expected };
}

test('scheduler: same-time FIFO, lanes and cancellation keep the exact (time, insertion) order', (t) => {
  for (const seed of [1, 2, 3, 42, 1234]) {
    const { ran, expected } = randomRun(seed);
    t.true(ran.length > 100, `seed ${seed} ran ${ran.length} events`);
    t.deepEqual(ran, expected, `seed ${seed}`);
  }
});

test('scheduler: a lane entry due now runs before same-time events scheduled after it', (t) => {
  const scheduler = new Scheduler();
  const lane = scheduler.createLane();
  const ran: string[] = [];
  scheduler.scheduleInLane(lane, 0, (label: string) => ran.push(label), 'lane-1');
  scheduler.scheduleInLane(lane, 10, (label: string) => ran.push(label), 'lane-2');
  scheduler.schedule(10, () => {
    ran.push('direct-10');
    scheduler.schedule(10, (label: string) => ran.push(label), 'spawned-10');
  });
  scheduler.scheduleInLane(lane, 10, (label: string) => ran.push(label), 'lane-3');
  t.is(scheduler.pending, 4);
  scheduler.runUntilIdle();
  t.deepEqual(ran, ['lane-1', 'lane-2', 'direct-10', 'lane-3', 'spawned-10']);
  t.is(scheduler.pending, 0);
});

test('scheduler: an entry earlier than its lane is scheduled directly, still in order', (t) => {
  const scheduler = new Scheduler();
  const lane = scheduler.createLane();
  const ran: number[] = [];
  scheduler.scheduleInLane(lane, 50, (n: number) => ran.push(n), 50);
  scheduler.scheduleInLane(lane, 20, (n: number) => ran.push(n), 20);
  scheduler.scheduleInLane(lane, 60, (n: number) => ran.push(n), 60);
  t.is(scheduler.peekNs(), 20);
  scheduler.runUntilIdle();
  t.deepEqual(ran, [20, 50, 60]);
});

test('scheduler: cancelling an event due now (in the FIFO) is exact', (t) => {
  const scheduler = new Scheduler();
  const ran: string[] = [];
  scheduler.schedule(5, () => {
    const a = scheduler.schedule(5, () => ran.push('a'));
    scheduler.schedule(5, () => ran.push('b'));
    t.true(scheduler.cancel(a));
    t.false(scheduler.cancel(a));
    t.is(scheduler.pending, 1);
  });
  scheduler.runUntilIdle();
  t.deepEqual(ran, ['b']);
  t.is(scheduler.pending, 0);
});

test('scheduler: runUntil never runs an event due after its limit, even behind a cancelled one', (t) => {
  const scheduler = new Scheduler();
  const ran: number[] = [];
  const early = scheduler.schedule(10, () => ran.push(10));
  scheduler.schedule(30, () => ran.push(30));
  scheduler.cancel(early);
  t.is(scheduler.runUntil(20), 0);
  t.is(scheduler.now, 20);
  t.false(scheduler.stepIfDue(25));
  t.true(scheduler.stepIfDue(30));
  t.deepEqual(ran, [30]);
});

test('scheduler: runWhileUnchanged stops after the event that changes the watched count', (t) => {
  const scheduler = new Scheduler();
  const watch = { count: 0 };
  const ran: number[] = [];
  for (let i = 1; i <= 5; i++) {
    scheduler.schedule(i * 10, () => {
      ran.push(i);
      if (i === 2) watch.count++;
    });
  }
  t.true(scheduler.runWhileUnchanged(100, watch));
  t.deepEqual(ran, [1, 2]);
  t.false(scheduler.runWhileUnchanged(40, watch));
  t.deepEqual(ran, [1, 2, 3, 4]);
  t.is(scheduler.now, 40);
});
