// The 64-byte submission queue entry (NVMe Base Specification 2.0, section 4.2, Figure 88 "Common
// Command Format"; Linux include/linux/nvme.h struct nvme_common_command), its SGL data pointer
// as NVMe over Fabrics uses it (Base 2.0 section 4.1.8; Linux host/tcp.c nvme_tcp_set_sg_*), and
// builders and accessors for the commands the TypeScript host sends and the target executes.
// Layout (little-endian): opcode@0, flags@1, cid u16@2, nsid u32@4, cdw2@8, cdw3@12, mptr u64@16,
// SGL1@24 {address u64@24, length u32@32, reserved 3 B, identifier@39}, cdw10..cdw15@40..60.
import { AdminOpcode, FABRICS_OPCODE, IDENTIFY_DATA_LENGTH, IoOpcode, SGL_IN_CAPSULE, SGL_TRANSPORT } from './constants.js';
import { isU32, readU16LE, readU32LE, requireLength, requireUint, viewOf, writeU16LE, writeU32LE } from './strings.js';

/** Size of a submission queue entry. */
export const SQE_BYTES = 64;

/** Byte offsets in the SQE, named for error locations (Connect's IPO, error log PEL). */
export const SqeOffset = {
  OPCODE: 0,
  FLAGS: 1,
  CID: 2,
  NSID: 4,
  /** Fabrics commands put the command type where the NSID would be. */
  FCTYPE: 4,
  CDW2: 8,
  CDW3: 12,
  MPTR: 16,
  SGL_ADDRESS: 24,
  SGL_LENGTH: 32,
  SGL_TYPE: 39,
  CDW10: 40,
  CDW11: 44,
  CDW12: 48,
  CDW13: 52,
  CDW14: 56,
  CDW15: 60,
} as const;

/**
 * CDW0 flags byte: FUSE bits 1:0 and PSDT bits 7:6 (nvme.h NVME_CMD_FUSE_*, NVME_CMD_SGL_*).
 * Over Fabrics PSDT must be 01b ("SGL, MPTR is an address"): Linux nvmet_req_init rejects any other
 * value with INVALID_FIELD|DNR, and the Linux host sets NVME_CMD_SGL_METABUF on every command
 * (host/tcp.c nvme_tcp_map_data / fabrics.c).
 */
export const SqeFlag = {
  FUSE_FIRST: 0x01,
  FUSE_SECOND: 0x02,
  FUSE_MASK: 0x03,
  SGL_METABUF: 0x40,
  SGL_METASEG: 0x80,
  SGL_MASK: 0xc0,
} as const;

export interface Sqe {
  readonly opcode: number;
  readonly flags: number;
  /** Command identifier, unique among the queue's outstanding commands. */
  readonly cid: number;
  /** Namespace ID; for Fabrics commands the low byte is the fctype (see fabricsType). */
  readonly nsid: number;
  readonly cdw2: number;
  readonly cdw3: number;
  /** Metadata pointer (unused over TCP). */
  readonly mptr: bigint;
  /** SGL descriptor identifier (byte 15 of SGL1): SGL_IN_CAPSULE or SGL_TRANSPORT on TCP. */
  readonly sglType: number;
  /** SGL address: the offset into in-capsule data for SGL_IN_CAPSULE, 0 for SGL_TRANSPORT. */
  readonly sglAddress: bigint;
  /** SGL length in bytes: the data the command moves. */
  readonly sglLength: number;
  readonly cdw10: number;
  readonly cdw11: number;
  readonly cdw12: number;
  readonly cdw13: number;
  readonly cdw14: number;
  readonly cdw15: number;
}

/** What encodeSqe needs: opcode and cid; everything else defaults (see encodeSqe). */
export type SqeInit = Partial<Sqe> & { readonly opcode: number; readonly cid: number };

