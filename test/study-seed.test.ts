// The shipped seed study reproduces the three statements of the article this project started from
// (scenarios/studies/seed-tcp-vs-rdma.ts, docs/calibration.md): every ratio question is answered
// and meets its expectation. One seed and 20 ms of simulated time per point (the study ships with
// three seeds and 40 ms): the seeds' spread is small against the margins (docs/calibration.md).
import test from 'ava';
import { formatStudySummary } from '../sim/report/index.js';
import { reportDocument } from '../sim/report/index.js';
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
  // The summary and the report put each claim beside the model's number with its mark, and the
  // report lists both profiles' parameters.
  const text = formatStudySummary(result);
  t.is(text.match(/^ {2}PASS .*claim: .*Oracle Linux UEK6 NVMe\/TCP article/gm)?.length, 3);
  const provenance = { tool: 'nvmf-sim', version: 'test', commit: 'unknown', file: 'seed', fileHash: '', seeds: ['1'], timeBase: 'virtual', renderedAt: '' } as const;
  const doc = reportDocument({ kind: 'study', result }, provenance);
  t.is(doc.answers.filter((answer) => answer.startsWith('**PASS**')).length, 3);
  const profiles = doc.tables.find((table) => table.title.startsWith('CPU cost profiles'));
  t.deepEqual(profiles?.columns, ['parameter', 'tcp', 'rdma']);
  t.true(profiles?.rows.some((row) => row[0] === 'rxInterruptDelayNs' && row[1] === '3000' && row[2] === '2000') === true);
});
