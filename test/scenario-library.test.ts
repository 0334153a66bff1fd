// The library of field failures (scenarios/README.md, "Shipped scenarios"): each shipped scenario
// is run and the outcome it exists to show is asserted, not only that it runs.
import test from 'ava';
import { loadScenario } from '../sim/scenario/load.js';
import type { FieldAssignment } from '../sim/scenario/load.js';
import { FAILURE_EXIT_STATUS } from '../sim/scenario/result.js';
import type { ScenarioResult } from '../sim/scenario/result.js';
import { runScenario } from '../sim/scenario/runner.js';

interface Run {
  readonly result: ScenarioResult;
  /** The hosts' and targets' log lines at 'info' and above. */
  readonly log: readonly string[];
}

async function run(file: string, sets: readonly FieldAssignment[] = []): Promise<Run> {
  const log: string[] = [];
  const result = await runScenario(await loadScenario(file, {}, sets), { logLevel: 'info', logSink: (line) => log.push(line) });
  return { result, log };
}

function verdict(result: ScenarioResult, name: string): { ok: boolean; detail: string } {
  const found = result.invariants.find((invariant) => invariant.name === name);
  if (found === undefined) throw new Error(`no verdict ${name}`);
  return found;
}

test('digest-corruption: with digests, damaged data is caught and retried and every block verifies', async (t) => {
  const { result, log } = await run('scenarios/digest-corruption.ts');
  t.true(result.ok, JSON.stringify(result.invariants));
  t.true(log.filter((line) => line.includes('data digest error')).length > 0, 'the host caught damaged reads');
  t.is(result.errors, 0);
  t.true(verdict(result, 'no-verify-mismatch').ok);
  t.true((result.perHost[0]?.verify.blocksChecked ?? 0) > 1000);
});

test('digest-corruption: without the data digest the data-integrity invariant fails (exit 129)', async (t) => {
  const { result } = await run('scenarios/digest-corruption.ts', [{ path: 'hosts[0].connect.dataDigest', value: false }]);
  t.false(result.ok);
  t.is(result.failure, 'correctness');
  t.is(FAILURE_EXIT_STATUS[result.failure ?? 'crash'], 129);
  t.false(verdict(result, 'no-verify-mismatch').ok);
  t.true((result.perHost[0]?.verify.mismatches ?? 0) > 0);
});
