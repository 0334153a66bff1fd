// Study answers and spreads: the largest axis value under a bound (and its cautious reading with
// the confidence interval), the knee of a curve, series split by the other axes, and Student's t
// intervals, and ratio questions that check a claim about two points.
import test from 'ava';
import { spreadOf, tQuantile975 } from '../sim/study/seed-spread.js';
import { answerQuestion, ratioAnswerText, type AnsweredPoint } from '../sim/study/study-questions.js';

const spread = (mean: number, ci95 = 0) => ({ mean, ci95, min: mean - ci95, max: mean + ci95, n: 3 });

function points(profile: string, p99s: readonly number[], ok: readonly boolean[] = []): AnsweredPoint[] {
  return p99s.map((p99, i) => ({ point: { profile, hosts: 2 ** i }, ok: ok[i] ?? true, metrics: { 'latencyUs.p99': spread(p99, 60) } }));
}

test('study questions: largest value under a bound, per series, with the cautious reading', (t) => {
  const answer = answerQuestion({ kind: 'largest', axis: 'hosts', metric: 'latencyUs.p99', below: 1000 }, [
    ...points('tcp', [200, 400, 900, 1500, 800]),
    ...points('rdma', [100, 150, 300, 960, 2000]),
  ]);
  t.is(answer.question, 'largest hosts with latencyUs.p99 < 1000');
  t.deepEqual(
    answer.answers.map((a) => [a.series, a.value, a.metricValue, a.cautiousValue]),
    [
      [{ profile: 'tcp' }, 4, 900, 4],
      // 960 is under the bound but 960 + 60 is not: the cautious answer stops one step earlier.
      [{ profile: 'rdma' }, 8, 960, 4],
    ],
  );
});

test('study questions: a point that failed an invariant ends the search, with a note', (t) => {
  const answer = answerQuestion({ kind: 'largest', axis: 'hosts', metric: 'latencyUs.p99', below: 1000 }, points('tcp', [200, 300, 400], [true, false, true]));
  t.is(answer.answers[0]?.value, 1);
  t.is(answer.answers[0]?.note, 'the point hosts=2 failed an invariant');
});

test('study questions: no value and every value are both explained', (t) => {
  const none = answerQuestion({ kind: 'largest', axis: 'hosts', metric: 'latencyUs.p99', below: 100 }, points('tcp', [200, 300]));
  t.is(none.answers[0]?.value, null);
  t.regex(none.answers[0]?.note ?? '', /does not hold even at the first hosts/);
  const all = answerQuestion({ kind: 'largest', axis: 'hosts', metric: 'latencyUs.p99', below: 1e6 }, points('tcp', [200, 300]));
  t.is(all.answers[0]?.value, 2);
  t.regex(all.answers[0]?.note ?? '', /holds at every hosts tried/);
});

test('study questions: the knee of a load-latency curve is where it bends', (t) => {
  // Flat latency until 400k IOPS offered, then a steep rise: the knee is at 400k.
  const curve = [100, 200, 300, 400, 500, 600].map((k, i) => ({
    point: { rate: k * 1000 },
    ok: true,
    metrics: { 'latencyUs.p99': spread([100, 105, 110, 120, 400, 2000][i] ?? 0) },
  }));
  const answer = answerQuestion({ kind: 'knee', axis: 'rate', metric: 'latencyUs.p99' }, curve);
  t.is(answer.answers[0]?.value, 500_000);
  const saturating = [1, 2, 4, 8, 16, 32].map((threads, i) => ({
    point: { threads },
    ok: true,
    metrics: { iops: spread([100, 200, 390, 600, 640, 650][i] ?? 0) },
  }));
  t.is(answerQuestion({ kind: 'knee', axis: 'threads', metric: 'iops' }, saturating).answers[0]?.value, 8);
});

test('study spread: mean and a Student t 95% interval', (t) => {
  t.deepEqual(spreadOf([5]), { mean: 5, ci95: 0, min: 5, max: 5, n: 1 });
  const s = spreadOf([10, 12, 14]);
  t.is(s.mean, 12);
  // stddev 2, n 3: 4.303 * 2 / sqrt(3).
  t.true(Math.abs(s.ci95 - (4.303 * 2) / Math.sqrt(3)) < 1e-9);
  t.is(tQuantile975(1), 12.706);
  t.is(tQuantile975(1000), 1.96);
});

