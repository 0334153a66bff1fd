// Fault verbs as records (sim/scenario/fault-verbs/): each verb has an example here (the map is
// keyed by every action, so a new verb does not compile without one), which must validate, apply
// in simulation with its one-line description, and either be accepted or refused, with a field
// path, in a real-time run. The README's fault table is the records' rendering (scenario-docs).
import test from 'ava';
import { FAULT_ACTIONS, FAULT_VERBS, HEALING_ACTIONS, type FaultAction } from '../sim/scenario/fault-verbs/index.js';
import { runScenario } from '../sim/scenario/runner.js';
import { ScenarioError } from '../sim/scenario/scenario-error.js';
import type { Scenario, ScenarioFault } from '../sim/scenario/types.js';
import { resolveScenario } from '../sim/scenario/validate.js';

const NQN = 'nqn.2024-01.io.test:v';

interface Example {
  /** The fault, at 2 ms. */
  readonly fault: ScenarioFault;
  /** Its faultsApplied detail in simulation. */
  readonly detail: string;
  /** A bad field of it and the message, with the fault's path. */
  readonly bad: readonly [Record<string, unknown>, string];
}

const EXAMPLES: Record<FaultAction, Example> = {
  partition: {
    fault: { at: '2ms', action: 'partition', between: ['h', 't'], from: 't' },
    detail: 'link t -> h partitioned (one way)',
    bad: [{ between: ['h', 't', 'x'] }, "faults[0].between: must name two ends, e.g. ['host', 'target'], not 3"],
  },
  heal: { fault: { at: '2ms', action: 'heal' }, detail: 'every partition healed', bad: [{ from: 'h' }, 'faults[0].from: needs between'] },
  setLink: {
    fault: { at: '2ms', action: 'setLink', between: ['h', 't'], options: { lossRate: 0.5 } },
    detail: 'link h <-> t: lossRate=0.5',
    bad: [{ options: { lossRate: 2 } }, 'faults[0].options.lossRate: must be a number in [0, 1], not 2'],
  },
  crash: { fault: { at: '2ms', action: 'crash', node: 't' }, detail: 'node t crashed', bad: [{ node: 'x' }, "faults[0].node: no node named 'x'"] },
  restart: {
    fault: { at: '2ms', action: 'restart', node: 't' },
    detail: 'node t restarted (it was up: crashed first)',
    bad: [{ node: 7 }, 'faults[0].node: must be a non-empty string, not 7'],
  },
  pause: { fault: { at: '2ms', action: 'pause', node: 'h' }, detail: 'node h paused', bad: [{ node: undefined }, 'faults[0].node: is required'] },
  resume: { fault: { at: '2ms', action: 'resume', node: 'h' }, detail: 'node h resumed', bad: [{ nodes: 'h' }, 'faults[0].nodes: unknown field (expected one of: action, at, atNs, when, delay, node)'] },
  slowDevice: {
    fault: { at: '2ms', action: 'slowDevice', target: 't', multiplier: 3, addedLatencyUs: 5 },
    detail: `t ${NQN}/1: 3x slower, +5 µs`,
    bad: [{ multiplier: 0.5 }, 'faults[0].multiplier: must be a number >= 1, not 0.5'],
  },
  failDevice: {
    fault: { at: '2ms', action: 'failDevice', target: 't', status: 0x2 },
    detail: `t ${NQN}/1: failed (status 0x2)`,
    bad: [{ nsid: 2 }, `faults[0].nsid: subsystem '${NQN}' has no namespace 2`],
  },
  repairDevice: { fault: { at: '2ms', action: 'repairDevice', target: 't' }, detail: `t ${NQN}/1: repaired`, bad: [{ target: 'x' }, "faults[0].target: no target named 'x'"] },
  setAnaState: {
    fault: { at: '2ms', action: 'setAnaState', target: 't', port: 1, group: 1, state: 'non-optimized' },
    detail: 'target t port 1 ANA group 1: non-optimized',
    bad: [{ group: 2 }, "faults[0].group: port 1 of target 't' has no ANA group 2 (groups: 1)"],
  },
};

function scenario(faults: readonly ScenarioFault[], runtime: 'sim' | 'qemu' = 'sim'): Scenario {
  const real = runtime !== 'sim';
  return {
    name: 'verbs',
    duration: '5ms',
    drain: '5ms',
    nodes: [{ name: 'h' }, { name: 't', runtime }],
    links: [{ a: 'h', b: 't', options: { latencyUs: 8 } }],
    targets: [{ node: 't', subsystems: [{ nqn: NQN, namespaces: [{ backend: real ? 'null:64MiB' : 'ram:64MiB' }] }] }],
    hosts: [{ node: 'h', connect: { target: 't' }, workload: { rw: 'randread', iodepth: 2 } }],
    faults,
  };
}

function refusal(value: Scenario): string {
  try {
    resolveScenario(value, 'v.ts');
    return '';
  } catch (error) {
    if (error instanceof ScenarioError) return error.message;
    throw error;
  }
}

test('scenario: every verb has one record, in FAULT_ACTIONS order', (t) => {
  t.deepEqual(
    FAULT_VERBS.map((verb) => verb.action),
    [...FAULT_ACTIONS],
  );
  t.deepEqual(Object.keys(EXAMPLES).sort(), [...FAULT_ACTIONS].sort());
  t.deepEqual([...HEALING_ACTIONS], ['heal', 'restart', 'resume', 'repairDevice']);
});

for (const action of FAULT_ACTIONS) {
  const example = EXAMPLES[action];
  test(`scenario: ${action} applies in simulation`, async (t) => {
    const result = await runScenario(resolveScenario(scenario([example.fault]), 'v.ts'));
    t.deepEqual(
      result.faultsApplied.map((fault) => [fault.action, fault.detail]),
      [[action, example.detail]],
    );
    const healing = FAULT_VERBS.find((verb) => verb.action === action)?.heals === true;
    t.is(result.invariants.some((inv) => inv.name === 'io-resumes'), healing, 'io-resumes is judged after a healing verb only');
  });

  test(`scenario: ${action} names its bad field`, (t) => {
    const [change, message] = example.bad;
    const fault = { ...example.fault, ...change } as unknown as ScenarioFault;
    t.is(refusal(scenario([fault])), `v.ts: ${message}`);
  });

  test(`scenario: ${action} in a real-time run is applied or refused by its record`, (t) => {
    const verb = FAULT_VERBS.find((record) => record.action === action);
    const message = refusal(scenario([example.fault], 'qemu'));
    if (verb !== undefined && 'refused' in verb.real) t.is(message, `v.ts: faults[0].action: '${action}' ${verb.real.refused}`);
    else t.is(message, '', 'accepted');
  });
}
