// fio job files in scenarios: `workload: { fioJob }` relative to the scenario file, the job's
// options reaching the engine, fields beside fioJob overriding it, and job-file errors naming the
// scenario field and the file's line.
import test from 'ava';
import reference from '../scenarios/reference.js';
import { ScenarioError } from '../sim/scenario/scenario-error.js';
import { runScenario } from '../sim/scenario/runner.js';
import type { Scenario, ScenarioWorkload } from '../sim/scenario/types.js';
import { resolveScenario } from '../sim/scenario/validate.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function withWorkload(workload: ScenarioWorkload): Scenario {
  const base = reference as Scenario;
  return { ...base, hosts: base.hosts.map((host) => ({ ...host, workload })) };
}

test('fio job scenario: fioJob is read relative to the scenario file and runs', async (t) => {
  const resolved = resolveScenario(withWorkload({ fioJob: 'jobs/randrw-verify.fio' }), 'scenarios/reference.ts', { durationNs: 20e6 });
  const job = resolved.hosts[0]?.workload?.job;
  t.is(job?.rw, 'randrw');
  t.is(job?.rwmixread, 70);
  t.is(job?.iodepth, 8, 'numjobs 2 x iodepth 4');
  t.true(job?.verify);
  t.deepEqual(job?.bssplit?.read.map((share) => share.bytes), [4096, 16384]);
  const result = await runScenario(resolved);
  t.true(result.ios > 0);
  t.is(result.errors, 0);
  t.true(result.ok, JSON.stringify(result.invariants));
});

test('fio job scenario: fields beside fioJob override the file', (t) => {
  const resolved = resolveScenario(withWorkload({ fioJob: 'jobs/randrw-verify.fio', rw: 'randwrite', iodepth: 2 }), 'scenarios/reference.ts', { durationNs: 20e6 });
  t.is(resolved.hosts[0]?.workload?.job.rw, 'randwrite');
  t.is(resolved.hosts[0]?.workload?.job.iodepth, 2);
});

const tmp = mkdtempSync(join(tmpdir(), 'nvmf-sim-fio-scenario-'));
test.after.always(() => rmSync(tmp, { recursive: true, force: true }));

test('fio job scenario: a bad job file names the field, the file and its line', (t) => {
  writeFileSync(join(tmp, 'bad.fio'), '[a]\nrw=randread\nbssplit=4k/30:8k/30\n');
  const error = t.throws(() => resolveScenario(withWorkload({ fioJob: 'bad.fio' }), join(tmp, 'scenario.ts')), { instanceOf: ScenarioError });
  t.regex(error?.message ?? '', /hosts\[0\]\.workload\.fioJob: bad\.fio:3: option 'bssplit': percentages add up to 60, not 100/);
});

test('fio job scenario: a file with two jobs or none is refused', (t) => {
  writeFileSync(join(tmp, 'two.fio'), '[a]\nrw=read\n[b]\nrw=write\n');
  const two = t.throws(() => resolveScenario(withWorkload({ fioJob: 'two.fio' }), join(tmp, 'scenario.ts')), { instanceOf: ScenarioError });
  t.regex(two?.message ?? '', /workload\.fioJob: 'two\.fio' has 2 jobs; a scenario host runs one/);
  const missing = t.throws(() => resolveScenario(withWorkload({ fioJob: 'nope.fio' }), join(tmp, 'scenario.ts')), { instanceOf: ScenarioError });
  t.regex(missing?.message ?? '', /workload\.fioJob: cannot read job file 'nope\.fio' \(ENOENT\)/);
  const neither = t.throws(() => resolveScenario(withWorkload({}), join(tmp, 'scenario.ts')), { instanceOf: ScenarioError });
  t.regex(neither?.message ?? '', /workload\.rw: is required \(or give fioJob\)/);
});
