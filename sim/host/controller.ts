// The host's view of one NVMe-oF controller: the userspace twin of struct nvme_ctrl with the TCP
// transport's error handling (Linux drivers/nvme/host/core.c, fabrics.c, tcp.c). It owns the
// controller state machine, keep-alive, asynchronous events, I/O routing to the I/O queues, and
// error recovery:
//
//   new -> connecting -> live -> resetting -> connecting -> live ...
//                                          \-> deleting -> deleted   (ctrl-loss-tmo, DNR, disconnect)
//
// Error recovery (tcp.c nvme_tcp_error_recovery_work, nvme_tcp_reconnect_or_remove; fabrics.c
// nvmf_should_reconnect) starts on an I/O or admin timeout while live, a transport or protocol
// error on any queue, a C2HTermReq, or a keep-alive timeout. It stops keep-alive and tears down all
// queues. Semantics of commands caught in it:
// - I/O in flight or waiting for a tag is requeued and resubmitted after the reconnect (Linux
//   requeues through blk-mq), at most MAX_RETRIES times, after which it fails with HOST_ABORTED_CMD.
// - I/O submitted while the controller is resetting or connecting waits for the reconnect.
// - When the controller is removed (ctrl-loss-tmo expired, a DNR Connect status, or disconnect()),
//   all waiting I/O fails with HOST_PATH_ERROR, and so does I/O submitted afterwards.
// - Admin commands caught in a teardown fail with HOST_ABORTED_CMD; admin commands issued while the
//   controller is not live fail at once with HOST_PATH_ERROR.
// Reconnect attempts run every reconnect-delay seconds; after ceil(ctrl_loss_tmo / reconnect_delay)
// failed attempts (never with -1) the controller is removed. With fast_io_fail_tmo, I/O waiting for
// the reconnect fails with HOST_PATH_ERROR that many seconds after reconnecting began (core.c
// nvme_failfast_work), and so does I/O submitted afterwards until the controller is live again.
//
// A controller of a multipath host (connectMultipath, Linux nvme_core.multipath=Y) also reads the
// ANA log (ana-state.ts), and never holds a namespace head's requests (REQ_NVME_MPATH): while it is
// not live it fails them with HOST_PATH_ERROR (core.c nvme_fail_nonready_command), and a teardown
// fails those in flight with HOST_ABORTED_CMD (nvme_cancel_request), so the head sends them on
// another path (multipath.c nvme_failover_req).
import type { NodeEnv, Timer } from '../core/index.js';
import { AsyncEventNotice, AsyncEventType, IdentifyCns, LogPageId } from '../nvme/index.js';
import { decodeAsyncEvent } from '../nvme/index.js';
import type { AsyncEvent } from '../nvme/index.js';
import { Ctratt, decodeIdentifyNamespace, decodeNsDescriptorList, decodeNsList, Nidt, namespaceBlockSize, uuidFromBytes } from '../nvme/index.js';
import type { IdentifyController } from '../nvme/index.js';
import { CHANGED_NS_LOG_BYTES, SMART_LOG_BYTES, decodeSmartLog } from '../nvme/index.js';
import type { SmartLog } from '../nvme/index.js';
import { NVME_VS_1_3 } from '../nvme/index.js';
import { buildAsyncEventRequest, buildKeepAlive } from '../nvme/index.js';
import { NvmeStatusError, STATUS_DNR, Status, formatStatus } from '../nvme/index.js';
import type { AdminCompletion, AdminRequest, LogPageOptions } from './admin.js';
import { emptyProgress, setupAssociation, shutdownController } from './association.js';
import type { Association, SetupProgress } from './association.js';
import { NamespaceBlockDevice } from './block-device.js';
import type { BlockDevice } from './block-device.js';
import { ControllerAna } from './ana-state.js';
import { IoRequest, MAX_RETRIES } from './io-request.js';
import type { IoSubmitter } from './io-request.js';
import { resolveConnectOptions } from './options.js';
import type { ConnectOptions, ResolvedConnectOptions } from './options.js';
import type { QueueCommand, QueueEvents, QueueStats } from './queue.js';
import { TransportError } from './transport-error.js';

