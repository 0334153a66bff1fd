// Fabrics commands: Connect (admin and I/O queues) and Property Get/Set, with the statuses and
// IPO/IATTR results of Linux nvmet (drivers/nvme/target/fabrics-cmd.c nvmet_execute_admin_connect,
// nvmet_execute_io_connect, nvmet_install_queue, nvmet_execute_prop_get/set; core.c
// nvmet_alloc_ctrl, nvmet_ctrl_find_get, nvmet_host_allowed).
import { CNTLID_DYNAMIC, DISCOVERY_NQN, FABRICS_OPCODE, FabricsType } from '../nvme/index.js';
import {
  CONNECT_DATA_BYTES,
  CONNECT_RECFMT,
  ConnectAttr,
  ConnectDataOffset,
  ConnectIattr,
  ConnectSqeOffset,
  decodeConnectData,
  encodeConnectInvalidParam,
  encodeConnectResult,
  parseConnect,
} from '../nvme/index.js';
import { RegisterOffset } from '../nvme/index.js';
import type { Sqe } from '../nvme/index.js';
import { Status, STATUS_DNR } from '../nvme/index.js';
import { ErrorLocation } from './command.js';
import type { Completion, Parsed, TargetCommand } from './command.js';
import { versionToVs } from './config.js';
import type { TargetContext } from './context.js';
import { Controller } from './controller.js';
import type { LivePort, LiveSubsystem } from './model.js';
import type { CommandContext } from './command-context.js';

/** Property Get/Set ATTRIB and OFST offsets (nvmf_property_get_command), the error locations. */
const PROPERTY_ATTRIB = 40;
const PROPERTY_OFFSET = 44;
/** The fctype byte, error location of an unsupported Fabrics command type. */
const FCTYPE_OFFSET = 4;

/**
 * A queue before Connect (nvmet_parse_connect_cmd). The NVMe over Fabrics specification wants
 * Command Sequence Error for anything but Connect here; Linux nvmet answers INVALID_OPCODE|DNR.
 */
export function parseConnectCommand(queue: CommandContext, sqe: Sqe): Parsed {
  if (sqe.opcode !== FABRICS_OPCODE || (sqe.nsid & 0xff) !== FabricsType.CONNECT) {
    return { status: Status.CMD_SEQ_ERROR | STATUS_DNR, errorLocation: ErrorLocation.OPCODE };
  }
  const connect = parseConnect(sqe);
  return {
    // nvmet_connect_cmd_data_len: the Connect data is 1024 bytes.
    length: CONNECT_DATA_BYTES,
    execute: (command) => (connect.qid === 0 ? adminConnect(queue, command) : ioConnect(queue, command)),
  };
}

/** Fabrics commands on a connected admin queue (nvmet_parse_fabrics_admin_cmd). */
export function parseFabricsAdminCommand(controller: Controller, sqe: Sqe): Parsed {
  switch (sqe.nsid & 0xff) {
    case FabricsType.PROPERTY_SET:
      return { length: 0, execute: (command) => command.complete(propertySet(controller, sqe)) };
    case FabricsType.PROPERTY_GET:
      return { length: 0, execute: (command) => command.complete(propertyGet(controller, sqe)) };
    default:
      // A second Connect, Disconnect or authentication: "received unknown capsule type".
      return { status: Status.INVALID_OPCODE | STATUS_DNR, errorLocation: FCTYPE_OFFSET };
  }
}

/** Fabrics commands on an I/O queue (nvmet_parse_fabrics_io_cmd): only authentication, unsupported here. */
export function parseFabricsIoCommand(): Completion {
  return { status: Status.INVALID_OPCODE | STATUS_DNR, errorLocation: FCTYPE_OFFSET };
}

/** The subsystem a Connect names, if exported on this port (nvmet_find_get_subsys). */
export function findSubsystemOnPort(ctx: TargetContext, port: LivePort, nqn: string): LiveSubsystem | undefined {
  // The discovery subsystem answers on every port.
  if (nqn === DISCOVERY_NQN) return ctx.model.discovery;
  return port.subsystems.includes(nqn) ? ctx.model.subsystems.get(nqn) : undefined;
}

