// The simulated CPU and SSD on a SimClock take a fast path (events scheduled directly, no Timer
// objects). These tests pin that the fast path keeps the clock's rules: exact completion times,
// work of a paused node completes on resume in order, a crashed node's work never completes, and
// SimClock.callLater follows the same gate rules as setTimer.
import test from 'ava';
import { Scheduler } from '../sim/core/scheduler.js';
import { type ExecutionGate, SimClock } from '../sim/core/sim-clock.js';
import { SeededRngSource } from '../sim/core/rng.js';
import { FREE_PROFILE } from '../sim/cpu/profiles.js';
import { SimCpu } from '../sim/cpu/sim-cpu.js';
import { SsdBackend } from '../sim/storage/ssd-backend.js';

class TestGate implements ExecutionGate {
  alive = true;
  paused = false;
  queue: (() => void)[] = [];
  defer(fn: () => void): void {
    if (!this.alive) return;
    if (this.paused) this.queue.push(fn);
    else fn();
  }
  resume(): void {
    this.paused = false;
    const queue = this.queue;
    this.queue = [];
    for (const fn of queue) if (this.alive) fn();
  }
}

test('cpu: on a SimClock, work completes at exact times, one item at a time per core', (t) => {
  const scheduler = new Scheduler();
  const cpu = new SimCpu(new SimClock(scheduler), FREE_PROFILE, 2);
  const log: string[] = [];
  cpu.runNs(0, 100, () => log.push(`a@${scheduler.now}`));
  cpu.runNs(0, 50, () => {
    log.push(`b@${scheduler.now}`);
    cpu.runNs(0, 0, () => log.push(`c@${scheduler.now}`));
  });
  cpu.runNs(1, 120, () => log.push(`d@${scheduler.now}`));
  scheduler.runUntilIdle();
  t.deepEqual(log, ['a@100', 'd@120', 'b@150', 'c@150']);
  t.is(cpu.coreStats(0).completed, 3);
  t.is(cpu.coreStats(0).busyNs, 150);
});

test('cpu: on a paused node, completions wait for resume; on a crashed node they never run', (t) => {
  const scheduler = new Scheduler();
  const gate = new TestGate();
  const cpu = new SimCpu(new SimClock(scheduler, gate), FREE_PROFILE, 1);
  const log: string[] = [];
  cpu.runNs(0, 10, () => log.push(`a@${scheduler.now}`));
  cpu.runNs(0, 10, () => log.push(`b@${scheduler.now}`));
  gate.paused = true;
  scheduler.schedule(100, () => gate.resume());
  scheduler.runUntilIdle();
  // a was due at 10 while paused: it ran on resume, and b (started then) 10 ns later.
  t.deepEqual(log, ['a@100', 'b@110']);

  const dead = new TestGate();
  const crashed = new SimCpu(new SimClock(scheduler, dead), FREE_PROFILE, 1);
  crashed.runNs(0, 10, () => log.push('never'));
  dead.alive = false;
  scheduler.runUntilIdle();
  t.deepEqual(log, ['a@100', 'b@110']);
});

test('clock: callLater follows the gate rules of setTimer', (t) => {
  const scheduler = new Scheduler();
  const gate = new TestGate();
  const clock = new SimClock(scheduler, gate);
  const fired: string[] = [];
  clock.callLater(10.2, (label: string) => fired.push(`${label}@${scheduler.now}`), 'a');
  clock.setTimer(10.2, () => fired.push(`timer@${scheduler.now}`));
  clock.callLater(-3, (label: string) => fired.push(`${label}@${scheduler.now}`), 'b');
  scheduler.runUntil(5);
  gate.paused = true;
  scheduler.schedule(50, () => gate.resume());
  scheduler.runUntil(60);
  t.deepEqual(fired, ['b@0', 'a@50', 'timer@50']);
  gate.alive = false;
  clock.callLater(1, () => fired.push('dead'), null);
  scheduler.runUntilIdle();
  t.is(fired.length, 3);
});

test('storage: a closed ssd on a SimClock never calls back', async (t) => {
  const scheduler = new Scheduler();
  const clock = new SimClock(scheduler);
  const ssd = new SsdBackend(1024 * 1024, clock, new SeededRngSource('ssd').stream('x'));
  const done: number[] = [];
  ssd.read(0, 4096, (status) => done.push(status));
  ssd.write(4096, new Uint8Array(4096).fill(7), (status) => done.push(status));
  scheduler.runUntil(1);
  await ssd.close();
  scheduler.runUntilIdle();
  t.deepEqual(done, []);

  const open = new SsdBackend(1024 * 1024, clock, new SeededRngSource('ssd').stream('y'));
  const data: (Uint8Array | undefined)[] = [];
  open.write(0, new Uint8Array(4096).fill(9), (status) => {
    t.is(status, 0);
    open.read(0, 8192, (readStatus, bytes) => {
      t.is(readStatus, 0);
      data.push(bytes);
    });
  });
  scheduler.runUntilIdle();
  const read = data[0] as Uint8Array;
  t.is(read.length, 8192);
  t.true(read.subarray(0, 4096).every((byte) => byte === 9));
  t.true(read.subarray(4096).every((byte) => byte === 0));
});
