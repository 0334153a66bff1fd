// A real Linux NVMe/TCP host (nvme-tcp + nvme-cli 2.x + fio) inside the interop VM. The helpers
// run nvme-cli in the guest and parse its JSON. From the guest, the host machine's loopback is
// HOST_ADDRESS_FROM_GUEST (10.0.2.2), so a TypeScript target listening on 127.0.0.1 is reachable.
import { HOST_ADDRESS_FROM_GUEST } from './qemu-args.js';
import type { LinuxPeer } from './linux-peer.js';
import { shellCommand, shellQuote } from './shell.js';

export { HOST_ADDRESS_FROM_GUEST } from './qemu-args.js';

export interface NvmeAddress {
  /** Default HOST_ADDRESS_FROM_GUEST: the machine running the VM. */
  traddr?: string;
  trsvcid: number;
}

/** One discovery log entry as nvme-cli prints it (`nvme discover -o json`, nvme-cli 2.x). */
export interface DiscoveryEntry {
  trtype: string;
  adrfam: string;
  subtype: string;
  treq: string;
  portid: number;
  trsvcid: string;
  subnqn: string;
  traddr: string;
  sectype?: string;
  eflags?: string;
}

export interface NvmeConnectOptions extends NvmeAddress {
  nqn: string;
  nrIoQueues?: number;
  hdrDigest?: boolean;
  dataDigest?: boolean;
  queueSize?: number;
  keepAliveTmoSec?: number;
  ctrlLossTmoSec?: number;
  reconnectDelaySec?: number;
  /** Wait until this many namespaces have block devices (default 1; 0 = do not wait). */
  expectNamespaces?: number;
  timeoutMs?: number;
}

export interface NvmeConnection {
  /** Controller device name, e.g. 'nvme0'. */
  controller: string;
  /** Namespace block devices, e.g. ['/dev/nvme0n1'] (native multipath: the head devices). */
  devices: string[];
  /** The first namespace's block device (what most tests want). */
  device: string;
}

/** `nvme list -o json` (nvme-cli 2.x): the fields differ between versions, so rows stay loose. */
export interface NvmeListJson {
  Devices: Record<string, unknown>[];
}

export interface FioOptions {
  filename: string;
  rw: 'read' | 'write' | 'randread' | 'randwrite' | 'rw' | 'randrw';
  bs: string;
  size: string;
  iodepth?: number;
  numjobs?: number;
  /** Data verification: writes carry checksums that fio checks on read-back. */
  verify?: 'crc32c' | 'md5' | 'sha256';
  runtimeSec?: number;
  ioengine?: string;
  direct?: boolean;
  name?: string;
  /** Any other fio option, passed as --key=value. */
  extra?: Record<string, string | number>;
  timeoutMs?: number;
}

export interface FioIoStats {
  io_bytes: number;
  bw_bytes: number;
  iops: number;
  total_ios: number;
  runtime: number;
  clat_ns: { min: number; max: number; mean: number; N: number };
}

export interface FioJob {
  jobname: string;
  error: number;
  read: FioIoStats;
  write: FioIoStats;
}

export interface FioResult {
  'fio version': string;
  jobs: FioJob[];
}

function target(address: NvmeAddress): string[] {
  return ['-t', 'tcp', '-a', address.traddr ?? HOST_ADDRESS_FROM_GUEST, '-s', String(address.trsvcid)];
}

/** Reads the discovery log of the controller at the address. */
export async function nvmeDiscover(vm: LinuxPeer, address: NvmeAddress): Promise<DiscoveryEntry[]> {
  const result = await vm.exec(shellCommand('nvme', 'discover', ...target(address), '-o', 'json'));
  if (result.exitCode !== 0) {
    throw new Error(`nvme discover failed (${result.exitCode}): ${result.stderr.trim() || result.stdout.trim()}`);
  }
  const trimmed = result.stdout.trim();
  if (trimmed.startsWith('{')) {
    const parsed = JSON.parse(trimmed) as { records?: DiscoveryEntry[] };
    return parsed.records ?? [];
  }
  return parseDiscoveryText(trimmed);
}