export type ControllerState = 'new' | 'connecting' | 'live' | 'resetting' | 'deleting' | 'deleted';

export interface NamespaceInfo {
  readonly nsid: number;
  readonly sizeBytes: number;
  readonly blockSize: number;
  /** From the Namespace Identification Descriptor list (NVMe 1.3+), if the controller reports one. */
  readonly uuid: string | undefined;
  /** 32 hex digits, or undefined when all zero. */
  readonly nguid: string | undefined;
  /** 16 hex digits, or undefined when all zero. */
  readonly eui64: string | undefined;
  /** Bytes in use: NUSE times the block size. */
  readonly usage: number;
}

export interface ControllerStats {
  readonly admin: QueueStats | undefined;
  /** One entry per I/O queue of the current association. */
  readonly io: readonly QueueStats[];
  /** Successful reconnects since the controller was created. */
  readonly reconnects: number;
  /** I/O requests waiting for the controller to become live. */
  readonly pendingIo: number;
}

export interface HostController {
  /** Log prefix and display name, e.g. "nvme-host[nqn@127.0.0.1:4420]". */
  readonly name: string;
  readonly options: ResolvedConnectOptions;
  /** Controller ID of the current (or last) association. */
  readonly cntlid: number;
  readonly identify: IdentifyController;
  readonly state: ControllerState;
  /** I/O queues of the current association (0 while not live). */
  readonly ioQueueCount: number;
  readonly maxTransferBytes: number;
  readonly stats: ControllerStats;
  /** Calls back on every state change; returns an unsubscribe function. */
  onStateChange(callback: (state: ControllerState, previous: ControllerState) => void): () => void;
  /** Calls back on every Asynchronous Event Request completion. */
  onAsyncEvent(callback: (event: AsyncEvent) => void): () => void;
  /** Calls back with the new active namespace list after a Namespace Attribute Changed notice. */
  onNamespacesChanged(callback: (nsids: readonly number[]) => void): () => void;
  /** Active namespace list plus Identify Namespace for each. */
  listNamespaces(): Promise<NamespaceInfo[]>;
  namespace(nsid: number): Promise<BlockDevice>;
  smartLog(nsid?: number): Promise<SmartLog>;
  /** Get Log Page, split into MDTS-sized reads (like `nvme get-log`). `length` is a multiple of 4. */
  getLogPage(lid: number, length: number, options?: LogPageOptions): Promise<Uint8Array>;
  /** A raw admin command (passthrough, like `nvme admin-passthru`). */
  adminCommand(request: AdminRequest): Promise<AdminCompletion>;
  /** Shuts the controller down (CC.SHN) and closes every queue. */
  disconnect(): Promise<void>;
}

/** NVME_NSID_ALL: controller-wide log pages. */
const NSID_ALL = 0xffffffff;
/** Identify active namespace list entries per page. */
const NS_LIST_PAGE_ENTRIES = 1024;
/** How often disconnect() checks whether in-flight I/O has drained. */
const DRAIN_POLL_NS = 1_000_000;

/** One set of queues being set up or in use, with the events its queues report to. */
interface Attempt {
  readonly progress: SetupProgress;
  association: Association | null;
}

