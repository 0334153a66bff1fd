// Faults on conditions (`when` instead of `at`): each condition kind fires at the moment it holds,
// in virtual time, once; chains of afterFault add their delays; a condition that never holds does
// not fire and leaves the run untouched; bad conditions give one-line errors naming the field; and
// a conditional scenario repeats exactly.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../sim/cli/args.js';
import { runCommand } from '../sim/cli/cmd-run.js';
import { formatRunSummary as formatSummary } from '../sim/report/run-summary.js';
import type { CliIo } from '../sim/cli/command.js';
import { MemoryTraceSink } from '../sim/core/trace.js';
import type { ScenarioResult } from '../sim/scenario/result.js';
import { runScenario } from '../sim/scenario/runner.js';
import { ScenarioError } from '../sim/scenario/scenario-error.js';
import { resolveScenario } from '../sim/scenario/validate.js';

const SOURCE = 'scenarios/conditions.ts';
const NQN = 'nqn.2024-01.io.test:conditions';
const MS = 1_000_000;

type Plain = Record<string, unknown>;

/** One host, one target, QD1 reads on a null device: one I/O in flight at any moment. */
function oneHost(faults: readonly Plain[], edit: (s: Plain) => void = () => {}): Plain {
  const scenario: Plain = {
    name: 'conditions',
    seed: 3,
    duration: '20ms',
    drain: '10ms',
    nodes: [{ name: 'h' }, { name: 't', cores: 2 }],
    links: [{ a: 'h', b: 't', options: { latencyUs: 8 } }],
    targets: [{ node: 't', subsystems: [{ nqn: NQN, namespaces: [{ backend: 'null:1GiB' }] }] }],
    hosts: [{ node: 'h', connect: { target: 't', nrIoQueues: 1 }, workload: { rw: 'randread', iodepth: 1 } }],
    faults,
    invariants: [{ check: 'ios-accounted' }],
  };
  edit(scenario);
  return scenario;
}

/** Two hosts behind a switch, QD1 each. */
function twoHosts(faults: readonly Plain[]): Plain {
  return {
    name: 'conditions-2',
    seed: 5,
    duration: '20ms',
    drain: '10ms',
    nodes: [{ name: 'h1' }, { name: 'h2' }, { name: 't', cores: 2 }],
    switch: { linkOptions: { latencyUs: 4 } },
    targets: [{ node: 't', subsystems: [{ nqn: NQN, namespaces: [{ backend: 'null:1GiB' }] }] }],
    hosts: [
      { node: 'h1', connect: { target: 't', nrIoQueues: 1 }, workload: { rw: 'randread', iodepth: 1 } },
      { node: 'h2', connect: { target: 't', nrIoQueues: 1 }, workload: { rw: 'randread', iodepth: 1 } },
    ],
    faults,
    invariants: [{ check: 'ios-accounted' }],
  };
}

async function run(scenario: Plain, trace?: MemoryTraceSink): Promise<ScenarioResult> {
  return runScenario(resolveScenario(scenario, SOURCE), trace === undefined ? {} : { trace });
}

test('scenario: iosCompleted fires at the completion that reaches the count', async (t) => {
  const trace = new MemoryTraceSink();
  const result = await run(oneHost([{ when: { iosCompleted: 100 }, action: 'crash', node: 'h' }]), trace);
  const host = result.perHost[0];
  t.is(result.faultsApplied.length, 1);
  const fault = result.faultsApplied[0];
  // The host died at its 100th completion: nothing completed after it, and its one I/O in flight
  // (QD1: the next one, submitted by that completion) was lost.
  t.is(host?.ios, 100);
  t.is(host?.lostInCrash, 1);
  // The fault's time is that completion's time: the host's last completion.
  const start = trace.ofKind('workload-start')[0]?.tNs as number;
  const lastCompletionNs = start + Math.round((host?.activeSeconds ?? 0) * 1e9);
  t.is(fault?.atNs, lastCompletionNs);
  t.like(fault, { action: 'crash', detail: 'node h crashed', trigger: '100 I/Os completed' });
  t.is(trace.ofKind('fault-condition')[0]?.tNs, lastCompletionNs);
});

test('scenario: iosCompleted with host counts only that host', async (t) => {
  const result = await run(twoHosts([{ when: { iosCompleted: 50, host: 'h2' }, action: 'crash', node: 'h2' }]));
  const [h1, h2] = result.perHost;
  t.is(h2?.ios, 50);
  t.is(h2?.state, 'crashed');
  // h1 went on after h2's 50th I/O (so a total count would have fired much earlier).
  t.true((h1?.ios ?? 0) > 100);
  t.is(result.faultsApplied[0]?.trigger, '50 I/Os completed on h2');
});

