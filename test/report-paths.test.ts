// The report's multipath view: a run whose host has two paths gets a per-path table (with each
// path's target, ANA state, I/Os and failovers) and a failover table with the stall, in the report
// and so in the terminal summary; a single-path run gets neither.
import test from 'ava';
import { loadScenario } from '../sim/scenario/load.js';
import { runScenario } from '../sim/scenario/runner.js';
import { reportDocument } from '../sim/report/index.js';
import { pathTables } from '../sim/report/path-tables.js';

const PROVENANCE = { tool: 'nvmf-sim', version: 'test', commit: 'unknown', file: 'x', fileHash: '', seeds: ['1'], timeBase: 'virtual', renderedAt: '' } as const;

test('report: a multipath run lists each path and each failover with its stall', async (t) => {
  const result = await runScenario(await loadScenario('scenarios/ana-failover.ts'));
  const doc = reportDocument({ kind: 'run', result, repeat: 'npx nvmf-sim run scenarios/ana-failover.ts' }, PROVENANCE);
  const paths = doc.tables.find((table) => table.title.startsWith('Per path'));
  const failovers = doc.tables.find((table) => table.title.startsWith('Failovers'));
  if (paths === undefined || failovers === undefined) return t.fail('missing tables');
  t.deepEqual(paths.rows.map((row) => row[2]), ['target/1', 'target/2']);
  // Both paths carried I/O, and the failed one handed I/O over.
  t.true(paths.rows.every((row) => Number((row[5] ?? '0').replaceAll(',', '')) > 0));
  t.true(Number(paths.rows[0]?.[7] ?? '0') > 0);
  t.is(failovers.rows.length, 1);
  t.deepEqual(failovers.rows[0]?.slice(1, 3), ['target/1', 'target/2']);
  const stall = Number(failovers.rows[0]?.[5]);
  const expected = result.perHost[0]?.failovers?.[0]?.stallMs ?? Number.NaN;
  t.is(stall, Math.round(expected * 100) / 100);
});

test('report: a single-path run has no path tables', async (t) => {
  const result = await runScenario(await loadScenario('scenarios/reference.ts', { durationNs: 5e6 }));
  t.deepEqual(pathTables(result), []);
});
