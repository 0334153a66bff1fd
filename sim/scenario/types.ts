// The scenario format: what a scenario file's default export describes. A scenario is a TypeScript
// module (scenarios/*.ts) whose default export is a Scenario, usually written through
// defineScenario() for type checking. It names the machines (nodes) with their cores and NICs, the
// wires between them (links, or one switch), the NVMe/TCP targets and their namespaces, the hosts
// with their `nvme connect` options and fio-like workloads, a timeline of faults, and the
// invariants to check. The run driver (runner.ts) runs it, simulated under one seed or with real Linux peers.
//
// Units are in the field names (Ns, Us, S, Bps, Bytes); where a human string is easier to read,
// the field takes one too ('1s', '4k', 'ssd:64GiB'). Every optional field has a documented default,
// and every fault is opt-in. The schema (schema/scenario.ts) checks each field, and is checked
// against these types at compile time; validate.ts resolves names and defaults.
import type { CongestionControlName, LinkOptions } from '../net/index.js';
import type { IoPolicy } from '../host/index.js';
import type { AnaStateName } from '../target/index.js';
import type { RateProcess, RwMode } from '../workload/index.js';
import type {
  CrashFault,
  FailDeviceFault as FailDeviceVerb,
  FaultVerb,
  HealFault as HealVerb,
  PartitionFault as PartitionVerb,
  PauseFault,
  RepairDeviceFault as RepairDeviceVerb,
  RestartFault,
  ResumeFault,
  SetAnaStateFault as SetAnaStateVerb,
  SetLinkFault as SetLinkVerb,
  SlowDeviceFault as SlowDeviceVerb,
} from './fault-verbs/index.js';
import type { FaultTiming } from './fault-timing.js';
import type { DurationSpec, SizeSpec } from './schema/kit.js';
import type { ScenarioSteps } from './steps.js';

export type { DurationSpec, SizeSpec } from './schema/kit.js';
export { ANA_STATE_NAMES, FAULT_ACTIONS } from './fault-verbs/index.js';
export type { AnaStateName } from '../target/index.js';
export type { DeviceSelector, FaultAction, LinkSelector } from './fault-verbs/index.js';
export { HOST_STATE_NAMES } from './fault-timing.js';
export type { FaultCondition, FaultTiming, HostStateName } from './fault-timing.js';

/** Cost profiles of a node's CPU (sim/cpu/profiles.ts): kernel NVMe/TCP, NVMe/RDMA, or free. */
export const CPU_PROFILE_NAMES = ['tcp', 'rdma', 'free'] as const;
export type CpuProfileName = (typeof CPU_PROFILE_NAMES)[number];

export interface ScenarioNic {
  /** Line rate in bits per second, both directions. Default 25e9 (25 GbE). */
  readonly bandwidthBps?: number;
  /** MTU in bytes, 576..9216. Default 1500. */
  readonly mtuBytes?: number;
  /** IPv4 address. Default 10.0.0.<node index + 1>. */
  readonly ip?: string;
}

/** The node's TCP stack. */
export interface ScenarioTcp {
  /**
   * Congestion control (Linux net.ipv4.tcp_congestion_control): 'cubic' (default, as in Linux;
   * RFC 9438), 'reno' (NewReno) or 'dctcp' (RFC 8257, with ECN: give the switch an
   * ecnMarkThresholdBytes).
   */
  readonly congestionControl?: CongestionControlName;
}

export interface ScenarioNode {
  /** Unique name; hosts, targets, links and faults refer to it. No '/', '>' or '~'. */
  readonly name: string;
  /** CPU cores, 1..1024. Default 8. */
  readonly cores?: number;
  /** CPU cost profile. Default 'tcp'. */
  readonly cpuProfile?: CpuProfileName;
  /** The node's single NIC. */
  readonly nic?: ScenarioNic;
  /** TCP settings. */
  readonly tcp?: ScenarioTcp;
  /**
   * Where the node runs: 'sim' (default) in the simulator, or a real Linux nvmet-tcp target in
   * the interop VM, run directly by QEMU ('qemu') or inside a Docker container ('docker'); real
   * nodes are targets only, and the run then happens in real time (real-node.ts).
   */
  readonly runtime?: NodeRuntimeName;
}

/**
 * Node runtimes: simulated, or a real Linux peer in the QEMU VM ('qemu') or in the same VM run
 * inside a Docker container ('docker', sim/interop).
 */
export const RUNTIME_NAMES = ['sim', 'qemu', 'docker'] as const;
export type NodeRuntimeName = (typeof RUNTIME_NAMES)[number];