test('scenario: a delay moves the fault later by exactly that much', async (t) => {
  const now = await run(oneHost([{ when: { iosCompleted: 100 }, action: 'setLink', between: ['h', 't'], options: { latencyUs: 9 } }]));
  const later = await run(oneHost([{ when: { iosCompleted: 100 }, delay: '2ms', action: 'setLink', between: ['h', 't'], options: { latencyUs: 9 } }]));
  t.is(later.faultsApplied[0]?.atNs, (now.faultsApplied[0]?.atNs ?? 0) + 2 * MS);
  t.is(later.faultsApplied[0]?.trigger, '100 I/Os completed, +2ms');
});

test('scenario: afterFault chains add their delays to the fault they follow', async (t) => {
  const result = await run(
    oneHost([
      { at: '5ms', action: 'partition', between: ['h', 't'] },
      { when: { afterFault: 0 }, delay: '3ms', action: 'heal', between: ['h', 't'] },
      { when: { afterFault: 1 }, delay: '1ms', action: 'setLink', between: ['h', 't'], options: { latencyUs: 20 } },
    ]),
  );
  t.deepEqual(
    result.faultsApplied.map((fault) => [fault.atNs, fault.action, fault.trigger ?? '']),
    [
      [5 * MS, 'partition', ''],
      [8 * MS, 'heal', 'faults[0] applied, +3ms'],
      [9 * MS, 'setLink', 'faults[1] applied, +1ms'],
    ],
  );
});

test('scenario: a conditional heal turns on the default liveness check', (t) => {
  const resolved = resolveScenario(
    oneHost([{ when: { iosCompleted: 5 }, action: 'heal' }], (s) => {
      delete s.invariants;
    }),
    SOURCE,
  );
  t.true(resolved.invariants.some((invariant) => invariant.check === 'io-resumes'));
});

test('scenario: hostState fires when the controller reaches the state, once', async (t) => {
  const trace = new MemoryTraceSink();
  // A partition outlasts the 5 ms I/O timeout: the host starts error recovery ('resetting'), and
  // the heal chained to that moment lets it reconnect 1 s later ('connecting', then 'live').
  const result = await run(
    oneHost(
      [
        { at: '2ms', action: 'partition', between: ['h', 't'] },
        { when: { hostState: 'resetting', host: 'h' }, action: 'heal', between: ['h', 't'] },
        { when: { hostState: 'connecting', host: 'h' }, action: 'setLink', between: ['h', 't'], options: { latencyUs: 10 } },
        { when: { hostState: 'live', host: 'h' }, action: 'setLink', between: ['h', 't'], options: { latencyUs: 8 } },
      ],
      (s) => {
        s.duration = '1500ms';
        s.hosts = [{ node: 'h', connect: { target: 't', nrIoQueues: 1, ioTimeoutS: 0.005, reconnectDelayS: 1 }, workload: { rw: 'randread', iodepth: 1 } }];
      },
    ),
    trace,
  );
  const states = trace.ofKind('host-state');
  const firstAt = (state: string): number | undefined => states.find((record) => record.state === state)?.tNs as number | undefined;
  const applied = new Map(result.faultsApplied.map((fault) => [fault.trigger ?? 'timed', fault.atNs]));
  t.truthy(firstAt('resetting'));
  t.is(applied.get('host h resetting'), firstAt('resetting'));
  t.is(applied.get('host h connecting'), firstAt('connecting'));
  // The first connect counts as 'live': the 'live' condition fired at the start, not after the reconnect.
  t.true((applied.get('host h live') ?? Infinity) < 2 * MS);
  t.is(result.faultsApplied.length, 4);
  t.is(result.perHost[0]?.state, 'live');
});

test('scenario: a condition that never holds does not fire and changes nothing', async (t) => {
  const plain = await run(oneHost([]));
  const never = await run(
    oneHost([
      { when: { iosCompleted: 1_000_000_000 }, action: 'crash', node: 't' },
      { when: { hostState: 'deleted', host: 'h' }, action: 'crash', node: 'h' },
      { when: { afterFault: 0 }, action: 'crash', node: 'h' },
      // Holds, but its delay takes it past the end of the run.
      { when: { iosCompleted: 10 }, delay: '20ms', action: 'crash', node: 'h' },
    ]),
  );
  t.deepEqual(never.faultsApplied, []);
  t.is(never.fingerprint, plain.fingerprint);
  t.is(never.ios, plain.ios);
});

