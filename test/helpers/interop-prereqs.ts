// The one place that decides whether real-Linux interop tests run. They need the VM image
// (bash images/vm/build.sh), QEMU and tshark. When something is missing:
// - in CI (CI=true) the tests are registered normally and fail through assertInteropPrereqs;
// - elsewhere they are registered as skipped, and a message says how to install what is missing.
import test from 'ava';
import { findExecutable, vmImageStatus } from '../../sim/interop/vm-image.js';
import { DOCKER_INSTALL_HINT, dockerRuntimeStatus } from '../../sim/interop/docker-image.js';

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

// --- The Docker runtime (sim/interop/docker-vm.ts), same policy: fail in CI, skip with a hint elsewhere.
// It needs a running Docker engine and the nvmf-sim/linux-vm image (images/docker/build-image.sh,
// which builds its base from Debian packages with debootstrap). Checked lazily: running the docker
// CLI costs time that the files importing only interopTest should not pay.
let dockerPrereqsCache: InteropPrereqs | undefined;

export function dockerInteropPrereqs(): InteropPrereqs {
  if (dockerPrereqsCache === undefined) {
    const status = dockerRuntimeStatus();
    dockerPrereqsCache = { ok: status.ready, missing: status.missing };
  }
  return dockerPrereqsCache;
}

/** Throws naming what the Docker runtime lacks and how to get it (for CI, where nothing is skipped). */
export function assertDockerInteropPrereqs(): void {
  const status = dockerInteropPrereqs();
  if (!status.ok) throw new Error(`Docker interop prerequisites missing: ${status.missing.join(', ')}; ${DOCKER_INSTALL_HINT}`);
}

/**
 * True when the Docker runtime tests should be registered (everything present, or in CI where a
 * missing piece must fail); false prints what is missing and how to get it. Use as
 * `enabled ? test.serial : test.serial.skip` (one VM at a time on a 2-core machine).
 */
export function dockerInteropEnabled(): boolean {
  const status = dockerInteropPrereqs();
  if (status.ok || inCi) return true;
  console.warn(`[interop] skipping Docker runtime tests; missing: ${status.missing.join(', ')}; ${DOCKER_INSTALL_HINT}`);
  return false;
}
