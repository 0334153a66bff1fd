// Fabrics commands (NVMe over Fabrics 1.1, section 3; NVMe Base Specification 2.0 section 6): Connect
// with its 1024-byte data, the Connect response, Property Get/Set and Disconnect. A Fabrics command
// is an SQE with opcode 0x7f and the command type (fctype) in byte 4; its fields start at byte 40
// (Linux include/linux/nvme.h struct nvmf_connect_command, nvmf_property_get_command,
// nvmf_property_set_command, nvmf_connect_data).
import { CNTLID_DYNAMIC, FABRICS_OPCODE, FabricsType } from './constants.js';
import { dataSgl, encodeSqe } from './sqe.js';
import type { Sqe } from './sqe.js';
import { readNqn, requireLength, requireUint, uuidFromBytes, uuidToBytes, viewOf, writeNqn } from './strings.js';

// ---- Connect (Fabrics 1.1 section 3.3) ----

/** Connect SQE offsets, used as IPO when IATTR says the bad field is in the SQE. */
export const ConnectSqeOffset = { RECFMT: 40, QID: 42, SQSIZE: 44, CATTR: 46, KATO: 48 } as const;
/** Connect data offsets, used as IPO when IATTR says the bad field is in the data. */
export const ConnectDataOffset = { HOSTID: 0, CNTLID: 16, SUBNQN: 256, HOSTNQN: 512 } as const;
export const CONNECT_DATA_BYTES = 1024;
/** Record format 0 is the only one defined (Linux nvmet rejects others with CONNECT_FORMAT). */
export const CONNECT_RECFMT = 0;
/** Connect attributes (nvme.h NVME_CONNECT_DISABLE_SQFLOW): the host asks for no SQ flow control. */
export const ConnectAttr = { DISABLE_SQFLOW: 1 << 2 } as const;

export interface ConnectCommand {
  readonly recfmt: number;
  /** 0 for the admin queue, 1..n for I/O queues. */
  readonly qid: number;
  /** Submission queue size, 0's based (Linux admin: NVME_AQ_DEPTH - 1 = 31). */
  readonly sqsize: number;
  readonly cattr: number;
  /** Keep-alive timeout in milliseconds (admin queue only; 0 disables). */
  readonly kato: number;
}

export function buildConnect(
  init: { readonly cid: number; readonly qid: number; readonly sqsize: number; readonly kato?: number; readonly cattr?: number; readonly recfmt?: number },
  options: { readonly inCapsule?: boolean } = {},
): Uint8Array {
  return encodeSqe({
    opcode: FABRICS_OPCODE,
    cid: init.cid,
    nsid: FabricsType.CONNECT, // fctype sits in byte 4, the NSID position
    cdw10: (requireUint(init.recfmt ?? CONNECT_RECFMT, 16, 'recfmt') | (requireUint(init.qid, 16, 'qid') << 16)) >>> 0,
    cdw11: (requireUint(init.sqsize, 16, 'sqsize') | (requireUint(init.cattr ?? 0, 8, 'cattr') << 16)) >>> 0,
    cdw12: requireUint(init.kato ?? 0, 32, 'kato'),
    // The Linux host always sends the 1024-byte Connect data in the capsule (admin capsules hold
    // 8 KiB; host/tcp.c NVME_TCP_ADMIN_CCSZ).
    ...dataSgl(options.inCapsule ?? true, CONNECT_DATA_BYTES),
  });
}

export function parseConnect(sqe: Sqe): ConnectCommand {
  return {
    recfmt: sqe.cdw10 & 0xffff,
    qid: sqe.cdw10 >>> 16,
    sqsize: sqe.cdw11 & 0xffff,
    cattr: (sqe.cdw11 >>> 16) & 0xff,
    kato: sqe.cdw12,
  };
}

export interface ConnectData {
  /** Host identifier, a UUID string (nvme-cli --hostid). */
  readonly hostid: string;
  /** CNTLID_DYNAMIC (0xffff) on the admin queue; the admin queue's controller ID on I/O queues. */
  readonly cntlid: number;
  readonly subnqn: string;
  readonly hostnqn: string;
}

export function encodeConnectData(data: ConnectData): Uint8Array {
  const out = new Uint8Array(CONNECT_DATA_BYTES);
  out.set(uuidToBytes(data.hostid), ConnectDataOffset.HOSTID);
  viewOf(out).setUint16(ConnectDataOffset.CNTLID, requireUint(data.cntlid, 16, 'cntlid'), true);
  writeNqn(out, ConnectDataOffset.SUBNQN, data.subnqn, 'connect data subnqn');
  writeNqn(out, ConnectDataOffset.HOSTNQN, data.hostnqn, 'connect data hostnqn');
  return out;
}

/**
 * Decodes Connect data. Each NQN is read up to its first NUL within 256 bytes, as Linux nvmet
 * does after forcing byte 255 to NUL (fabrics-cmd.c nvmet_execute_admin_connect).
 */
export function decodeConnectData(bytes: Uint8Array): ConnectData {
  requireLength(bytes, CONNECT_DATA_BYTES, 'decodeConnectData');
  return {
    hostid: uuidFromBytes(bytes, ConnectDataOffset.HOSTID),
    cntlid: viewOf(bytes).getUint16(ConnectDataOffset.CNTLID, true),
    subnqn: readNqn(bytes, ConnectDataOffset.SUBNQN),
    hostnqn: readNqn(bytes, ConnectDataOffset.HOSTNQN),
  };
}

