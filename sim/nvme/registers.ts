// Controller properties, the Fabrics stand-in for PCIe registers, read and written with Property
// Get/Set (NVMe Base Specification 2.0, section 3.1.3, Figure 33 "Offset / Property"; Linux
// include/linux/nvme.h NVME_REG_*, NVME_CAP_*, NVME_CC_*, NVME_CSTS_*). CAP is 8 bytes; VS, CC, CSTS
// and NSSR are 4 bytes.

/** Property offsets (nvme.h enum NVME_REG_*). */
export const RegisterOffset = {
  CAP: 0x00,
  VS: 0x08,
  INTMS: 0x0c,
  INTMC: 0x10,
  CC: 0x14,
  CSTS: 0x1c,
  NSSR: 0x20,
} as const;

/** Access size of each defined property (spec Figure 33). */
export function registerSize(offset: number): 4 | 8 | undefined {
  switch (offset) {
    case RegisterOffset.CAP:
      return 8;
    case RegisterOffset.VS:
    case RegisterOffset.INTMS:
    case RegisterOffset.INTMC:
    case RegisterOffset.CC:
    case RegisterOffset.CSTS:
    case RegisterOffset.NSSR:
      return 4;
    default:
      return undefined;
  }
}

/** NSSR value that requests an NVM subsystem reset ("NVMe" in ASCII, nvme.h NVME_SUBSYS_RESET). */
export const NSSR_RESET = 0x4e564d65;

// ---- CAP (Base 2.0 section 3.1.3.1) ----

/** CAP.CSS bits (CAP bits 44:37; nvme.h NVME_CAP_CSS_*). */
export const CapCss = {
  /** NVM command set. */
  NVM: 1 << 0,
  /** One or more I/O command sets: the Linux host then sets CC.CSS to 110b and uses CSI-aware Identify. */
  CSI: 1 << 6,
  /** No I/O command set (admin only, e.g. a discovery controller). */
  NO_IO: 1 << 7,
} as const;

export interface Cap {
  /** Maximum queue entries supported, 0's based (bits 15:0). */
  readonly mqes: number;
  /** Contiguous queues required (bit 16). */
  readonly cqr: boolean;
  /** Arbitration mechanisms supported (bits 18:17). */
  readonly ams: number;
  /** Worst-case time to CSTS.RDY after CC.EN changes, in 500 ms units (bits 31:24). */
  readonly to: number;
  /** Doorbell stride (bits 35:32). */
  readonly dstrd: number;
  /** NVM subsystem reset supported (bit 36). */
  readonly nssrs: boolean;
  /** Command sets supported (bits 44:37, CapCss). */
  readonly css: number;
  /** Boot partition support (bit 45). */
  readonly bps: boolean;
  /** Minimum memory page size, 2^(12+MPSMIN) (bits 51:48). */
  readonly mpsmin: number;
  /** Maximum memory page size, 2^(12+MPSMAX) (bits 55:52). */
  readonly mpsmax: number;
}

function bits(value: bigint, low: number, width: number): number {
  return Number((value >> BigInt(low)) & ((1n << BigInt(width)) - 1n));
}

function field(value: number, low: number, width: number, what: string): bigint {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** width) {
    throw new RangeError(`${what}: ${value} does not fit in ${width} bits`);
  }
  return BigInt(value) << BigInt(low);
}

export function encodeCap(cap: Cap): bigint {
  return (
    field(cap.mqes, 0, 16, 'cap.mqes') |
    field(cap.cqr ? 1 : 0, 16, 1, 'cap.cqr') |
    field(cap.ams, 17, 2, 'cap.ams') |
    field(cap.to, 24, 8, 'cap.to') |
    field(cap.dstrd, 32, 4, 'cap.dstrd') |
    field(cap.nssrs ? 1 : 0, 36, 1, 'cap.nssrs') |
    field(cap.css, 37, 8, 'cap.css') |
    field(cap.bps ? 1 : 0, 45, 1, 'cap.bps') |
    field(cap.mpsmin, 48, 4, 'cap.mpsmin') |
    field(cap.mpsmax, 52, 4, 'cap.mpsmax')
  );
}

export function decodeCap(value: bigint): Cap {
  return {
    mqes: bits(value, 0, 16),
    cqr: bits(value, 16, 1) === 1,
    ams: bits(value, 17, 2),
    to: bits(value, 24, 8),
    dstrd: bits(value, 32, 4),
    nssrs: bits(value, 36, 1) === 1,
    css: bits(value, 37, 8),
    bps: bits(value, 45, 1) === 1,
    mpsmin: bits(value, 48, 4),
    mpsmax: bits(value, 52, 4),
  };
}

/**
 * A CAP like Linux nvmet's (target/core.c nvmet_init_cap): NVM command set, TO 15 (7.5 s), MQES
 * from the queue size. Unlike nvmet it does not set CSS bit 6 by default, so the Linux host stays
 * on CC.CSS = NVM and plain Identify CNS values.
 */
