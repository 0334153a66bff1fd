// The one place that decides whether real-Linux interop tests run. They need the VM image
// (bash images/vm/build.sh), QEMU and tshark. When something is missing:
// - in CI (CI=true) the tests are registered normally and fail through assertInteropPrereqs;
// - elsewhere they are registered as skipped, and a message says how to install what is missing.
import test from 'ava';
import { findExecutable, vmImageStatus } from '../../sim/interop/vm-image.js';

export interface InteropPrereqs {
  ok: boolean;
  missing: string[];
}

const INSTALL_HINT =
  'install with: apt-get install -y qemu-system-x86 tshark busybox-static nvme-cli fio kmod cpio && bash images/vm/build.sh';

export function interopPrereqs(): InteropPrereqs {
  const missing = [...vmImageStatus().missing];
  if (findExecutable('tshark') === undefined) missing.push('tshark');
  return { ok: missing.length === 0, missing };
}

/** Throws a message naming what is missing and how to get it (for CI, where nothing is skipped). */
export function assertInteropPrereqs(): void {
  const prereqs = interopPrereqs();
  if (!prereqs.ok) throw new Error(`interop prerequisites missing: ${prereqs.missing.join(', ')}; ${INSTALL_HINT}`);
}

const prereqs = interopPrereqs();
const inCi = process.env.CI === 'true';
if (!prereqs.ok && !inCi) {
  console.warn(`[interop] skipping real-Linux interop tests; missing: ${prereqs.missing.join(', ')}; ${INSTALL_HINT}`);
}

/** `test` when the interop prerequisites are present (or in CI), otherwise `test.skip`. */
export const interopTest = prereqs.ok || inCi ? test : test.skip;
