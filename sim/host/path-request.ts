// One dispatch of a namespace head's request on one path: the request Linux builds for a bio that
// nvme_ns_head_submit_bio sent to a path's queue with REQ_NVME_MPATH. It shares the head request's
// command and buffers; when it fails with a path error the head sends the same command again on
// another path (nvme_failover_req steals the bios back), so each dispatch completes once and the
// head request completes once.
import { IoRequest } from './io-request.js';

/** What the head learns when a dispatch completes. */
export interface DispatchOwner<P> {
  dispatchDone(request: PathRequest<P>, status: number): void;
}

export class PathRequest<P> extends IoRequest {
  /** The head's request (what the block device submitted). */
  readonly parent: IoRequest;
  readonly path: P;
  readonly startNs: number;
  readonly #owner: DispatchOwner<P>;
  #completed = false;

  constructor(owner: DispatchOwner<P>, parent: IoRequest, path: P, timeoutNs: number, startNs: number) {
    super(parent.sqe, parent.dataOut, parent.dataIn, timeoutNs, parent.queueHint, null);
    this.#owner = owner;
    this.parent = parent;
    this.path = path;
    this.startNs = startNs;
  }

  override get multipath(): boolean {
    return true;
  }

  override done(status: number): void {
    // A dispatch completes once: a second completion would complete the head's request twice.
    if (this.#completed) throw new Error('a multipath dispatch completed twice');
    this.#completed = true;
    this.#owner.dispatchDone(this, status);
  }
}
