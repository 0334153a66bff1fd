// Which TCP flows a per-flow fault strikes (flow-faults.ts): the connections one node keeps to one
// address (optionally only some of them, by the order they were opened in, which is how an
// NVMe/TCP host's queues map to connections: the admin queue first, then I/O queues 1..N, opened
// one after another as Linux's nvme_tcp_alloc_io_queues does), and/or a seeded fraction of flows
// by 5-tuple hash (flow-hash.ts). Both ends of a flow match alike, so a fault strikes a flow's
// packets in both directions.
//
// A flow's membership is decided the first time one of its packets is seen and then remembered:
// a connection opened later (a reconnect) is judged when it first sends, by the connections open
// at that moment.
import { flowHash, ipv4ToInt } from './flow-hash.js';
import type { Packet } from './packet.js';
import type { SimNetwork } from './sim-network.js';

/** The connections `node` opened to `remoteIp:remotePort`; with `ranks`, only those (0 = first opened). */
export interface ConnectionSet {
  readonly node: string;
  readonly remoteIp: string;
  readonly remotePort: number;
  readonly ranks?: readonly number[];
}

/** What a selector matches; every part given must hold. */
export interface FlowSelection {
  /** Connections in any of these sets. */
  readonly connections?: readonly ConnectionSet[];
  /** A fraction (0..1) of flows, by their 5-tuple hash under `seed`. */
  readonly fraction?: { readonly value: number; readonly seed: number };
}

/** One connection set, resolved to NIC ids. */
interface ResolvedSet {
  readonly set: ConnectionSet;
  readonly localNics: ReadonlySet<number>;
  readonly remoteNicId: number;
  /** Whether the connection with this local port is one of the selected ranks. */
  readonly rankedPorts: Map<number, boolean>;
}

const TWO_POW_32 = 0x100000000;

export class FlowSelector {
  readonly selection: FlowSelection;
  readonly #network: SimNetwork;
  readonly #sets: readonly ResolvedSet[] | null;
  readonly #threshold: number;

  constructor(network: SimNetwork, selection: FlowSelection) {
    this.#network = network;
    this.selection = selection;
    this.#sets =
      selection.connections?.map((set) => {
        const remote = network.nicByIp(set.remoteIp);
        if (remote === undefined) throw new RangeError(`flow selector: no NIC with IP ${set.remoteIp}`);
        return { set, localNics: new Set(network.node(set.node).nics.map((nic) => nic.id)), remoteNicId: remote.id, rankedPorts: new Map<number, boolean>() };
      }) ?? null;
    const fraction = selection.fraction;
    if (fraction !== undefined && !(fraction.value >= 0 && fraction.value <= 1)) throw new RangeError(`flow selector: fraction must be in [0, 1], got ${fraction.value}`);
    this.#threshold = fraction === undefined ? TWO_POW_32 : fraction.value * TWO_POW_32;
  }

  matches(packet: Packet): boolean {
    if (this.#sets !== null && !this.#sets.some((set) => this.#inSet(set, packet))) return false;
    const fraction = this.selection.fraction;
    if (fraction === undefined) return true;
    const src = ipv4ToInt(this.#network.nicById(packet.srcNicId).ip);
    const dst = ipv4ToInt(this.#network.nicById(packet.dstNicId).ip);
    return flowHash(fraction.seed, src, packet.srcPort, dst, packet.dstPort) < this.#threshold;
  }

  #inSet(resolved: ResolvedSet, packet: Packet): boolean {
    const set = resolved.set;
    let localPort: number;
    if (resolved.localNics.has(packet.srcNicId) && packet.dstNicId === resolved.remoteNicId && packet.dstPort === set.remotePort) localPort = packet.srcPort;
    else if (resolved.localNics.has(packet.dstNicId) && packet.srcNicId === resolved.remoteNicId && packet.srcPort === set.remotePort) localPort = packet.dstPort;
    else return false;
    return set.ranks === undefined || this.#ranked(resolved, localPort, set.ranks);
  }

  /** Whether the node's connection on this local port has one of `ranks` among those open now. */
  #ranked(resolved: ResolvedSet, localPort: number, ranks: readonly number[]): boolean {
    const known = resolved.rankedPorts.get(localPort);
    if (known !== undefined) return known;
    const set = resolved.set;
    const open = this.#network
      .node(set.node)
      .stack.connections()
      .filter((c) => c.remoteNicId === resolved.remoteNicId && c.remotePort === set.remotePort);
    const rank = open.findIndex((c) => c.localPort === localPort);
    const selected = rank >= 0 && ranks.includes(rank);
    // Only a connection that is open is judged for good; a stray segment is judged again later.
    if (rank >= 0) resolved.rankedPorts.set(localPort, selected);
    return selected;
  }
}