/** The text form (`=====Discovery Log Entry N======` blocks of `key: value`), for older nvme-cli. */
export function parseDiscoveryText(text: string): DiscoveryEntry[] {
  const entries: DiscoveryEntry[] = [];
  let current: Record<string, string> | undefined;
  const flush = (): void => {
    if (current === undefined) return;
    entries.push({
      trtype: current.trtype ?? '',
      adrfam: current.adrfam ?? '',
      subtype: current.subtype ?? '',
      treq: current.treq ?? '',
      portid: Number(current.portid ?? '0'),
      trsvcid: current.trsvcid ?? '',
      subnqn: current.subnqn ?? '',
      traddr: current.traddr ?? '',
      ...(current.sectype === undefined ? {} : { sectype: current.sectype }),
    });
  };
  for (const line of text.split('\n')) {
    if (/^=+Discovery Log Entry/.test(line)) {
      flush();
      current = {};
      continue;
    }
    const match = /^(\w+):\s*(.*)$/.exec(line);
    if (current !== undefined && match?.[1] !== undefined) current[match[1]] = (match[2] ?? '').trim();
  }
  flush();
  return entries;
}

/** Connects to a subsystem and waits for its namespaces' block devices. */
export async function nvmeConnect(vm: LinuxPeer, options: NvmeConnectOptions): Promise<NvmeConnection> {
  const args = ['nvme', 'connect', ...target(options), '-n', options.nqn, '-o', 'json'];
  if (options.nrIoQueues !== undefined) args.push('-i', String(options.nrIoQueues));
  if (options.queueSize !== undefined) args.push('-Q', String(options.queueSize));
  if (options.keepAliveTmoSec !== undefined) args.push('-k', String(options.keepAliveTmoSec));
  if (options.ctrlLossTmoSec !== undefined) args.push('-l', String(options.ctrlLossTmoSec));
  if (options.reconnectDelaySec !== undefined) args.push('-c', String(options.reconnectDelaySec));
  if (options.hdrDigest === true) args.push('-g');
  if (options.dataDigest === true) args.push('-G');
  const timeoutMs = options.timeoutMs ?? 60_000;
  const output = await vm.execOk(shellCommand(...args), { timeoutMs });
  // nvme-cli 2.x prints {"device":"nvme0"} with -o json.
  const controller = /"device"\s*:\s*"(nvme\d+)"/.exec(output)?.[1];
  if (controller === undefined) throw new Error(`nvme connect printed no controller name: ${output.trim()}`);
  const expected = options.expectNamespaces ?? 1;
  const devices = await waitForNamespaces(vm, controller, expected, timeoutMs);
  return { controller, devices, device: devices[0] ?? '' };
}

/**
 * The block devices of a controller's namespaces. With native multipath (Debian's default) the
 * block device belongs to the subsystem (/sys/class/nvme-subsystem/nvme-subsysN/nvmeXnY) and the
 * controller only has hidden per-path nodes (nvmeXcZnY); without it they sit under the controller.
 */
async function waitForNamespaces(vm: LinuxPeer, controller: string, expected: number, timeoutMs: number): Promise<string[]> {
  const ctrl = shellQuote(controller);
  const script = [
    `want=${expected}; tries=0`,
    'while :; do',
    '  found=""',
    `  for s in /sys/class/nvme-subsystem/*; do [ -e "$s/${ctrl}" ] && found="$found $(ls "$s" | grep -E '^nvme[0-9]+n[0-9]+$')"; done`,
    `  [ -z "$(echo $found)" ] && found=$(ls /sys/class/nvme/${ctrl} | grep -E '^nvme[0-9]+n[0-9]+$')`,
    '  n=$(echo $found | wc -w)',
    `  if [ "$n" -ge "$want" ]; then for d in $found; do [ -b /dev/$d ] && echo /dev/$d; done; exit 0; fi`,
    `  tries=$((tries + 1)); [ $tries -gt ${Math.ceil(timeoutMs / 100)} ] && { echo "only $n of $want namespaces appeared" >&2; exit 1; }`,
    '  sleep 0.1',
    'done',
  ].join('\n');
  const output = await vm.execOk(script, { timeoutMs: timeoutMs + 5_000 });
  return output.split('\n').filter((line) => line !== '').sort();
}

