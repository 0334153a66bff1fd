// The run fingerprint: order-sensitive, value-sensitive, exact for any number, and printed as
// 16 hex digits.
import test from 'ava';
import { Fingerprint } from '../sim/core/fingerprint.js';

function fingerprintOf(values: number[]): string {
  const fp = new Fingerprint();
  for (const value of values) fp.mixNumber(value);
  return fp.hex();
}

test('fingerprint: equal inputs give equal output, as 16 hex digits', (t) => {
  const a = fingerprintOf([1, 2, 3, 2 ** 40, 0.5, -7]);
  t.is(a, fingerprintOf([1, 2, 3, 2 ** 40, 0.5, -7]));
  t.regex(a, /^[0-9a-f]{16}$/);
});

test('fingerprint: order, values beyond 32 bits and non-integers all matter', (t) => {
  const base = fingerprintOf([1, 2, 3]);
  t.not(base, fingerprintOf([2, 1, 3]));
  t.not(fingerprintOf([2 ** 32]), fingerprintOf([0]));
  t.not(fingerprintOf([2 ** 32 + 1]), fingerprintOf([1]));
  t.not(fingerprintOf([0.1]), fingerprintOf([0.2]));
  t.not(fingerprintOf([]), fingerprintOf([0]));
});

test('fingerprint: bytes, sampled bytes and strings', (t) => {
  const bytes = new Uint8Array([1, 2, 3, 4, 5, 6, 7]);
  const flipped = bytes.slice();
  flipped[5] = 0xff;
  const mix = (fn: (fp: Fingerprint) => void): string => {
    const fp = new Fingerprint();
    fn(fp);
    return fp.hex();
  };
  t.not(mix((fp) => fp.mixBytes(bytes)), mix((fp) => fp.mixBytes(flipped)));
  // Sampling looks at first, middle and last only, so byte 5 of 7 is invisible to it.
  t.is(mix((fp) => fp.mixBytesSampled(bytes)), mix((fp) => fp.mixBytesSampled(flipped)));
  t.not(mix((fp) => fp.mixString('crash')), mix((fp) => fp.mixString('pause')));
});
