// The nodes of a simulated run: the world a ResolvedScenario describes under one seed, run in
// virtual time. Nodes get a SimCpu with their profile and cores; the NICs, links and switch come
// from sim/net; each target is the real NvmeTarget, constructed on the node's NodeEnv exactly as it
// would be on real sockets, with its namespaces' devices wrapped for device faults. Fault verbs
// apply to this world (fault-verbs/), node crashes and restarts through the driver's hooks for the
// hosts. Wall-clock time is never read here.
//
// Time moves through World.runUntilAsync in fixed 1 ms slices, so that promise continuations (the
// host's connect and reconnect, the target's start) run at the virtual time that resolved them.
// The slice grid does not depend on progress reporting, so reporting never changes a run.
import type { Fingerprint, NodeEnv, TraceSink } from '../core/index.js';
import { NS_PER_MS, NS_PER_S } from '../core/index.js';
import { profileByName } from '../cpu/index.js';
import { SimCpu } from '../cpu/index.js';
import { connectEcmp, DROP_REASONS, FlowSelector, seedFrom, type Link, type Nic, type NicOptions, type TcpCounters } from '../net/index.js';
import { openBackend, type BackendSpec, type SsdBackend } from '../storage/index.js';
import { FaultyBackend } from '../storage/index.js';
import { NvmeTarget } from '../target/index.js';
import type { AnaStateName } from '../target/index.js';
import { World } from '../world/index.js';
import { verbOf, type DeviceSelector, type FlowSelectorFields, type SimFaultWorld } from './fault-verbs/index.js';
import type { FaultOutcome, NodeRuntime, RunHooks, RuntimeSummary } from './node-runtime.js';
import type { ResolvedFault, ResolvedHost, ResolvedNode, ResolvedScenario, ResolvedTarget, ResolvedTargetPort } from './resolved.js';
import type { CpuResult, NetResult, TcpResult } from './result.js';
import { round } from './host-result.js';
import type { RunOptions } from './run-options.js';
import { sharedSubsystems, targetConfig } from './target-config.js';
import { NodeCpuAccount, SimUtilisation, type SsdSource, type UtilisationMeter } from './utilisation.js';

/** The run loop's time step: fine enough for progress, coarse enough to cost nothing. */
const SLICE_NS = NS_PER_MS;
const DEFAULT_PROGRESS_NS = 10 * NS_PER_MS;

interface SimNode {
  readonly resolved: ResolvedNode;
  cpu: SimCpu;
  env: NodeEnv;
}

interface SimTarget {
  readonly resolved: ResolvedTarget;
  target: NvmeTarget | null;
  /** Survive restarts: the device outlives the target process. Keyed "nqn/nsid". */
  readonly backends: Map<string, FaultyBackend>;
  error: string | undefined;
}

export class SimNodes implements NodeRuntime {
  readonly timeBase = 'virtual';
  readonly workloadLatencyHistogram = false;
  readonly #scenario: ResolvedScenario;
  readonly #options: RunOptions;
  readonly #hooks: RunHooks;
  readonly #world: World;
  readonly #nodes = new Map<string, SimNode>();
  readonly #targets: SimTarget[];
  readonly #faultWorld: SimFaultWorld;
  /** Devices of namespaces a multipath host reaches through several targets, keyed "nqn/nsid". */
  readonly #sharedBackends = new Map<string, Promise<FaultyBackend>>();
  #cpuAtEnd: CpuResult[] = [];
  /** Each node's CPU busy time over its incarnations, for utilisation.ts. */
  readonly #cpuAccounts = new Map<string, NodeCpuAccount>();
  #meter: SimUtilisation | null = null;
  /** The fabric's path links by name (empty without a fabric). */
  readonly #fabricPaths = new Map<string, Link>();