/** A wire between two nodes (or a node and the switch). Options are sim/net link options. */
export interface ScenarioLink {
  /** Node or switch name. */
  readonly a: string;
  /** Node or switch name. */
  readonly b: string;
  /** Latency, loss, bandwidth cap, ...; top-level fields apply both ways, aToB/bToA override. */
  readonly options?: LinkOptions;
}

/** One store-and-forward switch. Nodes named in no link get a link to it. */
export interface ScenarioSwitch {
  /** Default 'switch'. */
  readonly name?: string;
  /** Output buffer per port in bytes. Default 512 KiB. */
  readonly portBufferBytes?: number;
  /** Port speed in bits per second; 0 (default) means as fast as the attached NIC. */
  readonly portSpeedBps?: number;
  /** Forwarding latency per packet in nanoseconds. Default 0. */
  readonly forwardingLatencyNs?: number;
  /**
   * ECN: mark ECN-capable packets CE (RFC 3168) when a port has more than this many bytes queued
   * (DCTCP's marking threshold K, RFC 8257; nodes with tcp.congestionControl 'dctcp' negotiate
   * ECN). Applies to the fabric's leaves too. Default: no marking, tail drop only.
   */
  readonly ecnMarkThresholdBytes?: number;
  /** Options of the automatic node-to-switch links. */
  readonly linkOptions?: LinkOptions;
}

/**
 * Equal-cost multipath: the switch becomes two leaves, one for the hosts and one for the targets,
 * joined by N equal-cost paths (as a leaf's uplinks through N spines), each with its own link
 * options. Each TCP connection (each NVMe/TCP queue) is placed on one path by a seeded hash of
 * its 5-tuple, the same both ways; the seed follows the run's seed.
 */
export interface ScenarioFabric {
  /** The paths, 1..64. */
  readonly paths: readonly ScenarioFabricPath[];
  /** The leaf of every node that is not a target's. Default 'leaf1'. */
  readonly hostLeaf?: string;
  /** The leaf of every target's node. Default 'leaf2'. */
  readonly targetLeaf?: string;
}

/** One equal-cost path between the leaves. */
export interface ScenarioFabricPath {
  /** Name faults give as `path`. Default 'path<n>', n = position + 1. */
  readonly name?: string;
  /** Latency, loss, ... of this path (aToB: from the hosts' leaf). */
  readonly options?: LinkOptions;
}

export interface ScenarioNamespace {
  /** Namespace ID. Default: position in the list + 1. */
  readonly nsid?: number;
  /** Backend spec: 'ssd:64GiB', 'null:1GiB', 'ram:256MiB', 'ssd:1GiB,read=80us' (sim/storage/backend-spec.ts). */
  readonly backend: string;
  /** LBA size, 512 or 4096. Default 512. */
  readonly blockSize?: 512 | 4096;
  /** ANA group (nvmet ana_grpid), 1..128: group 1 or one of the target's anaGroups. Default 1. */
  readonly anaGroupId?: number;
}

export interface ScenarioSubsystem {
  readonly nqn: string;
  readonly namespaces: readonly ScenarioNamespace[];
}

export interface ScenarioTarget {
  /** Name hosts connect to and device faults refer to. Default: the node's name. */
  readonly name?: string;
  readonly node: string;
  /** TCP port. Default 4420. */
  readonly port?: number;
  readonly subsystems: readonly ScenarioSubsystem[];
  /**
   * ANA groups of the target's port (port ID 1), as nvmet's ports/1/ana_groups/<grpid>. Group 1
   * always exists (optimized unless listed); groups 2..128 exist when listed. Default: group 1 only.
   * With `ports`, each port lists its own instead.
   */
  readonly anaGroups?: readonly ScenarioAnaGroup[];
  /**
   * The target's ports, as nvmet's ports/<id>: each exports every subsystem of the target, with
   * ANA groups of its own. A port with a `nic` has an address and a link to the switch of its
   * own, so a fault can cut one port's link (`targetPort` selector). Default: one port, ID 1, on
   * the node's NIC at `port`, with the target's `anaGroups`.
   */
  readonly ports?: readonly ScenarioTargetPort[];
}

/** One port of a target (nvmet ports/<id>). */
export interface ScenarioTargetPort {
  /** Port ID (nvmet's portid, what hosts' paths and setAnaState name), 1..65535, unique in the target. */
  readonly id: number;
  /** TCP port. Default: the target's `port` (4420). */
  readonly port?: number;
  /**
   * A NIC of its own on the target's node, linked to the switch (the scenario needs one). Its IP
   * defaults to 10.255.<target index>.<port index + 1>. Default: none (the port listens on the
   * node's NIC).
   */
  readonly nic?: ScenarioNic;
  /** Options of the port NIC's link to the switch (only with `nic`). Default: the switch's linkOptions. */
  readonly link?: LinkOptions;
  /** The port's ANA groups, as the target's `anaGroups`. Default: group 1 only, optimized. */
  readonly anaGroups?: readonly ScenarioAnaGroup[];
}

