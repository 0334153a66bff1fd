// The layering check (tools/check-layers.mjs with .dependency-cruiser.cjs) on small trees made for
// each case: a clean tree passes, and each kind of bad import, and a stale exception, fails naming
// the rule. The real tree is checked by `npm run layers` in `npm test`.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '..');
const checker = join(repo, 'tools', 'check-layers.mjs');

interface Outcome {
  readonly code: number;
  readonly output: string;
}

/** Writes the files into a fresh tree with the project's rules and runs the checker on it. */
async function check(files: Record<string, string>, exceptions: readonly object[] = []): Promise<Outcome> {
  const root = mkdtempSync(join(tmpdir(), 'nvmf-sim-layers-'));
  try {
    const config = join(repo, '.dependency-cruiser.cjs');
    writeFileSync(
      join(root, '.dependency-cruiser.cjs'),
      `module.exports = { ...require(${JSON.stringify(config)}), exceptions: ${JSON.stringify(exceptions)} };\n`,
    );
    writeFileSync(
      join(root, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true }, include: ['sim/**/*.ts'] }),
    );
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    try {
      const { stdout, stderr } = await run(process.execPath, [checker, '--root', root]);
      return { code: 0, output: stdout + stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** A tree that obeys every rule: core at the bottom, net and host above it, each through its index. */
const CLEAN: Record<string, string> = {
  'sim/core/index.ts': "export { clock } from './clock.js';\n",
  'sim/core/clock.ts': 'export const clock = 1;\n',
  'sim/net/index.ts': "export { link } from './link.js';\n",
  'sim/net/link.ts': "import { clock } from '../core/index.js';\nexport const link = clock + 1;\n",
  'sim/host/index.ts': "export { queue } from './queue.js';\n",
  'sim/host/queue.ts': "import { clock } from '../core/index.js';\nexport const queue = clock;\n",
  'sim/target/index.ts': "export { port } from './port.js';\n",
  'sim/target/port.ts': "import { clock } from '../core/index.js';\nexport const port = clock;\n",
};

test('layering: a tree that obeys every rule passes', async (t) => {
  const outcome = await check(CLEAN);
  t.is(outcome.code, 0, outcome.output);
  t.regex(outcome.output, /no violations/);
});

test('layering: sim/core importing the network fails', async (t) => {
  const outcome = await check({ ...CLEAN, 'sim/core/clock.ts': "import { link } from '../net/index.js';\nexport const clock = link;\n" });
  t.is(outcome.code, 1);
  t.regex(outcome.output, /core-is-the-bottom: sim\/core\/clock\.ts -> sim\/net\/index\.ts/);
});

test('layering: the target importing the host fails', async (t) => {
  const outcome = await check({ ...CLEAN, 'sim/target/port.ts': "import { queue } from '../host/index.js';\nexport const port = queue;\n" });
  t.is(outcome.code, 1);
  t.regex(outcome.output, /target-not-host: sim\/target\/port\.ts -> sim\/host\/index\.ts/);
});

test('layering: the host importing the simulated network fails', async (t) => {
  const outcome = await check({ ...CLEAN, 'sim/host/queue.ts': "import { link } from '../net/index.js';\nexport const queue = link;\n" });
  t.is(outcome.code, 1);
  t.regex(outcome.output, /peers-meet-on-the-wire: sim\/host\/queue\.ts -> sim\/net\/index\.ts/);
});

test('layering: an import past a folder index fails', async (t) => {
  const outcome = await check({ ...CLEAN, 'sim/net/link.ts': "import { clock } from '../core/clock.js';\nexport const link = clock + 1;\n" });
  t.is(outcome.code, 1);
  t.regex(outcome.output, /enter-through-index: sim\/net\/link\.ts -> sim\/core\/clock\.ts/);
});

test('layering: an import circle fails, type-only imports included', async (t) => {
  const outcome = await check({
    ...CLEAN,
    'sim/net/link.ts': "import type { Nic } from './nic.js';\nexport interface Link { nic?: Nic }\nexport const link = 1;\n",
    'sim/net/nic.ts': "import type { Link } from './link.js';\nexport interface Nic { link?: Link }\n",
  });
  t.is(outcome.code, 1);
  t.regex(outcome.output, /no-circular: sim\/net\/(link|nic)\.ts -> /);
});

test('layering: a listed exception passes, and fails once it is no longer needed', async (t) => {
  const bad = { ...CLEAN, 'sim/target/port.ts': "import { queue } from '../host/index.js';\nexport const port = queue;\n" };
  const exception = { rule: 'target-not-host', from: 'sim/target/port.ts', why: 'test' };
  const listed = await check(bad, [exception]);
  t.is(listed.code, 0, listed.output);
  t.regex(listed.output, /1 exception/);
  const stale = await check(CLEAN, [exception]);
  t.is(stale.code, 1);
  t.regex(stale.output, /exception no longer needed, remove it: .*target-not-host/);
});
