// One command slot of a queue and what the command handlers return. A TCP queue owns 2 x SQ-size
// slots (Linux nvmet_tcp_install_queue: nr_cmds = sq->size * 2) and a slot's index is the transfer
// tag of its R2T, so an H2CData PDU finds its command in O(1). Handlers parse a command into a plan
// (how many bytes it moves, what to run) or a completion (an error found while parsing); executing
// a plan ends in exactly one complete() call, which may come later (a backend callback).
import type { Sqe } from '../nvme/index.js';
import { decodeSqe } from '../nvme/index.js';
import type { LiveNamespace } from './model.js';

export interface Completion {
  /** 15-bit status (SCT << 8 | SC, plus DNR); 0 on success. */
  readonly status: number;
  readonly dw0?: number;
  readonly dw1?: number;
  /** Controller-to-host data of a successful command (sent as C2HData). */
  readonly data?: Uint8Array;
  /**
   * Byte offset of the offending SQE field (Linux req->error_loc). An error with a location is
   * recorded in the Error Information log and its completion gets the More bit (nvmet_set_error).
   */
  readonly errorLocation?: number;
  /** LBA recorded with the error (Linux req->error_slba). */
  readonly errorLba?: number;
}

/** What a parsed command needs from the transport before it can run. */
export interface CommandPlan {
  /** Bytes the command moves according to its own fields (Linux nvmet_check_transfer_len). */
  readonly length: number;
  /** Runs the command; ends with command.complete() (now or later). */
  readonly execute: (command: TargetCommand) => void;
  /** Namespace the command addresses (I/O commands). */
  readonly ns?: LiveNamespace;
}

export type Parsed = CommandPlan | Completion;

export function isPlan(parsed: Parsed): parsed is CommandPlan {
  return 'execute' in parsed;
}

/** Error locations (byte offsets in the SQE), as Linux sets req->error_loc. */
export const ErrorLocation = {
  OPCODE: 0,
  FLAGS: 1,
  NSID: 4,
  /** Data pointer (SGL descriptor). */
  DPTR: 24,
  SGL_TYPE: 39,
  CDW10: 40,
  CDW11: 44,
  CDW12: 48,
  /** Get Log Page LPO. */
  LPO: 48,
} as const;

export type CommandState = 'free' | 'awaiting-data' | 'executing' | 'done';

/** Where a command's completion goes: its queue. */
export interface CommandSink {
  complete(command: TargetCommand, completion: Completion): void;
}

const EMPTY_SQE: Sqe = decodeSqe(new Uint8Array(64));

export class TargetCommand {
  readonly sink: CommandSink;
  /** Index in the queue's slot table. */
  readonly slot: number;
  /** Transfer tag sent in R2T (the slot index; 0xffff before the queue is connected, like Linux). */
  readonly ttag: number;
  state: CommandState = 'free';
  sqe: Sqe = EMPTY_SQE;
  plan: CommandPlan | undefined;
  /** SGL length: the bytes this command moves. */
  length = 0;
  /** Host-to-controller data once all of it arrived (a view of the capsule or H2CData, or `buffer`). */
  data: Uint8Array | undefined;
  /** Assembly buffer when the data came in more than one H2CData PDU (allocated once, `length` bytes). */
  buffer: Uint8Array | undefined;
  /** Host-to-controller bytes received so far. */
  received = 0;
  /** A data digest mismatched: the command completes with Transient Transport Error once its data is in. */
  digestError = false;

  constructor(sink: CommandSink, slot: number, ttag: number) {
    this.sink = sink;
    this.slot = slot;
    this.ttag = ttag;
  }

  /** Takes the slot for a new command. */
  start(sqe: Sqe): void {
    this.state = 'executing';
    this.sqe = sqe;
    this.plan = undefined;
    this.length = 0;
    this.data = undefined;
    this.buffer = undefined;
    this.received = 0;
    this.digestError = false;
  }

  complete(completion: Completion): void {
    this.sink.complete(this, completion);
  }

  succeed(dw0 = 0, dw1 = 0): void {
    this.complete({ status: 0, dw0, dw1 });
  }

  fail(status: number, errorLocation?: number, errorLba?: number): void {
    this.complete({
      status,
      ...(errorLocation === undefined ? {} : { errorLocation }),
      ...(errorLba === undefined ? {} : { errorLba }),
    });
  }

  returnData(data: Uint8Array, dw0 = 0): void {
    this.complete({ status: 0, dw0, data });
  }
}
