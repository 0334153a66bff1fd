// Streaming NVMe/TCP PDU decoder: bytes in any chunking -> typed PDUs, or one fatal PduError.
// Pure (no I/O, no clock). It validates every header field that the NVMe/TCP 1.0 spec, the Linux target
// (drivers/nvme/target/tcp.c) and host (drivers/nvme/host/tcp.c) or SPDK (lib/nvmf/tcp.c) check at the
// framing level; connection state (ICReq first, R2T bookkeeping, command IDs) is the caller's job.
//
// How it works. Everything the framing checks need is in the 8-byte common header (type, flags, hlen,
// pdo, plen), so the decoder validates a PDU as soon as those 8 bytes are in, before it buffers or
// allocates anything for it; plen is bounded by limits.maxPduLength at that point. Type-specific checks
// (HDGST, ICReq pfv, data length) run once the header and HDGST are in. Then:
// - fast path: when a whole PDU sits in the pushed chunk, its sqe/cqe/data fields are subarray views
//   of that chunk (no copy);
// - slow path: a PDU that spans chunks is assembled in one exactly-plen-sized buffer, and its fields
//   are views of that buffer. The buffer comes from the byte slab (sim/core/byte-slab.ts): it is
//   written in full before it is delivered, it belongs to the PDU alone, and it is usually dropped
//   as soon as the receiver has copied the data out.
// Fields of the PDU in progress live in private slots, not in per-PDU objects, to keep the hot path
// allocation-light: per PDU it allocates the PDU object and its views only.
//
// Error choices (documented here because the spec leaves them open):
// - FEI is the byte offset of the bad field for INVALID_HEADER_FIELD and UNSUPPORTED_PARAMETER, and 0
//   for the FES values whose FEI the spec reserves (PDU_SEQUENCE_ERROR, HEADER_DIGEST_ERROR,
//   DATA_LIMIT_EXCEEDED), as SPDK sends them (lib/nvmf/tcp.c nvmf_tcp_send_c2h_term_req callers).
// - PduError.header is the 8-byte common header for errors found in it, and the whole hlen-byte header
//   for errors found after it (HDGST, pfv, datal). This does not depend on how the bytes were chunked.
// - PDO of PDUs without data (ICReq, ICResp, TermReq, CapsuleResp, R2T, CapsuleCmd without data) is
//   reserved and ignored: Linux sends 0 there and checks it nowhere.
// - Data digests are verified but a mismatch is not fatal here: the PDU is delivered with
//   dataDigestOk false (the Linux host fails just that command with NVME_SC_DATA_XFER_ERROR, the
//   Linux target treats it as fatal), so the caller decides.
import { allocBytes } from '../core/index.js';
import { crc32c } from './digest.js';
import { pduError, pduTypeName } from './pdu-errors.js';
import {
  COMMON_HEADER_LENGTH,
  DIGEST_LENGTH,
  DigestBit,
  Fes,
  NO_DIGEST_PDU_OPTIONS,
  PDU_HEADER_LENGTHS,
  PduFlag,
  PduType,
  TERM_HEADER_LENGTH,
  TERM_MAX_PDU_LENGTH,
} from './pdu-types.js';
import type { DecoderLimits, FesCode, Pdu, PduError, PduFieldSink, PduOptions } from './pdu-types.js';

/** Byte offsets of common-header fields, used as FEI (NVMe/TCP 1.0 common header; nvme_tcp_hdr). */
const FEI_TYPE = 0;
const FEI_FLAGS = 1;
const FEI_HLEN = 2;
const FEI_PDO = 3;
const FEI_PLEN = 4;
/** ICReq/ICResp PFV field offset. */
const FEI_PFV = 8;
/** H2CData/C2HData DATAL field offset. */
const FEI_DATAL = 16;
/** FEI for FES values whose FEI the spec reserves. */
const FEI_RESERVED = 0;