/** Decodes the first 64 bytes of `bytes` (typically the SQE view of a CapsuleCmd PDU). */
export function decodeSqe(bytes: Uint8Array): Sqe {
  requireLength(bytes, SQE_BYTES, 'decodeSqe');
  return {
    opcode: bytes[0] ?? 0,
    flags: bytes[1] ?? 0,
    cid: readU16LE(bytes, 2),
    nsid: readU32LE(bytes, 4),
    cdw2: readU32LE(bytes, 8),
    cdw3: readU32LE(bytes, 12),
    mptr: readU64Bigint(bytes, 16),
    sglAddress: readU64Bigint(bytes, 24),
    sglLength: readU32LE(bytes, 32),
    sglType: bytes[39] ?? 0,
    cdw10: readU32LE(bytes, 40),
    cdw11: readU32LE(bytes, 44),
    cdw12: readU32LE(bytes, 48),
    cdw13: readU32LE(bytes, 52),
    cdw14: readU32LE(bytes, 56),
    cdw15: readU32LE(bytes, 60),
  };
}

/** A u64 as a bigint; zero (MPTR and the SGL address of every TCP I/O command) without a BigInt conversion. */
function readU64Bigint(bytes: Uint8Array, offset: number): bigint {
  const low = readU32LE(bytes, offset);
  const high = readU32LE(bytes, offset + 4);
  if (low === 0 && high === 0) return 0n;
  return (BigInt(high) << 32n) | BigInt(low);
}

/**
 * Writes an SQE into `buf` at `offset`. Defaults: flags SGL_METABUF (what Fabrics requires),
 * sglType SGL_TRANSPORT with length 0 (Linux's "null" SGL for commands without data), all else 0.
 */
export function encodeSqeInto(buf: Uint8Array, offset: number, sqe: SqeInit): void {
  requireLength(buf, SQE_BYTES, 'encodeSqeInto', offset);
  const opcode = sqe.opcode;
  const flags = sqe.flags ?? SqeFlag.SGL_METABUF;
  const cid = sqe.cid;
  const nsid = sqe.nsid ?? 0;
  const cdw2 = sqe.cdw2 ?? 0;
  const cdw3 = sqe.cdw3 ?? 0;
  const sglLength = sqe.sglLength ?? 0;
  const sglType = sqe.sglType ?? SGL_TRANSPORT;
  const cdw10 = sqe.cdw10 ?? 0;
  const cdw11 = sqe.cdw11 ?? 0;
  const cdw12 = sqe.cdw12 ?? 0;
  const cdw13 = sqe.cdw13 ?? 0;
  const cdw14 = sqe.cdw14 ?? 0;
  const cdw15 = sqe.cdw15 ?? 0;
  // Hot path (every I/O command): all fields in range and no 64-bit pointers, checked at once and
  // written byte by byte. Anything else takes the checked path, which throws the precise error.
  if (
    (sqe.mptr ?? 0n) !== 0n ||
    (sqe.sglAddress ?? 0n) !== 0n ||
    (opcode & 0xff) !== opcode ||
    (flags & 0xff) !== flags ||
    (cid & 0xffff) !== cid ||
    (sglType & 0xff) !== sglType ||
    !isU32(nsid) ||
    !isU32(cdw2) ||
    !isU32(cdw3) ||
    !isU32(sglLength) ||
    !isU32(cdw10) ||
    !isU32(cdw11) ||
    !isU32(cdw12) ||
    !isU32(cdw13) ||
    !isU32(cdw14) ||
    !isU32(cdw15)
  ) {
    encodeSqeChecked(buf, offset, sqe);
    return;
  }
  buf[offset] = opcode;
  buf[offset + 1] = flags;
  writeU16LE(buf, offset + 2, cid);
  writeU32LE(buf, offset + 4, nsid);
  writeU32LE(buf, offset + 8, cdw2);
  writeU32LE(buf, offset + 12, cdw3);
  // MPTR and the SGL address (both zero here), then the SGL length and 3 reserved bytes.
  buf.fill(0, offset + 16, offset + 32);
  writeU32LE(buf, offset + 32, sglLength);
  buf[offset + 36] = 0;
  buf[offset + 37] = 0;
  buf[offset + 38] = 0;
  buf[offset + 39] = sglType;
  writeU32LE(buf, offset + 40, cdw10);
  writeU32LE(buf, offset + 44, cdw11);
  writeU32LE(buf, offset + 48, cdw12);
  writeU32LE(buf, offset + 52, cdw13);
  writeU32LE(buf, offset + 56, cdw14);
  writeU32LE(buf, offset + 60, cdw15);
}

