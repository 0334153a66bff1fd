// What a scenario run reports. Everything here is a deterministic function of the scenario and the
// seed except wallSeconds, so two runs with the same seed produce identical results apart from it
// (the determinism tests compare exactly that). Failure classes follow TigerBeetle's VOPR
// (src/testing/cluster.zig Failure): crash, liveness, correctness, each with its own exit status.
import type { TcpResult } from '../stats/index.js';
import type { FioJob } from '../workload/index.js';
import type { Bottleneck } from './bottleneck.js';
import type { TimeSeriesResult } from './time-series-recorder.js';
import type { UtilisationResult } from './utilisation.js';
import type { StepsResult } from './steps.js';

export type FailureClass = 'crash' | 'liveness' | 'correctness';

/** Exit statuses per failure class (TigerBeetle's 127/128/129). */
export const FAILURE_EXIT_STATUS: Readonly<Record<FailureClass, number>> = {
  crash: 127,
  liveness: 128,
  correctness: 129,
};

export interface InvariantResult {
  /** e.g. 'ios-accounted', 'io-resumes', 'no-crash'. */
  readonly name: string;
  readonly ok: boolean;
  /** The class a failure of this check belongs to. */
  readonly class: FailureClass;
  /**
   * How much the check covered: I/Os, blocks, resumptions, hosts (CHECKED_INVARIANTS[].counts
   * says which). A check that covered nothing where the scenario asked for something fails.
   */
  readonly checked: number;
  readonly detail: string;
}

/**
 * Latency of successful I/Os in microseconds (from an HDR histogram, within 0.1%; per queue within
 * 1%): from submission to completion, or in open loop from each I/O's arrival.
 */
export interface LatencyUs {
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly mean: number;
}

/**
 * Reads or writes alone (fio's JSON "read" and "write" sections), so a mixed workload (randrw, rw
 * with rwmixread) shows each direction's rate and latency. A direction with no I/O reports zeros.
 */
export interface DirectionTotals {
  /** Successful I/Os. */
  readonly ios: number;
  /** Failed I/Os (an error status). */
  readonly errors: number;
  /** Successful I/Os completed within the duration, per second of the duration. */
  readonly iops: number;
  readonly bytes: number;
  /** Bytes completed within the duration over the same window as the total's bytesPerSecond. */
  readonly bytesPerSecond: number;
  readonly latencyUs: LatencyUs;
}

export interface QueueCount {
  readonly host: string;
  /** NVMe queue ID (1-based I/O queue). */
  readonly qid: number;
  /** Successful I/Os issued on this queue. */
  readonly ios: number;
  /** Latency of this queue's I/Os (from the arrival in open loop). */
  readonly latencyUs?: LatencyUs;
}

export interface HostResult {
  readonly host: string;
  readonly node: string;
  readonly target: string;
  readonly nqn: string;
  /** Controller state at the end ('live', 'connecting', 'deleted', ...; 'crashed' or 'never connected'). */
  readonly state: string;
  readonly ios: number;
  readonly errors: number;
  /** Successful I/Os completed within the duration, per second of the duration. */
  readonly iops: number;
  readonly bytes: number;
  /**
   * Seconds from the host's first submission to its last completion within the duration: the
   * window its I/O was flowing in (connection set-up and the drain excluded).
   */
  readonly activeSeconds: number;
  /** Bytes completed within the duration / activeSeconds: the throughput a link-bound workload reaches. */
  readonly bytesPerSecond: number;
  /** From submission, or in open loop from each I/O's arrival (fio's lat). */
  readonly latencyUs: LatencyUs;
  /** Open loop only: from submission to completion (fio's clat). */
  readonly clatUs?: LatencyUs;
  /** Reads and writes alone (absent in results saved by versions before the split). */
  readonly read?: DirectionTotals;
  readonly write?: DirectionTotals;
  /** Successful reconnects of the last controller incarnation. */
  readonly reconnects: number;
  /** I/Os in flight when the host crashed (they neither complete nor fail). */
  readonly lostInCrash: number;
  /** I/Os still outstanding at the end of the drain. */
  readonly outstanding: number;
  readonly verify: { readonly blocksChecked: number; readonly mismatches: number };
  /** Why the host never ran its workload, if it did not. */
  readonly error?: string;
  /**
   * The host's workload in fio's JSON job shape (fio --output-format=json+, latency bins
   * included), over all its incarnations; absent when it never started one.
   */
  readonly fio?: FioJob;
  /** A multipath host's paths (connect.paths), in order: what each carried. */
  readonly paths?: readonly PathResult[];
  /** A multipath host's failover events (failover-tracker.ts), by start time. */
  readonly failovers?: readonly FailoverResult[];
}

/** One path of a multipath host, over the host's last incarnation. */
export interface PathResult {
  /** "traddr:trsvcid". */
  readonly name: string;
  /** The scenario target the path goes to. */
  readonly target: string;
  /** The target's port ID. */
  readonly port: number;
  /** Controller state at the end. */
  readonly state: string;
  readonly anaState: string;
  readonly completed: number;
  /** Errors this path handed to the application (not path errors). */
  readonly errors: number;
  /** Commands that failed on this path and went to another (or waited for one). */
  readonly failovers: number;
  /** Of successful commands, from dispatch on this path to completion. */
  readonly latencyUs: LatencyUs;
}

