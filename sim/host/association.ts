// One association with a controller: the admin queue, the I/O queues and what was learned while
// setting them up. Building one is the Linux host's nvme_tcp_setup_ctrl sequence (drivers/nvme/host/
// tcp.c, core.c nvme_enable_ctrl / nvme_init_ctrl_finish, fabrics.c nvmf_connect_*_queue); a
// reconnect builds a fresh association, possibly with a different number of I/O queues.
import type { NodeEnv } from '../core/index.js';
import { AQ_DEPTH, CNTLID_DYNAMIC, FeatureId, IdentifyCns, NVM_IOCQES, NVM_IOSQES } from '../nvme/index.js';
import { ConnectAttr, buildConnect, decodeConnectInvalidParam, decodeConnectResult, encodeConnectData } from '../nvme/index.js';
import { encodeNumQueues, decodeNumQueues } from '../nvme/index.js';
import { decodeIdentifyController, Oaes, Sgls } from '../nvme/index.js';
import type { IdentifyController } from '../nvme/index.js';
import { CapCss, CcCss, RegisterOffset, ShutdownNotification, ShutdownStatus, decodeCap, decodeCsts, encodeCc } from '../nvme/index.js';
import type { Cap } from '../nvme/index.js';
import { NvmeStatusError, Status, formatStatus, statusBase } from '../nvme/index.js';
import { AdminClient } from './admin.js';
import { anaLogLength, readAnaLog } from './ana-state.js';
import type { AnaSetup } from './ana-state.js';
import type { ResolvedConnectOptions } from './options.js';
import { HostQueue } from './queue.js';
import type { HostQueueConfig, QueueEvents } from './queue.js';
import { TransportError } from './transport-error.js';

/** host/tcp.c NVME_TCP_ADMIN_CCSZ: admin and fabrics commands may carry 8 KiB in the capsule. */
export const ADMIN_IN_CAPSULE_BYTES = 8192;
/** host/tcp.c: max_segments 256 pages of 4 KiB, so at most 1 MiB per command before MDTS. */
export const TRANSPORT_MAX_TRANSFER_BYTES = 1 << 20;
/** The host's memory page size (NVME_CTRL_PAGE_SHIFT 12). */
const HOST_PAGE_SHIFT = 12;
/** core.c nvme_wait_ready polls CSTS every 1-2 ms. */
const READY_POLL_NS = 1_000_000;
/** CAP.TO is in units of 500 ms. */
const CAP_TO_UNIT_NS = 500_000_000;
/** core.c shutdown_timeout default (seconds) when RTD3E gives none. */
const DEFAULT_SHUTDOWN_TIMEOUT_NS = 5_000_000_000;
/** nvme.h NVME_AEN_SUPPORTED: the asynchronous events the Linux host enables. */
const AEN_SUPPORTED = (Oaes.NS_ATTR | Oaes.FW_ACT | Oaes.ANA_CHANGE | Oaes.DISC_CHANGE) >>> 0;

export interface Association {
  readonly admin: AdminClient;
  readonly io: HostQueue[];
  readonly cntlid: number;
  readonly cap: Cap;
  readonly vs: number;
  readonly identify: IdentifyController;
  /** min(1 MiB, MDTS): the largest data transfer of one command. */
  readonly maxTransferBytes: number;
  /** Depth of each I/O queue (sqsize + 1). */
  readonly ioQueueDepth: number;
  /** Events enabled with Set Features Asynchronous Event Configuration (0 when none). */
  readonly aenEnabled: number;
  /** The ANA log read during setup, when asked for and the controller reports CMIC.ANA. */
  readonly ana: AnaSetup | null;
}

/** Everything opened so far, so that a failed or aborted setup can be torn down. */
export interface SetupProgress {
  admin: HostQueue | null;
  readonly io: HostQueue[];
  aborted: boolean;
}

export function emptyProgress(): SetupProgress {
  return { admin: null, io: [], aborted: false };
}

function queueConfig(options: ResolvedConnectOptions, qid: number, depth: number, inCapsuleBytes: number, maxTransferBytes: number, logPrefix: string): HostQueueConfig {
  return {
    qid,
    depth,
    core: options.firstCore + qid,
    headerDigest: options.hdrDigest,
    dataDigest: options.dataDigest,
    inCapsuleBytes,
    maxTransferBytes,
    connectTimeoutNs: options.connectTimeoutS * 1e9,
    logPrefix,
  };
}