/** encodeSqeInto with every field checked and written in order (64-bit pointers, and errors). */
function encodeSqeChecked(buf: Uint8Array, offset: number, sqe: SqeInit): void {
  const view = new DataView(buf.buffer, buf.byteOffset + offset, SQE_BYTES);
  view.setUint8(0, requireUint(sqe.opcode, 8, 'sqe.opcode'));
  view.setUint8(1, requireUint(sqe.flags ?? SqeFlag.SGL_METABUF, 8, 'sqe.flags'));
  view.setUint16(2, requireUint(sqe.cid, 16, 'sqe.cid'), true);
  view.setUint32(4, requireUint(sqe.nsid ?? 0, 32, 'sqe.nsid'), true);
  view.setUint32(8, requireUint(sqe.cdw2 ?? 0, 32, 'sqe.cdw2'), true);
  view.setUint32(12, requireUint(sqe.cdw3 ?? 0, 32, 'sqe.cdw3'), true);
  view.setBigUint64(16, sqe.mptr ?? 0n, true);
  view.setBigUint64(24, sqe.sglAddress ?? 0n, true);
  view.setUint32(32, requireUint(sqe.sglLength ?? 0, 32, 'sqe.sglLength'), true);
  view.setUint8(36, 0);
  view.setUint16(37, 0, true);
  view.setUint8(39, requireUint(sqe.sglType ?? SGL_TRANSPORT, 8, 'sqe.sglType'));
  view.setUint32(40, requireUint(sqe.cdw10 ?? 0, 32, 'sqe.cdw10'), true);
  view.setUint32(44, requireUint(sqe.cdw11 ?? 0, 32, 'sqe.cdw11'), true);
  view.setUint32(48, requireUint(sqe.cdw12 ?? 0, 32, 'sqe.cdw12'), true);
  view.setUint32(52, requireUint(sqe.cdw13 ?? 0, 32, 'sqe.cdw13'), true);
  view.setUint32(56, requireUint(sqe.cdw14 ?? 0, 32, 'sqe.cdw14'), true);
  view.setUint32(60, requireUint(sqe.cdw15 ?? 0, 32, 'sqe.cdw15'), true);
}

/** Encodes an SQE into a new 64-byte array (defaults as encodeSqeInto). */
export function encodeSqe(sqe: SqeInit): Uint8Array {
  const out = new Uint8Array(SQE_BYTES);
  encodeSqeInto(out, 0, sqe);
  return out;
}

/** The fctype (byte 4) of a Fabrics command, or undefined if opcode is not 0x7f. */
export function fabricsType(bytes: Uint8Array): number | undefined {
  requireLength(bytes, SQE_BYTES, 'fabricsType');
  return bytes[0] === FABRICS_OPCODE ? bytes[4] : undefined;
}

/** Same as fabricsType, for a decoded SQE. */
export function sqeFabricsType(sqe: Sqe): number | undefined {
  return sqe.opcode === FABRICS_OPCODE ? sqe.nsid & 0xff : undefined;
}

/** True when SGL1 describes in-capsule data (the target takes the data from the capsule). */
export function isInCapsule(sqe: Sqe): boolean {
  return sqe.sglType === SGL_IN_CAPSULE;
}

/** SGL fields for `length` bytes of data moved in the capsule or by the transport. */
export function dataSgl(inCapsule: boolean, length: number): Pick<Sqe, 'sglType' | 'sglAddress' | 'sglLength'> {
  // ICDOFF is 0: the Linux host refuses controllers reporting another value (host/tcp.c
  // nvme_tcp_setup_ctrl "icdoff is not supported!"), so the offset address is always 0.
  return { sglType: inCapsule ? SGL_IN_CAPSULE : SGL_TRANSPORT, sglAddress: 0n, sglLength: length };
}

// ---- Read, Write, Write Zeroes (NVM Command Set 1.0 sections 3.2.6, 3.3.3, 3.3.6) ----

/** CDW12 bits of Read/Write/Write Zeroes (nvme.h NVME_RW_*). */
export const RwFlag = { FUA: 1 << 30, LIMITED_RETRY: 0x80000000, DEAC: 1 << 25 } as const;

export interface ReadWriteFields {
  /** Starting LBA (CDW10-11). */
  readonly slba: number;
  /** Number of logical blocks, 1-based (CDW12 bits 15:0 hold it 0's based). */
  readonly nlb: number;
  readonly fua: boolean;
}

