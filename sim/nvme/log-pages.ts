// Log pages returned by Get Log Page: the Discovery log (LID 70h; NVMe over Fabrics 1.1 section 5.3,
// Figures 37-38; Linux include/linux/nvme.h struct nvmf_disc_rsp_page_hdr / nvmf_disc_rsp_page_entry),
// Error Information (LID 01h; Base 2.0 section 5.16.1.2, struct nvme_error_slot), SMART / Health
// Information (LID 02h; section 5.16.1.3, struct nvme_smart_log), Firmware Slot Information (LID
// 03h), Changed Namespace List (LID 04h) and Commands Supported and Effects (LID 05h).
// A host may read any log in pieces (NUMD and LPO); sliceLog serves such a read from a full image.
import {
  readNqn,
  readNulPadded,
  readU128,
  readU64Number,
  requireLength,
  requireUint,
  viewOf,
  writeNqn,
  writeNulPadded,
  writeSpacePadded,
  writeU128,
  writeU64Number,
} from './strings.js';

/**
 * The bytes a Get Log Page of `lengthBytes` at `offsetBytes` returns from a full log image: bytes
 * past the end of the log read as zero, the way Linux nvmet zero-fills its buffer.
 */
export function sliceLog(image: Uint8Array, offsetBytes: number, lengthBytes: number): Uint8Array {
  if (!Number.isSafeInteger(offsetBytes) || offsetBytes < 0 || !Number.isSafeInteger(lengthBytes) || lengthBytes < 0) {
    throw new RangeError(`sliceLog: invalid offset ${offsetBytes} or length ${lengthBytes}`);
  }
  const out = new Uint8Array(lengthBytes);
  if (offsetBytes < image.byteLength) out.set(image.subarray(offsetBytes, Math.min(image.byteLength, offsetBytes + lengthBytes)));
  return out;
}

// ---- Discovery log page (LID 70h) ----

export const DISCOVERY_LOG_HEADER_BYTES = 1024;
export const DISCOVERY_LOG_ENTRY_BYTES = 1024;
/** Fabrics address field widths (nvme.h NVMF_TRSVCID_SIZE, NVMF_TRADDR_SIZE, NVMF_TSAS_SIZE). */
export const TRSVCID_BYTES = 32;
export const TRADDR_BYTES = 256;
export const TSAS_BYTES = 256;

/** Entry offsets (nvmf_disc_rsp_page_entry). */
export const DiscoveryEntryOffset = {
  TRTYPE: 0,
  ADRFAM: 1,
  SUBTYPE: 2,
  TREQ: 3,
  PORTID: 4,
  CNTLID: 6,
  ASQSZ: 8,
  EFLAGS: 10,
  TRSVCID: 32,
  SUBNQN: 256,
  TRADDR: 512,
  TSAS: 768,
} as const;

export interface DiscoveryLogEntry {
  /** TransportType (3 = TCP). */
  readonly trtype: number;
  /** AddressFamily (1 = IPv4). */
  readonly adrfam: number;
  /** SubsystemType (2 = NVM subsystem, 3 = this discovery subsystem). */
  readonly subtype: number;
  /** Treq bits. */
  readonly treq: number;
  readonly portid: number;
  /** 0xffff: dynamic controller model (Linux nvmet always reports it). */
  readonly cntlid: number;
  /** Admin max SQ size; nvmet reports NVME_AQ_DEPTH (32). */
  readonly asqsz: number;
  readonly eflags: number;
  /** Service ID: the TCP port as decimal text, e.g. "4420". */
  readonly trsvcid: string;
  readonly subnqn: string;
  /** Address as text, e.g. "127.0.0.1". */
  readonly traddr: string;
  /** TCP transport specific address subtype: TSAS byte 0, the security type (TcpSecType). */
  readonly sectype: number;
}

export interface DiscoveryLogHeader {
  /** Generation counter: changes whenever the log's content changes. */
  readonly genctr: number;
  /** Number of records (entries) in the full log. */
  readonly numrec: number;
  /** Record format, 0. */
  readonly recfmt: number;
}

