// The framing of one target connection: bytes to PDUs with the codec, the digests and size limits the
// IC exchange set, and dispatch of each decoded PDU to its handler by type. Before ICReq only ICReq
// and H2CTermReq are accepted; after it, what Linux nvmet_tcp_pdu_valid accepts (CapsuleCmd, H2CData)
// plus H2CTermReq, so the host can close politely (drivers/nvme/target/tcp.c).
import {
  CAPSULE_CMD_HEADER_LENGTH,
  CAPSULE_RESP_HEADER_LENGTH,
  DATA_HEADER_LENGTH,
  DIGEST_LENGTH,
  encodePdu,
  encodePlainC2HDataHeaderAt,
  encodePlainCapsuleRespAt,
  Fes,
  NO_DIGEST_PDU_OPTIONS,
  PduDecoder,
  pduTypeName,
  PduType,
  TERM_MAX_PDU_LENGTH,
} from '../nvme/index.js';
import type { StreamSender } from '../transport/index.js';
import type { CapsuleCmdPdu, DecoderLimits, FesCode, H2CDataPdu, ICReqPdu, Pdu, PduError, PduOptions, TermReqPdu } from '../nvme/index.js';

/** FEI for the FES values whose FEI the spec reserves. */
export const FEI_RESERVED = 0;

/** Where each decoded PDU goes (one object per connection, built once). */
export interface PduHandlers {
  icReq(pdu: ICReqPdu): void;
  termReq(pdu: TermReqPdu): void;
  capsule(pdu: CapsuleCmdPdu, dataDigestOk: boolean): void;
  h2cData(pdu: H2CDataPdu, dataDigestOk: boolean): void;
  /** A type the connection never accepts: a fatal PDU sequence error. */
  fatal(fes: FesCode, fei: number, header: Uint8Array, message: string): void;
}

export class PduFraming {
  readonly #decoder: PduDecoder;
  readonly #handlers: PduHandlers;
  #options: PduOptions = NO_DIGEST_PDU_OPTIONS;

  constructor(handlers: PduHandlers) {
    this.#handlers = handlers;
    // Before the IC exchange only an ICReq (or the host giving up) may arrive.
    this.#decoder = new PduDecoder({ acceptTypes: [PduType.ICReq, PduType.H2CTermReq], maxPduLength: TERM_MAX_PDU_LENGTH });
  }

  /** The digests the ICReq asked for (none before it). */
  get options(): PduOptions {
    return this.#options;
  }

  /** Decodes every complete PDU in the chunk, in order. */
  push(chunk: Uint8Array, onPdu: (pdu: Pdu, dataDigestOk: boolean) => void, onError: (error: PduError) => void): void {
    this.#decoder.push(chunk, onPdu, onError);
  }

  /**
   * The digests an ICReq asks for apply to the very next PDU, which may already sit in the same chunk,
   * so the decoder's framing changes before the ICReq is handled (the handler may still refuse it).
   * `inCapsuleMax` and `maxH2CData` bound the PDUs accepted from now on.
   */
  applyIcReq(icreq: ICReqPdu, inCapsuleMax: number, maxH2CData: number): void {
    this.#options = { headerDigest: icreq.headerDigest, dataDigest: icreq.dataDigest, dataAlignment: 0 };
    const digests = (icreq.headerDigest ? DIGEST_LENGTH : 0) + (icreq.dataDigest ? DIGEST_LENGTH : 0);
    const limits: DecoderLimits = {
      // Linux nvmet_tcp_pdu_valid: ICReq, CapsuleCmd, H2CData; H2CTermReq is accepted to close politely.
      acceptTypes: [PduType.CapsuleCmd, PduType.H2CData, PduType.H2CTermReq],
      maxPduLength: Math.max(CAPSULE_CMD_HEADER_LENGTH + inCapsuleMax + digests, DATA_HEADER_LENGTH + maxH2CData + digests, TERM_MAX_PDU_LENGTH),
    };
    this.#decoder.options = this.#options;
    this.#decoder.limits = limits;
  }

  /** Hands a PDU to its handler. */
  dispatch(pdu: Pdu, dataDigestOk: boolean): void {
    const handlers = this.#handlers;
    switch (pdu.type) {
      case PduType.ICReq:
        handlers.icReq(pdu);
        return;
      case PduType.H2CTermReq:
        handlers.termReq(pdu);
        return;
      case PduType.CapsuleCmd:
        handlers.capsule(pdu, dataDigestOk);
        return;
      case PduType.H2CData:
        handlers.h2cData(pdu, dataDigestOk);
        return;
      default:
        // The decoder only delivers accepted types; anything else is a sequence error.
        handlers.fatal(Fes.PDU_SEQUENCE_ERROR, FEI_RESERVED, this.headerOf(pdu), `unexpected ${pduTypeName(pdu.type)}`);
    }
  }

  /** Encodes a PDU with the connection's digests, or with none (ICResp, TermReqs). */
  encode(pdu: Pdu, withDigests: boolean): Uint8Array[] {
    return encodePdu(pdu, withDigests ? this.#options : NO_DIGEST_PDU_OPTIONS);
  }

  /**
   * Writes a PDU to the sender: a C2HData header or a CapsuleResp without digests is encoded
   * straight into the stream's staging when it has some (StreamSender.stage), the same bytes as
   * encode() gives.
   */
  write(sender: StreamSender, pdu: Pdu, withDigests: boolean): void {
    const options = withDigests ? this.#options : NO_DIGEST_PDU_OPTIONS;
    if (!options.headerDigest && !options.dataDigest && options.dataAlignment === 0) {
      if (pdu.type === PduType.CapsuleResp) {
        const staged = sender.stage(CAPSULE_RESP_HEADER_LENGTH);
        if (staged !== null) {
          encodePlainCapsuleRespAt(staged.bytes, staged.offset, pdu.cqe);
          return;
        }
      } else if (pdu.type === PduType.C2HData && pdu.data.length > 0) {
        const staged = sender.stage(DATA_HEADER_LENGTH);
        if (staged !== null) {
          encodePlainC2HDataHeaderAt(staged.bytes, staged.offset, pdu.last, pdu.success, pdu.cccid, pdu.datao, pdu.data.length);
          sender.writeChunk(pdu.data);
          return;
        }
      }
    }
    sender.write(encodePdu(pdu, options));
  }

  /** The header bytes of a decoded PDU, for a TermReq's error data (reserved fields read as zero). */
  headerOf(pdu: Pdu): Uint8Array {
    try {
      return encodePdu(pdu, pdu.type === PduType.ICReq ? NO_DIGEST_PDU_OPTIONS : this.#options)[0] ?? new Uint8Array(0);
    } catch {
      return new Uint8Array(0);
    }
  }
}
