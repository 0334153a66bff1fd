// An egress queue: a FIFO that serialises packets onto a link at a bit rate, with an optional
// byte limit (a switch port buffer). Because the queue is FIFO and work-conserving, a packet's
// departure time is known the moment it is queued: start = max(now, busyUntil), done = start +
// wireBytes * 8 / rate. So queueing costs no event, and the backlog in bytes at any instant is
// (busyUntil - now) * rate / 8. A rate change applies to packets queued after it.
import type { LinkDirection } from './link.js';
import type { NetContext } from './net-context.js';
import type { Packet } from './packet.js';

const NS_PER_S = 1e9;
const BITS_PER_BYTE = 8;

export class Transmitter {
  readonly context: NetContext;
  /** Where this queue is (for drop records). */
  readonly label: string;
  /** The sender's own line rate in bits per second (Infinity = no serialisation delay). */
  rateBps: number;
  /** Queue limit in bytes (framing included); Infinity for a host NIC. */
  bufferBytes: number;
  /** The link direction packets leave on; null until connected. */
  link: LinkDirection | null = null;
  /** Time the last queued bit leaves, in fractional ns (kept fractional so rounding never drifts). */
  busyUntilNs = 0;
  packetsSent = 0;
  wireBytesSent = 0;
  /** Peak backlog in bytes seen at enqueue time. */
  peakBacklogBytes = 0;

  constructor(context: NetContext, label: string, rateBps: number, bufferBytes: number) {
    if (!(rateBps > 0)) throw new RangeError(`${label}: rate must be > 0 bits/s, got ${rateBps}`);
    if (!(bufferBytes > 0)) throw new RangeError(`${label}: buffer must be > 0 bytes, got ${bufferBytes}`);
    this.context = context;
    this.label = label;
    this.rateBps = rateBps;
    this.bufferBytes = bufferBytes;
  }

  /** The effective rate towards the current link: min(own rate, link cap, receiver rate). */
  effectiveRateBps(): number {
    const link = this.link;
    if (link === null) return this.rateBps;
    const cap = link.rateCapBps();
    return cap < this.rateBps ? cap : this.rateBps;
  }

  /** Bytes waiting or in transmission right now. */
  backlogBytes(): number {
    const now = this.context.scheduler.now;
    const rate = this.effectiveRateBps();
    if (this.busyUntilNs <= now || rate === Infinity) return 0;
    return ((this.busyUntilNs - now) * rate) / (NS_PER_S * BITS_PER_BYTE);
  }

  /** Queues a packet; drops it if the buffer would overflow or nothing is connected. */
  send(packet: Packet): void {
    const link = this.link;
    if (link === null) {
      this.context.drop(packet, 'no-route', this.label);
      return;
    }
    const now = this.context.scheduler.now;
    const rate = this.effectiveRateBps();
    const start = this.busyUntilNs > now ? this.busyUntilNs : now;
    if (this.bufferBytes !== Infinity && rate !== Infinity) {
      const backlog = ((start - now) * rate) / (NS_PER_S * BITS_PER_BYTE);
      if (backlog + packet.wireBytes > this.bufferBytes) {
        this.context.drop(packet, 'queue-full', this.label);
        return;
      }
      if (backlog > this.peakBacklogBytes) this.peakBacklogBytes = backlog;
    }
    const done = rate === Infinity ? start : start + (packet.wireBytes * BITS_PER_BYTE * NS_PER_S) / rate;
    this.busyUntilNs = done;
    this.packetsSent++;
    this.wireBytesSent += packet.wireBytes;
    link.carry(packet, done);
  }
}