/** One failover: I/O caught on `fromPath` completing on `toPath`. */
export interface FailoverResult {
  readonly fromPath: string;
  /** Null: no success on another path before the end. */
  readonly toPath: string | null;
  /** The last success on the failed path (ms since the start). */
  readonly atMs: number;
  /** When the first I/O failed over from it. */
  readonly detectedMs: number;
  /** From atMs to the first success on another path after detectedMs; null when none came. */
  readonly stallMs: number | null;
  /** When I/O first found no usable path during the event (absent: some path stayed usable). */
  readonly noPathMs?: number;
  /** When I/O failed for want of any path that could come back, ending the event (absent: it did not). */
  readonly failedMs?: number;
}

export interface CpuResult {
  readonly node: string;
  readonly profile: string;
  /**
   * Busy fraction per core over the run (at the end of the duration), summed over every
   * incarnation of the node: time it was down after a crash counts as idle.
   */
  readonly utilisation: readonly number[];
  readonly meanUtilisation: number;
}

export interface NetResult {
  readonly delivered: number;
  readonly dropped: number;
  readonly droppedByReason: Readonly<Record<string, number>>;
  readonly duplicated: number;
  readonly reordered: number;
  readonly corrupted: number;
  readonly silentlyCorrupted: number;
  /** Frames switch ports marked ECN Congestion Experienced (switch.ecnMarkThresholdBytes). */
  readonly ecnMarked: number;
  /** TCP counters summed over every connection of every node, closed ones included. */
  readonly tcp: TcpResult;
  /** The same per node (over all its incarnations), in the scenario's node order. */
  readonly tcpPerNode: readonly NodeTcpResult[];
}

export type { TcpResult };

export interface NodeTcpResult extends TcpResult {
  readonly node: string;
}

/** One real Linux peer of a real-time run. */
export interface RealPeerResult {
  readonly node: string;
  readonly runtime: string;
  /** Guest kernel release and QEMU accelerator. */
  readonly kernel: string;
  readonly accel: string;
  readonly bootSeconds: number;
  /** Every tc command the run sent to the guest, in order. */
  readonly tcCommands: readonly string[];
  /** `tc -s qdisc show dev eth0` in the guest at the end of the run (netem counters included). */
  readonly qdiscAtEnd: string;
}

export interface FaultRecord {
  /** When the fault was applied (for a conditional fault: when it fired, delay included). */
  readonly atNs: number;
  readonly action: string;
  readonly detail: string;
  /** Conditional faults only: the condition that fired it, e.g. '10000 I/Os completed on h1, +500ms'. */
  readonly trigger?: string;
}

export interface ScenarioResult {
  readonly scenario: string;
  readonly source: string;
  readonly seed: string;
  /**
   * Hash of every packet delivery, drop, node event and I/O completion, in order. A real-time run
   * (timeBase 'real') makes no such claim: it reports 'not deterministic (real time)'.
   */
  readonly fingerprint: string;
  /** 'virtual' for simulated runs; 'real' when a real peer took part (wall-clock time, not repeatable). */
  readonly timeBase: 'virtual' | 'real';
  /** Real peers of a real-time run (their runtime, boot time, and the guest's final qdisc). */
  readonly realPeers?: readonly RealPeerResult[];
  /** Simulated seconds, including the drain after the workloads stopped. */
  readonly simSeconds: number;
  /** The scenario's duration in seconds (the window iops is measured over). */
  readonly durationSeconds: number;
  /** Wall-clock seconds, as measured by the caller (0 when no wall clock was given). */
  readonly wallSeconds: number;
  /** Scheduler events run. */
  readonly events: number;
  /** Successful I/Os over all hosts. */
  readonly ios: number;
  /** Successful I/Os completed within the duration, per second of the duration (the drain's are not counted). */
  readonly iops: number;
  readonly bytes: number;
  /** From the first submission of any host to the last completion within the duration, in seconds. */
  readonly activeSeconds: number;
  /** Bytes completed within the duration / activeSeconds. */
  readonly bytesPerSecond: number;
  readonly latencyUs: LatencyUs;
  /** Open loop only (some host has rateIops): from submission to completion. */
  readonly clatUs?: LatencyUs;
  /** Reads and writes alone, over all hosts (absent in results saved by versions before the split). */
  readonly read?: DirectionTotals;
  readonly write?: DirectionTotals;
  /** Failed I/Os (an error status). */
  readonly errors: number;
  readonly lostInCrash: number;
  readonly perQueue: readonly QueueCount[];
  readonly perHost: readonly HostResult[];
  readonly cpu: readonly CpuResult[];
  readonly net: NetResult;
  readonly faultsApplied: readonly FaultRecord[];
  readonly invariants: readonly InvariantResult[];
  /** The run over time: I/O and utilisation per interval, per host (and queue), and the faults' windows. */
  readonly timeSeries: TimeSeriesResult;
  /** How busy each resource was over the measured window (utilisation.ts). */
  readonly utilisation: UtilisationResult;
  /** The saturated resource, or none (bottleneck.ts). */
  readonly bottleneck: Bottleneck;
  /** The scenario's steps: their verdict, when they ended and their log (absent without steps). */
  readonly steps?: StepsResult;
  /** True when every invariant held. */
  readonly ok: boolean;
  /** The class to report when invariants failed: crash, else correctness, else liveness. */
  readonly failure?: FailureClass;
}

/** Picks the class to report when several invariants failed: a crash explains the rest. */
export function worstFailure(invariants: readonly InvariantResult[]): FailureClass | undefined {
  const failed = invariants.filter((inv) => !inv.ok).map((inv) => inv.class);
  for (const cls of ['crash', 'correctness', 'liveness'] as const) if (failed.includes(cls)) return cls;
  return undefined;
}