function invalidParam(field: 'sqe' | 'data', ipo: number): Completion {
  const iattr = field === 'data' ? ConnectIattr.DATA : ConnectIattr.SQE;
  return { status: Status.CONNECT_INVALID_PARAM | STATUS_DNR, dw0: encodeConnectInvalidParam({ ipo, iattr }) };
}

/** nvmet_install_queue's checks, before anything is created. */
function checkQueue(controllerMqes: number, sqsize: number, qidTaken: boolean): Completion | undefined {
  if (sqsize === 0) return invalidParam('sqe', ConnectSqeOffset.SQSIZE);
  if (qidTaken) return { status: Status.CMD_SEQ_ERROR | STATUS_DNR };
  if (sqsize > controllerMqes) return invalidParam('sqe', ConnectSqeOffset.SQSIZE);
  return undefined;
}

function adminConnect(queue: CommandContext, command: TargetCommand): void {
  const ctx = queue.ctx;
  const connect = parseConnect(command.sqe);
  const data = decodeConnectData(command.data ?? new Uint8Array(CONNECT_DATA_BYTES));
  if (connect.recfmt !== CONNECT_RECFMT) {
    command.complete({ status: Status.CONNECT_FORMAT | STATUS_DNR, errorLocation: ConnectSqeOffset.RECFMT });
    return;
  }
  // Only dynamic controllers: "connect attempt for invalid controller ID".
  if (data.cntlid !== CNTLID_DYNAMIC) {
    command.complete(invalidParam('data', ConnectDataOffset.CNTLID));
    return;
  }
  const subsystem = findSubsystemOnPort(ctx, queue.port, data.subnqn);
  if (subsystem === undefined) {
    ctx.log.warn(`nvmet: connect request for invalid subsystem ${data.subnqn}!`);
    command.complete(invalidParam('data', ConnectDataOffset.SUBNQN));
    return;
  }
  if (!ctx.model.hostAllowed(subsystem, data.hostnqn)) {
    ctx.log.info(`nvmet: connect by host ${data.hostnqn} for subsystem ${data.subnqn} not allowed`);
    const dw0 = encodeConnectInvalidParam({ ipo: ConnectDataOffset.HOSTNQN, iattr: ConnectIattr.DATA });
    command.complete({ status: Status.CONNECT_INVALID_HOST | STATUS_DNR, dw0 });
    return;
  }
  const mqes = ctx.options.maxQueueSize - 1;
  const queueError = checkQueue(mqes, connect.sqsize, false);
  if (queueError !== undefined) {
    command.complete(queueError);
    return;
  }
  const cntlid = ctx.controllers.allocate(subsystem.cntlidMin, subsystem.cntlidMax);
  if (cntlid === undefined) {
    command.complete({ status: Status.CONNECT_CTRL_BUSY | STATUS_DNR });
    return;
  }
  const controller = new Controller(ctx, {
    cntlid,
    subsystem,
    hostnqn: data.hostnqn,
    hostid: data.hostid,
    portid: queue.port.portid,
    katoMs: connect.kato,
  });
  ctx.controllers.add(controller);
  ctx.stats.controllers++;
  ctx.stats.controllersCreated++;
  queue.install(controller, 0, connect.sqsize, (connect.cattr & ConnectAttr.DISABLE_SQFLOW) !== 0);
  const kind = subsystem.kind === 'discovery' ? 'discovery' : 'nvm';
  ctx.log.info(`nvmet: creating ${kind} controller ${cntlid} for subsystem ${subsystem.nqn} for NQN ${data.hostnqn}.`);
  command.succeed(encodeConnectResult({ cntlid, authreq: 0 }));
}

