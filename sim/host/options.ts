// Connect options of the NVMe/TCP host, the userspace twin of `nvme connect` flags and the Linux
// fabrics option parser (drivers/nvme/host/fabrics.c nvmf_parse_options, fabrics.h defaults).
// validateConnectOptions checks what the user typed; resolveConnectOptions fills in the defaults
// the kernel would use, so the controller code never deals with undefined.
import type { Random } from '../core/index.js';
import { DISCOVERY_NQN, UUID_NQN_PREFIX } from '../nvme/index.js';
import { DISCOVERY_PORT, IO_PORT } from '../nvme/index.js';
import { NQN_MAX_LENGTH } from '../nvme/index.js';

/** fabrics.h NVMF_DEF_QUEUE_SIZE / NVMF_MIN_QUEUE_SIZE / NVMF_MAX_QUEUE_SIZE. */
export const DEFAULT_QUEUE_SIZE = 128;
export const MIN_QUEUE_SIZE = 16;
export const MAX_QUEUE_SIZE = 1024;
/**
 * I/O queues when a caller gives none. Linux defaults to the CPU count, which the host cannot see
 * from here: the CLI and the scenario runner pass the machine's or the node's core count.
 */
export const DEFAULT_NR_IO_QUEUES = 4;
/** include/linux/nvme.h NVME_DEFAULT_KATO (seconds), used for I/O controllers when -k is absent. */
export const DEFAULT_KATO_S = 5;
/** fabrics.h NVMF_DEF_RECONNECT_DELAY and NVMF_DEF_CTRL_LOSS_TMO (seconds). */
export const DEFAULT_RECONNECT_DELAY_S = 10;
export const DEFAULT_CTRL_LOSS_TMO_S = 600;
/** fabrics.h NVMF_DEF_FAIL_FAST_TMO: -1, queued I/O is never failed early. */
export const DEFAULT_FAST_IO_FAIL_TMO_S = -1;
/** core.c nvme_io_timeout (30 s) and admin_timeout (60 s) module parameters. */
export const DEFAULT_IO_TIMEOUT_S = 30;
export const DEFAULT_ADMIN_TIMEOUT_S = 60;
/** host/tcp.c: the ICResp receive timeout (sk_rcvtimeo 10 s), reused for the TCP connect. */
export const DEFAULT_CONNECT_TIMEOUT_S = 10;

export interface ConnectOptions {
  /** Target address (-a). */
  traddr: string;
  /** Target port (-s); 4420, or 8009 for the discovery NQN. */
  trsvcid?: number;
  /** Subsystem NQN (-n). */
  nqn: string;
  /** Host NQN (-q); default nqn.2014-08.org.nvmexpress:uuid:<hostid>. */
  hostnqn?: string;
  /** Host identifier UUID (-I); default the UUID of a UUID host NQN, else a seeded random UUID. */
  hostid?: string;
  /** Number of I/O queues to request (-i). */
  nrIoQueues?: number;
  /** I/O queue size (-Q), 16..1024. */
  queueSize?: number;
  /** Keep-alive timeout in seconds (-k); 0 disables keep-alive. */
  keepAliveTmoS?: number;
  /** Seconds between reconnect attempts (-c). */
  reconnectDelayS?: number;
  /** Seconds before a lost controller is removed (-l); -1 reconnects forever. */
  ctrlLossTmoS?: number;
  /**
   * Seconds after a controller starts reconnecting before I/O waiting for it fails (--fast_io_fail_tmo,
   * -f); -1 (default) never fails it early.
   */
  fastIoFailTmoS?: number;
  /** Header digest (-g). */
  hdrDigest?: boolean;
  /** Data digest (-G). */
  dataDigest?: boolean;
  /** I/O command timeout in seconds (nvme_core.io_timeout). */
  ioTimeoutS?: number;
  /** Admin command timeout in seconds (nvme_core.admin_timeout). */
  adminTimeoutS?: number;
  /** TCP connect plus ICReq/ICResp timeout in seconds. */
  connectTimeoutS?: number;
  /** Ask the controller to disable SQ flow control (Connect CATTR bit 2). */
  disableSqFlowControl?: boolean;
  /** Core the host's queues charge CPU work to; queue n uses firstCore + n (default 0). */
  firstCore?: number;
}

