// Command data on a target queue (drivers/nvme/target/tcp.c): host-to-controller data asked for with
// one R2T and received in H2CData PDUs, controller-to-host data sent as C2HData PDUs. Data moves as
// views: a write whose data arrived in one PDU hands that PDU's view to the backend; only data spread
// over several H2CData PDUs is copied, into one buffer of the command's own length (bounded by MDTS).
//
// Deliberate differences from Linux nvmet: H2CData checks follow FreeBSD nvmf_tcp_handle_h2c_data
// (bad TTAG or CCCID: invalid header field; past the command's data: data out of range; out of order
// or a wrong LAST flag: PDU sequence error), and a data digest mismatch fails just that command once
// its data is in (see queue.ts), where Linux treats it as fatal.
import { Fes, PduType } from '../nvme/index.js';
import type { FesCode, H2CDataPdu, Pdu, R2TPdu } from '../nvme/index.js';
import type { TargetCommand } from './command.js';
import { FEI_RESERVED } from './pdu-framing.js';

/** Byte offsets of H2CData header fields, used as FEI (nvme_tcp_data_pdu). */
const H2C_FEI = { CCCID: 8, TTAG: 10, DATAL: 16 } as const;

/** A fatal transport error found in an H2CData PDU. */
export interface TransferError {
  readonly fes: FesCode;
  readonly fei: number;
  readonly message: string;
}

/** One R2T for everything (nvmet_setup_r2t_pdu): from what arrived in-capsule to the end, TTAG = slot. */
export function r2tFor(command: TargetCommand): R2TPdu {
  return { type: PduType.R2T, cccid: command.sqe.cid, ttag: command.ttag, r2to: command.received, r2tl: command.length - command.received };
}

/** nvmet_tcp_handle_h2c_data_pdu's checks, FreeBSD's FES for each; undefined when the PDU is acceptable. */
export function checkH2CData(command: TargetCommand | undefined, pdu: H2CDataPdu, maxH2CData: number): TransferError | undefined {
  if (command === undefined || command.state !== 'awaiting-data') {
    return { fes: Fes.INVALID_HEADER_FIELD, fei: H2C_FEI.TTAG, message: `H2CData for unknown ttag ${pdu.ttag}` };
  }
  if (pdu.cccid !== command.sqe.cid) {
    return { fes: Fes.INVALID_HEADER_FIELD, fei: H2C_FEI.CCCID, message: `H2CData cccid ${pdu.cccid} != ${command.sqe.cid}` };
  }
  const length = pdu.data.length;
  // A zero-length H2CData is invalid.
  if (length === 0) return { fes: Fes.INVALID_HEADER_FIELD, fei: H2C_FEI.DATAL, message: 'H2CData with no data' };
  if (length > maxH2CData) return { fes: Fes.DATA_LIMIT_EXCEEDED, fei: FEI_RESERVED, message: `H2CData of ${length} bytes > MAXH2CDATA` };
  if (pdu.datao + length > command.length) {
    return { fes: Fes.DATA_OUT_OF_RANGE, fei: FEI_RESERVED, message: `H2CData ${pdu.datao}+${length} past ${command.length}` };
  }
  if (pdu.datao !== command.received) {
    return { fes: Fes.PDU_SEQUENCE_ERROR, fei: FEI_RESERVED, message: `H2CData offset ${pdu.datao}, expected ${command.received}` };
  }
  const done = command.received + length === command.length;
  if (pdu.last !== done) {
    return { fes: Fes.PDU_SEQUENCE_ERROR, fei: FEI_RESERVED, message: `H2CData LAST flag ${pdu.last} at ${pdu.datao}+${length}` };
  }
  return undefined;
}

/** Places an accepted H2CData's payload; true once all of the command's data is in. */
export function placeH2CData(command: TargetCommand, pdu: H2CDataPdu, dataDigestOk: boolean): boolean {
  const done = command.received + pdu.data.length === command.length;
  if (!dataDigestOk) command.digestError = true;
  if (!command.digestError) {
    if (done && command.received === 0) {
      // All the data in one PDU: the backend gets this view, no copy.
      command.data = pdu.data;
    } else {
      command.buffer ??= new Uint8Array(command.length);
      command.buffer.set(pdu.data, pdu.datao);
    }
  }
  command.received += pdu.data.length;
  if (done && !command.digestError) command.data ??= command.buffer;
  return done;
}

/**
 * C2HData PDUs of at most `maxPdu` bytes, LAST on the final one and SUCCESS with it when `success`
 * (nvmet_setup_c2h_data_pdu), each handed to `queue` in order.
 */
export function queueC2HData(cid: number, data: Uint8Array, success: boolean, maxPdu: number, queue: (pdu: Pdu) => void): void {
  const step = Math.max(1, Math.min(maxPdu, data.length));
  for (let offset = 0; offset < data.length; offset += step) {
    const end = Math.min(data.length, offset + step);
    const last = end === data.length;
    // One PDU for all the data (every 4 KiB read) takes the data itself, not a view of it.
    const chunk = offset === 0 && last ? data : data.subarray(offset, end);
    queue({ type: PduType.C2HData, cccid: cid, datao: offset, data: chunk, last, success: success && last });
  }
}

/** Controller-to-host data of exactly the SGL length (pads with zeroes or trims). */
export function fitData(data: Uint8Array, length: number): Uint8Array {
  if (data.length === length) return data;
  if (data.length > length) return data.subarray(0, length);
  const out = new Uint8Array(length);
  out.set(data);
  return out;
}
