// Scenario validation: every unknown or out-of-range field, and every file that cannot be loaded,
// gives exactly one line naming the file and the field path; defaults are applied as documented.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../sim/scenario/load.js';
import { ScenarioError } from '../sim/scenario/scenario-error.js';
import { resolveScenario } from '../sim/scenario/validate.js';

const SOURCE = 'scenarios/x.ts';

/** A small valid scenario; `edit` returns a changed copy (plain data, so tests can break types). */
function scenario(edit: (s: Record<string, unknown>) => void = () => {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    name: 'x',
    duration: '10ms',
    nodes: [{ name: 'h' }, { name: 't', cores: 2 }],
    links: [{ a: 'h', b: 't', options: { latencyUs: 8 } }],
    targets: [{ node: 't', subsystems: [{ nqn: 'nqn.2024-01.io.test:x', namespaces: [{ backend: 'null:1GiB' }] }] }],
    hosts: [{ node: 'h', connect: { target: 't' }, workload: { rw: 'randread', iodepth: 4 } }],
  };
  const copy = structuredClone(base);
  edit(copy);
  return copy;
}

function host(s: Record<string, unknown>): Record<string, Record<string, unknown>> {
  return (s.hosts as Record<string, Record<string, unknown>>[])[0] as Record<string, Record<string, unknown>>;
}

// Linux's nvme-fabrics defaults nr_io_queues to num_online_cpus() (drivers/nvme/host/fabrics.c).
test('scenario: nrIoQueues defaults to the host node cores, at most 128', (t) => {
  const queues = (cores: number): number | undefined =>
    resolveScenario(
      scenario((s) => ((s.nodes as Record<string, unknown>[])[0] = { name: 'h', cores })),
      SOURCE,
    ).hosts[0]?.connect.nrIoQueues;
  t.is(queues(2), 2);
  t.is(queues(32), 32);
  t.is(queues(200), 128);
  const explicit = resolveScenario(
    scenario((s) => {
      (s.nodes as Record<string, unknown>[])[0] = { name: 'h', cores: 2 };
      host(s).connect = { target: 't', nrIoQueues: 6 };
    }),
    SOURCE,
  );
  t.is(explicit.hosts[0]?.connect.nrIoQueues, 6);
});

const rejects = test.macro((t, edit: (s: Record<string, unknown>) => void, message: string) => {
  const error = t.throws(() => resolveScenario(scenario(edit), SOURCE), { instanceOf: ScenarioError });
  t.is(error?.message, message);
  t.false(error?.message.includes('\n'));
});

test('scenario: a valid scenario resolves with documented defaults', (t) => {
  const resolved = resolveScenario(scenario(), SOURCE);
  t.is(resolved.durationNs, 10_000_000);
  t.is(resolved.seed, '1');
  t.deepEqual(
    resolved.nodes.map((node) => [node.name, node.ip, node.cores, node.cpuProfile]),
    [
      ['h', '10.0.0.1', 8, 'tcp'],
      ['t', '10.0.0.2', 2, 'tcp'],
    ],
  );
  const connect = resolved.hosts[0]?.connect;
  // nrIoQueues: the host node's 8 default cores.
  t.like(connect, { nqn: 'nqn.2024-01.io.test:x', nsid: 1, nrIoQueues: 8, queueSize: 128, keepAliveTmoS: 5, ioTimeoutS: 30 });
  t.is(resolved.targets[0]?.port, 4420);
  t.is(resolved.drainNs, 60e9);
  t.deepEqual(
    resolved.invariants.map((inv) => inv.check),
    ['workload-progress', 'ios-accounted', 'no-verify-mismatch'],
  );
});

test('scenario: overrides win and faults past a shortened duration are dropped', (t) => {
  const resolved = resolveScenario(
    scenario((s) => {
      s.faults = [
        { at: '2ms', action: 'partition', between: ['h', 't'] },
        { at: '8ms', action: 'heal', between: ['h', 't'] },
      ];
    }),
    SOURCE,
    { seed: '7', durationNs: 5_000_000 },
  );
  t.is(resolved.seed, '7');
  t.is(resolved.durationNs, 5_000_000);
  t.deepEqual(
    resolved.faults.map((fault) => fault.fault.action),
    ['partition'],
  );
});