export interface DiscoveryLog extends DiscoveryLogHeader {
  readonly entries: readonly DiscoveryLogEntry[];
}

/** Total bytes of a discovery log with `numrec` entries. */
export function discoveryLogBytes(numrec: number): number {
  return DISCOVERY_LOG_HEADER_BYTES + numrec * DISCOVERY_LOG_ENTRY_BYTES;
}

function writeDiscoveryEntry(out: Uint8Array, base: number, entry: DiscoveryLogEntry, what: string): void {
  const view = viewOf(out);
  view.setUint8(base + DiscoveryEntryOffset.TRTYPE, requireUint(entry.trtype, 8, `${what}.trtype`));
  view.setUint8(base + DiscoveryEntryOffset.ADRFAM, requireUint(entry.adrfam, 8, `${what}.adrfam`));
  view.setUint8(base + DiscoveryEntryOffset.SUBTYPE, requireUint(entry.subtype, 8, `${what}.subtype`));
  view.setUint8(base + DiscoveryEntryOffset.TREQ, requireUint(entry.treq, 8, `${what}.treq`));
  view.setUint16(base + DiscoveryEntryOffset.PORTID, requireUint(entry.portid, 16, `${what}.portid`), true);
  view.setUint16(base + DiscoveryEntryOffset.CNTLID, requireUint(entry.cntlid, 16, `${what}.cntlid`), true);
  view.setUint16(base + DiscoveryEntryOffset.ASQSZ, requireUint(entry.asqsz, 16, `${what}.asqsz`), true);
  view.setUint16(base + DiscoveryEntryOffset.EFLAGS, requireUint(entry.eflags, 16, `${what}.eflags`), true);
  // Address strings are NUL padded, as Linux nvmet copies them from configfs
  // (discovery.c nvmet_format_discovery_entry); nvme-cli trims either padding.
  writeNulPadded(out, base + DiscoveryEntryOffset.TRSVCID, TRSVCID_BYTES, entry.trsvcid, `${what}.trsvcid`);
  writeNqn(out, base + DiscoveryEntryOffset.SUBNQN, entry.subnqn, `${what}.subnqn`);
  writeNulPadded(out, base + DiscoveryEntryOffset.TRADDR, TRADDR_BYTES, entry.traddr, `${what}.traddr`);
  view.setUint8(base + DiscoveryEntryOffset.TSAS, requireUint(entry.sectype, 8, `${what}.sectype`));
}

/** The full discovery log image: 1024-byte header then one 1024-byte entry per record. */
export function encodeDiscoveryLog(log: { readonly genctr: number; readonly recfmt?: number; readonly entries: readonly DiscoveryLogEntry[] }): Uint8Array {
  const out = new Uint8Array(discoveryLogBytes(log.entries.length));
  const view = viewOf(out);
  writeU64Number(view, 0, log.genctr, 'discovery log genctr');
  writeU64Number(view, 8, log.entries.length, 'discovery log numrec');
  view.setUint16(16, requireUint(log.recfmt ?? 0, 16, 'discovery log recfmt'), true);
  log.entries.forEach((entry, index) => {
    writeDiscoveryEntry(out, DISCOVERY_LOG_HEADER_BYTES + index * DISCOVERY_LOG_ENTRY_BYTES, entry, `discovery entry ${index}`);
  });
  return out;
}

/**
 * A partial read of the discovery log, as Get Log Page with NUMD/LPO asks for it. The Linux host
 * and nvme-cli first read the header (or a short prefix) to learn NUMREC, then the whole log, then
 * the header again to check GENCTR did not change (libnvme nvme_discovery_log).
 */
export function encodeDiscoveryLogRange(
  log: { readonly genctr: number; readonly recfmt?: number; readonly entries: readonly DiscoveryLogEntry[] },
  offsetBytes: number,
  lengthBytes: number,
): Uint8Array {
  return sliceLog(encodeDiscoveryLog(log), offsetBytes, lengthBytes);
}

