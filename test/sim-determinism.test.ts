// Determinism of the simulator, checked as FoundationDB checks its "unseed": the same scenario and
// seed give the same fingerprint and the same report (all but wallSeconds), a different seed gives a
// different run, and two simulations interleaved in one process each match their solo runs, so no
// state leaks between worlds.
import test from 'ava';
import { loadScenario } from '../sim/scenario/load.js';
import type { ScenarioResult } from '../sim/scenario/result.js';
import { runScenario } from '../sim/scenario/runner.js';

/** 5 simulated ms of the reference scenario: thousands of I/Os, a fraction of a wall second. */
const DURATION_NS = 5_000_000;

async function run(seed: string): Promise<ScenarioResult> {
  const scenario = await loadScenario('scenarios/reference.ts', { seed, durationNs: DURATION_NS });
  return runScenario(scenario);
}

/** The report without the one field that is allowed to differ. */
function comparable(result: ScenarioResult): Omit<ScenarioResult, 'wallSeconds'> {
  const { wallSeconds: _wallSeconds, ...rest } = result;
  return rest;
}

test('sim: same seed gives the same fingerprint and report', async (t) => {
  const first = await run('42');
  const second = await run('42');
  t.true(first.ios > 0);
  t.is(first.fingerprint, second.fingerprint);
  t.deepEqual(comparable(first), comparable(second));
});

test('sim: a different seed gives a different run', async (t) => {
  const a = await run('42');
  const b = await run('43');
  t.not(a.fingerprint, b.fingerprint);
  t.true(b.ios > 0);
});

test('sim: interleaved simulations match their solo runs', async (t) => {
  const soloA = await run('1');
  const soloB = await run('2');
  const [bothA, bothB] = await Promise.all([run('1'), run('2')]);
  t.deepEqual(comparable(bothA), comparable(soloA));
  t.deepEqual(comparable(bothB), comparable(soloB));
});
