// One simulated TCP segment as the bytes of an Ethernet II frame (IEEE 802.3, without preamble and
// FCS, as a capture shows it): a 14 B Ethernet header, a 20 B IPv4 header (RFC 791) and a TCP
// header (RFC 9293 section 3.1) with options, then the payload, padded to the 60 B minimum. It is
// what a packet capture writes (packet-capture.ts), so every field comes from the model: ports,
// sequence and acknowledgement numbers (modulo 2^32, as the wire has them), flags, the window,
// MSS, SACK-permitted and SACK options. Both checksums are computed (RFC 1071), so a dissector
// that checks them finds them good, unless the model says the frame's TCP checksum fails.
//
// The model has no window scaling and sends its window in bytes (up to 6 MiB by default). A
// 16-bit window field cannot hold that, so SYNs carry a window scale option (RFC 7323 section 2)
// chosen as Linux chooses it from the largest receive buffer (net/ipv4/tcp_output.c
// tcp_select_initial_window: ilog2(space) - 15, at most 14), and later segments carry the window
// shifted right by it, rounded up. The model has no timestamps option, so none is written.

export const ETHERNET_HEADER_BYTES = 14;
const ETHERTYPE_IPV4 = 0x0800;
const IPV4_HEADER_BYTES = 20;
const TCP_HEADER_BYTES = 20;
/** The smallest Ethernet frame without its FCS: shorter frames are padded with zeros. */
const MIN_FRAME_BYTES = 60;
const IP_PROTO_TCP = 6;
/** Linux's default TTL (net.ipv4.ip_default_ttl). */
const IPV4_TTL = 64;
/** Don't Fragment: Linux sets it on TCP (path MTU discovery, RFC 1191). */
const IPV4_DONT_FRAGMENT = 0x4000;
const TCP_SYN = 0x02;
/** RFC 7323 section 2.3: a shift above 14 is treated as 14. */
const MAX_WINDOW_SHIFT = 14;
const TWO_POW_32 = 4294967296;

// TCP option kinds (IANA "TCP Option Kind Numbers").
const OPT_NOP = 1;
const OPT_MSS = 2;
const OPT_WINDOW_SCALE = 3;
const OPT_SACK_PERMITTED = 4;
const OPT_SACK = 5;

/** One end of a frame: its MAC and IPv4 address. */
export interface FrameAddress {
  readonly mac: Uint8Array;
  readonly ip: Uint8Array;
}

/** The segment fields a frame carries, already cut to one frame of a super-segment. */
export interface TcpFrameFields {
  readonly src: FrameAddress;
  readonly dst: FrameAddress;
  /** IPv4 identification (16 bits). */
  readonly ipId: number;
  readonly srcPort: number;
  readonly dstPort: number;
  /** Unbounded model sequence numbers; written modulo 2^32. */
  readonly seq: number;
  readonly ack: number;
  /** TCP header flags as the model has them (same bit values as the header). */
  readonly flags: number;
  /** The 16-bit window field, already scaled. */
  readonly window: number;
  /** Encoded TCP options, a multiple of 4 bytes, at most 40. */
  readonly options: Uint8Array;
  readonly payload: Uint8Array | null;
  /** Write a TCP checksum that fails (the model marked the frame corrupt). */
  readonly badChecksum: boolean;
}

/** A MAC address for an IPv4 address: locally administered 02:00 and then the four octets. */
export function macForIp(ip: Uint8Array): Uint8Array {
  return Uint8Array.of(0x02, 0x00, ip[0] ?? 0, ip[1] ?? 0, ip[2] ?? 0, ip[3] ?? 0);
}

/** Dotted-quad IPv4 text as four bytes. */
export function ipv4Bytes(text: string): Uint8Array {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255)) {
    throw new RangeError(`not an IPv4 address: '${text}'`);
  }
  return Uint8Array.from(parts);
}

/** The window scale Linux picks for a receive buffer of this many bytes (tcp_select_initial_window). */
export function windowShiftFor(receiveBufferBytes: number): number {
  let shift = 0;
  while (shift < MAX_WINDOW_SHIFT && receiveBufferBytes > 0xffff * 2 ** shift) shift++;
  return shift;
}

/** The 16-bit window field for a window in bytes: unscaled in a SYN (RFC 7323 section 2.2). */
export function windowField(windowBytes: number, shift: number, syn: boolean): number {
  const value = syn ? windowBytes : Math.ceil(windowBytes / 2 ** shift);
  return value > 0xffff ? 0xffff : value;
}

