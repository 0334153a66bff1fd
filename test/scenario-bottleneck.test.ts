// Utilisation and the bottleneck verdict (utilisation.ts, bottleneck.ts): the reference scenario
// is bound by its 25 Gb/s link, a target with one core under the tcp profile by that core, and a
// QD1 run by nothing (latency-bound); a target that served I/O and then crashed and restarted
// keeps the busy time of its first life; the interval rows carry the same figures as the window;
// and TCP's chrono counters see a lossy run held back by cwnd.
import test from 'ava';
import { SATURATED } from '../sim/scenario/bottleneck.js';
import { loadScenario } from '../sim/scenario/load.js';
import type { ScenarioResult } from '../sim/scenario/result.js';
import { runScenario } from '../sim/scenario/runner.js';
import { resolveScenario } from '../sim/scenario/validate.js';

const MS = 1_000_000;
const NQN = 'nqn.2024-01.io.test:bottleneck';

type Fields = Record<string, unknown>;
type Plain = Fields & { nodes: Fields[]; hosts: (Fields & { connect: Fields; workload: Fields })[] };

/** One host (8 cores) and a target with `targetCores` cores, tcp profile, 25 Gb/s, null device. */
function pair(targetCores: number, edit: (s: Plain) => void = () => {}): Plain {
  const scenario: Plain = {
    name: 'bottleneck',
    seed: 7,
    duration: '40ms',
    drain: '10ms',
    nodes: [
      { name: 'host', cores: 8, cpuProfile: 'tcp', nic: { bandwidthBps: 25e9 } },
      { name: 'target', cores: targetCores, cpuProfile: 'tcp', nic: { bandwidthBps: 25e9 } },
    ],
    links: [{ a: 'host', b: 'target', options: { latencyUs: 8 } }],
    targets: [{ node: 'target', subsystems: [{ nqn: NQN, namespaces: [{ backend: 'null:1GiB' }] }] }],
    hosts: [{ node: 'host', connect: { target: 'target', nrIoQueues: 4, queueSize: 32 }, workload: { rw: 'randread', bs: '4k', iodepth: 128 } }],
  };
  edit(scenario);
  return scenario;
}

function run(scenario: Plain): Promise<ScenarioResult> {
  return runScenario(resolveScenario(scenario, 'bottleneck.ts'));
}

test('scenario bottleneck: the reference run is bound by the target-to-host link direction', async (t) => {
  const result = await runScenario(await loadScenario('scenarios/reference.ts', { durationNs: 100 * MS }));
  const verdict = result.bottleneck;
  t.is(verdict.resource, 'link');
  t.is(verdict.name, 'target/eth0>host/eth0');
  t.true((verdict.utilisation ?? 0) >= SATURATED);
  const link = result.utilisation.links.find((l) => l.direction === 'target/eth0>host/eth0');
  t.is(link?.capacityBps, 25e9);
  t.true((link?.bytesPerSecond ?? 0) * 8 <= 25e9 * 1.001);
  // The next resource is the SSD's channels (or a core), with its headroom.
  t.truthy(verdict.next);
  t.true((verdict.next?.utilisation ?? 1) < (verdict.utilisation ?? 0));
  t.is(verdict.next?.headroom, Math.round((1 - (verdict.next?.utilisation ?? 0)) * 10000) / 10000);
  // Interval rows carry the same link figure (the full intervals, away from the start).
  const rows = result.timeSeries.intervals.slice(2, 9);
  for (const row of rows) t.true((row.links?.[1] ?? 0) >= SATURATED, `interval ${row.tMs}: ${row.links?.[1]}`);
  t.is(result.utilisation.ssds.length, 1);
  t.true((result.utilisation.ssds[0]?.occupancy ?? 0) > 0.5);
});

test('scenario bottleneck: a target with one core under the tcp profile is bound by that core', async (t) => {
  const result = await run(pair(1));
  t.is(result.bottleneck.resource, 'cpu');
  t.is(result.bottleneck.name, 'target core 0');
  const core = result.utilisation.cores.find((c) => c.node === 'target' && c.core === 0);
  t.true((core?.busy ?? 0) >= SATURATED, `busy ${core?.busy}`);
  t.truthy(result.bottleneck.next);
  t.true((result.bottleneck.next?.headroom ?? 0) > 0);
});

test('scenario bottleneck: a QD1 run is latency-bound, and says none', async (t) => {
  const result = await run(
    pair(8, (s) => {
      const host = s.hosts[0] as Fields & { connect: Fields; workload: Fields };
      host.connect.nrIoQueues = 1;
      host.workload.iodepth = 1;
    }),
  );
  t.is(result.bottleneck.resource, 'none');
  t.is(result.bottleneck.name, null);
  t.regex(result.bottleneck.reason, /latency-bound/);
  t.true((result.bottleneck.next?.utilisation ?? 1) < SATURATED);
  // One slot of one queue of 32 in use all the time.
  t.is(result.utilisation.queueSlots.length, 1);
  t.true(Math.abs((result.utilisation.queueSlots[0]?.meanInUse ?? 0) - 1) < 0.05);
  t.is(result.utilisation.queueSlots[0]?.maxInUse, 1);
});

test('scenario utilisation: a target that crashed and restarted keeps the busy time it had before', async (t) => {
  const result = await run(
    pair(2, (s) => {
      s.duration = '60ms';
      s.faults = [
        { at: '15ms', action: 'crash', node: 'target' },
        { at: '20ms', action: 'restart', node: 'target' },
      ];
    }),
  );
  t.is(result.faultsApplied.length, 2);
  const target = result.utilisation.cores.filter((c) => c.node === 'target');
  t.is(target.length, 2);
  for (const core of target) t.true(core.busy > 0.1, `target core ${core.core} busy ${core.busy}`);
  // The first interval, before the crash, had the target's cores busy.
  const first = result.timeSeries.intervals[0];
  t.true((first?.cpu?.[8] ?? 0) > 0.5);
  t.like(result.timeSeries.faults[0], { tMs: 15, action: 'crash', untilMs: 20 });
  // The window's busy time is the intervals' over the window, across the crash.
  const window = result.utilisation;
  const rows = result.timeSeries.intervals.filter((row) => row.tMs < window.toMs);
  const meanOfRows = rows.reduce((sum, row) => sum + (row.cpu?.[8] ?? 0), 0) / rows.length;
  t.true(Math.abs(meanOfRows - (target[0]?.busy ?? 0)) < 0.02, `rows ${meanOfRows} window ${target[0]?.busy}`);
});

test('scenario utilisation: a lossy link shows retransmissions and cwnd-limited time', async (t) => {
  const result = await runScenario(await loadScenario('scenarios/reference-loss.ts', { durationNs: 300 * MS }));
  const tcp = result.utilisation.tcp;
  t.true(tcp.reduce((sum, node) => sum + node.retransmits, 0) > 0);
  t.true(tcp.reduce((sum, node) => sum + node.cwndLimitedMs, 0) > 0);
  t.true(result.timeSeries.intervals.some((row) => (row.tcp?.retransmits ?? 0) > 0));
  t.is(result.bottleneck.figures.tcpRetransmits, tcp.reduce((sum, node) => sum + node.retransmits, 0));
});
