// A namespace head: one namespace of a subsystem reached through several controllers, the twin of
// Linux's struct nvme_ns_head and its multipath block device (drivers/nvme/host/multipath.c). It
// is a BlockDevice like a single controller's namespace, so workloads run on it unchanged; each
// command goes down the path the I/O policy picks (iopolicy.ts), and:
// - nvme_ns_head_submit_bio: with no usable path, I/O waits (queue_if_no_path) while some path
//   could come back (nvme_available_path), else fails with HOST_PATH_ERROR ("no available path").
// - nvme_decide_disposition / nvme_failover_req: a command that completes with a path-related
//   status (SCT 3, nvme_is_path_error, DNR clear) - including HOST_ABORTED_CMD for a command caught
//   in its controller's teardown and HOST_PATH_ERROR from a controller that is not live - is sent
//   again on another path; an ANA status also marks the path pending and re-reads the ANA log.
//   Every other status completes the command. A command completes once, and none is dropped.
// - nvme_requeue_work: waiting and failed-over commands are sent again when a path changes
//   (controller state, ANA log, fast_io_fail_tmo expiry), from a zero-delay timer as kblockd would.
import type { NodeEnv, Timer } from '../core/index.js';
import { STATUS_DNR, Status, statusBase } from '../nvme/index.js';
import type { BlockDevice, ByteRange, IoCallback, IoOp } from './block-device.js';
import { NamespaceBlockDevice } from './block-device.js';
import type { NamespaceInfo } from './controller.js';
import type { IoRequest, IoSubmitter } from './io-request.js';
import { selectPath } from './iopolicy.js';
import type { IoPolicy } from './iopolicy.js';
import type { NamespacePath, PathReport } from './namespace-path.js';
import { checkSameNamespace } from './namespace-ids.js';
import { PathRequest } from './path-request.js';
import type { DispatchOwner } from './path-request.js';
import type { HeadStats } from './path-stats.js';

/** How a dispatch on a path ended: completed (success or an error for the application) or failed over. */
export type DispatchOutcome = 'completed' | 'error' | 'failover';

/**
 * Called for every dispatch that ends on a path: the path's name ("traddr:trsvcid"), its index in
 * paths(), the outcome, the NVMe status and the time on the path in ns. For failover timings.
 */
export type DispatchListener = (path: string, index: number, outcome: DispatchOutcome, status: number, latencyNs: number) => void;

/**
 * Called when the head finds no usable path: 'queued' when I/O starts waiting for one (once per
 * wait), 'failed' for each I/O it fails because no path could come back. For failover timings.
 */
export type NoPathListener = (outcome: 'queued' | 'failed') => void;

/** A namespace head as the rest of nvmf-sim sees it. */
export interface MultipathNamespace extends BlockDevice {
  /** Identifiers and geometry, from the first path. */
  readonly info: NamespaceInfo;
  /** Every path, in the order the subsystem's controllers were listed. */
  paths(): PathReport[];
  readonly stats: HeadStats;
  /** Calls back as each dispatch on a path ends; returns an unsubscribe function. */
  onDispatch(listener: DispatchListener): () => void;
  /** Calls back when I/O finds no usable path (waits, or fails); returns an unsubscribe function. */
  onNoPath(listener: NoPathListener): () => void;
}

/** nvme_is_ana_error. */
function isAnaError(status: number): boolean {
  const base = statusBase(status);
  return base === Status.ANA_TRANSITION || base === Status.ANA_INACCESSIBLE || base === Status.ANA_PERSISTENT_LOSS;
}

/** Status Code Type bits, and SCT 3h "Path Related Status" (Base 2.0 section 4.2.3). */
const SCT_MASK = 0x700;
const SCT_PATH = 0x300;

/** nvme_decide_disposition: FAILOVER for a path error (nvme_is_path_error: SCT 3h) without DNR. */
function isFailover(status: number): boolean {
  return (status & STATUS_DNR) === 0 && (status & SCT_MASK) === SCT_PATH;
}

export class NamespaceHead implements MultipathNamespace, IoSubmitter, DispatchOwner<NamespacePath> {
  readonly info: NamespaceInfo;
  readonly nsid: number;
  readonly blockSize: number;
  readonly sizeBytes: number;
  readonly ioTimeoutNs: number;
  maxTransferBytes: number;
  /** The subsystem's I/O policy (sysfs iopolicy); may change at any time. */
  iopolicy: IoPolicy;
  readonly #env: NodeEnv;
  readonly #name: string;
  readonly #paths: NamespacePath[] = [];
  /** head->current_path (one NUMA node). */
  #current: NamespacePath | null = null;
  /** head->requeue_list. */
  #requeue: IoRequest[] = [];
  #requeueTimer: Timer | null = null;
  #queuedNoPath = 0;
  #failedNoPath = 0;
  /** So that "no usable path" is logged once per wait, as dev_warn_ratelimited would. */
  #warnedNoPath = false;
  readonly #device: NamespaceBlockDevice;
  readonly #listeners: DispatchListener[] = [];
  readonly #noPathListeners: NoPathListener[] = [];

