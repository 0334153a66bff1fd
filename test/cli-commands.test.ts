// The command table (sim/cli/commands.ts) loads each command only when it runs or shows its
// options, so `nvmf-sim --help` loads the table and nothing of the simulator: that is what keeps a
// start under 0.3 s.
import test from 'ava';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { COMMANDS } from '../sim/cli/commands.js';
import { BIN } from './helpers/cli-run.js';
import { nvmfSimListingLoads } from './helpers/load-lister.js';

test('cli: every entry of the command table loads the command of its name', async (t) => {
  for (const entry of COMMANDS) {
    const command = await entry.load();
    t.is(command.name, entry.name);
    t.true(command.options.length > 0 && command.usage.startsWith(entry.name));
  }
});

for (const from of ['dist', 'sources'] as const) {
  test(`cli: --help loads only the command table, from the ${from}`, async (t) => {
    if (from === 'dist' && !existsSync(new URL('../dist/cli/main.js', import.meta.url))) {
      t.fail('dist/ is not built: npm ci builds it, or npm run build');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'nvmf-sim-help-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    // 'dist' runs the build even when it is stale: what it loads does not depend on its age.
    const { run, loaded } = await nvmfSimListingLoads(dir, ['--help'], { NVMF_SIM_FROM: from });
    t.is(run.code, 0, run.stderr);
    t.true(run.stdout.startsWith('usage: nvmf-sim'));
    const folder = new URL(from === 'dist' ? '../dist/cli/' : '../sim/cli/', import.meta.url).href;
    const extension = from === 'dist' ? 'js' : 'ts';
    const expected = ['main', 'args', 'command', 'commands', 'help', 'version'].map((name) => `${folder}${name}.${extension}`);
    t.deepEqual(
      loaded.filter((url) => url !== pathToFileURL(BIN).href).sort(),
      expected.sort(),
    );
  });
}
