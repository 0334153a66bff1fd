// Running studies on the worker pool: results that do not depend on --jobs, shards that merge to
// the single run, --resume by content key, and one-line errors for bad studies and axis values.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { mergeStudies, runStudy, StudyError, type StudyResult } from '../sim/study/index.js';

const TINY = 'test/fixtures/studies/tiny.ts';
const options = { version: 'test', durationNs: 3e6 } as const;

/** The document without the wall-clock figure, which is all that may differ between equal runs. */
function comparable(result: StudyResult): StudyResult {
  return { ...result, wallSeconds: 0 };
}

test('study run: results are the same for any --jobs, and shards merge to the single run', async (t) => {
  const one = await runStudy(TINY, { ...options, jobs: 1 });
  t.true(one.complete);
  t.deepEqual(one.tasks, { total: 4, present: 4, failed: 0 });
  t.is(one.points.length, 2);
  t.true(one.points.every((point) => point.metrics['iops'] !== undefined && (point.metrics['iops']?.mean ?? 0) > 0));
  t.is(one.answers[0]?.answers[0]?.value, 2);
  const two = await runStudy(TINY, { ...options, jobs: 2 });
  t.deepEqual(comparable(two), comparable(one));
  const first = await runStudy(TINY, { ...options, jobs: 2, shard: { index: 1, count: 2 } });
  const second = await runStudy(TINY, { ...options, jobs: 2, shard: { index: 2, count: 2 } });
  t.false(first.complete);
  t.deepEqual(first.answers, []);
  t.deepEqual(
    first.points.flatMap((point) => point.seeds.map((seed) => seed.task)),
    [0, 2],
  );
  const merged = mergeStudies([
    { file: 'second.json', result: second },
    { file: 'first.json', result: first },
  ]);
  t.deepEqual(comparable(merged), comparable(one));
});

test('study run: --resume reuses results whose content is unchanged', async (t) => {
  const full = await runStudy(TINY, { ...options, jobs: 2 });
  const progress: { done: number; total: number; reused: number }[] = [];
  const resumed = await runStudy(TINY, { ...options, jobs: 2, resume: full, onProgress: (p) => progress.push(p) });
  t.deepEqual(comparable(resumed), comparable(full));
  t.deepEqual(progress, [{ done: 0, total: 0, reused: 4 }]);
  // A different duration is different content: nothing is reused.
  const changed: { reused: number }[] = [];
  await runStudy(TINY, { ...options, durationNs: 2e6, jobs: 2, resume: full, seed: '1', point: 0, onProgress: (p) => changed.push(p) });
  t.is(changed[0]?.reused, 0);
});

function studyFile(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  const api = relative(dir, 'sim/study/index.js').replace(/\\/g, '/');
  const reference = relative(dir, 'scenarios/reference.ts').replace(/\\/g, '/');
  writeFileSync(path, `import { defineStudy } from '${api.startsWith('.') ? api : `./${api}`}';\nconst reference = '${reference}';\n${body}\n`);
  return path;
}

