// Whether browser tests run: they need Debian's chromium (apt-get install chromium), driven by
// playwright-core. Same policy as the interop tests: under CI=true a missing browser fails the
// test; on a laptop the test is skipped with a note saying how to install it.
import test from 'ava';
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';
const INSTALL_HINT = 'install with: apt-get install -y chromium';
const present = existsSync(CHROMIUM);
const inCi = process.env.CI === 'true';
if (!present && !inCi) console.warn(`[browser] skipping browser tests; missing ${CHROMIUM}; ${INSTALL_HINT}`);

/** `test` when chromium is there (or in CI, where its absence must fail), otherwise `test.skip`. */
export const browserTest = present || inCi ? test : test.skip;

export function assertBrowser(): void {
  if (!present) throw new Error(`browser test prerequisite missing: ${CHROMIUM}; ${INSTALL_HINT}`);
}

/** Chromium's flags for this closed network: no background requests, no sandbox as root. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