export class PduDecoder {
  /** Framing parameters; replace after the IC exchange (takes effect from the next PDU). */
  options: PduOptions;
  /** Accepted types and size limit; replace after the IC exchange (takes effect from the next PDU). */
  limits: DecoderLimits;
  /**
   * When set, CapsuleResp and C2HData PDUs go to it as fields instead of to onPdu as objects (the
   * host's per-I/O PDUs: no allocation for them); every check is the same either way.
   */
  fieldSink: PduFieldSink | null = null;

  #failed = false;
  /** The common header of a PDU while fewer than 8 of its bytes have arrived. */
  readonly #head = new Uint8Array(COMMON_HEADER_LENGTH);
  #headLength = 0;
  /** A PDU that spans chunks, allocated at exactly plen once its common header validated. */
  #partial: Uint8Array | null = null;
  #partialLength = 0;
  #partialHeaderChecked = false;

  // The PDU being decoded, as validated by #checkCommonHeader. Offsets are relative to the PDU start.
  #type = 0;
  #flags = 0;
  #hlen = 0;
  #plen = 0;
  #headerDigestLength = 0;
  #dataDigestLength = 0;
  #dataStart = 0;
  #dataEnd = 0;
  /** limits.acceptTypes as a bit per type, for the limits object it was computed from. */
  #acceptMask = 0;
  #acceptMaskOf: DecoderLimits | null = null;

  constructor(limits: DecoderLimits, options?: PduOptions) {
    this.limits = limits;
    this.options = options ?? NO_DIGEST_PDU_OPTIONS;
  }

  /** True once a fatal error was reported; all later input is ignored. */
  get failed(): boolean {
    return this.#failed;
  }

  /** Bytes held for a PDU that has not fully arrived (0 between PDUs and after a failure). */
  get bufferedBytes(): number {
    return this.#headLength + this.#partialLength;
  }

  /** Feeds bytes (any chunking: 1 byte or 10 PDUs). Calls onPdu for each complete PDU in order; on the
   * first fatal error calls onError once and ignores all later input (failed becomes true).
   * dataDigestOk is false when a data digest was present and did not match (the PDU is still
   * delivered: the host treats it as a per-command error, the target as fatal).
   * Callbacks must not throw and must not call push() re-entrantly; they may replace options/limits. */
  push(chunk: Uint8Array, onPdu: (pdu: Pdu, dataDigestOk: boolean) => void, onError: (error: PduError) => void): void {
    const end = chunk.length;
    let offset = 0;
    while (offset < end && !this.#failed) {
      if (this.#headLength > 0 || this.#partial !== null) {
        offset = this.#pushPartial(chunk, offset, onPdu, onError);
        continue;
      }
      const available = end - offset;
      if (available < COMMON_HEADER_LENGTH) {
        this.#head.set(chunk.subarray(offset, end));
        this.#headLength = available;
        return;
      }
      const commonError = this.#checkCommonHeader(chunk, offset);
      if (commonError !== null) return this.#fail(commonError, onError);
      const headerEnd = this.#hlen + this.#headerDigestLength;
      if (available >= headerEnd) {
        const headerError = this.#checkHeader(chunk, offset);
        if (headerError !== null) return this.#fail(headerError, onError);
      }
      if (available >= this.#plen) {
        // Fast path: the whole PDU is in this chunk; deliver views of it.
        this.#deliver(chunk, offset, onPdu);
        offset += this.#plen;
        continue;
      }
      // Slow path: plen was bounded by limits.maxPduLength in #checkCommonHeader.
      this.#partial = allocBytes(this.#plen);
      this.#partial.set(offset === 0 ? chunk : chunk.subarray(offset, end));
      this.#partialLength = available;
      this.#partialHeaderChecked = available >= headerEnd;
      return;
    }
  }

