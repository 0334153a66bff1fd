// The study, merge and seed-sweep commands through the real bin: shards run as separate processes
// merge to the single run's document, --resume reuses saved runs, a seed sweep reports by class and
// exits non-zero on a failing seed, --set changes a field and appears in the repeat line, the summary
// and report.md agree, and bad input is one line with exit status 2.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StudyResult } from '../sim/study/index.js';
import { nvmfSim } from './helpers/cli-run.js';

const TINY = 'test/fixtures/studies/tiny.ts';

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'nvmf-sim-cli-study-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function readResult(path: string): StudyResult {
  return JSON.parse(readFileSync(path, 'utf8')) as StudyResult;
}

/** Everything but the wall-clock figure. */
function comparable(result: StudyResult): StudyResult {
  return { ...result, wallSeconds: 0 };
}

test('cli study: shards run as separate processes merge to the single run', async (t) => {
  const dir = tempDir(t);
  const whole = join(dir, 'whole.json');
  const single = await nvmfSim(['study', TINY, '--duration', '3ms', '--jobs', '2', '--out', whole]);
  t.is(single.code, 0, single.stderr);
  t.regex(single.stdout, /^study tiny \(test\/fixtures\/studies\/tiny\.ts\): 2 point\(s\) x 2 seed\(s\), 4 run\(s\)/);
  t.regex(single.stdout, /answers:\n {2}largest queues with latencyUs\.p99 < 1000000000: 2/);
  t.regex(single.stdout, /points:\n {2}queues +IOPS/);
  const shards = await Promise.all(
    ['1/3', '2/3', '3/3'].map((shard, i) => nvmfSim(['study', TINY, '--duration', '3ms', '--jobs', '1', '--shard', shard, '--out', join(dir, `shard-${i}.json`)])),
  );
  for (const shard of shards) t.is(shard.code, 0, shard.stderr);
  const merged = join(dir, 'merged.json');
  const merge = await nvmfSim(['merge', join(dir, 'shard-0.json'), join(dir, 'shard-1.json'), join(dir, 'shard-2.json'), '--out', merged]);
  t.is(merge.code, 0, merge.stderr);
  t.deepEqual(comparable(readResult(merged)), comparable(readResult(whole)));
  const partial = await nvmfSim(['merge', join(dir, 'shard-0.json')]);
  t.is(partial.code, 0);
  t.regex(partial.stderr, /merge: 2 of 4 runs present; the answers need them all/);
});

test('cli study: the summary and report.md state the same answers and points; --report ends with the path and the answers', async (t) => {
  const dir = tempDir(t);
  const report = join(dir, 'report');
  const run = await nvmfSim(['study', TINY, '--duration', '3ms', '--jobs', '2', '--report', report]);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stderr, new RegExp(`report: ${join(report, 'report.html').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d+ chart\\(s\\)`));
  const markdown = readFileSync(join(report, 'report.md'), 'utf8');
  const answers = [...markdown.matchAll(/^- (.+)$/gm)].map((match) => (match[1] ?? '').replace(/\*\*/g, ''));
  t.true(answers.length > 0);
  // The answers open the summary and, with --report, close it.
  const lines = run.stdout.trimEnd().split('\n');
  t.deepEqual(lines.slice(1, 2 + answers.length), ['answers:', ...answers.map((answer) => `  ${answer}`)]);
  t.deepEqual(lines.slice(-1 - answers.length), ['answers:', ...answers.map((answer) => `  ${answer}`)]);
  // Each point's row has the report's cells: IOPS and p99 with their intervals, the bottleneck.
  const rows = markdown.split('## Points')[1]?.split('\n\n')[1]?.split('\n').slice(2) ?? [];
  t.is(rows.length, 2);
  for (const row of rows) {
    const cells = row.slice(2, -2).split(' | ');
    const line = lines.find((candidate) => candidate.startsWith(`  ${cells[0] ?? ''} `)) ?? '';
    t.deepEqual(line.trim().split(/ {2,}/), cells.filter((cell) => cell !== ''), line);
  }
});

test('cli study: --resume reuses the runs saved in --out', async (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'study.json');
  t.is((await nvmfSim(['study', TINY, '--duration', '3ms', '--point', '0', '--out', out])).code, 0);
  t.is(readResult(out).tasks.present, 2);
  const resumed = await nvmfSim(['study', TINY, '--duration', '3ms', '--out', out, '--resume', '--json']);
  t.is(resumed.code, 0, resumed.stderr);
  t.regex(resumed.stderr, /resume: 2 run\(s\) already in /);
  const result = JSON.parse(resumed.stdout) as StudyResult;
  t.true(result.complete);
  t.deepEqual(comparable(result), comparable(readResult(out)));
});

