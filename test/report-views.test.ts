// The report's views on small synthetic results: the time series with their fault marks, the
// queue × time heatmap and the per-queue table, fio's percentile plots, and fio's json+ bins.
// Checked by what a reader sees (series, marks, cells, axes, labels in the SVG), not by snapshots.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChartOption, ChartSpec } from '../sim/report/chart-spec.js';
import { MAX_PERCENTILE_SERIES, runPercentileChart, studyPercentileChart } from '../sim/report/percentile-charts.js';
import { MAX_COLUMNS, NO_QUEUE_SERIES_NOTE, queueHeatmap, queueTable } from '../sim/report/queue-latency.js';
import { reportDocument } from '../sim/report/report-document.js';
import type { Provenance } from '../sim/report/provenance.js';
import { renderSvgs } from '../sim/report/render-svg.js';
import { timeSeriesCharts } from '../sim/report/time-series-charts.js';
import { writeReport } from '../sim/report/write-report.js';
import { loadScenario, runScenario, type ScenarioResult } from '../sim/scenario/index.js';
import { FIO_PERCENTILES, LatencyHistogram, percentileKey } from '../sim/stats/index.js';
import type { StudyResult } from '../sim/study/index.js';
import { fioBins, fioPlatIndex, fioPlatValue, type FioJob } from '../sim/workload/index.js';

const PROVENANCE: Provenance = {
  tool: 'nvmf-sim',
  version: 'test',
  commit: 'unknown',
  file: 'synthetic.ts',
  fileHash: '0'.repeat(64),
  seeds: ['1'],
  timeBase: 'virtual',
  renderedAt: '2026-01-01T00:00:00.000Z',
};

function row(tMs: number, ios: number, p99: number): ScenarioResult['timeSeries']['perHost'][number]['intervals'][number] {
  return { tMs, ios, iops: ios * 100, bytesPerSecond: ios * 409600, latencyUs: { p50: p99 / 2, p99 }, errors: 0, inflight: 4 };
}

/** A fio job whose clat percentiles are `scale` × the percentile (µs), in ns. */
function fioJob(name: string, scale: number): FioJob {
  const percentile: Record<string, number> = {};
  for (const p of FIO_PERCENTILES) percentile[percentileKey(p)] = Math.round((100 + p * scale) * 1000);
  const dir = { io_bytes: 0, io_kbytes: 0, bw_bytes: 0, bw: 0, iops: 0, runtime: 0, total_ios: 0, short_ios: 0, drop_ios: 0, slat_ns: { min: 0, max: 0, mean: 0, stddev: 0, N: 0 }, clat_ns: { min: 0, max: 0, mean: 0, stddev: 0, N: 0 }, lat_ns: { min: 0, max: 0, mean: 0, stddev: 0, N: 0 } };
  return {
    jobname: name,
    groupid: 0,
    error: 0,
    eta: 0,
    elapsed: 0,
    'job options': { rw: 'randread' },
    read: { ...dir, total_ios: 1000, clat_ns: { min: 1, max: 2, mean: 1, stddev: 0, N: 1000, percentile } },
    write: dir,
    trim: dir,
    nvmf_sim: { ended: 'done', errors: 0, queues: [], verify: { enabled: false, blocks_checked: 0, mismatches: 0 } },
  };
}

/** Two hosts of two queues, 10 intervals of 10 ms, a partition from 30 to 60 ms healed, and a setLink at 80 ms. */
function synthetic(perQueue: boolean): ScenarioResult {
  const hosts = ['h1', 'h2'];
  const intervals = Array.from({ length: 10 }, (_, i) => row(i * 10, i >= 3 && i < 6 ? 0 : 50, i === 6 ? 30000 : 120));
  const queueSeries = hosts.flatMap((host) =>
    [1, 2].map((qid) => ({ host, qid, intervals: intervals.map((r, i) => (host === 'h1' && qid === 1 && i >= 6 ? row(r.tMs, 0, 0) : r)) })),
  );
  const latencyUs = { p50: 60, p99: 120, p999: 30000, max: 31000, mean: 90 };
  const partial = {
    scenario: 'synthetic',
    source: 'synthetic.ts',
    seed: '1',
    fingerprint: '0000000000000000',
    timeBase: 'virtual',
    simSeconds: 0.1,
    durationSeconds: 0.1,
    wallSeconds: 0,
    events: 0,
    ios: 400,
    iops: 4000,
    bytes: 400 * 4096,
    activeSeconds: 0.1,
    bytesPerSecond: 1e7,
    latencyUs,
    errors: 0,
    lostInCrash: 0,
    perQueue: hosts.flatMap((host) => [1, 2].map((qid) => ({ host, qid, ios: 100, latencyUs }))),
    perHost: hosts.map((host, i) => ({ host, target: 't', state: 'live', reconnects: 0, ios: 100, iops: 10000, bytes: 409600, bytesPerSecond: 40960000, errors: 0, latencyUs: { p50: 50, p99: 99, p999: 99.9, max: 120, mean: 55 }, fio: fioJob(host, i + 1) })),
    cpu: [],
    faultsApplied: [],
    invariants: [],
    timeSeries: {
      intervalMs: 10,
      intervals: intervals.map((r) => ({ ...r, ios: r.ios * 2, queueSlots: [0.5, 0.5] })),
      perHost: hosts.map((host) => ({ host, intervals })),
      ...(perQueue ? { perQueue: queueSeries } : {}),
      faults: [
        { tMs: 30, action: 'partition', detail: 'link h <-> t partitioned', untilMs: 60 },
        { tMs: 60, action: 'heal', detail: 'link h <-> t healed' },
        { tMs: 80, action: 'setLink', detail: 'link h <-> t latency 100 us' },
      ],
    },
    ok: true,
  };
  return partial as unknown as ScenarioResult;
}

