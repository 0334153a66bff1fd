// A failure that leaves a multipath host no usable path is a failover event too: both ports of
// its target are cut, so I/O waits in the namespace head (queue_if_no_path). The event records
// when the host found no usable path, and ends when a path returns (healed, reconnected) or when
// I/O fails for want of one (fast_io_fail_tmo); the time series lists it with that window.
import test from 'ava';
import type { FailoverResult } from '../sim/scenario/result.js';
import { runScenario } from '../sim/scenario/runner.js';
import type { Scenario, ScenarioConnect, ScenarioFault } from '../sim/scenario/types.js';
import { resolveScenario } from '../sim/scenario/validate.js';

const NQN = 'nqn.2024-01.io.test:no-path';

function scenario(connect: Partial<ScenarioConnect>, faults: readonly ScenarioFault[]): Scenario {
  return {
    name: 'no-path',
    duration: '1200ms',
    drain: '50ms',
    nodes: [{ name: 'h' }, { name: 't' }],
    switch: { linkOptions: { latencyUs: 5 } },
    targets: [
      {
        node: 't',
        subsystems: [{ nqn: NQN, namespaces: [{ backend: 'ram:16MiB' }] }],
        ports: [
          { id: 1, nic: {} },
          { id: 2, nic: {}, anaGroups: [{ grpid: 1, state: 'non-optimized' }] },
        ],
      },
    ],
    hosts: [
      {
        node: 'h',
        connect: { target: 't', port: 1, paths: [{ target: 't', port: 2 }], ioTimeoutS: 0.01, reconnectDelayS: 1, keepAliveTmoS: 1, ...connect },
        workload: { rw: 'randrw', bs: '4k', iodepth: 4, verify: true, rateIops: 2000 },
      },
    ],
    faults: [
      { at: '10ms', action: 'partition', targetPort: { target: 't', port: 1 } },
      { at: '10ms', action: 'partition', targetPort: { target: 't', port: 2 } },
      ...faults,
    ],
    invariants: [{ check: 'ios-accounted' }, { check: 'no-verify-mismatch' }],
  };
}

const heal: ScenarioFault = { at: '30ms', action: 'heal', targetPort: { target: 't', port: 2 } };

test('scenario failover: no usable path is an event that ends when a path returns', async (t) => {
  const result = await runScenario(resolveScenario(scenario({}, [heal]), 'no-path.ts'));
  t.true(result.ok, JSON.stringify(result.invariants));
  t.is(result.errors, 0);
  const failovers = result.perHost[0]?.failovers ?? [];
  // Each cut path is an event; both saw no usable path once the second failed over too, and both
  // end when port 2 is back (its controller reconnects after reconnectDelayS).
  t.deepEqual(failovers.map((event) => [event.fromPath, event.toPath]), [['t/1', 't/2'], ['t/2', 't/2']]);
  for (const event of failovers) {
    t.true(event.noPathMs !== undefined && event.noPathMs >= event.detectedMs, JSON.stringify(event));
    t.is(event.failedMs, undefined);
    // The stall runs to the reconnect, about 1 s after the cut.
    t.true((event.stallMs ?? 0) > 900 && event.atMs + (event.stallMs ?? 0) < 1100, JSON.stringify(event));
  }
  const marks = result.timeSeries.faults.filter((fault) => fault.action === 'failover');
  t.is(marks.length, 2);
  t.regex(marks[0]?.detail ?? '', /^h: t\/1 -> t\/2, no usable path from [\d.]+ ms, [\d.]+ ms stall$/);
  t.is(marks[0]?.untilMs, round((failovers[0] as FailoverResult).atMs + ((failovers[0] as FailoverResult).stallMs ?? 0)));
});

test('scenario failover: no usable path that fails I/O (fast_io_fail_tmo) is an event that ends in the failure', async (t) => {
  const result = await runScenario(resolveScenario(scenario({ fastIoFailTmoS: 0 }, [heal]), 'no-path.ts'));
  t.true(result.ok, JSON.stringify(result.invariants));
  t.true(result.errors > 0, 'the application sees the failed I/O');
  const failovers = result.perHost[0]?.failovers ?? [];
  t.deepEqual(failovers.map((event) => [event.fromPath, event.toPath, event.stallMs]), [['t/1', null, null], ['t/2', null, null]]);
  for (const event of failovers) t.true(event.failedMs !== undefined && event.failedMs >= (event.noPathMs ?? Infinity), JSON.stringify(event));
  // Later failures (until port 2 is back) belong to that event: no event per failed I/O.
  const marks = result.timeSeries.faults.filter((fault) => fault.action === 'failover');
  t.is(marks.length, 2);
  t.regex(marks[0]?.detail ?? '', /^h: t\/1 -> no path, no usable path from [\d.]+ ms, I\/O failed at [\d.]+ ms$/);
  t.is(marks[0]?.untilMs, failovers[0]?.failedMs);
});

test('scenario failover: no usable path with no way back stays an open event', async (t) => {
  const result = await runScenario(resolveScenario({ ...scenario({}, []), duration: '300ms', invariants: [{ check: 'no-verify-mismatch' }] }, 'no-path.ts'));
  const failovers = result.perHost[0]?.failovers ?? [];
  t.deepEqual(failovers.map((event) => [event.fromPath, event.toPath, event.stallMs, event.failedMs]), [['t/1', null, null, undefined], ['t/2', null, null, undefined]]);
  t.true(failovers.every((event) => event.noPathMs !== undefined));
});

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
