// Asymmetric Namespace Access as one host controller sees it: the state of each namespace's ANA
// group through this controller, which namespaces wait for a log re-read after an ANA error, and
// the ANATT timer. The userspace twin of the ANA half of Linux drivers/nvme/host/multipath.c
// (nvme_mpath_init_identify, nvme_read_ana_log, nvme_update_ana_state, nvme_ana_work,
// nvme_anatt_timeout, nvme_mpath_stop). Only controllers of a multipath host track ANA, as only
// Linux's native multipath (nvme_core.multipath=Y) reads the log.
import type { NodeEnv, Timer } from '../core/index.js';
import { AnaState, Cmic, LogPageId, decodeAnaLog, maxAnaLogBytes } from '../nvme/index.js';
import type { AnaLog, AnaStateCode, IdentifyController } from '../nvme/index.js';
import type { AdminClient } from './admin.js';
import { TransportError } from './transport-error.js';

/** NVME_NSID_ALL: the ANA log is controller-wide. */
const NSID_ALL = 0xffffffff;

/** What setup read: the log size to use from now on and the log itself (null when ANA is not used). */
export interface AnaSetup {
  readonly logBytes: number;
  readonly anattS: number;
  readonly log: AnaLog;
}

/**
 * nvme_mpath_init_identify: whether to use ANA on this controller and how many bytes its log can
 * take (header, NANAGRPID descriptors, MNAN NSIDs). 0 when the controller has no CMIC.ANA, or the
 * log would not fit one transfer ("ANA log page size larger than MDTS", ANA then disabled).
 */
export function anaLogLength(identify: IdentifyController, maxTransferBytes: number, env: NodeEnv, logPrefix: string): number {
  if ((identify.cmic & Cmic.ANA) === 0) return 0;
  // "Invalid MNAN value": the controller must say how many namespaces it may attach.
  if (identify.mnan === 0 || identify.mnan > identify.nn) throw new TransportError('protocol', `Invalid MNAN value ${identify.mnan}`);
  const bytes = maxAnaLogBytes(identify.nanagrpid, identify.mnan);
  if (bytes > maxTransferBytes) {
    env.log.error(`${logPrefix}ANA log page size (${bytes}) larger than MDTS (${maxTransferBytes}); disabling ANA support`);
    return 0;
  }
  return bytes;
}

/**
 * nvme_read_ana_log's read and parse. A log that does not parse is a protocol error of the peer
 * (nvme_parse_ana_log returns -EINVAL), so a setup that meets one fails as for a bad Identify.
 */
export async function readAnaLog(admin: AdminClient, logBytes: number): Promise<AnaLog> {
  const bytes = await admin.getLogPage(LogPageId.ANA, logBytes, { nsid: NSID_ALL, rae: false });
  try {
    return decodeAnaLog(bytes);
  } catch (error) {
    if (error instanceof RangeError) throw new TransportError('protocol', error.message);
    throw error;
  }
}

export interface AnaHooks {
  /** The admin client while the controller is live, else null (nvme_ana_work then does nothing). */
  liveAdmin(): AdminClient | null;
  /** nvme_reset_ctrl, when the ANATT timer fires. */
  reset(reason: string): void;
}

interface NamespaceAna {
  grpid: number;
  state: AnaStateCode;
}

/** ANA of one controller, across its associations (ns->ana_state survives a reconnect in Linux). */
export class ControllerAna {
  readonly #env: NodeEnv;
  readonly #prefix: string;
  readonly #hooks: AnaHooks;
  #logBytes = 0;
  #anattS = 0;
  readonly #namespaces = new Map<number, NamespaceAna>();
  /** NVME_NS_ANA_PENDING: an ANA error was seen; the path stays unused until the log is read again. */
  readonly #pending = new Set<number>();
  #anattTimer: Timer | null = null;
  #reading = false;
  #readAgain = false;
  /** Bumped by stop(), so that a read in flight from an older association is dropped. */
  #epoch = 0;
  readonly #listeners = new Set<() => void>();

  constructor(env: NodeEnv, logPrefix: string, hooks: AnaHooks) {
    this.#env = env;
    this.#prefix = logPrefix;
    this.#hooks = hooks;
  }

  /** Whether the current association uses ANA (CMIC.ANA and a log that fits MDTS). */
  get enabled(): boolean {
    return this.#logBytes > 0;
  }