/** SLBA, NLB and FUA of a Read, Write, Write Zeroes or Compare. SLBA above 2^53-1 throws. */
export function readWriteFields(sqe: Sqe): ReadWriteFields {
  const slba = sqe.cdw11 * 2 ** 32 + sqe.cdw10;
  if (!Number.isSafeInteger(slba)) throw new RangeError(`readWriteFields: slba ${slba} exceeds 2^53-1`);
  return { slba, nlb: (sqe.cdw12 & 0xffff) + 1, fua: (sqe.cdw12 & RwFlag.FUA) !== 0 };
}

function slbaDwords(slba: number): { cdw10: number; cdw11: number } {
  if (!Number.isSafeInteger(slba) || slba < 0) throw new RangeError(`slba: ${slba} is not a non-negative safe integer`);
  return { cdw10: slba % 2 ** 32, cdw11: Math.floor(slba / 2 ** 32) };
}

function nlbDword(nlb: number): number {
  if (!Number.isInteger(nlb) || nlb < 1 || nlb > 0x10000) throw new RangeError(`nlb: ${nlb} is not in 1..65536`);
  return nlb - 1;
}

export interface ReadWriteInit {
  readonly cid: number;
  readonly nsid: number;
  readonly slba: number;
  /** Number of logical blocks, 1-based. */
  readonly nlb: number;
  /** Data in the capsule (writes up to IOCCSZ*16-64 bytes) rather than moved by R2T/C2HData. */
  readonly inCapsule: boolean;
  /** Data length in bytes (nlb * block size). */
  readonly length: number;
  readonly fua?: boolean;
}

function buildReadWrite(opcode: number, init: ReadWriteInit): Uint8Array {
  return encodeReadWriteSqe(opcode, init.cid, init.nsid, init.slba, init.nlb, init.fua === true, init.inCapsule, init.length);
}

/**
 * The per-I/O Read/Write builder with positional arguments (no init object): the fields of
 * slbaDwords and dataSgl inline, checked in the same order as buildRead/buildWrite. The SQE is
 * fresh (zeroed), so only the non-zero fields are written; anything out of range takes
 * encodeSqeInto's checked path, which throws the precise error.
 */
export function encodeReadWriteSqe(
  opcode: number,
  cid: number,
  nsid: number,
  slba: number,
  nlb: number,
  fua: boolean,
  inCapsule: boolean,
  length: number,
): Uint8Array {
  if (!Number.isSafeInteger(slba) || slba < 0) throw new RangeError(`slba: ${slba} is not a non-negative safe integer`);
  const cdw12 = (nlbDword(nlb) | (fua ? RwFlag.FUA : 0)) >>> 0;
  const out = new Uint8Array(SQE_BYTES);
  // ICDOFF is 0, so the in-capsule offset address is 0 (see dataSgl).
  const sglType = inCapsule ? SGL_IN_CAPSULE : SGL_TRANSPORT;
  const cdw10 = slba % 2 ** 32;
  const cdw11 = Math.floor(slba / 2 ** 32);
  if ((opcode & 0xff) !== opcode || (cid & 0xffff) !== cid || !isU32(nsid) || !isU32(length)) {
    encodeSqeInto(out, 0, { opcode, cid, nsid, cdw10, cdw11, cdw12, sglType, sglAddress: 0n, sglLength: length });
    return out;
  }
  out[0] = opcode;
  out[1] = SqeFlag.SGL_METABUF;
  writeU16LE(out, 2, cid);
  writeU32LE(out, 4, nsid);
  writeU32LE(out, 32, length);
  out[39] = sglType;
  writeU32LE(out, 40, cdw10);
  writeU32LE(out, 44, cdw11);
  writeU32LE(out, 48, cdw12);
  return out;
}

export function buildRead(init: ReadWriteInit): Uint8Array {
  return buildReadWrite(IoOpcode.READ, init);
}

export function buildWrite(init: ReadWriteInit): Uint8Array {
  return buildReadWrite(IoOpcode.WRITE, init);
}

export function buildFlush(init: { readonly cid: number; readonly nsid: number }): Uint8Array {
  return encodeSqe({ opcode: IoOpcode.FLUSH, cid: init.cid, nsid: init.nsid });
}

