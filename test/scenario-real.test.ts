// Scenarios with a real Linux peer (runtime 'qemu'): what validation refuses (no VM needed), how
// link options become tc-netem commands and how guest counters are read (pure functions), and one
// end-to-end run against Linux nvmet-tcp in the QEMU VM: verified I/O through a netem loss period
// and a target crash and restart, reported with timeBase 'real'. The end-to-end test follows the
// interop prerequisites policy (test/helpers/interop-prereqs.ts): it fails in CI when the VM
// image or QEMU is missing and is skipped with install hints elsewhere.
import test from 'ava';
import type { TestFn } from 'ava';
import { linuxTcpCounters, parseProcNetCounters } from '../sim/interop/linux-tcp-counters.js';
import { netemCommand, netemProblem } from '../sim/interop/netem.js';
import { runScenario } from '../sim/scenario/runner.js';
import { ScenarioError } from '../sim/scenario/scenario-error.js';
import type { Scenario } from '../sim/scenario/types.js';
import { resolveScenario } from '../sim/scenario/validate.js';
import {
  assertDockerInteropPrereqs,
  assertInteropPrereqs,
  dockerInteropEnabled,
  interopTest as anyInteropTest,
} from './helpers/interop-prereqs.js';

/** `test`, or `test.skip` without the VM image and QEMU outside CI (the prerequisites policy). */
const interopTest = anyInteropTest as TestFn;
/** The same for the Docker runtime (a running engine and the nvmf-sim/linux-vm image). */
const dockerTest = dockerInteropEnabled() ? test.serial : test.serial.skip;

const NQN = 'nqn.2014-08.org.nvmf-sim:scenario-real';

/** A valid real-runtime scenario; tests override one part to make it invalid. */
function scenario(overrides: Partial<Scenario> = {}): Scenario {
  return {
    name: 'real',
    duration: '2s',
    drain: '10s',
    nodes: [{ name: 'host' }, { name: 'linux', runtime: 'qemu' }],
    links: [{ a: 'host', b: 'linux', options: { latencyUs: 100 } }],
    targets: [{ node: 'linux', subsystems: [{ nqn: NQN, namespaces: [{ backend: 'null:64MiB' }] }] }],
    hosts: [{ node: 'host', connect: { target: 'linux' }, workload: { rw: 'randrw', verify: true, size: '8MiB', iodepth: 4 } }],
    ...overrides,
  };
}

function refusal(value: Scenario): string {
  try {
    resolveScenario(value, 'real.ts');
  } catch (error) {
    if (error instanceof ScenarioError) return error.message;
    throw error;
  }
  return 'accepted';
}

test('scenario real: a qemu target node resolves with its runtime; nodes default to sim', (t) => {
  const resolved = resolveScenario(scenario(), 'real.ts');
  t.deepEqual(
    resolved.nodes.map((node) => [node.name, node.runtime]),
    [
      ['host', 'sim'],
      ['linux', 'qemu'],
    ],
  );
});

test('scenario real: refused runtimes, backends and placements name the field', (t) => {
  const cases: [Scenario, RegExp][] = [
    [scenario({ nodes: [{ name: 'host' }, { name: 'linux', runtime: 'kvm' as 'qemu' }] }), /^real\.ts: nodes\[1\]\.runtime: /],
    [
      scenario({ targets: [{ node: 'linux', subsystems: [{ nqn: NQN, namespaces: [{ backend: 'ssd:1GiB' }] }] }] }),
      /targets\[0\]\.subsystems\[0\]\.namespaces\[0\]\.backend: 'ssd:' has no Linux equivalent/,
    ],
    [
      scenario({ targets: [{ node: 'linux', subsystems: [{ nqn: NQN, namespaces: [{ backend: 'ram:64MiB' }] }] }] }),
      /namespaces\[0\]\.backend: 'ram:' is a tmpfs file .* set blockSize: 4096/,
    ],
    [scenario({ targets: [{ node: 'linux', subsystems: [{ nqn: NQN, namespaces: [{ backend: 'null:4GiB' }] }] }] }), /targets\[0\]\.subsystems: .* do not fit/],
    [
      scenario({
        nodes: [{ name: 'host' }, { name: 'linux', runtime: 'qemu' }, { name: 'sim' }],
        links: [
          { a: 'host', b: 'linux' },
          { a: 'sim', b: 'linux' },
        ],
      }),
      /links\[1\]\.b: node 'linux' is already linked/,
    ],
    [
      scenario({
        targets: [
          { node: 'linux', subsystems: [{ nqn: NQN, namespaces: [{ backend: 'null:64MiB' }] }] },
          { node: 'host', subsystems: [{ nqn: `${NQN}2`, namespaces: [{ backend: 'null:64MiB' }] }] },
        ],
      }),
      /targets\[1\]\.node: 'host' is simulated/,
    ],
  ];
  for (const [value, expected] of cases) t.regex(refusal(value), expected);
});

