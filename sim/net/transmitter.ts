// An egress queue: a FIFO that serialises packets onto a link at a bit rate, with an optional
// byte limit (a switch port buffer). Because the queue is FIFO and work-conserving, a packet's
// departure time is known the moment it is queued: start = max(now, busyUntil), done = start +
// wireBytes * 8 / rate. So queueing costs no event, and the backlog in bytes at any instant is
// (busyUntil - now) * rate / 8. A rate change applies to packets queued after it.
//
// TSO super-segments (packet.frames > 1) are queued frame by frame where it matters, i.e. when
// the queue has a byte limit (a switch port) or the frames arrived spread out from a previous
// hop: frame i arrived at now - (wire bytes of the frames after it) * packet.hopNsPerByte, may
// start leaving as soon as it arrived (store-and-forward per frame, as a real switch does), and
// is tail-dropped on its own if the buffer it finds is full. The frames that survive go on as
// pieces of the super-segment. Simplification: the whole super-segment is queued in the event of
// its last frame, so a packet from another port that arrived while its first frames were coming
// in is queued ahead of them (FIFO order between ports is per packet, not per frame).
// A host NIC (no byte limit, frames handed over at once) serialises the frames back to back.
import type { NetContext } from './net-context.js';
import type { PacketCarrier } from './packet-carrier.js';
import { type Packet, wireBytesFor } from './packet.js';

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
  link: PacketCarrier | null = null;
  /** Time the last queued bit leaves, in fractional ns (kept fractional so rounding never drifts). */
  busyUntilNs = 0;
  /** Packets handed to the link (a super-segment, or each piece of one, counts once). */
  packetsSent = 0;
  /** Ethernet frames handed to the link. */
  framesSent = 0;
  wireBytesSent = 0;
  /** Peak backlog in bytes seen at enqueue time. */
  peakBacklogBytes = 0;
  /** Peak backlog since whoever measures utilisation last set it to 0 (per-interval maxima). */
  windowPeakBacklogBytes = 0;
  /** Frames tail-dropped because the buffer was full. */
  framesDropped = 0;
  /**
   * ECN marking (RFC 3168, the step marking DCTCP asks for, RFC 8257 3.1): an ECN-capable packet
   * that finds more than this many bytes queued is marked CE instead of waiting for a drop.
   * Infinity (default): no marking.
   */
  ecnMarkThresholdBytes = Infinity;
  /** Frames this queue marked CE. */
  framesMarked = 0;
  /**
   * A packet capture's view of what leaves (packet-capture.ts): called with each packet as it is
   * handed to the link, its last bit leaving at doneNs. Null, and one comparison, when no capture.
   */
  tap: ((packet: Packet, doneNs: number) => void) | null = null;

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

  /** The sender died: what it had queued or on the wire is lost with it. */
  reset(): void {
    this.busyUntilNs = 0;
    if (this.link !== null) this.link.cut();
  }

  /** Queues a packet; drops it (or some of its frames) if the buffer would overflow. */
  send(packet: Packet): void {
    const link = this.link;
    if (link === null) {
      this.context.drop(packet, 'no-route', this.label);
      return;
    }
    const now = this.context.scheduler.now;
    const rate = this.effectiveRateBps();
    if (packet.frames > 1 && rate !== Infinity && (this.bufferBytes !== Infinity || packet.hopNsPerByte > 0)) {
      this.#sendFrames(packet, link, now, rate);
      return;
    }
    const start = this.busyUntilNs > now ? this.busyUntilNs : now;
    if (this.bufferBytes !== Infinity && rate !== Infinity) {
      const backlog = ((start - now) * rate) / (NS_PER_S * BITS_PER_BYTE);
      if (backlog + packet.wireBytes > this.bufferBytes) {
        this.framesDropped += packet.frames;
        this.context.drop(packet, 'queue-full', this.label);
        return;
      }
      if (backlog > this.peakBacklogBytes) this.peakBacklogBytes = backlog;
      if (backlog > this.windowPeakBacklogBytes) this.windowPeakBacklogBytes = backlog;
      if (backlog > this.ecnMarkThresholdBytes && packet.ect) this.#mark(packet);
    }
    const done = rate === Infinity ? start : start + (packet.wireBytes * BITS_PER_BYTE * NS_PER_S) / rate;
    this.busyUntilNs = done;
    this.#hand(packet, link, done, rate === Infinity ? 0 : (BITS_PER_BYTE * NS_PER_S) / rate);
  }

  /** Per-frame queueing of a super-segment (see the top of the file). */
  #sendFrames(packet: Packet, link: PacketCarrier, now: number, rate: number): void {
    const nsPerByte = (BITS_PER_BYTE * NS_PER_S) / rate;
    const bytesPerNs = rate / (NS_PER_S * BITS_PER_BYTE);
    const arrivalNsPerByte = packet.hopNsPerByte;
    const frames = packet.frames;
    const fullWire = wireBytesFor(packet.gsoSize);
    const lastWire = packet.wireBytes - (frames - 1) * fullWire;
    const limit = this.bufferBytes;
    let after = packet.wireBytes;
    let busy = this.busyUntilNs;
    // The current run of frames with the same fate: [runStart, i), kept or dropped.
    let runStart = 0;
    let runKept = true;
    // Marking is decided once per super-segment, on the queue its first frame finds.
    if (limit !== Infinity && packet.ect) {
      const arrival = now - (packet.wireBytes - fullWire) * arrivalNsPerByte;
      if ((busy > arrival ? busy - arrival : 0) * bytesPerNs > this.ecnMarkThresholdBytes) this.#mark(packet);
    }
    for (let i = 0; i < frames; i++) {
      const wire = i === frames - 1 ? lastWire : fullWire;
      after -= wire;
      const arrival = now - after * arrivalNsPerByte;
      const start = busy > arrival ? busy : arrival;
      let kept = true;
      if (limit !== Infinity) {
        const backlog = (start - arrival) * bytesPerNs;
        if (backlog + wire > limit) kept = false;
        else {
          if (backlog > this.peakBacklogBytes) this.peakBacklogBytes = backlog;
          if (backlog > this.windowPeakBacklogBytes) this.windowPeakBacklogBytes = backlog;
        }
      }
      if (kept !== runKept) {
        this.#endRun(packet, link, runStart, i, runKept, busy, now, nsPerByte);
        runStart = i;
        runKept = kept;
      }
      if (kept) busy = start + (wire * BITS_PER_BYTE * NS_PER_S) / rate;
    }
    this.#endRun(packet, link, runStart, frames, runKept, busy, now, nsPerByte);
    this.busyUntilNs = busy;
  }

  #endRun(
    packet: Packet,
    link: PacketCarrier,
    first: number,
    end: number,
    kept: boolean,
    doneNs: number,
    now: number,
    nsPerByte: number,
  ): void {
    if (end <= first) return;
    const piece = packet.piece(first, end);
    if (!kept) {
      // A drop-tail buffer drops the frames that find it full (the others go on).
      this.framesDropped += piece.frames;
      this.context.drop(piece, 'queue-full', this.label);
      return;
    }
    // A run that ended before the last frame arrived may have left "in the past": it goes now.
    this.#hand(piece, link, doneNs > now ? doneNs : now, nsPerByte);
  }

  #mark(packet: Packet): void {
    if (packet.ce) return;
    packet.ce = true;
    this.framesMarked += packet.frames;
    this.context.stats.ecnMarked += packet.frames;
  }

  #hand(packet: Packet, link: PacketCarrier, doneNs: number, nsPerByte: number): void {
    this.packetsSent++;
    this.framesSent += packet.frames;
    this.wireBytesSent += packet.wireBytes;
    // Frames leave no closer together than they arrived, nor than this port serialises them.
    if (nsPerByte > packet.hopNsPerByte) packet.hopNsPerByte = nsPerByte;
    if (this.tap !== null) this.tap(packet, doneNs);
    link.carry(packet, doneNs);
  }
}