test('scenario: a conditional scenario repeats exactly', async (t) => {
  const faults = [
    { when: { iosCompleted: 200 }, action: 'partition', between: ['h', 't'] },
    { when: { afterFault: 0 }, delay: '1ms', action: 'heal', between: ['h', 't'] },
  ];
  const first = await run(oneHost(faults));
  const second = await run(oneHost(faults));
  t.is(first.fingerprint, second.fingerprint);
  t.deepEqual(first.faultsApplied, second.faultsApplied);
  t.is(first.faultsApplied.length, 2);
  // A fault that fired changes the run, and so its fingerprint.
  t.not(first.fingerprint, (await run(oneHost([]))).fingerprint);
});

test('scenario: the summary shows what fired a conditional fault', async (t) => {
  const result = await run(oneHost([{ when: { iosCompleted: 100 }, delay: '1ms', action: 'setLink', between: ['h', 't'], options: { latencyUs: 9 } }]));
  const text = formatSummary(result, 'repeat');
  t.regex(text, /\n {2}\d+\.\d{6} s {2}setLink: link h <-> t: latencyUs=9 \(when 100 I\/Os completed, \+1ms\)\n/);
});

// ---- Validation ----

const rejects = test.macro((t, faults: readonly Plain[], message: string) => {
  const error = t.throws(() => resolveScenario(oneHost(faults), SOURCE), { instanceOf: ScenarioError });
  t.is(error?.message, `${SOURCE}: ${message}`);
  t.false(error?.message.includes('\n'));
});

test('scenario: when and at together are refused', rejects, [{ at: '1ms', when: { iosCompleted: 1 }, action: 'crash', node: 't' }], 'faults[0].when: give at or when, not both');
test('scenario: when and atNs together are refused', rejects, [{ atNs: 5, when: { iosCompleted: 1 }, action: 'crash', node: 't' }], 'faults[0].when: give atNs or when, not both');
test(
  'scenario: a fault needs at or when',
  rejects,
  [{ action: 'crash', node: 't' }],
  "faults[0].at: is required (e.g. at: '1s'), or give when (e.g. when: { iosCompleted: 1000 })",
);
test('scenario: delay needs when', rejects, [{ at: '1ms', delay: '1ms', action: 'crash', node: 't' }], 'faults[0].delay: needs when (with at, add the delay to the time)');
test(
  'scenario: when needs exactly one condition',
  rejects,
  [{ when: {}, action: 'crash', node: 't' }],
  'faults[0].when: must give exactly one of iosCompleted, hostState or afterFault, not none',
);
test(
  'scenario: when with two conditions is refused',
  rejects,
  [{ when: { iosCompleted: 3, hostState: 'live', host: 'h' }, action: 'crash', node: 't' }],
  'faults[0].when: must give exactly one of iosCompleted, hostState or afterFault, not iosCompleted and hostState',
);
test(
  'scenario: an unknown condition field is named',
  rejects,
  [{ when: { iosDone: 3 }, action: 'crash', node: 't' }],
  'faults[0].when.iosDone: unknown field (expected one of: iosCompleted, hostState, afterFault, host)',
);
test('scenario: iosCompleted must be positive', rejects, [{ when: { iosCompleted: 0 }, action: 'crash', node: 't' }], 'faults[0].when.iosCompleted: must be an integer >= 1, not 0');
test(
  'scenario: a condition host must exist',
  rejects,
  [{ when: { iosCompleted: 5, host: 'h9' }, action: 'crash', node: 't' }],
  "faults[0].when.host: no host named 'h9' (hosts: h)",
);
test('scenario: hostState needs a host', rejects, [{ when: { hostState: 'live' }, action: 'crash', node: 't' }], 'faults[0].when.host: is required with hostState');
test(
  'scenario: hostState must be a controller state',
  rejects,
  [{ when: { hostState: 'sad', host: 'h' }, action: 'crash', node: 't' }],
  "faults[0].when.hostState: must be one of 'connecting', 'live', 'resetting', 'deleting', 'deleted', not 'sad'",
);
test(
  'scenario: afterFault must name a fault in the list',
  rejects,
  [
    { at: '1ms', action: 'partition', between: ['h', 't'] },
    { when: { afterFault: 2 }, action: 'heal' },
  ],
  'faults[1].when.afterFault: must be an integer 0..1, not 2',
);
test('scenario: afterFault must not name itself', rejects, [{ when: { afterFault: 0 }, action: 'heal' }], 'faults[0].when.afterFault: must name another fault, not itself');
test(
  'scenario: afterFault chains must not loop',
  rejects,
  [
    { when: { afterFault: 1 }, action: 'partition', between: ['h', 't'] },
    { when: { afterFault: 0 }, action: 'heal' },
  ],
  'faults[0].when.afterFault: forms a cycle (faults[0] -> faults[1] -> faults[0])',
);
test('scenario: afterFault takes no host', rejects, [{ at: '1ms', action: 'heal' }, { when: { afterFault: 0, host: 'h' }, action: 'heal' }], 'faults[1].when.host: only goes with iosCompleted or hostState');
test(
  'scenario: a bad delay is named',
  rejects,
  [{ when: { iosCompleted: 5 }, delay: 'soon', action: 'crash', node: 't' }],
  "faults[0].delay: malformed duration 'soon' (expected e.g. 5s, 200ms, 8us)",
);

