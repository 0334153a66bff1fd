// Identify data structures (NVMe Base Specification 2.0, section 5.17.2; NVM Command Set 1.0
// section 4.1.5): Identify Controller (CNS 01h, Figure 275), Identify Namespace (CNS 00h, NVM Figure
// 97), the Active Namespace ID list (CNS 02h), the Namespace Identification Descriptor list (CNS
// 03h, Figure 277) and the NVM command set Identify Controller (CNS 06h, CSI 0). Offsets match Linux
// include/linux/nvme.h struct nvme_id_ctrl / nvme_id_ns / nvme_ns_id_desc / nvme_id_ctrl_nvm.
// Every structure is one 4096-byte page. Encoding and decoding share one field table per structure
// so the two cannot drift apart.
import { ControllerType, IDENTIFY_DATA_LENGTH } from './constants.js';
import {
  bytesFromHex,
  hexFromBytes,
  readNqn,
  readSpacePadded,
  readU128,
  readU64Number,
  requireLength,
  requireUint,
  uuidFromBytes,
  uuidToBytes,
  viewOf,
  writeNqn,
  writeSpacePadded,
  writeU128,
  writeU64Number,
} from './strings.js';

export { NIL_UUID, uuidFromBytes, uuidToBytes } from './strings.js';

// ---- Shared field-table machinery ----

type FieldKind =
  | { readonly kind: 'u8' | 'u16' | 'u24' | 'u32' | 'u64' | 'u128' | 'nqn' | 'uuid' }
  | { readonly kind: 'ascii' | 'hex'; readonly width: number };

interface FieldSpec<T> {
  readonly name: keyof T & string;
  readonly offset: number;
  readonly type: FieldKind;
}

const U8 = { kind: 'u8' } as const;
const U16 = { kind: 'u16' } as const;
const U24 = { kind: 'u24' } as const;
const U32 = { kind: 'u32' } as const;
const U64 = { kind: 'u64' } as const;
const U128 = { kind: 'u128' } as const;
const NQN = { kind: 'nqn' } as const;
const UUID = { kind: 'uuid' } as const;
const ascii = (width: number): FieldKind => ({ kind: 'ascii', width });
const hex = (width: number): FieldKind => ({ kind: 'hex', width });

function encodeFields<T extends object>(out: Uint8Array, specs: readonly FieldSpec<T>[], value: T, what: string): void {
  const view = viewOf(out);
  const record = value as Record<string, unknown>;
  for (const spec of specs) {
    const raw = record[spec.name];
    const label = `${what}.${spec.name}`;
    const { type, offset } = spec;
    if (type.kind === 'u128') {
      if (typeof raw !== 'bigint') throw new TypeError(`${label}: expected a bigint`);
      writeU128(view, offset, raw, label);
      continue;
    }
    if (type.kind === 'ascii' || type.kind === 'hex' || type.kind === 'nqn' || type.kind === 'uuid') {
      if (typeof raw !== 'string') throw new TypeError(`${label}: expected a string`);
      if (type.kind === 'ascii') writeSpacePadded(out, offset, type.width, raw, label);
      else if (type.kind === 'hex') out.set(bytesFromHex(raw, type.width, label), offset);
      else if (type.kind === 'nqn') writeNqn(out, offset, raw, label);
      else out.set(uuidToBytes(raw), offset);
      continue;
    }
    if (typeof raw !== 'number') throw new TypeError(`${label}: expected a number`);
    switch (type.kind) {
      case 'u8':
        view.setUint8(offset, requireUint(raw, 8, label));
        break;
      case 'u16':
        view.setUint16(offset, requireUint(raw, 16, label), true);
        break;
      case 'u24':
        requireUint(raw, 24, label);
        view.setUint16(offset, raw & 0xffff, true);
        view.setUint8(offset + 2, raw >>> 16);
        break;
      case 'u32':
        view.setUint32(offset, requireUint(raw, 32, label), true);
        break;
      case 'u64':
        writeU64Number(view, offset, raw, label);
        break;
    }
  }
}

function decodeFields<T extends object>(bytes: Uint8Array, specs: readonly FieldSpec<T>[], what: string): Record<string, unknown> {
  const view = viewOf(bytes);
  const out: Record<string, unknown> = {};
  for (const { name, offset, type } of specs) {
    switch (type.kind) {
      case 'u8':
        out[name] = view.getUint8(offset);
        break;
      case 'u16':
        out[name] = view.getUint16(offset, true);
        break;
      case 'u24':
        out[name] = view.getUint16(offset, true) | (view.getUint8(offset + 2) << 16);
        break;
      case 'u32':
        out[name] = view.getUint32(offset, true);
        break;
      case 'u64':
        out[name] = readU64Number(view, offset, `${what}.${name}`);
        break;
      case 'u128':
        out[name] = readU128(view, offset);
        break;
      case 'ascii':
        out[name] = readSpacePadded(bytes, offset, type.width);
        break;
      case 'hex':
        out[name] = hexFromBytes(bytes.subarray(offset, offset + type.width));
        break;
      case 'nqn':
        out[name] = readNqn(bytes, offset);
        break;
      case 'uuid':
        out[name] = uuidFromBytes(bytes, offset);
        break;
    }
  }
  return out;
}

// ---- Identify Controller (CNS 01h) ----

