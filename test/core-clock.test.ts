// The simulated clock: timers fire at exact virtual times, clearTimer works before and after a
// pause, a paused gate defers timers to resume, and a dead gate (a crashed node) drops them.
import test from 'ava';
import { Scheduler } from '../sim/core/scheduler.js';
import { type ExecutionGate, SimClock } from '../sim/core/sim-clock.js';

class TestGate implements ExecutionGate {
  alive = true;
  paused = false;
  queue: (() => void)[] = [];
  defer(fn: () => void): void {
    if (this.paused) this.queue.push(fn);
    else fn();
  }
  resume(): void {
    this.paused = false;
    const queue = this.queue;
    this.queue = [];
    for (const fn of queue) fn();
  }
}

test('clock: timers fire at now + delay, rounded up to whole nanoseconds', (t) => {
  const scheduler = new Scheduler();
  const clock = new SimClock(scheduler);
  const fired: number[] = [];
  clock.setTimer(1000, () => fired.push(clock.nowNs()));
  clock.setTimer(0.5, () => fired.push(clock.nowNs()));
  clock.setTimer(-5, () => fired.push(clock.nowNs()));
  const cleared = clock.setTimer(500, () => fired.push(-1));
  clock.clearTimer(cleared);
  scheduler.runUntilIdle();
  t.deepEqual(fired, [0, 1, 1000]);
});

test('clock: a paused gate defers timers until resume, and clearTimer still wins', (t) => {
  const scheduler = new Scheduler();
  const gate = new TestGate();
  const clock = new SimClock(scheduler, gate);
  const fired: string[] = [];
  clock.setTimer(10, () => fired.push(`a@${clock.nowNs()}`));
  const b = clock.setTimer(20, () => fired.push(`b@${clock.nowNs()}`));
  gate.paused = true;
  scheduler.runUntil(100);
  t.deepEqual(fired, []);
  clock.clearTimer(b);
  scheduler.schedule(150, () => gate.resume());
  scheduler.runUntilIdle();
  t.deepEqual(fired, ['a@150']);
});

test('clock: a dead gate never fires its timers', (t) => {
  const scheduler = new Scheduler();
  const gate = new TestGate();
  const clock = new SimClock(scheduler, gate);
  let fired = 0;
  clock.setTimer(10, () => fired++);
  gate.paused = true;
  clock.setTimer(5, () => fired++);
  scheduler.runUntil(7);
  gate.alive = false;
  gate.resume();
  scheduler.runUntilIdle();
  // The 5 ns timer was deferred while alive, but the node died before resuming; the 10 ns
  // one comes due after death. Neither may run.
  t.is(fired, 0);
});