/** Decodes the header from its first 18 bytes (genctr, numrec, recfmt); a short prefix read is enough. */
export function decodeDiscoveryLogHeader(bytes: Uint8Array): DiscoveryLogHeader {
  requireLength(bytes, 18, 'decodeDiscoveryLogHeader');
  const view = viewOf(bytes);
  return {
    genctr: readU64Number(view, 0, 'discovery log genctr'),
    numrec: readU64Number(view, 8, 'discovery log numrec'),
    recfmt: view.getUint16(16, true),
  };
}

export function decodeDiscoveryLogEntry(bytes: Uint8Array, offset = 0): DiscoveryLogEntry {
  requireLength(bytes, DISCOVERY_LOG_ENTRY_BYTES, 'decodeDiscoveryLogEntry', offset);
  const view = viewOf(bytes);
  return {
    trtype: view.getUint8(offset + DiscoveryEntryOffset.TRTYPE),
    adrfam: view.getUint8(offset + DiscoveryEntryOffset.ADRFAM),
    subtype: view.getUint8(offset + DiscoveryEntryOffset.SUBTYPE),
    treq: view.getUint8(offset + DiscoveryEntryOffset.TREQ),
    portid: view.getUint16(offset + DiscoveryEntryOffset.PORTID, true),
    cntlid: view.getUint16(offset + DiscoveryEntryOffset.CNTLID, true),
    asqsz: view.getUint16(offset + DiscoveryEntryOffset.ASQSZ, true),
    eflags: view.getUint16(offset + DiscoveryEntryOffset.EFLAGS, true),
    trsvcid: readNulPadded(bytes, offset + DiscoveryEntryOffset.TRSVCID, TRSVCID_BYTES),
    subnqn: readNqn(bytes, offset + DiscoveryEntryOffset.SUBNQN),
    traddr: readNulPadded(bytes, offset + DiscoveryEntryOffset.TRADDR, TRADDR_BYTES),
    sectype: view.getUint8(offset + DiscoveryEntryOffset.TSAS),
  };
}

/** Decodes a full log read (header plus numrec entries); a log shorter than numrec entries throws. */
export function decodeDiscoveryLog(bytes: Uint8Array): DiscoveryLog {
  requireLength(bytes, DISCOVERY_LOG_HEADER_BYTES, 'decodeDiscoveryLog');
  const header = decodeDiscoveryLogHeader(bytes);
  requireLength(bytes, discoveryLogBytes(header.numrec), `decodeDiscoveryLog (numrec ${header.numrec})`);
  const entries: DiscoveryLogEntry[] = [];
  for (let index = 0; index < header.numrec; index++) {
    entries.push(decodeDiscoveryLogEntry(bytes, DISCOVERY_LOG_HEADER_BYTES + index * DISCOVERY_LOG_ENTRY_BYTES));
  }
  return { ...header, entries };
}

// ---- Error Information log (LID 01h) ----

export const ERROR_LOG_ENTRY_BYTES = 64;

export interface ErrorLogEntry {
  /** Unique, incrementing error count; 0 marks an unused entry. */
  readonly errorCount: number;
  readonly sqid: number;
  readonly cid: number;
  /** 15-bit status of the failed command (stored shifted left by one with phase tag 0). */
  readonly status: number;
  /** Parameter error location: byte in bits 7:0, bit in bits 10:8 (0xffff = not applicable). */
  readonly parameterErrorLocation: number;
  readonly lba: number;
  readonly nsid: number;
  readonly vendorSpecific: number;
  readonly trtype: number;
  readonly commandSpecific: number;
  readonly transportTypeSpecific: number;
}

