// The machine a NIC sits in, as the NIC sees it: whether it is up, which NICs it may not reach,
// and where arriving packets go. SimNode implements it; the NIC needs no more of the node, so a
// NIC hands outgoing packets straight to its own queue and nodes and NICs do not import each
// other.
import type { Packet } from './packet.js';

export interface NicHost {
  /** Name of the node, as labels and records show it. */
  readonly name: string;
  /** False while the machine is crashed: it neither sends nor receives. */
  readonly up: boolean;
  /**
   * Ids of the NICs this machine's packets may not reach (a node-level partition); empty
   * almost always, so the send path pays one size check.
   */
  readonly blockedNicIds: ReadonlySet<number>;
  /** A packet arrived on the NIC with this index among the machine's NICs. */
  receivePacket(packet: Packet, nicIndex: number): void;
}
