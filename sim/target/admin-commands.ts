// Admin commands of an NVM controller, as Linux nvmet implements them (drivers/nvme/target/
// admin-cmd.c nvmet_parse_admin_cmd and the nvmet_execute_* functions): Identify, Get Log Page
// (Error, SMART, Firmware Slot, Changed Namespace List, Commands Supported and Effects, ANA), Set/Get
// Features (Number of Queues, Keep Alive Timer, Async Event Configuration, Volatile Write Cache,
// Host Identifier), Asynchronous Event Request, Keep Alive and Abort. Discovery controllers take
// the commands in discovery.ts; Fabrics commands go to fabrics-commands.ts.
import { AdminOpcode, Csi, FABRICS_OPCODE, FeatureId, IDENTIFY_DATA_LENGTH, IdentifyCns, IoOpcode, LogPageId } from '../nvme/index.js';
import { encodeNumQueues } from '../nvme/index.js';
import { encodeActiveNsList } from '../nvme/index.js';
import {
  CHANGED_NS_LOG_BYTES,
  CmdEffect,
  dataUnits,
  emptySmartLog,
  encodeChangedNsList,
  encodeCommandEffectsLog,
  encodeSmartLog,
  sliceLog,
  SMART_LOG_BYTES,
} from '../nvme/index.js';
import { featureFields, identifyFields } from '../nvme/index.js';
import type { GetLogPageFields, Sqe } from '../nvme/index.js';
import { Status, STATUS_DNR } from '../nvme/index.js';
import { uuidToBytes } from '../nvme/index.js';
import { ANA_LOG_RGO } from '../nvme/index.js';
import { anaLogImage } from './ana-log-page.js';
import { ErrorLocation } from './command.js';
import type { Completion, Parsed } from './command.js';
import type { Controller } from './controller.js';
import { AEN_CFG_ALL, AenBit } from './controller.js';
import { parseDiscoveryCommand } from './discovery.js';
import { parseFabricsAdminCommand } from './fabrics-commands.js';
import { identifyController, identifyNamespace, namespaceDescriptors } from './identify-data.js';
import { checkLogPageRequest, keepAlive, setAsyncEventConfig, setKato } from './shared-admin.js';
import type { LiveNamespace } from './model.js';
import type { CommandContext } from './command-context.js';

/** NVME_NSID_ALL. */
export const NSID_ALL = 0xffffffff;
/** Host Identifier data: a 128-bit ID (Get Features FID 81h with EXHID). */
const HOST_ID_BYTES = 16;

export function parseAdminCommand(queue: CommandContext, controller: Controller, sqe: Sqe): Parsed {
  if (sqe.opcode === FABRICS_OPCODE) return parseFabricsAdminCommand(controller, sqe);
  if (controller.isDiscovery) return parseDiscoveryCommand(queue, controller, sqe);
  // nvmet_check_ctrl_status: nothing but Fabrics commands until CC.EN = 1 and CSTS.RDY = 1.
  if (!controller.enabled) return { status: Status.CMD_SEQ_ERROR | STATUS_DNR };
  switch (sqe.opcode) {
    case AdminOpcode.GET_LOG_PAGE: {
      const request = checkLogPageRequest(sqe, queue.ctx.options.maxTransferBytes);
      if ('status' in request) return request;
      return { length: request.numdBytes, execute: (command) => command.complete(getLogPage(queue, controller, request)) };
    }
    case AdminOpcode.IDENTIFY:
      return { length: IDENTIFY_DATA_LENGTH, execute: (command) => command.complete(identify(queue, controller, command.sqe)) };
    case AdminOpcode.ABORT:
      // "A minimum viable abort implementation": report the command as not aborted (dw0 bit 0).
      return { length: 0, execute: (command) => command.succeed(1) };
    case AdminOpcode.SET_FEATURES:
      return { length: 0, execute: (command) => command.complete(setFeatures(controller, command.sqe)) };
    case AdminOpcode.GET_FEATURES: {
      const fid = featureFields(sqe).fid;
      return {
        length: fid === FeatureId.HOST_ID ? HOST_ID_BYTES : 0,
        execute: (command) => command.complete(getFeatures(controller, command.sqe)),
      };
    }
    case AdminOpcode.ASYNC_EVENT:
      return { length: 0, execute: (command) => controller.submitAer(command) };
    case AdminOpcode.KEEP_ALIVE:
      return { length: 0, execute: (command) => command.complete(keepAlive(controller)) };
    default:
      return { status: Status.INVALID_OPCODE | STATUS_DNR, errorLocation: ErrorLocation.OPCODE };
  }
}