class Listeners<A extends unknown[]> {
  readonly #callbacks = new Set<(...args: A) => void>();
  add(callback: (...args: A) => void): () => void {
    this.#callbacks.add(callback);
    return () => this.#callbacks.delete(callback);
  }
  emit(...args: A): void {
    for (const callback of [...this.#callbacks]) callback(...args);
  }
}

export class TcpHostController implements HostController, IoSubmitter {
  readonly name: string;
  readonly options: ResolvedConnectOptions;
  readonly ioTimeoutNs: number;
  readonly #env: NodeEnv;
  readonly #prefix: string;
  #state: ControllerState = 'new';
  #attempt: Attempt | null = null;
  #live: Association | null = null;
  #lastAssociation: Association | null = null;
  #pending: IoRequest[] = [];
  #nrReconnects = 0;
  #reconnects = 0;
  #reconnectTimer: Timer | null = null;
  #keepAliveTimer: Timer | null = null;
  #keepAliveCompletions = 0;
  #roundRobin = 0;
  #disconnecting: Promise<void> | null = null;
  #failfastTimer: Timer | null = null;
  #failfastExpired = false;
  /** ANA of this controller; null unless it belongs to a multipath host. */
  readonly ana: ControllerAna | null;
  readonly #failfastListeners = new Listeners<[]>();
  readonly #stateListeners = new Listeners<[ControllerState, ControllerState]>();
  readonly #eventListeners = new Listeners<[AsyncEvent]>();
  readonly #namespaceListeners = new Listeners<[readonly number[]]>();

  /** `multipath`: a path of a multipath host (reads ANA, fails head requests over). */
  constructor(env: NodeEnv, options: ResolvedConnectOptions, multipath = false) {
    this.#env = env;
    this.options = options;
    this.ioTimeoutNs = options.ioTimeoutS * 1e9;
    this.name = `nvme-host[${options.nqn}@${options.traddr}:${options.trsvcid}]`;
    this.#prefix = `${this.name} `;
    this.ana = multipath
      ? new ControllerAna(env, this.#prefix, {
          liveAdmin: () => (this.#state === 'live' ? (this.#live?.admin ?? null) : null),
          reset: (reason) => this.#errorRecovery(reason),
        })
      : null;
  }

  /** NVME_CTRL_FAILFAST_EXPIRED: fast_io_fail_tmo ran out while reconnecting. */
  get failfastExpired(): boolean {
    return this.#failfastExpired;
  }

  /** Calls back when fast_io_fail_tmo expires; returns an unsubscribe function. */
  onFailfastExpired(callback: () => void): () => void {
    return this.#failfastListeners.add(callback);
  }

  get state(): ControllerState {
    return this.#state;
  }

  get cntlid(): number {
    return this.#association().cntlid;
  }

  get identify(): IdentifyController {
    return this.#association().identify;
  }

  get ioQueueCount(): number {
    return this.#live?.io.length ?? 0;
  }

  get maxTransferBytes(): number {
    return this.#association().maxTransferBytes;
  }

  get stats(): ControllerStats {
    const association = this.#live ?? this.#lastAssociation;
    return {
      admin: association?.admin.queue.stats,
      io: association?.io.map((queue) => queue.stats) ?? [],
      reconnects: this.#reconnects,
      pendingIo: this.#pending.length,
    };
  }

  onStateChange(callback: (state: ControllerState, previous: ControllerState) => void): () => void {
    return this.#stateListeners.add(callback);
  }

  onAsyncEvent(callback: (event: AsyncEvent) => void): () => void {
    return this.#eventListeners.add(callback);
  }

  onNamespacesChanged(callback: (nsids: readonly number[]) => void): () => void {
    return this.#namespaceListeners.add(callback);
  }

  #association(): Association {
    const association = this.#live ?? this.#lastAssociation;
    if (association === null) throw new Error(`${this.name}: not connected yet`);
    return association;
  }

  #setState(state: ControllerState): void {
    const previous = this.#state;
    if (previous === state) return;
    this.#state = state;
    this.#env.log.debug(`${this.#prefix}state ${previous} -> ${state}`);
    this.#stateListeners.emit(state, previous);
  }

  // ---- Initial connect ----

  /** host/tcp.c nvme_tcp_create_ctrl: NEW -> CONNECTING -> LIVE, or deleted with the error. */
  async connect(): Promise<void> {
    this.#setState('connecting');
    try {
      const association = await this.#runAttempt();
      if (association === null) throw new TransportError('closed', `${this.name}: connect aborted`);
      this.#checkAlive(association, this.#attempt);
      this.#goLive(association);
      this.#env.log.info(`${this.#prefix}new ctrl: NQN "${this.options.nqn}", addr ${this.options.traddr}:${this.options.trsvcid}`);
    } catch (error) {
      this.#setState('deleting');
      this.#setState('deleted');
      throw error;
    }
  }

