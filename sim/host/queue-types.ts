// The contract of a host queue (queue.ts) with its owner: the commands it carries, the events it
// reports, its configuration and its counters. Events name the queue by its qid, so this contract
// does not depend on the queue class.

/** Completion of a queued command: the 15-bit NVMe status and CQE dwords 0 and 1. */
export type CommandCallback = (status: number, dw0: number, dw1: number) => void;

/**
 * A command to send. The queue writes the command identifier and the SGL descriptor into `sqe`
 * (host/tcp.c nvme_tcp_setup_cmd_pdu), so one object can be resubmitted after a reconnect.
 */
export interface QueueCommand {
  /** The 64-byte SQE; the queue owns bytes 1-3 (flags, CID) and the SGL (24-39) while queued. */
  readonly sqe: Uint8Array;
  /** Host-to-controller data (a write), or null. */
  readonly dataOut: Uint8Array | null;
  /** Buffer the controller's data is placed in (a read), or null. Its length is the transfer length. */
  readonly dataIn: Uint8Array | null;
  /** Timeout in nanoseconds; 0 for none (Asynchronous Event Requests never time out). */
  readonly timeoutNs: number;
  readonly callback: CommandCallback;
}

export interface QueueEvents {
  /** The connection is dead (protocol error, C2HTermReq, close). Called at most once, after open. */
  fatal(qid: number, reason: string): void;
  /** A command outlived its timeout; reported once per command. The owner decides what to do. */
  timeout(qid: number, opcode: number, cid: number): void;
}

export interface HostQueueConfig {
  /** 0 for the admin queue, 1..n for I/O queues. */
  readonly qid: number;
  /** Commands in flight at most (the tag count); more wait in submission order. */
  readonly depth: number;
  /** Core the queue's CPU work is charged to. */
  readonly core: number;
  readonly headerDigest: boolean;
  readonly dataDigest: boolean;
  /** Largest write sent in the capsule (admin: 8 KiB; I/O: IOCCSZ*16 - 64). */
  readonly inCapsuleBytes: number;
  /** Largest data transfer of one command; bounds the PDUs accepted. */
  readonly maxTransferBytes: number;
  /** TCP connect plus ICResp wait. */
  readonly connectTimeoutNs: number;
  /** Log prefix, e.g. "nvme-host nqn...: ". */
  readonly logPrefix: string;
}

export interface QueueStats {
  /** Commands handed to the connection. */
  submitted: number;
  /** Commands completed by the controller (any status). */
  completed: number;
  /** Completions with a non-zero status. */
  errors: number;
  /** Commands holding a tag now. */
  inFlight: number;
}
