// Scenarios with open-loop load and per-queue figures: rateIops arrives on schedule whatever the
// fabric does, latency counts from the arrival (clat from submission is reported beside it),
// every queue and host carries its latency, and IOPS counts only I/Os completed within the
// duration.
import test from 'ava';
import { resolveScenario } from '../sim/scenario/validate.js';
import { runScenario } from '../sim/scenario/runner.js';
import type { Scenario } from '../sim/scenario/types.js';

function fabric(workload: Scenario['hosts'][number]['workload'], duration = '20ms', latencyUs = 5): Scenario {
  return {
    name: 'open-loop',
    duration,
    nodes: [
      { name: 'h', cores: 4, nic: { bandwidthBps: 25e9 } },
      { name: 't', cores: 4, nic: { bandwidthBps: 25e9 } },
    ],
    links: [{ a: 'h', b: 't', options: { latencyUs } }],
    targets: [{ node: 't', subsystems: [{ nqn: 'nqn.2024-01.io.example:o', namespaces: [{ backend: 'ssd:16GiB' }] }] }],
    hosts: [{ node: 'h', connect: { target: 't', nrIoQueues: 2, queueSize: 64 }, ...(workload === undefined ? {} : { workload }) }],
  };
}

test('scenario open loop: under capacity, the offered rate is served and lat is close to clat', async (t) => {
  const result = await runScenario(resolveScenario(fabric({ rw: 'randread', iodepth: 64, rateIops: 20_000 }), 'open-loop.ts'));
  t.true(result.ok, JSON.stringify(result.invariants));
  // 20k IOPS over ~19 ms of workload (connecting takes the first one or two).
  t.true(result.iops > 15_000 && result.iops <= 20_000, `iops ${result.iops}`);
  const clat = result.clatUs;
  if (clat === undefined) return t.fail('open loop reports clatUs');
  t.true(result.latencyUs.p50 - clat.p50 < 5, `lat p50 ${result.latencyUs.p50} vs clat ${clat.p50}`);
  t.deepEqual(result.perHost[0]?.clatUs, clat);
});

test('scenario open loop: overload shows as latency from the arrival, not in clat', async (t) => {
  // 1M IOPS offered to 4 slots: the host cannot keep up, arrivals wait, latency grows all run.
  const result = await runScenario(resolveScenario(fabric({ rw: 'randread', iodepth: 4, rateIops: 1_000_000 }), 'open-loop.ts'));
  const clat = result.clatUs;
  if (clat === undefined) return t.fail('open loop reports clatUs');
  t.true(result.latencyUs.p99 > 20 * clat.p99, `lat p99 ${result.latencyUs.p99} vs clat p99 ${clat.p99}`);
  t.true(result.iops < 200_000, `iops ${result.iops}`);
});

test('scenario results: every queue and host carries its latency; closed loop reports no clat', async (t) => {
  const result = await runScenario(resolveScenario(fabric({ rw: 'randread', iodepth: 32 }), 'closed.ts'));
  t.is(result.clatUs, undefined);
  t.is(result.perQueue.length, 2);
  for (const queue of result.perQueue) {
    const latency = queue.latencyUs;
    if (latency === undefined) return t.fail('per-queue latency');
    t.true(latency.p50 > 0 && latency.p50 <= latency.p99 && latency.p99 <= latency.max, JSON.stringify(latency));
    // Two significant digits per queue: within 1% of the host's own figures.
    t.true(Math.abs(latency.p50 - (result.perHost[0]?.latencyUs.p50 ?? 0)) / latency.p50 < 0.2);
  }
});

test('scenario results: IOPS counts only I/Os that completed within the duration', async (t) => {
  // 200 us one way: a 9 ms run ends with a full queue of reads in flight, which complete in the
  // drain; IOPS does not count them (before, a 1 ms run could report a million IOPS this way).
  const short = await runScenario(resolveScenario(fabric({ rw: 'randread', iodepth: 32 }, '9ms', 200), 'short.ts'));
  const shortInDuration = Math.round(short.iops * short.durationSeconds);
  t.is(short.ios - shortInDuration, 32, `${short.ios} I/Os, ${shortInDuration} within the duration`);
  const long = await runScenario(resolveScenario(fabric({ rw: 'randread', iodepth: 32 }, '20ms'), 'long.ts'));
  const inDuration = long.iops * long.durationSeconds;
  t.true(inDuration < long.ios, `${inDuration} within the duration, ${long.ios} in all`);
  t.true(long.ios - inDuration <= 32, 'at most the queue depth completes in the drain');
});

test('scenario validate: rateIops and rateProcess are checked naming the field', (t) => {
  const bad = t.throws(() => resolveScenario(fabric({ rw: 'randread', rateIops: -5 }), 'bad.ts'));
  t.regex(bad?.message ?? '', /^bad\.ts: hosts\[0\]\.workload\.rateIops: /);
  const process = t.throws(() => resolveScenario(fabric({ rw: 'randread', rateIops: 5, rateProcess: 'bursty' as 'linear' }), 'bad.ts'));
  t.regex(process?.message ?? '', /^bad\.ts: hosts\[0\]\.workload\.rateProcess: must be one of 'linear', 'poisson', not 'bursty'$/);
});