  /** Builds an association; resolves null when it was aborted (disconnect while connecting). */
  async #runAttempt(): Promise<Association | null> {
    const attempt: Attempt = { progress: emptyProgress(), association: null };
    this.#attempt = attempt;
    const events: QueueEvents = {
      fatal: (_qid, reason) => this.#onQueueFailure(attempt, reason),
      timeout: (qid, opcode, cid) => this.#onQueueTimeout(attempt, qid, opcode, cid),
    };
    try {
      const association = await setupAssociation(this.#env, this.options, events, attempt.progress, this.#prefix, this.ana !== null);
      if (this.#attempt !== attempt) {
        this.#closeQueues(attempt, false);
        return null;
      }
      this.#checkAlive(association, attempt);
      attempt.association = association;
      return association;
    } catch (error) {
      this.#closeQueues(attempt, false);
      throw error;
    } finally {
      if (this.#attempt === attempt && attempt.association === null) this.#attempt = null;
    }
  }

  /** A queue may die between the last setup step and going live (the setup already returned). */
  #checkAlive(association: Association, attempt: Attempt | null): void {
    const alive = association.admin.queue.live && association.io.every((queue) => queue.live);
    if (attempt === null || attempt.progress.aborted || !alive) {
      if (attempt !== null) this.#closeQueues(attempt, false);
      if (this.#attempt === attempt) this.#attempt = null;
      throw new TransportError('closed', 'a queue failed during controller setup');
    }
  }

  #goLive(association: Association): void {
    this.#live = association;
    this.#lastAssociation = association;
    // core.c nvme_stop_failfast_work on CONNECTING -> LIVE.
    this.#stopFailfast();
    this.ana?.start(association.ana);
    this.#setState('live');
    this.#startKeepAlive(association);
    if (association.aenEnabled !== 0) this.#submitAsyncEvent(association);
    // Requeued and newly arrived I/O goes out on the new queues, in arrival order.
    const pending = this.#pending;
    this.#pending = [];
    for (const request of pending) this.submitIo(request);
  }

  // ---- Failure detection ----

  #onQueueFailure(attempt: Attempt, reason: string): void {
    if (this.#attempt !== attempt) return;
    if (attempt.association !== null && this.#live === attempt.association) {
      this.#errorRecovery(reason);
      return;
    }
    // During setup the attempt fails; its pending admin command completes with an abort status.
    this.#closeQueues(attempt, false);
  }

  /** host/tcp.c nvme_tcp_timeout: recovery when live, else stop the queue and fail the command. */
  #onQueueTimeout(attempt: Attempt, qid: number, opcode: number, cid: number): void {
    if (this.#attempt !== attempt) return;
    this.#env.log.warn(`${this.#prefix}queue ${qid}: timeout cid 0x${cid.toString(16)} opcode 0x${opcode.toString(16)}`);
    this.#onQueueFailure(attempt, `queue ${qid}: command timeout`);
  }

  /** host/tcp.c nvme_tcp_error_recovery + nvme_tcp_error_recovery_work. */
  #errorRecovery(reason: string): void {
    if (this.#state !== 'live') return;
    this.#setState('resetting');
    this.#env.log.warn(`${this.#prefix}starting error recovery: ${reason}`);
    this.#stopKeepAlive();
    this.ana?.stop();
    const attempt = this.#attempt;
    this.#live = null;
    if (attempt !== null) this.#closeQueues(attempt, false);
    this.#attempt = null;
    this.#setState('connecting');
    this.#startFailfast();
    this.#reconnectOrRemove(-1);
  }

