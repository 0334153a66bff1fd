// Target ports in scenarios: a target lists ports (nvmet ports/<id>), each with ANA groups of its
// own and, with a NIC of its own, its own link to the switch; host paths name { target, port },
// link faults take a targetPort selector, and setAnaState acts on one port. The one-port form
// resolves to port 1 on the node's NIC. Bad ports are one-line errors naming the field
// (ScenarioErrors: exit 2 from the CLI).
import test from 'ava';
import { runScenario } from '../sim/scenario/runner.js';
import { ScenarioError } from '../sim/scenario/scenario-error.js';
import type { Scenario, ScenarioConnect, ScenarioFault, ScenarioTarget } from '../sim/scenario/types.js';
import { resolveScenario } from '../sim/scenario/validate.js';

const NQN = 'nqn.2024-01.io.test:ports';

function scenario(options: { target?: Partial<ScenarioTarget>; connect?: Partial<ScenarioConnect>; faults?: readonly ScenarioFault[]; noSwitch?: boolean } = {}): Scenario {
  return {
    name: 'ports',
    duration: '40ms',
    drain: '20ms',
    nodes: [{ name: 'h' }, { name: 't' }],
    ...(options.noSwitch === true ? { links: [{ a: 'h', b: 't' }] } : { switch: { linkOptions: { latencyUs: 5 } } }),
    targets: [
      {
        node: 't',
        subsystems: [{ nqn: NQN, namespaces: [{ backend: 'ram:16MiB' }] }],
        ports: [
          { id: 1, anaGroups: [{ grpid: 1, state: 'optimized' }] },
          { id: 2, nic: {}, anaGroups: [{ grpid: 1, state: 'non-optimized' }] },
        ],
        ...options.target,
      },
    ],
    hosts: [
      {
        node: 'h',
        connect: { target: 't', port: 1, paths: [{ target: 't', port: 2 }], ioTimeoutS: 0.01, ...options.connect },
        workload: { rw: 'randrw', bs: '4k', iodepth: 4, verify: true },
      },
    ],
    faults: options.faults ?? [],
    invariants: [{ check: 'ios-accounted' }, { check: 'no-verify-mismatch' }, { check: 'no-app-errors-with-a-path' }],
  };
}

function refusal(value: Scenario): string {
  try {
    resolveScenario(value, 'ports.ts');
    return '';
  } catch (error) {
    if (error instanceof ScenarioError) return error.message;
    throw error;
  }
}

const fault = (value: Record<string, unknown>): ScenarioFault => ({ at: '10ms', ...value }) as unknown as ScenarioFault;

test('scenario target ports: bad ports, paths and selectors are one line naming the field', (t) => {
  t.is(refusal(scenario()), '');
  const cases: [Scenario, string][] = [
    [scenario({ connect: { paths: [{ target: 't', port: 3 }] } }), "ports.ts: hosts[0].connect.paths[0].port: target 't' has no port 3 (ports: 1, 2)"],
    [scenario({ connect: { port: 9 } }), "ports.ts: hosts[0].connect.port: target 't' has no port 9 (ports: 1, 2)"],
    [scenario({ connect: { paths: [{ target: 't', port: 1 }] } }), "ports.ts: hosts[0].connect.paths[0].port: repeats the path to port 1 of target 't'"],
    [scenario({ target: { ports: [{ id: 1 }, { id: 1, nic: {} }] } }), "ports.ts: targets[0].ports[1].id: duplicate port ID '1'"],
    [scenario({ target: { anaGroups: [{ grpid: 1 }] } }), 'ports.ts: targets[0].anaGroups: give each port its own anaGroups (ports[].anaGroups) when the target lists ports'],
    [scenario({ target: { ports: [{ id: 1, link: { latencyUs: 1 } }, { id: 2, nic: {} }] } }), "ports.ts: targets[0].ports[0].link: needs nic (a port on the node's NIC uses the node's link)"],
    [scenario({ noSwitch: true }), 'ports.ts: targets[0].ports[1].nic: a port with a NIC of its own is linked to the switch: add a switch to the scenario'],
    [scenario({ target: { ports: [{ id: 1 }, { id: 2 }] } }), "ports.ts: targets[0].ports[1].port: duplicate node and port 't:4420'"],
    [scenario({ target: { ports: [{ id: 1 }, { id: 2, nic: { ip: '10.0.0.1' } }] } }), "ports.ts: targets[0].ports[1].nic.ip: duplicate IP address '10.0.0.1' (nodes[0] has it)"],
    [scenario({ target: { ports: [{ id: 0 }] } }), 'ports.ts: targets[0].ports[0].id: must be an integer 1..65535, not 0'],
    [
      scenario({ target: { subsystems: [{ nqn: NQN, namespaces: [{ backend: 'ram:16MiB', anaGroupId: 3 }] }] } }),
      "ports.ts: targets[0].subsystems[0].namespaces[0].anaGroupId: target 't' has no ANA group 3 (groups: 1; list it in anaGroups)",
    ],
    [scenario({ faults: [fault({ action: 'partition', targetPort: { target: 't', port: 5 } })] }), "ports.ts: faults[0].targetPort.port: target 't' has no port 5 (ports: 1, 2)"],
    [scenario({ faults: [fault({ action: 'heal', targetPort: { target: 'x', port: 1 } })] }), "ports.ts: faults[0].targetPort.target: no target named 'x'"],
    [
      scenario({ faults: [fault({ action: 'partition', between: ['h', 'switch'], targetPort: { target: 't', port: 1 } })] }),
      'ports.ts: faults[0].targetPort: give one of between, node or targetPort, not between and targetPort',
    ],
    [
      scenario({ faults: [fault({ action: 'partition', targetPort: { target: 't', port: 1 }, from: 't' })] }),
      'ports.ts: faults[0].from: needs between',
    ],
    [scenario({ faults: [fault({ action: 'setLink', options: { latencyUs: 1 } })] }), "ports.ts: faults[0].between: is required (between: ['a', 'b'], path: 'path1', or targetPort: { target, port })"],
    [
      scenario({ faults: [fault({ action: 'setAnaState', target: 't', port: 2, group: 2, state: 'optimized' })] }),
      "ports.ts: faults[0].group: port 2 of target 't' has no ANA group 2 (groups: 1)",
    ],
  ];
  for (const [value, expected] of cases) t.is(refusal(value), expected);
});

