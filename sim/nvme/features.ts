// Feature values carried in Set/Get Features CDW11 and in the completion's dword 0 (NVMe Base
// Specification 2.0, section 5.27.1), plus the Asynchronous Event Request completion dword 0
// (section 5.2.1, Figure 150). Linux include/linux/nvme.h names: NVME_FEAT_NUM_QUEUES,
// NVME_FEAT_KATO, NVME_FEAT_ASYNC_EVENT / NVME_AEN_CFG_*, NVME_FEAT_VOLATILE_WC.
import { requireUint } from './strings.js';

// ---- Number of Queues (FID 07h; section 5.27.1.7) ----

export interface QueueCounts {
  /** Number of I/O submission queues, 1-based. */
  readonly sqCount: number;
  /** Number of I/O completion queues, 1-based. */
  readonly cqCount: number;
}

/**
 * CDW11 of Set Features and dword 0 of its completion: NSQR bits 15:0 and NCQR bits 31:16, both 0's
 * based. The Linux host asks for count-1 in both halves and uses min(NSQA, NCQA) + 1 queues
 * (host/core.c nvme_set_queue_count).
 */
export function encodeNumQueues(counts: QueueCounts): number {
  const sq = requireUint(counts.sqCount - 1, 16, 'sqCount - 1');
  const cq = requireUint(counts.cqCount - 1, 16, 'cqCount - 1');
  return (sq | (cq << 16)) >>> 0;
}

export function decodeNumQueues(dword: number): QueueCounts {
  return { sqCount: (dword & 0xffff) + 1, cqCount: (dword >>> 16) + 1 };
}

/**
 * A request of 65535 (0xffff, i.e. 65536 queues) in either half is invalid: the controller fails
 * Set Features with INVALID_FIELD (Base 2.0 section 5.27.1.7).
 */
export function isValidNumQueuesRequest(dword: number): boolean {
  return (dword & 0xffff) !== 0xffff && dword >>> 16 !== 0xffff;
}

// ---- Keep Alive Timer (FID 0Fh; section 5.27.1.12) ----

/** CDW11 is the timeout in milliseconds (KATO); 0 disables keep alive. */
export function encodeKato(ms: number): number {
  return requireUint(ms, 32, 'kato');
}

export function decodeKato(dword: number): number {
  return dword >>> 0;
}

/**
 * The controller rounds KATO up to its granularity KAS (Identify Controller, 100 ms units) and
 * reports the rounded value; Linux nvmet keeps whole seconds (DIV_ROUND_UP(kato, 1000)).
 */
export function roundKato(ms: number, kas100ms: number): number {
  if (kas100ms <= 0) return ms;
  const step = kas100ms * 100;
  return Math.ceil(ms / step) * step;
}

// ---- Asynchronous Event Configuration (FID 0Bh; section 5.27.1.9) ----

/** CDW11 bits (nvme.h NVME_AEN_CFG_* and NVME_SMART_CRIT_* for bits 7:0). */
export const AsyncEventConfigBit = {
  SMART_CRITICAL_MASK: 0xff,
  NS_ATTR: 1 << 8,
  FW_ACT: 1 << 9,
  TELEMETRY: 1 << 10,
  ANA_CHANGE: 1 << 11,
  DISC_CHANGE: 0x80000000,
} as const;

export interface AsyncEventConfig {
  /** SMART critical warnings that raise an event (bits 7:0). */
  readonly smartCriticalWarnings: number;
  readonly namespaceAttribute: boolean;
  readonly firmwareActivation: boolean;
  readonly telemetryLog: boolean;
  readonly anaChange: boolean;
  readonly discoveryLogChange: boolean;
}

export function encodeAsyncEventConfig(config: AsyncEventConfig): number {
  let dword = requireUint(config.smartCriticalWarnings, 8, 'smartCriticalWarnings');
  if (config.namespaceAttribute) dword |= AsyncEventConfigBit.NS_ATTR;
  if (config.firmwareActivation) dword |= AsyncEventConfigBit.FW_ACT;
  if (config.telemetryLog) dword |= AsyncEventConfigBit.TELEMETRY;
  if (config.anaChange) dword |= AsyncEventConfigBit.ANA_CHANGE;
  if (config.discoveryLogChange) dword |= AsyncEventConfigBit.DISC_CHANGE;
  return dword >>> 0;
}

export function decodeAsyncEventConfig(dword: number): AsyncEventConfig {
  return {
    smartCriticalWarnings: dword & AsyncEventConfigBit.SMART_CRITICAL_MASK,
    namespaceAttribute: (dword & AsyncEventConfigBit.NS_ATTR) !== 0,
    firmwareActivation: (dword & AsyncEventConfigBit.FW_ACT) !== 0,
    telemetryLog: (dword & AsyncEventConfigBit.TELEMETRY) !== 0,
    anaChange: (dword & AsyncEventConfigBit.ANA_CHANGE) !== 0,
    discoveryLogChange: (dword & AsyncEventConfigBit.DISC_CHANGE) !== 0,
  };
}

// ---- Volatile Write Cache (FID 06h): CDW11 bit 0 WCE ----

export function encodeVolatileWriteCache(enabled: boolean): number {
  return enabled ? 1 : 0;
}

export function decodeVolatileWriteCache(dword: number): boolean {
  return (dword & 1) !== 0;
}

// ---- Asynchronous Event Request completion dword 0 (section 5.2.1) ----

export interface AsyncEvent {
  /** AsyncEventType, bits 2:0. */
  readonly type: number;
  /** Event information, bits 15:8 (AsyncEventNotice for NOTICE events). */
  readonly info: number;
  /** Log page to read to clear the event, bits 23:16. */
  readonly lid: number;
}

/**
 * E.g. namespace attribute changed: type NOTICE (2), info 0, LID 04h -> 0x00040002. The Linux host
 * decodes it in host/core.c nvme_complete_async_event / nvme_handle_aen_notice.
 */
export function encodeAsyncEvent(event: AsyncEvent): number {
  return (requireUint(event.type, 3, 'aen type') | (requireUint(event.info, 8, 'aen info') << 8) | (requireUint(event.lid, 8, 'aen lid') << 16)) >>> 0;
}

export function decodeAsyncEvent(dw0: number): AsyncEvent {
  return { type: dw0 & 0x7, info: (dw0 >>> 8) & 0xff, lid: (dw0 >>> 16) & 0xff };
}
