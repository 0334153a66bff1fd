// The nodes of a run that has a real Linux peer (a node with runtime 'qemu' or 'docker'): the run
// driver (runner.ts) gives it the same hosts, workload, faults, invariants and report as in
// simulation, except that time is real. For each real node this boots the interop VM (sim/interop/qemu-vm.ts), configures Linux nvmet from the scenario's
// subsystems (null_blk or tmpfs namespaces, real-target.ts), and shapes the node's link with
// tc-netem on the guest's egress (sim/interop/netem.ts). Our hosts run on real sockets (the
// RealNetwork, one shared RealClock) against the VM's forwarded port, with the scenario's connect
// options and workload behind the same TrackedDevice the simulator uses.
//
// Time 0 is when the targets are configured and the hosts start connecting (boot is not counted);
// faults fire on the wall clock from then on, one after another, each as its verb's record says
// (fault-verbs/):
// - setLink: the link's egress options are merged and netem is set to them;
// - partition: netem drops everything leaving the guest (loss 100%). TCP through the link stalls
//   both ways (the guest's ACKs are lost too); heal restores the link's current options;
// - crash of the real node: it goes silent (loss 100%) and its nvmet ports are removed, which
//   deletes every controller and closes every queue as a power loss would, without the host seeing
//   a FIN or RST. restart re-creates the ports and restores the link. The VM keeps running: a
//   reboot under TCG takes tens of seconds and would move the forwarded port. The namespaces keep
//   their data across the restart, as simulated devices do.
// Nothing here is repeatable: the report says timeBase 'real' and claims no fingerprint.
// Before any of it, real-prerequisites.ts checks that every real node can boot (image built, QEMU
// installed, Docker engine up): a missing one is a ScenarioError (exit 2 in the CLI), not a crash.
import { NS_PER_MS, NS_PER_S, type Logger, type NodeEnv } from '../core/index.js';
import { Fingerprint } from '../core/index.js';
import { RealClock, RealCpu, type LogLevel } from '../core/index.js';
import { SeededRngSource } from '../core/index.js';
import { bringNvmetPortUp, takeNvmetPortDown, type NvmetPort } from '../interop/index.js';
import { configureLinuxTarget, setLinuxAnaState, setLinuxNamespaceAnaGroup } from '../interop/index.js';
import { readLinuxTcpCounters, tcpCountersSince, type LinuxTcpCounters } from '../interop/index.js';
import { netemCommand, qdiscShowCommand, type NetemOptions } from '../interop/index.js';
import { bootLinuxVm } from '../interop/index.js';
import type { LinuxPeer } from '../interop/index.js';
import type { LinkDirectionOptions } from '../net/index.js';
import { RealNetwork } from '../net/index.js';
import { verbOf, type RealFaultWorld, type RealPeerControl } from './fault-verbs/index.js';
import { round } from './host-result.js';
import type { FaultOutcome, HostHandle, NodeRuntime, RunHooks, RuntimeSummary } from './node-runtime.js';
import { egressOptions, isRealNode, realEndOf } from './real-validate.js';
import { linuxAnaSetup, linuxTargetConfigs, namespaceMiB, nvmetPort } from './real-target.js';
import { SCENARIO_PORT_ID } from './target-config.js';
import type { ResolvedFault, ResolvedHost, ResolvedLink, ResolvedNode, ResolvedScenario, ResolvedTarget } from './resolved.js';
import type { RealPeerResult } from './result.js';
import type { RunOptions } from './run-options.js';

/** Gives the guest's port the target's ANA groups (and, the first time, its namespaces their groups). */
async function applyAnaSetup(vm: LinuxPeer, target: ResolvedTarget, namespaces: boolean): Promise<void> {
  const setup = linuxAnaSetup(target);
  for (const group of setup.groups) await setLinuxAnaState(vm, group.portId, group.grpid, group.state);
  if (!namespaces) return;
  for (const ns of setup.namespaces) await setLinuxNamespaceAnaGroup(vm, ns.nqn, ns.nsid, ns.grpid);
}

