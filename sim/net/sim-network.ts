// The simulated network: nodes with NICs, switches, and links between them, built by a scenario
// and changed at runtime by fault verbs (link options, partitions, link down, node crash). A
// packet's path is NIC queue -> link -> (switch port queue -> link)* -> NIC. Routing is static
// shortest path, recomputed when the topology changes; a link that is down or partitioned keeps
// its routes and drops what it carries, like an L2 fabric without spanning-tree reconvergence.
//
// Serialisation delay on every hop is wireBytes * 8 / rate, where wireBytes = TCP payload +
// 40 B TCP/IP headers + 38 B Ethernet framing (header, FCS, preamble, inter-frame gap), padded
// to the 64 B minimum frame; rate = min(sender's rate, link cap, receiver's rate).
import type { Fingerprint } from '../core/index.js';
import type { RngSource } from '../core/index.js';
import type { Scheduler } from '../core/index.js';
import type { TraceSink } from '../core/index.js';
import { Link, type LinkEndpoint, type LinkOptions } from './link.js';
import { NetContext, type NetStats, TcpCounters } from './net-context.js';
import type { Nic } from './nic.js';
import type { Route, Routing } from './routing.js';
import { type NodeOptions, SimNode } from './sim-node.js';
import { Switch, type SwitchOptions, SwitchPort } from './switch.js';

/** What connect() accepts as a link end: a node or switch name, a NIC, a node, or a switch. */
export type EndpointSpec = string | Nic | SimNode | Switch;

export interface SimNetworkOptions {
  readonly scheduler: Scheduler;
  readonly rng: RngSource;
  readonly fingerprint: Fingerprint;
  readonly trace?: TraceSink | null;
  /** Mix every delivered application byte into the fingerprint instead of samples. Default false. */
  readonly fingerprintAllBytes?: boolean;
}

export class SimNetwork implements Routing {
  readonly context: NetContext;
  readonly nodes = new Map<string, SimNode>();
  readonly switches = new Map<string, Switch>();
  readonly links: Link[] = [];
  /** Every NIC, indexed by id (as context.nics is). */
  readonly #nics: Nic[] = [];
  #topologyVersion = 0;
  #routesVersion = -1;

  constructor(options: SimNetworkOptions) {
    this.context = new NetContext(
      options.scheduler,
      options.rng,
      options.fingerprint,
      options.trace ?? null,
      options.fingerprintAllBytes ?? false,
    );
    this.context.ensureRoutes = () => this.#ensureRoutes();
  }

  get stats(): NetStats {
    return this.context.stats;
  }

  /**
   * TCP counters so far, per node (in the order nodes were added) and in total: every connection
   * each node ever had, closed, crashed or still open.
   */
  tcpCounters(): { readonly total: TcpCounters; readonly perNode: ReadonlyMap<string, TcpCounters> } {
    const total = new TcpCounters();
    const perNode = new Map<string, TcpCounters>();
    for (const [name, node] of this.nodes) {
      const counters = node.stack.countersNow();
      perNode.set(name, counters);
      total.add(counters);
    }
    return { total, perNode };
  }

  // ---------------------------------------------------------------- building

  addNode(name: string, options: NodeOptions): SimNode {
    this.#checkName(name);
    const registry = this.context.nics;
    const node = new SimNode(this.context, this, name, registry.nextId, options);
    for (const nic of node.nics) {
      if (registry.byIp(nic.ip) !== undefined || node.nics.some((other) => other !== nic && other.ip === nic.ip)) {
        throw new RangeError(`IP ${nic.ip} is already used`);
      }
    }
    for (const nic of node.nics) {
      registry.add(nic);
      this.#nics.push(nic);
    }
    this.nodes.set(name, node);
    this.#topologyVersion++;
    return node;
  }

  addSwitch(name: string, options: SwitchOptions = {}): Switch {
    this.#checkName(name);
    const created = new Switch(this.context, name, options);
    this.switches.set(name, created);
    return created;
  }

  /**
   * Links two endpoints. A node (or its name) uses its first NIC without a link; "node/eth1"
   * names a NIC; a switch (or its name) gets a new port.
   */
  connect(a: EndpointSpec, b: EndpointSpec, options: LinkOptions = {}): Link {
    const endA = this.#endpoint(a);
    const endB = this.#endpoint(b);
    if (endA.ownerName === endB.ownerName) throw new RangeError(`cannot link ${endA.label} to its own owner`);
    const link = new Link(this.context, endA, endB, options);
    endA.link = link;
    endB.link = link;
    endA.tx.link = link.aToB;
    endB.tx.link = link.bToA;
    this.links.push(link);
    this.#topologyVersion++;
    return link;
  }

  node(name: string): SimNode {
    const node = this.nodes.get(name);
    if (node === undefined) throw new RangeError(`no node '${name}'`);
    return node;
  }

  switch(name: string): Switch {
    const found = this.switches.get(name);
    if (found === undefined) throw new RangeError(`no switch '${name}'`);
    return found;
  }

  nicByIp(ip: string): Nic | undefined {
    const address = this.context.nics.byIp(ip);
    return address === undefined ? undefined : this.#nics[address.id];
  }

