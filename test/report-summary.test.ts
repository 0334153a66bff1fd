// The terminal summary of a run comes from the report module: its numbers are report.md's, digit
// for digit (IOPS, p99 of the run, of each host and of each queue), and a mixed workload (randrw)
// shows reads and writes apart in the result JSON (per host and in total, as fio's JSON "read" and
// "write" sections), in the summary and in the report.
import test from 'ava';
import { reportDocument } from '../sim/report/report-document.js';
import { renderMarkdown } from '../sim/report/render-markdown.js';
import { formatRunSummary } from '../sim/report/run-summary.js';
import { resolveScenario } from '../sim/scenario/validate.js';
import { runScenario } from '../sim/scenario/runner.js';
import type { ScenarioResult } from '../sim/scenario/result.js';
import type { Scenario } from '../sim/scenario/types.js';

const PROVENANCE = { tool: 'nvmf-sim', version: 'test', commit: 'test', file: 'mixed.ts', fileHash: '0', seeds: ['1'], timeBase: 'virtual' as const, renderedAt: 'now' };

function mixed(workload: NonNullable<Scenario['hosts'][number]['workload']>): Scenario {
  return {
    name: 'mixed',
    duration: '10ms',
    nodes: [{ name: 'h1' }, { name: 'h2' }, { name: 't', cores: 4 }],
    switch: { linkOptions: { latencyUs: 5 } },
    targets: [{ node: 't', subsystems: [{ nqn: 'nqn.2024-01.io.example:m', namespaces: [{ backend: 'ssd:4GiB' }] }] }],
    hosts: [
      { node: 'h1', connect: { target: 't', nrIoQueues: 2 }, workload },
      { node: 'h2', connect: { target: 't', nrIoQueues: 2 }, workload: { rw: 'randread', bs: '4k', iodepth: 4 } },
    ],
  };
}

let cached: Promise<ScenarioResult> | undefined;
function randrw(): Promise<ScenarioResult> {
  cached ??= runScenario(resolveScenario(mixed({ rw: 'randrw', rwmixread: 70, bs: '4k', iodepth: 8 }), 'mixed.ts'));
  return cached;
}

/** The rows of the Markdown table under `## title`, as cells. */
function markdownRows(markdown: string, title: string): string[][] {
  const section = markdown.split(`## ${title}\n\n`)[1] ?? '';
  const lines = section.split('\n\n')[0]?.split('\n') ?? [];
  return lines.slice(2).map((line) => line.split(' | ').map((cell) => cell.replace(/^\| |\s\|$/g, '').trim()));
}

/** The rows of the aligned table under `heading:` in the terminal summary, cut at its header's columns. */
function textRows(text: string, heading: string): string[][] {
  const lines = text.split('\n');
  const start = lines.indexOf(`${heading}:`);
  const header = lines[start + 1] ?? '';
  const starts: number[] = [];
  for (const name of header.trim().split(/ {2,}/)) starts.push(header.indexOf(name, (starts.at(-1) ?? 0) + 1));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('  ')) break;
    rows.push(starts.map((at, i) => line.slice(at, starts[i + 1] ?? line.length).trim()));
  }
  return rows;
}

test('report summary: run and report.md agree on IOPS and p99 of the run, each host and each queue', async (t) => {
  const result = await randrw();
  t.true(result.ok, JSON.stringify(result.invariants.filter((inv) => !inv.ok)));
  const text = formatRunSummary(result, 'repeat');
  const markdown = renderMarkdown(reportDocument({ kind: 'run', result, repeat: 'repeat' }, PROVENANCE));
  const run = markdownRows(markdown, 'Run');
  const [, , iops, , p99] = /\nI\/O: ([\d,]+) completed, ([\d,]+) IOPS, .*\nlatency \(us\): p50 ([\d,.]+) {2}p99 ([\d,.]+) /.exec(text) ?? [];
  // Mixed: the Run table's first column says all, read or write.
  t.deepEqual(run.map((row) => row[0]), ['all', 'read', 'write']);
  t.is(run[0]?.[2], iops);
  t.is(run[0]?.[5], p99);
  t.is(iops, new Intl.NumberFormat('en-US').format(result.iops));
  // Each direction's line in the terminal has the Markdown row's IOPS and p99.
  for (const row of run.slice(1)) {
    const line = text.split('\n').find((candidate) => candidate.startsWith(`  ${row[0] ?? ''}: `)) ?? '';
    t.true(line.includes(` ${row[2] ?? ''} IOPS`) && line.includes(`p99 ${row[5] ?? ''} `), `${line} vs ${row.join(' | ')}`);
  }
  t.deepEqual(textRows(text, 'per host'), markdownRows(markdown, 'Per host'));
  const queues = markdownRows(markdown, 'Per queue (NVMe qid)');
  t.deepEqual(textRows(text, 'per queue'), queues);
  // NVMe qids, 1..N per host: the admin queue (0) carries no I/O.
  t.deepEqual(queues.map((row) => `${row[0] ?? ''} ${row[1] ?? ''}`), ['h1 1', 'h1 2', 'h2 1', 'h2 2']);
});

test('report summary: a randrw run reports reads and writes apart, per host and in total', async (t) => {
  const result = await randrw();
  const { read, write } = result;
  if (read === undefined || write === undefined) return t.fail('results carry read and write');
  t.is(read.ios + write.ios, result.ios);
  t.is(read.bytes + write.bytes, result.bytes);
  t.true(Math.abs(read.iops + write.iops - result.iops) < 0.01, `${read.iops} + ${write.iops} vs ${result.iops}`);
  t.true(Math.abs(read.bytesPerSecond + write.bytesPerSecond - result.bytesPerSecond) < 1);
  // h1 mixes 70% reads; h2 only reads, and its write section is zeros.
  const [h1, h2] = result.perHost;
  const share = (h1?.read?.ios ?? 0) / (h1?.ios ?? 1);
  t.true(share > 0.6 && share < 0.8, `read share ${share}`);
  t.is(h2?.write?.ios, 0);
  t.is(h2?.write?.latencyUs.p99, 0);
  t.is(h2?.read?.ios, h2?.ios);
  t.is((h1?.write?.ios ?? 0) + (h2?.write?.ios ?? 0), write.ios);
  const text = formatRunSummary(result, 'repeat');
  t.regex(text, /\n {2}read: [\d,]+ completed, [\d,]+ IOPS, [\d,.]+ MB\/s, 0 failed; latency \(us\): p50 /);
  t.regex(text, /\n {2}write: [\d,]+ completed, [\d,]+ IOPS, [\d,.]+ MB\/s, 0 failed; latency \(us\): p50 /);
  t.regex(text, /\n {2}h1 +t +live +0 +all .*\n {20,}read .*\n {20,}write /);
});

test('report summary: a run of one direction prints no split', async (t) => {
  const result = await runScenario(resolveScenario({ ...mixed({ rw: 'randwrite', bs: '4k', iodepth: 2 }), hosts: mixed({ rw: 'randwrite', bs: '4k', iodepth: 2 }).hosts.slice(0, 1), duration: '3ms' }, 'one.ts'));
  t.is(result.read?.ios, 0);
  t.is(result.write?.ios, result.ios);
  const text = formatRunSummary(result, 'repeat');
  t.notRegex(text, /\n {2}(read|write): /);
  t.regex(text, /\nper host:\n {2}host +target +state +reconnects +I\/Os /);
});
