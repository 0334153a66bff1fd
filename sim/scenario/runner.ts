// The scenario runner: builds the world a ResolvedScenario describes under one seed, and runs it in
// virtual time. Nodes get a SimCpu with their profile and cores; the NICs, links and switch come
// from sim/net; each target is the real NvmeTarget and each host the real NVMe/TCP host
// (connectController), constructed on the node's NodeEnv exactly as they would be on real sockets.
// The fio-like engine drives each host's BlockDevice through submit(), behind a TrackedDevice that
// accounts for every I/O. Faults are verbs on the world, scheduled as events at their simulated
// times, or armed on conditions (fault-conditions.ts) that I/O completions, controller state
// changes and applied faults fire in virtual time. After the duration, workloads stop issuing
// and the run drains, then the invariants are judged. Wall-clock time is never read here: the
// caller passes a clock in for wallSeconds.
//
// Time moves through World.runUntilAsync in fixed 1 ms slices, so that promise continuations (the
// host's connect and reconnect, the target's start) run at the virtual time that resolved them.
// The slice grid does not depend on progress reporting, so reporting never changes a run.
import { createWriteStream, type WriteStream } from 'node:fs';
import type { NodeEnv } from '../core/index.js';
import { NS_PER_MS, NS_PER_S } from '../core/index.js';
import type { LogLevel } from '../core/index.js';
import { JsonlTraceSink, type TraceRecord, type TraceSink } from '../core/index.js';
import { World } from '../world/index.js';
import { profileByName } from '../cpu/index.js';
import { SimCpu } from '../cpu/index.js';
import type { BlockDevice } from '../host/index.js';
import { connectController, type HostController } from '../host/index.js';
import type { ConnectOptions } from '../host/index.js';
import { DROP_REASONS, type TcpCounters } from '../net/index.js';
import { LatencyHistogram } from '../report/index.js';
import { openBackend, type BackendSpec } from '../storage/index.js';
import { FaultyBackend } from '../storage/index.js';
import { NvmeTarget } from '../target/index.js';
import { WorkloadRun } from '../workload/index.js';
import { resolveJob } from '../workload/index.js';
import type { WorkloadResult } from '../workload/index.js';
import { verbOf, type DeviceSelector, type SimFaultWorld } from './fault-verbs/index.js';
import { FaultConditions, type ArmedFault } from './fault-conditions.js';
import { evaluateInvariants, ResumeTracker } from './invariants.js';
import type { ResolvedFault, ResolvedHost, ResolvedNode, ResolvedScenario, ResolvedTarget } from './resolved.js';
import {
  worstFailure,
  type CpuResult,
  type FaultRecord,
  type HostResult,
  type InvariantResult,
  type NetResult,
  type QueueCount,
  type ScenarioResult,
  type TcpResult,
} from './result.js';
import { hasRealNode, RealRun } from './real-run.js';
import { checkRealPrerequisites } from './real-prerequisites.js';
import { hostConnectOptions } from './connect-options.js';
import { targetConfig } from './target-config.js';
import { hostResult, latencyUs, round } from './host-result.js';
import { HostIoStats, TrackedDevice } from './tracked-device.js';

export interface RunProgress {
  /** Fraction of the duration done, 0..1 (the drain reports 1). */
  readonly fraction: number;
  readonly simNs: number;
  readonly phase: 'run' | 'drain';
  /** Successful and failed I/Os so far. */
  readonly ios: number;
  readonly errors: number;
}

export interface RunOptions {
  /** Called every progressIntervalNs of simulated time. */
  readonly onProgress?: (progress: RunProgress) => void;
  /** Simulated time between progress calls; rounded up to the 1 ms slice. Default 10 ms. */
  readonly progressIntervalNs?: number;
  /** Write a JSONL trace of packets dropped, node events, faults and host state changes here. */
  readonly tracePath?: string;
  /** Or send trace records to this sink (tests). */
  readonly trace?: TraceSink;
  /** Wall-clock milliseconds supplied by the CLI (allow-real-time: only reported as wallSeconds, never read by the model). */
  readonly wallClockMs?: () => number;
  /** Log level of the targets' and hosts' loggers. Default 'silent'. */
  readonly logLevel?: LogLevel;
  /** Where their log lines go. Default process.stderr. */
  readonly logSink?: (line: string) => void;
  /**
   * Called once the nodes and links exist, before anything runs: the escape hatch for faults the
   * scenario format cannot express (e.g. a link direction's dropIf filter on one connection).
   */
  readonly onWorld?: (world: World) => void;
}

