// A dynamic controller: created by an admin-queue Connect, joined by I/O-queue Connects, gone when its
// admin queue goes, its keep-alive expires or a fatal error hits any of its queues. It holds what Linux
// struct nvmet_ctrl holds: CC/CSTS, KATO, the queues, outstanding Asynchronous Event Requests and
// pending events, the changed-namespace list and the error log (drivers/nvme/target/core.c).
import type { Logger, NodeEnv } from '../core/index.js';
import { AsyncEventNotice, AsyncEventType, LogPageId } from '../nvme/index.js';
import { encodeCap, defaultCap } from '../nvme/index.js';
import { Status, STATUS_DNR } from '../nvme/index.js';
import { encodeAsyncEvent } from '../nvme/index.js';
import type { TargetCommand } from './command.js';
import { ErrorLog } from './error-log.js';
import { KeepAliveTimer } from './keep-alive.js';
import type { LiveSubsystem } from './model.js';
import type { ResolvedTargetOptions } from './target-options.js';
import type { TargetStats } from './target-stats.js';

/**
 * What a controller needs of the target: the seams, the options and counters, and the registry that
 * frees its ID. The target's TargetContext is one; naming only these keeps the controller below the
 * registry that holds it.
 */
export interface ControllerEnv {
  readonly env: NodeEnv;
  readonly log: Logger;
  readonly options: ResolvedTargetOptions;
  readonly stats: TargetStats;
  readonly controllers: { remove(controller: Controller): void };
}

/** A queue as the controller sees it. */
export interface ControllerQueue {
  readonly qid: number;
  /** Closes the connection (controller teardown); the queue then detaches itself. */
  shutdown(reason: string): void;
}

/** CSTS bits (nvme.h NVME_CSTS_*). */
export const CstsBit = { RDY: 1 << 0, CFS: 1 << 1, SHST_COMPLETE: 2 << 2, SHST_MASK: 3 << 2 } as const;

/** Asynchronous event configuration bits (nvme.h NVME_AEN_BIT_*): which notices may be sent. */
export const AenBit = { NS_ATTR: 8, ANA_CHANGE: 11, DISC_CHANGE: 31 } as const;
/** NVMET_AEN_CFG_OPTIONAL: enabled on a new controller (NS attribute and ANA change notices). */
export const AEN_CFG_DEFAULT = 2 ** AenBit.NS_ATTR + 2 ** AenBit.ANA_CHANGE;
/** NVMET_AEN_CFG_ALL: SMART critical warnings 4:0 plus the optional notices. */
export const AEN_CFG_ALL = 0x1f + AEN_CFG_DEFAULT;
/** NVMET_DISC_AEN_CFG_OPTIONAL: a discovery controller may only send discovery-log-change notices. */
export const AEN_CFG_DISCOVERY = 2 ** AenBit.DISC_CHANGE;

/** NVMET_ASYNC_EVENTS: outstanding AERs per controller (Identify AERL is this minus one). */
export const MAX_OUTSTANDING_AERS = 4;
/** NVME_MAX_CHANGED_NAMESPACES: more changes than this are reported as one 0xffffffff entry. */
export const MAX_CHANGED_NAMESPACES = 1024;
/** NVMET_DISC_KATO_MS: a discovery controller connected with KATO 0 still times out after 120 s. */
export const DISCOVERY_DEFAULT_KATO_MS = 120_000;

export interface ControllerInit {
  readonly cntlid: number;
  readonly subsystem: LiveSubsystem;
  readonly hostnqn: string;
  readonly hostid: string;
  readonly portid: number;
  /** Connect CDW12, milliseconds. */
  readonly katoMs: number;
}

export class Controller {
  readonly cntlid: number;
  readonly subsystem: LiveSubsystem;
  readonly hostnqn: string;
  readonly hostid: string;
  readonly portid: number;
  /** CAP (nvmet_init_cap): NVM command set, TO 15, MQES from the queue size. */
  readonly cap: bigint;
  cc = 0;
  csts = 0;
  /** I/O queues granted by Set Features Number of Queues; undefined until the host asks. */
  ioQueuesGranted: number | undefined;
  aenEnabled = AEN_CFG_DEFAULT;
  readonly queues = new Map<number, ControllerQueue>();
  readonly errors = new ErrorLog();
  readonly keepAlive: KeepAliveTimer;
  readonly #ctx: ControllerEnv;
  readonly #log: Logger;
  readonly #aers: TargetCommand[] = [];
  readonly #events: number[] = [];
  #aenMasked = 0;
  #changedNs: number[] = [];
  #changedNsOverflow = false;
  #destroyed = false;