/** The namespace an admin command names, enabled (nvmet_req_find_ns). */
export function findNamespace(controller: Controller, nsid: number): LiveNamespace | undefined {
  const ns = controller.subsystem.namespaces.get(nsid);
  return ns !== undefined && ns.enabled && ns.backend !== undefined ? ns : undefined;
}

function identify(queue: CommandContext, controller: Controller, sqe: Sqe): Completion {
  const fields = identifyFields(sqe);
  switch (fields.cns) {
    case IdentifyCns.NAMESPACE: {
      if (fields.nsid === NSID_ALL) return { status: Status.INVALID_NS | STATUS_DNR, errorLocation: ErrorLocation.NSID };
      // "return an all zeroed buffer if we can't find an active namespace".
      const ns = findNamespace(controller, fields.nsid);
      return { status: 0, data: ns === undefined ? new Uint8Array(IDENTIFY_DATA_LENGTH) : identifyNamespace(ns, queue.ctx.model.anaState(queue.port, ns.anaGroupId)) };
    }
    case IdentifyCns.CONTROLLER:
      return { status: 0, data: identifyController(queue, controller) };
    case IdentifyCns.ACTIVE_NS_LIST: {
      const active = [...controller.subsystem.namespaces.values()].filter((ns) => ns.enabled).map((ns) => ns.nsid);
      return { status: 0, data: encodeActiveNsList(active, fields.nsid) };
    }
    case IdentifyCns.NS_DESC_LIST: {
      if (fields.csi !== Csi.NVM) break;
      const ns = findNamespace(controller, fields.nsid);
      if (ns === undefined) return { status: Status.INVALID_NS | STATUS_DNR, errorLocation: ErrorLocation.NSID };
      return { status: 0, data: namespaceDescriptors(ns) };
    }
    case IdentifyCns.CS_CTRL:
      // The NVM command set specific controller structure: "Not supported: return zeroes".
      if (fields.csi === Csi.NVM) return { status: 0, data: new Uint8Array(IDENTIFY_DATA_LENGTH) };
      break;
    default:
      break;
  }
  // nvmet_req_cns_error_complete.
  return { status: Status.INVALID_FIELD | STATUS_DNR, errorLocation: ErrorLocation.CDW10 };
}

function getLogPage(queue: CommandContext, controller: Controller, fields: GetLogPageFields): Completion {
  const length = fields.numdBytes;
  const slice = (image: Uint8Array): Completion => ({ status: 0, data: sliceLog(image, fields.offsetBytes, length) });
  switch (fields.lid) {
    case LogPageId.ERROR:
      return slice(controller.errors.encode());
    case LogPageId.SMART: {
      // nvmet_execute_get_log_page_smart: the whole 512-byte page or Internal Error.
      if (length !== SMART_LOG_BYTES) return { status: Status.INTERNAL };
      return smartLog(controller, fields.nsid);
    }
    case LogPageId.FW_SLOT:
      // "We only support a single firmware slot ... zero out the whole firmware slot log".
      return { status: 0, data: new Uint8Array(length) };
    case LogPageId.CHANGED_NS: {
      if (length !== CHANGED_NS_LOG_BYTES) return { status: Status.INTERNAL };
      const list = controller.takeChangedNamespaces();
      controller.clearAenMask(AenBit.NS_ATTR, fields.rae);
      return { status: 0, data: encodeChangedNsList(list) };
    }
    case LogPageId.CMD_EFFECTS:
      if (fields.csi !== Csi.NVM) return { status: Status.INVALID_LOG_PAGE };
      return slice(commandEffects());
    case LogPageId.ANA: {
      // nvmet_execute_get_log_page_ana: reading the log re-arms the ANA change notice.
      const image = anaLogImage(queue.ctx.model, queue.port, controller.subsystem, (fields.lsp & ANA_LOG_RGO) !== 0);
      controller.clearAenMask(AenBit.ANA_CHANGE, fields.rae);
      return slice(image);
    }
    default:
      return { status: Status.INVALID_FIELD | STATUS_DNR, errorLocation: ErrorLocation.CDW10 };
  }
}