test('scenario target ports: a target without ports is port 1 on the node NIC, with its anaGroups', (t) => {
  const resolved = resolveScenario(
    { ...scenario({ target: { ports: undefined as never, anaGroups: [{ grpid: 2 }] } }), hosts: [{ node: 'h', connect: { target: 't' } }] },
    'ports.ts',
  );
  t.deepEqual(resolved.targets[0]?.ports, [
    { id: 1, port: 4420, ip: '10.0.0.2', nic: undefined, anaGroups: [{ grpid: 1, state: 'optimized' }, { grpid: 2, state: 'optimized' }] },
  ]);
  t.deepEqual(resolved.hosts[0]?.connect.paths, [{ target: 't', port: 1, label: 't' }]);
  // Only port NICs add links: the node's own links are as before.
  t.deepEqual(resolved.links.map((link) => [link.a, link.b]), [['h', 'switch'], ['t', 'switch']]);
});

test('scenario target ports: cutting one port\'s link fails over to the other port of the same target; heal ends the cut', async (t) => {
  const value = scenario({
    connect: { iopolicy: 'round-robin' },
    target: { ports: [{ id: 1 }, { id: 2, nic: {}, link: { latencyUs: 20 } }] },
    faults: [
      fault({ at: '10ms', action: 'setLink', targetPort: { target: 't', port: 2 }, options: { latencyUs: 30 } }),
      fault({ at: '15ms', action: 'partition', targetPort: { target: 't', port: 1 } }),
      fault({ at: '30ms', action: 'heal', targetPort: { target: 't', port: 1 } }),
    ],
  });
  const resolved = resolveScenario(value, 'ports.ts');
  t.deepEqual(resolved.links.map((link) => [link.a, link.b, link.options.latencyUs]), [['h', 'switch', 5], ['t', 'switch', 5], ['t/eth1', 'switch', 20]]);
  const result = await runScenario(resolved);
  t.true(result.ok, JSON.stringify(result.invariants));
  t.is(result.errors, 0);
  t.deepEqual(result.faultsApplied.map((applied) => applied.detail), [
    'target t port 2 (t/eth1): latencyUs=30',
    'target t port 1 (t/eth0) partitioned',
    'target t port 1 (t/eth0) healed',
  ]);
  const paths = result.perHost[0]?.paths ?? [];
  t.deepEqual(paths.map((path) => [path.target, path.port, path.name]), [['t', 1, '10.0.0.2:4420'], ['t', 2, '10.255.0.2:4420']]);
  t.true(paths.every((path) => path.completed > 0), JSON.stringify(paths));
  const failovers = result.perHost[0]?.failovers ?? [];
  t.true(failovers.length >= 1 && failovers[0]?.fromPath === 't/1' && failovers[0].toPath === 't/2', JSON.stringify(failovers));
});
