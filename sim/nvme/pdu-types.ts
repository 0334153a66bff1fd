// NVMe/TCP PDU types and wire constants (NVMe/TCP Transport Specification 1.0; Linux
// include/linux/nvme-tcp.h; SPDK include/spdk/nvmf_spec.h). Types only: the decoder
// (pdu-decoder.ts) and encoder (pdu-encoder.ts) turn these into bytes and back.

/** PDU type byte (common header offset 0). 0x08 is reserved. */
export const PduType = {
  ICReq: 0x00,
  ICResp: 0x01,
  H2CTermReq: 0x02,
  C2HTermReq: 0x03,
  CapsuleCmd: 0x04,
  CapsuleResp: 0x05,
  H2CData: 0x06,
  C2HData: 0x07,
  R2T: 0x09,
} as const;
export type PduTypeCode = (typeof PduType)[keyof typeof PduType];

/** Common-header flags (offset 1). LAST_PDU and SUCCESS are meaningful only on data PDUs. */
export const PduFlag = {
  HDGST: 1 << 0,
  DDGST: 1 << 1,
  DATA_LAST: 1 << 2,
  DATA_SUCCESS: 1 << 3,
} as const;

/** Digest-enable bits of the ICReq/ICResp `digest` byte. */
export const DigestBit = {
  HEADER: 1 << 0,
  DATA: 1 << 1,
} as const;

/** Fatal Error Status carried in H2CTermReq/C2HTermReq. */
export const Fes = {
  INVALID_HEADER_FIELD: 0x01,
  PDU_SEQUENCE_ERROR: 0x02,
  HEADER_DIGEST_ERROR: 0x03,
  DATA_OUT_OF_RANGE: 0x04,
  /** Also "R2T limit exceeded": the spec gives both names the same value. */
  DATA_LIMIT_EXCEEDED: 0x05,
  UNSUPPORTED_PARAMETER: 0x06,
} as const;
export type FesCode = (typeof Fes)[keyof typeof Fes];

/** Sizes in bytes. */
export const COMMON_HEADER_LENGTH = 8;
export const DIGEST_LENGTH = 4;
export const ICREQ_LENGTH = 128;
export const ICRESP_LENGTH = 128;
export const TERM_HEADER_LENGTH = 24;
/** A TermReq carries at most this many bytes of the offending PDU header (spec: 128). */
export const TERM_MAX_ERROR_DATA = 128;
export const CAPSULE_CMD_HEADER_LENGTH = 72;
export const CAPSULE_RESP_HEADER_LENGTH = 24;
export const DATA_HEADER_LENGTH = 24;
export const R2T_HEADER_LENGTH = 24;
export const SQE_LENGTH = 64;
export const CQE_LENGTH = 16;
/** PFV 1.0 is the only protocol format version. */
export const PFV_1_0 = 0;
/** Linux host rejects an ICResp maxh2cdata below this (NVME_TCP_MIN_MAXH2CDATA). */
export const MIN_MAXH2CDATA = 4096;
/** Default TCP ports: 8009 discovery, 4420 I/O. */
export const DISCOVERY_PORT = 8009;
export const IO_PORT = 4420;

export interface ICReqPdu {
  readonly type: typeof PduType.ICReq;
  readonly pfv: number;
  /** Host PDU data alignment, 0's based dwords. */
  readonly hpda: number;
  readonly headerDigest: boolean;
  readonly dataDigest: boolean;
  /** Maximum outstanding R2Ts per command, 0's based. */
  readonly maxr2t: number;
}

export interface ICRespPdu {
  readonly type: typeof PduType.ICResp;
  readonly pfv: number;
  /** Controller PDU data alignment, 0's based dwords. */
  readonly cpda: number;
  readonly headerDigest: boolean;
  readonly dataDigest: boolean;
  /** Largest H2CData payload the controller accepts. */
  readonly maxh2cdata: number;
}

export interface TermReqPdu {
  readonly type: typeof PduType.H2CTermReq | typeof PduType.C2HTermReq;
  readonly fes: FesCode | number;
  /** Fatal error information: byte offset of the bad field, or the max allowed value. */
  readonly fei: number;
  /** Copy of the offending PDU header (at most TERM_MAX_ERROR_DATA bytes). */
  readonly errorData: Uint8Array;
}

export interface CapsuleCmdPdu {
  readonly type: typeof PduType.CapsuleCmd;
  /** The 64-byte submission queue entry (a view). Decode with sim/nvme/sqe.ts. */
  readonly sqe: Uint8Array;
  /** In-capsule data (a view), empty when none. */
  readonly data: Uint8Array;
}

export interface CapsuleRespPdu {
  readonly type: typeof PduType.CapsuleResp;
  /** The 16-byte completion queue entry (a view). Decode with sim/nvme/cqe.ts. */
  readonly cqe: Uint8Array;
}

export interface H2CDataPdu {
  readonly type: typeof PduType.H2CData;
  readonly last: boolean;
  readonly cccid: number;
  readonly ttag: number;
  readonly datao: number;
  readonly data: Uint8Array;
}

