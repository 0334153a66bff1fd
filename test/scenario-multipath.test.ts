// Multipath in scenarios: a host lists several paths (targets serving one subsystem NQN), the
// runner connects them into one native multipath device and runs the workload on its head; results
// carry per-path I/O and latency and each failover's stall; no-app-errors-with-a-path holds when
// one path stays usable. The shipped scenarios ana-failover.ts (under each iopolicy) and
// rolling-restart.ts are run and their outcomes asserted. Bad paths and policies are one-line
// errors naming the field (ScenarioErrors: exit 2 from the CLI).
import test from 'ava';
import { loadScenario } from '../sim/scenario/load.js';
import type { HostResult, ScenarioResult } from '../sim/scenario/result.js';
import { runScenario } from '../sim/scenario/runner.js';
import { ScenarioError } from '../sim/scenario/scenario-error.js';
import type { Scenario, ScenarioConnect } from '../sim/scenario/types.js';
import { resolveScenario } from '../sim/scenario/validate.js';

const NQN = 'nqn.2024-01.io.test:mp';

function scenario(connect: Partial<ScenarioConnect>, otherNqn = NQN): Scenario {
  return {
    name: 'mp',
    duration: '20ms',
    nodes: [{ name: 'h' }, { name: 'a' }, { name: 'b' }],
    switch: {},
    targets: [
      { node: 'a', subsystems: [{ nqn: NQN, namespaces: [{ backend: 'ram:16MiB' }] }] },
      { node: 'b', subsystems: [{ nqn: otherNqn, namespaces: [{ backend: 'ram:16MiB' }] }] },
    ],
    hosts: [{ node: 'h', connect: { target: 'a', paths: [{ target: 'b' }], ...connect }, workload: { rw: 'randrw', bs: '4k', iodepth: 4, verify: true } }],
  };
}

function refusal(value: Scenario): string {
  try {
    resolveScenario(value, 'mp.ts');
    return '';
  } catch (error) {
    if (error instanceof ScenarioError) return error.message;
    throw error;
  }
}

test('scenario multipath: bad paths and policies are one line naming the field', (t) => {
  t.is(refusal(scenario({})), '');
  t.is(
    refusal(scenario({}, 'nqn.2024-01.io.test:other')),
    "mp.ts: hosts[0].connect.paths[0].target: target 'b' has no subsystem 'nqn.2024-01.io.test:mp' (every path must reach the host's subsystem)",
  );
  t.is(refusal(scenario({ paths: [{ target: 'c' }] })), "mp.ts: hosts[0].connect.paths[0].target: no target named 'c' (targets: a, b)");
  t.is(refusal(scenario({ paths: [{ target: 'b' }, { target: 'b' }] })), "mp.ts: hosts[0].connect.paths[1].target: repeats the path to target 'b'");
  t.is(refusal(scenario({ paths: [{ target: 'a' }] })), "mp.ts: hosts[0].connect.paths[0].target: repeats the path to target 'a'");
  t.regex(refusal(scenario({ iopolicy: 'round-robbin' as 'numa' })), /^mp\.ts: hosts\[0\]\.connect\.iopolicy: must be one of 'numa', 'round-robin', 'queue-depth'/);
  t.regex(refusal(scenario({ fastIoFailTmoS: -2 })), /^mp\.ts: hosts\[0\]\.connect\.fastIoFailTmoS: must be an integer/);
  for (const message of [refusal(scenario({ iopolicy: 'x' as 'numa' })), refusal(scenario({}, 'nqn.x'))]) t.false(message.includes('\n'));
});

test('scenario multipath: a two-path host reads back through either target what it wrote through the other', async (t) => {
  const value = scenario({ iopolicy: 'round-robin' });
  const result = await runScenario(resolveScenario({ ...value, invariants: [{ check: 'ios-accounted' }, { check: 'no-verify-mismatch' }, { check: 'no-app-errors-with-a-path' }] }, 'mp.ts'));
  t.true(result.ok, JSON.stringify(result.invariants));
  const paths = result.perHost[0]?.paths ?? [];
  t.deepEqual(paths.map((path) => path.target), ['a', 'b']);
  // Round-robin alternates: both paths carry I/O, and every success is counted on one path.
  t.true(paths.every((path) => path.completed > 0 && path.latencyUs.p50 > 0), JSON.stringify(paths));
  t.is(paths.reduce((sum, path) => sum + path.completed, 0), result.ios);
  t.deepEqual(result.perHost[0]?.failovers, []);
});

