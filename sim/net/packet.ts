// A packet on the simulated wire: one TCP segment with its addressing, as an object. Payloads are
// views (subarray) of the sender's buffers, so a segment costs no copy; a packet is never
// mutated after it is sent except by the link's fault injection, which copies before it flips.
//
// A packet may be a TSO/GSO super-segment (Linux: one skb with gso_size = MSS and
// tcp_skb_pcount() > 1): `frames` MSS-sized Ethernet frames, the last one possibly shorter, that
// travel and are received (GRO) as one object. Everything that happens to frames on a real wire
// is accounted per frame: wireBytes is the sum of the frames' wire sizes, so serialisation takes
// exactly as long as the frames back to back, and links split a super-segment with piece() when
// they lose or corrupt one of its frames.
//
// A packet names its source and destination NIC by id (NetContext.nics resolves an id to an
// address), as a frame names MAC addresses: it holds no network element, so the packet sits at
// the bottom of the network's import graph and costs no pointer chase to address.

/**
 * 20 B IPv4 header + 20 B TCP header. TCP options (MSS, SACK) are not counted on the wire, and
 * there are no timestamps, so MSS = MTU - 40 (Linux with timestamps uses MTU - 52).
 */
export const TCP_IP_HEADER_BYTES = 40;
/**
 * Ethernet cost per frame beyond the IP packet: 14 B header + 4 B FCS + 7 B preamble + 1 B SFD +
 * 12 B inter-frame gap (IEEE 802.3). Serialisation delay counts these too.
 */
export const ETHERNET_OVERHEAD_BYTES = 38;
/** Minimum Ethernet payload: shorter IP packets are padded to 46 B (64 B frame). */
export const ETHERNET_MIN_PAYLOAD_BYTES = 46;
/** Default Ethernet MTU. */
export const DEFAULT_MTU_BYTES = 1500;

// TCP header flags (RFC 9293 section 3.1).
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
/** ECN-Echo and Congestion Window Reduced (RFC 3168 6.1). */
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

/** Bytes a packet with this much TCP payload occupies on the wire, framing and padding included. */
export function wireBytesFor(payloadBytes: number): number {
  const ipBytes = payloadBytes + TCP_IP_HEADER_BYTES;
  return (ipBytes > ETHERNET_MIN_PAYLOAD_BYTES ? ipBytes : ETHERNET_MIN_PAYLOAD_BYTES) + ETHERNET_OVERHEAD_BYTES;
}

/** Frames a payload needs when cut into gsoSize pieces (Linux tcp_skb_pcount); at least one. */
export function framesFor(payloadBytes: number, gsoSize: number): number {
  return gsoSize > 0 && payloadBytes > gsoSize ? Math.ceil(payloadBytes / gsoSize) : 1;
}

/**
 * Wire bytes of a payload cut into gsoSize frames, each with its own headers and framing: what
 * the NIC's segmentation offload puts on the wire for one super-segment.
 */
export function superSegmentWireBytes(payloadBytes: number, gsoSize: number): number {
  if (gsoSize <= 0 || payloadBytes <= gsoSize) return wireBytesFor(payloadBytes);
  const full = Math.floor(payloadBytes / gsoSize);
  const rest = payloadBytes - full * gsoSize;
  return full * wireBytesFor(gsoSize) + (rest > 0 ? wireBytesFor(rest) : 0);
}

/** A link direction as seen by a packet in flight: did a cut happen since the packet entered? */
export interface InFlightCheck {
  readonly cutCount: number;
  /** Drops a packet that was on the link (or queued for it) when the link was cut. */
  dropCut(packet: Packet): void;
}

/** Something a packet can arrive at: a NIC or a switch port. */
export interface PacketSink {
  receive(packet: Packet): void;
}

export class Packet {
  /** Network-wide id of the sending NIC (Nic.id). */
  readonly srcNicId: number;
  /** Network-wide id of the NIC it is addressed to. */
  readonly dstNicId: number;
  readonly srcPort: number;
  readonly dstPort: number;
  /** Sequence number of the first payload byte (or of the SYN/FIN). Unbounded, never wraps. */
  readonly seq: number;
  /** Cumulative acknowledgement (valid when TCP_ACK is set). */
  readonly ack: number;
  readonly flags: number;
  /** Advertised receive window in bytes (no window scaling is modelled; it is exact). */
  readonly windowBytes: number;
  /** MSS option, carried on SYN and SYN-ACK only (0 otherwise). */
  readonly mssBytes: number;
  /** TCP payload, or null for a bare control segment. */
  payload: Uint8Array | null;
  /** Size on the wire, including TCP/IP headers and Ethernet framing, summed over the frames. */
  readonly wireBytes: number;
  /** Payload bytes per frame (the MSS) when this is a super-segment; 0 for a single frame. */
  readonly gsoSize: number;
  /** Ethernet frames this packet stands for (Linux tcp_skb_pcount / gso_segs); 1 unless TSO. */
  readonly frames: number;
  /**
   * Spacing of the frames as they left the previous hop, in ns per wire byte (0 = all at once,
   * as handed over by the TCP stack). A switch uses it to start forwarding the first frames
   * before the last one arrived, as a store-and-forward switch does per frame.
   */
  hopNsPerByte = 0;
  /** SACK permitted option (RFC 2018), on SYN and SYN-ACK. */
  sackPermitted = false;
  /** SACK blocks as flat [start, end, ...] pairs, or null. Options are not counted in wireBytes. */
  sackBlocks: number[] | null = null;
  /** Set by a link's `corruptRate`: the TCP checksum fails and the receiver drops the packet. */
  corrupt = false;
  /** IP ECN field (RFC 3168 5): ECN-capable transport (ECT(0)), and Congestion Experienced. */
  ect = false;
  ce = false;
  /** Where the packet arrives next; set by the link that carries it. */
  hop: PacketSink | null = null;
  /** The link direction carrying it, and that direction's cut count when it entered. */
  via: InFlightCheck | null = null;
  cutStamp = 0;

