// Independent NVMe/TCP PDU fixture builder for codec tests. It does not import the encoder, the
// decoder or the native CRC32C: layouts come straight from the wire-format notes
// (NVMe/TCP Transport Specification sections 3.3 and 3.6, summarised in docs/protocol.md; Linux
// include/linux/nvme-tcp.h; SPDK include/spdk/nvmf_spec.h), byte by byte, and the CRC32C is a plain
// table-driven implementation of the Castagnoli polynomial (reflected 0x82F63B78, init and final XOR
// 0xFFFFFFFF, RFC 3720 appendix B.4).

/** Reflected CRC32C polynomial. */
const CASTAGNOLI_REFLECTED = 0x82f63b78;

const CRC_TABLE = ((): Uint32Array => {
  const table = new Uint32Array(256);
  for (let index = 0; index < 256; index++) {
    let value = index;
    for (let bit = 0; bit < 8; bit++) value = value & 1 ? (value >>> 1) ^ CASTAGNOLI_REFLECTED : value >>> 1;
    table[index] = value >>> 0;
  }
  return table;
})();

/** Reference CRC32C (bytewise), independent of @node-rs/crc32. */
export function referenceCrc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Append-only little-endian byte list. */
export class ByteList {
  readonly bytes: number[] = [];

  u8(value: number): this {
    this.bytes.push(value & 0xff);
    return this;
  }

  u16(value: number): this {
    return this.u8(value).u8(value >>> 8);
  }

  u32(value: number): this {
    return this.u8(value).u8(value >>> 8).u8(value >>> 16).u8(value >>> 24);
  }

  zeros(count: number): this {
    for (let index = 0; index < count; index++) this.bytes.push(0);
    return this;
  }

  raw(bytes: Uint8Array | readonly number[]): this {
    for (const byte of bytes) this.bytes.push(byte);
    return this;
  }

  get length(): number {
    return this.bytes.length;
  }