  /** The NIC with this id (the id packets carry). */
  nicById(id: number): Nic {
    const nic = this.#nics[id];
    if (nic === undefined) throw new RangeError(`no NIC with id ${id}`);
    return nic;
  }

  /** The first link whose ends are owned by these two names (nodes or switches), in either order. */
  linkBetween(ownerA: string, ownerB: string): Link {
    for (const link of this.links) {
      const names = [link.a.ownerName, link.b.ownerName];
      if (names.includes(ownerA) && names.includes(ownerB)) return link;
    }
    throw new RangeError(`no link between '${ownerA}' and '${ownerB}'`);
  }

  #checkName(name: string): void {
    if (name.length === 0 || name.includes('/') || name.includes('>') || name.includes('~')) {
      throw new RangeError(`bad name '${name}': must be non-empty without '/', '>' or '~'`);
    }
    if (this.nodes.has(name) || this.switches.has(name)) throw new RangeError(`name '${name}' is taken`);
  }

  #endpoint(spec: EndpointSpec): LinkEndpoint {
    if (spec instanceof Switch) return spec.addPort();
    if (spec instanceof SimNode) return this.#freeNic(spec);
    if (typeof spec !== 'string') {
      if (spec.link !== null) throw new RangeError(`${spec.label} is already linked`);
      return spec;
    }
    const slash = spec.indexOf('/');
    if (slash >= 0) {
      const nic = this.node(spec.slice(0, slash)).nic(spec.slice(slash + 1));
      if (nic.link !== null) throw new RangeError(`${nic.label} is already linked`);
      return nic;
    }
    const sw = this.switches.get(spec);
    if (sw !== undefined) return sw.addPort();
    return this.#freeNic(this.node(spec));
  }

  #freeNic(node: SimNode): Nic {
    const nic = node.nics.find((n) => n.link === null);
    if (nic === undefined) throw new RangeError(`node ${node.name} has no unlinked NIC`);
    return nic;
  }

  // ---------------------------------------------------------------- faults

  /**
   * Blocks traffic between two groups of nodes (both ways unless oneWay: then only a -> b),
   * wherever they sit in the topology. Packets are dropped as they leave the sender.
   */
  partitionNodes(groupA: readonly string[], groupB: readonly string[], oneWay = false): void {
    for (const a of groupA) {
      for (const b of groupB) {
        block(this.node(a), this.node(b));
        if (!oneWay) block(this.node(b), this.node(a));
      }
    }
  }

  /** Undoes partitionNodes for these groups (both ways unless oneWay). */
  healNodes(groupA: readonly string[], groupB: readonly string[], oneWay = false): void {
    for (const a of groupA) {
      for (const b of groupB) {
        unblock(this.node(a), this.node(b));
        if (!oneWay) unblock(this.node(b), this.node(a));
      }
    }
  }

  /** Removes every node-level partition. */
  healAllNodes(): void {
    for (const node of this.nodes.values()) node.blockedNicIds.clear();
  }

  // ---------------------------------------------------------------- routing

  /** The first of `from` that reaches the NIC with this ip, or null (unknown, unreachable, or one of `from`). */
  route(from: readonly Nic[], ip: string): Route | null {
    const remote = this.nicByIp(ip);
    if (remote === undefined || from.includes(remote)) return null;
    for (const local of from) if (this.reaches(local, remote)) return { local, remote };
    return null;
  }

  /** True if a packet sent from NIC `from` can reach NIC `to` (ignoring faults). */
  reaches(from: Nic, to: Nic): boolean {
    const link = from.link;
    if (link === null) return false;
    const peer = link.a === from ? link.b : link.a;
    if (peer === to) return true;
    if (!(peer instanceof SwitchPort)) return false;
    this.#ensureRoutes();
    const egress = peer.owner.table[to.id];
    return egress !== undefined && egress !== peer;
  }

  #ensureRoutes(): void {
    if (this.#routesVersion === this.#topologyVersion) return;
    this.#routesVersion = this.#topologyVersion;
    for (const sw of this.switches.values()) sw.table.length = 0;
    for (const nic of this.#nics) this.#routeTowards(nic);
  }

  /** Breadth-first from a NIC through the switches: each switch learns its port towards it. */
  #routeTowards(nic: Nic): void {
    const link = nic.link;
    if (link === null) return;
    const first = link.a === nic ? link.b : link.a;
    if (!(first instanceof SwitchPort)) return;
    const queue: SwitchPort[] = [first];
    const visited = new Set<Switch>([first.owner]);
    for (let head = 0; head < queue.length; head++) {
      const arrival = queue[head] as SwitchPort;
      const sw = arrival.owner;
      sw.table[nic.id] = arrival;
      for (const port of sw.ports) {
        const portLink = port.link;
        if (port === arrival || portLink === null) continue;
        const next = portLink.a === port ? portLink.b : portLink.a;
        if (next instanceof SwitchPort && !visited.has(next.owner)) {
          visited.add(next.owner);
          queue.push(next);
        }
      }
    }
  }
}

/** From now on, packets from `from` to any NIC of `to` are dropped as they leave. */
function block(from: SimNode, to: SimNode): void {
  for (const nic of to.nics) from.blockedNicIds.add(nic.id);
}

function unblock(from: SimNode, to: SimNode): void {
  for (const nic of to.nics) from.blockedNicIds.delete(nic.id);
}