function smartLog(controller: Controller, nsid: number): Completion {
  let namespaces: LiveNamespace[];
  if (nsid === NSID_ALL) {
    namespaces = [...controller.subsystem.namespaces.values()];
  } else {
    const ns = findNamespace(controller, nsid);
    if (ns === undefined) return { status: Status.INVALID_NS | STATUS_DNR, errorLocation: ErrorLocation.NSID };
    namespaces = [ns];
  }
  let hostReads = 0n;
  let hostWrites = 0n;
  let unitsRead = 0n;
  let unitsWritten = 0n;
  for (const ns of namespaces) {
    hostReads += BigInt(ns.io.reads);
    hostWrites += BigInt(ns.io.writes);
    unitsRead += dataUnits(BigInt(ns.io.bytesRead));
    unitsWritten += dataUnits(BigInt(ns.io.bytesWritten));
  }
  const log = {
    ...emptySmartLog(),
    hostReads,
    hostWrites,
    dataUnitsRead: unitsRead,
    dataUnitsWritten: unitsWritten,
    numErrLogEntries: BigInt(controller.errors.count),
  };
  return { status: 0, data: encodeSmartLog(log) };
}

/** nvmet_get_cmd_effects_nvm: the commands this controller supports. */
function commandEffects(): Uint8Array {
  const admin = new Map<number, number>();
  for (const opcode of [
    AdminOpcode.GET_LOG_PAGE,
    AdminOpcode.IDENTIFY,
    AdminOpcode.ABORT,
    AdminOpcode.SET_FEATURES,
    AdminOpcode.GET_FEATURES,
    AdminOpcode.ASYNC_EVENT,
    AdminOpcode.KEEP_ALIVE,
  ]) {
    admin.set(opcode, CmdEffect.CSUPP);
  }
  const io = new Map<number, number>();
  for (const opcode of [IoOpcode.READ, IoOpcode.WRITE, IoOpcode.FLUSH, IoOpcode.DSM, IoOpcode.WRITE_ZEROES]) {
    io.set(opcode, CmdEffect.CSUPP);
  }
  return encodeCommandEffectsLog({ admin, io });
}

/** nvmet_execute_set_features. */
function setFeatures(controller: Controller, sqe: Sqe): Completion {
  const fields = featureFields(sqe);
  switch (fields.fid) {
    case FeatureId.NUM_QUEUES: {
      const nsqr = fields.cdw11 & 0xffff;
      const ncqr = fields.cdw11 >>> 16;
      // 0xffff (65536 queues) is invalid in either half.
      if (nsqr === 0xffff || ncqr === 0xffff) return { status: Status.INVALID_FIELD | STATUS_DNR };
      // Grant what was asked, up to attr_qid_max (Linux always grants qid_max; both are allowed by
      // the spec and the Linux host uses min(asked, granted)). I/O Connects above it are refused.
      const granted = Math.min(nsqr + 1, ncqr + 1, controller.subsystem.qidMax);
      controller.ioQueuesGranted = granted;
      return { status: 0, dw0: encodeNumQueues({ sqCount: granted, cqCount: granted }) };
    }
    case FeatureId.KATO:
      return setKato(controller, fields.cdw11);
    case FeatureId.ASYNC_EVENT_CONFIG:
      return setAsyncEventConfig(controller, fields.cdw11, AEN_CFG_ALL);
    case FeatureId.HOST_ID:
      // The host ID comes with Connect; setting it later is a sequence error.
      return { status: Status.CMD_SEQ_ERROR | STATUS_DNR };
    default:
      return { status: Status.INVALID_FIELD | STATUS_DNR, errorLocation: ErrorLocation.CDW10 };
  }
}

/** nvmet_execute_get_features. */
function getFeatures(controller: Controller, sqe: Sqe): Completion {
  const fields = featureFields(sqe);
  switch (fields.fid) {
    case FeatureId.ASYNC_EVENT_CONFIG:
      return { status: 0, dw0: controller.aenEnabled };
    case FeatureId.VOLATILE_WC:
      // nvmet always reports the write cache enabled.
      return { status: 0, dw0: 1 };
    case FeatureId.NUM_QUEUES: {
      const count = controller.ioQueuesGranted ?? controller.subsystem.qidMax;
      return { status: 0, dw0: encodeNumQueues({ sqCount: count, cqCount: count }) };
    }
    case FeatureId.KATO:
      return { status: 0, dw0: controller.keepAlive.seconds * 1000 };
    case FeatureId.HOST_ID:
      // "need 128-bit host identifier flag".
      if ((fields.cdw11 & 1) === 0) return { status: Status.INVALID_FIELD | STATUS_DNR, errorLocation: ErrorLocation.CDW11 };
      return { status: 0, data: uuidToBytes(controller.hostid) };
    default:
      return { status: Status.INVALID_FIELD | STATUS_DNR, errorLocation: ErrorLocation.CDW10 };
  }
}
