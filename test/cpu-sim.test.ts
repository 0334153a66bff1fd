// The simulated CPU and its cost profiles: per-core FIFO service with exact completion times,
// parallel cores, utilisation and queue-delay accounting, profile arithmetic, and the queue-to-core
// map. Time is a tiny hand-advanced fake clock (a sorted timer list), so every time is exact.
import test from 'ava';
import { FakeClock } from './helpers/fake-clock.js';
import { UnitError } from '../sim/core/units.js';
import { FREE_PROFILE, profileByName, RDMA_PROFILE, TCP_PROFILE, workCostNs } from '../sim/cpu/profiles.js';
import { queueToCore, SimCpu } from '../sim/cpu/sim-cpu.js';

function setup(cores: number): { clock: FakeClock; cpu: SimCpu; log: [string, number][] } {
  const clock = new FakeClock();
  return { clock, cpu: new SimCpu(clock, FREE_PROFILE, cores), log: [] };
}

test('cpu: one core serialises work in submission order', (t) => {
  const { clock, cpu, log } = setup(1);
  cpu.runNs(0, 100, () => log.push(['a', clock.now]));
  cpu.runNs(0, 200, () => log.push(['b', clock.now]));
  cpu.runNs(0, 300, () => log.push(['c', clock.now]));
  clock.run();
  t.deepEqual(log, [
    ['a', 100],
    ['b', 300],
    ['c', 600],
  ]);
});

test('cpu: cores run in parallel and core numbers wrap', (t) => {
  const { clock, cpu, log } = setup(2);
  cpu.runNs(0, 500, () => log.push(['core0', clock.now]));
  cpu.runNs(1, 300, () => log.push(['core1', clock.now]));
  // Core 3 on a 2-core CPU is core 1: it queues behind the 300 ns item.
  cpu.runNs(3, 100, () => log.push(['core3', clock.now]));
  clock.run();
  t.deepEqual(log, [
    ['core1', 300],
    ['core3', 400],
    ['core0', 500],
  ]);
});

test('cpu: an idle core starts new work at once; work submitted from a callback queues behind', (t) => {
  const { clock, cpu, log } = setup(1);
  cpu.runNs(0, 100, () => {
    log.push(['first', clock.now]);
    cpu.runNs(0, 10, () => log.push(['from callback', clock.now]));
  });
  cpu.runNs(0, 50, () => log.push(['second', clock.now]));
  clock.run();
  clock.run(1000);
  cpu.runNs(0, 25, () => log.push(['late', clock.now]));
  clock.run();
  t.deepEqual(log, [
    ['first', 100],
    ['second', 150],
    ['from callback', 160],
    ['late', 1025],
  ]);
});

test('cpu: utilisation and queue delay', (t) => {
  const { clock, cpu } = setup(2);
  cpu.runNs(0, 300, () => undefined);
  cpu.runNs(0, 300, () => undefined);
  clock.run(1200);
  t.is(cpu.utilisation(0), 0.5);
  t.is(cpu.utilisation(1), 0);
  t.like(cpu.coreStats(0), { busyNs: 600, completed: 2, started: 2, queueDelayNsTotal: 300, queueDelayNsMax: 300, depth: 0 });
  // An item in progress counts up to now; a reset keeps only what follows it.
  cpu.runNs(1, 1000, () => undefined);
  clock.run(1600);
  t.is(cpu.coreStats(1).busyNs, 400);
  cpu.resetStats();
  clock.run(2000);
  t.like(cpu.coreStats(1), { busyNs: 400, completed: 0, depth: 1 });
  clock.run();
  t.like(cpu.coreStats(1), { busyNs: 600, completed: 1, depth: 0 });
  t.is(cpu.utilisation(1), 600 / 600);
});

test('cpu: profile costs add up exactly', (t) => {
  const work = { pdus: 3, copyBytes: 10_000, crcBytes: 10_000, commands: 1 };
  // 3 × 820 + 10000 × 0.1 + 10000 × 0.05 + 2500
  t.is(workCostNs(TCP_PROFILE, work), 6460);
  t.is(
    workCostNs(TCP_PROFILE, { pdus: 3 }) +
      workCostNs(TCP_PROFILE, { copyBytes: 10_000 }) +
      workCostNs(TCP_PROFILE, { crcBytes: 10_000 }) +
      workCostNs(TCP_PROFILE, { commands: 1 }),
    6460,
  );
  // A hand-off to the io_work worker is priced on its own (one context switch).
  t.is(workCostNs(TCP_PROFILE, { ...work, handoffs: 1 }), 6460 + TCP_PROFILE.nsPerHandoff);
  // RDMA pays no copies and no digests.
  t.is(workCostNs(RDMA_PROFILE, work), 3 * 400 + 2500);
  t.is(workCostNs(TCP_PROFILE, {}), 0);
  t.true(RDMA_PROFILE.lossless);
  t.false(TCP_PROFILE.lossless);

  const clock = new FakeClock();
  const cpu = new SimCpu(clock, TCP_PROFILE, 1);
  const done: number[] = [];
  cpu.run(0, work, () => done.push(clock.now));
  cpu.run(0, { commands: 2 }, () => done.push(clock.now));
  clock.run();
  t.deepEqual(done, [6460, 11460]);
});

test('cpu: profiles by name', (t) => {
  t.is(profileByName('rdma', '--cpu-profile'), RDMA_PROFILE);
  const error = t.throws(() => profileByName('dpdk', '--cpu-profile'), { instanceOf: UnitError });
  t.is(error?.message, "--cpu-profile: unknown cost profile 'dpdk' (expected tcp, rdma, free)");
});

test('cpu: queues spread round robin over cores like nvme-tcp io_cpu', (t) => {
  t.deepEqual(
    [0, 1, 2, 3, 4, 5].map((qid) => queueToCore(qid, 4)),
    [0, 0, 1, 2, 3, 0],
  );
});

test('cpu: a deep queue grows its ring and keeps order', (t) => {
  const { clock, cpu } = setup(1);
  const order: number[] = [];
  for (let i = 0; i < 100; i++) cpu.runNs(0, 1, () => order.push(i));
  clock.run();
  t.deepEqual(order, Array.from({ length: 100 }, (_, i) => i));
  t.is(clock.now, 100);
  t.is(cpu.coreStats(0).queueDelayNsMax, 99);
});
