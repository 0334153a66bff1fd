// One NVMe I/O command on its way through the host: the block layer's request (struct request +
// struct nvme_request in Linux). It survives a controller reset: error recovery takes it back from
// the dead queue and resubmits it on a new one (blk_mq_requeue_request), counting retries.
import { STATUS_DNR } from '../nvme/index.js';
import type { QueueCommand } from './queue.js';

/** core.c nvme_max_retries: a command is retried at most this many times, then failed. */
export const MAX_RETRIES = 5;

/** Status Code Type 3h, Path Related Status (NVMe Base 2.0 section 4.2.3): nvme_is_path_error. */
const SCT_MASK = 0x700;
const SCT_PATH = 0x300;

/**
 * core.c nvme_decide_disposition: a command the controller completed with an error is RETRY
 * (requeued, nvme_retry_req) unless the status has Do Not Retry, the request used its
 * nvme_max_retries, or it is a head's request (REQ_NVME_MPATH) with a path error, which fails over
 * instead (FAILOVER). So a Transient Transport Error, as a data digest error gives, is sent again.
 */
function shouldRetry(request: IoRequest, status: number): boolean {
  if ((status & STATUS_DNR) !== 0 || request.retries >= MAX_RETRIES) return false;
  return !(request.multipath && (status & SCT_MASK) === SCT_PATH);
}

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
  /** Resubmissions so far, after controller resets and after retryable error statuses (nvme_req(req)->retries). */
  retries = 0;
  /** The controller whose queue last took the request: where a retryable error status sends it again. */
  retryVia: IoSubmitter | null = null;

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

  /** QueueCommand completion (the controller's CQE status); a prototype method, so no closure per request. */
  callback(status: number): void {
    const via = this.retryVia;
    if (status !== 0 && via !== null && shouldRetry(this, status)) {
      this.retries++;
      via.submitIo(this);
      return;
    }
    this.done(status);
  }
}