test('scenario real: link options netem cannot apply are one-line errors', (t) => {
  const withLink = (options: NonNullable<Scenario['links']>[number]['options']): Scenario =>
    scenario({ links: [{ a: 'host', b: 'linux', ...(options === undefined ? {} : { options }) }] });
  const cases: [Scenario, RegExp][] = [
    [withLink({ geGoodToBadRate: 0.1 }), /links\[0\]\.options\.geGoodToBadRate: has no tc-netem equivalent/],
    [withLink({ silentCorruptRate: 0.01 }), /links\[0\]\.options\.silentCorruptRate: has no tc-netem equivalent/],
    [withLink({ latencyDistribution: 'pareto', jitterUs: 5 }), /latencyDistribution 'pareto' has no tc-netem equivalent/],
    [withLink({ aToB: { lossRate: 0.1 } }), /links\[0\]\.options\.aToB: shapes traffic into 'linux'/],
    [withLink({ latencyUs: 10, reorderRate: 0.1, reorderExtraDelayUs: 50 }), /reorderRate with latencyUs or jitterUs/],
  ];
  for (const [value, expected] of cases) {
    const message = refusal(value);
    t.regex(message, expected);
    t.false(message.includes('\n'), 'one line');
  }
  t.is(refusal(withLink({ bToA: { lossRate: 0.1, duplicateRate: 0.01, corruptRate: 0.01, bandwidthBps: 1e9 } })), 'accepted');
});

test('scenario real: fault verbs without a real equivalent are refused', (t) => {
  const cases: [NonNullable<Scenario['faults']>, RegExp][] = [
    [[{ at: '1s', action: 'pause', node: 'linux' }], /faults\[0\]\.action: 'pause' has no real-time equivalent/],
    [[{ at: '1s', action: 'slowDevice', target: 'linux', multiplier: 4 }], /faults\[0\]\.action: 'slowDevice' has no equivalent on a real target/],
    [[{ at: '1s', action: 'crash', node: 'host' }], /faults\[0\]\.node: crash of simulated node 'host'/],
    [[{ at: '1s', action: 'setLink', between: ['host', 'linux'], from: 'host', options: { lossRate: 0.1 } }], /faults\[0\]\.from: tc-netem shapes only/],
    [[{ at: '1s', action: 'setLink', between: ['host', 'linux'], options: { geLossRateBad: 0.5 } }], /faults\[0\]\.options\.geLossRateBad: has no tc-netem/],
  ];
  for (const [faults, expected] of cases) t.regex(refusal(scenario({ faults })), expected);
  t.is(
    refusal(
      scenario({
        faults: [
          { at: '0.5s', action: 'partition', between: ['host', 'linux'] },
          { at: '1s', action: 'heal' },
          { at: '1.2s', action: 'crash', node: 'linux' },
          { at: '1.5s', action: 'restart', node: 'linux' },
        ],
      }),
    ),
    'accepted',
  );
});

