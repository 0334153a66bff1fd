// `npm run build` (and `prepare`, so `npm ci` runs it): sim/ compiled to dist/ by tsc with
// tsconfig.build.json, then the plain JavaScript modules of sim/ (worker entries that must be
// JavaScript before any loader runs, such as sim/study/ts-worker.mjs) copied beside the output.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

const require = createRequire(import.meta.url);
rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
for (const entry of readdirSync('sim', { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.mjs')) continue;
  const source = join(entry.parentPath, entry.name);
  cpSync(source, join('dist', relative('sim', dirname(source)), entry.name));
}