/** Options with every default applied. Times stay in seconds; the controller converts. */
export interface ResolvedConnectOptions {
  readonly traddr: string;
  readonly trsvcid: number;
  readonly nqn: string;
  readonly hostnqn: string;
  readonly hostid: string;
  readonly discovery: boolean;
  readonly nrIoQueues: number;
  readonly queueSize: number;
  readonly keepAliveTmoS: number;
  readonly reconnectDelayS: number;
  readonly ctrlLossTmoS: number;
  /** fabrics.c: ceil(ctrl_loss_tmo / reconnect_delay); -1 means forever. */
  readonly maxReconnects: number;
  /** -1 when off. */
  readonly fastIoFailTmoS: number;
  readonly hdrDigest: boolean;
  readonly dataDigest: boolean;
  readonly ioTimeoutS: number;
  readonly adminTimeoutS: number;
  readonly connectTimeoutS: number;
  readonly disableSqFlowControl: boolean;
  readonly firstCore: number;
}

/** A bad connect option; `flag` names the nvme-cli flag. */
export class ConnectOptionsError extends Error {
  readonly flag: string;
  constructor(flag: string, message: string) {
    super(`${flag}: ${message}`);
    this.name = 'ConnectOptionsError';
    this.flag = flag;
  }
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkInteger(flag: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value)) throw new ConnectOptionsError(flag, `${value} is not an integer`);
  if (value < min) throw new ConnectOptionsError(flag, `${value} is below the minimum ${min}`);
  if (value > max) throw new ConnectOptionsError(flag, `${value} is above the maximum ${max}`);
}

function checkPositive(flag: string, value: number | undefined): void {
  if (value === undefined) return;
  if (!Number.isFinite(value) || value <= 0) throw new ConnectOptionsError(flag, `${value} must be a positive number`);
}

function checkNqn(flag: string, nqn: string): void {
  if (nqn.length === 0) throw new ConnectOptionsError(flag, 'NQN is empty');
  if (new TextEncoder().encode(nqn).length > NQN_MAX_LENGTH) {
    throw new ConnectOptionsError(flag, `NQN is longer than ${NQN_MAX_LENGTH} bytes`);
  }
}

/** Throws ConnectOptionsError for the first bad option; returns nothing when all are acceptable. */
export function validateConnectOptions(options: ConnectOptions): void {
  if (options.traddr.length === 0) throw new ConnectOptionsError('--traddr (-a)', 'address is empty');
  checkInteger('--trsvcid (-s)', options.trsvcid, 1, 65535);
  checkNqn('--nqn (-n)', options.nqn);
  if (options.hostnqn !== undefined) checkNqn('--hostnqn (-q)', options.hostnqn);
  if (options.hostid !== undefined && !UUID_PATTERN.test(options.hostid)) {
    throw new ConnectOptionsError('--hostid (-I)', `'${options.hostid}' is not a UUID`);
  }
  // fabrics.c: "Invalid number of IOQs" for nr_io_queues <= 0.
  checkInteger('--nr-io-queues (-i)', options.nrIoQueues, 1, 65535);
  // fabrics.c: queue_size outside [NVMF_MIN_QUEUE_SIZE, NVMF_MAX_QUEUE_SIZE] is rejected.
  checkInteger('--queue-size (-Q)', options.queueSize, MIN_QUEUE_SIZE, MAX_QUEUE_SIZE);
  // fabrics.c: "Invalid keep_alive_tmo" for a negative value; KATO is 16 bits of seconds in ms.
  checkInteger('--keep-alive-tmo (-k)', options.keepAliveTmoS, 0, 65535);
  // fabrics.c: "Invalid reconnect_delay" for reconnect_delay <= 0.
  checkInteger('--reconnect-delay (-c)', options.reconnectDelayS, 1, 2 ** 31 - 1);
  // fabrics.c: any negative ctrl_loss_tmo means "reconnect forever" (-1).
  checkInteger('--ctrl-loss-tmo (-l)', options.ctrlLossTmoS, -1, 2 ** 31 - 1);
  // fabrics.c: "Invalid fast_io_fail_tmo" for a value below -1 (any negative means off).
  checkInteger('--fast-io-fail-tmo (-f)', options.fastIoFailTmoS, -1, 2 ** 31 - 1);
  checkPositive('--io-timeout', options.ioTimeoutS);
  checkPositive('--admin-timeout', options.adminTimeoutS);
  checkPositive('--connect-timeout', options.connectTimeoutS);
  checkInteger('--first-core', options.firstCore, 0, 65535);
}

