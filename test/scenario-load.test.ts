// Scenario files outside the repository, run through the real nvmf-sim bin: named `.ts` or `.mts`,
// with no package.json beside them or next to a CommonJS one, each importing the scenario API as
// 'nvmf-sim' (which no node_modules there provides: the loader gives it the running nvmf-sim). Each
// runs from the compiled dist/ (the bin's default when the build is current) and from the sources,
// and reports the module it got for 'nvmf-sim', which must be the one the CLI itself runs.
import test from 'ava';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BIN, nvmfSim } from './helpers/cli-run.js';
import { nvmfSimListingLoads } from './helpers/load-lister.js';

const ROOT = new URL('../', import.meta.url);
const DIST_ENTRY = new URL('dist/index.js', ROOT).href;
const SOURCE_ENTRY = new URL('sim/index.ts', ROOT).href;

/** The bin's own rule (sim/cli/nvmf-sim.mjs): dist/ runs when no source is newer than its build. */
function distIsCurrent(): boolean {
  let built: number;
  try {
    built = statSync(new URL('dist/index.js', ROOT)).mtimeMs;
  } catch {
    return false;
  }
  const sources = new URL('sim/', ROOT);
  const names = readdirSync(sources, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.ts'));
  const configs = ['tsconfig.json', 'tsconfig.build.json'].map((name) => new URL(name, ROOT));
  return [...names.map((name) => new URL(name, sources)), ...configs].every((url) => statSync(url).mtimeMs <= built);
}

const SCENARIO = `
import { defineScenario, type Scenario } from 'nvmf-sim';

process.stderr.write('entry ' + import.meta.resolve('nvmf-sim') + '\\n');

const scenario: Scenario = defineScenario({
  name: 'outside',
  seed: 3,
  duration: '2ms',
  nodes: [{ name: 'host', cores: 2 }, { name: 'target', cores: 2 }],
  links: [{ a: 'host', b: 'target', options: { latencyUs: 8 } }],
  targets: [{ node: 'target', subsystems: [{ nqn: 'nqn.2024-01.io.nvmf-sim:outside', namespaces: [{ backend: 'ram:16MiB' }] }] }],
  hosts: [{ node: 'host', connect: { target: 'target', nrIoQueues: 2 }, workload: { rw: 'randread', bs: '4k', iodepth: 4 } }],
});
export default scenario;
`;

interface Layout {
  readonly name: string;
  /** Files to write, relative to the temporary directory; the scenario is the first. */
  readonly files: Readonly<Record<string, string>>;
}

const LAYOUTS: readonly Layout[] = [
  { name: 'a .ts file with no package.json', files: { 'scenario.ts': SCENARIO } },
  { name: 'a .mts file with no package.json', files: { 'scenario.mts': SCENARIO } },
  {
    name: 'a .ts file next to a CommonJS package.json',
    files: { 'cjs/scenario.ts': SCENARIO, 'cjs/package.json': JSON.stringify({ name: 'mine', type: 'commonjs' }) },
  },
];

function writeLayout(layout: Layout): { dir: string; scenario: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nvmf-sim-scenario-'));
  for (const [name, text] of Object.entries(layout.files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return { dir, scenario: join(dir, Object.keys(layout.files)[0] ?? '') };
}

const MODES = [
  { name: 'the bin', env: {}, entry: () => (distIsCurrent() ? DIST_ENTRY : SOURCE_ENTRY) },
  { name: 'the sources', env: { NVMF_SIM_FROM: 'sources' }, entry: () => SOURCE_ENTRY },
] as const;

let fingerprint: string | undefined;

for (const layout of LAYOUTS) {
  for (const mode of MODES) {
    test.serial(`scenario: ${layout.name} outside the repository runs through ${mode.name}`, async (t) => {
      const { dir, scenario } = writeLayout(layout);
      t.teardown(() => rmSync(dir, { recursive: true, force: true }));
      const run = await nvmfSim(['run', scenario, '--json'], mode.env);
      t.is(run.code, 0, run.stderr);
      t.true(run.stderr.includes(`entry ${mode.entry()}\n`), run.stderr);
      const result = JSON.parse(run.stdout) as { fingerprint: string; ios: number };
      t.true(result.ios > 0);
      // One scenario, one seed: every layout and every mode gives the same bytes.
      fingerprint ??= result.fingerprint;
      t.is(result.fingerprint, fingerprint);
      t.log(`${pathToFileURL(scenario).href}: ${result.fingerprint}`);
    });
  }
}

for (const mode of MODES) {
  test.serial(`scenario: a scenario outside the repository shares one copy of every module with ${mode.name}`, async (t) => {
    const { dir, scenario } = writeLayout(LAYOUTS[0] ?? { name: '', files: {} });
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const { run, loaded } = await nvmfSimListingLoads(dir, ['run', scenario, '--json'], mode.env);
    t.is(run.code, 0, run.stderr);
    // Each module once, by its plain URL (a query would make a second instance of the same file).
    t.deepEqual(loaded.filter((url, i) => loaded.indexOf(url) !== i), []);
    t.deepEqual(loaded.filter((url) => /[?#]/.test(url)), []);
    // From dist/ nothing of sim/ but the bin itself; from the sources nothing of dist/.
    const fromDist = mode.entry() === DIST_ENTRY;
    const foreign = new URL(fromDist ? 'sim/' : 'dist/', ROOT).href;
    t.deepEqual(loaded.filter((url) => url.startsWith(foreign) && url !== pathToFileURL(BIN).href), []);
    t.true(loaded.includes(mode.entry()));
    t.log(`${loaded.length} modules of ${fileURLToPath(ROOT)} loaded once each`);
  });
}
