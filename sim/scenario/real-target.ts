// A scenario target as a Linux nvmet configuration (sim/interop/linux-target.ts): what each
// namespace backend becomes in the guest, and the nvmet ports the target serves on.
// - 'null:SIZE' -> a memory-backed null_blk device (it keeps data, so verify works);
// - 'ram:SIZE'  -> a file on the guest's tmpfs ("ramdisk"), served by nvmet's file backend, which
//   exports tmpfs files with 4096-byte blocks (nvmet_file_ns_enable in
//   drivers/nvme/target/io-cmd-file.c: blksize_shift = min(i_blkbits, 12), and tmpfs has 4 KiB
//   blocks), so it needs blockSize 4096;
// - 'ssd:...' is the simulated SSD model and has no Linux equivalent.
// Sizes are whole MiB: null_blk's `size` attribute and truncate -s take MiB.
// The target's ANA groups become ports/<id>/ana_groups/<grpid> with their states, and each
// namespace's group its ana_grpid (linux-ana.ts), groups first: nvmet refuses an ana_grpid no
// port has created (configfs.c nvmet_ns_ana_grpid_store).
import type { LinuxAnaState, LinuxNamespaceSpec, LinuxTargetConfig } from '../interop/index.js';
import type { NvmetPort } from '../interop/index.js';
import type { ResolvedNamespace, ResolvedTarget } from './resolved.js';

const MIB = 1024 * 1024;
/** Block size nvmet's file backend exports a tmpfs file with. */
const TMPFS_FILE_BLOCK_SIZE = 4096;

/** The Linux namespace for a scenario namespace, or a one-line reason it has none. */
export function linuxNamespace(ns: ResolvedNamespace): LinuxNamespaceSpec | { readonly problem: string } {
  const spec = ns.spec;
  if (spec.kind === 'ssd' || spec.kind === 'file') {
    return { problem: `'${spec.kind}:' has no Linux equivalent on a real target (use 'null:SIZE' for null_blk or 'ram:SIZE' for a tmpfs file)` };
  }
  if (spec.sizeBytes % MIB !== 0) return { problem: `must be a whole number of MiB on a real target, not ${spec.sizeBytes} bytes` };
  const sizeMiB = spec.sizeBytes / MIB;
  if (spec.kind === 'null') return { nsid: ns.nsid, nullBlkSizeMiB: sizeMiB, blockSize: ns.blockSize };
  if (ns.blockSize !== TMPFS_FILE_BLOCK_SIZE) {
    return { problem: `'ram:' is a tmpfs file on a real target, which nvmet exports with 4096-byte blocks: set blockSize: 4096 (or use 'null:SIZE')` };
  }
  return { nsid: ns.nsid, ramdiskSizeMiB: sizeMiB };
}

function isProblem(value: LinuxNamespaceSpec | { readonly problem: string }): value is { readonly problem: string } {
  return 'problem' in value;
}

/** One configureLinuxTarget call per subsystem; all share the target's port (nvmet port id = TCP port). */
export function linuxTargetConfigs(target: ResolvedTarget): LinuxTargetConfig[] {
  return target.subsystems.map((sub) => ({
    nqn: sub.nqn,
    port: target.port,
    portId: target.port,
    allowAnyHost: true,
    namespaces: sub.namespaces.map((ns) => {
      const linux = linuxNamespace(ns);
      // Validation refused these already (real-validate.ts).
      if (isProblem(linux)) throw new Error(`${target.name} ${sub.nqn} nsid ${ns.nsid}: ${linux.problem}`);
      return linux;
    }),
  }));
}

/** The nvmet port a target serves on, for crash and restart. */
export function nvmetPort(target: ResolvedTarget): NvmetPort {
  return { portId: target.port, port: target.port, nqns: target.subsystems.map((sub) => sub.nqn) };
}

/** MiB of guest memory the target's namespaces may fill. */
export function namespaceMiB(target: ResolvedTarget): number {
  return target.subsystems.reduce((sum, sub) => sum + sub.namespaces.reduce((n, ns) => n + Math.ceil(ns.spec.kind === 'file' ? 0 : ns.spec.sizeBytes / MIB), 0), 0);
}

/** The configfs writes that give the guest's port the target's ANA groups and its namespaces their groups. */
export interface LinuxAnaSetup {
  readonly groups: readonly { readonly portId: number; readonly grpid: number; readonly state: LinuxAnaState }[];
  readonly namespaces: readonly { readonly nqn: string; readonly nsid: number; readonly grpid: number }[];
}

/** Group 1 optimized and namespaces in group 1 are nvmet's defaults: only the rest is written. */
export function linuxAnaSetup(target: ResolvedTarget): LinuxAnaSetup {
  const portId = nvmetPort(target).portId;
  return {
    groups: target.anaGroups.filter((group) => group.grpid !== 1 || group.state !== 'optimized').map((group) => ({ portId, grpid: group.grpid, state: group.state })),
    namespaces: target.subsystems.flatMap((sub) => sub.namespaces.filter((ns) => ns.anaGroupId !== 1).map((ns) => ({ nqn: sub.nqn, nsid: ns.nsid, grpid: ns.anaGroupId }))),
  };
}
