// Scenarios with an ECMP fabric and per-flow faults: the fabric builds two leaves joined by its
// paths; setLink, partition and heal take one `path`; `flows` puts a fault on chosen queues'
// connections only; a path or a flow selector that names nothing is a one-line error naming the
// field (exit status 2 from the CLI); and scenarios/multiqueue-loss.ts shows its outcome: the
// queues hashed onto the lossy path, and only they, grow a tail.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EcmpGroup } from '../sim/net/ecmp-group.js';
import { ipv4ToInt } from '../sim/net/flow-hash.js';
import { loadScenario } from '../sim/scenario/load.js';
import { runScenario } from '../sim/scenario/runner.js';
import { ScenarioError } from '../sim/scenario/scenario-error.js';
import type { Scenario, ScenarioFault } from '../sim/scenario/types.js';
import { resolveScenario } from '../sim/scenario/validate.js';
import type { World } from '../sim/world/sim-world.js';
import { nvmfSim } from './helpers/cli-run.js';

const NQN = 'nqn.2024-01.io.test:ecmp';

function fabricScenario(faults: readonly ScenarioFault[], duration = '5ms'): Scenario {
  return {
    name: 'ecmp',
    duration,
    drain: '5ms',
    nodes: [{ name: 'h', cores: 4 }, { name: 't' }],
    switch: { linkOptions: { latencyUs: 2 } },
    fabric: { paths: [{ options: { latencyUs: 3 } }, { name: 'spine2', options: { latencyUs: 3 } }] },
    targets: [{ node: 't', subsystems: [{ nqn: NQN, namespaces: [{ backend: 'ram:64MiB' }] }] }],
    hosts: [{ node: 'h', connect: { target: 't' }, workload: { rw: 'randread', iodepth: 8 } }],
    faults,
  };
}

function refusal(value: unknown): string {
  try {
    resolveScenario(value, 'e.ts');
    return '';
  } catch (error) {
    if (error instanceof ScenarioError) return error.message;
    throw error;
  }
}

test('ecmp: a fabric puts the targets on one leaf, every other node on the other, joined by its paths', (t) => {
  const resolved = resolveScenario(fabricScenario([]), 'e.ts');
  t.is(resolved.switch, undefined);
  t.deepEqual(
    resolved.links.map((link) => [link.a, link.b]),
    [
      ['h', 'leaf1'],
      ['t', 'leaf2'],
    ],
  );
  t.deepEqual(resolved.fabric?.paths.map((path) => path.name), ['path1', 'spine2']);
});

test('ecmp: setLink, partition and heal act on one path', async (t) => {
  const result = await runScenario(
    resolveScenario(
      fabricScenario([
        { at: '1ms', action: 'setLink', path: 'path1', options: { lossRate: 0.01 } },
        { at: '2ms', action: 'partition', path: 'spine2', from: 'leaf2' },
        { at: '3ms', action: 'heal', path: 'spine2' },
      ]),
      'e.ts',
    ),
  );
  t.deepEqual(
    result.faultsApplied.map((fault) => fault.detail),
    ['path path1: lossRate=0.01', 'path spine2 partitioned from leaf2 (one way)', 'path spine2 healed'],
  );
});

test('flows: a partition of one queue\'s connection stalls that queue only', async (t) => {
  const scenario = fabricScenario([{ at: '5ms', action: 'partition', flows: { host: 'h', qids: [2] } }], '40ms');
  const result = await runScenario(resolveScenario({ ...scenario, invariants: [{ check: 'workload-progress' }] }, 'e.ts'));
  t.deepEqual(result.faultsApplied.map((fault) => fault.detail), ['the link of h, flows host=h qids=2: partitioned']);
  const ios = new Map(result.perQueue.map((queue) => [queue.qid, queue.ios]));
  const stalled = ios.get(2) ?? 0;
  for (const qid of [1, 3, 4]) t.true((ios.get(qid) ?? 0) > 4 * stalled, `queue ${qid} (${ios.get(qid)}) ran on, queue 2 (${stalled}) stalled`);
});

