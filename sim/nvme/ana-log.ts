// The Asymmetric Namespace Access log page (LID 0Ch; NVMe Base 2.0 section 5.16.1.13, Figures 221
// and 222; Linux include/linux/nvme.h struct nvme_ana_rsp_hdr / nvme_ana_group_desc). A 16-byte
// header (change count, group count) is followed by one descriptor per ANA group: its ID, its
// namespace count, its own change count, its state on the controller that was asked, and the NSIDs.
// With RGO ("return groups only", LSP bit 0) the descriptors carry no NSIDs.
import { readU64Number, requireLength, requireUint, viewOf, writeU64Number } from './strings.js';

/** ANA states (Base 2.0 Figure 222, ANA State; nvme.h enum nvme_ana_state). */
export const AnaState = {
  OPTIMIZED: 0x01,
  NON_OPTIMIZED: 0x02,
  INACCESSIBLE: 0x03,
  PERSISTENT_LOSS: 0x04,
  CHANGE: 0x0f,
} as const;
export type AnaStateCode = (typeof AnaState)[keyof typeof AnaState];

/** Names as nvmet's configfs ana_state and nvme-cli print them. */
export const ANA_STATE_NAMES: ReadonlyMap<AnaStateCode, string> = new Map([
  [AnaState.OPTIMIZED, 'optimized'],
  [AnaState.NON_OPTIMIZED, 'non-optimized'],
  [AnaState.INACCESSIBLE, 'inaccessible'],
  [AnaState.PERSISTENT_LOSS, 'persistent-loss'],
  [AnaState.CHANGE, 'change'],
]);

/** Get Log Page LSP bit for the ANA log: Return Groups Only (NVME_ANA_LOG_RGO). */
export const ANA_LOG_RGO = 1 << 0;
export const ANA_LOG_HEADER_BYTES = 16;
export const ANA_GROUP_DESC_BYTES = 32;

export interface AnaGroupDescriptor {
  readonly grpid: number;
  readonly chgcnt: number;
  readonly state: AnaStateCode;
  /** Empty when the log was read with RGO. */
  readonly nsids: readonly number[];
}

export interface AnaLog {
  readonly chgcnt: number;
  readonly groups: readonly AnaGroupDescriptor[];
}

/** Bytes of a log with these descriptors (what a host must read to see all of it). */
export function anaLogBytes(groups: readonly { readonly nsids: readonly number[] }[]): number {
  return groups.reduce((sum, group) => sum + ANA_GROUP_DESC_BYTES + 4 * group.nsids.length, ANA_LOG_HEADER_BYTES);
}

/**
 * The most a host must read for a controller that reports NANAGRPID groups and MNAN namespaces:
 * Linux nvme_mpath_init_identify sizes its buffer the same way.
 */
export function maxAnaLogBytes(groups: number, namespaces: number): number {
  return ANA_LOG_HEADER_BYTES + groups * ANA_GROUP_DESC_BYTES + namespaces * 4;
}

export function encodeAnaLog(log: AnaLog): Uint8Array {
  const out = new Uint8Array(anaLogBytes(log.groups));
  const view = viewOf(out);
  writeU64Number(view, 0, log.chgcnt, 'ana chgcnt');
  view.setUint16(8, requireUint(log.groups.length, 16, 'ana ngrps'), true);
  let offset = ANA_LOG_HEADER_BYTES;
  for (const group of log.groups) {
    view.setUint32(offset, requireUint(group.grpid, 32, 'ana grpid'), true);
    view.setUint32(offset + 4, group.nsids.length, true);
    writeU64Number(view, offset + 8, group.chgcnt, 'ana group chgcnt');
    out[offset + 16] = requireUint(group.state, 8, 'ana state');
    offset += ANA_GROUP_DESC_BYTES;
    for (const nsid of group.nsids) {
      view.setUint32(offset, requireUint(nsid, 32, 'ana nsid'), true);
      offset += 4;
    }
  }
  return out;
}

/**
 * Parses a log read from a peer. A descriptor that runs past the bytes read, a group ID of 0, or a
 * state the specification does not define is an error (Linux nvme_parse_ana_log rejects the same:
 * "invalid ANA group descriptor").
 */
export function decodeAnaLog(bytes: Uint8Array): AnaLog {
  requireLength(bytes, ANA_LOG_HEADER_BYTES, 'ana log header');
  const view = viewOf(bytes);
  const chgcnt = readU64Number(view, 0, 'ana chgcnt');
  const ngrps = view.getUint16(8, true);
  const groups: AnaGroupDescriptor[] = [];
  let offset = ANA_LOG_HEADER_BYTES;
  for (let index = 0; index < ngrps; index++) {
    if (offset + ANA_GROUP_DESC_BYTES > bytes.byteLength) throw new RangeError(`ana log: descriptor ${index} runs past ${bytes.byteLength} bytes`);
    const grpid = view.getUint32(offset, true);
    const nnsids = view.getUint32(offset + 4, true);
    const groupChgcnt = readU64Number(view, offset + 8, 'ana group chgcnt');
    const state = bytes[offset + 16] ?? 0;
    if (grpid === 0) throw new RangeError(`ana log: descriptor ${index} has group ID 0`);
    if (!ANA_STATE_NAMES.has(state as AnaStateCode)) throw new RangeError(`ana log: group ${grpid} has undefined state 0x${state.toString(16)}`);
    offset += ANA_GROUP_DESC_BYTES;
    if (offset + 4 * nnsids > bytes.byteLength) throw new RangeError(`ana log: group ${grpid} lists ${nnsids} NSIDs past ${bytes.byteLength} bytes`);
    const nsids: number[] = [];
    for (let n = 0; n < nnsids; n++) nsids.push(view.getUint32(offset + 4 * n, true));
    offset += 4 * nnsids;
    groups.push({ grpid, chgcnt: groupChgcnt, state: state as AnaStateCode, nsids });
  }
  return { chgcnt, groups };
}
