// fio's human summary of an io job: the unit of each latency line and of the percentile table is
// chosen as fio chooses it (stat.h nsec_to_usec/nsec_to_msec for "clat (usec): min=..", stat.c
// show_clat_percentiles for the table), so microsecond I/Os never print as whole milliseconds.
import test from 'ava';
import { LatencyHistogram } from '../sim/stats/latency.js';
import { formatFioText, latencyLineUnit, percentileLines, percentileUnit } from '../sim/workload/fio-text.js';
import type { DirectionResult, WorkloadResult } from '../sim/workload/stats.js';

function summary(valuesNs: readonly number[]): DirectionResult['clat'] {
  const histogram = new LatencyHistogram();
  for (const value of valuesNs) histogram.record(value);
  return histogram.summary();
}

function direction(valuesNs: readonly number[]): DirectionResult {
  return { ioBytes: valuesNs.length * 4096, ios: valuesNs.length, errors: 0, runtimeNs: 1e9, clat: summary(valuesNs) };
}

const EMPTY = direction([]);

function result(read: DirectionResult, write: DirectionResult = EMPTY): WorkloadResult {
  return {
    name: 'job',
    elapsedNs: 1e9,
    read,
    write,
    queues: [{ queue: 0, ios: read.ios + write.ios, bytes: read.ioBytes + write.ioBytes, errors: 0, latencyUs: { p50: 30, p99: 40, p999: 50, max: 60, mean: 31 } }],
    errors: 0,
    verify: { enabled: false, blocksChecked: 0, mismatches: 0 },
    ended: 'done',
  };
}

/** `count` values spread evenly from `fromNs` to `toNs`. */
function spread(count: number, fromNs: number, toNs: number): number[] {
  return Array.from({ length: count }, (_, i) => fromNs + ((toNs - fromNs) * i) / (count - 1));
}

test('workload fio text: microsecond I/Os print their percentiles in usec, not as zero milliseconds', (t) => {
  // 30..200 us, and one 20 ms outlier: before, the unit came from the max alone and every cell read [0].
  const values = [...spread(10_000, 30_000, 200_000), 20_000_000];
  const text = formatFioText(result(direction(values)));
  t.regex(text, /clat percentiles \(usec\):/);
  t.regex(text, / 1\.00th=\[ {3}3\d\]/);
  t.notRegex(text, /th=\[ +0\]/);
  t.regex(text, /clat \(usec\): min=30, max=20000, /);
  // fio's 17 percentiles, four to a line.
  t.is(text.split('\n').filter((line) => line.startsWith('     | ')).length, 5);
});

test('workload fio text: nsec below 100 us, msec above 100 ms, as fio picks them', (t) => {
  t.is(percentileUnit(spread(100, 10_000, 58_000)).name, 'nsec');
  t.is(percentileUnit(spread(100, 445_000, 28_181_000)).name, 'usec');
  t.is(percentileUnit(spread(100, 5_000_000, 400_000_000)).name, 'msec');
  // A table that starts below 2 us stays in nsec however long its tail (fio's minv test).
  t.is(percentileUnit([1_500, 150_000]).name, 'nsec');
  t.is(latencyLineUnit(summary(spread(100, 10_519, 57_976))).name, 'nsec');
  t.is(latencyLineUnit(summary(spread(100, 359_000, 45_445_000))).name, 'usec');
  t.is(latencyLineUnit(summary(spread(100, 3_000_000, 900_000_000))).name, 'msec');
});

test('workload fio text: the table widens for values of more than five digits', (t) => {
  const lines = percentileLines('clat', summary(spread(1000, 10_000, 9_000_000)));
  t.is(lines[0], '    clat percentiles (usec):');
  t.regex(lines.at(-1) ?? '', /99\.99th=\[ ?\d{4}\]$/);
  const wide = percentileLines('clat', summary(spread(1000, 50_000, 99_000)));
  t.is(wide[0], '    clat percentiles (nsec):');
  t.regex(wide[1] ?? '', /^ {5}\| {2}1\.00th=\[\d{5}\], /);
});

test('workload fio text: a randrw job prints read and write with their own latency', (t) => {
  const text = formatFioText(result(direction(spread(700, 20_000, 40_000)), direction(spread(300, 300_000, 900_000))));
  const read = text.slice(text.indexOf('  read: '), text.indexOf('  write: '));
  const write = text.slice(text.indexOf('  write: '));
  t.regex(read, /clat \(nsec\)/);
  t.regex(write, /clat \(usec\): min=300, /);
  t.regex(text, /qid1=1000/);
});
