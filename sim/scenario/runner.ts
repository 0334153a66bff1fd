// The run driver: runs a ResolvedScenario, simulated or with real Linux peers, and reports it. How
// the nodes run is a NodeRuntime (node-runtime.ts): SimNodes, the world in virtual time under one
// seed, or RealNodes, real Linux peers in real time. Everything else is the same for both and
// lives here: each host is the real NVMe/TCP host (connectController) on its node's environment,
// driven by the fio-like engine through submit(), behind a TrackedDevice that accounts for every
// I/O; faults fire at their times, or on conditions (fault-conditions.ts) that I/O completions,
// controller state changes and applied faults fire; after the duration, workloads stop issuing and
// the run drains, then the invariants are judged and the result, the trace and the failure class
// (the exit status) are made. Wall-clock time is never read here: the caller passes a clock in
// for wallSeconds.
import { createWriteStream, type WriteStream } from 'node:fs';
import { NS_PER_MS, NS_PER_S, type NodeEnv } from '../core/index.js';
import { JsonlTraceSink, type TraceRecord, type TraceSink } from '../core/index.js';
import type { BlockDevice } from '../host/index.js';
import { connectController, connectMultipath, type HostController, type MultipathNamespace } from '../host/index.js';
import { LatencyHistogram } from '../stats/index.js';
import { WorkloadRun } from '../workload/index.js';
import { resolveJob } from '../workload/index.js';
import type { ResolvedJob, WorkloadResult } from '../workload/index.js';
import { hostConnectOptions } from './connect-options.js';
import { FaultConditions, type ArmedFault } from './fault-conditions.js';
import { FailoverTracker } from './failover-tracker.js';
import { verbOf } from './fault-verbs/index.js';
import { directionTotals, hostResult, latencyUs, round } from './host-result.js';
import { evaluateInvariants, ResumeTracker } from './invariants.js';
import type { FaultOutcome, NodeRuntime, RunHooks } from './node-runtime.js';
import { checkRealPrerequisites } from './real-prerequisites.js';
import { hasRealNode, RealNodes } from './real-nodes.js';
import type { ResolvedFault, ResolvedHost, ResolvedPath, ResolvedScenario } from './resolved.js';
import { worstFailure, type FaultRecord, type HostResult, type InvariantResult, type PathResult, type QueueCount, type ScenarioResult } from './result.js';
import type { RunOptions } from './run-options.js';
import { SimNodes } from './sim-nodes.js';
import { HostIoStats, TrackedDevice } from './tracked-device.js';
import { faultWindows } from './fault-windows.js';
import { TimeSeriesRecorder, type TimeSeriesFault } from './time-series-recorder.js';
import { emptyWindow, type UtilisationMeter, type UtilisationResult } from './utilisation.js';
import { judgeBottleneck } from './bottleneck.js';
import type { StepRunner } from './step-runner.js';
import type { StepHost, StepsResult } from './steps.js';

export type { RunOptions, RunProgress } from './run-options.js';

