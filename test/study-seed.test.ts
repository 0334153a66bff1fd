// The shipped seed study reproduces the three statements of the article this project started from
// (scenarios/studies/seed-tcp-vs-rdma.ts, docs/calibration.md): every ratio question is answered
// and meets its expectation. One seed and 20 ms of simulated time per point (the study ships with
// three seeds and 40 ms): the seeds' spread is small against the margins (docs/calibration.md).
import test from 'ava';
import { runStudy } from '../sim/study/index.js';

test('study seed: the seed study meets the article\'s three claims', async (t) => {
  const result = await runStudy('scenarios/studies/seed-tcp-vs-rdma.ts', { version: 'test', seeds: 1, durationNs: 20e6, jobs: 2 });
  t.true(result.complete);
  t.true(result.points.every((point) => point.ok));
  const ratios = result.answers.filter((answer) => answer.kind === 'ratio');
  t.is(ratios.length, 3);
  for (const answer of ratios) {
    t.true(answer.ratio?.meets === true, `${answer.question}: ${String(answer.ratio?.value)} (${JSON.stringify(answer.ratio?.expect)})`);
  }
});
