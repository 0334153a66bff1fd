// The event scheduler: events run in (time, insertion) order, cancellation is exact, time moves
// only by events or runUntil, and heavy cancellation (which triggers heap compaction) does not
// change the order in which the survivors run. All times are virtual; nothing here is timed.
import test from 'ava';
import { Scheduler } from '../sim/core/scheduler.js';

test('scheduler: events run in time order, ties in insertion order', (t) => {
  const scheduler = new Scheduler();
  const ran: string[] = [];
  const record = (label: string): void => {
    ran.push(`${label}@${scheduler.now}`);
  };
  scheduler.schedule(30, record, 'c');
  scheduler.schedule(10, record, 'a1');
  scheduler.schedule(20, record, 'b');
  scheduler.schedule(10, record, 'a2');
  scheduler.schedule(10, record, 'a3');
  scheduler.schedule(0, record, 'zero');
  t.is(scheduler.runUntilIdle(), 6);
  t.deepEqual(ran, ['zero@0', 'a1@10', 'a2@10', 'a3@10', 'b@20', 'c@30']);
  t.is(scheduler.eventCount, 6);
});

test('scheduler: an event scheduled for now by a running event runs after earlier ties', (t) => {
  const scheduler = new Scheduler();
  const ran: string[] = [];
  scheduler.schedule(5, () => {
    ran.push('first');
    scheduler.schedule(5, () => ran.push('spawned'));
  });
  scheduler.schedule(5, () => ran.push('second'));
  scheduler.runUntilIdle();
  t.deepEqual(ran, ['first', 'second', 'spawned']);
});

test('scheduler: cancel removes exactly one event and stale handles are refused', (t) => {
  const scheduler = new Scheduler();
  const ran: number[] = [];
  const handles = [1, 2, 3, 4].map((n) => scheduler.schedule(n * 10, () => ran.push(n)));
  t.true(scheduler.cancel(handles[1] as number));
  t.false(scheduler.cancel(handles[1] as number), 'a second cancel is refused');
  t.is(scheduler.pending, 3);
  scheduler.runUntil(10);
  t.false(scheduler.cancel(handles[0] as number), 'an event that ran cannot be cancelled');
  // The slot of the fired event is reused; the old handle must not cancel the new event.
  const reused = scheduler.schedule(15, () => ran.push(99));
  t.false(scheduler.cancel(handles[0] as number));
  scheduler.runUntilIdle();
  t.deepEqual(ran, [1, 99, 3, 4]);
  t.true(reused >= 0);
});

test('scheduler: runUntil runs due events and moves time to the target', (t) => {
  const scheduler = new Scheduler();
  const ran: number[] = [];
  scheduler.schedule(100, () => ran.push(100));
  scheduler.schedule(250, () => ran.push(250));
  t.is(scheduler.runUntil(200), 1);
  t.is(scheduler.now, 200);
  t.deepEqual(ran, [100]);
  t.is(scheduler.peekNs(), 250);
  scheduler.scheduleIn(10, () => ran.push(scheduler.now));
  scheduler.runUntil(1000);
  t.deepEqual(ran, [100, 210, 250]);
  t.is(scheduler.now, 1000);
});

test('scheduler: scheduling in the past is an error', (t) => {
  const scheduler = new Scheduler();
  scheduler.runUntil(50);
  t.throws(() => scheduler.schedule(49, () => undefined), { instanceOf: RangeError });
  t.throws(() => scheduler.schedule(Number.NaN, () => undefined), { instanceOf: RangeError });
  t.notThrows(() => scheduler.schedule(50, () => undefined));
});

test('scheduler: mass cancellation compacts the heap without changing the survivors order', (t) => {
  const scheduler = new Scheduler();
  const ran: number[] = [];
  const handles: number[] = [];
  // 20k events at 1000 distinct times; cancel all but every 7th. Compaction kicks in at 4096.
  for (let i = 0; i < 20_000; i++) handles.push(scheduler.schedule((i * 7919) % 1000, (n: number) => ran.push(n), i));
  for (let i = 0; i < handles.length; i++) if (i % 7 !== 0) scheduler.cancel(handles[i] as number);
  t.is(scheduler.pending, Math.ceil(20_000 / 7));
  scheduler.runUntilIdle();
  const expected = [...Array(20_000).keys()]
    .filter((i) => i % 7 === 0)
    .sort((x, y) => ((x * 7919) % 1000) - ((y * 7919) % 1000) || x - y);
  t.deepEqual(ran, expected);
});

test('scheduler: stop() ends a run after the current event', (t) => {
  const scheduler = new Scheduler();
  const ran: number[] = [];
  for (let i = 1; i <= 5; i++) {
    scheduler.schedule(i, () => {
      ran.push(i);
      if (i === 2) scheduler.stop();
    });
  }
  scheduler.runUntilIdle();
  t.deepEqual(ran, [1, 2]);
  t.is(scheduler.now, 2);
  scheduler.runUntilIdle();
  t.deepEqual(ran, [1, 2, 3, 4, 5]);
});

test('scheduler: handles survive heap and slot growth', (t) => {
  const scheduler = new Scheduler();
  let sum = 0;
  const handles: number[] = [];
  for (let i = 0; i < 5000; i++) handles.push(scheduler.schedule(5000 - i, (n: number) => (sum += n), i));
  t.true(scheduler.cancel(handles[4999] as number));
  t.is(scheduler.peekNs(), 2);
  scheduler.runUntilIdle();
  t.is(sum, (4999 * 5000) / 2 - 4999);
});