export function defaultCap(init: { readonly maxQueueEntries: number; readonly css?: number }): Cap {
  if (!Number.isInteger(init.maxQueueEntries) || init.maxQueueEntries < 2 || init.maxQueueEntries > 0x10000) {
    throw new RangeError(`defaultCap: maxQueueEntries ${init.maxQueueEntries} is not in 2..65536`);
  }
  return {
    mqes: init.maxQueueEntries - 1,
    cqr: false,
    ams: 0,
    to: 15,
    dstrd: 0,
    nssrs: false,
    css: init.css ?? CapCss.NVM,
    bps: false,
    mpsmin: 0,
    mpsmax: 0,
  };
}

// ---- VS (Base 2.0 section 3.1.3.2): MJR bits 31:16, MNR 15:8, TER 7:0 (nvme.h NVME_VS) ----

export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly tertiary: number;
}

export function encodeVersion(version: { readonly major: number; readonly minor: number; readonly tertiary?: number }): number {
  return Number(
    field(version.major, 16, 16, 'vs.major') | field(version.minor, 8, 8, 'vs.minor') | field(version.tertiary ?? 0, 0, 8, 'vs.tertiary'),
  );
}

export function decodeVersion(value: number): Version {
  return { major: value >>> 16, minor: (value >>> 8) & 0xff, tertiary: value & 0xff };
}

/** "1.3" or "2.0.1", as nvme-cli prints VER. */
export function formatVersion(value: number): string {
  const { major, minor, tertiary } = decodeVersion(value);
  return tertiary === 0 ? `${major}.${minor}` : `${major}.${minor}.${tertiary}`;
}

export const NVME_VS_1_3 = 0x00010300;
export const NVME_VS_1_4 = 0x00010400;
export const NVME_VS_2_0 = 0x00020000;

// ---- CC (Base 2.0 section 3.1.3.5) ----

/** CC.SHN (bits 15:14). */
export const ShutdownNotification = { NONE: 0, NORMAL: 1, ABRUPT: 2 } as const;
/** CC.CSS (bits 6:4): 000b NVM, 110b all supported I/O command sets, 111b admin only. */
export const CcCss = { NVM: 0, CSI: 6, ADMIN_ONLY: 7 } as const;

export interface Cc {
  /** Enable (bit 0). */
  readonly en: boolean;
  /** I/O command set selected (bits 6:4). */
  readonly css: number;
  /** Memory page size 2^(12+MPS) (bits 10:7). */
  readonly mps: number;
  /** Arbitration mechanism (bits 13:11). */
  readonly ams: number;
  /** Shutdown notification (bits 15:14). */
  readonly shn: number;
  /** I/O SQ entry size, log2 (bits 19:16); Linux writes 6 (64 bytes). */
  readonly iosqes: number;
  /** I/O CQ entry size, log2 (bits 23:20); Linux writes 4 (16 bytes). */
  readonly iocqes: number;
}

export function encodeCc(cc: Cc): number {
  return Number(
    field(cc.en ? 1 : 0, 0, 1, 'cc.en') |
      field(cc.css, 4, 3, 'cc.css') |
      field(cc.mps, 7, 4, 'cc.mps') |
      field(cc.ams, 11, 3, 'cc.ams') |
      field(cc.shn, 14, 2, 'cc.shn') |
      field(cc.iosqes, 16, 4, 'cc.iosqes') |
      field(cc.iocqes, 20, 4, 'cc.iocqes'),
  );
}

export function decodeCc(value: number): Cc {
  const big = BigInt(value >>> 0);
  return {
    en: bits(big, 0, 1) === 1,
    css: bits(big, 4, 3),
    mps: bits(big, 7, 4),
    ams: bits(big, 11, 3),
    shn: bits(big, 14, 2),
    iosqes: bits(big, 16, 4),
    iocqes: bits(big, 20, 4),
  };
}

// ---- CSTS (Base 2.0 section 3.1.3.6) ----

/** CSTS.SHST (bits 3:2). */
export const ShutdownStatus = { NORMAL: 0, OCCURRING: 1, COMPLETE: 2 } as const;

export interface Csts {
  /** Ready (bit 0). */
  readonly rdy: boolean;
  /** Controller fatal status (bit 1): the Linux host resets the controller when it sees it. */
  readonly cfs: boolean;
  /** Shutdown status (bits 3:2). */
  readonly shst: number;
  /** NVM subsystem reset occurred (bit 4). */
  readonly nssro: boolean;
  /** Processing paused (bit 5). */
  readonly pp: boolean;
}

export function encodeCsts(csts: Csts): number {
  return Number(
    field(csts.rdy ? 1 : 0, 0, 1, 'csts.rdy') |
      field(csts.cfs ? 1 : 0, 1, 1, 'csts.cfs') |
      field(csts.shst, 2, 2, 'csts.shst') |
      field(csts.nssro ? 1 : 0, 4, 1, 'csts.nssro') |
      field(csts.pp ? 1 : 0, 5, 1, 'csts.pp'),
  );
}

export function decodeCsts(value: number): Csts {
  const big = BigInt(value >>> 0);
  return {
    rdy: bits(big, 0, 1) === 1,
    cfs: bits(big, 1, 1) === 1,
    shst: bits(big, 2, 2),
    nssro: bits(big, 4, 1) === 1,
    pp: bits(big, 5, 1) === 1,
  };
}