  constructor(scenario: ResolvedScenario, trace: TraceSink | null, options: RunOptions, hooks: RunHooks) {
    this.#scenario = scenario;
    this.#options = options;
    this.#hooks = hooks;
    const world = new World({
      seed: scenario.seed,
      trace,
      logLevel: options.logLevel ?? 'silent',
      ...(options.logSink === undefined ? {} : { logSink: options.logSink }),
    });
    this.#world = world;
    this.#targets = scenario.targets.map((resolved) => ({ resolved, target: null, backends: new Map(), error: undefined }));
    this.#faultWorld = {
      network: world.network,
      pauseNode: (name) => world.pause(name),
      resumeNode: (name) => world.resume(name),
      crashNode: (name) => this.#crashNode(name),
      restartNode: (name) => this.#restartNode(name),
      restartedHosts: (name) => hooks.restartedHosts(name),
      withDevice: (selector, apply) => this.#withDevice(selector, apply),
      setAnaState: (target, portid, grpid, state) => this.#setAnaState(target, portid, grpid, state),
      fabricPath: (name) => this.#fabricPaths.get(name) as Link,
      hostNode: (name) => (scenario.hosts.find((host) => host.name === name) as ResolvedHost).node,
      flowSelector: (flows, key) => this.#flowSelector(flows, key),
      portLink: (target, portId) => this.#portLink(target, portId),
    };
  }

  get fingerprint(): Fingerprint {
    return this.#world.fingerprint;
  }

  nowNs(): number {
    return this.#world.nowNs;
  }

  setTimer(delayNs: number, fn: () => void): void {
    this.#world.clock.setTimer(delayNs, fn);
  }

  build(): void {
    this.#buildNetwork();
    for (const node of this.#scenario.nodes) this.#nodes.set(node.name, this.#nodeRuntime(node));
    for (const [name, node] of this.#nodes) this.#cpuAccounts.set(name, new NodeCpuAccount(name, node.cpu));
    this.#options.onWorld?.(this.#world);
  }

  /** Targets listen before any host connects, as a target is configured before `nvme connect`. */
  async startTargets(): Promise<void> {
    await this.#settle(Promise.all(this.#targets.map((target) => this.#startTarget(target))));
  }

  hostEnv(host: ResolvedHost): NodeEnv {
    return this.#node(host.node).env;
  }

  targetAddress(target: ResolvedTarget, portId: number): { readonly ip: string; readonly port: number } {
    const port = target.ports.find((candidate) => candidate.id === portId) ?? (target.ports[0] as ResolvedTargetPort);
    return { ip: port.ip, port: port.port };
  }

  workloadStream(incarnation: number): string {
    return `workload/${incarnation}`;
  }

  /** Applies the verb at once, inside the event that fires it. */
  applyFault(resolved: ResolvedFault, done: (outcome: FaultOutcome) => void): void {
    const fault = resolved.fault;
    done(verbOf(fault.action).simulate(fault, this.#faultWorld));
  }

  async runPhase(endNs: number, phase: 'run' | 'drain', drained: () => boolean, progress: () => void): Promise<void> {
    const world = this.#world;
    const scheduler = world.scheduler;
    const interval = Math.max(SLICE_NS, this.#options.progressIntervalNs ?? DEFAULT_PROGRESS_NS);
    let nextProgressNs = Math.ceil((scheduler.now + 1) / interval) * interval;
    while (scheduler.now < endNs) {
      if (phase === 'drain' && drained()) break;
      const sliceEnd = Math.min(endNs, (Math.floor(scheduler.now / SLICE_NS) + 1) * SLICE_NS);
      await world.runUntilAsync(sliceEnd);
      this.#hooks.sliceEnded?.(scheduler.now);
      if (this.#options.onProgress !== undefined && scheduler.now >= nextProgressNs) {
        nextProgressNs = (Math.floor(scheduler.now / interval) + 1) * interval;
        progress();
      }
    }
  }

  durationEnded(): void {
    this.#cpuAtEnd = this.#cpuResults();
  }

  finish(): Promise<void> {
    return Promise.resolve();
  }

  endNs(): number {
    return this.#world.nowNs;
  }

  describeError(error: unknown): string {
    return message(error);
  }

  describeCrash(error: unknown): { readonly text: string; readonly tNs: number } {
    const text = error instanceof Error ? `${error.name}: ${error.message}${topFrame(error)}` : String(error);
    return { text, tNs: this.#world.nowNs };
  }

  summary(): RuntimeSummary {
    const world = this.#world;
    if (this.#cpuAtEnd.length === 0) this.#cpuAtEnd = this.#cpuResults();
    return {
      fingerprint: world.fingerprint.hex(),
      simSeconds: world.nowNs / NS_PER_S,
      events: world.scheduler.eventCount,
      cpu: this.#cpuAtEnd,
      net: this.#netResult(),
      noCrashDetail: 'no exception escaped the simulation',
      verdicts: [],
    };
  }

  /** Utilisation of the world's cores, links, switch ports, SSDs and TCP (after build()). */
  utilisationMeter(): UtilisationMeter | null {
    this.#meter ??= new SimUtilisation({
      network: this.#world.network,
      cpus: [...this.#cpuAccounts.values()],
      ssds: () => this.#ssds(),
      nowNs: () => this.#world.nowNs,
    });
    return this.#meter;
  }

  #ssds(): SsdSource[] {
    const found: SsdSource[] = [];
    // A device shared by several targets (one subsystem behind them) is one SSD, named by its first.
    const seen = new Set<FaultyBackend>();
    for (const target of this.#targets) {
      for (const [key, backend] of target.backends) {
        if (seen.has(backend)) continue;
        seen.add(backend);
        if (backend.inner.kind === 'ssd') found.push({ device: `${target.resolved.name} ${key}`, ssd: backend.inner as SsdBackend });
      }
    }
    return found;
  }

  /** Nothing outlives a simulated run (the world is dropped with it). */
  close(): Promise<void> {
    return Promise.resolve();
  }

  // ---- Building ----

  #buildNetwork(): void {
    const network = this.#world.network;
    for (const node of this.#scenario.nodes) {
      const own = {
        ip: node.ip,
        ...(node.bandwidthBps === undefined ? {} : { bandwidthBps: node.bandwidthBps }),
        ...(node.mtuBytes === undefined ? {} : { mtuBytes: node.mtuBytes }),
      };
      const portNics = this.#portNics(node.name);
      const tcp = { congestionControl: node.congestionControl };
      network.addNode(node.name, portNics.length === 0 ? { ...own, tcp } : { nics: [own, ...portNics], tcp });
    }
    const sw = this.#scenario.switch;
    if (sw !== undefined) {
      network.addSwitch(sw.name, {
        ...(sw.portBufferBytes === undefined ? {} : { portBufferBytes: sw.portBufferBytes }),
        ...(sw.portSpeedBps === undefined ? {} : { portSpeedBps: sw.portSpeedBps }),
        ...(sw.forwardingLatencyNs === undefined ? {} : { forwardingLatencyNs: sw.forwardingLatencyNs }),
        ...(sw.ecnMarkThresholdBytes === undefined ? {} : { ecnMarkThresholdBytes: sw.ecnMarkThresholdBytes }),
      });
    }
    const fabric = this.#scenario.fabric;
    if (fabric !== undefined) {
      const leaf = fabric.leaf;
      for (const name of [fabric.hostLeaf, fabric.targetLeaf]) {
        network.addSwitch(name, {
          ...(leaf.portBufferBytes === undefined ? {} : { portBufferBytes: leaf.portBufferBytes }),
          ...(leaf.portSpeedBps === undefined ? {} : { portSpeedBps: leaf.portSpeedBps }),
          ...(leaf.forwardingLatencyNs === undefined ? {} : { forwardingLatencyNs: leaf.forwardingLatencyNs }),
          ...(leaf.ecnMarkThresholdBytes === undefined ? {} : { ecnMarkThresholdBytes: leaf.ecnMarkThresholdBytes }),
        });
      }
    }
    for (const link of this.#scenario.links) network.connect(link.a, link.b, link.options);
    if (fabric !== undefined) {
      // The hash seed is the run's: one seed, one placement of flows on paths.
      const seed = seedFrom(this.#world.rng.stream(`ecmp/${fabric.hostLeaf}~${fabric.targetLeaf}`));
      const paths = connectEcmp(network, fabric.hostLeaf, fabric.targetLeaf, fabric.paths.map((path) => path.options), seed);
      fabric.paths.forEach((path, index) => this.#fabricPaths.set(path.name, paths.links[index] as Link));
    }
  }

  /** A flow selection as sim/net matches it: a host's connections to its targets, and/or a hashed fraction. */
  #flowSelector(flows: FlowSelectorFields, key: string): FlowSelector {
    const host = flows.host === undefined ? undefined : this.#scenario.hosts.find((candidate) => candidate.name === flows.host);
    const connections = host?.connect.paths.map((route) => {
      const target = this.#scenario.targets.find((candidate) => candidate.name === route.target) as ResolvedTarget;
      const address = this.targetAddress(target, route.port);
      return { node: host.node, remoteIp: address.ip, remotePort: address.port, ...(flows.qids === undefined ? {} : { ranks: flows.qids }) };
    });
    const fraction = flows.fraction === undefined ? undefined : { value: flows.fraction, seed: seedFrom(this.#world.rng.stream(`flows/${key}`)) };
    return new FlowSelector(this.#world.network, {
      ...(connections === undefined ? {} : { connections }),
      ...(fraction === undefined ? {} : { fraction }),
    });
  }

  /** The NICs target ports of their own add to a node (eth1, eth2, ...), in order. */
  #portNics(node: string): NicOptions[] {
    return this.#scenario.targets
      .filter((target) => target.node === node)
      .flatMap((target) => target.ports.flatMap((port) => (port.nic === undefined ? [] : [port.nic])))
      .map((nic) => ({
        ip: nic.ip,
        name: nic.name,
        ...(nic.bandwidthBps === undefined ? {} : { bandwidthBps: nic.bandwidthBps }),
        ...(nic.mtuBytes === undefined ? {} : { mtuBytes: nic.mtuBytes }),
      }));
  }

  /** The link a target's port sends on: its own NIC's, or the node's. */
  #portLink(name: string, portId: number): { readonly link: Link; readonly label: string } {
    const target = this.#targets.find((t) => t.resolved.name === name) as SimTarget;
    const port = target.resolved.ports.find((candidate) => candidate.id === portId) as ResolvedTargetPort;
    const node = this.#world.network.node(target.resolved.node);
    const nic = port.nic === undefined ? (node.nics[0] as Nic) : node.nic(port.nic.name);
    if (nic.link === null) throw new RangeError(`${nic.label} is not linked`);
    return { link: nic.link, label: `target ${name} port ${portId} (${nic.label})` };
  }

  /** A node's CPU and environment for its current incarnation (rebuilt after a restart). */
  #nodeRuntime(node: ResolvedNode): SimNode {
    const cpu = new SimCpu(this.#world.nodeClock(node.name), profileByName(node.cpuProfile, 'cpuProfile'), node.cores);
    return { resolved: node, cpu, env: this.#world.nodeEnv(node.name, { cpu }) };
  }

  #node(name: string): SimNode {
    return this.#nodes.get(name) as SimNode;
  }

  async #startTarget(runtime: SimTarget): Promise<void> {
    const resolved = runtime.resolved;
    const node = this.#node(resolved.node);
    try {
      const target = new NvmeTarget(node.env, targetConfig(resolved, sharedSubsystems(this.#scenario.targets)), {
        backendFactory: (spec, where) => this.#backend(runtime, spec, where.subsystem, where.nsid),
      });
      runtime.target = target;
      await target.start();
      runtime.error = undefined;
    } catch (error) {
      runtime.error = message(error);
      this.#hooks.record({ tNs: this.#world.nowNs, kind: 'target-start-failed', target: resolved.name, error: runtime.error });
    }
  }

  /**
   * The namespace's device: opened once, wrapped for device faults, kept across target restarts.
   * It keeps written data only when a host of this namespace verifies what it reads back; otherwise
   * the data is dropped (retainData off) and memory stays flat however much the run writes.
   */
  async #backend(runtime: SimTarget, spec: BackendSpec, nqn: string, nsid: number): Promise<FaultyBackend> {
    const key = `${nqn}/${nsid}`;
    const existing = runtime.backends.get(key);
    if (existing !== undefined) return existing;
    // Two targets behind one subsystem are two controllers of one storage system: the namespace's
    // media is shared, so a read through either path sees what the other wrote. The first target to
    // open it opens it (they start together, hence the promise).
    if (!sharedByPaths(this.#scenario.hosts, runtime.resolved.name, nqn, nsid)) return this.#openBackend(runtime, spec, nqn, nsid);
    let opening = this.#sharedBackends.get(key);
    if (opening === undefined) {
      opening = this.#openBackend(runtime, spec, nqn, nsid);
      this.#sharedBackends.set(key, opening);
    }
    const backend = await opening;
    runtime.backends.set(key, backend);
    return backend;
  }

  async #openBackend(runtime: SimTarget, spec: BackendSpec, nqn: string, nsid: number): Promise<FaultyBackend> {
    const key = `${nqn}/${nsid}`;
    const world = this.#world;
    const name = `device/${runtime.resolved.name}/${key}`;
    // The world clock, not the node's: the device keeps time through a target crash and restart.
    const retainData = readsDataBack(this.#scenario.hosts, runtime.resolved.name, nqn, nsid);
    const inner = await openBackend(spec, { clock: world.clock, rng: world.rng.stream(name), retainData });
    const backend = new FaultyBackend(inner, world.clock, world.rng.stream(`${name}/faults`));
    runtime.backends.set(key, backend);
    return backend;
  }


  /** Runs the world until `promise` settles (setup steps), at most for the scenario's duration. */
  async #settle(promise: Promise<unknown>): Promise<void> {
    let settled = false;
    const done = promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    await this.#world.runUntilTrueAsync(() => settled, this.#scenario.durationNs);
    await done;
  }

  // ---- Node life cycle and devices (fault verbs) ----

  #withDevice(selector: DeviceSelector, apply: (backend: FaultyBackend, where: string) => string): string {
    const runtime = this.#targets.find((t) => t.resolved.name === selector.target) as SimTarget;
    const nqn = selector.nqn ?? runtime.resolved.subsystems[0]?.nqn ?? '';
    const key = `${nqn}/${selector.nsid ?? 1}`;
    const where = `${selector.target} ${key}`;
    const backend = runtime.backends.get(key);
    if (backend === undefined) return `${where}: not open, nothing done`;
    return apply(backend, where);
  }

  #setAnaState(name: string, portid: number, grpid: number, state: AnaStateName): string {
    const runtime = this.#targets.find((t) => t.resolved.name === name) as SimTarget;
    const where = `target ${name} port ${portid} ANA group ${grpid}`;
    if (runtime.target === null) return `${where}: target down, nothing done`;
    runtime.target.setAnaState(portid, grpid, state);
    return `${where}: ${state}`;
  }

  #crashNode(name: string): string {
    const node = this.#world.node(name);
    if (!node.up) return `node ${name} already down`;
    this.#world.crash(name);
    this.#afterCrash(name);
    return `node ${name} crashed`;
  }

  /** Bookkeeping for everything that ran on a node that just died. */
  #afterCrash(name: string): void {
    this.#hooks.nodeCrashed(name);
    this.#cpuAccounts.get(name)?.crashed();
    for (const target of this.#targets) if (target.resolved.node === name) target.target = null;
  }

  #restartNode(name: string): string {
    const wasUp = this.#world.node(name).up;
    const runtime = this.#node(name);
    this.#world.restart(name);
    if (wasUp) this.#afterCrash(name);
    const fresh = this.#nodeRuntime(runtime.resolved);
    runtime.cpu = fresh.cpu;
    runtime.env = fresh.env;
    this.#cpuAccounts.get(name)?.restarted(fresh.cpu);
    for (const target of this.#targets) if (target.resolved.node === name) void this.#startTarget(target);
    this.#hooks.nodeRestarted(name);
    return `node ${name} restarted${wasUp ? ' (it was up: crashed first)' : ''}`;
  }

  // ---- Results ----

  /**
   * Busy fraction per core since the start of the run (t = 0, when the nodes are built), over every
   * incarnation of the node (NodeCpuAccount): a target that served I/O before a crash does not read idle.
   */
  #cpuResults(): CpuResult[] {
    const elapsedNs = this.#world.nowNs;
    return [...this.#nodes.values()].map((node) => {
      const utilisation = Array.from({ length: node.cpu.cores }, (_, core) => round(elapsedNs > 0 ? (this.#cpuAccounts.get(node.resolved.name)?.busyNs(core) ?? 0) / elapsedNs : 0, 6));
      const mean = utilisation.reduce((sum, value) => sum + value, 0) / utilisation.length;
      return { node: node.resolved.name, profile: node.cpu.profile.name, utilisation, meanUtilisation: round(mean, 6) };
    });
  }

  #netResult(): NetResult {
    const stats = this.#world.network.stats;
    const droppedByReason: Record<string, number> = {};
    for (const reason of DROP_REASONS) if (stats.dropped[reason] > 0) droppedByReason[reason] = stats.dropped[reason];
    const tcp = this.#world.network.tcpCounters();
    return {
      delivered: stats.delivered,
      dropped: stats.droppedTotal,
      droppedByReason,
      duplicated: stats.duplicated,
      reordered: stats.reordered,
      corrupted: stats.corrupted,
      silentlyCorrupted: stats.silentlyCorrupted,
      ecnMarked: stats.ecnMarked,
      tcp: tcpResult(tcp.total),
      tcpPerNode: [...tcp.perNode].map(([node, counters]) => ({ node, ...tcpResult(counters) })),
    };
  }
}

/**
 * Whether anything in a simulated run reads this namespace's data back: a host connected to it with
 * `verify` on. Nothing else looks at the bytes (the fingerprint hashes times and sequence numbers,
 * not payloads), so without one the device need not keep them.
 */
export function readsDataBack(hosts: readonly ResolvedHost[], target: string, nqn: string, nsid: number): boolean {
  return hosts.some(
    (host) => host.connect.paths.some((path) => path.target === target) && host.connect.nqn === nqn && host.connect.nsid === nsid && host.workload?.job.verify === true,
  );
}

/** Whether a multipath host reaches this namespace through this target and another one (paths to one target's ports share its device anyway). */
function sharedByPaths(hosts: readonly ResolvedHost[], target: string, nqn: string, nsid: number): boolean {
  return hosts.some(
    (host) =>
      new Set(host.connect.paths.map((path) => path.target)).size > 1 &&
      host.connect.paths.some((path) => path.target === target) &&
      host.connect.nqn === nqn &&
      host.connect.nsid === nsid,
  );
}

function tcpResult(counters: TcpCounters): TcpResult {
  return {
    segmentsSent: counters.segmentsSent,
    segmentsReceived: counters.segmentsReceived,
    retransmits: counters.retransmits,
    fastRetransmits: counters.fastRetransmits,
    rtoCount: counters.rtoCount,
    dupAcks: counters.dupAcks,
    outOfOrderSegments: counters.outOfOrderSegments,
    zeroWindowProbes: counters.zeroWindowProbes,
    connectionsOpened: counters.connectionsOpened,
    connectionsReset: counters.connectionsReset,
    timeouts: counters.timeouts,
  };
}

function message(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');
}

/** "(at file:line)" from the first stack frame, to point at the code that threw. */
function topFrame(error: Error): string {
  const frame = error.stack?.split('\n').find((line) => line.trim().startsWith('at '));
  return frame === undefined ? '' : ` (${frame.trim()})`;
}