/**
 * TCP options for a segment, padded with NOPs to a multiple of 4 bytes, in Linux's order: on a
 * SYN, MSS, SACK-permitted, window scale (tcp_options_write); otherwise SACK blocks, at most 4.
 */
export function tcpOptionBytes(
  flags: number,
  mssBytes: number,
  sackPermitted: boolean,
  windowShift: number,
  sackBlocks: readonly number[] | null,
): Uint8Array {
  const bytes: number[] = [];
  if ((flags & TCP_SYN) !== 0) {
    if (mssBytes > 0) bytes.push(OPT_MSS, 4, (mssBytes >> 8) & 0xff, mssBytes & 0xff);
    if (sackPermitted) bytes.push(OPT_NOP, OPT_NOP, OPT_SACK_PERMITTED, 2);
    bytes.push(OPT_NOP, OPT_WINDOW_SCALE, 3, windowShift);
  } else if (sackBlocks !== null && sackBlocks.length >= 2) {
    const blocks = Math.min(4, Math.floor(sackBlocks.length / 2));
    bytes.push(OPT_NOP, OPT_NOP, OPT_SACK, 2 + 8 * blocks);
    for (let i = 0; i < 2 * blocks; i++) pushU32(bytes, (sackBlocks[i] as number) % TWO_POW_32);
  }
  while (bytes.length % 4 !== 0) bytes.push(OPT_NOP);
  return Uint8Array.from(bytes);
}

function pushU32(bytes: number[], value: number): void {
  bytes.push((value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
}

/** RFC 1071: the ones' complement sum of big-endian 16-bit words, added to `sum`, not folded. */
function sum16(bytes: Uint8Array, start: number, end: number, sum: number): number {
  let i = start;
  for (; i + 1 < end; i += 2) sum += ((bytes[i] as number) << 8) | (bytes[i + 1] as number);
  if (i < end) sum += (bytes[i] as number) << 8;
  return sum;
}

/** Folds a sum into 16 bits and complements it: the checksum field's value. */
function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/** The frame's bytes. */
export function encodeTcpFrame(fields: TcpFrameFields): Uint8Array {
  const payload = fields.payload;
  const payloadBytes = payload === null ? 0 : payload.length;
  const tcpBytes = TCP_HEADER_BYTES + fields.options.length + payloadBytes;
  const ipBytes = IPV4_HEADER_BYTES + tcpBytes;
  const frameBytes = Math.max(MIN_FRAME_BYTES, ETHERNET_HEADER_BYTES + ipBytes);
  const frame = new Uint8Array(frameBytes);
  const view = new DataView(frame.buffer);
  frame.set(fields.dst.mac, 0);
  frame.set(fields.src.mac, 6);
  view.setUint16(12, ETHERTYPE_IPV4);

  const ip = ETHERNET_HEADER_BYTES;
  frame[ip] = 0x45; // version 4, 5 words of header
  view.setUint16(ip + 2, ipBytes);
  view.setUint16(ip + 4, fields.ipId & 0xffff);
  view.setUint16(ip + 6, IPV4_DONT_FRAGMENT);
  frame[ip + 8] = IPV4_TTL;
  frame[ip + 9] = IP_PROTO_TCP;
  frame.set(fields.src.ip, ip + 12);
  frame.set(fields.dst.ip, ip + 16);
  view.setUint16(ip + 10, fold(sum16(frame, ip, ip + IPV4_HEADER_BYTES, 0)));

  const tcp = ip + IPV4_HEADER_BYTES;
  const headerBytes = TCP_HEADER_BYTES + fields.options.length;
  view.setUint16(tcp, fields.srcPort);
  view.setUint16(tcp + 2, fields.dstPort);
  view.setUint32(tcp + 4, fields.seq % TWO_POW_32);
  view.setUint32(tcp + 8, fields.ack % TWO_POW_32);
  frame[tcp + 12] = (headerBytes / 4) << 4;
  frame[tcp + 13] = fields.flags & 0xff;
  view.setUint16(tcp + 14, fields.window);
  frame.set(fields.options, tcp + TCP_HEADER_BYTES);
  if (payload !== null) frame.set(payload, tcp + headerBytes);
  // Pseudo-header (RFC 9293 section 3.1): addresses, protocol, TCP length.
  let sum = sum16(frame, ip + 12, ip + 20, IP_PROTO_TCP + tcpBytes);
  sum = sum16(frame, tcp, tcp + tcpBytes, sum);
  const checksum = fold(sum);
  view.setUint16(tcp + 16, fields.badChecksum ? checksum ^ 1 : checksum);
  return frame;
}