function writeErrorEntry(view: DataView, base: number, entry: ErrorLogEntry): void {
  writeU64Number(view, base, entry.errorCount, 'error log errorCount');
  view.setUint16(base + 8, requireUint(entry.sqid, 16, 'error log sqid'), true);
  view.setUint16(base + 10, requireUint(entry.cid, 16, 'error log cid'), true);
  // nvmet_set_error: status_field = status << 1 (phase tag 0).
  view.setUint16(base + 12, requireUint(entry.status, 15, 'error log status') << 1, true);
  view.setUint16(base + 14, requireUint(entry.parameterErrorLocation, 16, 'error log parameterErrorLocation'), true);
  writeU64Number(view, base + 16, entry.lba, 'error log lba');
  view.setUint32(base + 24, requireUint(entry.nsid, 32, 'error log nsid'), true);
  view.setUint8(base + 28, requireUint(entry.vendorSpecific, 8, 'error log vendorSpecific'));
  view.setUint8(base + 29, requireUint(entry.trtype, 8, 'error log trtype'));
  writeU64Number(view, base + 32, entry.commandSpecific, 'error log commandSpecific');
  view.setUint16(base + 40, requireUint(entry.transportTypeSpecific, 16, 'error log transportTypeSpecific'), true);
}

/** Encodes entries newest first, as the spec orders them; pad to the requested size with sliceLog. */
export function encodeErrorLog(entries: readonly ErrorLogEntry[]): Uint8Array {
  const out = new Uint8Array(entries.length * ERROR_LOG_ENTRY_BYTES);
  const view = viewOf(out);
  entries.forEach((entry, index) => writeErrorEntry(view, index * ERROR_LOG_ENTRY_BYTES, entry));
  return out;
}

/** Decodes whole 64-byte entries; entries with errorCount 0 (unused) are kept, so indexes match. */
export function decodeErrorLog(bytes: Uint8Array): ErrorLogEntry[] {
  if (bytes.byteLength % ERROR_LOG_ENTRY_BYTES !== 0) {
    throw new RangeError(`decodeErrorLog: ${bytes.byteLength} bytes is not a multiple of ${ERROR_LOG_ENTRY_BYTES}`);
  }
  const view = viewOf(bytes);
  const entries: ErrorLogEntry[] = [];
  for (let base = 0; base < bytes.byteLength; base += ERROR_LOG_ENTRY_BYTES) {
    entries.push({
      errorCount: readU64Number(view, base, 'error log errorCount'),
      sqid: view.getUint16(base + 8, true),
      cid: view.getUint16(base + 10, true),
      status: view.getUint16(base + 12, true) >>> 1,
      parameterErrorLocation: view.getUint16(base + 14, true),
      lba: readU64Number(view, base + 16, 'error log lba'),
      nsid: view.getUint32(base + 24, true),
      vendorSpecific: view.getUint8(base + 28),
      trtype: view.getUint8(base + 29),
      commandSpecific: readU64Number(view, base + 32, 'error log commandSpecific'),
      transportTypeSpecific: view.getUint16(base + 40, true),
    });
  }
  return entries;
}

// ---- SMART / Health Information log (LID 02h) ----

export const SMART_LOG_BYTES = 512;

/** Critical warning bits (nvme.h NVME_SMART_CRIT_*). */
export const SmartCriticalWarning = { SPARE: 1 << 0, TEMPERATURE: 1 << 1, RELIABILITY: 1 << 2, MEDIA: 1 << 3, VOLATILE_MEMORY: 1 << 4 } as const;

export interface SmartLog {
  readonly criticalWarning: number;
  /** Composite temperature in Kelvin (nvme-cli prints Kelvin - 273 as Celsius). */
  readonly temperature: number;
  /** Available spare, percent. */
  readonly availSpare: number;
  readonly spareThresh: number;
  readonly percentUsed: number;
  readonly enduranceGroupCriticalWarning: number;
  /** Data units read/written: thousands of 512-byte units, rounded up (dataUnits()). */
  readonly dataUnitsRead: bigint;
  readonly dataUnitsWritten: bigint;
  readonly hostReads: bigint;
  readonly hostWrites: bigint;
  /** Minutes spent busy with I/O. */
  readonly ctrlBusyTime: bigint;
  readonly powerCycles: bigint;
  readonly powerOnHours: bigint;
  readonly unsafeShutdowns: bigint;
  readonly mediaErrors: bigint;
  readonly numErrLogEntries: bigint;
  /** Minutes above the warning / critical composite temperature. */
  readonly warningTempTime: number;
  readonly criticalCompTime: number;
  /** Temperature sensors 1..8, Kelvin (0 = not implemented). */
  readonly tempSensor: readonly number[];
}

