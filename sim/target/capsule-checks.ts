// The transport checks on a command capsule before its command may run (drivers/nvme/target/core.c
// nvmet_req_init, drivers/nvme/target/tcp.c nvmet_tcp_map_data): no fused commands, SGLs only, and a
// data descriptor that matches what the capsule carries. Each check returns the completion the
// command fails with, or undefined.
import { FABRICS_OPCODE, SGL_IN_CAPSULE, SGL_TRANSPORT, SqeFlag, Status, STATUS_DNR } from '../nvme/index.js';
import type { Sqe } from '../nvme/index.js';
import { ErrorLocation } from './command.js';
import type { Completion } from './command.js';

/** nvmet_req_init: the SQE flags a Fabrics command may carry. */
export function checkCommandFlags(sqe: Sqe): Completion | undefined {
  // "no support for fused commands yet".
  if ((sqe.flags & SqeFlag.FUSE_MASK) !== 0) return { status: Status.INVALID_FIELD | STATUS_DNR, errorLocation: ErrorLocation.FLAGS };
  // Over Fabrics PSDT must say "SGL, MPTR an address" (NVME_CMD_SGL_METABUF).
  if ((sqe.flags & SqeFlag.SGL_MASK) !== SqeFlag.SGL_METABUF) {
    return { status: Status.INVALID_FIELD | STATUS_DNR, errorLocation: ErrorLocation.FLAGS };
  }
  return undefined;
}

/**
 * nvmet_tcp_map_data: in-capsule data only for writes and within the inline size; `carried` is the
 * capsule's data length.
 */
export function checkSgl(sqe: Sqe, carried: number, dataDigestOk: boolean, inCapsuleLimit: number): Completion | undefined {
  const length = sqe.sglLength;
  if (length === 0) {
    return carried === 0 ? undefined : { status: Status.SGL_INVALID_DATA | STATUS_DNR, errorLocation: ErrorLocation.DPTR };
  }
  if (sqe.sglType === SGL_IN_CAPSULE) {
    if (!isWriteCommand(sqe)) return { status: Status.INVALID_FIELD | STATUS_DNR };
    if (length > inCapsuleLimit) return { status: Status.SGL_INVALID_OFFSET | STATUS_DNR };
    // The capsule must carry exactly the bytes the descriptor names (Linux would misframe otherwise).
    if (carried !== length || sqe.sglAddress !== 0n) {
      return { status: Status.SGL_INVALID_DATA | STATUS_DNR, errorLocation: ErrorLocation.DPTR };
    }
    // NVMe/TCP: a data digest error fails the command, not the connection.
    if (!dataDigestOk) return { status: Status.TRANSIENT_TR_ERR };
    return undefined;
  }
  if (sqe.sglType === SGL_TRANSPORT) {
    return carried === 0 ? undefined : { status: Status.SGL_INVALID_DATA | STATUS_DNR, errorLocation: ErrorLocation.DPTR };
  }
  return { status: Status.SGL_INVALID_TYPE | STATUS_DNR, errorLocation: ErrorLocation.SGL_TYPE };
}

/** nvme_is_write: the opcode's (or fctype's) low bit says data flows host to controller. */
export function isWriteCommand(sqe: Sqe): boolean {
  const code = sqe.opcode === FABRICS_OPCODE ? sqe.nsid & 0xff : sqe.opcode;
  return (code & 1) === 1;
}