/** CMIC bits (nvme.h NVME_CTRL_CMIC_*). ANA makes the Linux host read the ANA log (LID 0Ch). */
export const Cmic = { MULTI_PORT: 1 << 0, MULTI_CTRL: 1 << 1, SRIOV: 1 << 2, ANA: 1 << 3 } as const;
/** OAES bits (nvme.h NVME_CTRL_OAES_*): which notices the controller can send. */
export const Oaes = { NS_ATTR: 1 << 8, FW_ACT: 1 << 9, ANA_CHANGE: 1 << 11, DISC_CHANGE: 1 << 31 >>> 0 } as const;
/**
 * CTRATT bits (nvme.h NVME_CTRL_ATTR_*). TBKAS (traffic based keep alive) lets the Linux host skip
 * Keep Alive while other commands flow and makes it send them every KATO/4 otherwise
 * (host/core.c nvme_keep_alive_work_period); the controller must then restart its timer on any command.
 */
export const Ctratt = { HID_128_BIT: 1 << 0, TBKAS: 1 << 6, ELBAS: 1 << 15 } as const;
/** LPA bits (nvme.h NVME_CTRL_LPA_*). CMD_EFFECTS makes the Linux host read LID 05h during init. */
export const Lpa = { SMART_PER_NS: 1 << 0, CMD_EFFECTS: 1 << 1, EXTENDED_DATA: 1 << 2, TELEMETRY: 1 << 3 } as const;
/** ONCS bits (nvme.h NVME_CTRL_ONCS_*). */
export const Oncs = { COMPARE: 1 << 0, WRITE_UNCORRECTABLE: 1 << 1, DSM: 1 << 2, WRITE_ZEROES: 1 << 3, SAVE_FEATURES: 1 << 4, RESERVATIONS: 1 << 5, TIMESTAMP: 1 << 6, VERIFY: 1 << 7, COPY: 1 << 8 } as const;
/** VWC bit 0: a volatile write cache is present, so Flush matters (nvme.h NVME_CTRL_VWC_PRESENT). */
export const Vwc = { PRESENT: 1 << 0 } as const;
/**
 * SGLS bits. Bits 1:0 = 01b "SGLs supported, no alignment" is mandatory for Fabrics: the Linux TCP
 * host refuses a controller without it ("Mandatory sgls are not supported!", host/tcp.c
 * nvme_tcp_setup_ctrl). Bit 2 keyed SGLs (RDMA only); bit 20 offsets in Data Block descriptors,
 * which nvmet sets when the port allows in-capsule data (admin-cmd.c nvmet_execute_identify_ctrl).
 */
export const Sgls = { SUPPORTED: 1 << 0, KEYED: 1 << 2, OFFSET: 1 << 20 } as const;

export interface PowerStateDescriptor {
  /** Maximum power in centiwatts (or 0.0001 W if flags bit 0 MXPS). */
  readonly mp: number;
  /** Bit 0 MXPS, bit 1 NOPS. */
  readonly flags: number;
  /** Entry and exit latency, microseconds. */
  readonly enlat: number;
  readonly exlat: number;
  readonly rrt: number;
  readonly rrl: number;
  readonly rwt: number;
  readonly rwl: number;
  readonly idlp: number;
  readonly ips: number;
  readonly actp: number;
  readonly apws: number;
}

export const POWER_STATE_BYTES = 32;
const PSD_OFFSET = 2048;
const MAX_POWER_STATES = 32;

const PSD_FIELDS: readonly FieldSpec<PowerStateDescriptor>[] = [
  { name: 'mp', offset: 0, type: U16 },
  { name: 'flags', offset: 3, type: U8 },
  { name: 'enlat', offset: 4, type: U32 },
  { name: 'exlat', offset: 8, type: U32 },
  { name: 'rrt', offset: 12, type: U8 },
  { name: 'rrl', offset: 13, type: U8 },
  { name: 'rwt', offset: 14, type: U8 },
  { name: 'rwl', offset: 15, type: U8 },
  { name: 'idlp', offset: 16, type: U16 },
  { name: 'ips', offset: 18, type: U8 },
  { name: 'actp', offset: 20, type: U16 },
  { name: 'apws', offset: 22, type: U8 },
];