const SMART_U128_FIELDS: readonly [keyof SmartLog & string, number][] = [
  ['dataUnitsRead', 32],
  ['dataUnitsWritten', 48],
  ['hostReads', 64],
  ['hostWrites', 80],
  ['ctrlBusyTime', 96],
  ['powerCycles', 112],
  ['powerOnHours', 128],
  ['unsafeShutdowns', 144],
  ['mediaErrors', 160],
  ['numErrLogEntries', 176],
];

/**
 * Data units for a byte count: "thousands of 512 byte data units ... rounded up" (Base 2.0 Figure
 * 207); Linux nvmet computes DIV_ROUND_UP(sectors, 1000) (admin-cmd.c nvmet_get_smart_log_nsid).
 */
export function dataUnits(bytes: bigint): bigint {
  const sectors = (bytes + 511n) / 512n;
  return (sectors + 999n) / 1000n;
}

export function encodeSmartLog(log: SmartLog): Uint8Array {
  const out = new Uint8Array(SMART_LOG_BYTES);
  const view = viewOf(out);
  view.setUint8(0, requireUint(log.criticalWarning, 8, 'smart criticalWarning'));
  // Temperature is an unaligned u16 at byte 1 (nvme_smart_log.temperature[2]).
  view.setUint16(1, requireUint(log.temperature, 16, 'smart temperature'), true);
  view.setUint8(3, requireUint(log.availSpare, 8, 'smart availSpare'));
  view.setUint8(4, requireUint(log.spareThresh, 8, 'smart spareThresh'));
  view.setUint8(5, requireUint(log.percentUsed, 8, 'smart percentUsed'));
  view.setUint8(6, requireUint(log.enduranceGroupCriticalWarning, 8, 'smart enduranceGroupCriticalWarning'));
  for (const [name, offset] of SMART_U128_FIELDS) writeU128(view, offset, log[name] as bigint, `smart ${name}`);
  view.setUint32(192, requireUint(log.warningTempTime, 32, 'smart warningTempTime'), true);
  view.setUint32(196, requireUint(log.criticalCompTime, 32, 'smart criticalCompTime'), true);
  if (log.tempSensor.length > 8) throw new RangeError(`smart tempSensor: ${log.tempSensor.length} > 8 sensors`);
  log.tempSensor.forEach((kelvin, index) => view.setUint16(200 + index * 2, requireUint(kelvin, 16, `smart tempSensor[${index}]`), true));
  return out;
}

export function decodeSmartLog(bytes: Uint8Array): SmartLog {
  requireLength(bytes, SMART_LOG_BYTES, 'decodeSmartLog');
  const view = viewOf(bytes);
  const counters: Record<string, bigint> = {};
  for (const [name, offset] of SMART_U128_FIELDS) counters[name] = readU128(view, offset);
  const tempSensor: number[] = [];
  for (let index = 0; index < 8; index++) tempSensor.push(view.getUint16(200 + index * 2, true));
  return {
    criticalWarning: view.getUint8(0),
    temperature: view.getUint16(1, true),
    availSpare: view.getUint8(3),
    spareThresh: view.getUint8(4),
    percentUsed: view.getUint8(5),
    enduranceGroupCriticalWarning: view.getUint8(6),
    ...(counters as Pick<SmartLog, 'dataUnitsRead' | 'dataUnitsWritten' | 'hostReads' | 'hostWrites' | 'ctrlBusyTime' | 'powerCycles' | 'powerOnHours' | 'unsafeShutdowns' | 'mediaErrors' | 'numErrLogEntries'>),
    warningTempTime: view.getUint32(192, true),
    criticalCompTime: view.getUint32(196, true),
    tempSensor,
  };
}