  constructor(
    srcNicId: number,
    dstNicId: number,
    srcPort: number,
    dstPort: number,
    seq: number,
    ack: number,
    flags: number,
    windowBytes: number,
    mssBytes: number,
    payload: Uint8Array | null,
    gsoSize = 0,
  ) {
    this.srcNicId = srcNicId;
    this.dstNicId = dstNicId;
    this.srcPort = srcPort;
    this.dstPort = dstPort;
    this.seq = seq;
    this.ack = ack;
    this.flags = flags;
    this.windowBytes = windowBytes;
    this.mssBytes = mssBytes;
    this.payload = payload;
    const length = payload === null ? 0 : payload.length;
    if (gsoSize > 0 && length > gsoSize) {
      this.gsoSize = gsoSize;
      this.frames = Math.ceil(length / gsoSize);
      this.wireBytes = superSegmentWireBytes(length, gsoSize);
    } else {
      this.gsoSize = 0;
      this.frames = 1;
      this.wireBytes = wireBytesFor(length);
    }
  }

  /** Payload length in bytes. */
  get payloadBytes(): number {
    return this.payload === null ? 0 : this.payload.length;
  }

  /** Wire bytes of frames [first, end) of this packet. */
  frameWireBytes(first: number, end: number): number {
    if (this.frames === 1) return first === 0 && end >= 1 ? this.wireBytes : 0;
    const gso = this.gsoSize;
    const length = this.payloadBytes;
    let bytes = 0;
    for (let i = first; i < end; i++) {
      const offset = i * gso;
      bytes += wireBytesFor(length - offset < gso ? length - offset : gso);
    }
    return bytes;
  }

  /**
   * Frames [first, end) as a packet of their own: what is left of a super-segment when a link
   * or a switch loses other frames of it. Sequence number and payload are those frames'; FIN and
   * PSH stay only on the piece that ends where the super-segment ended. Options (SACK blocks,
   * window) are the same in every frame, as a NIC's segmentation copies the TCP header.
   */
  piece(first: number, end: number): Packet {
    if (first === 0 && end >= this.frames) return this;
    const gso = this.gsoSize;
    const payload = this.payload as Uint8Array;
    const from = first * gso;
    const to = end * gso < payload.length ? end * gso : payload.length;
    const last = to === payload.length;
    const flags = last ? this.flags : this.flags & ~(TCP_FIN | TCP_PSH);
    const piece = new Packet(
      this.srcNicId,
      this.dstNicId,
      this.srcPort,
      this.dstPort,
      this.seq + from,
      this.ack,
      flags,
      this.windowBytes,
      this.mssBytes,
      payload.subarray(from, to),
      gso,
    );
    piece.corrupt = this.corrupt;
    piece.ect = this.ect;
    piece.ce = this.ce;
    piece.sackBlocks = this.sackBlocks;
    piece.hopNsPerByte = this.hopNsPerByte;
    return piece;
  }

  /** A copy for duplication: shares the payload view (nobody mutates it in place). */
  clone(): Packet {
    const copy = new Packet(
      this.srcNicId,
      this.dstNicId,
      this.srcPort,
      this.dstPort,
      this.seq,
      this.ack,
      this.flags,
      this.windowBytes,
      this.mssBytes,
      this.payload,
      this.gsoSize,
    );
    copy.corrupt = this.corrupt;
    copy.sackPermitted = this.sackPermitted;
    copy.sackBlocks = this.sackBlocks;
    copy.hopNsPerByte = this.hopNsPerByte;
    return copy;
  }
}

/** Delivers a packet to its next hop: the scheduler calls this, with no closure per packet. */
export function deliverPacket(packet: Packet): void {
  const via = packet.via;
  if (via !== null && via.cutCount !== packet.cutStamp) {
    via.dropCut(packet);
    return;
  }
  const hop = packet.hop;
  if (hop !== null) hop.receive(packet);
}