  /** core.c nvme_start_failfast_work on RESETTING -> CONNECTING, unless fast_io_fail_tmo is -1. */
  #startFailfast(): void {
    const tmoS = this.options.fastIoFailTmoS;
    if (tmoS < 0 || this.#state !== 'connecting') return;
    this.#failfastTimer = this.#env.clock.setTimer(tmoS * 1e9, () => {
      this.#failfastTimer = null;
      if (this.#state !== 'connecting') return;
      this.#failfastExpired = true;
      this.#env.log.info(`${this.#prefix}failfast expired`);
      this.#failPending();
      this.#failfastListeners.emit();
    });
  }

  #stopFailfast(): void {
    if (this.#failfastTimer !== null) this.#env.clock.clearTimer(this.#failfastTimer);
    this.#failfastTimer = null;
    this.#failfastExpired = false;
  }

  /**
   * Closes every queue of an attempt. I/O is requeued (or failed after MAX_RETRIES); admin commands
   * fail with HOST_ABORTED_CMD, which ends their promises, the keep-alive and the AER.
   */
  #closeQueues(attempt: Attempt, graceful: boolean): void {
    attempt.progress.aborted = true;
    const queues = [...attempt.progress.io];
    const admin = attempt.progress.admin;
    if (admin !== null) queues.push(admin);
    const requeue: IoRequest[] = [];
    const aborted: QueueCommand[] = [];
    for (const queue of queues) {
      for (const command of queue.close(graceful)) {
        if (command instanceof IoRequest) requeue.push(command);
        else aborted.push(command);
      }
    }
    for (const command of aborted) command.callback(Status.HOST_ABORTED_CMD, 0, 0);
    for (const request of requeue) {
      // nvme_cancel_request: a head's request goes back to its head (a path error) at once.
      if (request.multipath) {
        request.done(Status.HOST_ABORTED_CMD);
        continue;
      }
      request.retries++;
      if (request.retries > MAX_RETRIES) request.done(Status.HOST_ABORTED_CMD);
      else this.#pending.push(request);
    }
  }

  // ---- Reconnect ----

  /** fabrics.c nvmf_should_reconnect: not after a DNR status, and only max_reconnects times. */
  #shouldReconnect(status: number): boolean {
    if (status > 0 && (status & STATUS_DNR) !== 0) return false;
    const max = this.options.maxReconnects;
    return max === -1 || this.#nrReconnects < max;
  }

  /** host/tcp.c nvme_tcp_reconnect_or_remove. `status` is an NVMe status, or -1 for other errors. */
  #reconnectOrRemove(status: number): void {
    if (this.#state !== 'connecting') return;
    if (this.#shouldReconnect(status)) {
      const delayS = this.options.reconnectDelayS;
      this.#env.log.info(`${this.#prefix}Reconnecting in ${delayS} seconds...`);
      this.#reconnectTimer = this.#env.clock.setTimer(delayS * 1e9, () => {
        this.#reconnectTimer = null;
        void this.#reconnect();
      });
      return;
    }
    this.#env.log.info(`${this.#prefix}Removing controller (${status})...`);
    this.#remove();
  }

  /** host/tcp.c nvme_tcp_reconnect_ctrl_work. */
  async #reconnect(): Promise<void> {
    if (this.#state !== 'connecting') return;
    this.#nrReconnects++;
    try {
      const association = await this.#runAttempt();
      if (association === null) return;
      if (this.#state !== 'connecting') {
        if (this.#attempt !== null) this.#closeQueues(this.#attempt, false);
        this.#attempt = null;
        return;
      }
      this.#checkAlive(association, this.#attempt);
      this.#env.log.info(`${this.#prefix}Successfully reconnected (attempt ${this.#nrReconnects}/${this.#maxText()})`);
      this.#nrReconnects = 0;
      this.#reconnects++;
      this.#goLive(association);
    } catch (error) {
      if (this.#state !== 'connecting') return;
      const message = error instanceof Error ? error.message : String(error);
      this.#env.log.info(`${this.#prefix}Failed reconnect attempt ${this.#nrReconnects}/${this.#maxText()}: ${message}`);
      this.#reconnectOrRemove(error instanceof NvmeStatusError ? error.status : -1);
    }
  }

  #maxText(): string {
    return this.options.maxReconnects === -1 ? 'forever' : String(this.options.maxReconnects);
  }

  /** The controller is gone for good: fail every waiting request with HOST_PATH_ERROR. */
  #remove(): void {
    this.#setState('deleting');
    this.#cancelTimers();
    const attempt = this.#attempt;
    this.#attempt = null;
    this.#live = null;
    if (attempt !== null) this.#closeQueues(attempt, false);
    this.#failPending();
    this.#setState('deleted');
  }

  #failPending(): void {
    const pending = this.#pending;
    this.#pending = [];
    for (const request of pending) request.done(Status.HOST_PATH_ERROR);
  }

  #cancelTimers(): void {
    if (this.#reconnectTimer !== null) this.#env.clock.clearTimer(this.#reconnectTimer);
    this.#reconnectTimer = null;
    this.#stopKeepAlive();
    this.#stopFailfast();
    this.ana?.stop();
  }

  // ---- Keep-alive (core.c nvme_keep_alive_work / nvme_keep_alive_end_io) ----

  #startKeepAlive(association: Association): void {
    if (this.options.keepAliveTmoS === 0) return;
    this.#keepAliveCompletions = this.#completionCount(association);
    this.#scheduleKeepAlive(association, this.#keepAlivePeriodNs(association));
  }

  /** kato/2, or kato/4 when the controller does traffic-based keep-alive (CTRATT.TBKAS). */
  #keepAlivePeriodNs(association: Association): number {
    const divisor = (association.identify.ctratt & Ctratt.TBKAS) !== 0 ? 4 : 2;
    return (this.options.keepAliveTmoS * 1e9) / divisor;
  }

  #scheduleKeepAlive(association: Association, delayNs: number): void {
    this.#keepAliveTimer = this.#env.clock.setTimer(Math.max(0, delayNs), () => {
      this.#keepAliveTimer = null;
      this.#keepAlive(association);
    });
  }

  #stopKeepAlive(): void {
    if (this.#keepAliveTimer !== null) this.#env.clock.clearTimer(this.#keepAliveTimer);
    this.#keepAliveTimer = null;
  }

  #completionCount(association: Association): number {
    let count = association.admin.queue.stats.completed;
    for (const queue of association.io) count += queue.stats.completed;
    return count;
  }

  #keepAlive(association: Association): void {
    if (this.#live !== association || this.#state !== 'live') return;
    const period = this.#keepAlivePeriodNs(association);
    if ((association.identify.ctratt & Ctratt.TBKAS) !== 0) {
      // Traffic-based keep-alive: any completion since the last check counts as one.
      const completions = this.#completionCount(association);
      const seen = completions !== this.#keepAliveCompletions;
      this.#keepAliveCompletions = completions;
      if (seen) {
        this.#scheduleKeepAlive(association, period);
        return;
      }
    }
    const sentAt = this.#env.clock.nowNs();
    const command: QueueCommand = {
      sqe: buildKeepAlive({ cid: 0 }),
      dataOut: null,
      dataIn: null,
      // core.c: the keep-alive request times out after kato seconds (then error recovery).
      timeoutNs: this.options.keepAliveTmoS * 1e9,
      callback: (status) => {
        if (this.#live !== association || this.#state !== 'live') return;
        if (status !== 0) {
          this.#env.log.error(`${this.#prefix}failed nvme_keep_alive_end_io error=${status}`);
          return;
        }
        this.#keepAliveCompletions = this.#completionCount(association);
        // The next keep-alive goes out one period after this one was sent (RTT subtracted).
        this.#scheduleKeepAlive(association, period - (this.#env.clock.nowNs() - sentAt));
      },
    };
    association.admin.queue.submit(command);
  }

  // ---- Asynchronous events (core.c nvme_async_event_work / nvme_complete_async_event) ----

  #submitAsyncEvent(association: Association): void {
    association.admin.queue.submit({
      sqe: buildAsyncEventRequest({ cid: 0 }),
      dataOut: null,
      dataIn: null,
      timeoutNs: 0,
      callback: (status, dw0) => this.#onAsyncEvent(association, status, dw0),
    });
  }

  #onAsyncEvent(association: Association, status: number, dw0: number): void {
    // Aborted or refused (e.g. ASYNC_LIMIT): do not resubmit, as Linux does not.
    if (status !== 0 || this.#live !== association || this.#state !== 'live') return;
    const event = decodeAsyncEvent(dw0);
    this.#env.log.info(`${this.#prefix}async event type ${event.type} info 0x${event.info.toString(16)} log 0x${event.lid.toString(16)}`);
    this.#submitAsyncEvent(association);
    this.#eventListeners.emit(event);
    if (event.type === AsyncEventType.NOTICE && event.info === AsyncEventNotice.NS_CHANGED) {
      void this.#rescanNamespaces(association);
    }
    // core.c nvme_handle_aen_notice: NVME_AER_NOTICE_ANA queues ana_work.
    if (event.type === AsyncEventType.NOTICE && event.info === AsyncEventNotice.ANA_CHANGE) this.ana?.reread();
  }

  /** core.c nvme_scan_work: clear the Changed Namespace List log, then re-read the active list. */
  async #rescanNamespaces(association: Association): Promise<void> {
    try {
      await association.admin.getLogPage(LogPageId.CHANGED_NS, CHANGED_NS_LOG_BYTES, { nsid: NSID_ALL, rae: false });
      const nsids = await this.#activeNamespaces();
      this.#namespaceListeners.emit(nsids);
    } catch (error) {
      this.#env.log.warn(`${this.#prefix}namespace rescan failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  // ---- I/O routing ----

  submitIo(request: IoRequest): void {
    const association = this.#live;
    if (association !== null && this.#state === 'live') {
      const queues = association.io;
      if (queues.length === 0) {
        request.done(Status.HOST_PATH_ERROR);
        return;
      }
      const index = request.queueHint >= 0 ? request.queueHint % queues.length : this.#roundRobin++ % queues.length;
      const queue = queues[index];
      request.retryVia = this;
      if (queue !== undefined) queue.submit(request);
      return;
    }
    // core.c nvme_fail_nonready_command: a head's request, or any once failfast expired, fails now.
    if (this.#state === 'deleting' || this.#state === 'deleted' || request.multipath || this.#failfastExpired) {
      request.done(Status.HOST_PATH_ERROR);
      return;
    }
    this.#pending.push(request);
  }

  // ---- Admin commands ----

  #admin(): Association {
    const association = this.#live;
    if (association === null || this.#state !== 'live') throw new NvmeStatusError(Status.HOST_PATH_ERROR, `${this.name}: controller is ${this.#state}`);
    return association;
  }

  async adminCommand(request: AdminRequest): Promise<AdminCompletion> {
    return this.#admin().admin.run(request);
  }

  async #activeNamespaces(): Promise<number[]> {
    const admin = this.#admin().admin;
    const nsids: number[] = [];
    for (let after = 0; ; ) {
      const page = decodeNsList(await admin.identify(IdentifyCns.ACTIVE_NS_LIST, after));
      nsids.push(...page);
      const last = page[page.length - 1];
      if (page.length < NS_LIST_PAGE_ENTRIES || last === undefined) return nsids;
      after = last;
    }
  }

  async #namespaceInfo(nsid: number): Promise<NamespaceInfo> {
    const association = this.#admin();
    const id = decodeIdentifyNamespace(await association.admin.identify(IdentifyCns.NAMESPACE, nsid));
    // An inactive NSID returns an all-zero structure (Base 2.0 section 5.17.2.1).
    if (id.nsze === 0) throw new NvmeStatusError(Status.INVALID_NS | STATUS_DNR, `${this.name}: namespace ${nsid} is not active`);
    const blockSize = namespaceBlockSize(id);
    let uuid: string | undefined;
    // core.c nvme_identify_ns_descs: only for NVMe 1.3 and later controllers.
    if (association.vs >= NVME_VS_1_3) {
      try {
        const descriptors = decodeNsDescriptorList(await association.admin.identify(IdentifyCns.NS_DESC_LIST, nsid));
        const found = descriptors.find((descriptor) => descriptor.nidt === Nidt.UUID);
        if (found !== undefined) uuid = uuidFromBytes(found.nid);
      } catch (error) {
        if (!(error instanceof NvmeStatusError)) throw error;
        this.#env.log.debug(`${this.#prefix}identify ns descs for ${nsid}: ${formatStatus(error.status)}`);
      }
    }
    return {
      nsid,
      sizeBytes: id.nsze * blockSize,
      blockSize,
      uuid,
      nguid: /^0*$/.test(id.nguid) ? undefined : id.nguid,
      eui64: /^0*$/.test(id.eui64) ? undefined : id.eui64,
      usage: id.nuse * blockSize,
    };
  }

  async listNamespaces(): Promise<NamespaceInfo[]> {
    const infos: NamespaceInfo[] = [];
    for (const nsid of await this.#activeNamespaces()) infos.push(await this.#namespaceInfo(nsid));
    return infos;
  }

  async namespace(nsid: number): Promise<BlockDevice> {
    const info = await this.#namespaceInfo(nsid);
    return new NamespaceBlockDevice(this, nsid, info.blockSize, info.sizeBytes);
  }

  async getLogPage(lid: number, length: number, options: LogPageOptions = {}): Promise<Uint8Array> {
    return this.#admin().admin.getLogPage(lid, length, options);
  }

  async smartLog(nsid = NSID_ALL): Promise<SmartLog> {
    return decodeSmartLog(await this.#admin().admin.getLogPage(LogPageId.SMART, SMART_LOG_BYTES, { nsid }));
  }

  // ---- Disconnect (core.c nvme_delete_ctrl -> nvme_tcp_teardown_ctrl(shutdown = true)) ----

  disconnect(): Promise<void> {
    if (this.#disconnecting === null) this.#disconnecting = this.#disconnect();
    return this.#disconnecting;
  }

  async #disconnect(): Promise<void> {
    if (this.#state === 'deleted') return;
    const wasLive = this.#state === 'live';
    const association = this.#live;
    this.#setState('deleting');
    this.#cancelTimers();
    const attempt = this.#attempt;
    if (wasLive && association !== null && attempt !== null) {
      // Like del_gendisk, wait for in-flight I/O before tearing the queues down (bounded).
      await this.#drainIo(association);
      for (const queue of association.io) this.#failCommands(queue.close(true));
      await shutdownController(this.#env, association.admin, association.identify.rtd3e, this.#prefix);
      this.#failCommands(association.admin.queue.close(true));
    }
    this.#attempt = null;
    this.#live = null;
    if (attempt !== null) this.#closeQueues(attempt, false);
    this.#failPending();
    this.#setState('deleted');
  }

  #failCommands(commands: readonly QueueCommand[]): void {
    for (const command of commands) {
      if (command instanceof IoRequest) command.done(Status.HOST_PATH_ERROR);
      else command.callback(Status.HOST_ABORTED_CMD, 0, 0);
    }
  }

  async #drainIo(association: Association): Promise<void> {
    const deadline = this.#env.clock.nowNs() + this.ioTimeoutNs;
    const outstanding = (): number => association.io.reduce((sum, queue) => sum + queue.outstanding, 0);
    while (outstanding() > 0 && association.io.every((queue) => queue.live) && this.#env.clock.nowNs() < deadline) {
      await new Promise<void>((resolve) => this.#env.clock.setTimer(DRAIN_POLL_NS, resolve));
    }
  }
}

/**
 * Connects to an NVMe-oF controller over TCP like `nvme connect -t tcp`: admin queue, Connect,
 * enable, Identify, I/O queues, keep-alive and asynchronous events. Rejects with ConnectOptionsError,
 * TransportError or NvmeStatusError; the initial connect is not retried (as with the Linux host).
 */
export async function connectController(env: NodeEnv, options: ConnectOptions): Promise<HostController> {
  const resolved = resolveConnectOptions(options, env.rng.stream('host/hostid'));
  const controller = new TcpHostController(env, resolved);
  await controller.connect();
  return controller;
}