export interface C2HDataPdu {
  readonly type: typeof PduType.C2HData;
  readonly last: boolean;
  readonly success: boolean;
  readonly cccid: number;
  readonly datao: number;
  readonly data: Uint8Array;
}

export interface R2TPdu {
  readonly type: typeof PduType.R2T;
  readonly cccid: number;
  readonly ttag: number;
  readonly r2to: number;
  readonly r2tl: number;
}

export type Pdu =
  | ICReqPdu
  | ICRespPdu
  | TermReqPdu
  | CapsuleCmdPdu
  | CapsuleRespPdu
  | H2CDataPdu
  | C2HDataPdu
  | R2TPdu;

/** Per-connection framing parameters, fixed by ICReq/ICResp. */
export interface PduOptions {
  /** Header digest negotiated: HDGST on every PDU type that carries one. */
  readonly headerDigest: boolean;
  /** Data digest negotiated: DDGST on every PDU that carries data. */
  readonly dataDigest: boolean;
  /** PDU data alignment the *receiver* asked for (its hpda/cpda), 0's based dwords. */
  readonly dataAlignment: number;
}

/**
 * What a decoder may accept. A receiver sets this from its role and the negotiated limits, so the
 * decoder never allocates in proportion to a claimed length it would not accept.
 */
export interface DecoderLimits {
  /** PDU types this side may receive (the host never receives a CapsuleCmd, for example). */
  readonly acceptTypes: readonly PduTypeCode[];
  /** Largest total PDU length (plen) accepted. */
  readonly maxPduLength: number;
}

/**
 * Receives the host's two hot PDU types as fields instead of PDU objects (PduDecoder.fieldSink):
 * no object and no views are made for them. `bytes` is only valid during the call (it may be the
 * received chunk); offsets index it.
 */
export interface PduFieldSink {
  /** A CapsuleResp whose 16-byte CQE is bytes[cqe, cqe + 16). */
  capsuleResp(bytes: Uint8Array, cqe: number): void;
  /**
   * A C2HData PDU whose data is bytes[dataStart, dataEnd); `flags` is its common-header flags byte
   * (PduFlag.DATA_LAST, PduFlag.DATA_SUCCESS).
   */
  c2hData(bytes: Uint8Array, dataStart: number, dataEnd: number, cccid: number, datao: number, flags: number, dataDigestOk: boolean): void;
}

/** A fatal transport error the decoder found: send a TermReq with this FES and FEI, then close. */
export interface PduError {
  readonly fes: FesCode;
  readonly fei: number;
  /** Human-readable reason, e.g. "hlen 20 != 72 for CapsuleCmd". */
  readonly message: string;
  /** The offending PDU header bytes (for the TermReq's error data), possibly empty. */
  readonly header: Uint8Array;
}

/** Largest TermReq PDU: header plus the maximum error data (Linux NVME_TCP_MAX_C2HTERM_PLEN = 152). */
export const TERM_MAX_PDU_LENGTH = TERM_HEADER_LENGTH + TERM_MAX_ERROR_DATA;

/** Framing before the IC exchange: no digests, no alignment (NVMe/TCP 1.0: ICReq/ICResp never carry digests). */
export const NO_DIGEST_PDU_OPTIONS: PduOptions = { headerDigest: false, dataDigest: false, dataAlignment: 0 };

/**
 * Fixed header length (hlen) by PDU type code; 0 marks a reserved or unknown code (0x08, > 0x09).
 * Linux drivers/nvme/target/tcp.c nvme_tcp_pdu_sizes[]; SPDK nvmf_tcp_pdu_ch_handle expected_hlen.
 */
export const PDU_HEADER_LENGTHS: readonly number[] = [
  ICREQ_LENGTH, // 0x00 ICReq
  ICRESP_LENGTH, // 0x01 ICResp
  TERM_HEADER_LENGTH, // 0x02 H2CTermReq
  TERM_HEADER_LENGTH, // 0x03 C2HTermReq
  CAPSULE_CMD_HEADER_LENGTH, // 0x04 CapsuleCmd
  CAPSULE_RESP_HEADER_LENGTH, // 0x05 CapsuleResp
  DATA_HEADER_LENGTH, // 0x06 H2CData
  DATA_HEADER_LENGTH, // 0x07 C2HData
  0, // 0x08 reserved
  R2T_HEADER_LENGTH, // 0x09 R2T
];

/** Whether a PDU type carries HDGST when header digests are negotiated (SPDK g_nvme_tcp_hdgst[]). */
export function pduTypeHasHeaderDigest(type: number): boolean {
  return type >= PduType.CapsuleCmd && type <= PduType.R2T && type !== 0x08;
}

/** Whether a PDU type carries DDGST (when it has data) once data digests are negotiated (SPDK g_nvme_tcp_ddgst[]). */
export function pduTypeHasDataDigest(type: number): boolean {
  return type === PduType.CapsuleCmd || type === PduType.H2CData || type === PduType.C2HData;
}
