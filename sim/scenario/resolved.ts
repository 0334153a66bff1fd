// A scenario after validation: every default applied, every human unit parsed, every name
// resolved to an index. The runner works only from this, so it never re-checks user input.
import type { IoPolicy } from '../host/index.js';
import type { LinkDirectionOptions } from '../net/index.js';
import type { CongestionControlName, LinkOptions } from '../net/index.js';
import type { BackendSpec } from '../storage/index.js';
import type { JobSpec } from '../workload/index.js';
import type { FaultCondition } from './fault-timing.js';
import type { FaultVerb } from './fault-verbs/index.js';
import type { AnaStateName } from '../target/index.js';
import type { CpuProfileName, InvariantName, NodeRuntimeName } from './types.js';
import type { ScenarioSteps } from './steps.js';

export interface ResolvedNode {
  readonly name: string;
  readonly index: number;
  readonly cores: number;
  readonly cpuProfile: CpuProfileName;
  readonly ip: string;
  readonly bandwidthBps: number | undefined;
  readonly mtuBytes: number | undefined;
  readonly congestionControl: CongestionControlName;
  /** 'sim', or a real Linux peer (real-nodes.ts runs the nodes of scenarios that have one). */
  readonly runtime: NodeRuntimeName;
}

export interface ResolvedLink {
  readonly a: string;
  readonly b: string;
  readonly options: LinkOptions;
}

export interface ResolvedSwitch {
  readonly name: string;
  readonly portBufferBytes: number | undefined;
  readonly portSpeedBps: number | undefined;
  readonly forwardingLatencyNs: number | undefined;
  readonly ecnMarkThresholdBytes: number | undefined;
}

/** The ECMP fabric: two leaves (with the switch's options) and the paths between them. */
export interface ResolvedFabric {
  readonly hostLeaf: string;
  readonly targetLeaf: string;
  /** The leaves' options (the scenario's switch, without a name). */
  readonly leaf: Omit<ResolvedSwitch, 'name'>;
  readonly paths: readonly { readonly name: string; readonly options: LinkOptions }[];
}

export interface ResolvedNamespace {
  readonly nsid: number;
  /** The spec text as written (what the target's config carries). */
  readonly backend: string;
  readonly spec: BackendSpec;
  readonly blockSize: number;
  readonly anaGroupId: number;
}

export interface ResolvedSubsystem {
  readonly nqn: string;
  readonly namespaces: readonly ResolvedNamespace[];
}

export interface ResolvedAnaGroup {
  readonly grpid: number;
  readonly state: AnaStateName;
}

/** A port NIC of its own on the target's node (linked to the switch). */
export interface ResolvedPortNic {
  /** Interface name on the node: eth1, eth2, ... (eth0 is the node's own NIC). */
  readonly name: string;
  readonly ip: string;
  readonly bandwidthBps: number | undefined;
  readonly mtuBytes: number | undefined;
}

export interface ResolvedTargetPort {
  /** nvmet port ID. */
  readonly id: number;
  /** TCP port. */
  readonly port: number;
  /** The address it listens on: its own NIC's, or the node's. */
  readonly ip: string;
  /** Undefined: the port listens on the node's NIC. */
  readonly nic: ResolvedPortNic | undefined;
  /** ANA groups, ascending, group 1 always first. */
  readonly anaGroups: readonly ResolvedAnaGroup[];
}

export interface ResolvedTarget {
  readonly name: string;
  readonly node: string;
  /** The first port's TCP port. */
  readonly port: number;
  readonly subsystems: readonly ResolvedSubsystem[];
  /** The first port's ANA groups, ascending, group 1 always first. */
  readonly anaGroups: readonly ResolvedAnaGroup[];
  /** Every port, in the order given (one, ID 1, when the scenario lists none). */
  readonly ports: readonly ResolvedTargetPort[];
}