test('study questions: a ratio of two points states the claim, the ratio and whether it meets the expectation', (t) => {
  const grid = [
    { point: { profile: 'tcp', threads: 1 }, ok: true, metrics: { iops: spread(100_000) } },
    { point: { profile: 'rdma', threads: 1 }, ok: true, metrics: { iops: spread(140_000) } },
    { point: { profile: 'tcp', threads: 32 }, ok: true, metrics: { iops: spread(500_000) } },
    { point: { profile: 'rdma', threads: 32 }, ok: false, metrics: { iops: spread(600_000) } },
  ];
  const met = answerQuestion(
    { kind: 'ratio', metric: 'iops', numerator: { profile: 'rdma', threads: 1 }, denominator: { profile: 'tcp', threads: 1 }, expect: { min: 1.3 }, claim: 'RDMA far ahead', source: 'the article' },
    grid,
  );
  t.is(met.question, 'iops ratio profile=rdma threads=1 / profile=tcp threads=1');
  t.deepEqual(met.ratio, { value: 1.4, numerator: 140_000, denominator: 100_000, expect: { min: 1.3 }, meets: true, claim: 'RDMA far ahead', source: 'the article' });
  t.is(ratioAnswerText(met), 'PASS iops ratio profile=rdma threads=1 / profile=tcp threads=1: 1.400 (expected at least 1.3) — claim: RDMA far ahead [the article]');
  // Unmet: below the range; a failed point is noted beside the number.
  const unmet = answerQuestion(
    { kind: 'ratio', metric: 'iops', numerator: { profile: 'tcp', threads: 32 }, denominator: { profile: 'rdma', threads: 32 }, expect: { min: 0.9, max: 1.1 }, label: 'TCP/RDMA at 32' },
    grid,
  );
  t.is(unmet.ratio?.meets, false);
  t.is(unmet.ratio?.note, 'the point profile=rdma threads=32 failed an invariant');
  t.is(ratioAnswerText(unmet), 'FAIL TCP/RDMA at 32: 0.833 (expected between 0.9 and 1.1) (the point profile=rdma threads=32 failed an invariant)');
  // Above a maximum fails too; without expect the ratio is only reported.
  t.is(answerQuestion({ kind: 'ratio', metric: 'iops', numerator: { threads: 32, profile: 'rdma' }, denominator: { profile: 'tcp', threads: 1 }, expect: { max: 2 } }, grid).ratio?.meets, false);
  const info = answerQuestion({ kind: 'ratio', metric: 'iops', numerator: { profile: 'rdma', threads: 1 }, denominator: { profile: 'tcp', threads: 1 } }, grid);
  t.is(info.ratio?.meets, null);
  t.regex(ratioAnswerText(info) ?? '', /^INFO /);
  // A missing point, an ambiguous one and a missing metric give no ratio, and say why.
  const missing = answerQuestion({ kind: 'ratio', metric: 'iops', numerator: { profile: 'rdma', threads: 64 }, denominator: { profile: 'tcp' }, expect: { min: 1 } }, grid);
  t.is(missing.ratio?.value, null);
  t.is(missing.ratio?.meets, null);
  t.is(missing.ratio?.note, 'no point has profile=rdma threads=64; 2 points have profile=tcp');
  t.regex(ratioAnswerText(missing) ?? '', /^NO ANSWER .*: none \(expected at least 1\)/);
  const noMetric = answerQuestion({ kind: 'ratio', metric: 'latencyUs.p99', numerator: { profile: 'rdma', threads: 1 }, denominator: { profile: 'tcp', threads: 1 } }, grid);
  t.is(noMetric.ratio?.note, "no metric 'latencyUs.p99' at profile=rdma threads=1; no metric 'latencyUs.p99' at profile=tcp threads=1");
  // Other kinds have no claim line.
  t.is(ratioAnswerText(answerQuestion({ kind: 'knee', axis: 'threads', metric: 'iops' }, grid)), null);
});
