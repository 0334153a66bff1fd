// Reports in a real browser: Debian's chromium opens report.html from file:// through
// playwright-core. No console error, no network request, every chart the report lists is rendered
// (an SVG with drawn marks in each chart figure), and a full-page screenshot is neither blank nor
// broken. Also checks the files beside it: each chart's SVG and CSV, report.md and report.json
// (with its fio JSON), and, for a run with a healed partition, the shaded fault window and the
// queue × time heatmap.
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { assertBrowser, browserTest, CHROMIUM, CHROMIUM_ARGS } from './helpers/browser-prereqs.js';
import { nvmfSim } from './helpers/cli-run.js';

async function openReport(html: string): Promise<{ errors: string[]; requests: string[]; charts: { id: string; marks: number; width: number }[]; png: Buffer }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('request', (request) => {
      if (!request.url().startsWith('file://')) requests.push(request.url());
    });
    await page.goto(`file://${html}`, { waitUntil: 'load' });
    const charts = await page.$$eval('figure.chart', (figures) =>
      figures.map((figure) => {
        const svg = figure.querySelector('svg');
        return {
          id: figure.getAttribute('data-chart') ?? '',
          marks: svg === null ? 0 : svg.querySelectorAll('path, rect, circle, line, text').length,
          width: svg === null ? 0 : svg.getBoundingClientRect().width,
        };
      }),
    );
    const png = await page.screenshot({ fullPage: true });
    return { errors, requests, charts, png };
  } finally {
    await browser.close();
  }
}

/** Distinct colours in a PNG's raw bytes are unknowable without decoding; a blank page compresses to almost nothing. */
const BLANK_PAGE_BYTES = 40_000;

