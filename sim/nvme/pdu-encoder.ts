// NVMe/TCP PDU encoder: typed PDU -> wire chunks, little-endian, per NVMe/TCP Transport Spec 1.0
// (layouts in Linux include/linux/nvme-tcp.h and SPDK include/spdk/nvmf_spec.h). Pure: no I/O.
//
// Wire shape of every PDU:
//   header (hlen bytes) | HDGST (4, if negotiated and the type has one) | pad up to PDO | data | DDGST (4)
// `plen` counts all of it. Data is never copied: encodePdu returns the caller's data view as its own
// chunk, so a socket writer can hand the chunks to writev. The header, HDGST, padding and DDGST share
// one small allocation.
import { allocBytes, allocZeroedBytes } from '../core/index.js';
import { crc32c } from './digest.js';
import {
  CAPSULE_CMD_HEADER_LENGTH,
  CAPSULE_RESP_HEADER_LENGTH,
  COMMON_HEADER_LENGTH,
  CQE_LENGTH,
  DATA_HEADER_LENGTH,
  DIGEST_LENGTH,
  DigestBit,
  ICREQ_LENGTH,
  ICRESP_LENGTH,
  PduFlag,
  PduType,
  R2T_HEADER_LENGTH,
  SQE_LENGTH,
  TERM_HEADER_LENGTH,
  TERM_MAX_ERROR_DATA,
} from './pdu-types.js';
import type { Pdu, PduOptions } from './pdu-types.js';

/** PDO is a one-byte field (common header offset 3). */
const PDO_MAX = 0xff;

/**
 * Offset of the data in a data-carrying PDU: header plus HDGST, rounded up to the receiver's data
 * alignment ((PDA + 1) dwords) when it asked for one. Linux hosts and targets use PDA 0, so PDO is
 * hlen + hdgst (Linux drivers/nvme/host/tcp.c nvme_tcp_setup_cmd_pdu; SPDK nvme_tcp_pdu_set_data_buf).
 */
export function pduDataOffset(hlen: number, headerDigestLength: number, dataAlignment: number): number {
  const unaligned = hlen + headerDigestLength;
  if (dataAlignment === 0) return unaligned;
  const unitBytes = (dataAlignment + 1) * 4;
  return Math.ceil(unaligned / unitBytes) * unitBytes;
}

/** Encodes a PDU into chunks to write in order: [header (+HDGST, +PDO padding)], then for PDUs with data: [data view], [DDGST]. No payload copy. */
export function encodePdu(pdu: Pdu, options: PduOptions): Uint8Array[] {
  switch (pdu.type) {
    case PduType.ICReq: {
      const header = startHeader(pdu.type, 0, ICREQ_LENGTH, 0, ICREQ_LENGTH, ICREQ_LENGTH);
      writeU16(header, 8, pdu.pfv);
      header[10] = pdu.hpda;
      header[11] = digestBits(pdu.headerDigest, pdu.dataDigest);
      writeU32(header, 12, pdu.maxr2t);
      return [header];
    }
    case PduType.ICResp: {
      const header = startHeader(pdu.type, 0, ICRESP_LENGTH, 0, ICRESP_LENGTH, ICRESP_LENGTH);
      writeU16(header, 8, pdu.pfv);
      header[10] = pdu.cpda;
      header[11] = digestBits(pdu.headerDigest, pdu.dataDigest);
      writeU32(header, 12, pdu.maxh2cdata);
      return [header];
    }
    case PduType.H2CTermReq:
    case PduType.C2HTermReq: {
      // The error data (a copy of the offending header, at most 128 bytes) follows the 24-byte header
      // directly; TermReqs never carry digests (SPDK nvmf_tcp_send_c2h_term_req). PDO stays 0.
      if (pdu.errorData.length > TERM_MAX_ERROR_DATA) {
        throw new RangeError(`TermReq error data ${pdu.errorData.length} > ${TERM_MAX_ERROR_DATA} bytes`);
      }
      const plen = TERM_HEADER_LENGTH + pdu.errorData.length;
      const buffer = startHeader(pdu.type, 0, TERM_HEADER_LENGTH, 0, plen, plen);
      writeU16(buffer, 8, pdu.fes);
      writeU32(buffer, 10, pdu.fei);
      buffer.set(pdu.errorData, TERM_HEADER_LENGTH);
      return [buffer];
    }
    case PduType.CapsuleCmd: {
      if (pdu.sqe.length !== SQE_LENGTH) throw new RangeError(`CapsuleCmd sqe is ${pdu.sqe.length} bytes, not ${SQE_LENGTH}`);
      const data = pdu.data.length > 0 ? pdu.data : null;
      if (data === null && !options.headerDigest) {
        const bytes = allocBytes(CAPSULE_CMD_HEADER_LENGTH);
        encodePlainCapsuleCmdAt(bytes, 0, pdu.sqe);
        return [bytes];
      }
      const backing = frame(pdu.type, 0, CAPSULE_CMD_HEADER_LENGTH, data, options);
      backing.set(pdu.sqe, COMMON_HEADER_LENGTH);
      return finish(backing, CAPSULE_CMD_HEADER_LENGTH, data);
    }
    case PduType.CapsuleResp: {
      if (pdu.cqe.length !== CQE_LENGTH) throw new RangeError(`CapsuleResp cqe is ${pdu.cqe.length} bytes, not ${CQE_LENGTH}`);
      const backing = frame(pdu.type, 0, CAPSULE_RESP_HEADER_LENGTH, null, options);
      backing.set(pdu.cqe, COMMON_HEADER_LENGTH);
      return finish(backing, CAPSULE_RESP_HEADER_LENGTH, null);
    }
    case PduType.H2CData: {
      const flags = pdu.last ? PduFlag.DATA_LAST : 0;
      const backing = frame(pdu.type, flags, DATA_HEADER_LENGTH, pdu.data, options);
      writeDataFields(backing, pdu.cccid, pdu.ttag, pdu.datao, pdu.data.length);
      return finish(backing, DATA_HEADER_LENGTH, pdu.data);
    }
    case PduType.C2HData: {
      const flags = (pdu.last ? PduFlag.DATA_LAST : 0) | (pdu.success ? PduFlag.DATA_SUCCESS : 0);
      const backing = frame(pdu.type, flags, DATA_HEADER_LENGTH, pdu.data, options);
      // C2HData has no TTAG: bytes 10-11 are reserved (SPDK spdk_nvme_tcp_c2h_data_hdr).
      writeDataFields(backing, pdu.cccid, 0, pdu.datao, pdu.data.length);
      return finish(backing, DATA_HEADER_LENGTH, pdu.data);
    }
    case PduType.R2T: {
      const backing = frame(pdu.type, 0, R2T_HEADER_LENGTH, null, options);
      writeDataFields(backing, pdu.cccid, pdu.ttag, pdu.r2to, pdu.r2tl);
      return finish(backing, R2T_HEADER_LENGTH, null);
    }
  }
}

