// How the nodes of one run run: simulated in virtual time (sim-nodes.ts), or with real Linux peers
// in real time (real-nodes.ts). The run driver (runner.ts) owns everything else, the same for
// both: the hosts and their workloads, the fault timeline and its conditions, the invariants, the
// trace, the summary and the exit status. A runtime owns the clock, the targets, the network and
// the faults' effect on them, and what the report says only it can (fingerprint, CPU, network).
import type { Fingerprint, NodeEnv, TraceRecord } from '../core/index.js';
import type { HostController } from '../host/index.js';
import type { WorkloadRun } from '../workload/index.js';
import type { SimFaultOutcome } from './fault-verbs/index.js';
import type { ResolvedFault, ResolvedHost, ResolvedTarget } from './resolved.js';
import type { UtilisationMeter } from './utilisation.js';
import type { CpuResult, InvariantResult, NetResult, RealPeerResult } from './result.js';

/** What a runtime may ask of the driver. */
export interface RunHooks {
  record(record: TraceRecord): void;
  /** The node died: everything its hosts ran is gone (their I/O in flight is lost). */
  nodeCrashed(node: string): void;
  /** The node is back: its hosts connect again and restart their workload. */
  nodeRestarted(node: string): void;
  /** Hosts on a restarted node that will run a workload again (they must resume too). */
  restartedHosts(node: string): readonly number[];
  /** Simulated runs: virtual time reached a slice boundary of the run loop (the time series closes intervals there). */
  sliceEnded?(nowNs: number): void;
}

/** A fault once applied: the report's line, hosts besides the running ones that must resume, and a failure to apply it. */
export interface FaultOutcome extends SimFaultOutcome {
  /** Set when applying it failed (a real peer's command); the run then fails 'faults-applied'. */
  readonly error?: string;
}

/** What a runtime's summary adds to the result. */
export interface RuntimeSummary {
  readonly fingerprint: string;
  readonly simSeconds: number;
  readonly events: number;
  readonly cpu: readonly CpuResult[];
  readonly net: NetResult;
  /** The no-crash verdict's detail when nothing escaped. */
  readonly noCrashDetail: string;
  /** Verdicts of its own, reported after no-crash. */
  readonly verdicts: readonly InvariantResult[];
  readonly realPeers?: readonly RealPeerResult[];
}

/** A host as the runtime's close() sees it (real runs disconnect their hosts before the peers stop). */
export interface HostHandle {
  run: WorkloadRun | null;
  controller: HostController | null;
}

export interface NodeRuntime {
  readonly timeBase: 'virtual' | 'real';
  /** Nanoseconds since time 0 (when the targets listen). */
  nowNs(): number;
  /** Calls `fn` `delayNs` from now, on the run's clock. */
  setTimer(delayNs: number, fn: () => void): void;
  /** Builds what the run needs before anything runs (a failure here is not a crash of the run). */
  build(): void;
  /** Starts the targets (booting real peers first); time 0 is when this resolves. */
  startTargets(): Promise<void>;
  /** The environment a host runs in (its node's, now). */
  hostEnv(host: ResolvedHost): NodeEnv;
  /** Where a host reaches a target's port (by its ID). */
  targetAddress(target: ResolvedTarget, portId: number): { readonly ip: string; readonly port: number };
  /** What TrackedDevice mixes completions into. */
  readonly fingerprint: Fingerprint;
  /** The random stream prefix of a host's workload in its `incarnation`. */
  workloadStream(incarnation: number): string;
  /** Whether workloads keep their own latency histograms (the host's stats always do). */
  readonly workloadLatencyHistogram: boolean;
  /** Applies a fault now (or, for real peers, after the ones before it); reports when done. */
  applyFault(fault: ResolvedFault, done: (outcome: FaultOutcome) => void): void;
  /** Runs until `endNs`, or for the drain until `drained()`; calls `progress` along the way. */
  runPhase(endNs: number, phase: 'run' | 'drain', drained: () => boolean, progress: () => void): Promise<void>;
  /** The duration is over (the drain starts). */
  durationEnded(): void;
  /** After the drain: what is still being applied, and the counters read at the end. */
  finish(): Promise<void>;
  /** When the run ended (invariants are judged then). */
  endNs(): number;
  /** A host's connect failure, in one line. */
  describeError(error: unknown): string;
  /** An exception that escaped the run, for the no-crash verdict, and when. */
  describeCrash(error: unknown): { readonly text: string; readonly tNs: number };
  /** What the report says only the runtime can; `faults` are those applied so far and the failures among them. */
  summary(faults: { readonly applied: number; readonly errors: readonly string[] }): RuntimeSummary;
  /** What measures the resources' utilisation per interval (simulated runs); absent or null: nothing. */
  utilisationMeter?(): UtilisationMeter | null;
  /** Stops what outlives the run (real peers); always called, also after a failure. */
  close(hosts: readonly HostHandle[]): Promise<void>;
}
