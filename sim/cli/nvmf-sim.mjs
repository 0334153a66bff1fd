#!/usr/bin/env node
// The nvmf-sim command. It runs the compiled JavaScript in dist/ (`npm ci` builds it through the
// `prepare` script), so a start transpiles nothing. In a checkout whose TypeScript sources changed
// after the last build it runs the sources through tsx instead, so old code never runs unnoticed,
// and says so when stderr is a terminal (scripts and tests see the same output either way).
// NVMF_SIM_FROM=dist or NVMF_SIM_FROM=sources forces one. The exit status is set, not forced, so
// pending output drains; a safety timer (unref'd, so it never keeps a clean process alive) ends a
// process that something left running.
/* global setTimeout */
import { readdirSync, statSync } from 'node:fs';

const ROOT = new URL('../../', import.meta.url);
const DIST_ENTRY = new URL('dist/cli/main.js', ROOT);
/** Written by every build (tsc rewrites all of dist/); its time is the build's. */
const BUILD_STAMP = new URL('dist/index.js', ROOT);

function mtimeMs(url) {
  try {
    return statSync(url).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Why dist/ must not run (missing, or older than a source file), or undefined when it is current. */
function staleReason() {
  const built = mtimeMs(BUILD_STAMP);
  if (built === undefined) return 'dist/ is not built';
  // About 200 stat calls, a millisecond or two: cheap next to any start.
  const sources = new URL('sim/', ROOT);
  let names = [];
  try {
    names = readdirSync(sources, { recursive: true });
  } catch {
    // No sources beside dist/ (an install that ships only dist/): nothing to be stale against.
  }
  for (const name of names) {
    if (!name.endsWith('.ts')) continue;
    if ((mtimeMs(new URL(name, sources)) ?? 0) > built) return `sim/${name} changed after dist/ was built`;
  }
  for (const config of ['tsconfig.json', 'tsconfig.build.json']) {
    if ((mtimeMs(new URL(config, ROOT)) ?? 0) > built) return `${config} changed after dist/ was built`;
  }
  return undefined;
}

async function loadMain() {
  const from = process.env.NVMF_SIM_FROM;
  if (from === 'dist') return import(DIST_ENTRY.href);
  if (from !== 'sources') {
    const reason = staleReason();
    if (reason === undefined) return import(DIST_ENTRY.href);
    if (process.stderr.isTTY) {
      process.stderr.write(`nvmf-sim: ${reason}; running the sources (slower start; npm run build makes it fast)\n`);
    }
  }
  const { register } = await import('tsx/esm/api');
  register();
  return import('./main.ts');
}

const { main, processIo } = await loadMain();
const status = await main(process.argv.slice(2), processIo());
process.exitCode = status;
setTimeout(() => process.exit(status), 2000).unref();
