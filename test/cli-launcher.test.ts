// The nvmf-sim bin (sim/cli/nvmf-sim.mjs) picks what to run: the compiled dist/ when it is at least
// as new as every source, else the TypeScript sources, so a stale build never runs unnoticed. Run
// on a copy of the bin in a temporary tree whose dist/cli/main.js and sim/cli/main.ts each say
// which one ran.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN } from './helpers/cli-run.js';

const NODE_MODULES = fileURLToPath(new URL('../node_modules', import.meta.url));

const mainSaying = (word: string): string =>
  `export async function main(argv, io) { io.out('${word} ' + argv.join(' ') + '\\n'); return 0; }\n` +
  `export function processIo() { return { out: (text) => process.stdout.write(text) }; }\n`;

function tree(): { dir: string; run: (env?: Record<string, string>) => string } {
  const dir = mkdtempSync(join(tmpdir(), 'nvmf-sim-launcher-'));
  mkdirSync(join(dir, 'sim/cli'), { recursive: true });
  mkdirSync(join(dir, 'dist/cli'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'nvmf-sim', type: 'module' }));
  symlinkSync(NODE_MODULES, join(dir, 'node_modules'));
  copyFileSync(BIN, join(dir, 'sim/cli/nvmf-sim.mjs'));
  writeFileSync(join(dir, 'sim/cli/main.ts'), mainSaying('sources'));
  writeFileSync(join(dir, 'dist/cli/main.js'), mainSaying('dist'));
  writeFileSync(join(dir, 'dist/index.js'), 'export {};\n');
  const run = (env: Record<string, string> = {}): string => {
    const { NVMF_SIM_FROM: _, ...inherited } = process.env;
    const child = spawnSync(process.execPath, [join(dir, 'sim/cli/nvmf-sim.mjs'), '--help'], {
      encoding: 'utf8',
      env: { ...inherited, ...env },
    });
    return `${child.stdout}${child.stderr}`.trim();
  };
  return { dir, run };
}

/** Sets a file's modification time `seconds` from now. */
function age(file: string, seconds: number): void {
  const at = new Date(Date.now() + seconds * 1000);
  utimesSync(file, at, at);
}

test('cli: a build newer than every source runs dist/', (t) => {
  const { dir, run } = tree();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  age(join(dir, 'sim/cli/main.ts'), -60);
  t.is(run(), 'dist --help');
});

test('cli: a source changed after the build runs the sources', (t) => {
  const { dir, run } = tree();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  age(join(dir, 'dist/index.js'), -60);
  t.is(run(), 'sources --help');
  t.is(run({ NVMF_SIM_FROM: 'dist' }), 'dist --help');
});

test('cli: no build runs the sources; NVMF_SIM_FROM=sources always does', (t) => {
  const { dir, run } = tree();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  age(join(dir, 'sim/cli/main.ts'), -60);
  t.is(run({ NVMF_SIM_FROM: 'sources' }), 'sources --help');
  rmSync(join(dir, 'dist'), { recursive: true });
  t.is(run(), 'sources --help');
});
