// The NVMe/TCP target: the live model (model.ts), one listener per port, one TcpQueue per accepted
// connection, the controllers, and the namespace backends. It runs on the NodeEnv seams only, so the
// same code serves real sockets (sim/world/real-world.ts) and the simulator. Configuration changes go
// through the mutators here, which take effect at once, like writes to Linux nvmet's configfs:
// namespace changes raise Namespace Attribute Changed notices, discovery changes raise Discovery Log
// Change notices to discovery controllers on the affected ports, and unlinking or removing a
// subsystem drops its controllers (Linux nvmet_port_del_ctrls / nvmet_subsys_del_ctrls).
import type { Address, ByteStream, Listener, NodeEnv } from '../core/index.js';
import { backendSpecFromDevicePath, openBackend } from '../storage/index.js';
import type { BlockBackend } from '../storage/index.js';
import type { AnaStateName, NamespaceConfig, PortConfig, ReferralConfig, SubsystemConfig, TargetConfig, TargetEntries } from './config.js';
import { normalizeTargetConfig } from './config.js';
import type { TargetContext } from './context.js';
import { ControllerRegistry } from './controller-registry.js';
import type { Controller } from './controller.js';
import { TargetModel } from './model.js';
import { resolveOptions } from './target-options.js';
import type { BackendFactory, NvmeTargetOptions } from './target-options.js';
import { emptyStats } from './target-stats.js';
import type { TargetStats } from './target-stats.js';
import type { LiveNamespace, LivePort, ModelChange, SubsystemAttributes } from './model.js';
import { TcpQueue } from './queue.js';

export type { NvmeTargetOptions, BackendFactory } from './target-options.js';
export type { TargetStats } from './target-stats.js';

/** Where a port listens once started (trsvcid 0 becomes the ephemeral port the OS picked). */
export interface BoundPort {
  readonly portid: number;
  readonly address: Address;
}

/** A controller as seen from outside (introspection, tests, reports). */
export interface ControllerInfo {
  readonly cntlid: number;
  readonly subsystem: string;
  readonly hostnqn: string;
  readonly hostid: string;
  readonly portid: number;
  readonly discovery: boolean;
  /** Queue IDs connected (0 = admin). */
  readonly queues: readonly number[];
  readonly keepAliveSeconds: number;
  readonly cc: number;
  readonly csts: number;
}

export class NvmeTarget {
  readonly model: TargetModel;
  readonly #env: NodeEnv;
  readonly #ctx: TargetContext;
  readonly #backendFactory: BackendFactory;
  readonly #listeners = new Map<number, Listener>();
  /** Backends the default factory opened; a custom backendFactory's backends belong to its caller. */
  readonly #ownedBackends = new WeakSet<BlockBackend>();
  readonly #ownsBackends: boolean;
  readonly #queues = new Set<TcpQueue>();
  #connections = 0;
  #started = false;
  #stopped = false;

  constructor(env: NodeEnv, config: TargetConfig, options: NvmeTargetOptions = {}) {
    this.#env = env;
    const entries = normalizeTargetConfig(config);
    this.model = new TargetModel(entries, env.rng.stream('target/model'));
    this.#ctx = {
      env,
      log: options.log ?? env.log,
      options: resolveOptions(options),
      model: this.model,
      controllers: new ControllerRegistry(),
      stats: emptyStats(),
    };
    this.#ownsBackends = options.backendFactory === undefined;
    this.#backendFactory =
      options.backendFactory ??
      ((spec, where) => openBackend(spec, { clock: env.clock, rng: env.rng.stream(`ssd/${where.subsystem}/${where.nsid}`) }));
    this.model.onChange((change) => this.#modelChanged(change));
  }

