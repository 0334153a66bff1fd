// A host queue's command slots (tags) and what binding a command to one writes into its SQE: the
// per-request state of struct nvme_tcp_request in Linux drivers/nvme/host/tcp.c, preallocated per
// tag so the hot path allocates nothing for it, the CID that nvme_cid() builds from a tag and a
// generation counter, and the SGL descriptor of nvme_tcp_set_sg_*.
import { SqeOffset } from '../nvme/index.js';
import type { QueueCommand } from './queue-types.js';

/** The upper 4 bits of a CID count tag reuse, as Linux nvme_cid() does, to catch stale completions. */
export const CID_GENERATION_SHIFT = 12;
export const CID_TAG_MASK = (1 << CID_GENERATION_SHIFT) - 1;
export const CID_GENERATION_MASK = 0xf;
/** Largest queue depth the CID layout allows. */
export const MAX_QUEUE_DEPTH = 1 << CID_GENERATION_SHIFT;

/** Per-tag command state. */
export class Slot {
  readonly tag: number;
  generation = 0;
  cid = 0;
  command: QueueCommand | null = null;
  /** Write sent by R2T/H2CData (not in the capsule). */
  transportWrite = false;
  /** Bytes of the write handed to H2CData PDUs (host/tcp.c req->data_sent). */
  dataSent = 0;
  /** Bytes of the read placed from C2HData. */
  received = 0;
  /** A status found before the completion (data digest error), which then wins over the CQE's. */
  pendingStatus = 0;
  deadlineNs = Infinity;
  /** The capsule or H2CData PDUs are queued for the CPU but not yet written (an R2T now is a bug). */
  sending = false;

  constructor(tag: number) {
    this.tag = tag;
  }

  /** Binds a command to the slot under a new CID (the generation advances on every use). */
  bind(command: QueueCommand): number {
    this.generation = (this.generation + 1) & CID_GENERATION_MASK;
    this.cid = (this.generation << CID_GENERATION_SHIFT) | this.tag;
    this.command = command;
    this.dataSent = 0;
    this.received = 0;
    this.pendingStatus = 0;
    this.sending = true;
    return this.cid;
  }

  /** True while `command` still holds the slot under `cid` (not completed, failed or reused since). */
  holds(command: QueueCommand, cid: number): boolean {
    return this.cid === cid && this.command === command;
  }
}

/** Bytes a command moves: its write data, else its read buffer, else none. */
export function transferLength(command: QueueCommand): number {
  if (command.dataOut !== null) return command.dataOut.length;
  if (command.dataIn !== null) return command.dataIn.length;
  return 0;
}

/** SGL1: address 0 (ICDOFF or transport), length, reserved, identifier (host/tcp.c nvme_tcp_set_sg_*). */
export function writeSgl(sqe: Uint8Array, type: number, length: number): void {
  sqe.fill(0, SqeOffset.SGL_ADDRESS, SqeOffset.SGL_TYPE);
  sqe[SqeOffset.SGL_LENGTH] = length & 0xff;
  sqe[SqeOffset.SGL_LENGTH + 1] = (length >>> 8) & 0xff;
  sqe[SqeOffset.SGL_LENGTH + 2] = (length >>> 16) & 0xff;
  sqe[SqeOffset.SGL_LENGTH + 3] = (length >>> 24) & 0xff;
  sqe[SqeOffset.SGL_TYPE] = type;
}
