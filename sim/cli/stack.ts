// The CLI's one meeting point with the target and host: a real environment, starting a target,
// connecting a controller, fetching a discovery log. Commands use only these small shapes, so a
// change in the host or target API is absorbed here.
import type { TargetConfig, TargetEntries } from '../target/index.js';
import { type LogLevel } from '../core/index.js';
import { realEnv } from '../world/index.js';
import { connectController, connectMultipath, MultipathError, type HostController, type IoPolicy, type MultipathSubsystem } from '../host/index.js';
import { discover } from '../host/index.js';
import type { ConnectOptions } from '../host/index.js';
import { TransportError } from '../host/index.js';
import { DISCOVERY_PORT, IO_PORT, SubsystemType, TransportType } from '../nvme/index.js';
import { NvmeStatusError } from '../nvme/index.js';
import type { WorkloadDevice } from '../workload/index.js';
import { NvmeTarget } from '../target/index.js';
import { formatNvmetcliConfig, reconcileTarget } from '../target/index.js';
import { UsageError } from './args.js';
import type { DiscoveryListing } from './format-discovery.js';

export type CliEnv = ReturnType<typeof realEnv>;

export function cliEnv(options: { seed?: string; logLevel?: LogLevel; logPrefix?: string }): CliEnv {
  return realEnv({
    seed: options.seed ?? '1',
    logLevel: options.logLevel ?? 'warn',
    logPrefix: options.logPrefix ?? 'nvmf-sim: ',
  });
}

/** Normalized entries (from nvmetcli JSON) back to a TargetConfig that can be extended with flags. */
export function entriesToConfig(entries: TargetEntries): TargetConfig {
  return {
    hosts: entries.hosts.map((host) => ({ nqn: host.nqn, extra: host.extra })),
    subsystems: entries.subsystems.map((sub) => ({
      nqn: sub.nqn,
      allowAnyHost: sub.allowAnyHost,
      allowedHosts: sub.allowedHosts,
      ...(sub.serial === undefined ? {} : { serial: sub.serial }),
      model: sub.model,
      version: sub.version,
      firmware: sub.firmware,
      ieeeOui: sub.ieeeOui,
      cntlidMin: sub.cntlidMin,
      cntlidMax: sub.cntlidMax,
      qidMax: sub.qidMax,
      namespaces: sub.namespaces.map((ns) => ({
        nsid: ns.nsid,
        device: ns.device,
        enabled: ns.enabled,
        ...(ns.uuid === undefined ? {} : { uuid: ns.uuid }),
        nguid: ns.nguid,
        anaGroupId: ns.anaGroupId,
        blockSize: ns.blockSize,
        extra: ns.extra,
      })),
      extra: sub.extra,
    })),
    ports: entries.ports.map((port) => ({
      portid: port.portid,
      trtype: port.trtype,
      adrfam: port.adrfam,
      traddr: port.traddr,
      trsvcid: port.trsvcid,
      treq: port.treq,
      tsas: port.tsas,
      inlineDataSize: port.inlineDataSize,
      subsystems: port.subsystems,
      referrals: port.referrals.map((ref) => ({ ...ref })),
      anaGroups: port.anaGroups.map((group) => ({ ...group })),
      extra: port.extra,
    })),
  };
}

/**
 * A failure to reach or be admitted by the target is the user's to fix (wrong address, port, NQN
 * or host NQN): it becomes a UsageError (exit status 2) naming where we tried to connect.
 */
function connectFailure(error: unknown, where: string): unknown {
  if (error instanceof TransportError && (error.kind === 'connect' || error.kind === 'timeout')) {
    return new UsageError(`cannot connect to ${where}: ${error.message}`);
  }
  if (error instanceof NvmeStatusError) return new UsageError(`${where} refused the connection: ${error.message}`);
  return error;
}

/** One path of a multipath namespace, as list and io print it (nvme list-subsys, per-path stats). */
export interface CliPath {
  /** "traddr:trsvcid". */
  readonly name: string;
  readonly traddr: string;
  readonly trsvcid: number;
  /** The controller's state: live, connecting, resetting, ... */
  readonly state: string;
  /** optimized, non-optimized, inaccessible, persistent-loss, change. */
  readonly anaState: string;
  readonly anaGroup: number;
  readonly usable: boolean;
  readonly ios: number;
  readonly errors: number;
  readonly failovers: number;
  readonly p50Us: number;
  readonly p99Us: number;
}