export function buildWriteZeroes(init: {
  readonly cid: number;
  readonly nsid: number;
  readonly slba: number;
  readonly nlb: number;
  /** Deallocate: the blocks may be unmapped (CDW12 bit 25). */
  readonly deallocate?: boolean;
}): Uint8Array {
  return encodeSqe({
    opcode: IoOpcode.WRITE_ZEROES,
    cid: init.cid,
    nsid: init.nsid,
    ...slbaDwords(init.slba),
    cdw12: nlbDword(init.nlb) | (init.deallocate === true ? RwFlag.DEAC : 0),
  });
}

// ---- Dataset Management (NVM Command Set 1.0 section 3.2.3) ----

/** DSM CDW11 attributes (nvme.h NVME_DSMGMT_*). */
export const DsmAttribute = { IDR: 1 << 0, IDW: 1 << 1, AD: 1 << 2 } as const;
/** Each range is 16 bytes; at most 256 ranges (nvme.h NVME_DSM_MAX_RANGES). */
export const DSM_RANGE_BYTES = 16;
export const DSM_MAX_RANGES = 256;

export interface DsmRange {
  /** Context attributes (u32 @0). */
  readonly cattr: number;
  /** Length in logical blocks, 1-based (u32 @4). */
  readonly nlb: number;
  /** Starting LBA (u64 @8). */
  readonly slba: number;
}

export function buildDsm(init: {
  readonly cid: number;
  readonly nsid: number;
  /** Number of 16-byte ranges in the data (1..256). */
  readonly rangeCount: number;
  /** CDW11 attributes; Linux sends AD (deallocate) for discard. */
  readonly attributes?: number;
  readonly inCapsule: boolean;
}): Uint8Array {
  if (!Number.isInteger(init.rangeCount) || init.rangeCount < 1 || init.rangeCount > DSM_MAX_RANGES) {
    throw new RangeError(`buildDsm: rangeCount ${init.rangeCount} is not in 1..${DSM_MAX_RANGES}`);
  }
  return encodeSqe({
    opcode: IoOpcode.DSM,
    cid: init.cid,
    nsid: init.nsid,
    cdw10: init.rangeCount - 1,
    cdw11: init.attributes ?? DsmAttribute.AD,
    ...dataSgl(init.inCapsule, init.rangeCount * DSM_RANGE_BYTES),
  });
}

/** Range count (1-based) and attributes of a DSM command. */
export function dsmFields(sqe: Sqe): { readonly rangeCount: number; readonly attributes: number } {
  return { rangeCount: (sqe.cdw10 & 0xff) + 1, attributes: sqe.cdw11 };
}

export function encodeDsmRanges(ranges: readonly DsmRange[]): Uint8Array {
  if (ranges.length < 1 || ranges.length > DSM_MAX_RANGES) {
    throw new RangeError(`encodeDsmRanges: ${ranges.length} ranges is not in 1..${DSM_MAX_RANGES}`);
  }
  const out = new Uint8Array(ranges.length * DSM_RANGE_BYTES);
  const view = viewOf(out);
  ranges.forEach((range, index) => {
    const base = index * DSM_RANGE_BYTES;
    view.setUint32(base, requireUint(range.cattr, 32, 'dsm.cattr'), true);
    view.setUint32(base + 4, requireUint(range.nlb, 32, 'dsm.nlb'), true);
    if (!Number.isSafeInteger(range.slba) || range.slba < 0) throw new RangeError(`dsm.slba: ${range.slba} is invalid`);
    view.setBigUint64(base + 8, BigInt(range.slba), true);
  });
  return out;
}

/** Decodes `count` ranges from DSM data (count from dsmFields). */
export function decodeDsmRanges(bytes: Uint8Array, count: number): DsmRange[] {
  requireLength(bytes, count * DSM_RANGE_BYTES, 'decodeDsmRanges');
  const view = viewOf(bytes);
  const ranges: DsmRange[] = [];
  for (let index = 0; index < count; index++) {
    const base = index * DSM_RANGE_BYTES;
    const slba = view.getBigUint64(base + 8, true);
    if (slba > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`decodeDsmRanges: slba ${slba} exceeds 2^53-1`);
    ranges.push({ cattr: view.getUint32(base, true), nlb: view.getUint32(base + 4, true), slba: Number(slba) });
  }
  return ranges;
}

// ---- Admin commands ----

