// What one fault verb is: a record holding its fields (a zod shape, with the scenario format's
// messages), its checks against the rest of the scenario, whether liveness is judged after it, how
// it applies in simulation, how it applies to a real Linux peer or why it is refused there, and
// its row of the fault table in scenarios/README.md. The runner, the validator and the README
// know verbs only through these records (index.ts lists them): adding a verb is one file.
import type { z } from 'zod';
import type { SameShape } from '../schema/kit.js';
import type { LinkDirectionOptions } from '../../net/index.js';
import type { FlowSelector, Link, SimNetwork } from '../../net/index.js';
import type { FaultyBackend } from '../../storage/index.js';
import type { AnaStateName } from '../../target/index.js';

/** Which traffic a network fault touches: one link (by its ends), or everything to and from a node. */
export interface LinkSelector {
  /** The link between these two nodes or switch (in either order). */
  readonly between?: readonly [string, string];
  /** Every packet between this node and every other node (node-level partition). */
  readonly node?: string;
  /** The link of one target port: its own NIC's link to the switch, or its node's link. */
  readonly targetPort?: TargetPortSelector;
}

/** One port of a scenario target, as a host path names it. */
export interface TargetPortSelector {
  readonly target: string;
  /** The port's ID (the target's `ports[].id`; 1 for a target that lists none). */
  readonly port: number;
}

/** Which namespace backend a device fault touches. */
export interface DeviceSelector {
  /** Target name. */
  readonly target: string;
  /** Default: the target's first subsystem. */
  readonly nqn?: string;
  /** Default 1. */
  readonly nsid?: number;
}

/** A verb's own fields as a fault gives them (its action, no timing). */
export interface VerbFields {
  readonly action: string;
}

/** What a verb's checks may ask of the scenario being validated (names are already typed). */
export interface VerbCheckContext {
  fail(path: string, message: string): never;
  hasNode(name: string): boolean;
  /** Whether a link joins x and y (either order; y may be the switch). */
  hasLink(x: string, y: string): boolean;
  /** The leaves (hosts' first) a fabric path of that name joins, or undefined when there is none. */
  fabricPath(name: string): readonly [string, string] | undefined;
  /** Every fabric path's name (none without a fabric). */
  fabricPathNames(): readonly string[];
  /** How many I/O queues the host of that name has, or undefined when there is none. */
  hostQueues(name: string): number | undefined;
  /** Checks a device selector (target, nqn, nsid) against the scenario's targets. */
  checkDevice(selector: DeviceSelector, path: string): void;
  /** The ports of the target of that name with their ANA group IDs, or undefined when there is none. */
  targetPorts(name: string): readonly TargetPortInfo[] | undefined;
}

/** A target's port as ANA verbs see it. */
export interface TargetPortInfo {
  readonly portid: number;
  readonly anaGroups: readonly number[];
}

/** What a verb applied in simulation works on: the network, and the runner's node life cycle. */
export interface SimFaultWorld {
  readonly network: SimNetwork;
  pauseNode(name: string): void;
  resumeNode(name: string): void;
  /** Power loss of a node; returns the description. */
  crashNode(name: string): string;
  /** A new incarnation of a node; returns the description. */
  restartNode(name: string): string;
  /** Hosts on a restarted node that will run a workload again (they must resume too). */
  restartedHosts(name: string): readonly number[];
  /** Runs `apply` on the selected namespace's device, if it is open. */
  withDevice(selector: DeviceSelector, apply: (backend: FaultyBackend, where: string) => string): string;
  /** Sets an ANA group's state on a target's port (NvmeTarget.setAnaState); returns the description. */
  setAnaState(target: string, portid: number, grpid: number, state: AnaStateName): string;
  /** The link a target's port sends on (validation made sure it exists), and how the report names it. */
  portLink(target: string, portId: number): { readonly link: Link; readonly label: string };
  /** The link of the fabric path of that name (validation made sure it is one). */
  fabricPath(name: string): Link;
  /** The node a host runs on. */
  hostNode(host: string): string;
  /** The selector of these flows; `key` names the selection (it seeds a fraction's hash). */
  flowSelector(flows: FlowSelectorFields, key: string): FlowSelector;
}

/** Which flows a fault strikes (path-and-flows.ts); every part given must hold. */
export interface FlowSelectorFields {
  /** The connections of this host's queues (to every target it connects to). */
  readonly host?: string;
  /** Only these queues of `host`: 0 is the admin queue, 1..nrIoQueues the I/O queues. */
  readonly qids?: readonly number[];
  /** A fraction (0, 1] of flows, chosen by a seeded hash of their 5-tuple. */
  readonly fraction?: number;
}

