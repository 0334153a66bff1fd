// A multipath host's view of one subsystem: several controllers of the same subsystem NQN (through
// different ports or targets) whose namespaces join one head per NSID, the twin of Linux's struct
// nvme_subsystem with native multipath (drivers/nvme/host/core.c nvme_init_subsystem,
// nvme_init_ns_head; multipath.c). Each controller keeps its own keep-alive and reconnect logic
// (controller.ts); the subsystem tells its heads when a path changes so that waiting I/O moves, and
// joins namespaces a controller learns of later (a Namespace Attribute Changed notice) to their head.
import type { NodeEnv } from '../core/index.js';
import { Cmic } from '../nvme/index.js';
import { TcpHostController } from './controller.js';
import type { HostController, NamespaceInfo } from './controller.js';
import { DEFAULT_IOPOLICY, IO_POLICIES, isIoPolicy } from './iopolicy.js';
import type { IoPolicy } from './iopolicy.js';
import { MultipathError } from './multipath-error.js';
import { checkUniqueIds } from './namespace-ids.js';
import { NamespaceHead } from './namespace-head.js';
import type { MultipathNamespace } from './namespace-head.js';
import { NamespacePath } from './namespace-path.js';
import type { ControllerLoad } from './namespace-path.js';
import { ConnectOptionsError, resolveConnectOptions } from './options.js';
import type { ConnectOptions, ResolvedConnectOptions } from './options.js';

export interface MultipathOptions {
  /** The subsystem's I/O policy (sysfs iopolicy); default numa. */
  readonly iopolicy?: IoPolicy;
}

export interface MultipathSubsystem {
  readonly nqn: string;
  /** One controller per path, in the order the paths were given. */
  readonly controllers: readonly HostController[];
  /** Current I/O policy of every head; may be changed at any time, as sysfs iopolicy. */
  iopolicy: IoPolicy;
  /** NSIDs with a head, in the order the controllers listed them (namespaces found by a later scan last). */
  readonly nsids: readonly number[];
  /** The head of a namespace, a BlockDevice; throws RangeError for an NSID without one. */
  namespace(nsid: number): MultipathNamespace;
  /** Disconnects every controller; I/O still waiting fails with HOST_PATH_ERROR. */
  disconnect(): Promise<void>;
}

/** Paths of one subsystem: same NQN, distinct addresses, one host identity. */
function resolvePaths(env: NodeEnv, paths: readonly ConnectOptions[]): ResolvedConnectOptions[] {
  const first = paths[0];
  if (first === undefined) throw new ConnectOptionsError('--traddr (-a)', 'no path given');
  const random = env.rng.stream('host/hostid');
  const base = resolveConnectOptions(first, random);
  if (base.discovery) throw new ConnectOptionsError('--nqn (-n)', 'a discovery controller has no namespaces to share');
  const resolved = [base];
  const seen = new Set([`${base.traddr}:${base.trsvcid}`]);
  paths.slice(1).forEach((path, index) => {
    if (path.nqn !== base.nqn) {
      throw new ConnectOptionsError('--nqn (-n)', `path ${index + 2} is to subsystem ${path.nqn}, path 1 to ${base.nqn}: one multipath device spans one subsystem`);
    }
    // One host: every controller of the subsystem connects with the same host NQN and host ID.
    const options = resolveConnectOptions({ ...path, hostnqn: path.hostnqn ?? base.hostnqn, hostid: path.hostid ?? base.hostid }, random);
    const address = `${options.traddr}:${options.trsvcid}`;
    if (seen.has(address)) throw new ConnectOptionsError('--traddr (-a)', `path ${index + 2} repeats ${address}`);
    seen.add(address);
    resolved.push(options);
  });
  return resolved;
}

class Subsystem implements MultipathSubsystem {
  readonly nqn: string;
  readonly controllers: readonly TcpHostController[];
  readonly #heads = new Map<number, NamespaceHead>();
  #iopolicy: IoPolicy;
  readonly #unsubscribe: (() => void)[] = [];
  /** Each controller's in-flight count, shared by its paths (queue-depth). */
  readonly #loads = new Map<TcpHostController, ControllerLoad>();
  /** Each controller's namespace scan in progress. */
  readonly #scans = new Map<TcpHostController, Promise<void>>();

  constructor(nqn: string, controllers: readonly TcpHostController[], iopolicy: IoPolicy) {
    this.nqn = nqn;
    this.controllers = controllers;
    this.#iopolicy = iopolicy;
  }

  get iopolicy(): IoPolicy {
    return this.#iopolicy;
  }