  constructor(env: NodeEnv, first: NamespacePath, iopolicy: IoPolicy) {
    this.#env = env;
    this.info = first.info;
    this.nsid = first.info.nsid;
    this.blockSize = first.info.blockSize;
    this.sizeBytes = first.info.sizeBytes;
    this.ioTimeoutNs = first.controller.ioTimeoutNs;
    this.maxTransferBytes = first.controller.maxTransferBytes;
    this.iopolicy = iopolicy;
    this.#name = `nvme-head[${first.controller.options.nqn} n${this.nsid}]`;
    this.#paths.push(first);
    this.#device = new NamespaceBlockDevice(this, this.nsid, this.blockSize, this.sizeBytes);
  }

  /** nvme_init_ns_head for a further controller: same identifiers and geometry, or MultipathError. */
  addPath(path: NamespacePath): void {
    checkSameNamespace(this.info, path.info, path.name);
    this.#paths.push(path);
    // The stacked limit: no command may be larger than the smallest path allows.
    this.maxTransferBytes = Math.min(this.maxTransferBytes, path.controller.maxTransferBytes);
  }

  get pathList(): readonly NamespacePath[] {
    return this.#paths;
  }

  paths(): PathReport[] {
    return this.#paths.map((path) => path.report());
  }

  onDispatch(listener: DispatchListener): () => void {
    this.#listeners.push(listener);
    return () => {
      const at = this.#listeners.indexOf(listener);
      if (at >= 0) this.#listeners.splice(at, 1);
    };
  }

  onNoPath(listener: NoPathListener): () => void {
    this.#noPathListeners.push(listener);
    return () => {
      const at = this.#noPathListeners.indexOf(listener);
      if (at >= 0) this.#noPathListeners.splice(at, 1);
    };
  }

  #notifyNoPath(outcome: 'queued' | 'failed'): void {
    for (const listener of [...this.#noPathListeners]) listener(outcome);
  }

  #notify(path: NamespacePath, outcome: DispatchOutcome, status: number, latencyNs: number): void {
    const index = this.#paths.indexOf(path);
    for (const listener of [...this.#listeners]) listener(path.name, index, outcome, status, latencyNs);
  }

  get stats(): HeadStats {
    return { waiting: this.#requeue.length, queuedNoPath: this.#queuedNoPath, failedNoPath: this.#failedNoPath };
  }

  // ---- BlockDevice: the head's block device over this submitter ----

  read(offsetBytes: number, length: number): Promise<Uint8Array> {
    return this.#device.read(offsetBytes, length);
  }

  write(offsetBytes: number, data: Uint8Array): Promise<void> {
    return this.#device.write(offsetBytes, data);
  }

  flush(): Promise<void> {
    return this.#device.flush();
  }

  writeZeroes(offsetBytes: number, length: number): Promise<void> {
    return this.#device.writeZeroes(offsetBytes, length);
  }

  deallocate(ranges: readonly ByteRange[]): Promise<void> {
    return this.#device.deallocate(ranges);
  }

  submit(op: IoOp, callback: IoCallback): void {
    this.#device.submit(op, callback);
  }

  // ---- Path choice and failover ----

  /** nvme_ns_head_submit_bio. */
  submitIo(request: IoRequest): void {
    const path = selectPath(this.iopolicy, this.#paths, this.#current);
    if (path !== null) {
      if (this.iopolicy !== 'queue-depth') this.#current = path;
      this.#warnedNoPath = false;
      path.send(new PathRequest(this, request, path, path.controller.ioTimeoutNs, this.#env.clock.nowNs()));
      return;
    }
    if (this.#paths.some((candidate) => candidate.available)) {
      const first = !this.#warnedNoPath;
      if (first) this.#env.log.warn(`${this.#name} no usable path - requeuing I/O`);
      this.#warnedNoPath = true;
      this.#queuedNoPath++;
      this.#requeue.push(request);
      if (first && this.#noPathListeners.length > 0) this.#notifyNoPath('queued');
      return;
    }
    this.#env.log.warn(`${this.#name} no available path - failing I/O`);
    this.#failedNoPath++;
    if (this.#noPathListeners.length > 0) this.#notifyNoPath('failed');
    request.done(Status.HOST_PATH_ERROR);
  }

  dispatchDone(request: PathRequest<NamespacePath>, status: number): void {
    const path = request.path;
    path.settle();
    const now = this.#env.clock.nowNs();
    const latencyNs = now - request.startNs;
    if (status === 0) {
      path.stats.completed++;
      path.stats.latency.record(latencyNs);
      path.stats.lastCompletionNs = now;
      if (this.#listeners.length > 0) this.#notify(path, 'completed', status, latencyNs);
      request.parent.done(0);
      return;
    }
    if (!isFailover(status)) {
      path.stats.errors++;
      if (this.#listeners.length > 0) this.#notify(path, 'error', status, latencyNs);
      request.parent.done(status);
      return;
    }
    // nvme_failover_req.
    path.stats.failovers++;
    if (this.#listeners.length > 0) this.#notify(path, 'failover', status, latencyNs);
    if (this.#current === path) this.#current = null;
    if (isAnaError(status)) path.controller.ana?.anaError(path.nsid);
    this.#requeue.push(request.parent);
    this.kick();
  }

  /** kblockd_schedule_work(&head->requeue_work): resend waiting commands once the caller returns. */
  kick(): void {
    if (this.#requeueTimer !== null || this.#requeue.length === 0) return;
    this.#requeueTimer = this.#env.clock.setTimer(0, () => {
      this.#requeueTimer = null;
      const waiting = this.#requeue;
      this.#requeue = [];
      for (const request of waiting) this.submitIo(request);
    });
  }
}
