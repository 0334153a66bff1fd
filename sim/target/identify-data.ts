// The Identify data this target returns, shaped like Linux nvmet's (drivers/nvme/target/admin-cmd.c
// nvmet_execute_identify_ctrl / _ns / _nslist / _desclist, discovery.c nvmet_execute_disc_identify).
// As nvmet, an I/O controller reports multi-port, multi-controller and ANA in CMIC, every ANA state
// in ANACAP, and 128 ANA groups; the Linux host then reads the ANA log (LID 0Ch, ana-log-page.ts)
// and joins controllers of one subsystem under one namespace head. Difference from nvmet: MDTS is
// finite (nvmet-tcp reports 0).
import { ControllerType, Csi } from '../nvme/index.js';
import { Cmic } from '../nvme/index.js';
import {
  Ctratt,
  defaultIdentifyController,
  defaultIdentifyNamespace,
  encodeIdentifyController,
  encodeIdentifyNamespace,
  encodeNsDescriptorList,
  Lpa,
  Nidt,
  Oaes,
  Sgls,
} from '../nvme/index.js';
import type { NsDescriptor } from '../nvme/index.js';
import { bytesFromHex, uuidToBytes } from '../nvme/index.js';
import { ANA_GROUP_MAX, versionToVs } from './config.js';
import type { Controller } from './controller.js';
import type { LiveNamespace } from './model.js';
import type { AnaStateName } from './config.js';
import type { CommandContext } from './command-context.js';

/** ANA Transition Time: how long a group may stay in the change state (nvmet reports 10 s). */
export const ANATT_SECONDS = 10;

/** NVMET_MAX_NAMESPACES: NN and MNAN (at least; a larger configured NSID raises NN). */
const MAX_NAMESPACES = 1024;
/** NVMET_KAS: keep-alive granularity 1 s (10 x 100 ms). */
const KAS_100MS = 10;
/** CQE size in 16-byte units: a response capsule is a bare CQE (IORCSZ). */
const IORCSZ = 1;
/** SQE size; IOCCSZ counts it plus the in-capsule data in 16-byte units. */
const SQE_BYTES = 64;

export function identifyController(queue: CommandContext, controller: Controller): Uint8Array {
  const sub = controller.subsystem;
  const inline = queue.port.inlineDataSize;
  const discovery = controller.isDiscovery;
  const common = {
    sn: sub.serial,
    mn: sub.model,
    fr: sub.firmware,
    cntlid: controller.cntlid,
    subnqn: sub.nqn,
    ver: versionToVs(sub.version),
  };
  const maxcmd = Math.min(queue.ctx.options.maxQueueSize, 0xffff);
  // nvmet: SGLs always; offsets in data block descriptors when the port takes in-capsule data.
  const sgls = (Sgls.SUPPORTED | (inline > 0 ? Sgls.OFFSET : 0)) >>> 0;
  if (discovery) {
    const id = defaultIdentifyController(
      { ...common, cntrltype: ControllerType.DISCOVERY, inCapsuleDataSize: 0 },
      {
        // nvmet_execute_disc_identify sets neither capsule sizes nor MSDBD.
        ioccsz: 0,
        iorcsz: 0,
        msdbd: 0,
        lpa: Lpa.EXTENDED_DATA,
        oaes: Oaes.DISC_CHANGE,
        maxcmd,
        sgls,
        kas: KAS_100MS,
      },
    );
    return encodeIdentifyController(id);
  }
  let nn = MAX_NAMESPACES;
  for (const nsid of sub.namespaces.keys()) nn = Math.max(nn, nsid);
  const id = defaultIdentifyController(
    { ...common, cntrltype: ControllerType.IO, inCapsuleDataSize: inline - (inline % 16) },
    {
      ieee: Number.parseInt(sub.ieeeOui.slice(2), 16),
      mdts: queue.ctx.options.mdts,
      // nvmet: SMART per namespace, Commands Supported and Effects, extended data for Get Log Page.
      lpa: Lpa.SMART_PER_NS | Lpa.CMD_EFFECTS | Lpa.EXTENDED_DATA,
      // nvmet: 128-bit host identifier and traffic based keep alive (the timer restarts on any command).
      ctratt: Ctratt.HID_128_BIT | Ctratt.TBKAS,
      maxcmd,
      nn,
      mnan: MAX_NAMESPACES,
      sgls,
      // Max command capsule size is sqe + in-capsule data size (nvmet: cmd_capsule_size / 16).
      ioccsz: Math.floor((SQE_BYTES + inline) / 16),
      iorcsz: IORCSZ,
      kas: KAS_100MS,
      // OAES = NVMET_AEN_CFG_OPTIONAL: namespace attribute and ANA change notices. A host enables
      // only the notices OAES offers (Linux nvme_enable_aen), so without ANA_CHANGE it never hears of one.
      oaes: Oaes.NS_ATTR | Oaes.ANA_CHANGE,
      // "we support multiple ports, multiples hosts and ANA" (nvmet_execute_identify_ctrl).
      cmic: Cmic.MULTI_PORT | Cmic.MULTI_CTRL | Cmic.ANA,
      // ANACAP bits 0-4: optimized, non-optimized, inaccessible, persistent loss and change states
      // are all reported. ANATT 10 s, nvmet's value. ANAGRPMAX = NANAGRPID = NVMET_MAX_ANAGRPS.
      anacap: 0x1f,
      anatt: ANATT_SECONDS,
      anagrpmax: ANA_GROUP_MAX,
      nanagrpid: ANA_GROUP_MAX,
    },
  );
  return encodeIdentifyController(id);
}

/**
 * nvmet_execute_identify_ns: one LBA format, shared, with the NGUID and ANA group; fully used, except
 * through a port where the namespace's group is inaccessible or lost (NUSE 0 there).
 */
export function identifyNamespace(ns: LiveNamespace, anaState: AnaStateName): Uint8Array {
  const backend = ns.backend;
  if (backend === undefined) return new Uint8Array(4096);
  const blocks = Math.floor(backend.sizeBytes / backend.blockSize);
  const id = defaultIdentifyNamespace(
    { blocks, blockSize: backend.blockSize, nguid: ns.nguid.replaceAll('-', '') },
    { anagrpid: ns.anaGroupId, ...(anaState === 'inaccessible' || anaState === 'persistent-loss' ? { nuse: 0 } : {}) },
  );
  return encodeIdentifyNamespace(id);
}

/** nvmet_execute_identify_desclist: UUID and NGUID when non-zero, then the command set (NVM). */
export function namespaceDescriptors(ns: LiveNamespace): Uint8Array {
  const descriptors: NsDescriptor[] = [];
  const uuid = uuidToBytes(ns.uuid);
  if (uuid.some((byte) => byte !== 0)) descriptors.push({ nidt: Nidt.UUID, nid: uuid });
  const nguid = bytesFromHex(ns.nguid, 16, 'nguid');
  if (nguid.some((byte) => byte !== 0)) descriptors.push({ nidt: Nidt.NGUID, nid: nguid });
  descriptors.push({ nidt: Nidt.CSI, nid: Uint8Array.of(Csi.NVM) });
  return encodeNsDescriptorList(descriptors);
}
