// ANA in scenarios: targets declare their port's ANA groups and namespaces their group, and the
// setAnaState verb changes a group's state during the run. Bad groups, ports, targets and states
// are one-line errors naming the field (ScenarioErrors: exit 2 from the CLI). A single-path host (no multipath
// yet) sees I/O errors while its only path is inaccessible, and its I/O resumes once the group is
// optimized again.
import test from 'ava';
import { loadScenario } from '../sim/scenario/load.js';
import { runScenario } from '../sim/scenario/runner.js';
import { ScenarioError } from '../sim/scenario/scenario-error.js';
import type { Scenario, ScenarioFault, ScenarioTarget } from '../sim/scenario/types.js';
import { resolveScenario } from '../sim/scenario/validate.js';

const NQN = 'nqn.2024-01.io.test:ana';

function scenario(faults: readonly ScenarioFault[], target: Partial<ScenarioTarget> = {}): Scenario {
  return {
    name: 'ana',
    duration: '60ms',
    drain: '20ms',
    nodes: [{ name: 'h' }, { name: 't' }],
    links: [{ a: 'h', b: 't', options: { latencyUs: 10 } }],
    targets: [
      {
        node: 't',
        subsystems: [{ nqn: NQN, namespaces: [{ backend: 'ram:16MiB', anaGroupId: 2 }] }],
        anaGroups: [{ grpid: 2, state: 'optimized' }],
        ...target,
      },
    ],
    hosts: [{ node: 'h', connect: { target: 't' }, workload: { rw: 'randread', bs: '4k', iodepth: 4 } }],
    faults,
    invariants: [{ check: 'ios-accounted' }, { check: 'workload-progress' }],
  };
}

function refusal(value: Scenario): string {
  try {
    resolveScenario(value, 'ana.ts');
    return '';
  } catch (error) {
    if (error instanceof ScenarioError) return error.message;
    throw error;
  }
}

const flip = (at: string, state: string, extra: Record<string, unknown> = {}): ScenarioFault =>
  ({ at, action: 'setAnaState', target: 't', port: 1, group: 2, state, ...extra }) as unknown as ScenarioFault;

test('scenario ana: bad targets, ports, groups and states are one line naming the field', (t) => {
  t.is(refusal(scenario([flip('10ms', 'inaccessible', { target: 'x' })])), "ana.ts: faults[0].target: no target named 'x'");
  t.is(
    refusal(scenario([flip('10ms', 'inaccessible', { port: 4420 })])),
    "ana.ts: faults[0].port: target 't' has no port 4420 (port is the port ID, not the TCP port: 1)",
  );
  t.is(refusal(scenario([flip('10ms', 'inaccessible', { group: 3 })])), "ana.ts: faults[0].group: port 1 of target 't' has no ANA group 3 (groups: 1, 2)");
  t.regex(refusal(scenario([flip('10ms', 'sideways')])), /^ana\.ts: faults\[0\]\.state: must be one of 'optimized', 'non-optimized', 'inaccessible', 'persistent-loss', 'change'/);
  t.regex(refusal(scenario([], { anaGroups: [{ grpid: 2, state: 'lost' as 'change' }] })), /^ana\.ts: targets\[0\]\.anaGroups\[0\]\.state: must be one of /);
  t.regex(refusal(scenario([], { anaGroups: [{ grpid: 129 }] })), /^ana\.ts: targets\[0\]\.anaGroups\[0\]\.grpid: must be an integer/);
  t.is(
    refusal(scenario([], { anaGroups: [{ grpid: 2 }, { grpid: 2 }] })),
    'ana.ts: targets[0].anaGroups[1].grpid: duplicate ANA group \'2\'',
  );
  t.is(
    refusal(scenario([], { anaGroups: [] })),
    "ana.ts: targets[0].subsystems[0].namespaces[0].anaGroupId: target 't' has no ANA group 2 (groups: 1; list it in anaGroups)",
  );
  t.is(refusal(scenario([flip('10ms', 'inaccessible')])), '');
});

test('scenario ana: inaccessible on the only path fails I/O with the ANA status; optimized again resumes it', async (t) => {
  const value = scenario([flip('20ms', 'inaccessible'), flip('35ms', 'optimized')]);
  const result = await runScenario(resolveScenario({ ...value, invariants: [...(value.invariants ?? []), { check: 'no-io-errors' }] }, 'ana.ts'));
  t.deepEqual(
    result.faultsApplied.map((fault) => [fault.atNs / 1e6, fault.action, fault.detail]),
    [
      [20, 'setAnaState', 'target t port 1 ANA group 2: inaccessible'],
      [35, 'setAnaState', 'target t port 1 ANA group 2: optimized'],
    ],
  );
  t.deepEqual(
    result.timeSeries.faults.map((fault) => [fault.tMs, fault.action]),
    [
      [20, 'setAnaState'],
      [35, 'setAnaState'],
    ],
  );
  t.true(result.errors > 0, `errors: ${result.errors}`);
  const host = result.perHost[0];
  t.is(host?.errors, result.errors);
  const intervals = result.timeSeries.intervals;
  const before = intervals.filter((row) => row.tMs < 20);
  const after = intervals.filter((row) => row.tMs >= 40 && row.tMs < 60);
  t.true(before.every((row) => row.errors === 0) && before.reduce((sum, row) => sum + row.ios, 0) > 0, 'I/O runs before');
  t.true(after.reduce((sum, row) => sum + row.ios - row.errors, 0) > 0, 'I/O succeeds again after');
  t.true(after.every((row) => row.errors === 0), 'no errors once optimized');
  // The failures are the ANA Inaccessible path status (SCT 3h, SC 02h; More set, as the target logs
  // every error), from the flip on.
  const errors = result.invariants.find((inv) => inv.name === 'no-io-errors');
  t.false(errors?.ok);
  t.regex(errors?.detail ?? '', /first status 0x2302 at 20\.\d+ ms$/);
  t.true(result.invariants.filter((inv) => inv.name !== 'no-io-errors').every((inv) => inv.ok), JSON.stringify(result.invariants));
});

test('scenario ana: a scenario file with a bad state is refused at load with the field', async (t) => {
  // `nvmf-sim run` prints a ScenarioError as its one line and exits 2.
  const error = await t.throwsAsync(loadScenario('test/fixtures/scenarios/ana-bad-state.ts'), { instanceOf: ScenarioError });
  t.regex(error?.message ?? '', /^test\/fixtures\/scenarios\/ana-bad-state\.ts: faults\[0\]\.state: must be one of 'optimized', 'non-optimized', 'inaccessible', 'persistent-loss', 'change'/);
  t.false((error?.message ?? '').includes('\n'));
});