export interface IdentifyController {
  readonly vid: number;
  readonly ssvid: number;
  /** Serial number, 20 ASCII characters at most. */
  readonly sn: string;
  /** Model number, 40 ASCII characters at most. */
  readonly mn: string;
  /** Firmware revision, 8 ASCII characters at most. */
  readonly fr: string;
  /** Recommended arbitration burst. */
  readonly rab: number;
  /** IEEE OUI, 24 bits. */
  readonly ieee: number;
  readonly cmic: number;
  /** Maximum data transfer size: 2^MDTS minimum pages (CAP.MPSMIN); 0 = no limit. */
  readonly mdts: number;
  /** Must equal the CNTLID returned by Connect, or the Linux host rejects the controller. */
  readonly cntlid: number;
  /** Version, as in the VS property (registers.ts encodeVersion). */
  readonly ver: number;
  readonly rtd3r: number;
  readonly rtd3e: number;
  readonly oaes: number;
  readonly ctratt: number;
  readonly rrls: number;
  /** ControllerType: 1 I/O, 2 discovery. */
  readonly cntrltype: number;
  /** FRU globally unique identifier, as a UUID string. */
  readonly fguid: string;
  /** Command retry delay times, 100 ms units. */
  readonly crdt1: number;
  readonly crdt2: number;
  readonly crdt3: number;
  readonly nvmsr: number;
  readonly vwci: number;
  readonly mec: number;
  readonly oacs: number;
  /** Abort command limit, 0's based. */
  readonly acl: number;
  /** Asynchronous event request limit, 0's based. */
  readonly aerl: number;
  readonly frmw: number;
  readonly lpa: number;
  /** Error log page entries, 0's based. */
  readonly elpe: number;
  /** Number of power states supported, 0's based. */
  readonly npss: number;
  readonly avscc: number;
  readonly apsta: number;
  /** Warning and critical composite temperature thresholds, Kelvin. */
  readonly wctemp: number;
  readonly cctemp: number;
  readonly mtfa: number;
  readonly hmpre: number;
  readonly hmmin: number;
  /** Total and unallocated NVM capacity, bytes. */
  readonly tnvmcap: bigint;
  readonly unvmcap: bigint;
  readonly rpmbs: number;
  readonly edstt: number;
  readonly dsto: number;
  readonly fwug: number;
  /** Keep alive granularity in 100 ms units; the Linux host requires it non-zero on I/O controllers. */
  readonly kas: number;
  readonly hctma: number;
  readonly mntmt: number;
  readonly mxtmt: number;
  readonly sanicap: number;
  readonly hmminds: number;
  readonly hmmaxd: number;
  readonly nsetidmax: number;
  readonly endgidmax: number;
  readonly anatt: number;
  readonly anacap: number;
  readonly anagrpmax: number;
  readonly nanagrpid: number;
  readonly pels: number;
  readonly domainid: number;
  /** Required/maximum SQ entry size, log2 in bits 3:0 / 7:4 (0x66 = 64 bytes). */
  readonly sqes: number;
  /** Required/maximum CQ entry size (0x44 = 16 bytes). */
  readonly cqes: number;
  /** Maximum outstanding commands per queue; the Linux host caps its queue size to it. */
  readonly maxcmd: number;
  /** Number of namespaces (highest valid NSID). */
  readonly nn: number;
  readonly oncs: number;
  readonly fuses: number;
  readonly fna: number;
  readonly vwc: number;
  readonly awun: number;
  readonly awupf: number;
  readonly icsvscc: number;
  readonly nwpc: number;
  readonly acwu: number;
  readonly ocfs: number;
  readonly sgls: number;
  readonly mnan: number;
  readonly maxcna: number;
  readonly subnqn: string;
  /** I/O command capsule size in 16-byte units (64-byte SQE + in-capsule data). */
  readonly ioccsz: number;
  /** I/O response capsule size in 16-byte units (1 = a bare CQE). */
  readonly iorcsz: number;
  /** In-capsule data offset in 16-byte units; the Linux TCP host requires 0. */
  readonly icdoff: number;
  readonly fcatt: number;
  /** Maximum SGL data block descriptors per command (1 on TCP). */
  readonly msdbd: number;
  readonly ofcs: number;
  readonly dctype: number;
  /** Power state descriptors; decode returns npss + 1 entries. */
  readonly psd: readonly PowerStateDescriptor[];
}