  /**
   * The ANA state of a namespace through this controller: optimized when ANA is not used
   * (nvme_mpath_add_disk without ANA), undefined when no log listed the namespace yet.
   */
  stateOf(nsid: number): AnaStateCode | undefined {
    if (!this.enabled) return AnaState.OPTIMIZED;
    return this.#namespaces.get(nsid)?.state;
  }

  /** The ANA group of a namespace as the last log gave it (0 when unknown). */
  groupOf(nsid: number): number {
    return this.#namespaces.get(nsid)?.grpid ?? 0;
  }

  isPending(nsid: number): boolean {
    return this.#pending.has(nsid);
  }

  /** Calls back after every log applied or ANA error noted; returns an unsubscribe function. */
  onChange(callback: () => void): () => void {
    this.#listeners.add(callback);
    return () => this.#listeners.delete(callback);
  }

  /** The controller went live with what setup read (null: ANA not used on this association). */
  start(setup: AnaSetup | null): void {
    this.#logBytes = setup?.logBytes ?? 0;
    this.#anattS = setup?.anattS ?? 0;
    if (setup === null) {
      this.#pending.clear();
      this.#emit();
      return;
    }
    this.#apply(setup.log);
  }

  /** nvme_mpath_stop: the association is gone; no ANATT timer and no read in flight count. */
  stop(): void {
    this.#epoch++;
    this.#reading = false;
    this.#readAgain = false;
    this.#clearAnatt();
  }

  /**
   * nvme_mpath_add_disk: a namespace joins a head. If no log listed it, it waits for a re-read
   * (NVME_NS_ANA_PENDING and ana_work).
   */
  addNamespace(nsid: number): void {
    if (!this.enabled || this.#namespaces.has(nsid)) return;
    this.#pending.add(nsid);
    this.reread();
  }

  /** nvme_failover_req after an ANA status: the path waits for the re-read it kicks off. */
  anaError(nsid: number): void {
    if (!this.enabled) return;
    this.#pending.add(nsid);
    this.#emit();
    this.reread();
  }

  /** nvme_ana_work: re-reads the log when live; concurrent requests fold into one more read. */
  reread(): void {
    if (!this.enabled) return;
    if (this.#reading) {
      this.#readAgain = true;
      return;
    }
    const admin = this.#hooks.liveAdmin();
    if (admin === null) return;
    this.#reading = true;
    const epoch = this.#epoch;
    readAnaLog(admin, this.#logBytes).then(
      (log) => this.#readDone(epoch, log),
      (error: unknown) => this.#readDone(epoch, error instanceof Error ? error : new Error(String(error))),
    );
  }

  #readDone(epoch: number, result: AnaLog | Error): void {
    if (epoch !== this.#epoch) return;
    this.#reading = false;
    // nvme_read_ana_log: a failed read or a log that does not parse changes nothing but is logged.
    if (result instanceof Error) this.#env.log.warn(`${this.#prefix}Failed to get ANA log: ${result.message}`);
    else this.#apply(result);
    if (this.#readAgain) {
      this.#readAgain = false;
      this.reread();
    }
  }

  /** nvme_update_ana_state for each descriptor, then the ANATT timer (nvme_read_ana_log). */
  #apply(log: AnaLog): void {
    let changing = 0;
    for (const group of log.groups) {
      this.#env.log.debug(`${this.#prefix}ANA group ${group.grpid}: state 0x${group.state.toString(16)}`);
      if (group.state === AnaState.CHANGE) changing++;
      for (const nsid of group.nsids) {
        this.#namespaces.set(nsid, { grpid: group.grpid, state: group.state });
        this.#pending.delete(nsid);
      }
    }
    // One timer for all groups, at twice ANATT "to provide some slack for transports or AEN
    // processing"; re-armed by every read that still finds a group changing.
    this.#clearAnatt();
    if (changing > 0) {
      this.#anattTimer = this.#env.clock.setTimer(this.#anattS * 2 * 1e9, () => {
        this.#anattTimer = null;
        // nvme_anatt_timeout: the change took too long; a reset re-reads the log on reconnect.
        this.#env.log.info(`${this.#prefix}ANATT timeout, resetting controller.`);
        this.#hooks.reset('ANATT timeout');
      });
    }
    this.#emit();
  }

  #clearAnatt(): void {
    if (this.#anattTimer !== null) this.#env.clock.clearTimer(this.#anattTimer);
    this.#anattTimer = null;
  }

  #emit(): void {
    for (const callback of [...this.#listeners]) callback();
  }
}