/** One ANA group of a target's port. */
export interface ScenarioAnaGroup {
  /** Group ID, 1..128. */
  readonly grpid: number;
  /** Its state at the start. Default 'optimized'. */
  readonly state?: AnaStateName;
}

/** One more path of a multipath host: another port (of this or another target) serving the same subsystem NQN. */
export interface ScenarioPath {
  /** Target name; it must serve the host's subsystem (`nqn`) with the host's namespace (`nsid`). */
  readonly target: string;
  /** The target's port ID (its `ports[].id`). Default: the target's first port. */
  readonly port?: number;
}

/** `nvme connect` options (sim/host/options.ts), in the same units as the flags. */
export interface ScenarioConnect {
  /** Target name: the host's first path. */
  readonly target: string;
  /** The first path's port ID (the target's `ports[].id`). Default: the target's first port. */
  readonly port?: number;
  /**
   * Further paths to the same subsystem, each through another target (two controllers of one
   * storage system, sharing the namespace's media). With any, the host connects every path
   * (`target` first) into one native multipath device, as Linux's nvme_core multipath does, and
   * the workload runs on its namespace head. Default: none (one path, one controller).
   */
  readonly paths?: readonly ScenarioPath[];
  /** Multipath I/O policy (sysfs iopolicy): 'numa', 'round-robin' or 'queue-depth'. Default 'numa', as Linux. */
  readonly iopolicy?: IoPolicy;
  /** Seconds, after a path is lost, before I/O waiting for a path fails (-1 = off). Default -1, as Linux. */
  readonly fastIoFailTmoS?: number;
  /** Subsystem NQN. Default: the target's first subsystem. */
  readonly nqn?: string;
  /** Namespace the workload runs on. Default 1. */
  readonly nsid?: number;
  /**
   * I/O queues, 1..128. Default: the host node's cores (at most 128), as Linux's nr_io_queues
   * defaults to num_online_cpus() (drivers/nvme/host/fabrics.c).
   */
  readonly nrIoQueues?: number;
  /** Entries per I/O queue, 16..1024. Default 128. */
  readonly queueSize?: number;
  /** Header digest. Default false. */
  readonly hdrDigest?: boolean;
  /** Data digest. Default false. */
  readonly dataDigest?: boolean;
  /** Keep-alive timeout in seconds, 0..65535 (0 disables). Default 5. */
  readonly keepAliveTmoS?: number;
  /** Seconds between reconnect attempts, >= 1. Default 10. */
  readonly reconnectDelayS?: number;
  /** Seconds before a lost controller is removed; -1 = never. Default 600. */
  readonly ctrlLossTmoS?: number;
  /** I/O command timeout in seconds. Default 30. */
  readonly ioTimeoutS?: number;
}

/** A fio-like job (sim/workload/job.ts), spread over the host's I/O queues. */
export interface ScenarioWorkload {
  /**
   * A fio job file with one job section, relative to the scenario file (README "fio job files").
   * The other fields given here override its options.
   */
  readonly fioJob?: string;
  /** I/O pattern; required unless fioJob gives it. */
  readonly rw?: RwMode;
  /** Block size. Default 4096. */
  readonly bs?: SizeSpec;
  /** Random sizes from min to max, e.g. '4k-128k'. Overrides bs. */
  readonly bsrange?: string;
  /** I/Os outstanding in total over all queues (fio iodepth x numjobs). Default 1. */
  readonly iodepth?: number;
  /** Percentage of reads in randrw. Default 50. */
  readonly rwmixread?: number;
  /** Start of the region. Default 0. */
  readonly offset?: SizeSpec;
  /** Length of the region. Default: to the end of the namespace. */
  readonly size?: SizeSpec;
  /** Check the data of reads against what this run wrote. Default false. */
  readonly verify?: boolean;
  /** Stop at the first failed I/O. Default false (faults make errors expected). */
  readonly stopOnError?: boolean;
  /**
   * Open-loop load (fio rate_iops, for the host's whole workload): I/Os arrive at this rate
   * whatever the fabric does; iodepth still caps those outstanding and arrivals beyond the cap
   * wait, their latency counted from the arrival. Default 0: closed loop.
   */
  readonly rateIops?: number;
  /** Spacing of open-loop arrivals (fio rate_process): 'linear' (default) or 'poisson'. */
  readonly rateProcess?: RateProcess;
  /** When to start, after connecting. Default: as soon as connected. */
  readonly startAt?: DurationSpec;
}

