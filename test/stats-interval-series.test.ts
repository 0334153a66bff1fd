// Time series of completions: per-interval counts, rates and percentiles, intervals with no I/O,
// and one histogram reused for every interval.
import test from 'ava';
import { IntervalSeries } from '../sim/stats/interval-series.js';

test('stats interval series: each interval has its own counts, rates and percentiles', (t) => {
  const series = new IntervalSeries();
  for (let i = 0; i < 100; i++) series.completed(100_000, 4096);
  series.failed();
  const first = series.close(10e6, 7);
  t.deepEqual(first, { tMs: 0, ios: 100, iops: 10_000, bytesPerSecond: 40_960_000, latencyUs: { p50: 100, p99: 100 }, errors: 1, inflight: 7 });
  for (let i = 0; i < 99; i++) series.completed(50_000, 4096);
  series.completed(2_000_000, 4096);
  const second = series.close(20e6, 0);
  t.is(second.tMs, 10);
  t.is(second.ios, 100);
  t.is(second.errors, 0);
  // Two significant digits: within 1%.
  t.true(Math.abs(second.latencyUs.p50 - 50) <= 0.5, `p50 ${second.latencyUs.p50}`);
  t.true(Math.abs(second.latencyUs.p99 - 50) <= 0.5, `p99 ${second.latencyUs.p99}`);
  const empty = series.close(30e6, 0);
  t.deepEqual(empty, { tMs: 20, ios: 0, iops: 0, bytesPerSecond: 0, latencyUs: { p50: 0, p99: 0 }, errors: 0, inflight: 0 });
  t.is(series.rows.length, 3);
});

test('stats interval series: a short last interval reports rates over its own length', (t) => {
  const series = new IntervalSeries();
  series.close(10e6, 0);
  for (let i = 0; i < 10; i++) series.completed(1000, 512);
  t.is(series.close(12e6, 0).iops, 5000);
});