test(
  'scenario: nrIoQueues out of range',
  rejects,
  (s) => {
    host(s).connect = { target: 't', nrIoQueues: 129 };
  },
  'scenarios/x.ts: hosts[0].connect.nrIoQueues: must be an integer 1..128, not 129',
);
test(
  'scenario: unknown connect option',
  rejects,
  (s) => {
    host(s).connect = { target: 't', nrIoQueue: 8 };
  },
  'scenarios/x.ts: hosts[0].connect.nrIoQueue: unknown field (expected one of: target, nqn, nsid, nrIoQueues, queueSize, hdrDigest, dataDigest, keepAliveTmoS, reconnectDelayS, ctrlLossTmoS, ioTimeoutS, fastIoFailTmoS, paths, iopolicy, port)',
);
test(
  'scenario: queue size below the Linux minimum',
  rejects,
  (s) => {
    host(s).connect = { target: 't', queueSize: 8 };
  },
  'scenarios/x.ts: hosts[0].connect.queueSize: must be an integer 16..1024, not 8',
);
test(
  'scenario: unknown top-level field',
  rejects,
  (s) => {
    s.durationSeconds = 1;
  },
  'scenarios/x.ts: durationSeconds: unknown field (expected one of: name, description, seed, duration, durationNs, drain, nodes, links, switch, fabric, targets, hosts, faults, invariants, steps)',
);
test(
  'scenario: missing duration',
  rejects,
  (s) => {
    delete s.duration;
  },
  "scenarios/x.ts: duration: is required (e.g. duration: '1s')",
);
test(
  'scenario: malformed duration',
  rejects,
  (s) => {
    s.duration = '10 parsecs';
  },
  "scenarios/x.ts: duration: malformed duration '10 parsecs' (expected e.g. 5s, 200ms, 8us)",
);
test(
  'scenario: link loss rate is a probability',
  rejects,
  (s) => {
    s.links = [{ a: 'h', b: 't', options: { lossRate: 1.5 } }];
  },
  'scenarios/x.ts: links[0].options.lossRate: must be a number in [0, 1], not 1.5',
);
test(
  'scenario: unknown link option',
  rejects,
  (s) => {
    s.links = [{ a: 'h', b: 't', options: { latencyMs: 1 } }];
  },
  `scenarios/x.ts: links[0].options.latencyMs: unknown field (expected one of: latencyUs, latencyDistribution, jitterUs, paretoShape, bandwidthBps, lossRate, geGoodToBadRate, geBadToGoodRate, geLossRateBad, geLossRateGood, duplicateRate, reorderRate, reorderExtraDelayUs, corruptRate, silentCorruptRate, partitioned, aToB, bToA)`,
);
test(
  'scenario: link to an unknown node',
  rejects,
  (s) => {
    s.links = [{ a: 'h', b: 'nobody' }];
  },
  "scenarios/x.ts: links[0].b: no node named 'nobody'",
);
test(
  'scenario: bad backend spec',
  rejects,
  (s) => {
    s.targets = [{ node: 't', subsystems: [{ nqn: 'nqn.2024-01.io.test:x', namespaces: [{ backend: 'tape:1GiB' }] }] }];
  },
  "scenarios/x.ts: targets[0].subsystems[0].namespaces[0].backend: unknown backend 'tape' (expected null:SIZE, ram:SIZE, file:PATH[:SIZE], ssd:SIZE[,OPTION=VALUE...])",
);
test(
  'scenario: file backends are refused',
  rejects,
  (s) => {
    s.targets = [{ node: 't', subsystems: [{ nqn: 'nqn.2024-01.io.test:x', namespaces: [{ backend: 'file:/tmp/img' }] }] }];
  },
  "scenarios/x.ts: targets[0].subsystems[0].namespaces[0].backend: file backends do not run in simulation (use 'ssd:SIZE', 'ram:SIZE' or 'null:SIZE')",
);
test(
  'scenario: host connects to an unknown target',
  rejects,
  (s) => {
    host(s).connect = { target: 'nas' };
  },
  "scenarios/x.ts: hosts[0].connect.target: no target named 'nas' (targets: t)",
);
test(
  'scenario: host without a path to the target',
  rejects,
  (s) => {
    s.links = [];
  },
  "scenarios/x.ts: hosts[0].connect.target: node 'h' has no link to target node 't' (add a link or a switch)",
);
test(
  'scenario: workload block size checked against the namespace',
  rejects,
  (s) => {
    host(s).workload = { rw: 'randread', bs: 1000 };
  },
  "scenarios/x.ts: hosts[0].workload.bs: block size 1000 is not a multiple of the namespace's 512-byte block size",
);
test(
  'scenario: unknown workload mode',
  rejects,
  (s) => {
    host(s).workload = { rw: 'sideways' };
  },
  "scenarios/x.ts: hosts[0].workload.rw: must be one of 'read', 'write', 'randread', 'randwrite', 'randrw', not 'sideways'",
);
test(
  'scenario: unknown fault verb',
  rejects,
  (s) => {
    s.faults = [{ at: '1ms', action: 'explode', node: 't' }];
  },
  "scenarios/x.ts: faults[0].action: must be one of 'partition', 'heal', 'setLink', 'crash', 'restart', 'pause', 'resume', 'slowDevice', 'failDevice', 'repairDevice', 'setAnaState', not 'explode'",
);
test(
  'scenario: fault after the end',
  rejects,
  (s) => {
    s.faults = [{ at: '20ms', action: 'crash', node: 't' }];
  },
  'scenarios/x.ts: faults[0].at: is after the end of the run',
);
test(
  'scenario: partition of a link that does not exist',
  rejects,
  (s) => {
    s.faults = [{ at: '1ms', action: 'partition', between: ['h', 'h2'] }];
  },
  "scenarios/x.ts: faults[0].between: no link between 'h' and 'h2'",
);
test(
  'scenario: field of another verb',
  rejects,
  (s) => {
    s.faults = [{ at: '1ms', action: 'crash', node: 't', multiplier: 2 }];
  },
  'scenarios/x.ts: faults[0].multiplier: unknown field (expected one of: action, at, atNs, when, delay, node)',
);
test(
  'scenario: slow device multiplier below 1',
  rejects,
  (s) => {
    s.faults = [{ at: '1ms', action: 'slowDevice', target: 't', multiplier: 0.5 }];
  },
  'scenarios/x.ts: faults[0].multiplier: must be a number >= 1, not 0.5',
);
test(
  'scenario: duplicate node names',
  rejects,
  (s) => {
    s.nodes = [{ name: 'h' }, { name: 'h' }];
  },
  "scenarios/x.ts: nodes[1].name: duplicate node name 'h'",
);
test(
  'scenario: duration must be a string',
  rejects,
  (s) => {
    s.duration = 5;
  },
  "scenarios/x.ts: duration: must be a string such as '1s', not 5",
);