/** What the report says instead of a fingerprint. */
export const REAL_TIME_FINGERPRINT = 'not deterministic (real time)';
/** Guest memory besides the namespaces: the unpacked initramfs (~90 MB) plus the kernel's own. */
const VM_BASE_MEMORY_MIB = 512;
/** TCG on a shared 2-core machine: more vCPUs only add contention. */
const VM_CPUS = 2;
/** How often the drain checks whether every workload has finished. */
const DRAIN_POLL_NS = 50 * NS_PER_MS;
/** A controller that cannot disconnect cleanly (its target is gone) is abandoned after this. */
const DISCONNECT_WAIT_NS = 5 * NS_PER_S;
const DEFAULT_PROGRESS_NS = 100 * NS_PER_MS;
/** The netem counters line under a netem qdisc in `tc -s qdisc show`. */
const NETEM_COUNTERS = /qdisc netem[^\n]*\n\s*Sent (\d+) bytes (\d+) pkt \(dropped (\d+)/g;

/** True when the scenario needs real-nodes.ts (some node runs on a real runtime). */
export function hasRealNode(scenario: ResolvedScenario): boolean {
  return scenario.nodes.some(isRealNode);
}

/** The peer's VM, which exists from boot on; asking before boot is a bug in the driver. */
function bootedVm(peer: RealPeer | undefined): LinuxPeer {
  if (peer?.vm === undefined || peer.vm === null) throw new Error(`real peer ${peer?.node.name ?? '?'} has no booted VM`);
  return peer.vm;
}

interface RealPeer {
  readonly node: ResolvedNode;
  readonly targets: readonly ResolvedTarget[];
  readonly ports: readonly NvmetPort[];
  /** The node's link (validation allows at most one: one NIC) and its egress options now. */
  readonly link: ResolvedLink | undefined;
  egress: NetemOptions;
  partitioned: boolean;
  crashed: boolean;
  vm: LinuxPeer | null;
  kernel: string;
  bootSeconds: number;
  readonly tcCommands: string[];
  /** netem counters of qdiscs already replaced. */
  sentPackets: number;
  droppedPackets: number;
  qdiscAtEnd: string;
  /** The guest kernel's TCP counters at time 0, and their growth by the end. */
  tcpAtStart: LinuxTcpCounters | undefined;
  tcp: LinuxTcpCounters | undefined;
}

/**
 * The real peers of a run (runner.ts picks this runtime when a node is real), with our hosts on
 * real sockets; close() always stops the VMs it started.
 */
export class RealNodes implements NodeRuntime {
  readonly timeBase = 'real';
  readonly workloadLatencyHistogram = true;
  readonly #options: RunOptions;
  readonly #hooks: RunHooks;
  readonly #clock = new RealClock();
  readonly #peers = new Map<string, RealPeer>();
  /** One environment per host (its own RNG stream), all on the one clock. */
  readonly #hostEnvs: NodeEnv[];
  readonly fingerprint = new Fingerprint();
  /** Faults run one after another (each is a guest command), in timeline order. */
  #faultChain: Promise<void> = Promise.resolve();
  /** Clock time of time 0 (the targets configured); until then, the start of the run. */
  #originNs: number;
  #endNs = 0;

  constructor(scenario: ResolvedScenario, options: RunOptions, hooks: RunHooks) {
    this.#options = options;
    this.#hooks = hooks;
    this.#originNs = this.#clock.nowNs();
    const log = logger(options.logLevel ?? 'silent', options.logSink);
    // One clock for everything, so host latencies, faults and liveness share a time base.
    this.#hostEnvs = scenario.hosts.map((host) => ({
      network: new RealNetwork(),
      clock: this.#clock,
      cpu: new RealCpu(),
      rng: new SeededRngSource(`${scenario.seed}/${host.name}`),
      log,
    }));
    const real = new Set(scenario.nodes.filter(isRealNode).map((node) => node.name));
    for (const node of scenario.nodes) {
      if (!isRealNode(node)) continue;
      const targets = scenario.targets.filter((target) => target.node === node.name);
      const link = scenario.links.find((l) => realEndOf(l, real) === node.name);
      this.#peers.set(node.name, {
        node,
        targets,
        ports: targets.map(nvmetPort),
        link,
        egress: link === undefined ? {} : egressOptions(link, node.name),
        partitioned: false,
        crashed: false,
        vm: null,
        kernel: '',
        bootSeconds: 0,
        tcCommands: [],
        sentPackets: 0,
        droppedPackets: 0,
        qdiscAtEnd: '',
        tcpAtStart: undefined,
        tcp: undefined,
      });
    }
  }

  nowNs(): number {
    return this.#clock.nowNs() - this.#originNs;
  }

  setTimer(delayNs: number, fn: () => void): void {
    this.#clock.setTimer(Math.max(0, delayNs), fn);
  }

  build(): void {}

  /**
   * Boots every real peer and configures its targets. A missing prerequisite (VM image, QEMU,
   * Docker engine or image) was found before (real-prerequisites.ts): the user's environment is
   * not a crash of the run.
   */
  async startTargets(): Promise<void> {
    for (const peer of this.#peers.values()) await this.#startPeer(peer);
    // Time 0: the targets listen, as a target is configured before `nvme connect`.
    this.#originNs = this.#clock.nowNs();
  }

  hostEnv(host: ResolvedHost): NodeEnv {
    return this.#hostEnvs[host.index] as NodeEnv;
  }

  /** The VM's forwarded port on this machine's loopback. */
  targetAddress(target: ResolvedTarget, portId: number): { readonly ip: string; readonly port: number } {
    const vm = bootedVm(this.#peers.get(target.node));
    const port = target.ports.find((candidate) => candidate.id === portId) ?? target.ports[0];
    return { ip: '127.0.0.1', port: vm.hostPort(port?.port ?? target.port) };
  }

  workloadStream(): string {
    return 'workload/real';
  }

  /** Queues the fault behind the ones before it; a failed guest command is reported, not thrown. */
  applyFault(resolved: ResolvedFault, done: (outcome: FaultOutcome) => void): void {
    this.#faultChain = this.#faultChain.then(async () => done(await this.#apply(resolved)));
  }

  async #apply(resolved: ResolvedFault): Promise<FaultOutcome> {
    const fault = resolved.fault;
    const real = verbOf(fault.action).real;
    // Validation refuses these verbs for real-time runs.
    if ('refused' in real) return { detail: `'${fault.action}' is not supported in a real-time run; nothing done` };
    try {
      return { detail: await real.apply(fault, this.#faultWorld) };
    } catch (error) {
      return { detail: `FAILED: ${oneLine(error)}`, error: oneLine(error) };
    }
  }

  async runPhase(endNs: number, phase: 'run' | 'drain', drained: () => boolean, progress: () => void): Promise<void> {
    if (phase === 'run') {
      const interval = Math.max(NS_PER_MS, this.#options.progressIntervalNs ?? DEFAULT_PROGRESS_NS);
      for (;;) {
        const now = this.nowNs();
        if (now >= endNs) return;
        await this.#sleep(Math.min(interval, endNs - now));
        progress();
      }
    }
    while (!drained() && this.nowNs() < endNs) {
      await this.#sleep(Math.min(DRAIN_POLL_NS, endNs - this.nowNs()));
      progress();
    }
  }

  durationEnded(): void {}

  /** Waits for the faults still being applied, then reads the guests' counters. */
  async finish(): Promise<void> {
    await this.#faultChain;
    this.#endNs = this.nowNs();
    for (const peer of this.#peers.values()) {
      await this.#readQdiscAtEnd(peer);
      const vm = bootedVm(peer);
      if (peer.tcpAtStart !== undefined) peer.tcp = tcpCountersSince(peer.tcpAtStart, await readLinuxTcpCounters(vm));
    }
  }

  endNs(): number {
    return this.#endNs;
  }

  describeError(error: unknown): string {
    return oneLine(error);
  }

  describeCrash(error: unknown): { readonly text: string; readonly tNs: number } {
    return { text: error instanceof Error ? `${error.name}: ${error.message.split('\n')[0] ?? ''}` : String(error), tNs: 0 };
  }

  summary(faults: { readonly applied: number; readonly errors: readonly string[] }): RuntimeSummary {
    const peers = [...this.#peers.values()];
    const sent = peers.reduce((sum, peer) => sum + peer.sentPackets, 0);
    const dropped = peers.reduce((sum, peer) => sum + peer.droppedPackets, 0);
    return {
      fingerprint: REAL_TIME_FINGERPRINT,
      simSeconds: this.#endNs / NS_PER_S,
      events: 0,
      cpu: [],
      // What netem saw on the guests' egress (packets it sent and dropped), while a netem qdisc was set.
      net: {
        delivered: sent,
        dropped,
        droppedByReason: dropped > 0 ? { netem: dropped } : {},
        duplicated: 0,
        reordered: 0,
        corrupted: 0,
        silentlyCorrupted: 0,
        ecnMarked: 0,
        // The real nodes' kernels: our hosts' side is Node on the machine's loopback, not counted.
        tcp: sumTcp(peers.map((peer) => peer.tcp ?? ZERO_TCP)),
        tcpPerNode: peers.map((peer) => ({ node: peer.node.name, ...(peer.tcp ?? ZERO_TCP) })),
      },
      noCrashDetail: 'the real peers started and no exception escaped the run',
      verdicts: [
        {
          name: 'faults-applied',
          ok: faults.errors.length === 0,
          class: 'crash',
          checked: faults.applied,
          detail: faults.errors[0] ?? `${faults.applied} fault(s) applied in the guest`,
        },
      ],
      realPeers: peers.map(
        (peer): RealPeerResult => ({
          node: peer.node.name,
          runtime: peer.node.runtime,
          kernel: peer.kernel,
          accel: peer.vm?.accel ?? '',
          bootSeconds: round(peer.bootSeconds, 3),
          tcCommands: [...peer.tcCommands],
          qdiscAtEnd: peer.qdiscAtEnd,
        }),
      ),
    };
  }

  /** Disconnects the hosts and stops every VM (also after a failed boot or a crash). */
  async close(hosts: readonly HostHandle[]): Promise<void> {
    await Promise.all(
      hosts.map(async (host) => {
        host.run?.stop();
        const controller = host.controller;
        host.controller = null;
        if (controller !== null) await this.#within(controller.disconnect(), DISCONNECT_WAIT_NS);
      }),
    );
    for (const peer of this.#peers.values()) {
      const vm = peer.vm;
      peer.vm = null;
      if (vm !== null) await vm.stop();
    }
    this.#clock.clearAll();
  }

  // ---- Real peers ----

  async #startPeer(peer: RealPeer): Promise<void> {
    const log = this.#options.logLevel === 'debug' ? (this.#options.logSink ?? ((line: string) => void process.stderr.write(`${line}\n`))) : undefined;
    const memoryMiB = VM_BASE_MEMORY_MIB + peer.targets.reduce((sum, target) => sum + namespaceMiB(target), 0);
    const bootStart = this.#clock.nowNs();
    // 'docker' runs the same VM inside a container (docker-runtime.ts); 'qemu' runs it directly.
    const vm = await bootLinuxVm(peer.node.runtime === 'docker' ? 'docker' : 'qemu', {
      forwards: peer.targets.map((target) => ({ hostPort: 0, guestPort: target.port })),
      memoryMiB,
      cpus: VM_CPUS,
      ...(log === undefined ? {} : { log }),
    });
    peer.vm = vm;
    peer.bootSeconds = (this.#clock.nowNs() - bootStart) / NS_PER_S;
    peer.kernel = (await vm.execOk('uname -r')).trim();
    for (const target of peer.targets) {
      for (const config of linuxTargetConfigs(target)) await configureLinuxTarget(vm, config);
      await applyAnaSetup(vm, target, true);
    }
    this.#hooks.record({ tNs: 0, kind: 'real-peer-ready', node: peer.node.name, runtime: peer.node.runtime, accel: vm.accel, kernel: peer.kernel });
    await this.#shape(peer);
    peer.tcpAtStart = await readLinuxTcpCounters(vm);
  }

  /** Sets netem to what the peer's state says: silent when partitioned or crashed, else its options. */
  async #shape(peer: RealPeer): Promise<string> {
    const vm = bootedVm(peer);
    const options: NetemOptions = peer.partitioned || peer.crashed ? { ...peer.egress, partitioned: true } : peer.egress;
    const command = netemCommand(options);
    const touched = peer.tcCommands.length > 0;
    // Nothing to shape and never shaped: leave the guest's default qdisc alone.
    if (!touched && !command.includes('netem')) return 'no shaping';
    peer.tcCommands.push(command);
    // One guest command (each costs a round trip through the serial channel): first the counters
    // of the qdisc about to be replaced (a new qdisc starts from zero), then the change.
    this.#countNetem(peer, await vm.execOk(touched ? `${qdiscShowCommand()}; ${command}` : command));
    return command;
  }

  async #readQdiscAtEnd(peer: RealPeer): Promise<void> {
    const vm = peer.vm;
    if (vm === null) return;
    const shown = await vm.execOk(qdiscShowCommand());
    this.#countNetem(peer, shown);
    peer.qdiscAtEnd = shown;
  }

  #countNetem(peer: RealPeer, shown: string): void {
    for (const match of shown.matchAll(NETEM_COUNTERS)) {
      peer.sentPackets += Number(match[2]);
      peer.droppedPackets += Number(match[3]);
    }
  }

  /** A real peer as fault verbs see it (fault-verbs/verb.ts). */
  #control(peer: RealPeer): RealPeerControl {
    const ids = (): string => peer.ports.map((port) => port.portId).join(', ');
    return {
      name: peer.node.name,
      setPartitioned: (partitioned) => void (peer.partitioned = partitioned),
      setCrashed: (crashed) => void (peer.crashed = crashed),
      mergeEgress: (options) => void (peer.egress = { ...peer.egress, ...stripUndefined(options) }),
      shape: () => this.#shape(peer),
      portsDown: async () => {
        for (const port of peer.ports) await takeNvmetPortDown(bootedVm(peer), port);
        return ids();
      },
      portsUp: async () => {
        for (const port of peer.ports) await bringNvmetPortUp(bootedVm(peer), port);
        // A restarted target starts with the scenario's ANA groups again, as a simulated one does.
        for (const target of peer.targets) await applyAnaSetup(bootedVm(peer), target, false);
        return ids();
      },
    };
  }

  readonly #faultWorld: RealFaultWorld = {
    peerNamed: (name) => this.#control(this.#peerNamed(name)),
    peerOn: (between) => this.#control(this.#peerOn(between)),
    peers: () => [...this.#peers.values()].map((peer) => this.#control(peer)),
    setAnaState: async (name, portid, grpid, state) => {
      const peer = [...this.#peers.values()].find((candidate) => candidate.targets.some((target) => target.name === name));
      const target = peer?.targets.find((candidate) => candidate.name === name);
      if (peer === undefined || target === undefined) throw new Error(`target '${name}' is not on a real-runtime node`);
      // The scenario's port 1 is the guest's nvmet port, whose ID is the TCP port (real-target.ts).
      const nvmetPortId = portid === SCENARIO_PORT_ID ? nvmetPort(target).portId : portid;
      const file = `/sys/kernel/config/nvmet/ports/${nvmetPortId}/ana_groups/${grpid}/ana_state`;
      await bootedVm(peer).execOk(`echo ${state} > ${file}`);
      return `${peer.node.name}: ${state} > ${file}`;
    },
  };

  #peerNamed(name: string): RealPeer {
    const peer = this.#peers.get(name);
    if (peer === undefined) throw new Error(`'${name}' is not a real-runtime node`);
    return peer;
  }

  #peerOn(between: readonly [string, string] | undefined): RealPeer {
    const peer = between === undefined ? undefined : (this.#peers.get(between[0]) ?? this.#peers.get(between[1]));
    if (peer === undefined) throw new Error(`no real-runtime node on ${between?.join('-') ?? 'an unnamed link'}`);
    return peer;
  }

  // ---- Time ----

  #sleep(ns: number): Promise<void> {
    return new Promise((resolve) => this.#clock.setTimer(Math.max(0, ns), resolve));
  }

  async #within(promise: Promise<unknown>, ns: number): Promise<void> {
    await Promise.race([promise.catch(() => undefined), this.#sleep(ns)]);
  }
}

const ZERO_TCP: LinuxTcpCounters = {
  segmentsSent: 0,
  segmentsReceived: 0,
  retransmits: 0,
  fastRetransmits: 0,
  rtoCount: 0,
  dupAcks: 0,
  outOfOrderSegments: 0,
  zeroWindowProbes: 0,
  connectionsOpened: 0,
  connectionsReset: 0,
  timeouts: 0,
};

function sumTcp(all: readonly LinuxTcpCounters[]): LinuxTcpCounters {
  const sum: Record<string, number> = { ...ZERO_TCP };
  for (const counters of all) for (const key of Object.keys(ZERO_TCP) as (keyof LinuxTcpCounters)[]) sum[key] = (sum[key] ?? 0) + counters[key];
  return sum as unknown as LinuxTcpCounters;
}

function logger(level: LogLevel, sink: ((line: string) => void) | undefined): Logger {
  const order: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
  const threshold = order.indexOf(level);
  const emit = (at: LogLevel, message: string): void => {
    if (order.indexOf(at) < threshold) return;
    const line = `${at}: ${message}`;
    if (sink !== undefined) sink(line);
    else process.stderr.write(`${line}\n`);
  };
  return { debug: (m) => emit('debug', m), info: (m) => emit('info', m), warn: (m) => emit('warn', m), error: (m) => emit('error', m) };
}

function stripUndefined(options: LinkDirectionOptions): NetemOptions {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) if (value !== undefined) result[key] = value;
  return result as NetemOptions;
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