/** A verb applied in simulation: the report's one line, and hosts besides the running ones that must resume. */
export interface SimFaultOutcome {
  readonly detail: string;
  readonly alsoResuming?: readonly number[];
}

/** What the real-runtime checks of a verb may ask (real-validate.ts builds it). */
export interface RealCheckContext {
  readonly realNodes: ReadonlySet<string>;
  /** Names of the targets on real-runtime nodes. */
  readonly realTargets: ReadonlySet<string>;
  fail(path: string, message: string): never;
  /** Every option set must be one tc-netem applies. */
  checkNetemFields(options: LinkDirectionOptions, path: string): void;
  /**
   * Merges `options` into the egress options of the real link between x and y, as the timeline
   * has changed them so far, and checks that netem can take the result.
   */
  changeEgress(x: string, y: string, options: LinkDirectionOptions, path: string): void;
}

/** One real Linux peer (a node with a real runtime), as a verb applied to it sees it. */
export interface RealPeerControl {
  readonly name: string;
  /** Drops everything leaving the guest while set (partition); shape() applies it. */
  setPartitioned(partitioned: boolean): void;
  /** Silent while set (crash); shape() applies it. */
  setCrashed(crashed: boolean): void;
  /** Merges link options into the egress the guest's netem applies (setLink). */
  mergeEgress(options: LinkDirectionOptions): void;
  /** Sets netem to what the peer's state says; returns the tc command, or 'no shaping'. */
  shape(): Promise<string>;
  /** Removes the nvmet ports (every controller and queue goes); returns their ids. */
  portsDown(): Promise<string>;
  /** Re-creates the nvmet ports; returns their ids. */
  portsUp(): Promise<string>;
}

/** What a verb applied in a real-time run works on. */
export interface RealFaultWorld {
  /** The real peer of that name (validation made sure it is one). */
  peerNamed(name: string): RealPeerControl;
  /** The real peer at one end of that link. */
  peerOn(between: readonly [string, string] | undefined): RealPeerControl;
  /** Every real peer. */
  peers(): readonly RealPeerControl[];
  /** Writes ports/<portid>/ana_groups/<grpid>/ana_state of that target's nvmet port; returns the report's line. */
  setAnaState(target: string, portid: number, grpid: number, state: AnaStateName): Promise<string>;
}

/** How a verb runs against a real Linux peer, or why it cannot. */
export type RealSupport<F> =
  | {
      /** Why not, completing "'<action>' ...", e.g. "has no real-time equivalent yet (...)". */
      readonly refused: string;
    }
  | {
      /** Its README cell: what it does on a real node. */
      readonly doc: string;
      /** Checks beyond the simulated ones (only what the real runtime can do). */
      check(fault: F, path: string, context: RealCheckContext): void;
      /** Applies it (guest commands); returns the report's one line. */
      apply(fault: F, world: RealFaultWorld): Promise<string>;
    };

/** The verb's row of the fault table in scenarios/README.md (markdown cells). */
export interface VerbDoc {
  readonly fields: string;
  readonly effect: string;
}

export interface FaultVerbRecord<F extends VerbFields> {
  readonly action: F['action'];
  /** The verb's own fields beyond action and timing, in the order unknown-field errors list them. */
  readonly fields: z.core.$ZodLooseShape;
  /** Liveness is judged after it: every host with a running workload must complete an I/O again. */
  readonly heals: boolean;
  /** Checks against the rest of the scenario (types and ranges are the fields' schema's). */
  check(fault: F, path: string, context: VerbCheckContext): void;
  simulate(fault: F, world: SimFaultWorld): SimFaultOutcome;
  readonly real: RealSupport<F>;
  readonly doc: VerbDoc;
}

/**
 * Defines a verb's record. The type parameter is the verb's hand-written fields (they carry the
 * documentation authors see in completion); the compile-time check makes the zod shape agree.
 */
export function defineVerb<F extends VerbFields>() {
  return <Shape extends z.core.$ZodLooseShape>(
    record: FaultVerbRecord<F> & { readonly fields: Shape },
    ..._sameShape: SameShape<Omit<F, 'action'>, z.input<z.ZodObject<Shape>>> extends true ? [] : [`the fields of '${F['action']}' differ from its schema`]
  ): FaultVerbRecord<F> => record;
}