export interface ScenarioHost {
  /** Name in reports. Default: the node's name. */
  readonly name?: string;
  readonly node: string;
  readonly connect: ScenarioConnect;
  /** Omit for a host that only connects (keep-alive traffic only). */
  readonly workload?: ScenarioWorkload;
}

// ---- Faults: verbs on the world, at simulated times or on conditions. ----
// Each verb is a record in fault-verbs/ (its fields, checks, effect and documentation); a fault
// is its timing (fault-timing.ts) plus one verb's fields.

/** One fault: when it fires, and one verb's fields. */
type WithTiming<V> = V extends unknown ? FaultTiming & V : never;

export type ScenarioFault = WithTiming<FaultVerb>;
export type PartitionFault = WithTiming<PartitionVerb>;
export type HealFault = WithTiming<HealVerb>;
export type SetLinkFault = WithTiming<SetLinkVerb>;
/** Node life cycle: power loss, reboot (target restarted, host reconnected), SIGSTOP, SIGCONT. */
export type NodeFault = WithTiming<CrashFault | RestartFault | PauseFault | ResumeFault>;
export type SlowDeviceFault = WithTiming<SlowDeviceVerb>;
export type FailDeviceFault = WithTiming<FailDeviceVerb>;
export type RepairDeviceFault = WithTiming<RepairDeviceVerb>;
export type SetAnaStateFault = WithTiming<SetAnaStateVerb>;

// ---- Invariants ----

/**
 * What a run must satisfy. Without an `invariants` list the runner checks workload-progress,
 * ios-accounted, no-verify-mismatch, and (when the timeline heals, restarts, resumes or repairs
 * something) io-resumes with its default bound. A check that had nothing to check where the
 * scenario asked for something fails (verify on with no block read back, a heal with no host
 * running).
 * - workload-progress (liveness): every host with a workload completed at least one I/O.
 * - ios-accounted (safety): every I/O completes exactly once, with success or an error status,
 *   and none is still outstanding when the run has drained.
 * - no-verify-mismatch (correctness): reads of written blocks return what was written.
 * - no-io-errors (correctness): no I/O failed at all (opt in: faults usually cause errors).
 * - no-app-errors-with-a-path (correctness): no I/O error reached the application of a multipath
 *   host. Opt in where the timeline keeps one path usable at all times: native multipath must then
 *   hide every path failure (failover), so any error is a bug. Fails without a multipath host.
 * - io-resumes (liveness): after every heal/restart/resume/repairDevice, each host with a running
 *   workload completes an I/O within the bound.
 */
export type ScenarioInvariant =
  | { readonly check: 'workload-progress' }
  | { readonly check: 'ios-accounted' }
  | { readonly check: 'no-verify-mismatch' }
  | { readonly check: 'no-io-errors' }
  | { readonly check: 'no-app-errors-with-a-path' }
  | {
      readonly check: 'io-resumes';
      /** Bound after the healing fault. Default: max over hosts of reconnectDelayS + keepAliveTmoS + 5 s. */
      readonly within?: DurationSpec;
    };

export type InvariantName = ScenarioInvariant['check'];

export const INVARIANT_NAMES: readonly InvariantName[] = ['workload-progress', 'ios-accounted', 'no-verify-mismatch', 'no-io-errors', 'io-resumes', 'no-app-errors-with-a-path'];

export interface Scenario {
  readonly name: string;
  readonly description?: string;
  /** Run seed. Default 1; `--seed` overrides. */
  readonly seed?: number | string;
  /** Simulated run time (faults and workloads are timed from 0). Give duration or durationNs. */
  readonly duration?: string;
  readonly durationNs?: number;
  /**
   * After the duration, workloads stop issuing and the run continues until their last I/Os
   * complete or fail, for at most this long. Default: 2 x the longest host ioTimeoutS.
   */
  readonly drain?: DurationSpec;
  readonly nodes: readonly ScenarioNode[];
  readonly links?: readonly ScenarioLink[];
  readonly switch?: ScenarioSwitch;
  /** ECMP paths between a hosts' leaf and a targets' leaf; the switch's options apply to both leaves. Default: none. */
  readonly fabric?: ScenarioFabric;
  readonly targets: readonly ScenarioTarget[];
  readonly hosts: readonly ScenarioHost[];
  readonly faults?: readonly ScenarioFault[];
  readonly invariants?: readonly ScenarioInvariant[];
  /**
   * Imperative checks and actions in virtual time, beside the timeline from time 0 (steps.ts):
   * `steps: async (world) => { ... }`. Simulated runs only.
   */
  readonly steps?: ScenarioSteps;
}

/** Identity: lets a scenario file get type checking and completion for its description. */
export function defineScenario(scenario: Scenario): Scenario {
  return scenario;
}