/** Identify (Base 2.0 section 5.17): CDW10 CNS bits 7:0, CNTID bits 31:16; CDW11 CSI bits 31:24. */
export function buildIdentify(init: {
  readonly cid: number;
  readonly cns: number;
  readonly nsid?: number;
  readonly cntid?: number;
  readonly csi?: number;
}): Uint8Array {
  return encodeSqe({
    opcode: AdminOpcode.IDENTIFY,
    cid: init.cid,
    nsid: init.nsid ?? 0,
    cdw10: (requireUint(init.cns, 8, 'cns') | (requireUint(init.cntid ?? 0, 16, 'cntid') << 16)) >>> 0,
    cdw11: (requireUint(init.csi ?? 0, 8, 'csi') << 24) >>> 0,
    ...dataSgl(false, IDENTIFY_DATA_LENGTH),
  });
}

export interface IdentifyFields {
  readonly cns: number;
  readonly cntid: number;
  readonly csi: number;
  readonly nsid: number;
}

export function identifyFields(sqe: Sqe): IdentifyFields {
  return { cns: sqe.cdw10 & 0xff, cntid: sqe.cdw10 >>> 16, csi: sqe.cdw11 >>> 24, nsid: sqe.nsid };
}

export interface GetLogPageInit {
  readonly cid: number;
  readonly lid: number;
  readonly nsid?: number;
  /** Bytes to read: a multiple of 4, at least 4 (encoded as NUMD, 0's based dwords). */
  readonly numdBytes: number;
  /** Byte offset into the log (LPOL/LPOU); Linux nvmet requires a multiple of 4. */
  readonly offsetBytes?: number;
  /** Log specific field (7 bits). */
  readonly lsp?: number;
  /** Retain Asynchronous Event: reading does not clear the event that pointed at this log. */
  readonly rae?: boolean;
  readonly lsi?: number;
  readonly csi?: number;
}

/**
 * Get Log Page (Base 2.0 section 5.16, Figures 197-200; nvme.h struct nvme_get_log_page_command):
 * CDW10 LID 7:0, LSP 14:8, RAE 15, NUMDL 31:16; CDW11 NUMDU 15:0, LSI 31:16; CDW12 LPOL;
 * CDW13 LPOU; CDW14 CSI 31:24.
 */
export function buildGetLogPage(init: GetLogPageInit): Uint8Array {
  const { numdBytes } = init;
  if (!Number.isInteger(numdBytes) || numdBytes < 4 || numdBytes % 4 !== 0 || numdBytes > 4 * 2 ** 32) {
    throw new RangeError(`buildGetLogPage: numdBytes ${numdBytes} is not a positive multiple of 4`);
  }
  const offset = init.offsetBytes ?? 0;
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`buildGetLogPage: offsetBytes ${offset} is invalid`);
  const numd = numdBytes / 4 - 1;
  return encodeSqe({
    opcode: AdminOpcode.GET_LOG_PAGE,
    cid: init.cid,
    nsid: init.nsid ?? 0,
    cdw10:
      (requireUint(init.lid, 8, 'lid') |
        (requireUint(init.lsp ?? 0, 7, 'lsp') << 8) |
        (init.rae === true ? 1 << 15 : 0) |
        ((numd & 0xffff) << 16)) >>>
      0,
    cdw11: (Math.floor(numd / 0x10000) | (requireUint(init.lsi ?? 0, 16, 'lsi') << 16)) >>> 0,
    cdw12: offset % 2 ** 32,
    cdw13: Math.floor(offset / 2 ** 32),
    cdw14: (requireUint(init.csi ?? 0, 8, 'csi') << 24) >>> 0,
    ...dataSgl(false, numdBytes),
  });
}

export interface GetLogPageFields {
  readonly lid: number;
  readonly lsp: number;
  readonly rae: boolean;
  /** Requested length in bytes ((NUMD + 1) * 4), as Linux nvmet_get_log_page_len computes it. */
  readonly numdBytes: number;
  readonly offsetBytes: number;
  readonly lsi: number;
  readonly csi: number;
  readonly nsid: number;
}

