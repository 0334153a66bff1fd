// Running a scenario that has a real Linux peer (a node with runtime 'qemu'): the same workload,
// faults, invariants and report as in simulation, except that time is real. For each real node the
// runner boots the interop VM (sim/interop/qemu-vm.ts), configures Linux nvmet from the scenario's
// subsystems (null_blk or tmpfs namespaces, real-target.ts), and shapes the node's link with
// tc-netem on the guest's egress (sim/interop/netem.ts). Our hosts run on real sockets (the
// RealNetwork, one shared RealClock) against the VM's forwarded port, with the scenario's connect
// options and workload behind the same TrackedDevice the simulator uses.
//
// Time 0 is when the targets are configured and the hosts start connecting (boot is not counted);
// faults fire on the wall clock from then on:
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
import type { TraceRecord, TraceSink } from '../core/index.js';
import { connectController, type HostController } from '../host/index.js';
import { bringNvmetPortUp, takeNvmetPortDown, type NvmetPort } from '../interop/index.js';
import { configureLinuxTarget } from '../interop/index.js';
import { readLinuxTcpCounters, tcpCountersSince, type LinuxTcpCounters } from '../interop/index.js';
import { netemCommand, qdiscShowCommand, type NetemOptions } from '../interop/index.js';
import { bootLinuxVm } from '../interop/index.js';
import type { QemuVm } from '../interop/index.js';
import { RealNetwork } from '../net/index.js';
import { LatencyHistogram } from '../report/index.js';
import { WorkloadRun } from '../workload/index.js';
import { resolveJob } from '../workload/index.js';
import type { WorkloadResult } from '../workload/index.js';
import { verbOf, type RealFaultWorld, type RealPeerControl } from './fault-verbs/index.js';
import { evaluateInvariants, ResumeTracker } from './invariants.js';
import { egressOptions, isRealNode, realEndOf } from './real-validate.js';
import { linuxTargetConfigs, namespaceMiB, nvmetPort } from './real-target.js';
import type { ResolvedFault, ResolvedHost, ResolvedLink, ResolvedNode, ResolvedScenario, ResolvedTarget } from './resolved.js';
import {
  worstFailure,
  type FaultRecord,
  type HostResult,
  type InvariantResult,
  type QueueCount,
  type RealPeerResult,
  type ScenarioResult,
} from './result.js';
import type { RunOptions } from './runner.js';
import { hostConnectOptions } from './connect-options.js';
import { hostResult, latencyUs, round } from './host-result.js';
import { HostIoStats, TrackedDevice } from './tracked-device.js';
import type { LinkDirectionOptions } from '../net/index.js';

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

