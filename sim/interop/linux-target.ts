// A real Linux NVMe/TCP target (nvmet + nvmet-tcp) inside the interop VM, configured through
// configfs the way blktests does it (common/nvme; layout in docs/protocol.md, "nvmet configfs"):
//   /sys/kernel/config/nvmet/subsystems/<nqn>/{attr_allow_any_host, allowed_hosts/, namespaces/<nsid>/}
//   /sys/kernel/config/nvmet/ports/<portid>/{addr_*, subsystems/<nqn> -> subsystem}
// Namespaces are backed by memory-backed null_blk devices (made through /sys/kernel/config/nullb,
// so they keep data and fio can verify) or by files on tmpfs ("ramdisk", nvmet's file backend).
import type { LinuxPeer } from './linux-peer.js';
import { shellQuote } from './shell.js';

export type LinuxNamespaceSpec =
  | { nsid: number; nullBlkSizeMiB: number; blockSize?: number }
  | { nsid: number; ramdiskSizeMiB: number };

export interface LinuxTargetConfig {
  /** Subsystem NQN. */
  nqn: string;
  /** Guest TCP port (default 4420, the IANA NVMe/TCP port); forward it with VmOptions.forwards. */
  port?: number;
  /** nvmet port id (default: the TCP port number). Subsystems on the same port share it. */
  portId?: number;
  namespaces: LinuxNamespaceSpec[];
  /** attr_allow_any_host (default true). When false, only hostNqns may connect. */
  allowAnyHost?: boolean;
  hostNqns?: string[];
  /** attr_serial / attr_model, if set. */
  serial?: string;
  model?: string;
}

export interface LinuxTargetNamespace {
  nsid: number;
  /** What the namespace's device_path points at in the guest. */
  devicePath: string;
  sizeBytes: number;
}

export interface LinuxTarget {
  nqn: string;
  port: number;
  portId: number;
  namespaces: LinuxTargetNamespace[];
  hostNqns: string[];
}

/** The conventional NVMe/TCP I/O port (blktests common/nvme default trsvcid; Wireshark's default). */
export const NVME_TCP_DEFAULT_PORT = 4420;
const NVMET = '/sys/kernel/config/nvmet';
const NULLB = '/sys/kernel/config/nullb';
const RAMDISK_DIR = '/run/nvmf-sim';
const MIB = 1024 * 1024;

/** Loads the modules and exports the subsystem; resolves once the port is listening. */
export async function configureLinuxTarget(vm: LinuxPeer, config: LinuxTargetConfig): Promise<LinuxTarget> {
  const port = config.port ?? NVME_TCP_DEFAULT_PORT;
  const portId = config.portId ?? port;
  const target: LinuxTarget = {
    nqn: config.nqn,
    port,
    portId,
    hostNqns: [...(config.hostNqns ?? [])],
    namespaces: config.namespaces.map((ns) => ({
      nsid: ns.nsid,
      devicePath: backingPath(config.nqn, ns),
      sizeBytes: ('nullBlkSizeMiB' in ns ? ns.nullBlkSizeMiB : ns.ramdiskSizeMiB) * MIB,
    })),
  };
  const subsystem = `${NVMET}/subsystems/${config.nqn}`;
  const portDir = `${NVMET}/ports/${portId}`;
  const q = shellQuote;
  const lines = [
    // -x: stderr traces each step, so an error names the configfs write that failed.
    'set -ex',
    'modprobe nvmet',
    'modprobe nvmet-tcp',
    // nr_devices=0: no default 250 GB data-discarding nullb0 (a no-op if init already loaded it).
    'modprobe null_blk nr_devices=0',
    `mkdir ${q(subsystem)}`,
    `echo ${config.allowAnyHost === false ? 0 : 1} > ${q(`${subsystem}/attr_allow_any_host`)}`,
  ];
  if (config.serial !== undefined) lines.push(`echo ${q(config.serial)} > ${q(`${subsystem}/attr_serial`)}`);
  if (config.model !== undefined) lines.push(`echo ${q(config.model)} > ${q(`${subsystem}/attr_model`)}`);
  for (const host of target.hostNqns) {
    const hostDir = `${NVMET}/hosts/${host}`;
    lines.push(`[ -d ${q(hostDir)} ] || mkdir ${q(hostDir)}`);
    lines.push(`ln -s ${q(hostDir)} ${q(`${subsystem}/allowed_hosts/${host}`)}`);
  }
  for (const [index, spec] of config.namespaces.entries()) {
    const ns = target.namespaces[index];
    if (ns === undefined) continue;
    lines.push(...backingSetup(config.nqn, spec));
    const nsDir = `${subsystem}/namespaces/${spec.nsid}`;
    lines.push(`mkdir ${q(nsDir)}`);
    lines.push(`printf %s ${q(ns.devicePath)} > ${q(`${nsDir}/device_path`)}`);
    // nvmet opens a file backend with O_DIRECT unless buffered_io is set, and tmpfs refuses
    // O_DIRECT (nvmet_file_ns_enable in drivers/nvme/target/io-cmd-file.c: -EINVAL).
    if ('ramdiskSizeMiB' in spec) lines.push(`echo 1 > ${q(`${nsDir}/buffered_io`)}`);
    lines.push(`echo 1 > ${q(`${nsDir}/enable`)}`);
  }
  // A port may already exist for another subsystem; its address must then be the same.
  lines.push(
    `if [ ! -d ${q(portDir)} ]; then`,
    `  mkdir ${q(portDir)}`,
    `  echo tcp > ${q(`${portDir}/addr_trtype`)}`,
    `  echo ipv4 > ${q(`${portDir}/addr_adrfam`)}`,
    // 0.0.0.0: QEMU's user network delivers forwarded connections to the guest's 10.0.2.15, and
    // tests inside the guest use 127.0.0.1; a wildcard listener serves both.
    `  echo 0.0.0.0 > ${q(`${portDir}/addr_traddr`)}`,
    `  echo ${port} > ${q(`${portDir}/addr_trsvcid`)}`,
    'fi',
    `ln -s ${q(subsystem)} ${q(`${portDir}/subsystems/${config.nqn}`)}`,
  );
  try {
    await vm.execOk(lines.join('\n'));
  } catch (error) {
    // Leave no half-made subsystem behind: a retry with the same NQN would fail at mkdir.
    await teardownLinuxTarget(vm, target).catch(() => {});
    throw error;
  }
  return target;
}