const CTRL_FIELDS: readonly FieldSpec<IdentifyController>[] = [
  { name: 'vid', offset: 0, type: U16 },
  { name: 'ssvid', offset: 2, type: U16 },
  { name: 'sn', offset: 4, type: ascii(20) },
  { name: 'mn', offset: 24, type: ascii(40) },
  { name: 'fr', offset: 64, type: ascii(8) },
  { name: 'rab', offset: 72, type: U8 },
  { name: 'ieee', offset: 73, type: U24 },
  { name: 'cmic', offset: 76, type: U8 },
  { name: 'mdts', offset: 77, type: U8 },
  { name: 'cntlid', offset: 78, type: U16 },
  { name: 'ver', offset: 80, type: U32 },
  { name: 'rtd3r', offset: 84, type: U32 },
  { name: 'rtd3e', offset: 88, type: U32 },
  { name: 'oaes', offset: 92, type: U32 },
  { name: 'ctratt', offset: 96, type: U32 },
  { name: 'rrls', offset: 100, type: U16 },
  { name: 'cntrltype', offset: 111, type: U8 },
  { name: 'fguid', offset: 112, type: UUID },
  { name: 'crdt1', offset: 128, type: U16 },
  { name: 'crdt2', offset: 130, type: U16 },
  { name: 'crdt3', offset: 132, type: U16 },
  { name: 'nvmsr', offset: 253, type: U8 },
  { name: 'vwci', offset: 254, type: U8 },
  { name: 'mec', offset: 255, type: U8 },
  { name: 'oacs', offset: 256, type: U16 },
  { name: 'acl', offset: 258, type: U8 },
  { name: 'aerl', offset: 259, type: U8 },
  { name: 'frmw', offset: 260, type: U8 },
  { name: 'lpa', offset: 261, type: U8 },
  { name: 'elpe', offset: 262, type: U8 },
  { name: 'npss', offset: 263, type: U8 },
  { name: 'avscc', offset: 264, type: U8 },
  { name: 'apsta', offset: 265, type: U8 },
  { name: 'wctemp', offset: 266, type: U16 },
  { name: 'cctemp', offset: 268, type: U16 },
  { name: 'mtfa', offset: 270, type: U16 },
  { name: 'hmpre', offset: 272, type: U32 },
  { name: 'hmmin', offset: 276, type: U32 },
  { name: 'tnvmcap', offset: 280, type: U128 },
  { name: 'unvmcap', offset: 296, type: U128 },
  { name: 'rpmbs', offset: 312, type: U32 },
  { name: 'edstt', offset: 316, type: U16 },
  { name: 'dsto', offset: 318, type: U8 },
  { name: 'fwug', offset: 319, type: U8 },
  { name: 'kas', offset: 320, type: U16 },
  { name: 'hctma', offset: 322, type: U16 },
  { name: 'mntmt', offset: 324, type: U16 },
  { name: 'mxtmt', offset: 326, type: U16 },
  { name: 'sanicap', offset: 328, type: U32 },
  { name: 'hmminds', offset: 332, type: U32 },
  { name: 'hmmaxd', offset: 336, type: U16 },
  { name: 'nsetidmax', offset: 338, type: U16 },
  { name: 'endgidmax', offset: 340, type: U16 },
  { name: 'anatt', offset: 342, type: U8 },
  { name: 'anacap', offset: 343, type: U8 },
  { name: 'anagrpmax', offset: 344, type: U32 },
  { name: 'nanagrpid', offset: 348, type: U32 },
  { name: 'pels', offset: 352, type: U32 },
  { name: 'domainid', offset: 356, type: U16 },
  { name: 'sqes', offset: 512, type: U8 },
  { name: 'cqes', offset: 513, type: U8 },
  { name: 'maxcmd', offset: 514, type: U16 },
  { name: 'nn', offset: 516, type: U32 },
  { name: 'oncs', offset: 520, type: U16 },
  { name: 'fuses', offset: 522, type: U16 },
  { name: 'fna', offset: 524, type: U8 },
  { name: 'vwc', offset: 525, type: U8 },
  { name: 'awun', offset: 526, type: U16 },
  { name: 'awupf', offset: 528, type: U16 },
  { name: 'icsvscc', offset: 530, type: U8 },
  { name: 'nwpc', offset: 531, type: U8 },
  { name: 'acwu', offset: 532, type: U16 },
  { name: 'ocfs', offset: 534, type: U16 },
  { name: 'sgls', offset: 536, type: U32 },
  { name: 'mnan', offset: 540, type: U32 },
  { name: 'maxcna', offset: 560, type: U32 },
  { name: 'subnqn', offset: 768, type: NQN },
  { name: 'ioccsz', offset: 1792, type: U32 },
  { name: 'iorcsz', offset: 1796, type: U32 },
  { name: 'icdoff', offset: 1800, type: U16 },
  { name: 'fcatt', offset: 1802, type: U8 },
  { name: 'msdbd', offset: 1803, type: U8 },
  { name: 'ofcs', offset: 1804, type: U16 },
  { name: 'dctype', offset: 1806, type: U8 },
];

/** Byte offsets of Identify Controller fields, for tests and error locations. */
export const IdentifyControllerOffset: Readonly<Record<keyof IdentifyController & string, number>> = Object.freeze({
  ...(Object.fromEntries(CTRL_FIELDS.map((spec) => [spec.name, spec.offset])) as Record<keyof IdentifyController & string, number>),
  psd: PSD_OFFSET,
});

export function encodeIdentifyController(ctrl: IdentifyController): Uint8Array {
  const out = new Uint8Array(IDENTIFY_DATA_LENGTH);
  encodeFields(out, CTRL_FIELDS, ctrl, 'identify controller');
  if (ctrl.psd.length > MAX_POWER_STATES) throw new RangeError(`identify controller.psd: ${ctrl.psd.length} > ${MAX_POWER_STATES} entries`);
  ctrl.psd.forEach((psd, index) => {
    const base = PSD_OFFSET + index * POWER_STATE_BYTES;
    encodeFields(out.subarray(base, base + POWER_STATE_BYTES), PSD_FIELDS, psd, `identify controller.psd[${index}]`);
  });
  return out;
}

export function decodeIdentifyController(bytes: Uint8Array): IdentifyController {
  requireLength(bytes, IDENTIFY_DATA_LENGTH, 'decodeIdentifyController');
  const fields = decodeFields(bytes, CTRL_FIELDS, 'identify controller');
  const npss = fields['npss'] as number;
  const psd: PowerStateDescriptor[] = [];
  for (let index = 0; index <= Math.min(npss, MAX_POWER_STATES - 1); index++) {
    const base = PSD_OFFSET + index * POWER_STATE_BYTES;
    psd.push(decodeFields(bytes.subarray(base, base + POWER_STATE_BYTES), PSD_FIELDS, 'psd') as unknown as PowerStateDescriptor);
  }
  return { ...(fields as unknown as Omit<IdentifyController, 'psd'>), psd };
}

/** A power state descriptor with every field zero. */
export function emptyPowerState(): PowerStateDescriptor {
  return { mp: 0, flags: 0, enlat: 0, exlat: 0, rrt: 0, rrl: 0, rwt: 0, rwl: 0, idlp: 0, ips: 0, actp: 0, apws: 0 };
}

export interface IdentifyControllerInit {
  readonly sn: string;
  readonly mn: string;
  readonly fr: string;
  readonly cntlid: number;
  readonly subnqn: string;
  /** VS value; must equal the VS property. */
  readonly ver: number;
  /** Default ControllerType.IO. */
  readonly cntrltype?: number;
  /** In-capsule data bytes accepted on I/O queues (sets IOCCSZ); default 8192; 0 disables. */
  readonly inCapsuleDataSize?: number;
}

