// The 16-byte completion queue entry (NVMe Base Specification 2.0, section 4.6, Figure 89; Linux
// include/linux/nvme.h struct nvme_completion): command specific dword 0 @0 and dword 1 @4 (the
// 64-bit "result" of Property Get spans both), SQ head pointer u16 @8, SQ identifier u16 @10,
// command identifier u16 @12, and the status field u16 @14 whose bit 0 is the phase tag and bits
// 15:1 the 15-bit status (status.ts). Fabrics transports do not use the phase tag: Linux sets it 0
// and the host drops it (host/tcp.c nvme_tcp_process_nvme_cqe, `le16_to_cpu(cqe->status) >> 1`).
import { isU32, readU16LE, readU32LE, requireLength, requireUint, writeU16LE, writeU32LE } from './strings.js';

export const CQE_BYTES = 16;

export interface Cqe {
  /** Command specific result, dword 0 (e.g. Connect's CNTLID, Get Features' value). */
  readonly dw0: number;
  /** Command specific dword 1 (the high half of a 64-bit Property Get value). */
  readonly dw1: number;
  /** SQ head pointer: Linux nvmet reports it unless SQ flow control is disabled. */
  readonly sqhd: number;
  readonly sqid: number;
  readonly cid: number;
  /** 15-bit status (SCT<<8|SC plus CRD/More/DNR), without the phase tag. */
  readonly status: number;
}

/** A completion needs at least cid; the rest default to 0. */
export type CqeInit = Partial<Cqe> & { readonly cid: number };

export function encodeCqeInto(buf: Uint8Array, offset: number, cqe: CqeInit): void {
  requireLength(buf, CQE_BYTES, 'encodeCqeInto', offset);
  const dw0 = cqe.dw0 ?? 0;
  const dw1 = cqe.dw1 ?? 0;
  const sqhd = cqe.sqhd ?? 0;
  const sqid = cqe.sqid ?? 0;
  const cid = cqe.cid;
  const status = cqe.status ?? 0;
  // Hot path (every completion): all fields in range, checked at once and written byte by byte.
  // Anything else takes the checked path, which throws the precise error.
  if (!isU32(dw0) || !isU32(dw1) || (sqhd & 0xffff) !== sqhd || (sqid & 0xffff) !== sqid || (cid & 0xffff) !== cid || (status & 0x7fff) !== status) {
    encodeCqeChecked(buf, offset, cqe);
    return;
  }
  writeU32LE(buf, offset, dw0);
  writeU32LE(buf, offset + 4, dw1);
  writeU16LE(buf, offset + 8, sqhd);
  writeU16LE(buf, offset + 10, sqid);
  writeU16LE(buf, offset + 12, cid);
  writeU16LE(buf, offset + 14, status << 1);
}

/** encodeCqeInto with every field checked and written in order (errors). */
function encodeCqeChecked(buf: Uint8Array, offset: number, cqe: CqeInit): void {
  const view = new DataView(buf.buffer, buf.byteOffset + offset, CQE_BYTES);
  view.setUint32(0, requireUint(cqe.dw0 ?? 0, 32, 'cqe.dw0'), true);
  view.setUint32(4, requireUint(cqe.dw1 ?? 0, 32, 'cqe.dw1'), true);
  view.setUint16(8, requireUint(cqe.sqhd ?? 0, 16, 'cqe.sqhd'), true);
  view.setUint16(10, requireUint(cqe.sqid ?? 0, 16, 'cqe.sqid'), true);
  view.setUint16(12, requireUint(cqe.cid, 16, 'cqe.cid'), true);
  view.setUint16(14, requireUint(cqe.status ?? 0, 15, 'cqe.status') << 1, true);
}

export function encodeCqe(cqe: CqeInit): Uint8Array {
  const out = new Uint8Array(CQE_BYTES);
  encodeCqeInto(out, 0, cqe);
  return out;
}

/** encodeCqe with the fields as arguments: a target completes every command with one, no init object. */
export function encodeCqeFields(dw0: number, dw1: number, sqhd: number, sqid: number, cid: number, status: number): Uint8Array {
  const out = new Uint8Array(CQE_BYTES);
  if (!isU32(dw0) || !isU32(dw1) || (sqhd & 0xffff) !== sqhd || (sqid & 0xffff) !== sqid || (cid & 0xffff) !== cid || (status & 0x7fff) !== status) {
    encodeCqeChecked(out, 0, { dw0, dw1, sqhd, sqid, cid, status });
    return out;
  }
  writeU32LE(out, 0, dw0);
  writeU32LE(out, 4, dw1);
  writeU16LE(out, 8, sqhd);
  writeU16LE(out, 10, sqid);
  writeU16LE(out, 12, cid);
  writeU16LE(out, 14, status << 1);
  return out;
}

/** Decodes the first 16 bytes of `bytes` (typically the CQE view of a CapsuleResp PDU). */
export function decodeCqe(bytes: Uint8Array): Cqe {
  requireLength(bytes, CQE_BYTES, 'decodeCqe');
  return {
    dw0: readU32LE(bytes, 0),
    dw1: readU32LE(bytes, 4),
    sqhd: readU16LE(bytes, 8),
    sqid: readU16LE(bytes, 10),
    cid: readU16LE(bytes, 12),
    status: readU16LE(bytes, 14) >>> 1,
  };
}

/** The 64-bit result (dw1:dw0), e.g. a Property Get of CAP. */
export function cqeResult64(cqe: Pick<Cqe, 'dw0' | 'dw1'>): bigint {
  return (BigInt(cqe.dw1) << 32n) | BigInt(cqe.dw0);
}

/** Splits a 64-bit result into dw0 (low) and dw1 (high). */
export function result64Dwords(value: bigint): { readonly dw0: number; readonly dw1: number } {
  if (value < 0n || value >> 64n !== 0n) throw new RangeError(`result64Dwords: ${value} does not fit in 64 bits`);
  return { dw0: Number(value & 0xffffffffn), dw1: Number(value >> 32n) };
}
