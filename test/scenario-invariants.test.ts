// Runs that can be trusted (issue 9): every verdict reports how much it checked, and a verdict
// that checked nothing where the scenario asked for something fails: verify on with no block read
// back, a heal with no host running to resume, a host whose workload completed no I/O.
import test from 'ava';
import type { InvariantResult, ScenarioResult } from '../sim/scenario/result.js';
import { runScenario } from '../sim/scenario/runner.js';
import type { Scenario, ScenarioFault, ScenarioHost, ScenarioInvariant } from '../sim/scenario/types.js';
import { resolveScenario } from '../sim/scenario/validate.js';

function scenario(host: Omit<ScenarioHost, 'node' | 'connect'>, faults: readonly ScenarioFault[] = [], invariants?: readonly ScenarioInvariant[]): Scenario {
  return {
    name: 'trust',
    duration: '5ms',
    drain: '5ms',
    nodes: [
      { name: 'h', cores: 2 },
      { name: 't', cores: 2 },
    ],
    links: [{ a: 'h', b: 't', options: { latencyUs: 8 } }],
    targets: [{ node: 't', subsystems: [{ nqn: 'nqn.2024-01.io.test:trust', namespaces: [{ backend: 'ram:64MiB' }] }] }],
    hosts: [{ node: 'h', connect: { target: 't' }, ...host }],
    faults,
    ...(invariants === undefined ? {} : { invariants }),
  };
}

async function run(value: Scenario): Promise<ScenarioResult> {
  return runScenario(resolveScenario(value, 'trust.ts'));
}

function verdict(result: ScenarioResult, name: string): InvariantResult {
  const found = result.invariants.find((inv) => inv.name === name);
  if (found === undefined) throw new Error(`no ${name} verdict (have ${result.invariants.map((inv) => inv.name).join(', ')})`);
  return found;
}

test('scenario: each verdict reports how much it checked', async (t) => {
  const result = await run(
    scenario({ workload: { rw: 'randrw', bs: '4k', size: '1MiB', iodepth: 4, verify: true } }, [{ at: '2ms', action: 'heal' }], [
      { check: 'workload-progress' },
      { check: 'ios-accounted' },
      { check: 'no-verify-mismatch' },
      { check: 'no-io-errors' },
      { check: 'io-resumes' },
    ]),
  );
  t.true(result.ok, result.invariants.map((inv) => `${inv.name}: ${inv.detail}`).join('; '));
  const host = result.perHost[0];
  if (host === undefined) return t.fail('no host result');
  t.true(host.ios > 0);
  t.is(verdict(result, 'no-crash').checked, result.events);
  t.is(verdict(result, 'hosts-connect').checked, 1);
  t.is(verdict(result, 'workload-progress').checked, 1);
  t.is(verdict(result, 'ios-complete-once').checked, host.ios + host.errors);
  t.is(verdict(result, 'ios-accounted').checked, host.ios + host.errors + host.lostInCrash + host.outstanding);
  t.is(verdict(result, 'no-io-errors').checked, host.ios + host.errors);
  t.true(host.verify.blocksChecked > 0);
  t.is(verdict(result, 'no-verify-mismatch').checked, host.verify.blocksChecked);
  t.is(verdict(result, 'no-verify-mismatch').detail, `no mismatches in ${host.verify.blocksChecked} block(s) read back by 1 host(s)`);
  t.is(verdict(result, 'io-resumes').checked, 1);
  t.regex(verdict(result, 'io-resumes').detail, /^1 resumption\(s\) within /);
});

test('scenario: verify on with no block read back fails', async (t) => {
  // The host dies before its write job's read-back phase: it asked to verify and verified nothing.
  const result = await run(scenario({ workload: { rw: 'randwrite', bs: '4k', iodepth: 2, verify: true } }, [{ at: '3ms', action: 'crash', node: 'h' }]));
  const verify = verdict(result, 'no-verify-mismatch');
  t.false(verify.ok);
  t.is(verify.checked, 0);
  t.is(verify.detail, 'h: verify is on but no block was read back and compared');
  t.false(result.ok);
  t.is(result.failure, 'correctness');
});

test('scenario: a heal with no host running to resume fails io-resumes', async (t) => {
  // The workload starts after the heal: nothing could have resumed after it.
  const result = await run(scenario({ workload: { rw: 'randread', iodepth: 2, startAt: '4ms' } }, [{ at: '3ms', action: 'heal' }]));
  const resumes = verdict(result, 'io-resumes');
  t.false(resumes.ok);
  t.is(resumes.checked, 0);
  t.is(resumes.detail, 'heal at 3.000 ms: no host had a running workload, so no resumption could be checked');
  t.is(result.failure, 'liveness');
  t.true(result.ios > 0, 'the workload itself ran');
});

test('scenario: a host whose workload completed no I/O fails workload-progress', async (t) => {
  // Connected, then cut off before its workload starts: every I/O it submits hangs.
  const result = await run(scenario({ workload: { rw: 'randread', iodepth: 2, startAt: '2ms' } }, [{ at: '1ms', action: 'partition', between: ['h', 't'] }]));
  t.true(verdict(result, 'hosts-connect').ok);
  const progress = verdict(result, 'workload-progress');
  t.false(progress.ok);
  t.is(progress.class, 'liveness');
  t.is(progress.checked, 0);
  t.is(progress.detail, 'h: its workload completed no I/O (2 submitted, 0 failed)');
  t.is(result.ios, 0);
  t.false(result.ok);
});

test('scenario: a host without a workload is not checked for progress', async (t) => {
  const result = await run(scenario({}));
  const progress = verdict(result, 'workload-progress');
  t.true(progress.ok);
  t.is(progress.checked, 0);
  t.is(progress.detail, 'no host has a workload (nothing to check)');
  t.true(result.ok);
});