  set iopolicy(policy: IoPolicy) {
    if (!isIoPolicy(policy)) throw new ConnectOptionsError('--iopolicy', `'${String(policy)}' is not one of ${IO_POLICIES.join(', ')}`);
    this.#iopolicy = policy;
    for (const head of this.#heads.values()) head.iopolicy = policy;
  }

  get nsids(): readonly number[] {
    return [...this.#heads.keys()];
  }

  namespace(nsid: number): MultipathNamespace {
    const head = this.#heads.get(nsid);
    if (head === undefined) throw new RangeError(`${this.nqn}: no namespace ${nsid} (have ${this.nsids.join(', ') || 'none'})`);
    return head;
  }

  /** nvme_init_ns_head for every namespace of every controller, then nvme_mpath_add_disk. */
  async build(env: NodeEnv): Promise<void> {
    for (const controller of this.controllers) {
      const load: ControllerLoad = { active: 0 };
      this.#loads.set(controller, load);
      for (const info of await controller.listNamespaces()) this.#join(env, controller, info, load);
    }
    for (const head of this.#heads.values()) for (const path of head.pathList) path.controller.ana?.addNamespace(path.nsid);
    // nvme_kick_requeue_lists: any change on a controller may make waiting I/O sendable or hopeless.
    for (const controller of this.controllers) {
      const kick = (): void => {
        for (const head of this.#heads.values()) if (head.pathList.some((path) => path.controller === controller)) head.kick();
      };
      this.#unsubscribe.push(controller.onStateChange(kick), controller.onFailfastExpired(kick));
      if (controller.ana !== null) this.#unsubscribe.push(controller.ana.onChange(kick));
      // nvme_scan_work after a Namespace Attribute Changed notice: new namespaces join their head.
      this.#unsubscribe.push(controller.onNamespacesChanged((nsids) => this.#scan(env, controller, nsids)));
    }
  }

  /** A controller's namespace joins the head of its NSID, or makes one (nvme_init_ns_head). */
  #join(env: NodeEnv, controller: TcpHostController, info: NamespaceInfo, load: ControllerLoad): NamespacePath {
    const path = new NamespacePath(controller, info, load);
    const head = this.#heads.get(info.nsid);
    if (head !== undefined) {
      head.addPath(path);
      return path;
    }
    checkUniqueIds([...this.#heads.values()].map((other) => other.info), info);
    this.#heads.set(info.nsid, new NamespaceHead(env, path, this.#iopolicy));
    return path;
  }

  /**
   * nvme_scan_work -> nvme_scan_ns -> nvme_alloc_ns -> nvme_mpath_add_disk for each active NSID
   * this controller has no path for yet. A namespace whose identifiers disagree with its head's
   * is left out with a warning, as nvme_init_ns_head refuses it. Scans of one controller run one
   * at a time (scan_work is one work item).
   */
  #scan(env: NodeEnv, controller: TcpHostController, nsids: readonly number[]): void {
    const previous = this.#scans.get(controller) ?? Promise.resolve();
    const next = previous.then(async () => {
      const known = (nsid: number): boolean => this.#heads.get(nsid)?.pathList.some((path) => path.controller === controller) ?? false;
      if (nsids.every(known)) return;
      const load = this.#loads.get(controller) ?? { active: 0 };
      try {
        for (const info of await controller.listNamespaces()) {
          if (known(info.nsid) || !nsids.includes(info.nsid)) continue;
          try {
            const path = this.#join(env, controller, info, load);
            env.log.info(`${controller.name}: namespace ${info.nsid} joins its head (${this.#heads.get(info.nsid)?.pathList.length ?? 0} paths)`);
            controller.ana?.addNamespace(path.nsid);
          } catch (error) {
            if (!(error instanceof MultipathError)) throw error;
            env.log.warn(`${controller.name}: namespace ${info.nsid} left out: ${error.message}`);
          }
        }
      } catch (error) {
        env.log.warn(`${controller.name}: namespace scan failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
    this.#scans.set(controller, next);
  }

  async disconnect(): Promise<void> {
    // Each controller's deletion kicks its heads, so I/O left waiting fails once none remains.
    for (const controller of this.controllers) await controller.disconnect();
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
  }
}

/**
 * Connects every path (as `nvme connect` once per path with Linux native multipath) and joins the
 * controllers' namespaces into one head per NSID. Paths must name one subsystem NQN at distinct
 * addresses; host NQN and host ID default to the first path's. Rejects with ConnectOptionsError
 * for bad options, MultipathError when the controllers are not one subsystem or their namespaces
 * disagree, or the error of the first path that fails to connect (the others are then disconnected).
 */
export async function connectMultipath(env: NodeEnv, paths: readonly ConnectOptions[], options: MultipathOptions = {}): Promise<MultipathSubsystem> {
  const iopolicy = options.iopolicy ?? DEFAULT_IOPOLICY;
  if (!isIoPolicy(iopolicy)) throw new ConnectOptionsError('--iopolicy', `'${String(iopolicy)}' is not one of ${IO_POLICIES.join(', ')}`);
  const resolved = resolvePaths(env, paths);
  const controllers: TcpHostController[] = [];
  try {
    for (const path of resolved) {
      const controller = new TcpHostController(env, path, true);
      await controller.connect();
      controllers.push(controller);
      // nvme_init_subsystem: the controller belongs to the subsystem its Identify names.
      if (controller.identify.subnqn !== path.nqn) {
        throw new MultipathError('subnqn', `${controller.name} reports subsystem ${controller.identify.subnqn}, not ${path.nqn}`);
      }
      // nvme_mpath_alloc_disk: only a multi-controller subsystem gets a shared head.
      if (resolved.length > 1 && (controller.identify.cmic & Cmic.MULTI_CTRL) === 0) {
        throw new MultipathError('cmic', `${controller.name} does not report a multi-controller subsystem (CMIC bit 1): its namespaces cannot be shared`);
      }
    }
    const subsystem = new Subsystem(resolved[0]?.nqn ?? '', controllers, iopolicy);
    await subsystem.build(env);
    return subsystem;
  } catch (error) {
    for (const controller of controllers) await controller.disconnect();
    throw error;
  }
}