test('cli study: bad input is one line with exit status 2', async (t) => {
  const cases: [readonly string[], RegExp][] = [
    [['study', 'nope.ts'], /^nvmf-sim: nope\.ts: no such file\n$/],
    [['study', TINY, '--shard', '3/2'], /^nvmf-sim: --shard: expected i\/n with 1 <= i <= n/],
    [['study', TINY, '--seeds', '0'], /^nvmf-sim: --seeds: 0 is outside 1\.\.100000\n$/],
    [['study', TINY, '--resume'], /^nvmf-sim: --resume needs --out FILE\.json/],
    [['run', 'scenarios/reference.ts', '--seeds', '5..1'], /^nvmf-sim: --seeds: range '5\.\.1' runs backwards\n$/],
    [['run', 'scenarios/reference.ts', '--set', 'hosts[*].connect.nrIoQueues'], /^nvmf-sim: --set: expected PATH=VALUE/],
    [['run', 'scenarios/reference.ts', '--set', 'hosts[3].connect.nrIoQueues=2'], /^nvmf-sim: scenarios\/reference\.ts: hosts\[3\]\.connect\.nrIoQueues: hosts has 1 element\(s\), so \[3\] names nothing\n$/],
    [['run', 'scenarios/reference.ts', '--set', 'hosts[0].connect.nrIoQueues=0'], /^nvmf-sim: scenarios\/reference\.ts: hosts\[0\]\.connect\.nrIoQueues: /],
  ];
  for (const [args, expected] of cases) {
    const run = await nvmfSim(args);
    t.is(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    t.regex(run.stderr, expected, args.join(' '));
  }
  const dir = tempDir(t);
  writeFileSync(join(dir, 'other.json'), JSON.stringify({ tool: 'nvmf-sim', kind: 'study', study: { studyKey: 'x' }, points: [] }));
  const one = join(dir, 'one.json');
  t.is((await nvmfSim(['study', TINY, '--duration', '3ms', '--point', '0', '--seed', '1', '--out', one])).code, 0);
  const merge = await nvmfSim(['merge', one, join(dir, 'other.json')]);
  t.is(merge.code, 2);
  t.regex(merge.stderr, /other\.json: is from a different study than /);
});

test('cli run: --set changes a field and appears in the repeat line', async (t) => {
  const run = await nvmfSim(['run', 'scenarios/reference.ts', '--duration', '2ms', '--set', 'hosts[*].connect.nrIoQueues=2', '--json']);
  t.is(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout) as { repeat: string; perQueue: readonly { qid: number }[] };
  t.is(result.repeat, "npx nvmf-sim run scenarios/reference.ts --seed 42 --duration 2ms --set 'hosts[*].connect.nrIoQueues=2'");
  t.deepEqual([...new Set(result.perQueue.map((queue) => queue.qid))], [1, 2]);
});

test('cli run: a seed sweep summarises by failure class and exits non-zero when a seed fails', async (t) => {
  const dir = tempDir(t);
  // One host, a device that fails every command from 1 ms on: every seed fails no-io-errors.
  const file = join(dir, 'failing.ts');
  writeFileSync(
    file,
    `import { defineScenario } from 'nvmf-sim';
export default defineScenario({
  name: 'failing', duration: '3ms',
  nodes: [{ name: 'h', cores: 2 }, { name: 't', cores: 2 }],
  links: [{ a: 'h', b: 't' }],
  targets: [{ node: 't', subsystems: [{ nqn: 'nqn.2024-01.io.example:f', namespaces: [{ backend: 'ssd:1GiB' }] }] }],
  hosts: [{ node: 'h', connect: { target: 't', nrIoQueues: 1 }, workload: { rw: 'randread', iodepth: 4 } }],
  faults: [{ at: '1ms', action: 'failDevice', target: 't', nqn: 'nqn.2024-01.io.example:f', nsid: 1 }],
  invariants: [{ check: 'no-io-errors' }],
});
`,
  );
  const sweep = await nvmfSim(['run', file, '--seeds', '1..4', '--jobs', '2']);
  t.is(sweep.code, 129, sweep.stderr);
  t.regex(sweep.stdout, /seed sweep .*failing\.ts: 4 seed\(s\), 0 passed, 4 failed \(correctness 4\)/);
  t.regex(sweep.stdout, /correctness:\n {2}seed 1: no-io-errors: /);
  t.regex(sweep.stdout, /repeat: npx nvmf-sim run .*failing\.ts --seed 1 --duration 3ms/);
  const json = await nvmfSim(['run', file, '--seeds', '1..4', '--jobs', '1', '--json']);
  const one = JSON.parse(json.stdout) as { results: unknown[]; wallSeconds: number };
  const two = JSON.parse((await nvmfSim(['run', file, '--seeds', '1..4', '--jobs', '2', '--json'])).stdout) as typeof one;
  t.deepEqual({ ...one, wallSeconds: 0 }, { ...two, wallSeconds: 0 });
  const passing = await nvmfSim(['run', 'scenarios/reference.ts', '--duration', '2ms', '--seeds', '1,2']);
  t.is(passing.code, 0, passing.stderr);
  t.regex(passing.stdout, /2 seed\(s\), 2 passed, 0 failed/);
});