/** The run loop's time step: fine enough for progress, coarse enough to cost nothing. */
const SLICE_NS = NS_PER_MS;
const DEFAULT_PROGRESS_NS = 10 * NS_PER_MS;

interface NodeRuntime {
  readonly resolved: ResolvedNode;
  cpu: SimCpu;
  env: NodeEnv;
}

interface TargetRuntime {
  readonly resolved: ResolvedTarget;
  readonly index: number;
  target: NvmeTarget | null;
  /** Survive restarts: the device outlives the target process. Keyed "nqn/nsid". */
  readonly backends: Map<string, FaultyBackend>;
  error: string | undefined;
}

interface HostRuntime {
  readonly resolved: ResolvedHost;
  readonly stats: HostIoStats;
  /** Bumped on every crash and restart; stale async continuations compare against it. */
  incarnation: number;
  crashed: boolean;
  controller: HostController | null;
  device: TrackedDevice | null;
  run: WorkloadRun | null;
  /** A workload is issuing or has I/O outstanding. */
  running: boolean;
  verifyChecked: number;
  verifyMismatches: number;
  connectError: string | undefined;
}

/** Runs a validated scenario to the end of its duration and drain. */
export async function runScenario(scenario: ResolvedScenario, options: RunOptions = {}): Promise<ScenarioResult> {
  const wallStart = options.wallClockMs?.() ?? 0;
  // A missing VM image, QEMU or Docker engine is a usage error, found before a trace file exists.
  const real = hasRealNode(scenario);
  if (real) await checkRealPrerequisites(scenario);
  let stream: WriteStream | undefined;
  let sink: TraceSink | null = options.trace ?? null;
  if (options.tracePath !== undefined) {
    const opened = createWriteStream(options.tracePath);
    stream = opened;
    sink = new JsonlTraceSink((line) => void opened.write(line));
  }
  // A real Linux peer takes part: the run happens in real time on real sockets (real-run.ts).
  let run: RealRun | ScenarioRun | undefined;
  try {
    run = real ? new RealRun(scenario, sink, options) : new ScenarioRun(scenario, sink, options);
    const result = await run.run();
    const wallEnd = options.wallClockMs?.() ?? 0;
    return { ...result, wallSeconds: (wallEnd - wallStart) / 1000 };
  } finally {
    await run?.close();
    if (stream !== undefined) {
      const closing = stream;
      await new Promise<void>((resolve) => closing.end(resolve));
    }
  }
}

class ScenarioRun {
  readonly #scenario: ResolvedScenario;
  readonly #options: RunOptions;
  readonly #world: World;
  readonly #trace: TraceSink | null;
  readonly #nodes = new Map<string, NodeRuntime>();
  readonly #targets: TargetRuntime[];
  readonly #hosts: HostRuntime[];
  readonly #resume: ResumeTracker;
  readonly #faults: FaultRecord[] = [];
  readonly #conditions = new FaultConditions((armed) => this.#conditionHeld(armed));
  /** What fault verbs apply to (fault-verbs/verb.ts). */
  readonly #faultWorld: SimFaultWorld;
  #crash: string | undefined;
  #cpuAtEnd: CpuResult[] = [];

