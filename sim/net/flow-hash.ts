// The hash that places a TCP flow: a seeded hash of the L4 5-tuple (source and destination IPv4
// address, protocol, source and destination port), as Linux's fib_multipath_hash with
// fib_multipath_hash_policy=1 and switch ECMP/LAG hashing do. It is symmetric: both directions of
// a connection hash alike (as switches configured for symmetric hashing do), so "the path a queue
// is on" is one path. The seed comes from the run's seed, so a placement is repeatable under one
// seed and changes with it, as a switch's hash seed differs from one fabric to the next.
//
// The mixing is murmur3's 32-bit finaliser over the words of the tuple: cheap (a few integer
// multiplies per packet) and well spread over the low bits that a modulo by the path count uses.

/** IPPROTO_TCP: every simulated flow is TCP. */
export const IPPROTO_TCP = 6;

/** One direction of a flow's 5-tuple (the protocol is TCP). */
export interface FlowTuple {
  readonly srcIp: number;
  readonly dstIp: number;
  readonly srcPort: number;
  readonly dstPort: number;
}

/** An IPv4 address as a 32-bit unsigned integer ('10.0.0.1' -> 0x0a000001). */
export function ipv4ToInt(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4) throw new RangeError(`not an IPv4 address: '${ip}'`);
  let value = 0;
  for (const part of parts) {
    const octet = Number(part);
    if (!(Number.isInteger(octet) && octet >= 0 && octet <= 255)) throw new RangeError(`not an IPv4 address: '${ip}'`);
    value = value * 256 + octet;
  }
  return value >>> 0;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function mix(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/**
 * The flow's hash under `seed`, a 32-bit unsigned integer; the same for both directions. The
 * lower (address, port) end goes first, so swapping source and destination changes nothing.
 */
export function flowHash(seed: number, srcIp: number, srcPort: number, dstIp: number, dstPort: number): number {
  const srcFirst = srcIp < dstIp || (srcIp === dstIp && srcPort <= dstPort);
  const ipLow = srcFirst ? srcIp : dstIp;
  const ipHigh = srcFirst ? dstIp : srcIp;
  const portLow = srcFirst ? srcPort : dstPort;
  const portHigh = srcFirst ? dstPort : srcPort;
  let h = seed | 0;
  h = mix(h, ipLow);
  h = mix(h, ipHigh);
  h = mix(h, IPPROTO_TCP);
  h = mix(h, ((portLow & 0xffff) << 16) | (portHigh & 0xffff));
  return fmix(h ^ 16);
}

/** flowHash of a tuple. */
export function hashTuple(seed: number, tuple: FlowTuple): number {
  return flowHash(seed, tuple.srcIp, tuple.srcPort, tuple.dstIp, tuple.dstPort);
}

/** A 32-bit seed from a random stream's first draw (the stream names what it seeds). */
export function seedFrom(random: { next(): number }): number {
  return Math.floor(random.next() * 0x100000000) >>> 0;
}