  /** Continues a PDU that spans chunks; returns the new offset into `chunk`. */
  #pushPartial(
    chunk: Uint8Array,
    offset: number,
    onPdu: (pdu: Pdu, dataDigestOk: boolean) => void,
    onError: (error: PduError) => void,
  ): number {
    const end = chunk.length;
    if (this.#partial === null) {
      const headTake = Math.min(COMMON_HEADER_LENGTH - this.#headLength, end - offset);
      this.#head.set(chunk.subarray(offset, offset + headTake), this.#headLength);
      this.#headLength += headTake;
      offset += headTake;
      if (this.#headLength < COMMON_HEADER_LENGTH) return offset;
      const commonError = this.#checkCommonHeader(this.#head, 0);
      if (commonError !== null) {
        this.#fail(commonError, onError);
        return end;
      }
      this.#partial = allocBytes(this.#plen);
      this.#partial.set(this.#head);
      this.#partialLength = COMMON_HEADER_LENGTH;
      this.#partialHeaderChecked = false;
      this.#headLength = 0;
    }
    const partial = this.#partial;
    const take = Math.min(this.#plen - this.#partialLength, end - offset);
    // A whole chunk is copied without a view of it (the common case: a segment of a data PDU).
    partial.set(offset === 0 && take === end ? chunk : chunk.subarray(offset, offset + take), this.#partialLength);
    this.#partialLength += take;
    offset += take;
    if (!this.#partialHeaderChecked && this.#partialLength >= this.#hlen + this.#headerDigestLength) {
      this.#partialHeaderChecked = true;
      const headerError = this.#checkHeader(partial, 0);
      if (headerError !== null) {
        this.#fail(headerError, onError);
        return end;
      }
    }
    if (this.#partialLength === this.#plen) {
      this.#partial = null;
      this.#partialLength = 0;
      this.#deliver(partial, 0, onPdu);
    }
    return offset;
  }

  #fail(error: PduError, onError: (error: PduError) => void): void {
    this.#failed = true;
    this.#partial = null;
    this.#partialLength = 0;
    this.#headLength = 0;
    onError(error);
  }

  /**
   * Validates the 8-byte common header at `start` and records the PDU's layout. Every check here
   * needs only these 8 bytes, so nothing is buffered for a PDU that fails them.
   */
  #checkCommonHeader(buffer: Uint8Array, start: number): PduError | null {
    const type = buffer[start] ?? 0;
    const flags = buffer[start + 1] ?? 0;
    const hlen = buffer[start + 2] ?? 0;
    const pdo = buffer[start + 3] ?? 0;
    const plen = readU32(buffer, start + 4);
    const options = this.options;

    // Spec: PDU-type values not defined (0x08, 0x0A-0xFF) are reserved; SPDK nvmf_tcp_pdu_ch_handle
    // answers "Unexpected PDU type" with INVALID_HEADER_FIELD at the pdu_type offset.
    const fixedHlen = PDU_HEADER_LENGTHS[type] ?? 0;
    if (fixedHlen === 0) return commonHeaderError(buffer, start, Fes.INVALID_HEADER_FIELD, FEI_TYPE, `unknown PDU type 0x${hex(type)}`);
    // A defined type this side never receives (Linux target nvmet_tcp_pdu_valid accepts only ICReq,
    // CapsuleCmd, H2CData; host nvme_tcp_recv_pdu_supported only C2HTermReq, C2HData, R2T, CapsuleResp).
    if (((this.#acceptedTypes() >>> type) & 1) === 0) {
      return commonHeaderError(buffer, start, Fes.PDU_SEQUENCE_ERROR, FEI_RESERVED, `unexpected ${pduTypeName(type)} PDU`);
    }
    // hlen is fixed per type (Linux nvmet_tcp_pdu_valid vs nvme_tcp_pdu_sizes[]; host nvme_tcp_recv_pdu
    // requires hlen 24 for everything it receives; SPDK offsetof(hlen)).
    if (hlen !== fixedHlen) {
      return commonHeaderError(buffer, start, Fes.INVALID_HEADER_FIELD, FEI_HLEN, `hlen ${hlen} != ${fixedHlen} for ${pduTypeName(type)}`);
    }

    const digestCapable = type >= PduType.CapsuleCmd;
    if (!digestCapable) {
      // ICReq, ICResp and TermReqs never carry digests (SPDK g_nvme_tcp_hdgst/g_nvme_tcp_ddgst tables).
      if ((flags & (PduFlag.HDGST | PduFlag.DDGST)) !== 0) {
        return commonHeaderError(buffer, start, Fes.INVALID_HEADER_FIELD, FEI_FLAGS, `digest flag set on ${pduTypeName(type)}`);
      }
      return this.#checkUndigestedLength(buffer, start, type, hlen, plen);
    }

    // Linux target nvmet_tcp_verify_hdgst: "header digest enabled but no header digest" is -EPROTO; a
    // HDGST flag without negotiation would make us misframe the PDU, so it is rejected too.
    const hasHeaderDigest = (flags & PduFlag.HDGST) !== 0;
    if (hasHeaderDigest !== options.headerDigest) {
      return commonHeaderError(buffer, start, 
        Fes.INVALID_HEADER_FIELD,
        FEI_FLAGS,
        options.headerDigest ? `HDGST flag clear on ${pduTypeName(type)} but header digest negotiated` : `HDGST flag set on ${pduTypeName(type)} but header digest not negotiated`,
      );
    }
    // Linux host nvme_tcp_handle_c2h_data: SUCCESS without LAST_PDU is a protocol error (spec: SUCCESS
    // may be set only on the last C2HData PDU of a command).
    if (type === PduType.C2HData && (flags & (PduFlag.DATA_SUCCESS | PduFlag.DATA_LAST)) === PduFlag.DATA_SUCCESS) {
      return commonHeaderError(buffer, start, Fes.INVALID_HEADER_FIELD, FEI_FLAGS, 'C2HData SUCCESS flag set without LAST_PDU');
    }
    const headerDigestLength = hasHeaderDigest ? DIGEST_LENGTH : 0;
    const headerEnd = hlen + headerDigestLength;
    // plen counts header, HDGST, padding, data and DDGST (SPDK spdk_nvme_tcp_common_pdu_hdr.plen), so
    // it can never be less than the header (SPDK nvmf_tcp_pdu_ch_handle plen_error).
    if (plen < headerEnd) {
      return commonHeaderError(buffer, start, Fes.INVALID_HEADER_FIELD, FEI_PLEN, `plen ${plen} < header length ${headerEnd} for ${pduTypeName(type)}`);
    }
    const dataCapable = type === PduType.CapsuleCmd || type === PduType.H2CData || type === PduType.C2HData;
    // CapsuleResp and R2T carry no data: anything after the header would desynchronise framing.
    if (!dataCapable && plen !== headerEnd) {
      return commonHeaderError(buffer, start, Fes.INVALID_HEADER_FIELD, FEI_PLEN, `plen ${plen} != ${headerEnd} for ${pduTypeName(type)} (no data)`);
    }
    const limitError = this.#checkLimit(buffer, start, type, plen);
    if (limitError !== null) return limitError;

    // DDGST flag: Linux target nvmet_tcp_check_ddgst rejects a PDU with data but no DDGST flag ("data
    // digest flag is cleared"); a DDGST flag without negotiation or without data would misframe it.
    // A CapsuleCmd has data exactly when plen exceeds its header (Linux nvme_tcp_setup_cmd_pdu).
    const hasData = dataCapable && (type !== PduType.CapsuleCmd || plen > headerEnd);
    const hasDataDigest = (flags & PduFlag.DDGST) !== 0;
    if (hasDataDigest !== (hasData && options.dataDigest)) {
      let reason = 'data digest not negotiated';
      if (!hasData) reason = 'no data';
      else if (options.dataDigest) reason = 'data digest negotiated';
      return commonHeaderError(buffer, start, Fes.INVALID_HEADER_FIELD, FEI_FLAGS, `DDGST flag ${hasDataDigest ? 'set' : 'clear'} on ${pduTypeName(type)} but ${reason}`);
    }
    const dataDigestLength = hasDataDigest ? DIGEST_LENGTH : 0;

    if (hasData) {
      // PDO is where the data starts: after header and HDGST, within plen, and a multiple of the
      // alignment this side asked for (SPDK nvmf_tcp_pdu_ch_handle pdo_error: pdo % ((cpda + 1) << 2)).
      const alignmentBytes = (options.dataAlignment + 1) * 4;
      const misaligned = options.dataAlignment > 0 && pdo % alignmentBytes !== 0;
      if (pdo < headerEnd || pdo > plen - dataDigestLength || misaligned) {
        return commonHeaderError(buffer, start, Fes.INVALID_HEADER_FIELD, FEI_PDO, `pdo ${pdo} invalid for ${pduTypeName(type)} (header ${headerEnd}, plen ${plen}, alignment ${options.dataAlignment > 0 ? alignmentBytes : 'none'})`);
      }
      this.#dataStart = pdo;
      this.#dataEnd = plen - dataDigestLength;
    } else {
      this.#dataStart = headerEnd;
      this.#dataEnd = headerEnd;
    }
    this.#record(type, flags, hlen, plen, headerDigestLength, dataDigestLength);
    return null;
  }

  /** The accepted types as a bit mask (recomputed when `limits` is replaced: no per-PDU array scan). */
  #acceptedTypes(): number {
    const limits = this.limits;
    if (limits !== this.#acceptMaskOf) {
      let mask = 0;
      for (const accepted of limits.acceptTypes) mask |= 1 << accepted;
      this.#acceptMask = mask;
      this.#acceptMaskOf = limits;
    }
    return this.#acceptMask;
  }

  /** Length checks for ICReq, ICResp and TermReqs, which have no digests. */
  #checkUndigestedLength(buffer: Uint8Array, start: number, type: number, hlen: number, plen: number): PduError | null {
    if (type === PduType.ICReq || type === PduType.ICResp) {
      // Linux target nvmet_tcp_handle_icreq: "bad nvme-tcp pdu length" unless plen == 128; Linux host
      // nvme_tcp_init_connection checks the ICResp plen the same way.
      if (plen !== hlen) return commonHeaderError(buffer, start, Fes.INVALID_HEADER_FIELD, FEI_PLEN, `plen ${plen} != ${hlen} for ${pduTypeName(type)}`);
    } else if (plen < TERM_HEADER_LENGTH || plen > TERM_MAX_PDU_LENGTH) {
      // A TermReq carries at most 128 bytes of error data: Linux host nvme_tcp_handle_c2h_term checks
      // plen against NVME_TCP_MIN_C2HTERM_PLEN (24) and NVME_TCP_MAX_C2HTERM_PLEN (152).
      return commonHeaderError(buffer, start, Fes.INVALID_HEADER_FIELD, FEI_PLEN, `plen ${plen} outside ${TERM_HEADER_LENGTH}..${TERM_MAX_PDU_LENGTH} for ${pduTypeName(type)}`);
    }
    const limitError = this.#checkLimit(buffer, start, type, plen);
    if (limitError !== null) return limitError;
    this.#dataStart = hlen;
    this.#dataEnd = plen;
    this.#record(type, 0, hlen, plen, 0, 0);
    return null;
  }

  /** Rejects a plen above limits.maxPduLength before a byte of the PDU beyond its common header is kept. */
  #checkLimit(buffer: Uint8Array, start: number, type: number, plen: number): PduError | null {
    // The receiver advertises what it accepts (MAXH2CDATA, in-capsule data size); SPDK answers a data
    // length above its limit with DATA_TRANSFER_LIMIT_EXCEEDED (nvmf_tcp_req_parse_sgl).
    if (plen > this.limits.maxPduLength) {
      return commonHeaderError(buffer, start, Fes.DATA_LIMIT_EXCEEDED, FEI_RESERVED, `plen ${plen} > limit ${this.limits.maxPduLength} for ${pduTypeName(type)}`);
    }
    return null;
  }

  #record(type: number, flags: number, hlen: number, plen: number, headerDigestLength: number, dataDigestLength: number): void {
    this.#type = type;
    this.#flags = flags;
    this.#hlen = hlen;
    this.#plen = plen;
    this.#headerDigestLength = headerDigestLength;
    this.#dataDigestLength = dataDigestLength;
  }

  /** Checks that need the whole header and HDGST (buffer holds them from `start`). */
  #checkHeader(buffer: Uint8Array, start: number): PduError | null {
    const hlen = this.#hlen;
    const type = this.#type;
    if (this.#headerDigestLength > 0) {
      // HDGST is CRC32C over the hlen header bytes, stored LE right after them (Linux
      // nvmet_tcp_verify_hdgst / nvme_tcp_verify_hdgst; SPDK nvmf_tcp_pdu_psh_handle).
      const received = readU32(buffer, start + hlen);
      const computed = crc32c(buffer.subarray(start, start + hlen));
      if (received !== computed) {
        return pduError(Fes.HEADER_DIGEST_ERROR, FEI_RESERVED, `header digest 0x${hex8(received)} != 0x${hex8(computed)} on ${pduTypeName(type)}`, buffer.subarray(start, start + hlen));
      }
    }
    if (type === PduType.ICReq || type === PduType.ICResp) {
      // PFV 1.0 (0) is the only version: Linux target nvmet_tcp_handle_icreq "bad nvme-tcp pfv"; SPDK
      // nvmf_tcp_icreq_handle answers UNSUPPORTED_PARAMETER at offsetof(pfv). HPDA/CPDA policy is the
      // connection's (Linux rejects hpda != 0, SPDK honours it).
      const pfv = readU16(buffer, start + FEI_PFV);
      if (pfv !== 0) return pduError(Fes.UNSUPPORTED_PARAMETER, FEI_PFV, `pfv ${pfv} unsupported in ${pduTypeName(type)}`, buffer.subarray(start, start + hlen));
    } else if (type === PduType.H2CData || type === PduType.C2HData) {
      // DATAL must match the data the PDU frames (Linux target nvmet_tcp_handle_h2c_data_pdu:
      // data_length != plen - hlen - hdgst - ddgst is "H2CData PDU len %u is invalid").
      const datal = readU32(buffer, start + FEI_DATAL);
      const framed = this.#dataEnd - this.#dataStart;
      if (datal !== framed) {
        return pduError(Fes.INVALID_HEADER_FIELD, FEI_DATAL, `datal ${datal} != ${framed} data bytes framed by ${pduTypeName(type)}`, buffer.subarray(start, start + hlen));
      }
    }
    return null;
  }

  /** Builds the typed PDU from a complete, validated PDU at `start` and hands it over. */
  #deliver(buffer: Uint8Array, start: number, onPdu: (pdu: Pdu, dataDigestOk: boolean) => void): void {
    const flags = this.#flags;
    const sink = this.fieldSink;
    if (sink !== null) {
      if (this.#type === PduType.CapsuleResp) {
        sink.capsuleResp(buffer, start + COMMON_HEADER_LENGTH);
        return;
      }
      if (this.#type === PduType.C2HData) {
        const dataStart = start + this.#dataStart;
        const dataEnd = start + this.#dataEnd;
        // DDGST is CRC32C over the data bytes only, LE after them (Linux nvme_tcp_ddgst_final; no padding).
        const dataDigestOk = this.#dataDigestLength === 0 || crc32c(buffer.subarray(dataStart, dataEnd)) === readU32(buffer, dataEnd);
        sink.c2hData(buffer, dataStart, dataEnd, readU16(buffer, start + 8), readU32(buffer, start + 12), flags, dataDigestOk);
        return;
      }
    }
    let pdu: Pdu;
    switch (this.#type) {
      case PduType.ICReq:
        pdu = {
          type: PduType.ICReq,
          pfv: readU16(buffer, start + 8),
          hpda: buffer[start + 10] ?? 0,
          headerDigest: ((buffer[start + 11] ?? 0) & DigestBit.HEADER) !== 0,
          dataDigest: ((buffer[start + 11] ?? 0) & DigestBit.DATA) !== 0,
          maxr2t: readU32(buffer, start + 12),
        };
        break;
      case PduType.ICResp:
        pdu = {
          type: PduType.ICResp,
          pfv: readU16(buffer, start + 8),
          cpda: buffer[start + 10] ?? 0,
          headerDigest: ((buffer[start + 11] ?? 0) & DigestBit.HEADER) !== 0,
          dataDigest: ((buffer[start + 11] ?? 0) & DigestBit.DATA) !== 0,
          maxh2cdata: readU32(buffer, start + 12),
        };
        break;
      case PduType.H2CTermReq:
      case PduType.C2HTermReq:
        pdu = {
          type: this.#type === PduType.H2CTermReq ? PduType.H2CTermReq : PduType.C2HTermReq,
          fes: readU16(buffer, start + 8),
          fei: readU32(buffer, start + 10),
          errorData: buffer.subarray(start + this.#dataStart, start + this.#dataEnd),
        };
        break;
      case PduType.CapsuleCmd:
        pdu = {
          type: PduType.CapsuleCmd,
          sqe: buffer.subarray(start + COMMON_HEADER_LENGTH, start + this.#hlen),
          // Most commands carry no in-capsule data: one shared empty array, not a view per PDU.
          data: this.#dataEnd > this.#dataStart ? buffer.subarray(start + this.#dataStart, start + this.#dataEnd) : NO_DATA,
        };
        break;
      case PduType.CapsuleResp:
        pdu = { type: PduType.CapsuleResp, cqe: buffer.subarray(start + COMMON_HEADER_LENGTH, start + this.#hlen) };
        break;
      case PduType.H2CData:
        pdu = {
          type: PduType.H2CData,
          last: (flags & PduFlag.DATA_LAST) !== 0,
          cccid: readU16(buffer, start + 8),
          ttag: readU16(buffer, start + 10),
          datao: readU32(buffer, start + 12),
          data: buffer.subarray(start + this.#dataStart, start + this.#dataEnd),
        };
        break;
      case PduType.C2HData:
        pdu = {
          type: PduType.C2HData,
          last: (flags & PduFlag.DATA_LAST) !== 0,
          success: (flags & PduFlag.DATA_SUCCESS) !== 0,
          cccid: readU16(buffer, start + 8),
          datao: readU32(buffer, start + 12),
          data: buffer.subarray(start + this.#dataStart, start + this.#dataEnd),
        };
        break;
      default:
        pdu = {
          type: PduType.R2T,
          cccid: readU16(buffer, start + 8),
          ttag: readU16(buffer, start + 10),
          r2to: readU32(buffer, start + 12),
          r2tl: readU32(buffer, start + 16),
        };
        break;
    }
    let dataDigestOk = true;
    if (this.#dataDigestLength > 0) {
      // DDGST is CRC32C over the data bytes only, LE after them (Linux nvme_tcp_ddgst_final; no padding).
      const computed = crc32c(buffer.subarray(start + this.#dataStart, start + this.#dataEnd));
      dataDigestOk = computed === readU32(buffer, start + this.#dataEnd);
    }
    onPdu(pdu, dataDigestOk);
  }
}

/** The data of a PDU that carries none (zero-length, so nobody can change it). */
const NO_DATA = new Uint8Array(0);

/** A PduError found in the common header; its error data is those 8 bytes. */
function commonHeaderError(buffer: Uint8Array, start: number, fes: FesCode, fei: number, message: string): PduError {
  return pduError(fes, fei, message, buffer.subarray(start, start + COMMON_HEADER_LENGTH));
}

function readU16(buffer: Uint8Array, offset: number): number {
  return (buffer[offset] ?? 0) | ((buffer[offset + 1] ?? 0) << 8);
}

function readU32(buffer: Uint8Array, offset: number): number {
  // The top byte is multiplied, not shifted, so the result stays an unsigned 32-bit number.
  return ((buffer[offset] ?? 0) | ((buffer[offset + 1] ?? 0) << 8) | ((buffer[offset + 2] ?? 0) << 16)) + (buffer[offset + 3] ?? 0) * 0x1000000;
}

function hex(value: number): string {
  return value.toString(16).padStart(2, '0');
}

function hex8(value: number): string {
  return value.toString(16).padStart(8, '0');
}