function checkAborted(progress: SetupProgress): void {
  if (progress.aborted) throw new TransportError('closed', 'controller setup aborted');
}

/** fabrics.c nvmf_log_connect_error: a readable reason for a failed Connect. */
export function describeConnectError(status: number, dw0: number, qid: number): string {
  const base = statusBase(status);
  if (base === Status.CONNECT_INVALID_PARAM) {
    const { ipo, iattr } = decodeConnectInvalidParam(dw0);
    return `Connect Invalid ${iattr === 1 ? 'Data' : 'SQE'} Parameter, ipo ${ipo} (queue ${qid})`;
  }
  if (base === Status.CONNECT_INVALID_HOST) return `Connect for subsystem rejected: host not allowed (queue ${qid})`;
  if (base === Status.CONNECT_CTRL_BUSY) return `Connect command failed: controller is busy (queue ${qid})`;
  if (base === Status.CONNECT_FORMAT) return `Connect Incompatible Format (queue ${qid})`;
  return `Connect command failed: ${formatStatus(status)} (queue ${qid})`;
}

/** Sends Connect on a queue; resolves with the controller ID (fabrics.c nvmf_connect_admin_queue / io_queue). */
async function connectQueue(queue: HostQueue, options: ResolvedConnectOptions, cntlid: number, depth: number, timeoutNs: number): Promise<number> {
  const isAdmin = queue.qid === 0;
  const sqe = buildConnect({
    cid: 0,
    qid: queue.qid,
    sqsize: depth - 1,
    // Only the admin Connect carries KATO (fabrics.c nvmf_connect_cmd_prep).
    kato: isAdmin ? options.keepAliveTmoS * 1000 : 0,
    cattr: options.disableSqFlowControl ? ConnectAttr.DISABLE_SQFLOW : 0,
  });
  const dataOut = encodeConnectData({ hostid: options.hostid, cntlid, subnqn: options.nqn, hostnqn: options.hostnqn });
  // A raw submission rather than AdminClient.run: a failed Connect explains itself in dword 0.
  const { status, dw0 } = await new Promise<{ status: number; dw0: number }>((resolve, reject) => {
    try {
      queue.submit({ sqe, dataOut, dataIn: null, timeoutNs, callback: (status: number, dw0: number) => resolve({ status, dw0 }) });
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
  if (status !== 0) throw new NvmeStatusError(status, describeConnectError(status, dw0, queue.qid));
  const result = decodeConnectResult(dw0);
  // fabrics.c: AUTHREQ asks for DH-HMAC-CHAP, which this host does not implement.
  if (result.authreq !== 0) {
    throw new TransportError('protocol', `queue ${queue.qid}: controller requires authentication (authreq 0x${result.authreq.toString(16)})`);
  }
  return result.cntlid;
}

/** Sleeps on the environment clock. */
function sleep(env: NodeEnv, ns: number): Promise<void> {
  return new Promise((resolve) => env.clock.setTimer(ns, resolve));
}

/** core.c nvme_enable_ctrl: CC without EN, re-read CAP, CC with EN, wait for CSTS.RDY. */
async function enableController(env: NodeEnv, admin: AdminClient, progress: SetupProgress): Promise<Cap> {
  let cap = decodeCap(await admin.propertyGet(RegisterOffset.CAP, 8));
  if (HOST_PAGE_SHIFT < 12 + cap.mpsmin) {
    throw new TransportError('protocol', `Minimum device page size ${2 ** (12 + cap.mpsmin)} too large for host (${2 ** HOST_PAGE_SHIFT})`);
  }
  const css = (cap.css & CapCss.CSI) !== 0 ? CcCss.CSI : CcCss.NVM;
  const cc = { en: false, css, mps: 0, ams: 0, shn: ShutdownNotification.NONE, iosqes: NVM_IOSQES, iocqes: NVM_IOCQES };
  await admin.propertySet(RegisterOffset.CC, 4, BigInt(encodeCc(cc)));
  // "CAP value may change after initial CC write".
  cap = decodeCap(await admin.propertyGet(RegisterOffset.CAP, 8));
  await admin.propertySet(RegisterOffset.CC, 4, BigInt(encodeCc({ ...cc, en: true })));
  const deadline = env.clock.nowNs() + (cap.to + 1) * CAP_TO_UNIT_NS;
  for (;;) {
    checkAborted(progress);
    const csts = decodeCsts(Number(await admin.propertyGet(RegisterOffset.CSTS, 4)));
    if (csts.cfs) throw new TransportError('protocol', 'controller fatal status (CSTS.CFS) while enabling');
    if (csts.rdy) return cap;
    if (env.clock.nowNs() >= deadline) throw new TransportError('timeout', 'Device not ready; aborting initialisation');
    await sleep(env, READY_POLL_NS);
  }
}

/** The I/O queue depth: queue size, capped by CAP.MQES + 1 and MAXCMD (host/tcp.c nvme_tcp_setup_ctrl). */
function ioDepth(env: NodeEnv, options: ResolvedConnectOptions, cap: Cap, identify: IdentifyController, logPrefix: string): number {
  let depth = Math.min(options.queueSize, cap.mqes + 1);
  if (depth < options.queueSize) env.log.warn(`${logPrefix}queue_size ${options.queueSize} > ctrl sqsize ${cap.mqes + 1}, clamping down`);
  if (identify.maxcmd > 0 && depth > identify.maxcmd) {
    env.log.warn(`${logPrefix}sqsize ${depth} > ctrl maxcmd ${identify.maxcmd}, clamping down`);
    depth = identify.maxcmd;
  }
  return depth;
}

/**
 * Opens and configures every queue. `progress` records what is open so that the caller can tear it
 * down if this rejects or if it sets progress.aborted. Rejects with TransportError or NvmeStatusError.
 * With `ana` (a multipath host), a controller that reports CMIC.ANA has its ANA log read too.
 */
export async function setupAssociation(
  env: NodeEnv,
  options: ResolvedConnectOptions,
  events: QueueEvents,
  progress: SetupProgress,
  logPrefix: string,
  ana = false,
): Promise<Association> {
  const address = { host: options.traddr, port: options.trsvcid };
  const adminTimeoutNs = options.adminTimeoutS * 1e9;
  const adminQueue = await HostQueue.open(
    env,
    address,
    queueConfig(options, 0, AQ_DEPTH, ADMIN_IN_CAPSULE_BYTES, TRANSPORT_MAX_TRANSFER_BYTES, logPrefix),
    events,
  );
  progress.admin = adminQueue;
  checkAborted(progress);
  const cntlid = await connectQueue(adminQueue, options, CNTLID_DYNAMIC, AQ_DEPTH, adminTimeoutNs);
  const admin = new AdminClient(adminQueue, adminTimeoutNs, TRANSPORT_MAX_TRANSFER_BYTES);
  checkAborted(progress);
  const cap = await enableController(env, admin, progress);
  const vs = Number(await admin.propertyGet(RegisterOffset.VS, 4));
  const identify = decodeIdentifyController(await admin.identify(IdentifyCns.CONTROLLER));
  checkAborted(progress);
  // core.c nvme_init_identify and host/tcp.c nvme_tcp_setup_ctrl sanity checks.
  if (identify.cntlid !== cntlid) throw new TransportError('protocol', `Mismatching cntlid: Connect ${cntlid} vs Identify ${identify.cntlid}, rejecting`);
  if (identify.icdoff !== 0) throw new TransportError('protocol', 'icdoff is not supported!');
  if ((identify.sgls & Sgls.SUPPORTED) === 0 && (identify.sgls & 0x2) === 0) throw new TransportError('protocol', 'Mandatory sgls are not supported!');
  const mdtsBytes = identify.mdts === 0 ? Infinity : 2 ** (identify.mdts + 12 + cap.mpsmin);
  const maxTransferBytes = Math.min(TRANSPORT_MAX_TRANSFER_BYTES, mdtsBytes);
  admin.maxTransferBytes = maxTransferBytes;
  const depth = ioDepth(env, options, cap, identify, logPrefix);
  // core.c nvme_init_ctrl_finish -> nvme_mpath_init_identify: the ANA log, before the I/O queues.
  let anaSetup: AnaSetup | null = null;
  const anaBytes = ana ? anaLogLength(identify, maxTransferBytes, env, logPrefix) : 0;
  if (anaBytes > 0) {
    anaSetup = { logBytes: anaBytes, anattS: identify.anatt, log: await readAnaLog(admin, anaBytes) };
    checkAborted(progress);
  }

  const io: HostQueue[] = [];
  if (options.nrIoQueues > 0) {
    const count = await setQueueCount(admin, options.nrIoQueues, logPrefix, env);
    if (count === 0) throw new TransportError('protocol', 'unable to set any I/O queues');
    // host/tcp.c: I/O capsules hold IOCCSZ*16 bytes, the SQE included.
    const inCapsuleBytes = Math.max(0, identify.ioccsz * 16 - 64);
    for (let qid = 1; qid <= count; qid++) {
      checkAborted(progress);
      const queue = await HostQueue.open(env, address, queueConfig(options, qid, depth, inCapsuleBytes, maxTransferBytes, logPrefix), events);
      progress.io.push(queue);
      checkAborted(progress);
      await connectQueue(queue, options, cntlid, depth, adminTimeoutNs);
      io.push(queue);
    }
  }
  checkAborted(progress);
  const aenEnabled = await enableAsyncEvents(admin, identify, env, logPrefix);
  return { admin, io, cntlid, cap, vs, identify, maxTransferBytes, ioQueueDepth: depth, aenEnabled, ana: anaSetup };
}

/** core.c nvme_set_queue_count: Set Features Number of Queues; 0 when the controller refuses. */
async function setQueueCount(admin: AdminClient, wanted: number, logPrefix: string, env: NodeEnv): Promise<number> {
  try {
    const result = await admin.setFeatures(FeatureId.NUM_QUEUES, encodeNumQueues({ sqCount: wanted, cqCount: wanted }));
    const granted = decodeNumQueues(result);
    return Math.min(wanted, granted.sqCount, granted.cqCount);
  } catch (error) {
    if (!(error instanceof NvmeStatusError)) throw error;
    env.log.error(`${logPrefix}Could not set queue count (${formatStatus(error.status)})`);
    return 0;
  }
}

/** core.c nvme_enable_aen: enable the supported notices; returns the enabled mask (0 = none). */
async function enableAsyncEvents(admin: AdminClient, identify: IdentifyController, env: NodeEnv, logPrefix: string): Promise<number> {
  const supported = (identify.oaes & AEN_SUPPORTED) >>> 0;
  if (supported === 0) return 0;
  try {
    await admin.setFeatures(FeatureId.ASYNC_EVENT_CONFIG, supported);
  } catch (error) {
    if (!(error instanceof NvmeStatusError)) throw error;
    env.log.warn(`${logPrefix}Failed to configure AEN (cfg ${supported.toString(16)})`);
  }
  return supported;
}

/**
 * core.c nvme_disable_ctrl(shutdown = true): CC.SHN normal, then wait for CSTS.SHST complete,
 * bounded by RTD3E (or 5 s). Failures are logged, not thrown: the queues go away regardless.
 */
export async function shutdownController(env: NodeEnv, admin: AdminClient, rtd3eUs: number, logPrefix: string): Promise<void> {
  try {
    const cc = Number(await admin.propertyGet(RegisterOffset.CC, 4));
    const shn = ((cc & ~(0x3 << 14)) | (ShutdownNotification.NORMAL << 14)) >>> 0;
    await admin.propertySet(RegisterOffset.CC, 4, BigInt(shn));
    const deadline = env.clock.nowNs() + (rtd3eUs > 0 ? rtd3eUs * 1000 : DEFAULT_SHUTDOWN_TIMEOUT_NS);
    for (;;) {
      const csts = decodeCsts(Number(await admin.propertyGet(RegisterOffset.CSTS, 4)));
      if (csts.shst === ShutdownStatus.COMPLETE) return;
      if (env.clock.nowNs() >= deadline) {
        env.log.warn(`${logPrefix}Device shutdown incomplete; abort shutdown`);
        return;
      }
      await sleep(env, READY_POLL_NS);
    }
  } catch (error) {
    env.log.debug(`${logPrefix}shutdown: ${error instanceof Error ? error.message : String(error)}`);
  }
}