/** A connected I/O controller (or a multipath subsystem of several), as the CLI uses it. */
export interface CliController {
  readonly trsvcid: number;
  readonly hostnqn: string;
  readonly serial: string;
  readonly model: string;
  readonly firmware: string;
  /** I/O queues of the association (the workload spreads its iodepth over them). */
  readonly ioQueues: number;
  listNamespaces(): Promise<{ nsid: number; sizeBytes: number; blockSize: number; usedBytes: number }[]>;
  namespace(nsid: number): Promise<WorkloadDevice>;
  /** The namespace's paths with their statistics; empty with a single path (no multipath head). */
  paths(nsid: number): readonly CliPath[];
  disconnect(): Promise<void>;
}

function nsidError(nsid: number, error: Error): UsageError {
  return new UsageError(`--nsid: ${nsid}: ${error.message.replace(/^[^\]]*\]: /, '')}`);
}

/** One path: a plain controller; several: a multipath subsystem with `iopolicy`. */
export async function connectSubsystem(env: CliEnv, paths: readonly ConnectOptions[], iopolicy: IoPolicy): Promise<CliController> {
  const first = paths[0];
  if (first === undefined) throw new UsageError('--traddr (-a) is required (e.g. -a 127.0.0.1)');
  if (paths.length === 1) return connectHost(env, first);
  let subsystem: MultipathSubsystem;
  try {
    subsystem = await connectMultipath(env, paths, { iopolicy });
  } catch (error) {
    // nvme_init_subsystem refuses controllers that are not one subsystem: a wrong -a or -n.
    if (error instanceof MultipathError) throw new UsageError(`--traddr (-a): the paths are not one subsystem: ${error.message}`);
    const where = paths.map((path) => `${path.traddr}:${path.trsvcid ?? IO_PORT}`).join(', ');
    throw connectFailure(error, `${where} (${first.nqn})`);
  }
  const head = subsystem.controllers[0];
  if (head === undefined) throw new Error('connectMultipath returned no controller');
  return {
    trsvcid: head.options.trsvcid,
    hostnqn: head.options.hostnqn,
    serial: head.identify.sn.trim(),
    model: head.identify.mn.trim(),
    firmware: head.identify.fr.trim(),
    ioQueues: Math.max(1, Math.min(...subsystem.controllers.map((controller) => controller.ioQueueCount))),
    listNamespaces: async () =>
      (await head.listNamespaces())
        .filter((ns) => subsystem.nsids.includes(ns.nsid))
        .map((ns) => ({ nsid: ns.nsid, sizeBytes: ns.sizeBytes, blockSize: ns.blockSize, usedBytes: ns.usage })),
    namespace: (nsid) => {
      try {
        return Promise.resolve(subsystem.namespace(nsid));
      } catch (error) {
        return Promise.reject(error instanceof RangeError ? nsidError(nsid, error) : error);
      }
    },
    paths: (nsid) =>
      subsystem.namespace(nsid).paths().map((path) => ({
        name: path.name,
        traddr: path.traddr,
        trsvcid: path.trsvcid,
        state: path.state,
        anaState: path.anaState,
        anaGroup: path.anaGroup,
        usable: path.usable,
        ios: path.stats.completed,
        errors: path.stats.errors,
        failovers: path.stats.failovers,
        p50Us: path.stats.latency.valueAt(50) / 1000,
        p99Us: path.stats.latency.valueAt(99) / 1000,
      })),
    disconnect: () => subsystem.disconnect(),
  };
}

export async function connectHost(env: CliEnv, options: ConnectOptions): Promise<CliController> {
  const port = options.trsvcid ?? IO_PORT;
  let controller: HostController;
  try {
    controller = await connectController(env, options);
  } catch (error) {
    throw connectFailure(error, `${options.traddr}:${port} (${options.nqn})`);
  }
  return {
    trsvcid: controller.options.trsvcid,
    hostnqn: controller.options.hostnqn,
    serial: controller.identify.sn.trim(),
    model: controller.identify.mn.trim(),
    firmware: controller.identify.fr.trim(),
    ioQueues: Math.max(1, controller.ioQueueCount),
    listNamespaces: async () =>
      (await controller.listNamespaces()).map((ns) => ({
        nsid: ns.nsid,
        sizeBytes: ns.sizeBytes,
        blockSize: ns.blockSize,
        usedBytes: ns.usage,
      })),
    namespace: async (nsid) => {
      try {
        return await controller.namespace(nsid);
      } catch (error) {
        // An inactive or unknown NSID is a wrong --nsid, not a failure of the run.
        if (error instanceof NvmeStatusError || (error instanceof Error && /not active/.test(error.message))) {
          throw nsidError(nsid, error);
        }
        throw error;
      }
    },
    paths: () => [],
    disconnect: () => controller.disconnect(),
  };
}