/** Unexports and deletes everything configureLinuxTarget made (connected hosts are dropped). */
export async function teardownLinuxTarget(vm: LinuxPeer, target: LinuxTarget): Promise<void> {
  const subsystem = `${NVMET}/subsystems/${target.nqn}`;
  const portDir = `${NVMET}/ports/${target.portId}`;
  const q = shellQuote;
  // Best effort throughout: teardown must also clean up after a half-finished configure.
  const lines = [`rm -f ${q(`${portDir}/subsystems/${target.nqn}`)}`];
  lines.push(`[ -z "$(ls ${q(`${portDir}/subsystems`)} 2>/dev/null)" ] && rmdir ${q(portDir)} 2>/dev/null`);
  for (const ns of target.namespaces) {
    const nsDir = `${subsystem}/namespaces/${ns.nsid}`;
    lines.push(`[ -d ${q(nsDir)} ] && { echo 0 > ${q(`${nsDir}/enable`)}; rmdir ${q(nsDir)}; }`);
  }
  for (const host of target.hostNqns) {
    lines.push(`rm -f ${q(`${subsystem}/allowed_hosts/${host}`)}`);
  }
  lines.push(`[ -d ${q(subsystem)} ] && rmdir ${q(subsystem)}`);
  for (const host of target.hostNqns) {
    // Still linked from another subsystem: rmdir fails and the host entry stays.
    lines.push(`rmdir ${q(`${NVMET}/hosts/${host}`)} 2>/dev/null`);
  }
  for (const ns of target.namespaces) lines.push(...backingTeardown(ns.devicePath));
  lines.push('true');
  await vm.execOk(lines.join('\n'));
}

/** A name unique per subsystem and namespace, usable as a null_blk configfs directory and file name. */
function backingName(nqn: string, nsid: number): string {
  let hash = 0;
  for (const char of nqn) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) >>> 0;
  return `nvmfsim${hash.toString(16)}n${nsid}`;
}

function backingPath(nqn: string, ns: LinuxNamespaceSpec): string {
  const name = backingName(nqn, ns.nsid);
  return 'nullBlkSizeMiB' in ns ? `/dev/${name}` : `${RAMDISK_DIR}/${name}.img`;
}

function backingSetup(nqn: string, ns: LinuxNamespaceSpec): string[] {
  const q = shellQuote;
  const path = backingPath(nqn, ns);
  if (!('nullBlkSizeMiB' in ns)) {
    return [`mkdir -p ${RAMDISK_DIR}`, `truncate -s ${ns.ramdiskSizeMiB}M ${q(path)}`];
  }
  // null_blk names a configfs-made disk after its directory: /sys/kernel/config/nullb/X -> /dev/X.
  const dir = `${NULLB}/${backingName(nqn, ns.nsid)}`;
  return [
    `mkdir ${q(dir)}`,
    `echo ${ns.nullBlkSizeMiB} > ${q(`${dir}/size`)}`,
    `echo ${ns.blockSize ?? 512} > ${q(`${dir}/blocksize`)}`,
    `echo 1 > ${q(`${dir}/memory_backed`)}`,
    `echo 1 > ${q(`${dir}/power`)}`,
    // devtmpfs creates the node asynchronously; wait up to 5 s.
    `n=0; while [ ! -b ${q(path)} ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done`,
    `[ -b ${q(path)} ] || { echo ${q(`${path} did not appear`)} >&2; exit 1; }`,
  ];
}

function backingTeardown(path: string): string[] {
  const q = shellQuote;
  if (path.startsWith(RAMDISK_DIR)) return [`rm -f ${q(path)}`];
  const dir = `${NULLB}/${path.slice('/dev/'.length)}`;
  return [`[ -d ${q(dir)} ] && { echo 0 > ${q(`${dir}/power`)}; rmdir ${q(dir)}; }`];
}