test('flows: loss on a hashed fraction of flows, on one path, and setLink of the same flows again', async (t) => {
  const result = await runScenario(
    resolveScenario(
      fabricScenario([
        { at: '1ms', action: 'setLink', path: 'path1', flows: { fraction: 0.5 }, options: { lossRate: 0.02 } },
        { at: '2ms', action: 'setLink', path: 'path1', flows: { fraction: 0.5 }, options: { lossRate: 0 } },
      ]),
      'e.ts',
    ),
  );
  t.deepEqual(result.faultsApplied.map((fault) => fault.detail), ['path path1, flows fraction=0.5: lossRate=0.02', 'path path1, flows fraction=0.5: lossRate=0']);
});

const BAD: readonly [string, ScenarioFault | Record<string, unknown>, string][] = [
  ['an unknown path', { at: '1ms', action: 'setLink', path: 'path9', options: {} }, "faults[0].path: no fabric path named 'path9' (paths: path1, spine2)"],
  ['a path and between', { at: '1ms', action: 'partition', path: 'path1', between: ['h', 'leaf1'] }, 'faults[0].path: give between or path, not both'],
  ['from that is not a leaf of the path', { at: '1ms', action: 'partition', path: 'path1', from: 'h' }, "faults[0].from: must be one of the path's leaves 'leaf1' or 'leaf2', not 'h'"],
  ['an empty flow selector', { at: '1ms', action: 'partition', between: ['h', 'leaf1'], flows: {} }, 'faults[0].flows: names no flow: give host, qids or fraction'],
  ['an unknown host', { at: '1ms', action: 'partition', flows: { host: 'x' } }, "faults[0].flows.host: no host named 'x'"],
  ['a qid the host does not have', { at: '1ms', action: 'partition', flows: { host: 'h', qids: [1, 5] } }, "faults[0].flows.qids[1]: host 'h' has no queue 5 (qids 0..4: 0 is the admin queue)"],
  ['qids without a host', { at: '1ms', action: 'partition', between: ['h', 'leaf1'], flows: { qids: [1] } }, 'faults[0].flows.qids: needs host (whose queues)'],
  ['a fraction of nothing', { at: '1ms', action: 'setLink', path: 'path1', flows: { fraction: 0 }, options: {} }, 'faults[0].flows.fraction: must be a number in (0, 1], not 0'],
  ['flows on no link', { at: '1ms', action: 'setLink', flows: { fraction: 0.5 }, options: {} }, 'faults[0].between: is required with flows but no host (between, path, or targetPort)'],
  ['flows with node', { at: '1ms', action: 'partition', node: 'h', flows: { host: 'h' } }, 'faults[0].flows: goes with between, path or a host, not node'],
];

for (const [what, fault, message] of BAD) {
  test(`ecmp: bad input: ${what} is named`, (t) => {
    t.is(refusal(fabricScenario([fault as ScenarioFault])), `e.ts: ${message}`);
  });
}

test('ecmp: bad input: the fabric\'s own fields', (t) => {
  const base = fabricScenario([]);
  t.is(refusal({ ...base, fabric: { paths: [] } }), 'e.ts: fabric.paths: must list at least one entry');
  t.is(refusal({ ...base, fabric: { paths: [{ name: 'a' }, { name: 'a' }] } }), "e.ts: fabric.paths[1].name: duplicate path name 'a'");
  t.is(refusal({ ...base, fabric: { paths: [{}], hostLeaf: 't' } }), "e.ts: fabric.hostLeaf: 't' is also a node name");
  t.is(refusal({ ...base, switch: { name: 'tor' } }), 'e.ts: switch.name: with fabric the switches are its leaves (name them fabric.hostLeaf and fabric.targetLeaf)');
  t.is(refusal({ ...fabricScenario([{ at: '1ms', action: 'partition', path: 'path1' }]), fabric: undefined, switch: {} }), 'e.ts: faults[0].path: names no path: the scenario has no fabric');
});