  /** Opens every enabled namespace and listens on every port. Rejects (and undoes) on the first failure. */
  async start(): Promise<void> {
    if (this.#started) throw new Error('target already started');
    this.#started = true;
    try {
      for (const sub of this.model.subsystems.values()) {
        for (const ns of sub.namespaces.values()) {
          if (ns.enabled) ns.backend = await this.#open(sub.nqn, ns);
        }
      }
      for (const port of this.model.ports.values()) await this.#listen(port);
    } catch (error) {
      await this.stop();
      throw error;
    }
    this.#ctx.log.info(`nvmet: target started on ${this.boundPorts.map((bound) => `${bound.address.host}:${bound.address.port}`).join(', ')}`);
  }

  /** Closes listeners and connections, drops controllers, closes the backends it opened itself. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const queues = [...this.#queues];
    // Reset every connection first, so controller teardown does not start graceful closes instead.
    for (const queue of queues) queue.abortStream();
    for (const queue of queues) queue.destroy();
    for (const controller of this.#ctx.controllers.all()) controller.destroy('target stopping');
    const listeners = [...this.#listeners.values()];
    this.#listeners.clear();
    await Promise.all(listeners.map((listener) => listener.close()));
    const closing: Promise<void>[] = [];
    for (const sub of this.model.subsystems.values()) {
      for (const ns of sub.namespaces.values()) {
        if (ns.backend !== undefined) closing.push(this.#release(ns.backend));
        ns.backend = undefined;
      }
    }
    await Promise.all(closing);
  }

  get boundPorts(): BoundPort[] {
    return [...this.#listeners.entries()].map(([portid, listener]) => ({ portid, address: listener.address }));
  }

  /** The bound address of one port (throws if it is not listening). */
  address(portid: number): Address {
    const listener = this.#listeners.get(portid);
    if (listener === undefined) throw new Error(`port ${portid} is not listening`);
    return listener.address;
  }

  /** A snapshot of the counters. */
  get stats(): TargetStats {
    return { ...this.#ctx.stats };
  }

  controllers(): ControllerInfo[] {
    return this.#ctx.controllers.all().map((controller) => ({
      cntlid: controller.cntlid,
      subsystem: controller.subsystem.nqn,
      hostnqn: controller.hostnqn,
      hostid: controller.hostid,
      portid: controller.portid,
      discovery: controller.isDiscovery,
      queues: [...controller.queues.keys()].sort((a, b) => a - b),
      keepAliveSeconds: controller.keepAlive.seconds,
      cc: controller.cc,
      csts: controller.csts,
    }));
  }

  /** The configuration now, as nvmetcli would save it (nvmetcli.ts formatNvmetcliConfig). */
  saveConfig(): TargetEntries {
    return this.model.toEntries();
  }

  /** Declares a controller fatal (CSTS.CFS) and drops it, like writing "fatal" to nvmet's debugfs state. */
  killController(cntlid: number): void {
    const controller = this.#ctx.controllers.get(cntlid);
    if (controller === undefined) throw new Error(`no controller ${cntlid}`);
    controller.fatal('killed by request');
  }

  // ---- Mutators: hosts ----

  addHost(nqn: string): void {
    this.model.addHost(nqn);
  }

  removeHost(nqn: string): void {
    this.model.removeHost(nqn);
  }

  allowHost(subsystem: string, host: string): void {
    this.model.allowHost(subsystem, host);
  }

  disallowHost(subsystem: string, host: string): void {
    this.model.disallowHost(subsystem, host);
  }

  // ---- Mutators: subsystems and namespaces ----

  /** Adds a subsystem and its namespaces (each opened and enabled unless `enabled: false`). */
  async addSubsystem(config: SubsystemConfig): Promise<void> {
    // Check the whole subsystem (namespaces included) before changing anything.
    normalizeTargetConfig({ hosts: [...this.model.hosts.keys()], subsystems: [config] }, { source: 'addSubsystem' });
    const { namespaces = [], ...attributes } = config;
    this.model.addSubsystem(attributes);
    for (const ns of namespaces) await this.addNamespace(config.nqn, ns);
  }

  async removeSubsystem(nqn: string): Promise<void> {
    const sub = this.model.subsystems.get(nqn);
    if (sub === undefined) throw new Error(`no subsystem '${nqn}'`);
    for (const ns of [...sub.namespaces.values()]) await this.removeNamespace(nqn, ns.nsid);
    this.model.removeSubsystem(nqn);
  }

  /**
   * Changes attr_* values. A new qid_max drops the subsystem's controllers so hosts reconnect with
   * the new queue count (Linux nvmet_subsys_attr_qid_max_store; blktests nvme/048).
   */
  setSubsystemAttributes(nqn: string, attributes: SubsystemAttributes): void {
    const before = this.model.subsystems.get(nqn)?.qidMax;
    this.model.setSubsystemAttributes(nqn, attributes);
    if (before !== undefined && this.model.subsystems.get(nqn)?.qidMax !== before) {
      for (const controller of this.#ctx.controllers.ofSubsystem(nqn)) controller.destroy('qid_max changed');
    }
  }

  async addNamespace(subsystem: string, config: NamespaceConfig): Promise<void> {
    this.model.addNamespace(subsystem, config);
    if (config.enabled ?? true) await this.enableNamespace(subsystem, config.nsid);
  }

  async removeNamespace(subsystem: string, nsid: number): Promise<void> {
    await this.disableNamespace(subsystem, nsid);
    this.model.removeNamespace(subsystem, nsid);
  }

  /** Opens the backend and enables the namespace (configfs `enable` = 1); hosts get a notice. */
  async enableNamespace(subsystem: string, nsid: number): Promise<void> {
    const ns = this.model.namespace(subsystem, nsid);
    if (ns.enabled) return;
    if (ns.device === '') throw new Error(`nsid ${nsid} of '${subsystem}' has no device`);
    // Before start() the backend is opened with the others; the namespace is just marked enabled.
    const backend = this.#started && !this.#stopped ? await this.#open(subsystem, ns) : undefined;
    if (ns.enabled) {
      if (backend !== undefined) await this.#release(backend);
      return;
    }
    this.model.setNamespaceEnabled(subsystem, nsid, true, backend);
  }

  /** Disables the namespace (configfs `enable` = 0) and closes its backend; hosts get a notice. */
  async disableNamespace(subsystem: string, nsid: number): Promise<void> {
    const detached = this.model.setNamespaceEnabled(subsystem, nsid, false, undefined);
    if (detached !== undefined) await this.#release(detached);
  }

  // ---- Mutators: ports ----

  async addPort(config: PortConfig): Promise<void> {
    const entry = normalizeTargetConfig(
      { subsystems: [...this.model.subsystems.keys()].map((nqn) => ({ nqn })), ports: [config] },
      { source: 'addPort' },
    ).ports[0];
    if (entry === undefined) throw new Error('addPort: no port');
    this.model.addPort(entry);
    if (this.#started && !this.#stopped) {
      try {
        await this.#listen(this.model.port(entry.portid));
      } catch (error) {
        this.model.removePort(entry.portid);
        throw error;
      }
    }
  }

  /** Stops listening and closes the port's connections (Linux nvmet_disable_port). */
  async removePort(portid: number): Promise<void> {
    const port = this.model.port(portid);
    for (const queue of [...this.#queues]) if (queue.port === port) queue.shutdown('port removed');
    const listener = this.#listeners.get(portid);
    this.#listeners.delete(portid);
    this.model.removePort(portid);
    await listener?.close();
  }

  linkSubsystem(portid: number, subsystem: string): void {
    this.model.linkSubsystem(portid, subsystem);
  }

  unlinkSubsystem(portid: number, subsystem: string): void {
    this.model.unlinkSubsystem(portid, subsystem);
  }

  addReferral(portid: number, referral: ReferralConfig): void {
    this.model.addReferral(portid, referral);
  }

  // ---- Mutators: ANA (ports/<id>/ana_groups/<grpid>/ana_state, namespaces/<nsid>/ana_grpid) ----

  addAnaGroup(portid: number, grpid: number, state: AnaStateName = 'optimized'): void {
    this.model.addAnaGroup(portid, grpid, state);
  }

  removeAnaGroup(portid: number, grpid: number): void {
    this.model.removeAnaGroup(portid, grpid);
  }

  /** Changes a group's state on a port; the port's controllers get an ANA change notice. */
  setAnaState(portid: number, grpid: number, state: AnaStateName): void {
    this.model.setAnaState(portid, grpid, state);
  }

  setNamespaceAnaGroup(subsystem: string, nsid: number, grpid: number): void {
    this.model.setNamespaceAnaGroup(subsystem, nsid, grpid);
  }

  removeReferral(portid: number, name: string): void {
    this.model.removeReferral(portid, name);
  }

  // ---- Internals ----

  /** Closes a backend the target opened itself; a custom factory's backends are left to their owner. */
  async #release(backend: BlockBackend): Promise<void> {
    if (this.#ownedBackends.has(backend)) await backend.close();
  }

  async #open(subsystem: string, ns: LiveNamespace): Promise<BlockBackend> {
    const where = `subsystem '${subsystem}' nsid ${ns.nsid}`;
    try {
      const spec = backendSpecFromDevicePath(ns.device, where, { blockSize: ns.blockSize });
      const backend = await this.#backendFactory(spec, { subsystem, nsid: ns.nsid });
      if (this.#ownsBackends) this.#ownedBackends.add(backend);
      return backend;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`nvmet: cannot enable ${where} (${ns.device}): ${message}`);
    }
  }

  async #listen(port: LivePort): Promise<void> {
    const listener = await this.#env.network.listen({ host: port.traddr, port: port.trsvcid }, (stream) => {
      if (this.#stopped || this.model.ports.get(port.portid) !== port) {
        stream.destroy();
        return;
      }
      this.#accept(port, stream);
    });
    this.#listeners.set(port.portid, listener);
  }

  #accept(port: LivePort, stream: ByteStream): void {
    const id = ++this.#connections;
    const stats = this.#ctx.stats;
    stats.connections++;
    stats.connectionsAccepted++;
    const queue = new TcpQueue({
      ctx: this.#ctx,
      port,
      stream,
      id,
      // A stable core per connection, round robin (Linux runs io_work on the socket's incoming CPU).
      core: (id - 1) % Math.max(1, this.#env.cpu.cores),
      onClosed: (closed) => {
        if (this.#queues.delete(closed)) stats.connections--;
      },
    });
    this.#queues.add(queue);
  }

  #modelChanged(change: ModelChange): void {
    const controllers = this.#ctx.controllers;
    switch (change.kind) {
      case 'namespace-enabled':
      case 'namespace-disabled':
        for (const controller of controllers.ofSubsystem(change.subsystem)) controller.namespaceChanged(change.nsid);
        return;
      case 'port-linked':
      case 'port-unlinked': {
        const sub = this.model.subsystems.get(change.subsystem);
        this.#discoveryChanged(change.portid, (controller) => sub === undefined || this.model.hostAllowed(sub, controller.hostnqn));
        if (change.kind === 'port-unlinked') {
          for (const controller of controllers.ofSubsystem(change.subsystem)) {
            if (controller.portid === change.portid) controller.destroy(`subsystem unlinked from port ${change.portid}`);
          }
        }
        return;
      }
      case 'host-allowed':
      case 'host-disallowed':
      case 'subsystem-changed': {
        const host = 'host' in change ? change.host : undefined;
        for (const port of this.model.ports.values()) {
          if (!port.subsystems.includes(change.subsystem)) continue;
          this.#discoveryChanged(port.portid, (controller) => host === undefined || controller.hostnqn === host);
        }
        return;
      }
      case 'referral-added':
      case 'referral-removed':
        this.#discoveryChanged(change.portid, () => true);
        return;
      case 'subsystem-removed':
        for (const controller of controllers.ofSubsystem(change.subsystem)) controller.destroy('subsystem removed');
        return;
      case 'ana-port-changed':
        // nvmet_port_send_ana_event: every controller connected through the port, any subsystem.
        for (const controller of controllers.all()) if (controller.portid === change.portid) controller.anaChanged();
        return;
      case 'ana-namespace-changed':
        // nvmet_send_ana_event(subsys, NULL): every controller of the subsystem, on any port.
        for (const controller of controllers.ofSubsystem(change.subsystem)) controller.anaChanged();
        return;
      default:
        return;
    }
  }

  /** Discovery Log Change notices to the discovery controllers on a port (nvmet_port_disc_changed). */
  #discoveryChanged(portid: number, wants: (controller: Controller) => boolean): void {
    for (const controller of this.#ctx.controllers.all()) {
      if (controller.isDiscovery && controller.portid === portid && wants(controller)) controller.discoveryChanged();
    }
  }
}
