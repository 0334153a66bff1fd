// What a target queue's CPU passes cost and how big they get (drivers/nvme/target/tcp.c
// nvmet_tcp_io_work, modelled by sim/transport io-work.ts): a receive pass is the PDUs decoded from
// one chunk, at most NVMET_TCP_IO_WORK_BUDGET of them, costing their receive work plus one command
// execution for each command they let run (nvmet_tcp_done_recv_pdu calls req->execute inline); a send
// item carries at most NVMET_TCP_SEND_BUDGET commands' responses. Linux's alternation of 8 receives
// and 8 sends inside one io_work run is not modelled.
import type { WorkTally } from '../core/index.js';
import { CAPSULE_CMD_HEADER_LENGTH, DATA_HEADER_LENGTH, FABRICS_OPCODE, PduType, SqeOffset } from '../nvme/index.js';
import type { Pdu, PduOptions } from '../nvme/index.js';

/**
 * nvmet-tcp NVMET_TCP_IO_WORK_BUDGET: operations one nvmet_tcp_io_work run performs before it
 * requeues itself behind other work on its CPU. Here: PDUs per receive pass.
 */
export const IO_WORK_BUDGET = 64;
/** nvmet-tcp NVMET_TCP_SEND_BUDGET: commands nvmet_tcp_try_send sends per pass. Here: responses per send item. */
export const SEND_BUDGET = 8;

/**
 * What receiving a PDU costs: one PDU, its payload copy and the digests over it, plus executing the
 * command it lets run: a CapsuleCmd unless it is a write whose data comes by R2T, and the H2CData
 * that carries a command's last data (nvmet_tcp_done_recv_pdu, nvmet_tcp_try_recv_data). Decided
 * from the PDU alone, so a command refused before it runs (or failed by a data digest error) is
 * still charged an execution; those are rare error paths.
 */
export function addReceiveCost(work: WorkTally, pdu: Pdu, options: PduOptions): void {
  let data = 0;
  let header = 0;
  let commands = 0;
  if (pdu.type === PduType.CapsuleCmd) {
    data = pdu.data.length;
    header = CAPSULE_CMD_HEADER_LENGTH;
    if (data > 0 || !awaitsTransportData(pdu.sqe)) commands = 1;
  } else if (pdu.type === PduType.H2CData) {
    data = pdu.data.length;
    header = DATA_HEADER_LENGTH;
    if (pdu.last) commands = 1;
  }
  const crcBytes = (options.headerDigest ? header : 0) + (options.dataDigest ? data : 0);
  work.add(1, data, crcBytes, commands);
}

/** What sending a PDU costs: one PDU, its payload copy (C2HData) and its digests. */
export function addSendCost(work: WorkTally, pdu: Pdu, options: PduOptions): void {
  const data = pdu.type === PduType.C2HData ? pdu.data.length : 0;
  const crcBytes = (options.headerDigest ? DATA_HEADER_LENGTH : 0) + (options.dataDigest ? data : 0);
  work.add(1, data, crcBytes, 0);
}

/**
 * A CapsuleCmd whose data the target must ask for with R2T: a write (nvme_is_write) whose SGL
 * describes data and whose capsule carries none. Read from the raw SQE at decode time.
 */
function awaitsTransportData(sqe: Uint8Array): boolean {
  const opcode = sqe[SqeOffset.OPCODE] ?? 0;
  const code = opcode === FABRICS_OPCODE ? (sqe[SqeOffset.FCTYPE] ?? 0) : opcode;
  if ((code & 1) === 0) return false;
  const o = SqeOffset.SGL_LENGTH;
  return ((sqe[o] ?? 0) | (sqe[o + 1] ?? 0) | (sqe[o + 2] ?? 0) | (sqe[o + 3] ?? 0)) !== 0;
}