  constructor(ctx: ControllerEnv, init: ControllerInit) {
    this.#ctx = ctx;
    this.#log = ctx.log;
    this.cntlid = init.cntlid;
    this.subsystem = init.subsystem;
    this.hostnqn = init.hostnqn;
    this.hostid = init.hostid;
    this.portid = init.portid;
    this.cap = encodeCap(defaultCap({ maxQueueEntries: ctx.options.maxQueueSize }));
    this.keepAlive = new KeepAliveTimer(ctx.env.clock, () => this.#keepAliveExpired());
    let katoMs = init.katoMs;
    // "Discovery controllers may use some arbitrary high value in order to cleanup stale
    // discovery sessions" (nvmet_alloc_ctrl).
    if (this.isDiscovery && katoMs === 0) katoMs = DISCOVERY_DEFAULT_KATO_MS;
    // Keep-alive timeout in whole seconds: ctrl->kato = DIV_ROUND_UP(kato, 1000).
    this.keepAlive.start(Math.ceil(katoMs / 1000));
  }

  get isDiscovery(): boolean {
    return this.subsystem.kind === 'discovery';
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  /** Any command received on any of its queues (traffic-based keep-alive). */
  traffic(): void {
    this.keepAlive.traffic();
  }

  // ---- Controller configuration (nvmet_update_cc / nvmet_start_ctrl / nvmet_clear_ctrl) ----

  updateCc(value: number): void {
    const old = this.cc;
    this.cc = value >>> 0;
    const enabledNow = (value & 1) !== 0;
    const enabledBefore = (old & 1) !== 0;
    if (enabledNow && !enabledBefore) this.#start();
    if (!enabledNow && enabledBefore) this.#clear();
    const shn = (value >>> 14) & 3;
    const shnBefore = (old >>> 14) & 3;
    if (shn !== 0 && shnBefore === 0) {
      this.#clear();
      this.csts |= CstsBit.SHST_COMPLETE;
    }
    if (shn === 0 && shnBefore !== 0) this.csts &= ~CstsBit.SHST_COMPLETE;
  }

  get enabled(): boolean {
    return (this.cc & 1) !== 0 && (this.csts & CstsBit.RDY) !== 0;
  }

  #start(): void {
    const iosqes = (this.cc >>> 16) & 0xf;
    const iocqes = (this.cc >>> 20) & 0xf;
    const mps = (this.cc >>> 7) & 0xf;
    const ams = (this.cc >>> 11) & 0x7;
    const css = (this.cc >>> 4) & 0x7;
    // "Only I/O controllers should verify iosqes,iocqes" (nvmet_start_ctrl); 64/16-byte entries.
    const badEntrySizes = !this.isDiscovery && (iosqes !== 6 || iocqes !== 4);
    // CSS 000b (NVM) or 110b (all I/O command sets) is accepted (nvmet_css_supported).
    if (badEntrySizes || mps !== 0 || ams !== 0 || (css !== 0 && css !== 6)) {
      this.csts = CstsBit.CFS;
      return;
    }
    this.csts = CstsBit.RDY;
    // "simply reset the keep alive timer when the controller is enabled."
    this.keepAlive.restart();
  }

  #clear(): void {
    this.csts &= ~CstsBit.RDY;
    this.cc = 0;
  }

  // ---- Asynchronous events (nvmet_execute_async_event, nvmet_add_async_event) ----

  /** An Asynchronous Event Request: held until an event is pending. */
  submitAer(command: TargetCommand): void {
    if (this.#aers.length >= MAX_OUTSTANDING_AERS) {
      command.fail(Status.ASYNC_LIMIT | STATUS_DNR);
      return;
    }
    this.#aers.push(command);
    this.#processEvents();
  }

  /** Outstanding AERs (for tests and introspection). */
  get outstandingAers(): number {
    return this.#aers.length;
  }