/**
 * An Identify Controller shaped like Linux nvmet's (target/admin-cmd.c nvmet_execute_identify_ctrl
 * and target/discovery.c nvmet_execute_disc_identify), with fields not listed in `init` taken from
 * `overrides` or defaulted. Deliberate differences from nvmet, so a small target need not implement
 * more log pages: CMIC has no ANA bit (no ANA log), LPA lacks CMD_EFFECTS (no LID 05h read during
 * host init), CTRATT has HID_128_BIT but not TBKAS.
 */
export function defaultIdentifyController(init: IdentifyControllerInit, overrides: Partial<IdentifyController> = {}): IdentifyController {
  const discovery = (init.cntrltype ?? ControllerType.IO) === ControllerType.DISCOVERY;
  const inCapsule = init.inCapsuleDataSize ?? 8192;
  if (!Number.isInteger(inCapsule) || inCapsule < 0 || inCapsule % 16 !== 0) {
    throw new RangeError(`defaultIdentifyController: inCapsuleDataSize ${inCapsule} is not a multiple of 16`);
  }
  const base: IdentifyController = {
    vid: 0,
    ssvid: 0,
    sn: init.sn,
    mn: init.mn,
    fr: init.fr,
    rab: 6,
    ieee: 0,
    cmic: discovery ? 0 : Cmic.MULTI_PORT | Cmic.MULTI_CTRL,
    mdts: 0,
    cntlid: init.cntlid,
    ver: init.ver,
    rtd3r: 0,
    rtd3e: 0,
    oaes: discovery ? Oaes.DISC_CHANGE : Oaes.NS_ATTR,
    ctratt: discovery ? 0 : Ctratt.HID_128_BIT,
    rrls: 0,
    cntrltype: init.cntrltype ?? ControllerType.IO,
    fguid: '00000000-0000-0000-0000-000000000000',
    crdt1: 0,
    crdt2: 0,
    crdt3: 0,
    nvmsr: 0,
    vwci: 0,
    mec: 0,
    oacs: 0,
    // nvmet: "no point in allowing more abort commands than the spec requires" (acl 3 = 4 aborts).
    acl: 3,
    // nvmet NVMET_ASYNC_EVENTS - 1: four outstanding AERs per controller.
    aerl: 3,
    // nvmet: first slot read-only, one slot.
    frmw: discovery ? 0 : 0x03,
    lpa: discovery ? Lpa.EXTENDED_DATA : Lpa.SMART_PER_NS | Lpa.EXTENDED_DATA,
    // nvmet NVMET_ERROR_LOG_SLOTS - 1.
    elpe: discovery ? 0 : 127,
    npss: 0,
    avscc: 0,
    apsta: 0,
    wctemp: 0,
    cctemp: 0,
    mtfa: 0,
    hmpre: 0,
    hmmin: 0,
    tnvmcap: 0n,
    unvmcap: 0n,
    rpmbs: 0,
    edstt: 0,
    dsto: 0,
    fwug: 0,
    // nvmet NVMET_KAS: keep-alive granularity of 1 s (10 x 100 ms).
    kas: 10,
    hctma: 0,
    mntmt: 0,
    mxtmt: 0,
    sanicap: 0,
    hmminds: 0,
    hmmaxd: 0,
    nsetidmax: 0,
    endgidmax: 0,
    anatt: 0,
    anacap: 0,
    anagrpmax: 0,
    nanagrpid: 0,
    pels: 0,
    domainid: 0,
    sqes: discovery ? 0 : 0x66,
    cqes: discovery ? 0 : 0x44,
    maxcmd: 128,
    nn: discovery ? 0 : 1024,
    oncs: discovery ? 0 : Oncs.DSM | Oncs.WRITE_ZEROES,
    fuses: 0,
    fna: 0,
    vwc: discovery ? 0 : Vwc.PRESENT,
    awun: 0,
    awupf: 0,
    icsvscc: 0,
    nwpc: 0,
    acwu: 0,
    ocfs: 0,
    sgls: (Sgls.SUPPORTED | (inCapsule > 0 ? Sgls.OFFSET : 0)) >>> 0,
    mnan: discovery ? 0 : 1024,
    maxcna: 0,
    subnqn: init.subnqn,
    // nvmet: "Max command capsule size is sqe + in-capsule data size"; discovery gets no in-capsule data.
    ioccsz: (64 + (discovery ? 0 : inCapsule)) / 16,
    // nvmet: "Max response capsule size is cqe".
    iorcsz: 16 / 16,
    icdoff: 0,
    fcatt: 0,
    msdbd: 1,
    ofcs: 0,
    dctype: 0,
    // nvmet: "Fake up the same values that qemu does."
    psd: [{ ...emptyPowerState(), mp: 0x9c4, enlat: 0x10, exlat: 0x4 }],
  };
  return { ...base, ...overrides };
}

// ---- NVM command set Identify Controller (CNS 06h, CSI 00h; NVM Command Set 1.0 Figure 102) ----

export interface IdentifyControllerNvm {
  /** Verify size limit (2^n minimum pages; 0 = none). */
  readonly vsl: number;
  /** Write Zeroes size limit. */
  readonly wzsl: number;
  /** Write Uncorrectable size limit. */
  readonly wusl: number;
  /** DSM ranges limit, DSM range size limit (blocks), DSM size limit (blocks); 0 = none. */
  readonly dmrl: number;
  readonly dmrsl: number;
  readonly dmsl: number;
}