test('scenario: a default export that is not an object', (t) => {
  const error = t.throws(() => resolveScenario(42, SOURCE), { instanceOf: ScenarioError });
  t.is(error?.message, 'scenarios/x.ts: default export: must be a scenario object (export default defineScenario({ ... })), not 42');
});
test(
  'scenario: invariant names are checked',
  rejects,
  (s) => {
    s.invariants = [{ check: 'eventually-consistent' }];
  },
  "scenarios/x.ts: invariants[0].check: must be one of 'workload-progress', 'ios-accounted', 'no-verify-mismatch', 'no-io-errors', 'io-resumes', 'no-app-errors-with-a-path', not 'eventually-consistent'",
);

// ---- Files ----

const dir = mkdtempSync(join(tmpdir(), 'nvmf-sim-scenario-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test('scenario: a file that does not exist', async (t) => {
  const missing = join(dir, 'missing.ts');
  const error = await t.throwsAsync(loadScenario(missing), { instanceOf: ScenarioError });
  t.is(error?.message, `${missing}: no such file`);
});

test('scenario: a file that does not compile', async (t) => {
  const path = file('broken.ts', 'export default {\n  name: "x",\n  duration: ,\n};\n');
  const error = await t.throwsAsync(loadScenario(path), { instanceOf: ScenarioError });
  t.regex(error?.message ?? '', new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: does not compile: line 3:`));
  t.false(error?.message.includes('\n'));
});

test('scenario: a file that throws while loading', async (t) => {
  const path = file('throws.ts', 'throw new Error("no scenario today");\nexport default {};\n');
  const error = await t.throwsAsync(loadScenario(path), { instanceOf: ScenarioError });
  t.is(error?.message, `${path}: failed to load: no scenario today`);
});

test('scenario: a file without a default export', async (t) => {
  const path = file('nodefault.ts', 'export const scenario = {};\n');
  const error = await t.throwsAsync(loadScenario(path), { instanceOf: ScenarioError });
  t.is(error?.message, `${path}: has no default export (export default defineScenario({ ... }))`);
});

test('scenario: a file with a bad field names the file and the field', async (t) => {
  const text = `export default ${JSON.stringify(scenario((s) => (host(s).connect = { target: 't', nrIoQueues: 0 })))};\n`;
  const path = file('badfield.ts', text);
  const error = await t.throwsAsync(loadScenario(path), { instanceOf: ScenarioError });
  t.is(error?.message, `${path}: hosts[0].connect.nrIoQueues: must be an integer 1..128, not 0`);
});

test('scenario: the shipped scenarios load', async (t) => {
  const reference = await loadScenario('scenarios/reference.ts');
  t.is(reference.durationNs, 1e9);
  t.is(reference.hosts[0]?.connect.nrIoQueues, 8);
  const loss = await loadScenario('scenarios/reference-loss.ts');
  t.is(loss.durationNs, 3e9);
  t.deepEqual(
    loss.faults.map((fault) => [fault.trigger, fault.fault.action]),
    [
      [{ kind: 'at', atNs: 1e9 }, 'partition'],
      [{ kind: 'at', atNs: 2e9 }, 'heal'],
    ],
  );
  t.true(loss.invariants.some((inv) => inv.check === 'io-resumes'));
});
