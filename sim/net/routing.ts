// How a node finds its way to an address: which of its NICs leaves towards it and which NIC
// answers there. The network computes it (sim-network.ts, from the topology); nodes and stacks
// see only this interface, so they need not import the network that holds them.
import type { Nic } from './nic.js';

/** Where a packet to some address leaves and arrives. */
export interface Route {
  readonly local: Nic;
  readonly remote: Nic;
}

export interface Routing {
  /** The first of `from` that reaches the NIC with this ip, or null (unknown, unreachable, or one of `from`). */
  route(from: readonly Nic[], ip: string): Route | null;
}