function series(spec: ChartSpec): ChartOption[] {
  return spec.option['series'] as ChartOption[];
}

test('report: IOPS and p99 over time draw a line per host and the total, the healed partition as a labelled window', async (t) => {
  const charts = timeSeriesCharts(synthetic(false));
  t.deepEqual(charts.map((chart) => chart.id), ['iops-over-time', 'p99-over-time']);
  for (const chart of charts) {
    const lines = series(chart);
    t.deepEqual(lines.map((line) => line['name']), ['h1', 'h2', 'total']);
    const total = lines[2] as ChartOption;
    const area = total['markArea'] as { data: [{ name: string; xAxis: number }, { xAxis: number }][] };
    t.is(area.data.length, 1);
    t.is(area.data[0]?.[0].name, 'partition');
    t.deepEqual([area.data[0]?.[0].xAxis, area.data[0]?.[1].xAxis], [30, 60]);
    // The heal is the window's edge; the setLink, with no end, is a dashed line at its time.
    const line = total['markLine'] as { data: { name: string; xAxis: number }[] };
    t.deepEqual(line.data, [{ name: 'setLink', xAxis: 80 }]);
    t.regex(chart.caption, /partition at 30 ms until 60 ms/);
  }
  t.is((charts[1]?.option['yAxis'] as ChartOption)['type'], 'log');
  // An interval with no completion is a gap in p99, not a zero.
  t.is((series(charts[1] as ChartSpec)[0]?.['data'] as [number, number | null][])[3]?.[1], null);
  const [iops] = await renderSvgs(charts.slice(0, 1));
  t.true(iops?.includes('>partition<') === true, 'the window label is drawn');
  t.true(iops?.includes('>setLink<') === true, 'the instant label is drawn');
});

test('report: the queue × time heatmap has a cell per queue and interval, grey where a queue completed nothing', async (t) => {
  const heatmap = queueHeatmap(synthetic(true));
  t.truthy(heatmap);
  if (heatmap === null) return;
  t.is(heatmap.id, 'queue-p99-heatmap');
  const [cells] = series(heatmap);
  t.is(cells?.['type'], 'heatmap');
  const data = cells?.['data'] as [number, number, number][];
  t.is(data.length, 4 * 10);
  t.deepEqual((heatmap.option['yAxis'] as { data: string[] }).data, ['h1 qid 1', 'h1 qid 2', 'h2 qid 1', 'h2 qid 2']);
  // h1 qid 1 stalls from interval 6 on: its cells there are "no completion".
  t.deepEqual(data.filter(([x, y]) => y === 0 && x >= 6).map(([, , value]) => value), [-1, -1, -1, -1]);
  const visualMap = heatmap.option['visualMap'] as { pieces: { label: string }[] };
  t.is(visualMap.pieces[0]?.label, 'no completion');
  t.true(visualMap.pieces.length >= 3, 'decades from 100 µs to 30 ms');
  const [svg] = await renderSvgs([heatmap]);
  t.true((svg?.match(/<path/g) ?? []).length >= 40);
  t.true(svg?.includes('h1 qid 1') === true);
});

test('report: a long run merges intervals in the heatmap, keeping the worst p99 of each group', (t) => {
  const base = synthetic(true);
  const long = Array.from({ length: 450 }, (_, i) => row(i, 10, i === 301 ? 9000 : 100));
  const result = {
    ...base,
    timeSeries: { ...base.timeSeries, intervals: long.map((r) => ({ ...r, queueSlots: [] })), perQueue: [{ host: 'h1', qid: 1, intervals: long }] },
  } as ScenarioResult;
  const heatmap = queueHeatmap(result);
  if (heatmap === null) return t.fail();
  const data = series(heatmap)[0]?.['data'] as [number, number, number][];
  t.true(MAX_COLUMNS >= 150);
  t.is(data.length, 150, 'groups of 3 intervals');
  t.deepEqual(data[100], [100, 0, 9000]);
  t.regex(heatmap.caption, /the worst of 3 intervals of 10 ms/);
});