test('scenario real: link options become tc-netem parameters on the guest egress', (t) => {
  t.is(
    netemCommand({ latencyUs: 200, jitterUs: 20, latencyDistribution: 'normal', lossRate: 0.005, bandwidthBps: 1e9 }),
    '/usr/sbin/tc qdisc del dev eth0 root 2>/dev/null; /usr/sbin/tc qdisc add dev eth0 root netem delay 200us 20us distribution normal loss 0.5% rate 1000000000bit',
  );
  // The simulator's reorderRate r held back by E: netem sends 1 - r at once and delays the rest.
  t.regex(netemCommand({ reorderRate: 0.25, reorderExtraDelayUs: 300 }), /netem delay 300us reorder 75%$/);
  t.regex(netemCommand({ latencyUs: 50, lossRate: 0.1, partitioned: true }), /netem delay 50us loss 100%$/);
  t.is(netemCommand({}), '/usr/sbin/tc qdisc del dev eth0 root 2>/dev/null; true');
  t.is(netemProblem({ latencyUs: 5, jitterUs: 5, latencyDistribution: 'uniform' }), undefined);
});

test('scenario real: guest TCP counters are read from /proc/net/snmp and netstat', (t) => {
  const text = [
    'Tcp: RtoAlgorithm ActiveOpens PassiveOpens EstabResets InSegs OutSegs RetransSegs',
    'Tcp: 1 2 5 1 900 1000 17',
    'TcpExt: TCPTimeouts TCPSackRecovery TCPRenoRecovery TCPOFOQueue',
    'TcpExt: 3 4 1 6',
  ].join('\n');
  const counters = linuxTcpCounters(parseProcNetCounters(text));
  t.like(counters, { segmentsSent: 1000, segmentsReceived: 900, retransmits: 17, rtoCount: 3, fastRetransmits: 5, outOfOrderSegments: 6, connectionsOpened: 7, connectionsReset: 1 });
});

interopTest.serial('scenario real: our host against Linux nvmet-tcp through netem loss and a target crash', async (t) => {
  assertInteropPrereqs();
  t.timeout(180_000);
  const resolved = resolveScenario(
    scenario({
      duration: '5s',
      hosts: [
        {
          node: 'host',
          connect: { target: 'linux', nrIoQueues: 4, queueSize: 32, keepAliveTmoS: 1, reconnectDelayS: 1 },
          workload: { rw: 'randrw', bs: '4k', iodepth: 8, size: '8MiB', verify: true },
        },
      ],
      faults: [
        { at: '0.5s', action: 'setLink', between: ['host', 'linux'], options: { lossRate: 0.2 } },
        { at: '1.5s', action: 'setLink', between: ['host', 'linux'], options: { lossRate: 0 } },
        { at: '2s', action: 'crash', node: 'linux' },
        { at: '2.5s', action: 'restart', node: 'linux' },
      ],
    }),
    'scenario-real',
  );
  const result = await runScenario(resolved);
  const failed = result.invariants.filter((inv) => !inv.ok).map((inv) => `${inv.name}: ${inv.detail}`);
  t.deepEqual(failed, [], 'every invariant holds');
  t.is(result.timeBase, 'real');
  t.is(result.fingerprint, 'not deterministic (real time)');
  const host = result.perHost[0];
  t.true((host?.ios ?? 0) > 0, 'I/O completed');
  t.true((host?.verify.blocksChecked ?? 0) > 0, 'reads were verified against what was written');
  t.is(host?.verify.mismatches, 0);
  t.true((host?.reconnects ?? 0) >= 1, 'the host reconnected after the target restarted');
  t.deepEqual(
    result.faultsApplied.map((fault) => fault.action),
    ['setLink', 'setLink', 'crash', 'restart'],
  );
  const peer = result.realPeers?.[0];
  t.is(peer?.runtime, 'qemu');
  t.true(peer?.tcCommands.some((command) => command.includes('netem delay 100us loss 20%')), 'the loss period was set with netem');
  // The guest kernel saw the fault: netem dropped packets and its TCP retransmitted.
  t.true(result.net.dropped > 0, 'netem dropped packets');
  t.true(result.net.tcp.retransmits > 0, 'the guest retransmitted');
  // The link's own delay is back after the restart (netem shows it in its clock ticks, e.g. 99us).
  t.regex(peer?.qdiscAtEnd ?? '', /qdisc netem .* delay \d+us/);
});