/** True when the scenario needs real-run.ts (some node runs on a real runtime). */
export function hasRealNode(scenario: ResolvedScenario): boolean {
  return scenario.nodes.some(isRealNode);
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
  vm: QemuVm | null;
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

interface RealHost {
  readonly resolved: ResolvedHost;
  readonly stats: HostIoStats;
  readonly env: NodeEnv;
  controller: HostController | null;
  run: WorkloadRun | null;
  running: boolean;
  verifyChecked: number;
  verifyMismatches: number;
  connectError: string | undefined;
}

/**
 * A scenario run with a real-runtime node (runner.ts runScenario picks it): run() once, then
 * close(), which always stops the VMs it started.
 */
export class RealRun {
  readonly #scenario: ResolvedScenario;
  readonly #options: RunOptions;
  readonly #trace: TraceSink | null;
  readonly #clock = new RealClock();
  readonly #peers = new Map<string, RealPeer>();
  readonly #hosts: RealHost[];
  readonly #resume: ResumeTracker;
  readonly #faults: FaultRecord[] = [];
  readonly #fingerprint = new Fingerprint();
  /** Faults run one after another (each is a guest command), in timeline order. */
  #faultChain: Promise<void> = Promise.resolve();
  #faultErrors: string[] = [];
  #crash: string | undefined;
  #endNs = 0;

  constructor(scenario: ResolvedScenario, trace: TraceSink | null, options: RunOptions) {
    this.#scenario = scenario;
    this.#options = options;
    this.#trace = trace;
    const log = logger(options.logLevel ?? 'silent', options.logSink);
    this.#hosts = scenario.hosts.map((resolved) => ({
      resolved,
      stats: new HostIoStats(resolved.connect.nrIoQueues),
      // One clock for everything, so host latencies, faults and liveness share a time base.
      env: { network: new RealNetwork(), clock: this.#clock, cpu: new RealCpu(), rng: new SeededRngSource(`${scenario.seed}/${resolved.name}`), log },
      controller: null,
      run: null,
      running: false,
      verifyChecked: 0,
      verifyMismatches: 0,
      connectError: undefined,
    }));
    this.#resume = new ResumeTracker(scenario.hosts.length);
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

  /**
   * Runs the scenario. A missing prerequisite (VM image, QEMU, Docker engine or image) rejects with
   * a ScenarioError before anything boots: the user's environment is not a crash of the run.
   */
  async run(): Promise<ScenarioResult> {
    const scenario = this.#scenario;
    this.#record({ tNs: 0, kind: 'scenario', name: scenario.name, seed: scenario.seed, durationNs: scenario.durationNs, timeBase: 'real' });
    try {
      for (const peer of this.#peers.values()) await this.#startPeer(peer);
      // Time 0: the targets listen, as a target is configured before `nvme connect`.
      const originNs = this.#clock.nowNs();
      const at = (ns: number): number => originNs + ns;
      for (const fault of scenario.faults) {
        if (fault.trigger.kind !== 'at') continue; // Validation refuses `when` in a real-time run.
        this.#clock.setTimer(Math.max(0, at(fault.trigger.atNs) - this.#clock.nowNs()), () => {
          this.#faultChain = this.#faultChain.then(() => this.#applyFault(fault, originNs));
        });
      }
      for (const host of this.#hosts) void this.#startHost(host, at(scenario.durationNs), originNs);
      await this.#runUntil(at(scenario.durationNs), originNs);
      await this.#drain(at(scenario.durationNs + scenario.drainNs), originNs);
      await this.#faultChain;
      this.#endNs = this.#clock.nowNs() - originNs;
      for (const peer of this.#peers.values()) {
        await this.#readQdiscAtEnd(peer);
        const vm = peer.vm as QemuVm;
        if (peer.tcpAtStart !== undefined) peer.tcp = tcpCountersSince(peer.tcpAtStart, await readLinuxTcpCounters(vm));
      }
    } catch (error) {
      this.#crash = error instanceof Error ? `${error.name}: ${error.message.split('\n')[0] ?? ''}` : String(error);
      this.#record({ tNs: 0, kind: 'crash', error: this.#crash });
    }
    return this.#result();
  }

  /** Disconnects the hosts and stops every VM (also after a failed boot or a crash). */
  async close(): Promise<void> {
    await Promise.all(
      this.#hosts.map(async (host) => {
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
    }
    this.#record({ tNs: 0, kind: 'real-peer-ready', node: peer.node.name, runtime: peer.node.runtime, accel: vm.accel, kernel: peer.kernel });
    await this.#shape(peer);
    peer.tcpAtStart = await readLinuxTcpCounters(vm);
  }

  /** Sets netem to what the peer's state says: silent when partitioned or crashed, else its options. */
  async #shape(peer: RealPeer): Promise<string> {
    const vm = peer.vm as QemuVm;
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

  // ---- Hosts ----

  async #startHost(host: RealHost, endAtNs: number, originNs: number): Promise<void> {
    const resolved = host.resolved;
    const connect = resolved.connect;
    const target = this.#scenario.targets.find((t) => t.name === connect.target) as ResolvedTarget;
    const vm = this.#peers.get(target.node)?.vm as QemuVm;
    try {
      const controller = await connectController(host.env, hostConnectOptions(connect, '127.0.0.1', vm.hostPort(target.port)));
      host.controller = controller;
      controller.onStateChange((state, previous) => {
        this.#record({ tNs: this.#clock.nowNs() - originNs, kind: 'host-state', host: resolved.name, state, previous });
      });
      const device = await controller.namespace(connect.nsid);
      const workload = resolved.workload;
      if (workload === undefined) return;
      const delayNs = originNs + workload.startAtNs - this.#clock.nowNs();
      if (delayNs > 0) await this.#sleep(delayNs);
      const runtimeNs = endAtNs - this.#clock.nowNs();
      if (runtimeNs <= 0) return;
      const tracked = new TrackedDevice(device, this.#clock, host.stats, this.#fingerprint, resolved.index, () =>
        this.#resume.succeeded(resolved.index, this.#clock.nowNs() - originNs),
      );
      const queues = controller.ioQueueCount > 0 ? controller.ioQueueCount : workload.job.queues;
      const job = resolveJob({ ...workload.job, ...(queues === undefined ? {} : { queues }), runtimeNs, streamPrefix: 'workload/real' }, device);
      const run = new WorkloadRun({ clock: this.#clock, rng: host.env.rng }, tracked, job);
      host.run = run;
      host.running = true;
      this.#record({ tNs: this.#clock.nowNs() - originNs, kind: 'workload-start', host: resolved.name, runtimeNs });
      run.start((result) => this.#workloadDone(host, result, originNs));
    } catch (error) {
      host.connectError = oneLine(error);
      this.#record({ tNs: this.#clock.nowNs() - originNs, kind: 'host-connect-failed', host: resolved.name, error: host.connectError });
    }
  }

  #workloadDone(host: RealHost, result: WorkloadResult, originNs: number): void {
    host.running = false;
    host.verifyChecked += result.verify.blocksChecked;
    host.verifyMismatches += result.verify.mismatches;
    this.#record({
      tNs: this.#clock.nowNs() - originNs,
      kind: 'workload-end',
      host: host.resolved.name,
      ended: result.ended,
      errors: result.errors,
      mismatches: result.verify.mismatches,
    });
  }

  // ---- Faults ----

  async #applyFault(resolved: ResolvedFault, originNs: number): Promise<void> {
    const fault = resolved.fault;
    const verb = verbOf(fault.action);
    let detail: string;
    try {
      if ('refused' in verb.real) {
        // Validation refuses these verbs for real-time runs.
        detail = `'${fault.action}' is not supported in a real-time run; nothing done`;
      } else {
        detail = await verb.real.apply(fault, this.#faultWorld);
        if (verb.heals) this.#healed(resolved, originNs);
      }
    } catch (error) {
      detail = `FAILED: ${oneLine(error)}`;
      this.#faultErrors.push(`faults[${resolved.index}] ${fault.action}: ${oneLine(error)}`);
    }
    const now = this.#clock.nowNs() - originNs;
    this.#faults.push({ atNs: now, action: fault.action, detail });
    this.#record({ tNs: now, kind: 'fault', action: fault.action, detail, ...(resolved.trigger.kind === 'at' ? { scheduledNs: resolved.trigger.atNs } : {}) });
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
        for (const port of peer.ports) await takeNvmetPortDown(peer.vm as QemuVm, port);
        return ids();
      },
      portsUp: async () => {
        for (const port of peer.ports) await bringNvmetPortUp(peer.vm as QemuVm, port);
        return ids();
      },
    };
  }

  readonly #faultWorld: RealFaultWorld = {
    peerNamed: (name) => this.#control(this.#peerNamed(name)),
    peerOn: (between) => this.#control(this.#peerOn(between)),
    peers: () => [...this.#peers.values()].map((peer) => this.#control(peer)),
  };

  #healed(fault: ResolvedFault, originNs: number): void {
    const running = this.#hosts.filter((host) => host.running).map((host) => host.resolved.index);
    this.#resume.healed(fault.index, fault.fault.action, this.#clock.nowNs() - originNs, running);
  }

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

  async #runUntil(endAtNs: number, originNs: number): Promise<void> {
    const interval = Math.max(NS_PER_MS, this.#options.progressIntervalNs ?? DEFAULT_PROGRESS_NS);
    const durationNs = this.#scenario.durationNs;
    for (;;) {
      const now = this.#clock.nowNs();
      if (now >= endAtNs) return;
      await this.#sleep(Math.min(interval, endAtNs - now));
      this.#progress(Math.min(1, (this.#clock.nowNs() - originNs) / durationNs), 'run', originNs);
    }
  }

  async #drain(limitAtNs: number, originNs: number): Promise<void> {
    while (!this.#drained() && this.#clock.nowNs() < limitAtNs) {
      await this.#sleep(Math.min(DRAIN_POLL_NS, limitAtNs - this.#clock.nowNs()));
      this.#progress(1, 'drain', originNs);
    }
  }

  #drained(): boolean {
    return this.#hosts.every((host) => !host.running && host.stats.outstanding === 0);
  }

  #progress(fraction: number, phase: 'run' | 'drain', originNs: number): void {
    const onProgress = this.#options.onProgress;
    if (onProgress === undefined) return;
    const ios = this.#hosts.reduce((sum, host) => sum + host.stats.succeeded, 0);
    const errors = this.#hosts.reduce((sum, host) => sum + host.stats.failed, 0);
    onProgress({ fraction, simNs: this.#clock.nowNs() - originNs, phase, ios, errors });
  }

  #record(record: TraceRecord): void {
    this.#trace?.record(record);
  }

  // ---- Results ----

  #result(): ScenarioResult {
    const scenario = this.#scenario;
    const durationS = scenario.durationNs / NS_PER_S;
    const all = new LatencyHistogram();
    const perQueue: QueueCount[] = [];
    const perHost: HostResult[] = this.#hosts.map((host) => hostResult(host, false, durationS, all, perQueue));
    const invariants: InvariantResult[] = [
      {
        name: 'no-crash',
        ok: this.#crash === undefined,
        class: 'crash',
        detail: this.#crash ?? 'the real peers started and no exception escaped the run',
      },
      {
        name: 'faults-applied',
        ok: this.#faultErrors.length === 0,
        class: 'crash',
        detail: this.#faultErrors[0] ?? `${this.#faults.length} fault(s) applied in the guest`,
      },
      ...evaluateInvariants(
        scenario.invariants,
        this.#hosts.map((host) => ({ name: host.resolved.name, stats: host.stats, verifyMismatches: host.verifyMismatches, connectError: host.connectError })),
        this.#resume,
        this.#endNs,
      ),
    ];
    for (const invariant of invariants) {
      this.#record({ tNs: this.#endNs, kind: 'invariant', name: invariant.name, ok: invariant.ok, detail: invariant.detail });
    }
    const ios = perHost.reduce((sum, host) => sum + host.ios, 0);
    const bytes = perHost.reduce((sum, host) => sum + host.bytes, 0);
    const started = this.#hosts.filter((host) => host.stats.firstSubmitNs >= 0).map((host) => host.stats);
    const activeNs =
      started.length === 0 ? 0 : Math.max(...started.map((s) => s.lastCompletionNs)) - Math.min(...started.map((s) => s.firstSubmitNs));
    const peers = [...this.#peers.values()];
    const sent = peers.reduce((sum, peer) => sum + peer.sentPackets, 0);
    const dropped = peers.reduce((sum, peer) => sum + peer.droppedPackets, 0);
    const failure = worstFailure(invariants);
    return {
      scenario: scenario.name,
      source: scenario.source,
      seed: scenario.seed,
      fingerprint: REAL_TIME_FINGERPRINT,
      timeBase: 'real',
      simSeconds: this.#endNs / NS_PER_S,
      durationSeconds: durationS,
      wallSeconds: 0,
      events: 0,
      ios,
      iops: round(ios / durationS, 3),
      bytes,
      activeSeconds: activeNs / NS_PER_S,
      bytesPerSecond: activeNs > 0 ? round((bytes * NS_PER_S) / activeNs, 3) : 0,
      latencyUs: latencyUs(all),
      errors: perHost.reduce((sum, host) => sum + host.errors, 0),
      lostInCrash: 0,
      perQueue,
      perHost,
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
        // The real nodes' kernels: our hosts' side is Node on the machine's loopback, not counted.
        tcp: sumTcp(peers.map((peer) => peer.tcp ?? ZERO_TCP)),
        tcpPerNode: peers.map((peer) => ({ node: peer.node.name, ...(peer.tcp ?? ZERO_TCP) })),
      },
      faultsApplied: this.#faults,
      invariants,
      ok: failure === undefined,
      ...(failure === undefined ? {} : { failure }),
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
