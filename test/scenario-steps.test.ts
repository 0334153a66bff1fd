// Scenario steps in virtual time (sim/scenario/steps.ts): ordinary timers inside steps run on the
// simulated clock; a seed replays the same steps; until() timeouts, failed assertions and escaped
// errors fail the `steps` verdict (correctness, exit status 129, with the repeat command); a step's
// fault applies like a timeline fault and is checked like one; real timers come back after the
// run. Serial: a run with steps fakes this process's timers while it runs.
import test from 'ava';
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCommand } from '../sim/cli/cmd-run.js';
import type { CliIo } from '../sim/cli/command.js';
import { loadScenario } from '../sim/scenario/load.js';
import type { ScenarioResult } from '../sim/scenario/result.js';
import { runScenario } from '../sim/scenario/runner.js';
import { ScenarioError } from '../sim/scenario/scenario-error.js';
import type { ScenarioSteps } from '../sim/scenario/steps.js';
import { resolveScenario } from '../sim/scenario/validate.js';

const SOURCE = 'scenarios/steps.ts';
const NQN = 'nqn.2024-01.io.test:steps';

type Plain = Record<string, unknown>;

/** One host, one target, QD1 reads on a null device, with `steps`. */
function withSteps(steps: ScenarioSteps, duration = '6s'): Plain {
  return {
    name: 'steps',
    seed: 3,
    duration,
    drain: '10ms',
    nodes: [{ name: 'h' }, { name: 't', cores: 2 }],
    links: [{ a: 'h', b: 't', options: { latencyUs: 8 } }],
    targets: [{ node: 't', subsystems: [{ nqn: NQN, namespaces: [{ backend: 'null:1GiB' }] }] }],
    hosts: [{ node: 'h', connect: { target: 't', nrIoQueues: 1 }, workload: { rw: 'randread', iodepth: 1, rateIops: 1000 } }],
    invariants: [{ check: 'ios-accounted' }],
    steps,
  };
}

function run(scenario: Plain): Promise<ScenarioResult> {
  return runScenario(resolveScenario(scenario, SOURCE));
}

function stepsVerdict(result: ScenarioResult): { ok: boolean; class: string; detail: string } | undefined {
  return result.invariants.find((inv) => inv.name === 'steps');
}

test.serial('steps: a 5 s setTimeout ends at simulated 5 s, in a short wall time', async (t) => {
  let firedAtMs = -1;
  const wallStart = performance.now();
  const result = await run(
    withSteps(async (world) => {
      await new Promise<void>((resolve) => setTimeout(resolve, 5000));
      firedAtMs = world.nowMs();
    }),
  );
  const wallMs = performance.now() - wallStart;
  t.is(firedAtMs, 5000);
  t.true(result.ok, JSON.stringify(result.invariants));
  t.is(result.steps?.endedAtMs, 5000);
  // Virtual time: far from the 5 s it stands for (a generous bound, not a timing assertion on speed).
  t.true(wallMs < 4000, `${wallMs} ms of wall time`);
});

test.serial('steps: the same seed gives the same fingerprint and the same step log', async (t) => {
  const steps: ScenarioSteps = async (world) => {
    const ticks: number[] = [];
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        ticks.push(world.host().ios);
        if (ticks.length === 5) {
          clearInterval(timer);
          resolve();
        }
      }, 7);
    });
    world.log(`ios at each tick: ${ticks.join(',')}`);
    await world.until(() => world.host().ios >= 60, { what: '60 I/Os' });
    world.fault({ action: 'setLink', between: ['h', 't'], options: { latencyUs: 50 } });
    await sleep(10);
    world.log(`ios ${world.stats().ios}`);
  };
  const first = await run(withSteps(steps, '100ms'));
  const second = await run(withSteps(steps, '100ms'));
  t.true(first.ok, JSON.stringify(first.invariants));
  t.is(first.fingerprint, second.fingerprint);
  t.deepEqual(first.steps?.log, second.steps?.log);
  t.true((first.steps?.log.length ?? 0) >= 4);
  // The step's fault counts in the fingerprint: without it the run differs.
  const without = await run(withSteps(async () => {}, '100ms'));
  t.not(without.fingerprint, first.fingerprint);
});

test.serial('steps: an until() that times out fails the steps verdict at its simulated time', async (t) => {
  const result = await run(withSteps(async (world) => world.until(() => world.host().state === 'deleted', { timeoutMs: 30, what: 'controller deleted' }), '100ms'));
  t.false(result.ok);
  t.is(result.failure, 'correctness');
  const verdict = stepsVerdict(result);
  t.is(verdict?.class, 'correctness');
  t.is(verdict?.ok, false);
  t.is(result.steps?.error, 'until(controller deleted) timed out after 30 ms');
  t.is(result.steps?.endedAtMs, 30);
  t.regex(verdict?.detail ?? '', /timed out after 30 ms at 30 ms/);
});

