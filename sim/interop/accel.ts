// Choosing QEMU's accelerator. KVM is used only once it has been seen to boot this guest on this
// machine: on some nested-virtualisation hosts /dev/kvm opens fine but the guest dies after more
// than a minute with "KVM internal error ... emulation failure" (a locked cmpxchg16b in SLUB), so
// "the device exists" is not enough. The first 'auto' boot probes KVM under a short deadline and
// records the verdict in the build directory, keyed by the host kernel and QEMU binary.
import { accessSync, constants, readFileSync, statSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import type { Accel } from './qemu-args.js';
import { findExecutable, QEMU_BINARY } from './vm-image.js';

export type AccelRequest = Accel | 'auto';

/** A working KVM boots this guest in well under this; TCG takes ~5-10 s. */
export const KVM_PROBE_TIMEOUT_MS = 30_000;

const VERDICT_FILE = 'kvm-verdict.json';

interface Verdict {
  key: string;
  works: boolean;
}

export interface AccelPlan {
  accel: Accel;
  /** True when this boot decides whether KVM works (record the outcome with recordKvmVerdict). */
  probe: boolean;
}

/** The accelerator requested by $NVMF_VM_ACCEL, if it names one. */
export function envAccelRequest(): AccelRequest | undefined {
  const value = process.env.NVMF_VM_ACCEL;
  return value === 'kvm' || value === 'tcg' || value === 'auto' ? value : undefined;
}

export function planAccel(request: AccelRequest, buildDir: string): AccelPlan {
  if (request !== 'auto') return { accel: request, probe: false };
  if (!kvmDeviceUsable()) return { accel: 'tcg', probe: false };
  const verdict = readVerdict(buildDir);
  if (verdict === undefined) return { accel: 'kvm', probe: true };
  return { accel: verdict ? 'kvm' : 'tcg', probe: false };
}

export function recordKvmVerdict(buildDir: string, works: boolean): void {
  const verdict: Verdict = { key: verdictKey(), works };
  try {
    writeFileSync(join(buildDir, VERDICT_FILE), `${JSON.stringify(verdict)}\n`);
  } catch {
    // A read-only build directory only costs a probe per process.
  }
}

function kvmDeviceUsable(): boolean {
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function readVerdict(buildDir: string): boolean | undefined {
  try {
    const verdict = JSON.parse(readFileSync(join(buildDir, VERDICT_FILE), 'utf8')) as Partial<Verdict>;
    return verdict.key === verdictKey() && typeof verdict.works === 'boolean' ? verdict.works : undefined;
  } catch {
    return undefined;
  }
}

/** A new host kernel or QEMU build may change the answer, so both are part of the key. */
function verdictKey(): string {
  const qemu = findExecutable(QEMU_BINARY);
  const qemuStamp = qemu === undefined ? 'none' : `${qemu}@${statSync(qemu).mtimeMs}`;
  return `${release()} ${qemuStamp}`;
}