test('scenario: conditional faults resolve after the timed ones, their trigger apart from the verb', (t) => {
  const resolved = resolveScenario(
    oneHost([
      { when: { afterFault: 2 }, action: 'heal' },
      { when: { iosCompleted: 5 }, delay: '1ms', action: 'partition', between: ['h', 't'] },
      { at: '3ms', action: 'partition', between: ['h', 't'] },
      { atNs: MS, action: 'setLink', between: ['h', 't'], options: { latencyUs: 9 } },
      { at: '3ms', action: 'heal', between: ['h', 't'] },
    ]),
    SOURCE,
  );
  t.deepEqual(
    resolved.faults.map((fault) => [fault.index, fault.trigger]),
    [
      [3, { kind: 'at', atNs: MS }],
      [2, { kind: 'at', atNs: 3 * MS }],
      [4, { kind: 'at', atNs: 3 * MS }],
      [0, { kind: 'when', condition: { afterFault: 2 }, delayNs: 0 }],
      [1, { kind: 'when', condition: { iosCompleted: 5 }, delayNs: MS }],
    ],
  );
  // The verb keeps its own fields only: when it fires is the trigger's alone.
  t.deepEqual(resolved.faults[4]?.fault, { action: 'partition', between: ['h', 't'] });
  t.deepEqual(resolved.faults[1]?.fault, { action: 'partition', between: ['h', 't'] });
});

test('scenario: a shorter --duration drops the timed faults after it and keeps the conditional ones', (t) => {
  const resolved = resolveScenario(
    oneHost([
      { at: '15ms', action: 'partition', between: ['h', 't'] },
      { when: { afterFault: 0 }, action: 'heal' },
      { at: '5ms', action: 'setLink', between: ['h', 't'], options: { latencyUs: 9 } },
    ]),
    SOURCE,
    { durationNs: 10 * MS },
  );
  t.deepEqual(
    resolved.faults.map((fault) => [fault.index, fault.trigger.kind]),
    [
      [2, 'at'],
      [1, 'when'],
    ],
  );
});

test('scenario: a real-time run refuses conditional faults', (t) => {
  const real = oneHost([{ when: { iosCompleted: 5 }, action: 'crash', node: 't' }], (s) => {
    s.nodes = [{ name: 'h' }, { name: 't', runtime: 'qemu' }];
    s.links = [{ a: 'h', b: 't' }];
    s.targets = [{ node: 't', subsystems: [{ nqn: NQN, namespaces: [{ backend: 'null:64MiB' }] }] }];
  });
  const error = t.throws(() => resolveScenario(real, SOURCE), { instanceOf: ScenarioError });
  t.is(error?.message, `${SOURCE}: faults[0].when: conditional faults are simulated only for now; give at in a real-time run`);
});

test('scenario: run exits with a usage error naming a bad condition field', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nvmf-conditions-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'bad.ts');
  writeFileSync(path, `export default ${JSON.stringify(oneHost([{ when: { hostState: 'live' }, action: 'crash', node: 't' }]))};\n`);
  const io: CliIo = { out: () => undefined, err: () => undefined, errIsTty: false, untilSignal: () => new Promise(() => {}) };
  const error = await t.throwsAsync(runCommand.run([path], io), { instanceOf: UsageError });
  t.is(error?.message, `${path}: faults[0].when.host: is required with hostState`);
});