browserTest('report: a study report opens in chromium with every chart drawn, no error and no request', async (t) => {
  assertBrowser();
  const dir = mkdtempSync(join(tmpdir(), 'nvmf-sim-report-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const run = await nvmfSim(['study', 'test/fixtures/studies/tiny.ts', '--duration', '3ms', '--report', dir]);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stderr, /report: .*report\.html \(\d+ chart\(s\)/);
  const html = join(dir, 'report.html');
  const { errors, requests, charts, png } = await openReport(html);
  t.deepEqual(errors, []);
  t.deepEqual(requests, []);
  const text = readFileSync(html, 'utf8');
  const listed = [...text.matchAll(/data-chart="([^"]+)"/g)].map((match) => match[1]);
  t.true(listed.length > 0);
  t.deepEqual(charts.map((chart) => chart.id), listed);
  for (const chart of charts) {
    t.true(chart.marks > 20 && chart.width > 300, `${chart.id}: ${chart.marks} marks, ${chart.width} px`);
    t.true(existsSync(join(dir, `${chart.id}.svg`)) && existsSync(join(dir, `${chart.id}.csv`)), chart.id);
  }
  t.true(png.length > BLANK_PAGE_BYTES, `screenshot of ${png.length} bytes`);
  const markdown = readFileSync(join(dir, 'report.md'), 'utf8');
  t.regex(markdown, /^# Study: tiny\n/);
  t.regex(markdown, /## Answers\n\n- largest queues with latencyUs\.p99 < 1000000000: \*\*2\*\*/);
  const json = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { provenance: { fileHash: string; seeds: string[] }; result: { kind: string } };
  t.is(json.result.kind, 'study');
  t.true(listed.includes('latency-percentiles'));
  writeFileSync(join(dir, 'screenshot.png'), png);
  // fio JSON for every point × seed: 2 points × 2 seeds.
  const fio = (JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { fio: { kind: string; points: { seed: string; output: { jobs: unknown[] } }[] } }).fio;
  t.is(fio.kind, 'study');
  t.deepEqual(fio.points.map((point) => [point.seed, point.output.jobs.length]), [['1', 1], ['2', 1], ['1', 1], ['2', 1]]);
  t.deepEqual(json.provenance.seeds, ['1', '2']);
  t.regex(json.provenance.fileHash, /^[0-9a-f]{64}$/);
});

browserTest('report: a run report renders again from saved results', async (t) => {
  assertBrowser();
  const dir = mkdtempSync(join(tmpdir(), 'nvmf-sim-report-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const saved = await nvmfSim(['run', 'scenarios/reference.ts', '--duration', '3ms', '--json']);
  t.is(saved.code, 0, saved.stderr);
  const results = join(dir, 'run.json');
  writeFileSync(results, saved.stdout);
  const rendered = await nvmfSim(['report', results, '--report', join(dir, 'out')]);
  t.is(rendered.code, 0, rendered.stderr);
  const { errors, requests, charts } = await openReport(join(dir, 'out', 'report.html'));
  t.deepEqual(errors, []);
  t.deepEqual(requests, []);
  t.deepEqual(charts.map((chart) => chart.id), ['iops-over-time', 'p99-over-time', 'latency-per-queue', 'cpu-per-core', 'latency-percentiles']);
  const markdown = readFileSync(join(dir, 'out', 'report.md'), 'utf8');
  t.regex(markdown, /\| host \| 8 \|/);
  // No per-queue time series was recorded: the report says so instead of an empty heatmap.
  t.regex(markdown, /> No per-queue time series in this run/);
});

browserTest('report: a run with a healed partition shows the fault window, the queue heatmap and fio JSON', async (t) => {
  assertBrowser();
  const dir = mkdtempSync(join(tmpdir(), 'nvmf-sim-report-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const run = await nvmfSim(['run', 'test/fixtures/scenarios/partition-heal.ts', '--per-queue', '--interval', '5ms', '--report', dir]);
  t.is(run.code, 0, run.stderr);
  const html = join(dir, 'report.html');
  const { errors, requests, charts, png } = await openReport(html);
  t.deepEqual(errors, []);
  t.deepEqual(requests, []);
  t.deepEqual(charts.map((chart) => chart.id), ['iops-over-time', 'p99-over-time', 'queue-p99-heatmap', 'latency-per-queue', 'cpu-per-core', 'latency-percentiles']);
  for (const chart of charts) t.true(chart.marks > 20 && chart.width > 300, `${chart.id}: ${chart.marks} marks, ${chart.width} px`);
  writeFileSync(join(dir, 'screenshot.png'), png);
  t.true(png.length > BLANK_PAGE_BYTES, `screenshot of ${png.length} bytes`);
  // The partition's window is shaded and labelled on both time series.
  for (const id of ['iops-over-time', 'p99-over-time']) t.true(readFileSync(join(dir, `${id}.svg`), 'utf8').includes('>partition<'), id);
  // A cell per queue and 5 ms interval, and the queues named by NVMe qid.
  const heatmap = readFileSync(join(dir, 'queue-p99-heatmap.svg'), 'utf8');
  t.true(heatmap.includes('host qid 1') && heatmap.includes('host qid 4') && heatmap.includes('no completion'));
  const cells = readFileSync(join(dir, 'queue-p99-heatmap.csv'), 'utf8').trim().split('\n').length - 1;
  t.true(cells >= 4 * 100, `${cells} cells`);
  t.regex(readFileSync(join(dir, 'report.md'), 'utf8'), /\| host \| qid \| I\/Os \| p50 µs \| p99 µs \| p99\.9 µs \| max µs \| mean µs \|/);
  const json = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as {
    fio: { kind: string; output: { jobs: { jobname: string; read: { total_ios: number; clat_ns: { bins?: Record<string, number> } } }[] } };
  };
  t.is(json.fio.kind, 'run');
  const job = json.fio.output.jobs[0];
  t.is(job?.jobname, 'host');
  t.is(Object.values(job?.read.clat_ns.bins ?? {}).reduce((a, b) => a + b, 0), job?.read.total_ios ?? -1);
});

test('report: bad input to nvmf-sim report is one line with exit status 2', async (t) => {
  const missing = await nvmfSim(['report', 'nope.json', '--report', join(tmpdir(), 'never')]);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /^nvmf-sim: nope\.json: no such file\n$/);
  const noDir = await nvmfSim(['report', 'package.json']);
  t.is(noDir.code, 2);
  t.regex(noDir.stderr, /--report is required/);
});