test.serial('steps: node:assert and thrown errors fail the verdict too', async (t) => {
  const asserted = await run(withSteps(async (world) => assert.equal(world.host().ios, -1, 'ios is never negative'), '20ms'));
  t.regex(asserted.steps?.error ?? '', /^ios is never negative/);
  t.is(asserted.failure, 'correctness');
  const thrown = await run(
    withSteps(async () => {
      await sleep(3);
      throw new TypeError('boom');
    }, '20ms'),
  );
  t.is(thrown.steps?.error, 'boom');
  t.is(thrown.steps?.endedAtMs, 3);
});

test.serial('steps: a failed assertion through the CLI exits 129 and prints the repeat command', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nvmf-steps-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'failing.ts');
  const scenario = withSteps(async () => {}, '50ms');
  delete scenario.steps;
  const body = JSON.stringify(scenario).slice(0, -1);
  writeFileSync(path, `export default ${body}, steps: async (world) => { await new Promise((r) => setTimeout(r, 20)); world.assert(world.host().ios > 1e9, 'a billion I/Os in 20 ms'); } };\n`);
  let out = '';
  let err = '';
  const io: CliIo = { out: (text) => void (out += text), err: (text) => void (err += text), errIsTty: false, untilSignal: () => new Promise(() => {}) };
  const status = await runCommand.run([path, '--json'], io);
  t.is(status, 129);
  t.regex(err, /^repeat: .*failing\.ts --seed 3 --duration 50ms$/m);
  t.regex(err, /FAILED: correctness \(steps\)/);
  const json = JSON.parse(out) as ScenarioResult;
  t.is(json.steps?.error, 'assertion failed: a billion I/Os in 20 ms');
  t.is(json.steps?.endedAtMs, 20);
});

test.serial('steps: a fault from a step applies like a timeline fault', async (t) => {
  const result = await run(
    withSteps(async (world) => {
      await sleep(10);
      world.fault({ action: 'partition', between: ['h', 't'] });
      const before = world.host().ios;
      await sleep(20);
      world.assert(world.host().ios <= before + 1, 'no I/O through a partition');
      world.fault({ action: 'heal', between: ['h', 't'] });
    }, '60ms'),
  );
  t.true(result.steps?.ok, result.steps?.error);
  t.deepEqual(
    result.faultsApplied.map((fault) => [fault.atNs, fault.action, fault.trigger]),
    [
      [10_000_000, 'partition', 'steps'],
      [30_000_000, 'heal', 'steps'],
    ],
  );
});

test.serial('steps: an invalid fault in a step is a usage error naming the field', async (t) => {
  const bad = withSteps(async (world) => {
    await sleep(1);
    // @ts-expect-error: a misspelt field is the point.
    world.fault({ action: 'crash', node: 't', nodez: 't' });
  }, '10ms');
  const error = await t.throwsAsync(run(bad), { instanceOf: ScenarioError });
  t.regex(error?.message ?? '', /^scenarios\/steps\.ts: steps\.fault\[0\]\.nodez: unknown field/);
  const unknownNode = withSteps(async (world) => world.fault({ action: 'crash', node: 'nowhere' }), '10ms');
  const second = await t.throwsAsync(run(unknownNode), { instanceOf: ScenarioError });
  t.regex(second?.message ?? '', /^scenarios\/steps\.ts: steps\.fault\[0\]\.node: .*nowhere/);
  const timed = withSteps(async (world) => world.fault({ action: 'heal', between: ['h', 't'], ...{ at: '1ms' } }), '10ms');
  const third = await t.throwsAsync(run(timed), { instanceOf: ScenarioError });
  t.regex(third?.message ?? '', /steps\.fault\[0\]\.at: a step's fault applies now/);
});

test.serial('steps: real timers work after a run, also after a failed one', async (t) => {
  await run(withSteps(async () => assert.fail('fails at once'), '5ms'));
  const realStart = performance.now();
  await new Promise<void>((resolve) => setTimeout(resolve, 20));
  await sleep(5);
  t.true(performance.now() - realStart >= 20);
  t.throws(() => resolveScenario({ ...withSteps(async () => {}), steps: 'not a function' }, SOURCE), {
    instanceOf: ScenarioError,
    message: `${SOURCE}: steps: must be an async function (world) => { ... }, not 'not a function'`,
  });
});

test.serial('steps: the shipped steps-reset-check scenario passes', async (t) => {
  const scenario = await loadScenario('scenarios/steps-reset-check.ts');
  const result = await runScenario(scenario);
  t.true(result.ok, JSON.stringify(result.invariants.filter((inv) => !inv.ok)));
  const events = result.steps?.log.map((entry) => entry.event) ?? [];
  t.true(events.includes('until(controller resetting) held'));
  t.true(events.includes('until(controller live) held'));
  t.deepEqual(
    result.faultsApplied.map((fault) => fault.action),
    ['partition', 'heal'],
  );
});

test.serial('steps: a timer callback that throws fails the steps, not the simulation', async (t) => {
  const result = await run(
    withSteps(async (world) => {
      setTimeout(() => {
        throw new RangeError('from a timer');
      }, 4);
      await world.until(() => false, { what: 'never' });
    }, '20ms'),
  );
  t.is(result.steps?.error, 'from a timer');
  t.is(result.steps?.endedAtMs, 4);
  t.true(result.invariants.find((inv) => inv.name === 'no-crash')?.ok);
});
