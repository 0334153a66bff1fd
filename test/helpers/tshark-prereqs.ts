// Whether tests that read a capture with tshark run. Same policy as the interop and browser tests:
// under CI=true a missing tshark fails the test; on a laptop the test is skipped with a note
// saying how to install it. Unlike the interop tests these need no VM: only tshark.
import test from 'ava';
import { findExecutable } from '../../sim/interop/vm-image.js';

const INSTALL_HINT = 'install with: apt-get install -y tshark';
const present = findExecutable('tshark') !== undefined;
const inCi = process.env.CI === 'true';
if (!present && !inCi) console.warn(`[tshark] skipping capture tests; missing: tshark; ${INSTALL_HINT}`);

/** `test` when tshark is there (or in CI, where its absence must fail), otherwise `test.skip`. */
export const tsharkTest = present || inCi ? test : test.skip;

export function assertTshark(): void {
  if (!present) throw new Error(`capture test prerequisite missing: tshark; ${INSTALL_HINT}`);
}