test('ecmp: cli: a path that names nothing is one line naming the field, exit status 2', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nvmf-sim-ecmp-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'bad-path.ts');
  writeFileSync(file, `export default ${JSON.stringify(fabricScenario([{ at: '1ms', action: 'heal', path: 'nowhere' }]))};\n`);
  const run = await nvmfSim(['run', file], { NVMF_SIM_FROM: 'sources' });
  t.is(run.code, 2, run.stderr);
  const lines = run.stderr.split('\n').filter((line) => line !== '');
  t.is(lines.length, 1, run.stderr);
  t.regex(lines[0] ?? '', /^nvmf-sim: .*faults\[0\]\.path: no fabric path named 'nowhere'/);
});

test('multiqueue-loss: only the queues hashed onto the lossy path grow a tail', async (t) => {
  let world: World | undefined;
  const scenario = await loadScenario('scenarios/multiqueue-loss.ts');
  const result = await runScenario(scenario, { onWorld: (built) => (world = built) });
  if (world === undefined) return t.fail('no world');
  // Which queues the hash put on path2 (index 1): the host's connections in the order it opened
  // them are its admin queue, then I/O queues 1..8.
  const group = world.network.switch('leaf1').ports.find((port) => port.group !== null)?.group;
  if (!(group instanceof EcmpGroup)) return t.fail('no ECMP group');
  const host = ipv4ToInt(world.network.node('host').nics[0]?.ip ?? '');
  const target = ipv4ToInt(world.network.node('target').nics[0]?.ip ?? '');
  const connections = world.network.node('host').stack.connections();
  t.is(connections.length, 9, 'admin + 8 I/O queues');
  const lossy = connections.map((c, qid) => ({ qid, path: group.indexOf(host, c.localPort, target, c.remotePort) })).filter((q) => q.qid > 0 && q.path === 1).map((q) => q.qid);
  t.true(lossy.length > 0 && lossy.length < 8, `some queues hash onto the lossy path (${lossy.join(', ')})`);
  for (const queue of result.perQueue) {
    const p99 = queue.latencyUs?.p99 ?? 0;
    const p999 = queue.latencyUs?.p999 ?? 0;
    const clean = result.perQueue.filter((q) => !lossy.includes(q.qid));
    const worstClean = Math.max(...clean.map((q) => q.latencyUs?.p999 ?? 0));
    if (lossy.includes(queue.qid)) {
      t.true(p999 > 20 * worstClean, `queue ${queue.qid} on the lossy path: p99.9 ${p999} µs vs ${worstClean} µs at worst elsewhere`);
      t.true(p99 > Math.max(...clean.map((q) => q.latencyUs?.p99 ?? 0)), `queue ${queue.qid}: p99 ${p99} µs above every clean queue's`);
    } else {
      t.true(p999 < 5000, `queue ${queue.qid} on a clean path keeps a short tail (p99.9 ${p999} µs)`);
    }
  }
});

test('ecmp: a real-time run refuses a fabric and per-flow faults, naming the field', (t) => {
  const real: Scenario = {
    name: 'real',
    duration: '1s',
    nodes: [{ name: 'h' }, { name: 't', runtime: 'qemu' }],
    links: [{ a: 'h', b: 't' }],
    targets: [{ node: 't', subsystems: [{ nqn: NQN, namespaces: [{ backend: 'null:64MiB' }] }] }],
    hosts: [{ node: 'h', connect: { target: 't' }, workload: { rw: 'randread' } }],
  };
  t.is(refusal({ ...real, links: undefined, fabric: { paths: [{}] } }), 'e.ts: fabric: runs only in simulation (a real-runtime node reaches the hosts over loopback)');
  t.is(
    refusal({ ...real, faults: [{ at: '1ms', action: 'partition', between: ['h', 't'], flows: { host: 'h' } }] }),
    'e.ts: faults[0].flows: per-flow faults exist only in simulation',
  );
});
