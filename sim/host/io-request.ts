// One NVMe I/O command on its way through the host: the block layer's request (struct request +
// struct nvme_request in Linux). It survives a controller reset: error recovery takes it back from
// the dead queue and resubmits it on a new one (blk_mq_requeue_request), counting retries.
import type { QueueCommand } from './queue.js';

/** core.c nvme_max_retries: a command is retried at most this many times, then failed. */
export const MAX_RETRIES = 5;

/** Where I/O goes: the controller (or anything routing to host queues). */
export interface IoSubmitter {
  /** Largest data transfer of one command (min of the transport's 1 MiB and MDTS). */
  readonly maxTransferBytes: number;
  /** Timeout applied to each I/O command. */
  readonly ioTimeoutNs: number;
  /** Sends a request, now or once the controller is live again; fails it if the controller is gone. */
  submitIo(request: IoRequest): void;
}

export class IoRequest implements QueueCommand {
  readonly sqe: Uint8Array;
  readonly dataOut: Uint8Array | null;
  readonly dataIn: Uint8Array | null;
  readonly timeoutNs: number;
  /** I/O queue index to use (modulo the queue count), or -1 to let the controller spread requests. */
  readonly queueHint: number;
  readonly #done: ((status: number) => void) | null;
  /** Resubmissions after controller resets so far. */
  retries = 0;

  constructor(
    sqe: Uint8Array,
    dataOut: Uint8Array | null,
    dataIn: Uint8Array | null,
    timeoutNs: number,
    queueHint: number,
    done: ((status: number) => void) | null,
  ) {
    this.sqe = sqe;
    this.dataOut = dataOut;
    this.dataIn = dataIn;
    this.timeoutNs = timeoutNs;
    this.queueHint = queueHint;
    this.#done = done;
  }

  /**
   * Completion with the NVMe status (0 on success): calls the function given to the constructor.
   * A method, so that a subclass can complete without a closure per request (block-device.ts).
   */
  done(status: number): void {
    this.#done?.(status);
  }

  /**
   * REQ_NVME_MPATH: a request sent by a namespace head (path-request.ts). The controller does not
   * hold it while it reconnects but fails it with a path status, so that the head sends it on
   * another path. A prototype getter, so plain requests carry no extra field.
   */
  get multipath(): boolean {
    return false;
  }

  /** QueueCommand completion; a prototype method, so no closure per request. */
  callback(status: number): void {
    this.done(status);
  }
}