  #addEvent(type: number, info: number, lid: number): void {
    this.#events.push(encodeAsyncEvent({ type, info, lid }));
    this.#processEvents();
  }

  #processEvents(): void {
    while (this.#aers.length > 0 && this.#events.length > 0) {
      // Linux takes the most recent AER (async_event_cmds[--nr_async_event_cmds]) for the oldest event.
      const command = this.#aers.pop();
      const event = this.#events.shift();
      if (command === undefined || event === undefined) break;
      this.#ctx.stats.asyncEventsCompleted++;
      command.succeed(event);
    }
  }

  /**
   * True when notices of this kind are disabled or one is already outstanding: Linux sends one notice
   * per kind until the host reads the matching log page (nvmet_aen_bit_disabled, aen_masked).
   */
  #aenSuppressed(bit: number): boolean {
    const mask = 2 ** bit;
    if (Math.floor(this.aenEnabled / mask) % 2 === 0) return true;
    const wasMasked = Math.floor(this.#aenMasked / mask) % 2 === 1;
    if (!wasMasked) this.#aenMasked += mask;
    return wasMasked;
  }

  /** Reading the log page clears the mask unless the host set RAE (nvmet_clear_aen_bit). */
  clearAenMask(bit: number, retainAsyncEvent: boolean): void {
    const mask = 2 ** bit;
    if (!retainAsyncEvent && Math.floor(this.#aenMasked / mask) % 2 === 1) this.#aenMasked -= mask;
  }

  /** A namespace of the subsystem changed (nvmet_ns_changed). */
  namespaceChanged(nsid: number): void {
    this.#noteChangedNs(nsid);
    if (this.#aenSuppressed(AenBit.NS_ATTR)) return;
    this.#addEvent(AsyncEventType.NOTICE, AsyncEventNotice.NS_CHANGED, LogPageId.CHANGED_NS);
  }

  /**
   * An ANA group's state or membership changed where this controller sees it
   * (nvmet_send_ana_event): one notice until the host reads the ANA log (LID 0Ch).
   */
  anaChanged(): void {
    if (this.isDiscovery || this.#aenSuppressed(AenBit.ANA_CHANGE)) return;
    this.#addEvent(AsyncEventType.NOTICE, AsyncEventNotice.ANA_CHANGE, LogPageId.ANA);
  }

  /** The discovery log this (discovery) controller serves changed (__nvmet_disc_changed). */
  discoveryChanged(): void {
    if (this.#aenSuppressed(AenBit.DISC_CHANGE)) return;
    this.#addEvent(AsyncEventType.NOTICE, AsyncEventNotice.DISC_CHANGED, LogPageId.DISCOVERY);
  }

  #noteChangedNs(nsid: number): void {
    if (this.#changedNsOverflow || this.#changedNs.includes(nsid)) return;
    if (this.#changedNs.length === MAX_CHANGED_NAMESPACES) {
      this.#changedNsOverflow = true;
      this.#changedNs = [];
      return;
    }
    this.#changedNs.push(nsid);
  }

  /** Returns and clears the changed-namespace list (nvmet_execute_get_log_changed_ns). */
  takeChangedNamespaces(): number[] {
    const list = this.#changedNsOverflow ? [0xffffffff] : this.#changedNs;
    this.#changedNs = [];
    this.#changedNsOverflow = false;
    return list;
  }

  // ---- Queues and teardown ----

  attach(queue: ControllerQueue): void {
    this.queues.set(queue.qid, queue);
  }

  /** A queue went away. The admin queue takes the controller with it. */
  detach(queue: ControllerQueue): void {
    if (this.queues.get(queue.qid) !== queue) return;
    this.queues.delete(queue.qid);
    if (queue.qid === 0) this.destroy('admin queue closed');
  }

  /** CSTS.CFS and teardown (nvmet_ctrl_fatal_error then nvmet_fatal_error_handler / delete_ctrl). */
  fatal(reason: string): void {
    if ((this.csts & CstsBit.CFS) !== 0 && this.#destroyed) return;
    this.csts |= CstsBit.CFS;
    this.#log.error(`nvmet: ctrl ${this.cntlid} fatal error occurred! (${reason})`);
    this.destroy(reason);
  }

  /** Frees the CNTLID, stops the timer and closes every queue. Idempotent. */
  destroy(reason: string): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.keepAlive.stop();
    this.#ctx.controllers.remove(this);
    this.#ctx.stats.controllers--;
    // Outstanding AERs die with the admin queue (nvmet_async_events_failall); nothing is sent on a
    // closing connection, so they are dropped.
    this.#aers.length = 0;
    this.#events.length = 0;
    this.#log.info(`nvmet: ctrl ${this.cntlid} removed (${reason})`);
    for (const queue of [...this.queues.values()]) queue.shutdown(reason);
    this.queues.clear();
  }

  #keepAliveExpired(): void {
    this.#ctx.stats.keepAliveExpiries++;
    this.#log.error(`nvmet: ctrl ${this.cntlid} keep-alive timer (${this.keepAlive.seconds} seconds) expired!`);
    this.fatal('keep-alive timeout');
  }
}