/** A healthy device at room temperature (Linux nvmet reports temperature 0; nvme-cli then prints -273 C). */
export function emptySmartLog(): SmartLog {
  return {
    criticalWarning: 0,
    temperature: 273 + 25,
    availSpare: 100,
    spareThresh: 10,
    percentUsed: 0,
    enduranceGroupCriticalWarning: 0,
    dataUnitsRead: 0n,
    dataUnitsWritten: 0n,
    hostReads: 0n,
    hostWrites: 0n,
    ctrlBusyTime: 0n,
    powerCycles: 0n,
    powerOnHours: 0n,
    unsafeShutdowns: 0n,
    mediaErrors: 0n,
    numErrLogEntries: 0n,
    warningTempTime: 0,
    criticalCompTime: 0,
    tempSensor: [0, 0, 0, 0, 0, 0, 0, 0],
  };
}

// ---- Firmware Slot Information (LID 03h; Base 2.0 Figure 209) ----

export const FW_SLOT_LOG_BYTES = 512;

/** AFI bits 2:0 = active slot; FRS1..7 are 8-byte ASCII revisions at byte 8 + 8 * (slot - 1). */
export function encodeFirmwareSlotLog(log: { readonly activeSlot: number; readonly revisions: readonly string[] }): Uint8Array {
  const out = new Uint8Array(FW_SLOT_LOG_BYTES);
  out[0] = requireUint(log.activeSlot, 3, 'fw slot activeSlot');
  if (log.revisions.length > 7) throw new RangeError(`fw slot: ${log.revisions.length} > 7 slots`);
  log.revisions.forEach((revision, index) => writeSpacePadded(out, 8 + index * 8, 8, revision, `fw slot frs${index + 1}`));
  return out;
}

// ---- Changed Namespace List (LID 04h; Base 2.0 section 5.16.1.5) ----

export const CHANGED_NS_LOG_BYTES = 4096;
const CHANGED_NS_MAX = CHANGED_NS_LOG_BYTES / 4;

/** Up to 1024 NSIDs; more than that is reported as a single 0xffffffff entry (spec 5.16.1.5). */
export function encodeChangedNsList(nsids: readonly number[]): Uint8Array {
  const out = new Uint8Array(CHANGED_NS_LOG_BYTES);
  const view = viewOf(out);
  if (nsids.length > CHANGED_NS_MAX) {
    view.setUint32(0, 0xffffffff, true);
    return out;
  }
  nsids.forEach((nsid, index) => view.setUint32(index * 4, requireUint(nsid, 32, 'changed nsid'), true));
  return out;
}

/** NSIDs up to the first zero; a list starting with 0xffffffff means "more than 1024 changed". */
export function decodeChangedNsList(bytes: Uint8Array): number[] {
  const view = viewOf(bytes);
  const nsids: number[] = [];
  for (let offset = 0; offset + 4 <= bytes.byteLength; offset += 4) {
    const nsid = view.getUint32(offset, true);
    if (nsid === 0) break;
    nsids.push(nsid);
  }
  return nsids;
}

// ---- Commands Supported and Effects (LID 05h; Base 2.0 section 5.16.1.6) ----

export const CMD_EFFECTS_LOG_BYTES = 4096;
/** Effects bits (nvme.h NVME_CMD_EFFECTS_*): CSUPP = command supported. */
export const CmdEffect = { CSUPP: 1 << 0, LBCC: 1 << 1, NCC: 1 << 2, NIC: 1 << 3, CCC: 1 << 4 } as const;

/** ACS[opcode] u32 at 4 * opcode, IOCS[opcode] at 1024 + 4 * opcode. */
export function encodeCommandEffectsLog(effects: { readonly admin: ReadonlyMap<number, number>; readonly io: ReadonlyMap<number, number> }): Uint8Array {
  const out = new Uint8Array(CMD_EFFECTS_LOG_BYTES);
  const view = viewOf(out);
  for (const [opcode, flags] of effects.admin) view.setUint32(requireUint(opcode, 8, 'admin opcode') * 4, requireUint(flags, 32, 'effects'), true);
  for (const [opcode, flags] of effects.io) view.setUint32(1024 + requireUint(opcode, 8, 'io opcode') * 4, requireUint(flags, 32, 'effects'), true);
  return out;
}