test('scenario multipath: no-app-errors-with-a-path fails without a multipath host', async (t) => {
  const value = scenario({ paths: [] });
  const result = await runScenario(resolveScenario({ ...value, invariants: [{ check: 'no-app-errors-with-a-path' }] }, 'mp.ts'));
  const verdict = result.invariants.find((inv) => inv.name === 'no-app-errors-with-a-path');
  t.false(verdict?.ok);
  t.is(verdict?.detail, 'no multipath host to check (give a host connect.paths)');
  t.is(result.perHost[0]?.paths, undefined);
});

function host(result: ScenarioResult): HostResult {
  return result.perHost[0] as HostResult;
}

for (const iopolicy of ['numa', 'round-robin', 'queue-depth'] as const) {
  test(`scenario multipath: ana-failover under ${iopolicy} fails over within the I/O timeout with no application error`, async (t) => {
    const resolved = await loadScenario('scenarios/ana-failover.ts', {}, [{ path: 'hosts[0].connect.iopolicy', value: iopolicy }]);
    t.is(resolved.hosts[0]?.connect.iopolicy, iopolicy);
    const result = await runScenario(resolved);
    t.true(result.ok, JSON.stringify(result.invariants));
    t.is(result.errors, 0);
    const [p1, p2] = host(result).paths ?? [];
    // Two paths to one target, one per port.
    t.deepEqual(host(result).paths?.map((path) => [path.target, path.port]), [['target', 1], ['target', 2]]);
    // Before the partition the optimized port carries everything; after it, the other port does.
    t.true((p1?.completed ?? 0) > 0 && (p2?.completed ?? 0) > 0, JSON.stringify(host(result).paths));
    t.true((p1?.failovers ?? 0) > 0);
    t.is(p2?.anaState, 'optimized', 'ANA moved to the second port');
    t.deepEqual(result.faultsApplied.map((fault) => fault.detail), [
      'target target port 1 (target/eth1) partitioned',
      'target target port 2 ANA group 1: optimized',
      'target target port 1 ANA group 1: inaccessible',
    ]);
    const failovers = host(result).failovers ?? [];
    t.is(failovers.length, 1, JSON.stringify(failovers));
    const event = failovers[0];
    t.is(event?.fromPath, 'target/1');
    t.is(event?.toPath, 'target/2');
    // The partition at 100 ms is detected by the 50 ms I/O timeout: the stall is that bound plus
    // the reset and one I/O on the other path, well under 60 ms.
    t.true((event?.atMs ?? 0) >= 99 && (event?.atMs ?? 0) <= 100, JSON.stringify(event));
    t.true((event?.stallMs ?? Infinity) >= 50 && (event?.stallMs ?? Infinity) < 60, JSON.stringify(event));
    t.true(result.latencyUs.max < 60_000, `max ${result.latencyUs.max} us`);
    // The time series lists the failover among the faults, its window the stall: it starts at the
    // last success on the cut path, just before the partition.
    t.deepEqual(
      result.timeSeries.faults.map((fault) => fault.action),
      ['failover', 'partition', 'setAnaState', 'setAnaState'],
    );
    const mark = result.timeSeries.faults.find((fault) => fault.action === 'failover');
    t.is(mark?.tMs, event?.atMs);
    t.regex(mark?.detail ?? '', /^host: target\/1 -> target\/2, [\d.]+ ms stall$/);
  });
}

test('scenario multipath: rolling-restart restarts both targets in turn with no application-visible error', async (t) => {
  const result = await runScenario(await loadScenario('scenarios/rolling-restart.ts'));
  t.true(result.ok, JSON.stringify(result.invariants));
  t.is(result.errors, 0);
  t.deepEqual(result.faultsApplied.map((fault) => [fault.atNs / 1e6, fault.action]), [
    [100, 'restart'],
    [1300, 'restart'],
  ]);
  const failovers = host(result).failovers ?? [];
  t.deepEqual(failovers.map((event) => [event.fromPath, event.toPath]), [
    ['ta', 'tb'],
    ['tb', 'ta'],
  ]);
  t.true(failovers.every((event) => (event.stallMs ?? Infinity) < 5), JSON.stringify(failovers));
  const verify = result.invariants.find((inv) => inv.name === 'no-verify-mismatch');
  t.true(verify?.ok === true && verify.checked > 0);
});
