// Equal-cost multipath between two switches: N parallel paths (links), each with its own link
// options, and on each switch a group of the N ports that picks a flow's path by its seeded
// 5-tuple hash (flow-hash.ts), as a leaf switch spreads flows over its uplinks to the spines.
// Path i is port i of both groups, and the hash is symmetric, so both directions of a connection
// take the same path: a bad path hurts exactly the connections (NVMe/TCP queues) hashed onto it.
// Placement is per flow, not per packet, so a flow's packets stay in order (RFC 2992).
import type { Link, LinkOptions } from './link.js';
import type { NetContext } from './net-context.js';
import { flowHash, ipv4ToInt } from './flow-hash.js';
import type { Packet } from './packet.js';
import type { SimNetwork } from './sim-network.js';
import { type PortGroup, Switch, SwitchPort } from './switch.js';

export class EcmpGroup implements PortGroup {
  readonly members: readonly SwitchPort[];
  readonly seed: number;
  readonly #context: NetContext;
  /** IPv4 address as an integer by NIC id, filled as NICs are first seen. */
  readonly #ips: number[] = [];

  constructor(context: NetContext, members: readonly SwitchPort[], seed: number) {
    if (members.length === 0) throw new RangeError('an ECMP group needs at least one port');
    this.#context = context;
    this.members = members;
    this.seed = seed >>> 0;
  }

  /** The member port this packet's flow is placed on. */
  pick(packet: Packet): SwitchPort {
    const index = this.indexOf(this.#ip(packet.srcNicId), packet.srcPort, this.#ip(packet.dstNicId), packet.dstPort);
    return this.members[index] as SwitchPort;
  }

  /** The path index of a flow (either direction gives the same). */
  indexOf(srcIp: number, srcPort: number, dstIp: number, dstPort: number): number {
    return flowHash(this.seed, srcIp, srcPort, dstIp, dstPort) % this.members.length;
  }

  #ip(nicId: number): number {
    let ip = this.#ips[nicId];
    if (ip === undefined) {
      ip = ipv4ToInt(this.#context.nics.byId(nicId).ip);
      this.#ips[nicId] = ip;
    }
    return ip;
  }
}

/** N equal-cost paths between two switches, as connectEcmp built them. */
export interface EcmpPaths {
  /** Path i's link; its `a` end is on the first switch. */
  readonly links: readonly Link[];
  /** The groups of the first and the second switch. */
  readonly groups: readonly [EcmpGroup, EcmpGroup];
  /** Path index of a flow, by addresses and ports (either direction). */
  pathOf(srcIp: string, srcPort: number, dstIp: string, dstPort: number): number;
}

/**
 * Links switches `a` and `b` by one link per entry of `paths` (its options) and makes the ports
 * on each side one group hashing with `seed`. Routes between the two switches then use every path.
 */
export function connectEcmp(network: SimNetwork, a: string, b: string, paths: readonly LinkOptions[], seed: number): EcmpPaths {
  const swA = network.switch(a);
  const swB = network.switch(b);
  if (paths.length === 0) throw new RangeError(`ECMP between ${a} and ${b} needs at least one path`);
  const links = paths.map((options) => network.connect(swA, swB, options));
  const side = (owner: Switch): SwitchPort[] => links.map((link) => (link.a instanceof SwitchPort && link.a.owner === owner ? link.a : link.b) as SwitchPort);
  const groups: [EcmpGroup, EcmpGroup] = [new EcmpGroup(network.context, side(swA), seed), new EcmpGroup(network.context, side(swB), seed)];
  for (const group of groups) for (const port of group.members) port.group = group;
  return {
    links,
    groups,
    pathOf: (srcIp, srcPort, dstIp, dstPort) => groups[0].indexOf(ipv4ToInt(srcIp), srcPort, ipv4ToInt(dstIp), dstPort),
  };
}