  constructor(scenario: ResolvedScenario, trace: TraceSink | null, options: RunOptions) {
    this.#scenario = scenario;
    this.#options = options;
    this.#trace = trace;
    this.#world = new World({
      seed: scenario.seed,
      trace,
      logLevel: options.logLevel ?? 'silent',
      ...(options.logSink === undefined ? {} : { logSink: options.logSink }),
    });
    this.#targets = scenario.targets.map((resolved, index) => ({ resolved, index, target: null, backends: new Map(), error: undefined }));
    this.#hosts = scenario.hosts.map((resolved) => ({
      resolved,
      stats: new HostIoStats(resolved.connect.nrIoQueues),
      incarnation: 0,
      crashed: false,
      controller: null,
      device: null,
      run: null,
      running: false,
      verifyChecked: 0,
      verifyMismatches: 0,
      connectError: undefined,
    }));
    this.#resume = new ResumeTracker(scenario.hosts.length);
    const world = this.#world;
    this.#faultWorld = {
      network: world.network,
      pauseNode: (name) => world.pause(name),
      resumeNode: (name) => world.resume(name),
      crashNode: (name) => this.#crashNode(name),
      restartNode: (name) => this.#restartNode(name),
      restartedHosts: (name) => this.#restartedHosts(name),
      withDevice: (selector, apply) => this.#withDevice(selector, apply),
    };
  }

  /** Nothing outlives a simulated run (the world is dropped with it); here for the shared driver. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  async run(): Promise<ScenarioResult> {
    const scenario = this.#scenario;
    this.#record({ tNs: 0, kind: 'scenario', name: scenario.name, seed: scenario.seed, durationNs: scenario.durationNs });
    this.#buildNetwork();
    for (const node of scenario.nodes) this.#nodes.set(node.name, this.#nodeRuntime(node));
    this.#options.onWorld?.(this.#world);
    try {
      // Targets listen before any host connects, as a target is configured before `nvme connect`.
      await this.#settle(Promise.all(this.#targets.map((target) => this.#startTarget(target))));
      for (const fault of scenario.faults) this.#scheduleFault(fault);
      for (const host of this.#hosts) void this.#startHost(host);
      await this.#runPhase(scenario.durationNs, 'run');
      this.#cpuAtEnd = this.#cpuResults();
      await this.#runPhase(scenario.durationNs + scenario.drainNs, 'drain');
    } catch (error) {
      this.#crashed(error);
    }
    if (this.#cpuAtEnd.length === 0) this.#cpuAtEnd = this.#cpuResults();
    return this.#result();
  }

  // ---- Building ----

  #buildNetwork(): void {
    const network = this.#world.network;
    for (const node of this.#scenario.nodes) {
      network.addNode(node.name, {
        ip: node.ip,
        ...(node.bandwidthBps === undefined ? {} : { bandwidthBps: node.bandwidthBps }),
        ...(node.mtuBytes === undefined ? {} : { mtuBytes: node.mtuBytes }),
      });
    }
    const sw = this.#scenario.switch;
    if (sw !== undefined) {
      network.addSwitch(sw.name, {
        ...(sw.portBufferBytes === undefined ? {} : { portBufferBytes: sw.portBufferBytes }),
        ...(sw.portSpeedBps === undefined ? {} : { portSpeedBps: sw.portSpeedBps }),
        ...(sw.forwardingLatencyNs === undefined ? {} : { forwardingLatencyNs: sw.forwardingLatencyNs }),
      });
    }
    for (const link of this.#scenario.links) network.connect(link.a, link.b, link.options);
  }

  /** A node's CPU and environment for its current incarnation (rebuilt after a restart). */
  #nodeRuntime(node: ResolvedNode): NodeRuntime {
    const cpu = new SimCpu(this.#world.nodeClock(node.name), profileByName(node.cpuProfile, 'cpuProfile'), node.cores);
    return { resolved: node, cpu, env: this.#world.nodeEnv(node.name, { cpu }) };
  }

  #node(name: string): NodeRuntime {
    return this.#nodes.get(name) as NodeRuntime;
  }

  async #startTarget(runtime: TargetRuntime): Promise<void> {
    const resolved = runtime.resolved;
    const node = this.#node(resolved.node);
    try {
      const target = new NvmeTarget(node.env, targetConfig(resolved, node.resolved.ip), {
        backendFactory: (spec, where) => this.#backend(runtime, spec, where.subsystem, where.nsid),
      });
      runtime.target = target;
      await target.start();
      runtime.error = undefined;
    } catch (error) {
      runtime.error = message(error);
      this.#record({ tNs: this.#world.nowNs, kind: 'target-start-failed', target: resolved.name, error: runtime.error });
    }
  }

  /** The namespace's device: opened once, wrapped for device faults, kept across target restarts. */
  async #backend(runtime: TargetRuntime, spec: BackendSpec, nqn: string, nsid: number): Promise<FaultyBackend> {
    const key = `${nqn}/${nsid}`;
    const existing = runtime.backends.get(key);
    if (existing !== undefined) return existing;
    const world = this.#world;
    const name = `device/${runtime.resolved.name}/${key}`;
    // The world clock, not the node's: the device keeps time through a target crash and restart.
    const inner = await openBackend(spec, { clock: world.clock, rng: world.rng.stream(name) });
    const backend = new FaultyBackend(inner, world.clock, world.rng.stream(`${name}/faults`));
    runtime.backends.set(key, backend);
    return backend;
  }

  // ---- Hosts ----

  #connectOptions(host: ResolvedHost): ConnectOptions {
    const connect = host.connect;
    const target = this.#targets.find((t) => t.resolved.name === connect.target) as TargetRuntime;
    return hostConnectOptions(connect, this.#node(target.resolved.node).resolved.ip, target.resolved.port);
  }

  /** Connects (like `nvme connect`), opens the namespace and starts the workload. */
  async #startHost(host: HostRuntime): Promise<void> {
    const incarnation = host.incarnation;
    const name = host.resolved.name;
    const env = this.#node(host.resolved.node).env;
    try {
      const controller = await connectController(env, this.#connectOptions(host.resolved));
      if (host.incarnation !== incarnation) return;
      host.controller = controller;
      host.connectError = undefined;
      controller.onStateChange((state, previous) => {
        this.#record({ tNs: this.#world.nowNs, kind: 'host-state', host: name, state, previous });
        this.#conditions.hostState(host.resolved.index, state);
      });
      // The first connect happened before anyone listened: it counts as reaching 'live'.
      this.#conditions.hostState(host.resolved.index, controller.state);
      const device = await controller.namespace(host.resolved.connect.nsid);
      if (host.incarnation !== incarnation) return;
      this.#scheduleWorkload(host, controller, device, env);
    } catch (error) {
      if (host.incarnation !== incarnation) return;
      host.connectError = message(error);
      this.#record({ tNs: this.#world.nowNs, kind: 'host-connect-failed', host: name, error: host.connectError });
    }
  }

  #scheduleWorkload(host: HostRuntime, controller: HostController, device: BlockDevice, env: NodeEnv): void {
    const workload = host.resolved.workload;
    if (workload === undefined) return;
    const clock = env.clock;
    const incarnation = host.incarnation;
    const begin = (): void => {
      if (host.incarnation !== incarnation) return;
      const now = clock.nowNs();
      const runtimeNs = this.#scenario.durationNs - now;
      if (runtimeNs <= 0) return;
      const index = host.resolved.index;
      const conditions = this.#conditions;
      const tracked = new TrackedDevice(device, clock, host.stats, this.#world.fingerprint, index, () => {
        this.#resume.succeeded(index, this.#world.nowNs);
        conditions.ioSucceeded(index);
      });
      // Validation already ran these checks against the namespace's geometry.
      // Spread over the queues the controller granted (Set Features may give fewer than asked).
      const queues = controller.ioQueueCount > 0 ? controller.ioQueueCount : workload.job.queues;
      const job = resolveJob({ ...workload.job, ...(queues === undefined ? {} : { queues }), runtimeNs, streamPrefix: `workload/${incarnation}` }, device);
      const run = new WorkloadRun({ clock, rng: env.rng }, tracked, job, { latencyHistogram: false });
      host.device = tracked;
      host.run = run;
      host.running = true;
      this.#record({ tNs: now, kind: 'workload-start', host: host.resolved.name, runtimeNs });
      run.start((result) => this.#workloadDone(host, incarnation, result));
    };
    const delayNs = workload.startAtNs - clock.nowNs();
    if (delayNs > 0) clock.setTimer(delayNs, begin);
    else begin();
  }

  #workloadDone(host: HostRuntime, incarnation: number, result: WorkloadResult): void {
    if (host.incarnation !== incarnation) return;
    host.running = false;
    host.verifyChecked += result.verify.blocksChecked;
    host.verifyMismatches += result.verify.mismatches;
    this.#record({
      tNs: this.#world.nowNs,
      kind: 'workload-end',
      host: host.resolved.name,
      ended: result.ended,
      errors: result.errors,
      mismatches: result.verify.mismatches,
    });
  }

  // ---- Faults ----

  #scheduleFault(fault: ResolvedFault): void {
    const trigger = fault.trigger;
    switch (trigger.kind) {
      case 'at': {
        const clock = this.#world.clock;
        clock.setTimer(trigger.atNs - clock.nowNs(), () => this.#applyFault(fault));
        break;
      }
      case 'when':
        this.#conditions.arm(fault, trigger, (name) => this.#hosts.findIndex((host) => host.resolved.name === name));
        break;
    }
  }

  /**
   * A fault's condition just held (inside the event that made it hold): apply the fault `delay`
   * later as an event of its own, so a crash never runs inside the I/O completion that triggered
   * it. Past the duration it is not applied, as a fault timed after the end is dropped.
   */
  #conditionHeld(armed: ArmedFault): void {
    const clock = this.#world.clock;
    const fireAtNs = clock.nowNs() + armed.delayNs;
    this.#record({ tNs: clock.nowNs(), kind: 'fault-condition', index: armed.fault.index, condition: armed.description, fireAtNs });
    if (fireAtNs > this.#scenario.durationNs) return;
    clock.setTimer(armed.delayNs, () => this.#applyFault(armed.fault, armed.description));
  }

  /** Applies a fault now; `condition` describes what fired a conditional one (FaultRecord.trigger). */
  #applyFault(resolved: ResolvedFault, condition?: string): void {
    const fault = resolved.fault;
    const verb = verbOf(fault.action);
    const outcome = verb.simulate(fault, this.#faultWorld);
    const detail = outcome.detail;
    if (verb.heals) this.#healed(resolved, outcome.alsoResuming ?? []);
    const now = this.#world.nowNs;
    this.#faults.push({ atNs: now, action: fault.action, detail, ...(condition === undefined ? {} : { trigger: condition }) });
    const fp = this.#world.fingerprint;
    fp.mixString(fault.action);
    fp.mixNumber(now);
    this.#record({ tNs: now, kind: 'fault', action: fault.action, detail, ...(condition === undefined ? {} : { trigger: condition }) });
    this.#conditions.faultApplied(resolved.index);
  }

  /** Opens liveness checks for every host whose workload is running, plus `extra` hosts. */
  #healed(fault: ResolvedFault, extra: readonly number[]): void {
    const running = this.#hosts.filter((host) => host.running && !host.crashed).map((host) => host.resolved.index);
    const hosts = [...new Set([...running, ...extra])];
    this.#resume.healed(fault.index, fault.fault.action, this.#world.nowNs, hosts);
  }

  #withDevice(selector: DeviceSelector, apply: (backend: FaultyBackend, where: string) => string): string {
    const runtime = this.#targets.find((t) => t.resolved.name === selector.target) as TargetRuntime;
    const nqn = selector.nqn ?? runtime.resolved.subsystems[0]?.nqn ?? '';
    const key = `${nqn}/${selector.nsid ?? 1}`;
    const where = `${selector.target} ${key}`;
    const backend = runtime.backends.get(key);
    if (backend === undefined) return `${where}: not open, nothing done`;
    return apply(backend, where);
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
    for (const host of this.#hosts) {
      if (host.resolved.node !== name) continue;
      host.incarnation++;
      host.crashed = true;
      host.device?.crash();
      host.device = null;
      host.run = null;
      host.controller = null;
      host.running = false;
      this.#resume.hostGone(host.resolved.index);
    }
    for (const target of this.#targets) if (target.resolved.node === name) target.target = null;
  }

  #restartNode(name: string): string {
    const wasUp = this.#world.node(name).up;
    this.#world.restart(name);
    if (wasUp) this.#afterCrash(name);
    const runtime = this.#node(name);
    const fresh = this.#nodeRuntime(runtime.resolved);
    runtime.cpu = fresh.cpu;
    runtime.env = fresh.env;
    for (const target of this.#targets) if (target.resolved.node === name) void this.#startTarget(target);
    for (const host of this.#hosts) {
      if (host.resolved.node !== name) continue;
      host.incarnation++;
      host.crashed = false;
      void this.#startHost(host);
    }
    return `node ${name} restarted${wasUp ? ' (it was up: crashed first)' : ''}`;
  }

  /** Hosts on a restarted node that will run a workload again (they must resume too). */
  #restartedHosts(name: string): number[] {
    if (this.#world.nowNs >= this.#scenario.durationNs) return [];
    return this.#hosts.filter((host) => host.resolved.node === name && host.resolved.workload !== undefined).map((host) => host.resolved.index);
  }

  // ---- Running ----

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

  async #runPhase(endNs: number, phase: 'run' | 'drain'): Promise<void> {
    const world = this.#world;
    const scheduler = world.scheduler;
    const interval = Math.max(SLICE_NS, this.#options.progressIntervalNs ?? DEFAULT_PROGRESS_NS);
    let nextProgressNs = Math.ceil((scheduler.now + 1) / interval) * interval;
    const durationNs = this.#scenario.durationNs;
    while (scheduler.now < endNs) {
      if (phase === 'drain' && this.#drained()) break;
      const sliceEnd = Math.min(endNs, (Math.floor(scheduler.now / SLICE_NS) + 1) * SLICE_NS);
      await world.runUntilAsync(sliceEnd);
      const onProgress = this.#options.onProgress;
      if (onProgress !== undefined && scheduler.now >= nextProgressNs) {
        nextProgressNs = (Math.floor(scheduler.now / interval) + 1) * interval;
        const ios = this.#hosts.reduce((sum, host) => sum + host.stats.succeeded, 0);
        const errors = this.#hosts.reduce((sum, host) => sum + host.stats.failed, 0);
        onProgress({ fraction: Math.min(1, scheduler.now / durationNs), simNs: scheduler.now, phase, ios, errors });
      }
    }
  }

  /** Every workload has finished and no I/O is outstanding. */
  #drained(): boolean {
    return this.#hosts.every((host) => !host.running && host.stats.outstanding === 0);
  }

  #crashed(error: unknown): void {
    const text = error instanceof Error ? `${error.name}: ${error.message}${topFrame(error)}` : String(error);
    this.#crash = text;
    this.#record({ tNs: this.#world.nowNs, kind: 'crash', error: text });
  }

  #record(record: TraceRecord): void {
    this.#trace?.record(record);
  }

  // ---- Results ----

  #cpuResults(): CpuResult[] {
    return [...this.#nodes.values()].map((node) => {
      const utilisation = Array.from({ length: node.cpu.cores }, (_, core) => round(node.cpu.utilisation(core), 6));
      const mean = utilisation.reduce((sum, value) => sum + value, 0) / utilisation.length;
      return { node: node.resolved.name, profile: node.cpu.profile.name, utilisation, meanUtilisation: round(mean, 6) };
    });
  }

  #result(): ScenarioResult {
    const scenario = this.#scenario;
    const world = this.#world;
    const durationS = scenario.durationNs / NS_PER_S;
    const all = new LatencyHistogram();
    const perQueue: QueueCount[] = [];
    const perHost: HostResult[] = this.#hosts.map((host) => hostResult(host, host.crashed, durationS, all, perQueue));
    const invariants: InvariantResult[] = [
      {
        name: 'no-crash',
        ok: this.#crash === undefined,
        class: 'crash',
        detail: this.#crash ?? 'no exception escaped the simulation',
      },
      ...evaluateInvariants(
        scenario.invariants,
        this.#hosts.map((host) => ({
          name: host.resolved.name,
          stats: host.stats,
          verifyMismatches: host.verifyMismatches,
          connectError: host.connectError,
        })),
        this.#resume,
        world.nowNs,
      ),
    ];
    for (const invariant of invariants) {
      this.#record({ tNs: world.nowNs, kind: 'invariant', name: invariant.name, ok: invariant.ok, detail: invariant.detail });
    }
    const ios = perHost.reduce((sum, host) => sum + host.ios, 0);
    const bytes = perHost.reduce((sum, host) => sum + host.bytes, 0);
    const started = this.#hosts.filter((host) => host.stats.firstSubmitNs >= 0).map((host) => host.stats);
    const activeNs =
      started.length === 0 ? 0 : Math.max(...started.map((s) => s.lastCompletionNs)) - Math.min(...started.map((s) => s.firstSubmitNs));
    const failure = worstFailure(invariants);
    return {
      scenario: scenario.name,
      source: scenario.source,
      seed: scenario.seed,
      fingerprint: world.fingerprint.hex(),
      timeBase: 'virtual',
      simSeconds: world.nowNs / NS_PER_S,
      durationSeconds: durationS,
      wallSeconds: 0,
      events: world.scheduler.eventCount,
      ios,
      iops: round(ios / durationS, 3),
      bytes,
      activeSeconds: activeNs / NS_PER_S,
      bytesPerSecond: activeNs > 0 ? round((bytes * NS_PER_S) / activeNs, 3) : 0,
      latencyUs: latencyUs(all),
      errors: perHost.reduce((sum, host) => sum + host.errors, 0),
      lostInCrash: perHost.reduce((sum, host) => sum + host.lostInCrash, 0),
      perQueue,
      perHost,
      cpu: this.#cpuAtEnd,
      net: this.#netResult(),
      faultsApplied: this.#faults,
      invariants,
      ok: failure === undefined,
      ...(failure === undefined ? {} : { failure }),
    };
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
      tcp: tcpResult(tcp.total),
      tcpPerNode: [...tcp.perNode].map(([node, counters]) => ({ node, ...tcpResult(counters) })),
    };
  }
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