/** One path of a host: a target's port. */
export interface ResolvedPath {
  readonly target: string;
  /** The port's ID. */
  readonly port: number;
  /** How results name it: the target, or "target/port" when the target has several ports. */
  readonly label: string;
}

export interface ResolvedConnect {
  /** The first path's target. */
  readonly target: string;
  /** Every path, the first path (`target`) first; more than one makes a multipath host. */
  readonly paths: readonly ResolvedPath[];
  readonly iopolicy: IoPolicy;
  /** Undefined: the host's default (off). */
  readonly fastIoFailTmoS: number | undefined;
  readonly nqn: string;
  readonly nsid: number;
  readonly nrIoQueues: number;
  readonly queueSize: number;
  readonly hdrDigest: boolean;
  readonly dataDigest: boolean;
  readonly keepAliveTmoS: number;
  readonly reconnectDelayS: number;
  readonly ctrlLossTmoS: number;
  readonly ioTimeoutS: number;
}

export interface ResolvedWorkload {
  /** The job without geometry-dependent checks (resolveJob runs once the namespace is known). */
  readonly job: JobSpec;
  readonly startAtNs: number;
}

export interface ResolvedHost {
  readonly name: string;
  readonly index: number;
  readonly node: string;
  readonly connect: ResolvedConnect;
  readonly workload: ResolvedWorkload | undefined;
}

/** A fault fired at a fixed time: ns since the start, at most the run's duration. */
export interface TimedTrigger {
  readonly kind: 'at';
  readonly atNs: number;
}

/**
 * A fault fired `delayNs` after its condition first holds (fault-conditions.ts). It has no time
 * until then: whether it fires inside the run is decided as the run goes.
 */
export interface ConditionTrigger {
  readonly kind: 'when';
  readonly condition: FaultCondition;
  readonly delayNs: number;
}

/** What fires a fault: `at`/`atNs`, or `when` plus `delay`, as validated. */
export type FaultTrigger = TimedTrigger | ConditionTrigger;

export type { FaultTimingField } from './fault-timing.js';
export type { FaultVerb } from './fault-verbs/index.js';

/** A fault with its trigger resolved; `index` is its position in the scenario's list. */
export interface ResolvedFault {
  readonly index: number;
  readonly trigger: FaultTrigger;
  readonly fault: FaultVerb;
}

export interface ResolvedInvariant {
  readonly check: InvariantName;
  /** io-resumes only: the bound in ns. */
  readonly withinNs: number;
}

export interface ResolvedScenario {
  /** The file (or source name) the scenario came from, as the user named it. */
  readonly source: string;
  readonly name: string;
  readonly description: string;
  readonly seed: string;
  readonly durationNs: number;
  readonly drainNs: number;
  readonly nodes: readonly ResolvedNode[];
  readonly links: readonly ResolvedLink[];
  /** Undefined with a fabric (its leaves are the switches). */
  readonly switch: ResolvedSwitch | undefined;
  readonly fabric: ResolvedFabric | undefined;
  readonly targets: readonly ResolvedTarget[];
  readonly hosts: readonly ResolvedHost[];
  /**
   * Timed faults (those inside the duration) sorted by time, then every conditional one; equal
   * times, and the conditional faults, keep their order in the file.
   */
  readonly faults: readonly ResolvedFault[];
  readonly invariants: readonly ResolvedInvariant[];
  /** The scenario's steps (steps.ts), absent without. */
  readonly steps?: ResolvedSteps;
}

/** A scenario's steps, with the check a fault they apply gets (validate.ts: as a faults[] entry, path `steps.fault[N]`). */
export interface ResolvedSteps {
  readonly run: ScenarioSteps;
  /** Throws a ScenarioError naming the field when `record` is not a valid fault of this scenario. */
  readonly checkFault: (record: unknown, index: number) => FaultVerb;
}

/** Options of a link direction that setLink may change (re-exported for the runner). */
export type LinkChange = LinkDirectionOptions;