/**
 * A CapsuleCmd without in-capsule data or HDGST (every read, and every write moved by R2T),
 * written at bytes[offset, offset + CAPSULE_CMD_HEADER_LENGTH): what encodePdu returns for it, in
 * place (a stream's staging, ByteStream.stage). The common header and the SQE fill all 72 bytes,
 * so nothing needs zeroing first (the frame() layout for this case: PDO 0, no flags).
 */
export function encodePlainCapsuleCmdAt(bytes: Uint8Array, offset: number, sqe: Uint8Array): void {
  if (sqe.length !== SQE_LENGTH) throw new RangeError(`CapsuleCmd sqe is ${sqe.length} bytes, not ${SQE_LENGTH}`);
  bytes[offset] = PduType.CapsuleCmd;
  bytes[offset + 1] = 0;
  bytes[offset + 2] = CAPSULE_CMD_HEADER_LENGTH;
  bytes[offset + 3] = 0;
  writeU32(bytes, offset + 4, CAPSULE_CMD_HEADER_LENGTH);
  bytes.set(sqe, offset + COMMON_HEADER_LENGTH);
}

/**
 * The header of a CapsuleResp without HDGST (plen 24, PDO 0), written at bytes[offset, offset + 24):
 * what encodePdu returns for it, in place.
 */
export function encodePlainCapsuleRespAt(bytes: Uint8Array, offset: number, cqe: Uint8Array): void {
  if (cqe.length !== CQE_LENGTH) throw new RangeError(`CapsuleResp cqe is ${cqe.length} bytes, not ${CQE_LENGTH}`);
  bytes[offset] = PduType.CapsuleResp;
  bytes[offset + 1] = 0;
  bytes[offset + 2] = CAPSULE_RESP_HEADER_LENGTH;
  bytes[offset + 3] = 0;
  writeU32(bytes, offset + 4, CAPSULE_RESP_HEADER_LENGTH);
  bytes.set(cqe, offset + COMMON_HEADER_LENGTH);
}

/**
 * The 24-byte header of a C2HData PDU with `datal` bytes of data and no digests or data alignment
 * (PDO 24, the data follows it), written at bytes[offset, offset + 24): what encodePdu returns as
 * its first chunk, in place. `last` and `success` as in C2HDataPdu.
 */
export function encodePlainC2HDataHeaderAt(bytes: Uint8Array, offset: number, last: boolean, success: boolean, cccid: number, datao: number, datal: number): void {
  bytes[offset] = PduType.C2HData;
  bytes[offset + 1] = (last ? PduFlag.DATA_LAST : 0) | (success ? PduFlag.DATA_SUCCESS : 0);
  bytes[offset + 2] = DATA_HEADER_LENGTH;
  bytes[offset + 3] = DATA_HEADER_LENGTH;
  writeU32(bytes, offset + 4, DATA_HEADER_LENGTH + datal);
  writeU16(bytes, offset + 8, cccid);
  // C2HData has no TTAG: bytes 10-11 are reserved, as are 20-23.
  writeU16(bytes, offset + 10, 0);
  writeU32(bytes, offset + 12, datao);
  writeU32(bytes, offset + 16, datal);
  writeU32(bytes, offset + 20, 0);
}