const CTRL_NVM_FIELDS: readonly FieldSpec<IdentifyControllerNvm>[] = [
  { name: 'vsl', offset: 0, type: U8 },
  { name: 'wzsl', offset: 1, type: U8 },
  { name: 'wusl', offset: 2, type: U8 },
  { name: 'dmrl', offset: 3, type: U8 },
  { name: 'dmrsl', offset: 4, type: U32 },
  { name: 'dmsl', offset: 8, type: U64 },
];

export function encodeIdentifyControllerNvm(nvm: IdentifyControllerNvm): Uint8Array {
  const out = new Uint8Array(IDENTIFY_DATA_LENGTH);
  encodeFields(out, CTRL_NVM_FIELDS, nvm, 'identify controller nvm');
  return out;
}

export function decodeIdentifyControllerNvm(bytes: Uint8Array): IdentifyControllerNvm {
  requireLength(bytes, IDENTIFY_DATA_LENGTH, 'decodeIdentifyControllerNvm');
  return decodeFields(bytes, CTRL_NVM_FIELDS, 'identify controller nvm') as unknown as IdentifyControllerNvm;
}

// ---- Identify Namespace (CNS 00h; NVM Command Set 1.0 section 4.1.5.1, Figure 97) ----

export interface LbaFormat {
  /** Metadata bytes per block. */
  readonly ms: number;
  /** log2 of the block size (9 = 512, 12 = 4096). */
  readonly lbads: number;
  /** Relative performance, bits 1:0 (0 best). */
  readonly rp: number;
}

/** NSFEAT bits (nvme.h NVME_NS_FEAT_*). */
export const Nsfeat = { THIN: 1 << 0, ATOMICS: 1 << 1, DEALLOCATED_ERROR: 1 << 2, UID_REUSE: 1 << 3, IO_OPT: 1 << 4 } as const;
/** NMIC bit 0: the namespace may be attached to more than one controller (nvmet always sets it). */
export const Nmic = { SHARED: 1 << 0 } as const;
/** NSATTR bit 0: write protected (nvme.h NVME_NS_ATTR_RO). */
export const Nsattr = { READ_ONLY: 1 << 0 } as const;

export interface IdentifyNamespace {
  /** Size, capacity and utilisation in logical blocks. */
  readonly nsze: number;
  readonly ncap: number;
  readonly nuse: number;
  readonly nsfeat: number;
  /** Number of LBA formats, 0's based; must equal lbaf.length - 1. */
  readonly nlbaf: number;
  /** Formatted LBA size: index into lbaf in bits 3:0 (and 6:5 for index > 15). */
  readonly flbas: number;
  readonly mc: number;
  readonly dpc: number;
  readonly dps: number;
  readonly nmic: number;
  readonly rescap: number;
  readonly fpi: number;
  readonly dlfeat: number;
  readonly nawun: number;
  readonly nawupf: number;
  readonly nacwu: number;
  readonly nabsn: number;
  readonly nabo: number;
  readonly nabspf: number;
  readonly noiob: number;
  readonly nvmcap: bigint;
  readonly npwg: number;
  readonly npwa: number;
  readonly npdg: number;
  readonly npda: number;
  readonly nows: number;
  readonly mssrl: number;
  readonly mcl: number;
  readonly msrc: number;
  readonly nulbaf: number;
  readonly anagrpid: number;
  readonly nsattr: number;
  readonly nvmsetid: number;
  readonly endgid: number;
  /** Namespace globally unique identifier, 32 hex digits. */
  readonly nguid: string;
  /** IEEE extended unique identifier, 16 hex digits. */
  readonly eui64: string;
  readonly lbaf: readonly LbaFormat[];
}

const NS_FIELDS: readonly FieldSpec<IdentifyNamespace>[] = [
  { name: 'nsze', offset: 0, type: U64 },
  { name: 'ncap', offset: 8, type: U64 },
  { name: 'nuse', offset: 16, type: U64 },
  { name: 'nsfeat', offset: 24, type: U8 },
  { name: 'nlbaf', offset: 25, type: U8 },
  { name: 'flbas', offset: 26, type: U8 },
  { name: 'mc', offset: 27, type: U8 },
  { name: 'dpc', offset: 28, type: U8 },
  { name: 'dps', offset: 29, type: U8 },
  { name: 'nmic', offset: 30, type: U8 },
  { name: 'rescap', offset: 31, type: U8 },
  { name: 'fpi', offset: 32, type: U8 },
  { name: 'dlfeat', offset: 33, type: U8 },
  { name: 'nawun', offset: 34, type: U16 },
  { name: 'nawupf', offset: 36, type: U16 },
  { name: 'nacwu', offset: 38, type: U16 },
  { name: 'nabsn', offset: 40, type: U16 },
  { name: 'nabo', offset: 42, type: U16 },
  { name: 'nabspf', offset: 44, type: U16 },
  { name: 'noiob', offset: 46, type: U16 },
  { name: 'nvmcap', offset: 48, type: U128 },
  { name: 'npwg', offset: 64, type: U16 },
  { name: 'npwa', offset: 66, type: U16 },
  { name: 'npdg', offset: 68, type: U16 },
  { name: 'npda', offset: 70, type: U16 },
  { name: 'nows', offset: 72, type: U16 },
  { name: 'mssrl', offset: 74, type: U16 },
  { name: 'mcl', offset: 76, type: U32 },
  { name: 'msrc', offset: 80, type: U8 },
  { name: 'nulbaf', offset: 81, type: U8 },
  { name: 'anagrpid', offset: 92, type: U32 },
  { name: 'nsattr', offset: 99, type: U8 },
  { name: 'nvmsetid', offset: 100, type: U16 },
  { name: 'endgid', offset: 102, type: U16 },
  { name: 'nguid', offset: 104, type: hex(16) },
  { name: 'eui64', offset: 120, type: hex(8) },
];

