// Seeded RNG streams: same seed and name give the same draws; names are independent.
import test from 'ava';
import { SeededRngSource } from '../sim/core/rng.js';

test('rng: same seed and stream name replay the same draws', (t) => {
  const a = new SeededRngSource(42).stream('link/0');
  const b = new SeededRngSource(42).stream('link/0');
  const drawsA = Array.from({ length: 5 }, () => a.next());
  const drawsB = Array.from({ length: 5 }, () => b.next());
  t.deepEqual(drawsA, drawsB);
});

test('rng: adding a stream does not shift another stream', (t) => {
  const solo = new SeededRngSource(7).stream('cpu');
  const mixed = new SeededRngSource(7);
  mixed.stream('new-component').next();
  const shared = mixed.stream('cpu');
  t.is(solo.next(), shared.next());
  t.not(new SeededRngSource(8).stream('cpu').next(), new SeededRngSource(7).stream('cpu').next());
});