interface HostRuntime {
  readonly resolved: ResolvedHost;
  readonly stats: HostIoStats;
  /** Bumped on every crash and restart; stale async continuations compare against it. */
  incarnation: number;
  crashed: boolean;
  controller: HostController | null;
  /** A multipath host's namespace head (null for a one-path host). */
  head: MultipathNamespace | null;
  failovers: FailoverTracker | null;
  device: TrackedDevice | null;
  run: WorkloadRun | null;
  /** The job its workload last started with (its fio job options), null before any. */
  job: ResolvedJob | null;
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
  let run: ScenarioRun | undefined;
  try {
    // A real Linux peer takes part: the run happens in real time on real sockets (real-nodes.ts).
    // Steps need fake timers (@sinonjs/fake-timers): loaded only by a scenario that has steps, so
    // that every other run (each study worker, each soak seed) starts without them.
    const Steps = scenario.steps === undefined ? undefined : (await import('./step-runner.js')).StepRunner;
    run = new ScenarioRun(scenario, sink, options, real, Steps);
    const result = await run.run();
    // A step applied a fault that is not valid in this scenario: bad input (exit status 2), not a verdict.
    const usage = run.stepsUsageError;
    if (usage !== undefined) throw usage;
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
  readonly #trace: TraceSink | null;
  readonly #nodes: NodeRuntime;
  readonly #hosts: HostRuntime[];
  readonly #resume: ResumeTracker;
  readonly #faults: FaultRecord[] = [];
  readonly #faultErrors: string[] = [];
  readonly #conditions = new FaultConditions((armed) => this.#conditionHeld(armed));
  #crash: string | undefined;
  readonly #series: TimeSeriesRecorder;
  #meter: UtilisationMeter | null = null;
  #seriesDone = false;
  readonly #steps: StepRunner | null;
  #stepsResult: StepsResult | undefined;

  constructor(scenario: ResolvedScenario, trace: TraceSink | null, options: RunOptions, real: boolean, Steps: typeof StepRunner | undefined) {
    this.#scenario = scenario;
    this.#options = options;
    this.#trace = trace;
    this.#hosts = scenario.hosts.map((resolved) => ({
      resolved,
      stats: new HostIoStats(resolved.connect.nrIoQueues, {
        durationNs: scenario.durationNs,
        openLoop: (resolved.workload?.job.rateIops ?? 0) > 0,
      }),
      incarnation: 0,
      crashed: false,
      controller: null,
      head: null,
      failovers: null,
      device: null,
      run: null,
      job: null,
      running: false,
      verifyChecked: 0,
      verifyMismatches: 0,
      connectError: undefined,
    }));
    this.#resume = new ResumeTracker(scenario.hosts.length);
    const hooks: RunHooks = {
      record: (record) => this.#record(record),
      nodeCrashed: (node) => this.#nodeCrashed(node),
      nodeRestarted: (node) => this.#nodeRestarted(node),
      restartedHosts: (node) => this.#restartedHosts(node),
      sliceEnded: (nowNs) => {
        this.#series.advance(nowNs);
        this.#steps?.sliceEnded(nowNs);
      },
    };
    const steps = scenario.steps;
    this.#steps =
      steps === undefined || Steps === undefined
        ? null
        : new Steps(steps.run, {
            nowNs: () => this.#nodes.nowNs(),
            hosts: () => this.#hosts.map(stepHost),
            checkFault: steps.checkFault,
            applyFault: (fault) => this.#applyFault({ index: -1, trigger: { kind: 'at', atNs: this.#nodes.nowNs() }, fault }, 'steps'),
          });
    this.#nodes = real ? new RealNodes(scenario, options, hooks) : new SimNodes(scenario, trace, options, hooks);
    this.#series = new TimeSeriesRecorder({
      intervalNs: seriesIntervalNs(options, real),
      hosts: scenario.hosts.map((host) => ({ name: host.name, queues: host.connect.nrIoQueues, queueSize: host.connect.queueSize })),
      perQueue: options.timeSeriesPerQueue ?? false,
      sampler: null,
    });
    this.#hosts.forEach((host, index) => (host.stats.observer = this.#series.observer(index)));
  }

  /** Stops what outlives the run (real peers), also after a failed boot or a crash. */
  close(): Promise<void> {
    this.#steps?.close();
    return this.#nodes.close(this.#hosts);
  }

  /** A step's fault that failed validation (the run then ends in that usage error). */
  get stepsUsageError(): Error | undefined {
    return this.#steps?.usageError;
  }

  async run(): Promise<ScenarioResult> {
    const scenario = this.#scenario;
    const nodes = this.#nodes;
    const timeBase = nodes.timeBase === 'real' ? { timeBase: 'real' } : {};
    this.#record({ tNs: 0, kind: 'scenario', name: scenario.name, seed: scenario.seed, durationNs: scenario.durationNs, ...timeBase });
    nodes.build();
    const meter = nodes.utilisationMeter?.() ?? null;
    this.#meter = meter;
    this.#series.attachSampler(meter);
    try {
      await nodes.startTargets();
      for (const fault of scenario.faults) this.#scheduleFault(fault);
      if (nodes.timeBase === 'real') this.#seriesTimer();
      for (const host of this.#hosts) void this.#startHost(host);
      // Beside the timeline from time 0; their timers run on the simulated clock until finish().
      this.#steps?.start();
      await nodes.runPhase(scenario.durationNs, 'run', () => this.#drained(), () => this.#progress('run'));
      nodes.durationEnded();
      this.#series.durationEnded(nodes.nowNs());
      await nodes.runPhase(scenario.durationNs + scenario.drainNs, 'drain', () => this.#drained(), () => this.#progress('drain'));
      await nodes.finish();
      this.#finishSeries();
    } catch (error) {
      const crash = nodes.describeCrash(error);
      this.#crash = crash.text;
      this.#record({ tNs: crash.tNs, kind: 'crash', error: crash.text });
      this.#finishSeries();
    } finally {
      this.#stepsResult = this.#steps?.finish();
    }
    return this.#result();
  }

  // ---- Hosts ----

  /** Connects (like `nvme connect`), opens the namespace and starts the workload. */
  async #startHost(host: HostRuntime): Promise<void> {
    const incarnation = host.incarnation;
    const name = host.resolved.name;
    const nodes = this.#nodes;
    const env = nodes.hostEnv(host.resolved);
    const connect = host.resolved.connect;
    // The host's node as it is now: a restart gives it a new environment (and the host a new incarnation).
    const target = this.#scenario.targets.find((t) => t.name === connect.target);
    if (connect.paths.length > 1) {
      await this.#startMultipathHost(host, env);
      return;
    }
    try {
      if (target === undefined) throw new Error(`no target named '${connect.target}'`);
      const address = nodes.targetAddress(target, (connect.paths[0] as ResolvedPath).port);
      const controller = await connectController(env, hostConnectOptions(connect, address.ip, address.port));
      if (host.incarnation !== incarnation) return;
      host.controller = controller;
      host.connectError = undefined;
      controller.onStateChange((state, previous) => {
        this.#record({ tNs: nodes.nowNs(), kind: 'host-state', host: name, state, previous });
        this.#conditions.hostState(host.resolved.index, state);
      });
      // The first connect happened before anyone listened: it counts as reaching 'live'.
      this.#conditions.hostState(host.resolved.index, controller.state);
      const device = await controller.namespace(connect.nsid);
      if (host.incarnation !== incarnation) return;
      this.#scheduleWorkload(host, controller, device, env);
    } catch (error) {
      if (host.incarnation !== incarnation) return;
      host.connectError = nodes.describeError(error);
      this.#record({ tNs: nodes.nowNs(), kind: 'host-connect-failed', host: name, error: host.connectError });
    }
  }

  /**
   * Connects every path into one multipath subsystem (as `nvme connect` to each port with native
   * multipath on) and runs the workload on the namespace head. Each controller's state changes are
   * recorded per path; conditions see the first path's controller.
   */
  async #startMultipathHost(host: HostRuntime, env: NodeEnv): Promise<void> {
    const incarnation = host.incarnation;
    const name = host.resolved.name;
    const nodes = this.#nodes;
    const connect = host.resolved.connect;
    try {
      const paths = connect.paths.map((route) => {
        const target = this.#scenario.targets.find((t) => t.name === route.target);
        if (target === undefined) throw new Error(`no target named '${route.target}'`);
        const address = nodes.targetAddress(target, route.port);
        return hostConnectOptions(connect, address.ip, address.port);
      });
      const subsystem = await connectMultipath(env, paths, { iopolicy: connect.iopolicy });
      if (host.incarnation !== incarnation) return;
      const first = subsystem.controllers[0] as HostController;
      host.controller = first;
      host.connectError = undefined;
      subsystem.controllers.forEach((controller, index) => {
        const path = (connect.paths[index] as ResolvedPath).label;
        controller.onStateChange((state, previous) => {
          this.#record({ tNs: nodes.nowNs(), kind: 'host-state', host: name, path, state, previous });
          if (index === 0) this.#conditions.hostState(host.resolved.index, state);
        });
      });
      this.#conditions.hostState(host.resolved.index, first.state);
      const head = subsystem.namespace(connect.nsid);
      host.head = head;
      host.failovers = new FailoverTracker(head, connect.paths.map((route) => route.label), () => nodes.nowNs());
      this.#scheduleWorkload(host, first, head, env);
    } catch (error) {
      if (host.incarnation !== incarnation) return;
      host.connectError = nodes.describeError(error);
      this.#record({ tNs: nodes.nowNs(), kind: 'host-connect-failed', host: name, error: host.connectError });
    }
  }

  #scheduleWorkload(host: HostRuntime, controller: HostController, device: BlockDevice, env: NodeEnv): void {
    const workload = host.resolved.workload;
    if (workload === undefined) return;
    const nodes = this.#nodes;
    const incarnation = host.incarnation;
    const begin = (): void => {
      if (host.incarnation !== incarnation) return;
      const now = nodes.nowNs();
      const runtimeNs = this.#scenario.durationNs - now;
      if (runtimeNs <= 0) return;
      const index = host.resolved.index;
      const conditions = this.#conditions;
      const tracked = new TrackedDevice(device, env.clock, host.stats, nodes.fingerprint, index, () => {
        this.#resume.succeeded(index, nodes.nowNs());
        conditions.ioSucceeded(index);
      });
      // Validation already ran these checks against the namespace's geometry.
      // Spread over the queues the controller granted (Set Features may give fewer than asked).
      const queues = controller.ioQueueCount > 0 ? controller.ioQueueCount : workload.job.queues;
      const job = resolveJob(
        // A job file's runtime may end the job before the scenario does.
        { ...workload.job, ...(queues === undefined ? {} : { queues }), runtimeNs: Math.min(runtimeNs, workload.job.runtimeNs ?? Infinity), streamPrefix: nodes.workloadStream(incarnation) },
        device,
      );
      const run = new WorkloadRun({ clock: env.clock, rng: env.rng }, tracked, job, nodes.workloadLatencyHistogram ? {} : { latencyHistogram: false });
      host.device = tracked;
      host.run = run;
      host.job = job;
      host.running = true;
      this.#record({ tNs: now, kind: 'workload-start', host: host.resolved.name, runtimeNs });
      run.start((result) => this.#workloadDone(host, incarnation, result));
    };
    const delayNs = workload.startAtNs - nodes.nowNs();
    if (delayNs > 0) nodes.setTimer(delayNs, begin);
    else begin();
  }

  #workloadDone(host: HostRuntime, incarnation: number, result: WorkloadResult): void {
    if (host.incarnation !== incarnation) return;
    host.running = false;
    host.verifyChecked += result.verify.blocksChecked;
    host.verifyMismatches += result.verify.mismatches;
    this.#record({
      tNs: this.#nodes.nowNs(),
      kind: 'workload-end',
      host: host.resolved.name,
      ended: result.ended,
      errors: result.errors,
      mismatches: result.verify.mismatches,
    });
  }

  /** Bookkeeping for the hosts of a node that just died. */
  #nodeCrashed(name: string): void {
    for (const host of this.#hosts) {
      if (host.resolved.node !== name) continue;
      host.incarnation++;
      host.crashed = true;
      host.device?.crash();
      host.device = null;
      host.run = null;
      host.controller = null;
      host.head = null;
      host.failovers = null;
      host.running = false;
      this.#resume.hostGone(host.resolved.index);
    }
  }

  /** The hosts of a restarted node connect again, as a new incarnation. */
  #nodeRestarted(name: string): void {
    for (const host of this.#hosts) {
      if (host.resolved.node !== name) continue;
      host.incarnation++;
      host.crashed = false;
      void this.#startHost(host);
    }
  }

  /** Hosts on a restarted node that will run a workload again (they must resume too). */
  #restartedHosts(name: string): number[] {
    if (this.#nodes.nowNs() >= this.#scenario.durationNs) return [];
    return this.#hosts.filter((host) => host.resolved.node === name && host.resolved.workload !== undefined).map((host) => host.resolved.index);
  }

  // ---- Faults ----

  #scheduleFault(fault: ResolvedFault): void {
    const trigger = fault.trigger;
    switch (trigger.kind) {
      case 'at':
        this.#nodes.setTimer(trigger.atNs - this.#nodes.nowNs(), () => this.#applyFault(fault));
        break;
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
    const nodes = this.#nodes;
    const fireAtNs = nodes.nowNs() + armed.delayNs;
    this.#record({ tNs: nodes.nowNs(), kind: 'fault-condition', index: armed.fault.index, condition: armed.description, fireAtNs });
    if (fireAtNs > this.#scenario.durationNs) return;
    nodes.setTimer(armed.delayNs, () => this.#applyFault(armed.fault, armed.description));
  }

  /** Applies a fault now; `condition` describes what fired a conditional one (FaultRecord.trigger). */
  #applyFault(resolved: ResolvedFault, condition?: string): void {
    this.#nodes.applyFault(resolved, (outcome) => this.#faultApplied(resolved, outcome, condition));
  }

  #faultApplied(resolved: ResolvedFault, outcome: FaultOutcome, condition: string | undefined): void {
    const nodes = this.#nodes;
    const action = resolved.fault.action;
    const detail = outcome.detail;
    if (outcome.error !== undefined) this.#faultErrors.push(`faults[${resolved.index}] ${action}: ${outcome.error}`);
    else if (verbOf(action).heals) this.#healed(resolved, outcome.alsoResuming ?? []);
    const now = nodes.nowNs();
    const trigger = condition === undefined ? {} : { trigger: condition };
    this.#faults.push({ atNs: now, action, detail, ...trigger });
    const fp = nodes.fingerprint;
    fp.mixString(action);
    fp.mixNumber(now);
    // A real run's trace says when each fault was due, as it takes effect some time after.
    const scheduled = nodes.timeBase === 'real' && resolved.trigger.kind === 'at' ? { scheduledNs: resolved.trigger.atNs } : {};
    this.#record({ tNs: now, kind: 'fault', action, detail, ...trigger, ...scheduled });
    this.#conditions.faultApplied(resolved.index);
  }

  /** Opens liveness checks for every host whose workload is running, plus `extra` hosts. */
  #healed(fault: ResolvedFault, extra: readonly number[]): void {
    const running = this.#hosts.filter((host) => host.running && !host.crashed).map((host) => host.resolved.index);
    const hosts = [...new Set([...running, ...extra])];
    this.#resume.healed(fault.index, fault.fault.action, this.#nodes.nowNs(), hosts);
  }

  // ---- Running ----

  /** Every workload has finished and no I/O is outstanding. */
  #drained(): boolean {
    return this.#hosts.every((host) => !host.running && host.stats.outstanding === 0);
  }

  #progress(phase: 'run' | 'drain'): void {
    const onProgress = this.#options.onProgress;
    if (onProgress === undefined) return;
    const now = this.#nodes.nowNs();
    const ios = this.#hosts.reduce((sum, host) => sum + host.stats.succeeded, 0);
    const errors = this.#hosts.reduce((sum, host) => sum + host.stats.failed, 0);
    onProgress({ fraction: Math.min(1, now / this.#scenario.durationNs), simNs: now, phase, ios, errors });
  }

  /** Real runs close intervals from a timer on the run's clock (a simulated run closes them between slices). */
  #seriesTimer(): void {
    const series = this.#series;
    const tick = (): void => {
      if (this.#seriesDone) return;
      series.advance(this.#nodes.nowNs());
      this.#nodes.setTimer(series.intervalNs, tick);
    };
    this.#nodes.setTimer(series.intervalNs, tick);
  }

  #finishSeries(): void {
    if (this.#seriesDone) return;
    this.#seriesDone = true;
    this.#series.finish(this.#nodes.endNs());
  }

  #record(record: TraceRecord): void {
    this.#trace?.record(record);
  }

  // ---- Results ----

  #result(): ScenarioResult {
    const scenario = this.#scenario;
    const summary = this.#nodes.summary({ applied: this.#faults.length, errors: this.#faultErrors });
    const endNs = this.#nodes.endNs();
    const durationS = scenario.durationNs / NS_PER_S;
    const all = new LatencyHistogram();
    const allClat = new LatencyHistogram();
    const perQueue: QueueCount[] = [];
    const perHost: HostResult[] = this.#hosts.map((host) => withPaths(host, hostResult(host, host.crashed, durationS, all, allClat, perQueue)));
    const openLoop = this.#hosts.some((host) => host.stats.clat !== undefined);
    const invariants: InvariantResult[] = [
      { name: 'no-crash', ok: this.#crash === undefined, class: 'crash', checked: summary.events, detail: this.#crash ?? summary.noCrashDetail },
      ...summary.verdicts,
      ...evaluateInvariants(
        scenario.invariants,
        this.#hosts.map((host) => ({
          name: host.resolved.name,
          stats: host.stats,
          hasWorkload: host.resolved.workload !== undefined,
          verify: host.resolved.workload?.job.verify === true,
          verifyChecked: host.verifyChecked,
          verifyMismatches: host.verifyMismatches,
          connectError: host.connectError,
          multipath: host.resolved.connect.paths.length > 1,
        })),
        this.#resume,
        endNs,
      ),
      ...stepsVerdict(this.#stepsResult),
    ];
    for (const invariant of invariants) {
      this.#record({ tNs: endNs, kind: 'invariant', name: invariant.name, ok: invariant.ok, detail: invariant.detail });
    }
    const ios = perHost.reduce((sum, host) => sum + host.ios, 0);
    const bytes = perHost.reduce((sum, host) => sum + host.bytes, 0);
    // IOPS and bandwidth count only what completed within the duration, not the drain.
    const iosInDuration = this.#hosts.reduce((sum, host) => sum + host.stats.inDuration, 0);
    const bytesInDuration = this.#hosts.reduce((sum, host) => sum + host.stats.bytesInDuration, 0);
    const started = this.#hosts.filter((host) => host.stats.firstSubmitNs >= 0).map((host) => host.stats);
    const lastInDuration = Math.min(scenario.durationNs, Math.max(...started.map((s) => s.lastCompletionNs)));
    const activeNs = started.length === 0 ? 0 : Math.max(0, lastInDuration - Math.min(...started.map((s) => s.firstSubmitNs)));
    const failure = worstFailure(invariants);
    const utilisation: UtilisationResult = { ...(this.#meter?.window() ?? emptyWindow()), queueSlots: this.#series.queueSlotTotals(endNs) };
    return {
      scenario: scenario.name,
      source: scenario.source,
      seed: scenario.seed,
      fingerprint: summary.fingerprint,
      timeBase: this.#nodes.timeBase,
      simSeconds: summary.simSeconds,
      durationSeconds: durationS,
      wallSeconds: 0,
      events: summary.events,
      ios,
      iops: round(iosInDuration / durationS, 3),
      bytes,
      activeSeconds: activeNs / NS_PER_S,
      bytesPerSecond: activeNs > 0 ? round((bytesInDuration * NS_PER_S) / activeNs, 3) : 0,
      latencyUs: latencyUs(all),
      ...(openLoop ? { clatUs: latencyUs(allClat) } : {}),
      read: directionTotals(this.#hosts.map((host) => host.stats.read), durationS, activeNs),
      write: directionTotals(this.#hosts.map((host) => host.stats.write), durationS, activeNs),
      errors: perHost.reduce((sum, host) => sum + host.errors, 0),
      lostInCrash: perHost.reduce((sum, host) => sum + host.lostInCrash, 0),
      perQueue,
      perHost,
      cpu: [...summary.cpu],
      net: summary.net,
      faultsApplied: this.#faults,
      invariants,
      ...(this.#stepsResult === undefined ? {} : { steps: this.#stepsResult }),
      timeSeries: this.#series.result(withFailovers(faultWindows(this.#faults), perHost)),
      utilisation,
      bottleneck: judgeBottleneck(utilisation, this.#meter !== null),
      ok: failure === undefined,
      ...(failure === undefined ? {} : { failure }),
      ...(summary.realPeers === undefined ? {} : { realPeers: [...summary.realPeers] }),
    };
  }
}

/**
 * The time series' event list with each multipath failover as an event of its own ('failover'),
 * its window the stall (or, for one that ended in failed I/O, until the failure), among the faults by time (a stable sort keeps same-time faults in order).
 */
function withFailovers(faults: readonly TimeSeriesFault[], hosts: readonly HostResult[]): TimeSeriesFault[] {
  const events: TimeSeriesFault[] = hosts.flatMap((host) =>
    (host.failovers ?? []).map((event) => {
      const noPath = event.noPathMs === undefined ? '' : `, no usable path from ${event.noPathMs} ms`;
      const end = event.failedMs !== undefined ? `, I/O failed at ${event.failedMs} ms` : event.stallMs === null ? '' : `, ${event.stallMs} ms stall`;
      const untilMs = event.failedMs ?? (event.stallMs === null ? undefined : round(event.atMs + event.stallMs, 6));
      return {
        tMs: event.atMs,
        action: 'failover',
        detail: `${host.host}: ${event.fromPath} -> ${event.toPath ?? 'no path'}${noPath}${end}`,
        ...(untilMs === undefined ? {} : { untilMs }),
      };
    }),
  );
  if (events.length === 0) return [...faults];
  return [...faults, ...events].sort((a, b) => a.tMs - b.tMs);
}

/** A host as the steps see it, now. */
function stepHost(host: HostRuntime): StepHost {
  const stats = host.stats;
  return {
    name: host.resolved.name,
    state: host.controller?.state ?? 'none',
    ios: stats.succeeded,
    errors: stats.failed,
    outstanding: stats.outstanding,
    perQueue: [...stats.perQueue],
  };
}

/** The steps' verdict: a correctness failure (exit status 129) naming what failed and when. */
function stepsVerdict(steps: StepsResult | undefined): InvariantResult[] {
  if (steps === undefined) return [];
  const at = steps.endedAtMs === null ? '' : ` at ${steps.endedAtMs} ms`;
  const detail = steps.error === undefined ? `steps finished${at}` : `${steps.error}${at}`;
  return [{ name: 'steps', ok: steps.ok, class: 'correctness', checked: steps.log.length, detail }];
}

/** A multipath host's result gains its paths and failover events. */
function withPaths(host: HostRuntime, result: HostResult): HostResult {
  const head = host.head;
  if (head === null) return result;
  const routes = host.resolved.connect.paths;
  const paths: PathResult[] = head.paths().map((path, index) => ({
    name: path.name,
    target: routes[index]?.target ?? '',
    port: routes[index]?.port ?? 0,
    state: path.state,
    anaState: path.anaState,
    completed: path.stats.completed,
    errors: path.stats.errors,
    failovers: path.stats.failovers,
    latencyUs: latencyUs(path.stats.latency),
  }));
  return { ...result, paths, failovers: host.failovers?.result() ?? [] };
}

/** Default 10 ms of simulated time (whole 1 ms slices: intervals close between slices), 100 ms of wall time. */
function seriesIntervalNs(options: RunOptions, real: boolean): number {
  const asked = options.timeSeriesIntervalNs;
  if (real) return asked ?? 100 * NS_PER_MS;
  return asked === undefined ? 10 * NS_PER_MS : Math.max(1, Math.ceil(asked / NS_PER_MS)) * NS_PER_MS;
}