/** A version 4 UUID drawn from a seeded stream, so simulated runs repeat. */
export function randomUuid(random: Random): string {
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = random.int(256);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** fabrics.c: max_reconnects = DIV_ROUND_UP(ctrl_loss_tmo, reconnect_delay), -1 when forever. */
export function maxReconnects(ctrlLossTmoS: number, reconnectDelayS: number): number {
  if (ctrlLossTmoS < 0) return -1;
  return Math.ceil(ctrlLossTmoS / reconnectDelayS);
}

/** Validates and applies the defaults. `random` draws the host ID when none can be derived. */
export function resolveConnectOptions(options: ConnectOptions, random: Random): ResolvedConnectOptions {
  validateConnectOptions(options);
  const discovery = options.nqn === DISCOVERY_NQN;
  // nvme-cli derives the host ID from a UUID host NQN, so that the pair stays consistent (the
  // kernel refuses a host NQN reused with another host ID).
  const fromNqn = options.hostnqn?.startsWith(UUID_NQN_PREFIX) === true ? options.hostnqn.slice(UUID_NQN_PREFIX.length) : '';
  const hostid = options.hostid ?? (UUID_PATTERN.test(fromNqn) ? fromNqn : randomUuid(random));
  const reconnectDelayS = options.reconnectDelayS ?? DEFAULT_RECONNECT_DELAY_S;
  const ctrlLossTmoS = options.ctrlLossTmoS ?? DEFAULT_CTRL_LOSS_TMO_S;
  return {
    traddr: options.traddr,
    trsvcid: options.trsvcid ?? (discovery ? DISCOVERY_PORT : IO_PORT),
    nqn: options.nqn,
    hostnqn: options.hostnqn ?? `${UUID_NQN_PREFIX}${hostid}`,
    hostid,
    discovery,
    // fabrics.c: a discovery controller has no I/O queues.
    nrIoQueues: discovery ? 0 : (options.nrIoQueues ?? DEFAULT_NR_IO_QUEUES),
    queueSize: options.queueSize ?? DEFAULT_QUEUE_SIZE,
    // fabrics.c: NVME_DEFAULT_KATO only for I/O controllers; discovery keeps the user's value.
    keepAliveTmoS: options.keepAliveTmoS ?? (discovery ? 0 : DEFAULT_KATO_S),
    reconnectDelayS,
    ctrlLossTmoS,
    maxReconnects: maxReconnects(ctrlLossTmoS, reconnectDelayS),
    fastIoFailTmoS: options.fastIoFailTmoS ?? DEFAULT_FAST_IO_FAIL_TMO_S,
    hdrDigest: options.hdrDigest ?? false,
    dataDigest: options.dataDigest ?? false,
    ioTimeoutS: options.ioTimeoutS ?? DEFAULT_IO_TIMEOUT_S,
    adminTimeoutS: options.adminTimeoutS ?? DEFAULT_ADMIN_TIMEOUT_S,
    connectTimeoutS: options.connectTimeoutS ?? DEFAULT_CONNECT_TIMEOUT_S,
    disableSqFlowControl: options.disableSqFlowControl ?? false,
    firstCore: options.firstCore ?? 0,
  };
}