test('report: without per-queue series the run report says so instead of drawing an empty heatmap', (t) => {
  t.is(queueHeatmap(synthetic(false)), null);
  const doc = reportDocument({ kind: 'run', result: synthetic(false), repeat: 'npx nvmf-sim run synthetic.ts' }, PROVENANCE);
  t.false(doc.charts.some((chart) => chart.id === 'queue-p99-heatmap'));
  t.deepEqual(doc.notes, [NO_QUEUE_SERIES_NOTE]);
  const withQueues = reportDocument({ kind: 'run', result: synthetic(true), repeat: '' }, PROVENANCE);
  t.true(withQueues.charts.some((chart) => chart.id === 'queue-p99-heatmap'));
  t.is(withQueues.notes, undefined);
});

test('report: the per-queue table gives each queue its I/Os and percentiles in µs', (t) => {
  const table = queueTable(synthetic(true));
  t.deepEqual(table.columns, ['host', 'qid', 'I/Os', 'p50 µs', 'p99 µs', 'p99.9 µs', 'max µs', 'mean µs']);
  t.is(table.rows.length, 4);
  t.deepEqual(table.rows[0], ['h1', '1', '100', '60.0', '120.0', '30,000.0', '31,000.0', '90.0']);
});

test("report: percentile plots put fio's percentile list on x and latency on a log axis, a line per host", (t) => {
  const chart = runPercentileChart(synthetic(false));
  t.truthy(chart);
  if (chart === null) return;
  t.is((chart.option['yAxis'] as ChartOption)['type'], 'log');
  t.deepEqual((chart.option['xAxis'] as { data: string[] }).data, FIO_PERCENTILES.map(String));
  const lines = series(chart);
  t.deepEqual(lines.map((line) => line['name']), ['h1', 'h2']);
  // h2's scale is 2: 100 + 2 × 99.99 µs at the last percentile.
  t.is((lines[1]?.['data'] as number[])[16], 299.98);
  t.is(chart.csv.rows.length, 2);
});

test('report: a study percentile plot draws a line per point, capped, and says how many it left out', (t) => {
  const points = Array.from({ length: 20 }, (_, i) => ({ index: i, point: { rate: i }, seeds: [{ seed: '1', result: synthetic(false) }] }));
  const study = { points } as unknown as StudyResult;
  const chart = studyPercentileChart(study);
  t.truthy(chart);
  if (chart === null) return;
  t.is(series(chart).length, MAX_PERCENTILE_SERIES);
  t.regex(chart.caption, /first 16 of 20/);
  t.is(chart.csv.rows.length, 20);
  t.is(chart.csv.rows[0]?.[0], 'rate=0 (h1)');
});

test("report: fio's json+ bins follow fio's buckets and count every sample", (t) => {
  // Below 128 ns fio keeps every value; above, 64 buckets per power of two.
  t.is(fioPlatIndex(100), 100);
  t.is(fioPlatValue(100), 100);
  t.is(fioPlatIndex(1000), fioPlatIndex(1001));
  for (const value of [1000, 123456, 98765432]) {
    const mid = fioPlatValue(fioPlatIndex(value));
    t.true(Math.abs(mid - value) / value < 0.016, `${value} → ${mid}`);
  }
  const histogram = new LatencyHistogram();
  for (let i = 0; i < 5000; i++) histogram.record(50_000 + (i % 500) * 200);
  const bins = fioBins(histogram.buckets());
  const keys = Object.keys(bins).map(Number);
  t.deepEqual(keys, [...keys].sort((a, b) => a - b));
  t.is(Object.values(bins).reduce((a, b) => a + b, 0), 5000);
  // 50 to 150 µs spans under two powers of two: at most 128 of fio's buckets.
  t.true(keys.length <= 128, `${keys.length} bins`);
});

test('report: report.json holds the run and its fio JSON, a job per host with json+ bins', async (t) => {
  const scenario = await loadScenario('scenarios/reference.ts', { durationNs: 2e6 });
  const result = await runScenario(scenario, {});
  const dir = mkdtempSync(join(tmpdir(), 'nvmf-sim-views-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const written = await writeReport(dir, { kind: 'run', result, repeat: 'npx nvmf-sim run scenarios/reference.ts' }, PROVENANCE);
  const json = JSON.parse(readFileSync(written.json, 'utf8')) as { result: ScenarioResult; fio: { kind: string; output: { 'fio version': string; jobs: FioJob[] } } };
  t.is(json.fio.kind, 'run');
  t.is(json.fio.output.jobs.length, 1);
  const job = json.fio.output.jobs[0] as FioJob;
  t.is(job.jobname, 'host');
  t.is(job['job options']['rw'], 'randread');
  t.is(job.read.total_ios, result.ios);
  t.is(Object.keys(job.read.clat_ns.percentile ?? {}).length, 17);
  const bins = job.read.clat_ns.bins ?? {};
  t.is(Object.values(bins).reduce((a, b) => a + b, 0), result.ios);
  t.true(written.charts.includes('latency-percentiles'));
});