const LBAF_OFFSET = 128;
const LBAF_BYTES = 4;
const MAX_LBA_FORMATS = 64;

export const IdentifyNamespaceOffset: Readonly<Record<keyof IdentifyNamespace & string, number>> = Object.freeze({
  ...(Object.fromEntries(NS_FIELDS.map((spec) => [spec.name, spec.offset])) as Record<keyof IdentifyNamespace & string, number>),
  lbaf: LBAF_OFFSET,
});

export function encodeIdentifyNamespace(ns: IdentifyNamespace): Uint8Array {
  if (ns.lbaf.length !== ns.nlbaf + 1 || ns.lbaf.length > MAX_LBA_FORMATS) {
    throw new RangeError(`identify namespace: ${ns.lbaf.length} LBA formats but nlbaf ${ns.nlbaf} (0's based)`);
  }
  const out = new Uint8Array(IDENTIFY_DATA_LENGTH);
  encodeFields(out, NS_FIELDS, ns, 'identify namespace');
  const view = viewOf(out);
  ns.lbaf.forEach((format, index) => {
    const base = LBAF_OFFSET + index * LBAF_BYTES;
    view.setUint16(base, requireUint(format.ms, 16, `lbaf[${index}].ms`), true);
    view.setUint8(base + 2, requireUint(format.lbads, 8, `lbaf[${index}].lbads`));
    view.setUint8(base + 3, requireUint(format.rp, 2, `lbaf[${index}].rp`));
  });
  return out;
}

export function decodeIdentifyNamespace(bytes: Uint8Array): IdentifyNamespace {
  requireLength(bytes, IDENTIFY_DATA_LENGTH, 'decodeIdentifyNamespace');
  const fields = decodeFields(bytes, NS_FIELDS, 'identify namespace');
  const view = viewOf(bytes);
  const lbaf: LbaFormat[] = [];
  const count = Math.min((fields['nlbaf'] as number) + 1, MAX_LBA_FORMATS);
  for (let index = 0; index < count; index++) {
    const base = LBAF_OFFSET + index * LBAF_BYTES;
    lbaf.push({ ms: view.getUint16(base, true), lbads: view.getUint8(base + 2), rp: view.getUint8(base + 3) & 0x3 });
  }
  return { ...(fields as unknown as Omit<IdentifyNamespace, 'lbaf'>), lbaf };
}

/** The LBA format index selected by FLBAS (bits 3:0 low, bits 6:5 high; nvme.h nvme_lbaf_index). */
export function flbasIndex(flbas: number): number {
  return (flbas & 0xf) | (((flbas >> 5) & 0x3) << 4);
}

/** Block size in bytes of the formatted LBA format. */
export function namespaceBlockSize(ns: IdentifyNamespace): number {
  const format = ns.lbaf[flbasIndex(ns.flbas)];
  if (format === undefined) throw new RangeError(`namespace: flbas ${ns.flbas} selects a missing LBA format`);
  return 2 ** format.lbads;
}

/**
 * An Identify Namespace shaped like Linux nvmet's (admin-cmd.c nvmet_execute_identify_ns): one LBA
 * format, fully allocated, shared (NMIC), NGUID and EUI-64 as given.
 */
export function defaultIdentifyNamespace(
  init: { readonly blocks: number; readonly blockSize: number; readonly nguid?: string; readonly eui64?: string; readonly readOnly?: boolean },
  overrides: Partial<IdentifyNamespace> = {},
): IdentifyNamespace {
  const lbads = Math.log2(init.blockSize);
  if (!Number.isInteger(lbads) || lbads < 9) throw new RangeError(`defaultIdentifyNamespace: block size ${init.blockSize} is not a power of two >= 512`);
  const base: IdentifyNamespace = {
    nsze: init.blocks,
    ncap: init.blocks,
    nuse: init.blocks,
    nsfeat: 0,
    nlbaf: 0,
    flbas: 0,
    mc: 0,
    dpc: 0,
    dps: 0,
    nmic: Nmic.SHARED,
    rescap: 0,
    fpi: 0,
    dlfeat: 0,
    nawun: 0,
    nawupf: 0,
    nacwu: 0,
    nabsn: 0,
    nabo: 0,
    nabspf: 0,
    noiob: 0,
    nvmcap: 0n,
    npwg: 0,
    npwa: 0,
    npdg: 0,
    npda: 0,
    nows: 0,
    mssrl: 0,
    mcl: 0,
    msrc: 0,
    nulbaf: 0,
    anagrpid: 0,
    nsattr: init.readOnly === true ? Nsattr.READ_ONLY : 0,
    nvmsetid: 0,
    endgid: 0,
    nguid: init.nguid ?? '00000000000000000000000000000000',
    eui64: init.eui64 ?? '0000000000000000',
    lbaf: [{ ms: 0, lbads, rp: 0 }],
  };
  return { ...base, ...overrides };
}

