// npm run soak (sim/soak): the library's safety scenarios over seeds on the worker pool. A few seeds
// give the table's shape and zeros; the digest scenario without its data digest is counted as
// silent corruption and fails the soak, so the check can fail; bad options are one line, exit 2.
import test from 'ava';
import { soakMain, SOAK_SCENARIOS } from '../sim/soak/index.js';
import type { SoakResult, SoakScenario } from '../sim/soak/index.js';

interface Captured {
  readonly status: number;
  readonly out: string;
  readonly err: string;
}

async function soak(argv: readonly string[], scenarios?: readonly SoakScenario[]): Promise<Captured> {
  let out = '';
  let err = '';
  const io = { out: (text: string) => void (out += text), err: (text: string) => void (err += text), errIsTty: false };
  const status = await soakMain(argv, io, scenarios);
  return { status, out, err };
}

test('soak: a handful of seeds gives a row per safety scenario, with no write lost and nothing corrupted', async (t) => {
  const { status, out, err } = await soak(['--seeds', '2', '--first-seed', '3', '--jobs', '2', '--json']);
  t.is(status, 0, out);
  t.regex(err, /soak: 8\/8 runs \(4 scenarios x 2 seeds\)/);
  const result = JSON.parse(out) as SoakResult & { wallSeconds: number };
  t.is(result.kind, 'soak');
  t.is(result.firstSeed, 3);
  t.deepEqual(result.rows.map((row) => row.scenario), ['digest-corruption', 'target-restart', 'keepalive-expiry', 'link-flap']);
  for (const row of result.rows) {
    t.is(row.seeds, 2);
    t.is(row.passed, 2, JSON.stringify(row.firstFailure));
    t.true(row.writesAcknowledged > 0 && row.blocksChecked > 0, `${row.scenario} wrote and read back`);
    t.is(row.lostWrites, 0);
    t.is(row.corruptions, 0);
  }
  t.deepEqual(result.totals, { seeds: 8, lostWrites: 0, corruptions: 0, otherFailures: 0 });
  t.true(result.ok);
  t.true(result.wallSeconds > 0);
});

test('soak: digest-corruption without the data digest counts as silent corruption and fails the soak', async (t) => {
  const base = SOAK_SCENARIOS.find((scenario) => scenario.name === 'digest-corruption');
  if (base === undefined) return t.fail('no digest-corruption');
  const noDigest: SoakScenario = { ...base, name: 'no-data-digest', sets: [...base.sets, { path: 'hosts[0].connect.dataDigest', value: false }] };
  const { status, out } = await soak(['--seeds', '1', '--jobs', '1'], [noDigest]);
  t.is(status, 1, out);
  const lines = out.split('\n');
  const row = lines.find((line) => line.startsWith('no-data-digest'))?.split(/\s{2,}/) ?? [];
  t.is(row[5], '0', 'no lost writes');
  t.true(Number((row[6] ?? '0').replace(/,/g, '')) > 0, `corruptions counted: ${out}`);
  t.true(out.includes("repeat: npx nvmf-sim run scenarios/digest-corruption.ts --seed 1 --duration 2s --set 'hosts[0].connect.dataDigest=false'"), out);
  t.regex(out, /^soak FAILED: 1 seeds .*silent corruptions/m);
});

test('soak: bad options are one line naming the option, exit status 2', async (t) => {
  for (const [argv, message] of [
    [['--seeds', '0'], /^soak: --seeds: must be an integer 1\.\.1000000, not '0'\n$/],
    [['--only', 'nope'], /^soak: --only: no soak scenario 'nope' \(scenarios: digest-corruption, target-restart, keepalive-expiry, link-flap\)\n$/],
    [['--frobnicate'], /^soak: unknown option '--frobnicate'/],
  ] as const) {
    const { status, err, out } = await soak(argv);
    t.is(status, 2);
    t.regex(err, message);
    t.is(out, '');
  }
});