/** AUTHREQ bits of a successful Connect's dword 0 bits 31:16 (nvme.h NVME_CONNECT_AUTHREQ_*, >> 16). */
export const ConnectAuthReq = { ATR: 1 << 1, ASCR: 1 << 2 } as const;

export interface ConnectResult {
  readonly cntlid: number;
  readonly authreq: number;
}

/** Dword 0 of a successful Connect: CNTLID bits 15:0, AUTHREQ bits 31:16 (Fabrics 1.1 Figure 20). */
export function encodeConnectResult(result: ConnectResult): number {
  return (requireUint(result.cntlid, 16, 'cntlid') | (requireUint(result.authreq, 16, 'authreq') << 16)) >>> 0;
}

export function decodeConnectResult(dw0: number): ConnectResult {
  return { cntlid: dw0 & 0xffff, authreq: dw0 >>> 16 };
}

/** IATTR bit 0: the invalid parameter is in the Connect data (1) or in the SQE (0). */
export const ConnectIattr = { SQE: 0, DATA: 1 } as const;

export interface ConnectInvalidParam {
  /** Byte offset of the invalid field (ConnectSqeOffset or ConnectDataOffset). */
  readonly ipo: number;
  readonly iattr: number;
}

/**
 * Dword 0 of a CONNECT_INVALID_PARAM completion: IPO bits 15:0, IATTR bits 23:16. Linux nvmet
 * builds it with IPO_IATTR_CONNECT_DATA(x) / IPO_IATTR_CONNECT_SQE(x) (target/nvmet.h), and the
 * Linux host prints the field name from it (host/fabrics.c nvmf_log_connect_error).
 */
export function encodeConnectInvalidParam(param: ConnectInvalidParam): number {
  return (requireUint(param.ipo, 16, 'ipo') | (requireUint(param.iattr, 8, 'iattr') << 16)) >>> 0;
}

export function decodeConnectInvalidParam(dw0: number): ConnectInvalidParam {
  return { ipo: dw0 & 0xffff, iattr: (dw0 >>> 16) & 0xff };
}

/** Convenience: the Connect data of a host asking for a new dynamic controller. */
export function adminConnectData(init: { readonly hostid: string; readonly subnqn: string; readonly hostnqn: string }): ConnectData {
  return { ...init, cntlid: CNTLID_DYNAMIC };
}

// ---- Property Get / Set (Fabrics 1.1 sections 3.4, 3.5) ----

/** ATTRIB bits 2:0: property size (0 = 4 bytes, 1 = 8 bytes). */
export const PropertySize = { FOUR: 0, EIGHT: 1 } as const;

export interface PropertyGet {
  /** Access size in bytes. */
  readonly size: 4 | 8;
  /** Register offset (registers.ts RegisterOffset). */
  readonly offset: number;
}

export interface PropertySet extends PropertyGet {
  readonly value: bigint;
}

function attribForSize(size: 4 | 8): number {
  return size === 8 ? PropertySize.EIGHT : PropertySize.FOUR;
}

/** Property Get: ATTRIB @40, OFST u32 @44. The value comes back in CQE dw0 (and dw1 for 8 bytes). */
export function buildPropertyGet(init: { readonly cid: number } & PropertyGet): Uint8Array {
  return encodeSqe({
    opcode: FABRICS_OPCODE,
    cid: init.cid,
    nsid: FabricsType.PROPERTY_GET, // fctype sits in byte 4, the NSID position
    cdw10: attribForSize(init.size),
    cdw11: requireUint(init.offset, 32, 'property offset'),
  });
}

/** Property Set: ATTRIB @40, OFST u32 @44, VALUE u64 @48. */
export function buildPropertySet(init: { readonly cid: number } & PropertySet): Uint8Array {
  const limit = init.size === 8 ? 1n << 64n : 1n << 32n;
  if (init.value < 0n || init.value >= limit) {
    throw new RangeError(`buildPropertySet: value ${init.value} does not fit in ${init.size} bytes`);
  }
  return encodeSqe({
    opcode: FABRICS_OPCODE,
    cid: init.cid,
    nsid: FabricsType.PROPERTY_SET, // fctype sits in byte 4, the NSID position
    cdw10: attribForSize(init.size),
    cdw11: requireUint(init.offset, 32, 'property offset'),
    cdw12: Number(init.value & 0xffffffffn),
    cdw13: Number(init.value >> 32n),
  });
}

/** Reads size and offset; an ATTRIB size other than 0 or 1 throws (the target answers INVALID_FIELD). */
export function parsePropertyGet(sqe: Sqe): PropertyGet {
  return { size: sizeFromAttrib(sqe.cdw10 & 0x7), offset: sqe.cdw11 };
}

export function parsePropertySet(sqe: Sqe): PropertySet {
  return { ...parsePropertyGet(sqe), value: (BigInt(sqe.cdw13) << 32n) | BigInt(sqe.cdw12) };
}

function sizeFromAttrib(attrib: number): 4 | 8 {
  if (attrib === PropertySize.FOUR) return 4;
  if (attrib === PropertySize.EIGHT) return 8;
  throw new RangeError(`property attrib size ${attrib} is reserved (0 = 4 bytes, 1 = 8 bytes)`);
}

// ---- Disconnect (Base 2.0 section 6.4; tears down one I/O queue) ----

export function buildDisconnect(init: { readonly cid: number; readonly recfmt?: number }): Uint8Array {
  return encodeSqe({
    opcode: FABRICS_OPCODE,
    cid: init.cid,
    nsid: FabricsType.DISCONNECT, // fctype sits in byte 4, the NSID position
    cdw10: requireUint(init.recfmt ?? 0, 16, 'recfmt'),
  });
}