// ---- Active Namespace ID list (CNS 02h) ----

const NS_LIST_ENTRIES = IDENTIFY_DATA_LENGTH / 4;

/**
 * Encodes the active NSIDs greater than `afterNsid` (the command's NSID), ascending, at most 1024,
 * zero-terminated (Base 2.0 section 5.17.2.2; nvmet_execute_identify_nslist).
 */
export function encodeActiveNsList(nsids: readonly number[], afterNsid = 0): Uint8Array {
  const out = new Uint8Array(IDENTIFY_DATA_LENGTH);
  const view = viewOf(out);
  const sorted = [...new Set(nsids)].filter((nsid) => nsid > afterNsid).sort((a, b) => a - b);
  sorted.slice(0, NS_LIST_ENTRIES).forEach((nsid, index) => view.setUint32(index * 4, requireUint(nsid, 32, 'nsid'), true));
  return out;
}

/** Reads NSIDs up to the first zero entry. */
export function decodeNsList(bytes: Uint8Array): number[] {
  requireLength(bytes, IDENTIFY_DATA_LENGTH, 'decodeNsList');
  const view = viewOf(bytes);
  const nsids: number[] = [];
  for (let index = 0; index < NS_LIST_ENTRIES; index++) {
    const nsid = view.getUint32(index * 4, true);
    if (nsid === 0) break;
    nsids.push(nsid);
  }
  return nsids;
}

// ---- Namespace Identification Descriptor list (CNS 03h; Base 2.0 Figure 277) ----

/** NIDT values and their fixed NIDL (nvme.h NVME_NIDT_*, NVME_NIDT_*_LEN). */
export const Nidt = { EUI64: 1, NGUID: 2, UUID: 3, CSI: 4 } as const;
const NIDL: Readonly<Record<number, number>> = { [Nidt.EUI64]: 8, [Nidt.NGUID]: 16, [Nidt.UUID]: 16, [Nidt.CSI]: 1 };

export interface NsDescriptor {
  readonly nidt: number;
  readonly nid: Uint8Array;
}

/**
 * Encodes descriptors: NIDT u8, NIDL u8, 2 reserved bytes, NID. The Linux host rejects a length
 * other than the type's fixed one ("Target returned bogus length", host/core.c nvme_process_ns_desc),
 * so this throws on one too.
 */
export function encodeNsDescriptorList(descriptors: readonly NsDescriptor[]): Uint8Array {
  const out = new Uint8Array(IDENTIFY_DATA_LENGTH);
  let offset = 0;
  for (const descriptor of descriptors) {
    const expected = NIDL[descriptor.nidt];
    if (expected === undefined) throw new RangeError(`ns descriptor: unknown nidt ${descriptor.nidt}`);
    if (descriptor.nid.byteLength !== expected) {
      throw new RangeError(`ns descriptor: nidt ${descriptor.nidt} needs ${expected} bytes, got ${descriptor.nid.byteLength}`);
    }
    if (offset + 4 + expected > IDENTIFY_DATA_LENGTH - 4) throw new RangeError('ns descriptor list: does not fit in 4096 bytes');
    out[offset] = descriptor.nidt;
    out[offset + 1] = expected;
    out.set(descriptor.nid, offset + 4);
    offset += 4 + expected;
  }
  return out;
}

/** Decodes descriptors up to the first with NIDL 0 (as Linux nvme_identify_ns_descs stops). */
export function decodeNsDescriptorList(bytes: Uint8Array): NsDescriptor[] {
  requireLength(bytes, IDENTIFY_DATA_LENGTH, 'decodeNsDescriptorList');
  const descriptors: NsDescriptor[] = [];
  let offset = 0;
  while (offset + 4 <= IDENTIFY_DATA_LENGTH) {
    const nidt = bytes[offset] ?? 0;
    const nidl = bytes[offset + 1] ?? 0;
    if (nidl === 0) break;
    if (offset + 4 + nidl > IDENTIFY_DATA_LENGTH) {
      throw new RangeError(`decodeNsDescriptorList: descriptor at ${offset} (nidl ${nidl}) runs past 4096 bytes`);
    }
    descriptors.push({ nidt, nid: bytes.slice(offset + 4, offset + 4 + nidl) });
    offset += 4 + nidl;
  }
  return descriptors;
}

/** Descriptors for the identifiers a namespace has (UUID string, hex NGUID/EUI-64, CSI). */
export function nsDescriptorsFor(ids: { readonly eui64?: string; readonly nguid?: string; readonly uuid?: string; readonly csi?: number }): NsDescriptor[] {
  const out: NsDescriptor[] = [];
  if (ids.eui64 !== undefined) out.push({ nidt: Nidt.EUI64, nid: bytesFromHex(ids.eui64, 8, 'eui64') });
  if (ids.nguid !== undefined) out.push({ nidt: Nidt.NGUID, nid: bytesFromHex(ids.nguid, 16, 'nguid') });
  if (ids.uuid !== undefined) out.push({ nidt: Nidt.UUID, nid: uuidToBytes(ids.uuid) });
  if (ids.csi !== undefined) out.push({ nidt: Nidt.CSI, nid: Uint8Array.of(requireUint(ids.csi, 8, 'csi')) });
  return out;
}
