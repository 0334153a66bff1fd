// Unit parsing: sizes, durations and rates as users type them, and exact errors naming the field.
import test from 'ava';
import { parseDurationNs, parseRateBps, parseSize, UnitError } from '../sim/core/units.js';

test('units: sizes in fio and nvme-cli styles', (t) => {
  t.is(parseSize('4096'), 4096);
  t.is(parseSize('4k'), 4096);
  t.is(parseSize('64MiB'), 64 * 1024 * 1024);
  t.is(parseSize('1GB'), 1e9);
});

test('units: durations and rates', (t) => {
  t.is(parseDurationNs('5s'), 5e9);
  t.is(parseDurationNs('200ms'), 200e6);
  t.is(parseDurationNs('8us'), 8000);
  t.is(parseRateBps('25Gb/s'), 25e9);
});

test('units: malformed input names the field', (t) => {
  const error = t.throws(() => parseSize('12XB', '--bs'), { instanceOf: UnitError });
  t.is(error?.message, "--bs: malformed size '12XB' (expected e.g. 4096, 4k, 64MiB, 1GB)");
});