export function getLogPageFields(sqe: Sqe): GetLogPageFields {
  const numd = (sqe.cdw11 & 0xffff) * 0x10000 + (sqe.cdw10 >>> 16);
  const offsetBytes = sqe.cdw13 * 2 ** 32 + sqe.cdw12;
  if (!Number.isSafeInteger(offsetBytes)) throw new RangeError(`getLogPageFields: offset ${offsetBytes} exceeds 2^53-1`);
  return {
    lid: sqe.cdw10 & 0xff,
    lsp: (sqe.cdw10 >>> 8) & 0x7f,
    rae: (sqe.cdw10 & (1 << 15)) !== 0,
    numdBytes: (numd + 1) * 4,
    offsetBytes,
    lsi: sqe.cdw11 >>> 16,
    csi: sqe.cdw14 >>> 24,
    nsid: sqe.nsid,
  };
}

/** Set Features (Base 2.0 section 5.27): CDW10 FID 7:0, SV bit 31; CDW11.. feature specific. */
export function buildSetFeatures(init: {
  readonly cid: number;
  readonly fid: number;
  readonly nsid?: number;
  readonly cdw11?: number;
  readonly cdw12?: number;
  readonly save?: boolean;
  /** Length of a data buffer for features that carry one (e.g. Host Identifier); default none. */
  readonly dataLength?: number;
  readonly inCapsule?: boolean;
}): Uint8Array {
  return encodeSqe({
    opcode: AdminOpcode.SET_FEATURES,
    cid: init.cid,
    nsid: init.nsid ?? 0,
    cdw10: (requireUint(init.fid, 8, 'fid') | (init.save === true ? 1 << 31 : 0)) >>> 0,
    cdw11: init.cdw11 ?? 0,
    cdw12: init.cdw12 ?? 0,
    ...dataSgl(init.inCapsule ?? false, init.dataLength ?? 0),
  });
}

/** Get Features (Base 2.0 section 5.15): CDW10 FID 7:0, SEL 10:8; CDW11 feature specific. */
export function buildGetFeatures(init: {
  readonly cid: number;
  readonly fid: number;
  readonly nsid?: number;
  readonly sel?: number;
  readonly cdw11?: number;
  readonly dataLength?: number;
}): Uint8Array {
  return encodeSqe({
    opcode: AdminOpcode.GET_FEATURES,
    cid: init.cid,
    nsid: init.nsid ?? 0,
    cdw10: requireUint(init.fid, 8, 'fid') | (requireUint(init.sel ?? 0, 3, 'sel') << 8),
    cdw11: init.cdw11 ?? 0,
    ...dataSgl(false, init.dataLength ?? 0),
  });
}

export interface FeatureFields {
  readonly fid: number;
  /** Get Features select (0 current, 1 default, 2 saved, 3 supported capabilities). */
  readonly sel: number;
  /** Set Features save bit. */
  readonly save: boolean;
  readonly cdw11: number;
  readonly cdw12: number;
  readonly nsid: number;
}

export function featureFields(sqe: Sqe): FeatureFields {
  return {
    fid: sqe.cdw10 & 0xff,
    sel: (sqe.cdw10 >>> 8) & 0x7,
    save: (sqe.cdw10 & (1 << 31)) !== 0,
    cdw11: sqe.cdw11,
    cdw12: sqe.cdw12,
    nsid: sqe.nsid,
  };
}

/** Keep Alive (Base 2.0 section 5.25): no fields; resets the controller's keep-alive timer. */
export function buildKeepAlive(init: { readonly cid: number }): Uint8Array {
  return encodeSqe({ opcode: AdminOpcode.KEEP_ALIVE, cid: init.cid });
}

/** Asynchronous Event Request (Base 2.0 section 5.2): completes only when an event occurs. */
export function buildAsyncEventRequest(init: { readonly cid: number }): Uint8Array {
  return encodeSqe({ opcode: AdminOpcode.ASYNC_EVENT, cid: init.cid });
}

/** Abort (Base 2.0 section 5.1): CDW10 SQID 15:0, CID 31:16. */
export function buildAbort(init: { readonly cid: number; readonly sqid: number; readonly abortCid: number }): Uint8Array {
  return encodeSqe({
    opcode: AdminOpcode.ABORT,
    cid: init.cid,
    cdw10: (requireUint(init.sqid, 16, 'sqid') | (requireUint(init.abortCid, 16, 'abortCid') << 16)) >>> 0,
  });
}

export function abortFields(sqe: Sqe): { readonly sqid: number; readonly abortCid: number } {
  return { sqid: sqe.cdw10 & 0xffff, abortCid: sqe.cdw10 >>> 16 };
}