/** How deep --connect-all follows referrals (nvme-cli connect-all recurses through them too). */
const MAX_REFERRAL_DEPTH = 4;

/**
 * nvme connect-all for one subsystem: every TCP entry for `at.nqn` in the discovery log at
 * `at` (port 8009 unless given), following referrals, becomes a path with `at`'s other options.
 */
export async function discoverPaths(env: CliEnv, at: ConnectOptions): Promise<ConnectOptions[]> {
  const { nqn, traddr, trsvcid, ...shared } = at;
  const paths: ConnectOptions[] = [];
  const asked = new Set<string>();
  const seen = new Set<string>();
  const visit = async (address: string, port: number, depth: number): Promise<void> => {
    if (asked.has(`${address}:${port}`) || depth > MAX_REFERRAL_DEPTH) return;
    asked.add(`${address}:${port}`);
    const log = await fetchDiscoveryLog(env, {
      traddr: address,
      trsvcid: port,
      ...(at.hostnqn === undefined ? {} : { hostnqn: at.hostnqn }),
      ...(at.hostid === undefined ? {} : { hostid: at.hostid }),
    });
    for (const entry of log.records) {
      if (entry.trtype !== TransportType.TCP) continue;
      const entryPort = Number(entry.trsvcid);
      if (entry.subtype === SubsystemType.REFERRAL) await visit(entry.traddr, entryPort, depth + 1);
      if (entry.subtype !== SubsystemType.NVME || entry.subnqn !== nqn || seen.has(`${entry.traddr}:${entryPort}`)) continue;
      seen.add(`${entry.traddr}:${entryPort}`);
      paths.push({ ...shared, nqn, traddr: entry.traddr, trsvcid: entryPort });
    }
  };
  await visit(traddr, trsvcid ?? DISCOVERY_PORT, 0);
  if (paths.length === 0) throw new UsageError(`--connect-all: the discovery log at ${traddr}:${trsvcid ?? DISCOVERY_PORT} has no entry for ${nqn}`);
  return paths;
}

export async function fetchDiscoveryLog(
  env: CliEnv,
  target: { traddr: string; trsvcid?: number; hostnqn?: string; hostid?: string },
): Promise<DiscoveryListing> {
  const port = target.trsvcid ?? DISCOVERY_PORT;
  try {
    const log = await discover(env, target);
    return { genctr: log.genctr, records: log.entries };
  } catch (error) {
    throw connectFailure(error, `${target.traddr}:${port}`);
  }
}

/** A running target as the CLI sees it. */
export interface CliTarget {
  readonly ports: readonly { portid: number; traddr: string; trsvcid: number; subsystems: readonly string[] }[];
  /** The running configuration as nvmetcli config.json text. */
  savedConfig(): string;
  /** Applies the difference to `config` live (reconcile.ts); returns one line per change. */
  reconcile(config: TargetConfig): Promise<readonly string[]>;
  stop(): Promise<void>;
}

export async function startTarget(env: CliEnv, config: TargetConfig): Promise<CliTarget> {
  // The constructor checks the configuration (ConfigError names the field).
  const target = new NvmeTarget(env, config);
  try {
    await target.start();
  } catch (error) {
    // A namespace whose backend cannot be opened (a missing file) is the user's to fix.
    if (error instanceof Error && error.message.startsWith('nvmet: cannot enable')) throw new UsageError(error.message);
    if (error instanceof Error && typeof (error as { code?: unknown }).code === 'string' && !('address' in error)) {
      // net errors from listen() carry the address we asked for; name it when Node did not.
      const bound = config.ports ?? [];
      Object.assign(error, { address: bound.map((port) => `${port.traddr}:${port.trsvcid ?? 4420}`).join(', ') });
    }
    throw error;
  }
  const byId = new Map(target.model.ports);
  return {
    ports: target.boundPorts.map((bound) => ({
      portid: bound.portid,
      traddr: bound.address.host,
      trsvcid: bound.address.port,
      subsystems: [...(byId.get(bound.portid)?.subsystems ?? [])],
    })),
    savedConfig: () => formatNvmetcliConfig(target.saveConfig()),
    reconcile: async (next) => (await reconcileTarget(target, next)).changes,
    stop: () => target.stop(),
  };
}