/** `nvme list -o json`. */
export async function nvmeList(vm: LinuxPeer): Promise<NvmeListJson> {
  const output = await vm.execOk('nvme list -o json');
  const parsed = JSON.parse(output) as Partial<NvmeListJson>;
  return { Devices: parsed.Devices ?? [] };
}

/** Disconnects every controller of the subsystem; resolves with how many there were. */
export async function nvmeDisconnect(vm: LinuxPeer, nqn: string): Promise<number> {
  const output = await vm.execOk(shellCommand('nvme', 'disconnect', '-n', nqn));
  // nvme-cli: "NQN:<nqn> disconnected <n> controller(s)".
  const count = /disconnected (\d+) controller/.exec(output)?.[1];
  return count === undefined ? 0 : Number(count);
}

/** Runs fio in the guest and returns its JSON report; rejects if fio or any job failed. */
export async function runFio(vm: LinuxPeer, options: FioOptions): Promise<FioResult> {
  const args: (string | number)[] = [
    'fio',
    `--name=${options.name ?? 'nvmf-sim'}`,
    `--filename=${options.filename}`,
    `--rw=${options.rw}`,
    `--bs=${options.bs}`,
    `--size=${options.size}`,
    `--iodepth=${options.iodepth ?? 1}`,
    `--numjobs=${options.numjobs ?? 1}`,
    `--ioengine=${options.ioengine ?? 'libaio'}`,
    `--direct=${options.direct === false ? 0 : 1}`,
    '--group_reporting=1',
    '--output-format=json',
  ];
  if (options.verify !== undefined) args.push(`--verify=${options.verify}`, '--verify_fatal=1');
  if (options.runtimeSec !== undefined) args.push(`--runtime=${options.runtimeSec}`, '--time_based=1');
  for (const [key, value] of Object.entries(options.extra ?? {})) args.push(`--${key}=${value}`);
  const result = await vm.exec(shellCommand(...args), { timeoutMs: options.timeoutMs ?? 120_000 });
  const start = result.stdout.indexOf('{');
  if (start < 0) throw new Error(`fio printed no JSON (exit ${result.exitCode}): ${result.stderr.trim()}`);
  const report = JSON.parse(result.stdout.slice(start)) as FioResult;
  const failed = report.jobs.filter((job) => job.error !== 0);
  if (result.exitCode !== 0 || failed.length > 0) {
    throw new Error(
      `fio failed (exit ${result.exitCode}, job errors ${failed.map((job) => job.error).join(',') || 'none'}): ${result.stderr.trim()}`,
    );
  }
  return report;
}

/** Writes a marker into the guest kernel log, so kernelErrors can look only at what follows it. */
export async function dmesgMarker(vm: LinuxPeer, label: string): Promise<void> {
  await vm.execOk(`echo ${shellQuote(`nvmf-sim marker: ${label}`)} > /dev/kmsg`);
}

// What the Linux NVMe host and target drivers log when something goes wrong, e.g.
// "nvme nvme0: failed nvme_keep_alive_end_io error=", "nvmet_tcp: queue 1: ... failed",
// "nvme nvme0: I/O tag 3 (...) timeout", "nvme nvme0: starting error recovery".
const NVME_SUBJECT = /\bnvmet?(_tcp|_fabrics|-tcp)?\b|\bnvme\d+/i;
const ERROR_WORDS = /error|fail|timeout|timed out|reset|invalid|abort|recovery|corrupt|digest|unexpected|refused/i;

/** dmesg lines about NVMe that report a problem (after the marker, when given). */
export async function kernelErrors(vm: LinuxPeer, options: { afterMarker?: string } = {}): Promise<string[]> {
  let lines = (await vm.dmesg()).split('\n');
  if (options.afterMarker !== undefined) {
    const marker = `nvmf-sim marker: ${options.afterMarker}`;
    const index = lines.findLastIndex((line) => line.includes(marker));
    if (index >= 0) lines = lines.slice(index + 1);
  }
  return lines.filter((line) => NVME_SUBJECT.test(line) && ERROR_WORDS.test(line));
}
