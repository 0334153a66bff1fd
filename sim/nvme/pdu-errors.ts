// Fatal NVMe/TCP transport errors as values: the decoder returns a PduError (FES + FEI + the offending
// header) and the connection owner turns it into an H2CTermReq/C2HTermReq and closes the connection.
import { Fes, PduType, TERM_MAX_ERROR_DATA } from './pdu-types.js';
import type { FesCode, PduError } from './pdu-types.js';

const TYPE_NAMES: Readonly<Record<number, string>> = {
  [PduType.ICReq]: 'ICReq',
  [PduType.ICResp]: 'ICResp',
  [PduType.H2CTermReq]: 'H2CTermReq',
  [PduType.C2HTermReq]: 'C2HTermReq',
  [PduType.CapsuleCmd]: 'CapsuleCmd',
  [PduType.CapsuleResp]: 'CapsuleResp',
  [PduType.H2CData]: 'H2CData',
  [PduType.C2HData]: 'C2HData',
  [PduType.R2T]: 'R2T',
};

const FES_NAMES: Readonly<Record<number, string>> = {
  [Fes.INVALID_HEADER_FIELD]: 'invalid PDU header field',
  [Fes.PDU_SEQUENCE_ERROR]: 'PDU sequence error',
  [Fes.HEADER_DIGEST_ERROR]: 'header digest error',
  [Fes.DATA_OUT_OF_RANGE]: 'data transfer out of range',
  [Fes.DATA_LIMIT_EXCEEDED]: 'data transfer limit exceeded',
  [Fes.UNSUPPORTED_PARAMETER]: 'unsupported parameter',
};

/** "CapsuleCmd" for 0x04, "type 0x08" for codes that are not PDU types. */
export function pduTypeName(type: number): string {
  return TYPE_NAMES[type] ?? `type 0x${type.toString(16).padStart(2, '0')}`;
}

/** Human-readable FES, e.g. "header digest error" (as the Linux host logs C2HTermReq). */
export function fesName(fes: number): string {
  return FES_NAMES[fes] ?? `unknown FES 0x${fes.toString(16)}`;
}

/**
 * Builds a PduError. `header` is copied (at most TERM_MAX_ERROR_DATA bytes, the spec's TermReq error
 * data limit) so the error never pins the receive buffer it came from.
 */
export function pduError(fes: FesCode, fei: number, message: string, header: Uint8Array): PduError {
  // A fresh Uint8Array, not header.slice(): Buffer#slice returns a view, not a copy.
  const copy = new Uint8Array(Math.min(header.length, TERM_MAX_ERROR_DATA));
  copy.set(header.subarray(0, copy.length));
  return { fes, fei, message, header: copy };
}
