// Time series of a run (time-series-recorder.ts): recording leaves the simulation untouched (same
// fingerprint, whatever the interval or per-queue option), the intervals add up to the run's
// totals in total, per host and per queue, fault windows run from the fault to its heal, and the
// series' memory grows with the number of intervals, never with the number of I/Os.
import v8 from 'node:v8';
import vm from 'node:vm';
import test from 'ava';
import type { ScenarioResult } from '../sim/scenario/result.js';
import { loadScenario } from '../sim/scenario/load.js';
import { runScenario } from '../sim/scenario/runner.js';
import { resolveScenario } from '../sim/scenario/validate.js';
import { TimeSeriesRecorder } from '../sim/scenario/time-series-recorder.js';

const MS = 1_000_000;
const NQN = 'nqn.2024-01.io.test:series';
/** scenarios/reference.ts at seed 42 for 100 ms (recording time series must not change it). */
const REFERENCE_100MS_FINGERPRINT = '310940f9e151e2a9';

type Plain = Record<string, unknown>;

function twoHosts(edit: (s: Plain) => void = () => {}): Plain {
  const scenario: Plain = {
    name: 'series',
    seed: 11,
    duration: '30ms',
    drain: '10ms',
    nodes: [{ name: 'h1', cores: 2 }, { name: 'h2', cores: 2 }, { name: 't', cores: 4 }],
    switch: { linkOptions: { latencyUs: 4 } },
    targets: [{ node: 't', subsystems: [{ nqn: NQN, namespaces: [{ backend: 'null:1GiB' }] }] }],
    hosts: [
      { node: 'h1', connect: { target: 't', nrIoQueues: 2, queueSize: 16 }, workload: { rw: 'randread', iodepth: 16 } },
      { node: 'h2', connect: { target: 't', nrIoQueues: 2, queueSize: 16 }, workload: { rw: 'randwrite', iodepth: 8 } },
    ],
  };
  edit(scenario);
  return scenario;
}

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

test('scenario time series: recording leaves the reference fingerprint unchanged, at any interval', async (t) => {
  const scenario = await loadScenario('scenarios/reference.ts', { durationNs: 100 * MS });
  const plain = await runScenario(scenario);
  t.is(plain.fingerprint, REFERENCE_100MS_FINGERPRINT);
  const fine = await runScenario(scenario, { timeSeriesIntervalNs: 1 * MS, timeSeriesPerQueue: true });
  t.is(fine.fingerprint, REFERENCE_100MS_FINGERPRINT);
  t.is(fine.events, plain.events);
  t.is(plain.timeSeries.intervalMs, 10);
  t.is(fine.timeSeries.intervalMs, 1);
  t.true(fine.timeSeries.intervals.length >= 100);
});

test('scenario time series: intervals add up to the totals, per host and per queue', async (t) => {
  const result: ScenarioResult = await runScenario(resolveScenario(twoHosts(), 'series.ts'), { timeSeriesPerQueue: true, timeSeriesIntervalNs: 5 * MS });
  const series = result.timeSeries;
  const rows = series.intervals;
  t.is(series.intervalMs, 5);
  // Consecutive intervals from 0, all of the interval's length but the last.
  rows.forEach((row, i) => t.is(row.tMs, i * 5));
  const all = sum(rows.map((row) => row.ios));
  const withinDuration = sum(rows.filter((row) => row.tMs + series.intervalMs <= result.durationSeconds * 1000).map((row) => row.ios));
  // Whether the run counts I/Os completed in the drain or only those within the duration.
  t.true(all === result.ios || withinDuration === result.ios, `intervals ${all} (${withinDuration} within the duration), run ${result.ios}`);
  t.is(sum(rows.map((row) => row.errors)), result.errors);
  t.true(all > 1000);
  t.is(series.perHost.length, 2);
  for (const [index, host] of series.perHost.entries()) {
    t.is(host.host, `${result.perHost[index]?.host}`);
    t.is(host.intervals.length, rows.length);
    const ios = sum(host.intervals.map((row) => row.ios));
    const queues = (series.perQueue ?? []).filter((queue) => queue.host === host.host);
    t.is(queues.length, 2);
    t.is(sum(queues.map((queue) => sum(queue.intervals.map((row) => row.ios)))), ios);
  }
  rows.forEach((row, i) => {
    t.is(sum(series.perHost.map((host) => host.intervals[i]?.ios ?? 0)), row.ios);
    t.is(sum(series.perHost.map((host) => host.intervals[i]?.inflight ?? 0)), row.inflight);
  });
  t.is(sum(series.perHost.map((host) => sum(host.intervals.map((row) => row.ios)))), all);
  // Bytes: each interval's rate times its length.
  const bytes = sum(rows.map((row, i) => (row.bytesPerSecond * (i === rows.length - 1 ? result.simSeconds * 1000 - row.tMs : series.intervalMs)) / 1000));
  t.true(Math.abs(bytes - result.bytes) <= result.bytes * 1e-3 || withinDuration === result.ios, `bytes ${bytes} vs ${result.bytes}`);
  // A full interval holds the QD16 + QD8 queue slots out of 2 × 2 × 16.
  const mid = rows[3];
  t.is(mid?.inflight, 24);
  t.deepEqual(mid?.queueSlots.map((fraction) => Math.round(fraction * 100) / 100), [0.5, 0.25]);
  t.is(series.faults.length, 0);
});

test('scenario time series: a partition window ends at its heal', async (t) => {
  const result = await runScenario(
    resolveScenario(
      twoHosts((s) => {
        s.faults = [
          { at: '10ms', action: 'partition', between: ['h1', 'switch'] },
          { at: '14ms', action: 'heal', between: ['h1', 'switch'] },
        ];
      }),
      'series.ts',
    ),
  );
  const faults = result.timeSeries.faults;
  t.is(faults.length, 2);
  t.like(faults[0], { tMs: 10, action: 'partition', untilMs: 14 });
  t.like(faults[1], { tMs: 14, action: 'heal' });
  t.is(faults[1]?.untilMs, undefined);
});

/** V8's gc(), exposed for this process when the test runner did not start node with --expose-gc. */
function gcFunction(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

test('scenario time series: memory grows with intervals, not with I/Os', (t) => {
  const gc = gcFunction();
  const recorder = new TimeSeriesRecorder({ intervalNs: 10 * MS, hosts: [{ name: 'h', queues: 4, queueSize: 32 }], perQueue: true, sampler: null });
  const observer = recorder.observer(0);
  let now = 0;
  const feed = (ios: number): void => {
    for (let i = 0; i < ios; i++) {
      now += 10;
      observer.submitted(i % 4, now);
      observer.completed(i % 4, now + 5, 50_000 + (i % 1000) * 100, 4096);
    }
  };
  feed(10_000);
  recorder.advance(10 * MS);
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  // 2,000,000 I/Os in one interval: nothing is kept per I/O.
  feed(2_000_000);
  gc();
  gc();
  const grownByIos = process.memoryUsage().heapUsed - before;
  t.true(grownByIos < 256 * 1024, `heap grew ${grownByIos} bytes over 2,000,000 I/Os`);
  recorder.finish(now + 10 * MS);
  const result = recorder.result([]);
  t.is(result.intervals.length, Math.ceil((now + 10 * MS) / (10 * MS)));
  t.is(sum(result.intervals.map((row) => row.ios)), 2_010_000);
  t.is(sum((result.perQueue ?? []).map((queue) => sum(queue.intervals.map((row) => row.ios)))), 2_010_000);
});
