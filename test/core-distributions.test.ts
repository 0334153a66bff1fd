// Random variates: each distribution's sample mean lands near its analytic mean (fixed seeds,
// so these are exact regressions, not flaky statistics), draws per sample are fixed, and the
// Gilbert-Elliott chain loses packets at its steady-state rate and in bursts.
import test from 'ava';
import { GilbertElliott, sampleDelay, sampleExponential, sampleNormal, samplePareto, sampleUniform } from '../sim/core/distributions.js';
import { SeededRngSource } from '../sim/core/rng.js';

const N = 200_000;

function mean(sample: () => number): number {
  let sum = 0;
  for (let i = 0; i < N; i++) sum += sample();
  return sum / N;
}

test('distributions: sample means match analytic means', (t) => {
  const rng = new SeededRngSource('dist').stream('means');
  t.true(Math.abs(mean(() => sampleUniform(rng, 10, 20)) - 15) < 0.05);
  t.true(Math.abs(mean(() => sampleNormal(rng, 100, 5)) - 100) < 0.05);
  t.true(Math.abs(mean(() => sampleExponential(rng, 40)) - 40) < 0.5);
  // Pareto(xm = 2, alpha = 3) has mean 3.
  t.true(Math.abs(mean(() => samplePareto(rng, 2, 3)) - 3) < 0.05);
});

test('distributions: delays around a base add jitter with the stated mean and never go negative', (t) => {
  const rng = new SeededRngSource('dist').stream('delay');
  t.is(sampleDelay(rng, 'constant', 50, 10), 50);
  t.true(Math.abs(mean(() => sampleDelay(rng, 'exponential', 50, 10)) - 60) < 0.2);
  t.true(Math.abs(mean(() => sampleDelay(rng, 'pareto', 50, 10)) - 60) < 0.5);
  t.true(Math.abs(mean(() => sampleDelay(rng, 'uniform', 50, 10)) - 50) < 0.1);
  let negative = 0;
  for (let i = 0; i < N; i++) if (sampleDelay(rng, 'normal', 1, 10) < 0) negative++;
  t.is(negative, 0);
});

test('distributions: each sample consumes a fixed number of draws', (t) => {
  const counted = (name: 'uniform' | 'normal' | 'exponential' | 'pareto'): number => {
    const source = new SeededRngSource('draws');
    const stream = source.stream('x');
    let draws = 0;
    const counting = {
      next: () => {
        draws++;
        return stream.next();
      },
      int: (n: number) => {
        draws++;
        return stream.int(n);
      },
    };
    for (let i = 0; i < 100; i++) sampleDelay(counting, name, 5, 1);
    return draws;
  };
  t.is(counted('uniform'), 100);
  t.is(counted('normal'), 200);
  t.is(counted('exponential'), 100);
  t.is(counted('pareto'), 100);
});

test('distributions: Gilbert-Elliott loses at its steady-state rate, in bursts', (t) => {
  const rng = new SeededRngSource('ge').stream('chain');
  const params = { goodToBad: 0.01, badToGood: 0.2, lossGood: 0, lossBad: 0.5 };
  const chain = new GilbertElliott();
  let lost = 0;
  let lossAfterLoss = 0;
  let previous = false;
  for (let i = 0; i < N; i++) {
    const now = chain.step(rng, params);
    if (now) lost++;
    if (now && previous) lossAfterLoss++;
    previous = now;
  }
  const expected = GilbertElliott.steadyStateLoss(params);
  t.true(Math.abs(lost / N - expected) < 0.004, `loss ${lost / N} vs ${expected}`);
  // Bursty: a loss is far more likely right after a loss than on average.
  t.true(lossAfterLoss / lost > 3 * expected);
});