function ioConnect(queue: CommandContext, command: TargetCommand): void {
  const ctx = queue.ctx;
  const connect = parseConnect(command.sqe);
  const data = decodeConnectData(command.data ?? new Uint8Array(CONNECT_DATA_BYTES));
  if (connect.recfmt !== CONNECT_RECFMT) {
    command.complete({ status: Status.CONNECT_FORMAT | STATUS_DNR });
    return;
  }
  const subsystem = findSubsystemOnPort(ctx, queue.port, data.subnqn);
  if (subsystem === undefined) {
    ctx.log.warn(`nvmet: connect request for invalid subsystem ${data.subnqn}!`);
    command.complete(invalidParam('data', ConnectDataOffset.SUBNQN));
    return;
  }
  // nvmet_ctrl_find_get: same subsystem, same CNTLID, same host NQN.
  const controller = ctx.controllers.get(data.cntlid);
  if (controller === undefined || controller.destroyed || controller.subsystem !== subsystem || controller.hostnqn !== data.hostnqn) {
    ctx.log.warn(`nvmet: could not find controller ${data.cntlid} for subsys ${data.subnqn} / host ${data.hostnqn}`);
    command.complete(invalidParam('data', ConnectDataOffset.CNTLID));
    return;
  }
  // "invalid queue id": above attr_qid_max, or (stricter than Linux) above what Set Features granted.
  const granted = controller.ioQueuesGranted ?? subsystem.qidMax;
  if (connect.qid > subsystem.qidMax || connect.qid > granted) {
    ctx.log.warn(`nvmet: invalid queue id (${connect.qid})`);
    command.complete(invalidParam('sqe', ConnectSqeOffset.QID));
    return;
  }
  const queueError = checkQueue(ctx.options.maxQueueSize - 1, connect.sqsize, controller.queues.has(connect.qid));
  if (queueError !== undefined) {
    if (queueError.status === (Status.CMD_SEQ_ERROR | STATUS_DNR)) ctx.log.warn(`nvmet: qid ${connect.qid} has already been created`);
    command.complete(queueError);
    return;
  }
  queue.install(controller, connect.qid, connect.sqsize, (connect.cattr & ConnectAttr.DISABLE_SQFLOW) !== 0);
  ctx.log.debug(`nvmet: adding queue ${connect.qid} to ctrl ${controller.cntlid}.`);
  command.succeed(encodeConnectResult({ cntlid: controller.cntlid, authreq: 0 }));
}

/** nvmet_execute_prop_get: 8-byte access only for CAP; 4-byte for VS, CC, CSTS. */
function propertyGet(controller: Controller, sqe: Sqe): Completion {
  const eightBytes = (sqe.cdw10 & 1) === 1;
  const offset = sqe.cdw11;
  if (eightBytes) {
    if (offset !== RegisterOffset.CAP) return { status: Status.INVALID_FIELD | STATUS_DNR, errorLocation: PROPERTY_OFFSET };
    return { status: 0, dw0: Number(controller.cap & 0xffffffffn), dw1: Number(controller.cap >> 32n) };
  }
  let value: number;
  switch (offset) {
    case RegisterOffset.VS:
      value = versionToVs(controller.subsystem.version);
      break;
    case RegisterOffset.CC:
      value = controller.cc;
      break;
    case RegisterOffset.CSTS:
      value = controller.csts;
      break;
    default:
      // Linux reports the ATTRIB field as the error location of a bad 4-byte offset.
      return { status: Status.INVALID_FIELD | STATUS_DNR, errorLocation: PROPERTY_ATTRIB };
  }
  return { status: 0, dw0: value >>> 0 };
}

/** nvmet_execute_prop_set: only 4-byte writes of CC. */
function propertySet(controller: Controller, sqe: Sqe): Completion {
  if ((sqe.cdw10 & 1) === 1) return { status: Status.INVALID_FIELD | STATUS_DNR, errorLocation: PROPERTY_ATTRIB };
  if (sqe.cdw11 !== RegisterOffset.CC) return { status: Status.INVALID_FIELD | STATUS_DNR, errorLocation: PROPERTY_OFFSET };
  controller.updateCc(sqe.cdw12);
  return { status: 0 };
}