interopTest.serial('scenario real: a Linux nvmet target starts with the scenario\'s ANA groups and setAnaState writes its configfs', async (t) => {
  assertInteropPrereqs();
  t.timeout(180_000);
  const resolved = resolveScenario(
    scenario({
      duration: '4s',
      targets: [
        {
          node: 'linux',
          subsystems: [{ nqn: NQN, namespaces: [{ backend: 'null:64MiB', anaGroupId: 2 }] }],
          anaGroups: [{ grpid: 2, state: 'non-optimized' }],
        },
      ],
      hosts: [
        {
          node: 'host',
          connect: { target: 'linux', nrIoQueues: 2, keepAliveTmoS: 1, reconnectDelayS: 1 },
          workload: { rw: 'randread', bs: '4k', iodepth: 4, size: '8MiB' },
        },
      ],
      faults: [
        { at: '0.8s', action: 'setAnaState', target: 'linux', port: 1, group: 2, state: 'inaccessible' },
        { at: '1.6s', action: 'setAnaState', target: 'linux', port: 1, group: 2, state: 'optimized' },
        // A port with a group besides 1 goes down and comes back with the scenario's groups.
        { at: '2.2s', action: 'crash', node: 'linux' },
        { at: '2.6s', action: 'restart', node: 'linux' },
      ],
      invariants: [{ check: 'ios-accounted' }, { check: 'workload-progress' }],
    }),
    'scenario-real-ana',
  );
  const result = await runScenario(resolved);
  const failed = result.invariants.filter((inv) => !inv.ok).map((inv) => `${inv.name}: ${inv.detail}`);
  t.deepEqual(failed, [], 'every invariant holds, faults-applied included (the group existed in the guest)');
  t.deepEqual(
    result.faultsApplied.map((fault) => [fault.action, fault.detail]).slice(0, 2),
    [
      ['setAnaState', 'linux: inaccessible > /sys/kernel/config/nvmet/ports/4420/ana_groups/2/ana_state'],
      ['setAnaState', 'linux: optimized > /sys/kernel/config/nvmet/ports/4420/ana_groups/2/ana_state'],
    ],
  );
  const host = result.perHost[0];
  // The namespace is in group 2 in the guest: I/O through it failed while the group was inaccessible.
  t.true((host?.errors ?? 0) > 0, JSON.stringify({ ios: host?.ios, errors: host?.errors }));
  t.true((host?.ios ?? 0) > 0, 'I/O completed before and after');
  t.true((host?.reconnects ?? 0) >= 1, 'the host reconnected after the restart');
});

dockerTest('scenario real: a docker target node runs Linux nvmet-tcp in a container under the same workload', async (t) => {
  assertDockerInteropPrereqs();
  t.timeout(180_000);
  const resolved = resolveScenario(
    scenario({
      duration: '2s',
      nodes: [{ name: 'host' }, { name: 'linux', runtime: 'docker' }],
      faults: [
        { at: '0.5s', action: 'setLink', between: ['host', 'linux'], options: { lossRate: 0.1 } },
        { at: '1s', action: 'setLink', between: ['host', 'linux'], options: { lossRate: 0 } },
      ],
    }),
    'scenario-real-docker',
  );
  const result = await runScenario(resolved);
  const failed = result.invariants.filter((inv) => !inv.ok).map((inv) => `${inv.name}: ${inv.detail}`);
  t.deepEqual(failed, [], 'every invariant holds');
  t.is(result.timeBase, 'real');
  const host = result.perHost[0];
  t.true((host?.ios ?? 0) > 0, 'I/O completed');
  t.true((host?.verify.blocksChecked ?? 0) > 0, 'reads were verified against what was written');
  t.is(host?.verify.mismatches, 0);
  const peer = result.realPeers?.[0];
  t.is(peer?.runtime, 'docker');
  t.true(peer?.tcCommands.some((command) => command.includes('loss 10%')), 'the loss period was set with netem');
});