test('study run: bad studies and axis values are one line naming the file, the axis and the value', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nvmf-sim-study-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const unknown = studyFile(
    dir,
    'unknown.ts',
    "export default defineStudy({ name: 'u', scenario: reference, axes: [{ path: 'hosts[*].connect.nrIoQueuez', values: [1] }] });",
  );
  const error1 = await t.throwsAsync(runStudy(unknown, options), { instanceOf: StudyError });
  t.regex(error1?.message ?? '', /unknown\.ts: axis 'hosts\[\*\]\.connect\.nrIoQueuez' = 1: .*hosts\[0\]\.connect\.nrIoQueuez/);
  t.false((error1?.message ?? '').includes('\n'));
  const range = studyFile(
    dir,
    'range.ts',
    "export default defineStudy({ name: 'r', scenario: reference, axes: [{ name: 'q', path: 'hosts[*].connect.nrIoQueues', values: [2, 0] }] });",
  );
  const error2 = await t.throwsAsync(runStudy(range, options), { instanceOf: StudyError });
  t.regex(error2?.message ?? '', /range\.ts: axis 'q' = 0: .*nrIoQueues/);
  const missing = await t.throwsAsync(runStudy(join(dir, 'nope.ts'), options), { instanceOf: StudyError });
  t.regex(missing?.message ?? '', /nope\.ts: no such file$/);
  const broken = studyFile(dir, 'broken.ts', 'export default defineStudy({ name: ');
  t.regex((await t.throwsAsync(runStudy(broken, options)))?.message ?? '', /broken\.ts: does not compile/);
  const noAxis = studyFile(dir, 'noaxis.ts', "export default defineStudy({ name: 'n', scenario: reference, axes: [] });");
  t.regex((await t.throwsAsync(runStudy(noAxis, options)))?.message ?? '', /noaxis\.ts: axes: must list at least one axis/);
  const badQuestion = studyFile(
    dir,
    'question.ts',
    "export default defineStudy({ name: 'q', scenario: reference, axes: [{ name: 'q', path: 'hosts[*].connect.nrIoQueues', values: [1] }], questions: [{ kind: 'largest', axis: 'hosts', metric: 'iops', below: 1 }] });",
  );
  t.regex((await t.throwsAsync(runStudy(badQuestion, options)))?.message ?? '', /questions\[0\]: axis 'hosts' is not one of the study's axes/);
});

test('study run: merging results of different studies is refused naming the file', async (t) => {
  const tiny = await runStudy(TINY, { ...options, jobs: 1, point: 0, seed: '1' });
  const other: StudyResult = { ...tiny, study: { ...tiny.study, name: 'other', studyKey: 'f'.repeat(64) } };
  const error = t.throws(() => mergeStudies([{ file: 'a.json', result: tiny }, { file: 'b.json', result: other }]), { instanceOf: StudyError });
  t.regex(error?.message ?? '', /^b\.json: is from a different study than a\.json/);
});

test('study run: a point that fails an invariant reports its class and repeat command, and the study goes on', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nvmf-sim-study-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // The device fails from 1 ms on only when `fail` is true; no-io-errors makes that a correctness failure.
  const file = studyFile(
    dir,
    'failing.ts',
    `const scenario = (point) => ({
  name: 'failing', duration: '3ms',
  nodes: [{ name: 'h', cores: 2 }, { name: 't', cores: 2 }],
  links: [{ a: 'h', b: 't' }],
  targets: [{ node: 't', subsystems: [{ nqn: 'nqn.2024-01.io.example:f', namespaces: [{ backend: 'ssd:1GiB' }] }] }],
  hosts: [{ node: 'h', connect: { target: 't', nrIoQueues: 1 }, workload: { rw: 'randread', iodepth: 4 } }],
  faults: point.fail ? [{ at: '1ms', action: 'failDevice', target: 't', nqn: 'nqn.2024-01.io.example:f', nsid: 1 }] : [],
  invariants: [{ check: 'no-io-errors' }],
});
void reference;
export default defineStudy({ name: 'failing', scenario, axes: [{ name: 'fail', values: [false, true] }], seeds: 2 });`,
  );
  const result = await runStudy(file, { version: 'test', jobs: 2 });
  t.deepEqual(result.tasks, { total: 4, present: 4, failed: 2 });
  const [good, bad] = result.points;
  t.true(good?.ok);
  t.false(bad?.ok);
  t.deepEqual(bad?.failures.map((failure) => failure.class), ['correctness', 'correctness']);
  t.regex(bad?.failures[0]?.failed[0] ?? '', /^no-io-errors: /);
  t.regex(bad?.failures[0]?.repeat ?? '', /^npx nvmf-sim study .*failing\.ts --point 1 --seed 1$/);
  // Under --seeds 3 the repeat names the seeds too, or --seed 3 would not be one of the study's.
  const more = await runStudy(file, { version: 'test', jobs: 1, seeds: 3, point: 1, seed: '3' });
  t.regex(more.points[0]?.failures[0]?.repeat ?? '', /^npx nvmf-sim study .*failing\.ts --point 1 --seeds 3 --seed 3$/);
});