/** Convenience: one contiguous buffer (copies). For tests and small PDUs. */
export function encodePduToBuffer(pdu: Pdu, options: PduOptions): Uint8Array {
  const chunks = encodePdu(pdu, options);
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  const buffer = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    buffer.set(chunk, offset);
    offset += chunk.length;
  }
  return buffer;
}

/**
 * Allocates the header of a PDU type that may carry digests (CapsuleCmd, CapsuleResp, H2CData,
 * C2HData, R2T) with its common header written, room for HDGST and PDO padding, and room for DDGST
 * at the end. The caller fills the type-specific fields, then calls finish(). `data` null means the
 * PDU has no data section: PDO is then 0, as Linux sends it for data-less PDUs
 * (drivers/nvme/host/tcp.c nvme_tcp_setup_cmd_pdu: `pdo = req->pdu_len ? hlen + hdgst : 0`).
 */
function frame(type: number, flags: number, hlen: number, data: Uint8Array | null, options: PduOptions): Uint8Array {
  const headerDigestLength = options.headerDigest ? DIGEST_LENGTH : 0;
  const dataDigestLength = data !== null && options.dataDigest ? DIGEST_LENGTH : 0;
  const pdo = data === null ? 0 : pduDataOffset(hlen, headerDigestLength, options.dataAlignment);
  if (pdo > PDO_MAX) throw new RangeError(`PDO ${pdo} does not fit in a byte (dataAlignment ${options.dataAlignment})`);
  const headerBytes = data === null ? hlen + headerDigestLength : pdo;
  const plen = headerBytes + (data === null ? 0 : data.length) + dataDigestLength;
  const digestFlags = (headerDigestLength > 0 ? PduFlag.HDGST : 0) | (dataDigestLength > 0 ? PduFlag.DDGST : 0);
  return startHeader(type, flags | digestFlags, hlen, pdo, plen, headerBytes + dataDigestLength);
}

/** Writes HDGST and DDGST as the frame's flags say and returns the chunks [header, data, DDGST]. */
function finish(backing: Uint8Array, hlen: number, data: Uint8Array | null): Uint8Array[] {
  const flags = backing[1] ?? 0;
  const headerDigestLength = (flags & PduFlag.HDGST) !== 0 ? DIGEST_LENGTH : 0;
  if (headerDigestLength > 0) writeU32(backing, hlen, crc32c(backing.subarray(0, hlen)));
  if (data === null) return [backing];
  const headerBytes = backing[3] ?? 0;
  if ((flags & PduFlag.DDGST) === 0) return data.length > 0 ? [backing, data] : [backing];
  const header = backing.subarray(0, headerBytes);
  const dataDigest = backing.subarray(headerBytes);
  // Linux computes DDGST over the data bytes only, with no padding (SPDK pads to a dword; notes 2.2).
  writeU32(dataDigest, 0, crc32c(data));
  return data.length > 0 ? [header, data, dataDigest] : [header, dataDigest];
}

/**
 * Allocates `size` zeroed bytes (reserved fields must be 0) and writes the 8-byte common header.
 * Headers longer than 64 bytes (a CapsuleCmd is 72) come from the byte slab, which is much cheaper
 * than an off-heap buffer of their own (sim/core/byte-slab.ts).
 */
function startHeader(type: number, flags: number, hlen: number, pdo: number, plen: number, size: number): Uint8Array {
  const buffer = allocZeroedBytes(size);
  buffer[0] = type;
  buffer[1] = flags;
  buffer[2] = hlen;
  buffer[3] = pdo;
  writeU32(buffer, 4, plen);
  return buffer;
}

/** Bytes 8-19 shared by H2CData, C2HData and R2T: CCCID, TTAG, offset, length (20-23 reserved). */
function writeDataFields(header: Uint8Array, cccid: number, ttag: number, offset: number, length: number): void {
  writeU16(header, 8, cccid);
  writeU16(header, 10, ttag);
  writeU32(header, 12, offset);
  writeU32(header, 16, length);
}

function digestBits(headerDigest: boolean, dataDigest: boolean): number {
  return (headerDigest ? DigestBit.HEADER : 0) | (dataDigest ? DigestBit.DATA : 0);
}

function writeU16(buffer: Uint8Array, offset: number, value: number): void {
  buffer[offset] = value & 0xff;
  buffer[offset + 1] = (value >>> 8) & 0xff;
}

function writeU32(buffer: Uint8Array, offset: number, value: number): void {
  buffer[offset] = value & 0xff;
  buffer[offset + 1] = (value >>> 8) & 0xff;
  buffer[offset + 2] = (value >>> 16) & 0xff;
  buffer[offset + 3] = (value >>> 24) & 0xff;
}