  toUint8Array(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** Raw description of one PDU on the wire; every length is explicit so tests can also build bad PDUs. */
export interface RawPdu {
  type: number;
  flags: number;
  hlen: number;
  /** PDO byte as sent. */
  pdo: number;
  /** Type-specific header bytes after the 8-byte common header (hlen - 8 of them for a valid PDU). */
  specific: Uint8Array | readonly number[];
  /** Append CRC32C of the header after it. */
  headerDigest?: boolean;
  /** Zero bytes between the header (+ HDGST) and the data. */
  padding?: number;
  data?: Uint8Array;
  /** Append CRC32C of the data after it. */
  dataDigest?: boolean;
  /** plen as sent; defaults to the real total length. */
  plen?: number;
  /** XOR applied to the HDGST/DDGST as sent, to build digest errors. */
  corruptHeaderDigest?: number;
  corruptDataDigest?: number;
}

/** Serialises a RawPdu: common header, specific header, HDGST, padding, data, DDGST. */
export function buildRawPdu(raw: RawPdu): Uint8Array {
  const data = raw.data ?? new Uint8Array(0);
  const total =
    8 + raw.specific.length + (raw.headerDigest ? 4 : 0) + (raw.padding ?? 0) + data.length + (raw.dataDigest ? 4 : 0);
  const header = new ByteList()
    .u8(raw.type)
    .u8(raw.flags)
    .u8(raw.hlen)
    .u8(raw.pdo)
    .u32(raw.plen ?? total)
    .raw(raw.specific);
  const out = new ByteList().raw(header.bytes);
  if (raw.headerDigest) out.u32((referenceCrc32c(header.toUint8Array()) ^ (raw.corruptHeaderDigest ?? 0)) >>> 0);
  out.zeros(raw.padding ?? 0).raw(data);
  if (raw.dataDigest) out.u32((referenceCrc32c(data) ^ (raw.corruptDataDigest ?? 0)) >>> 0);
  return out.toUint8Array();
}

/** Flag bits (common header offset 1) and type codes, spelled out again on purpose. */
export const F_HDGST = 0x01;
export const F_DDGST = 0x02;
export const F_LAST = 0x04;
export const F_SUCCESS = 0x08;

/** Digest/alignment configuration of a fixture. */
export interface FixtureFraming {
  hdgst: boolean;
  ddgst: boolean;
  /** Data alignment in bytes (0 = none). */
  alignBytes: number;
}

const NONE: FixtureFraming = { hdgst: false, ddgst: false, alignBytes: 0 };

export function icReqBytes(fields: { pfv: number; hpda: number; digest: number; maxr2t: number; plen?: number; hlen?: number }): Uint8Array {
  const specific = new ByteList().u16(fields.pfv).u8(fields.hpda).u8(fields.digest).u32(fields.maxr2t).zeros(112);
  return buildRawPdu({ type: 0x00, flags: 0, hlen: fields.hlen ?? 128, pdo: 0, specific: specific.bytes, ...plenOf(fields.plen) });
}

export function icRespBytes(fields: { pfv: number; cpda: number; digest: number; maxh2cdata: number }): Uint8Array {
  const specific = new ByteList().u16(fields.pfv).u8(fields.cpda).u8(fields.digest).u32(fields.maxh2cdata).zeros(112);
  return buildRawPdu({ type: 0x01, flags: 0, hlen: 128, pdo: 0, specific: specific.bytes });
}

export function termReqBytes(type: 0x02 | 0x03, fields: { fes: number; fei: number; errorData: Uint8Array; plen?: number }): Uint8Array {
  // fes u16 @8, fei u32 @10 (unaligned), 10 reserved bytes, then the error data.
  const specific = new ByteList().u16(fields.fes).u32(fields.fei).zeros(10);
  return buildRawPdu({ type, flags: 0, hlen: 24, pdo: 0, specific: specific.bytes, data: fields.errorData, ...plenOf(fields.plen) });
}

export function capsuleCmdBytes(sqe: Uint8Array, data: Uint8Array, framing: FixtureFraming = NONE): Uint8Array {
  const hasData = data.length > 0;
  const headerEnd = 72 + (framing.hdgst ? 4 : 0);
  const pdo = hasData ? alignUp(headerEnd, framing.alignBytes) : 0;
  const ddgst = hasData && framing.ddgst;
  const flags = (framing.hdgst ? F_HDGST : 0) | (ddgst ? F_DDGST : 0);
  return buildRawPdu({
    type: 0x04,
    flags,
    hlen: 72,
    pdo,
    specific: sqe,
    headerDigest: framing.hdgst,
    padding: hasData ? pdo - headerEnd : 0,
    data,
    dataDigest: ddgst,
  });
}

export function capsuleRespBytes(cqe: Uint8Array, framing: FixtureFraming = NONE): Uint8Array {
  return buildRawPdu({ type: 0x05, flags: framing.hdgst ? F_HDGST : 0, hlen: 24, pdo: 0, specific: cqe, headerDigest: framing.hdgst });
}

/** H2CData (0x06) or C2HData (0x07): cccid @8, ttag @10 (reserved in C2H), datao @12, datal @16, 4 reserved. */
export function dataPduBytes(
  type: 0x06 | 0x07,
  fields: { flags: number; cccid: number; ttag: number; datao: number; data: Uint8Array },
  framing: FixtureFraming = NONE,
): Uint8Array {
  const headerEnd = 24 + (framing.hdgst ? 4 : 0);
  const pdo = alignUp(headerEnd, framing.alignBytes);
  const specific = new ByteList().u16(fields.cccid).u16(fields.ttag).u32(fields.datao).u32(fields.data.length).zeros(4);
  return buildRawPdu({
    type,
    flags: fields.flags | (framing.hdgst ? F_HDGST : 0) | (framing.ddgst ? F_DDGST : 0),
    hlen: 24,
    pdo,
    specific: specific.bytes,
    headerDigest: framing.hdgst,
    padding: pdo - headerEnd,
    data: fields.data,
    dataDigest: framing.ddgst,
  });
}

export function r2tBytes(fields: { cccid: number; ttag: number; r2to: number; r2tl: number }, framing: FixtureFraming = NONE): Uint8Array {
  const specific = new ByteList().u16(fields.cccid).u16(fields.ttag).u32(fields.r2to).u32(fields.r2tl).zeros(4);
  return buildRawPdu({ type: 0x09, flags: framing.hdgst ? F_HDGST : 0, hlen: 24, pdo: 0, specific: specific.bytes, headerDigest: framing.hdgst });
}

/** Deterministic filler bytes (i * 7 + seed) so views at wrong offsets are noticed. */
export function patternBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let index = 0; index < length; index++) bytes[index] = (index * 7 + seed) & 0xff;
  return bytes;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  return new ByteList().raw(parts.flatMap((part) => Array.from(part))).toUint8Array();
}

function alignUp(value: number, alignBytes: number): number {
  return alignBytes === 0 ? value : Math.ceil(value / alignBytes) * alignBytes;
}

function plenOf(plen: number | undefined): { plen?: number } {
  return plen === undefined ? {} : { plen };
}
