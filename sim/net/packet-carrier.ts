// One direction of a link as the egress queue that feeds it sees it: something that takes a
// serialised packet and carries it to the far end, at no more than a rate the far end can take.
// The queue (transmitter.ts) needs nothing else of the link, and the link (link.ts) names its
// endpoints' queues, so this narrow view keeps the two from importing each other.
import type { Packet } from './packet.js';

export interface PacketCarrier {
  /** The fastest the sender may serialise onto this direction, in bits per second. */
  rateCapBps(): number;
  /** Takes a packet whose last bit leaves the sender at txDoneNs and schedules its arrival. */
  carry(packet: Packet, txDoneNs: number): void;
  /** Loses everything now queued for or travelling on this direction. */
  cut(): void;
}
