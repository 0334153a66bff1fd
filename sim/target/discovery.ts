// The discovery controller (drivers/nvme/target/discovery.c): the admin commands it accepts and the
// Discovery log page (LID 70h) listing, for the port the host connected to, every subsystem the
// host may access on that port, then the port's referrals. Keep Alive works here too (blktests
// nvme/003 fails on "nvmet: unsupported cmd 24").
import { AdminOpcode, AQ_DEPTH, CNTLID_DYNAMIC, DISCOVERY_NQN, FeatureId, IDENTIFY_DATA_LENGTH, IdentifyCns, LogPageId } from '../nvme/index.js';
import { AddressFamily, SubsystemType, TcpSecType, TransportType, Treq } from '../nvme/index.js';
import { encodeDiscoveryLogRange } from '../nvme/index.js';
import type { DiscoveryLogEntry } from '../nvme/index.js';
import { featureFields, identifyFields } from '../nvme/index.js';
import type { GetLogPageFields, Sqe } from '../nvme/index.js';
import { Status, STATUS_DNR } from '../nvme/index.js';
import { checkLogPageRequest, keepAlive, setAsyncEventConfig, setKato } from './shared-admin.js';
import { ErrorLocation } from './command.js';
import type { Completion, Parsed } from './command.js';
import type { TreqName } from './config.js';
import type { Controller } from './controller.js';
import { AEN_CFG_DISCOVERY, AenBit } from './controller.js';
import { identifyController } from './identify-data.js';
import type { LivePort } from './model.js';
import type { CommandContext } from './command-context.js';

export function parseDiscoveryCommand(queue: CommandContext, controller: Controller, sqe: Sqe): Parsed {
  // nvmet_parse_discovery_cmd: "got cmd %d while not ready".
  if (!controller.enabled) return { status: Status.INVALID_OPCODE | STATUS_DNR, errorLocation: ErrorLocation.OPCODE };
  switch (sqe.opcode) {
    case AdminOpcode.SET_FEATURES:
      return { length: 0, execute: (command) => command.complete(setFeatures(controller, command.sqe)) };
    case AdminOpcode.GET_FEATURES:
      return { length: 0, execute: (command) => command.complete(getFeatures(controller, command.sqe)) };
    case AdminOpcode.ASYNC_EVENT:
      return { length: 0, execute: (command) => controller.submitAer(command) };
    case AdminOpcode.KEEP_ALIVE:
      return { length: 0, execute: (command) => command.complete(keepAlive(controller)) };
    case AdminOpcode.GET_LOG_PAGE: {
      const request = checkLogPageRequest(sqe, queue.ctx.options.maxTransferBytes);
      if ('status' in request) return request;
      return { length: request.numdBytes, execute: (command) => command.complete(discoveryLogPage(queue, controller, request)) };
    }
    case AdminOpcode.IDENTIFY:
      return {
        length: IDENTIFY_DATA_LENGTH,
        execute: (command) => {
          // Only Identify Controller exists on a discovery controller.
          if (identifyFields(command.sqe).cns !== IdentifyCns.CONTROLLER) {
            command.fail(Status.INVALID_FIELD | STATUS_DNR, ErrorLocation.CDW10);
            return;
          }
          command.returnData(identifyController(queue, controller));
        },
      };
    default:
      return { status: Status.INVALID_OPCODE | STATUS_DNR, errorLocation: ErrorLocation.OPCODE };
  }
}

function setFeatures(controller: Controller, sqe: Sqe): Completion {
  const fields = featureFields(sqe);
  if (fields.fid === FeatureId.KATO) return setKato(controller, fields.cdw11);
  if (fields.fid === FeatureId.ASYNC_EVENT_CONFIG) return setAsyncEventConfig(controller, fields.cdw11, AEN_CFG_DISCOVERY);
  return { status: Status.INVALID_FIELD | STATUS_DNR, errorLocation: ErrorLocation.CDW10 };
}

function getFeatures(controller: Controller, sqe: Sqe): Completion {
  const fields = featureFields(sqe);
  if (fields.fid === FeatureId.KATO) return { status: 0, dw0: controller.keepAlive.seconds * 1000 };
  if (fields.fid === FeatureId.ASYNC_EVENT_CONFIG) return { status: 0, dw0: controller.aenEnabled };
  return { status: Status.INVALID_FIELD | STATUS_DNR, errorLocation: ErrorLocation.CDW10 };
}

/** nvmet_execute_disc_get_log_page. */
function discoveryLogPage(queue: CommandContext, controller: Controller, fields: GetLogPageFields): Completion {
  if (fields.lid !== LogPageId.DISCOVERY) return { status: Status.INVALID_FIELD | STATUS_DNR, errorLocation: ErrorLocation.CDW10 };
  // "Spec requires dword aligned offsets".
  if (fields.offsetBytes % 4 !== 0) return { status: Status.INVALID_FIELD | STATUS_DNR, errorLocation: ErrorLocation.LPO };
  const entries = discoveryEntries(queue, controller.hostnqn);
  controller.clearAenMask(AenBit.DISC_CHANGE, fields.rae);
  const data = encodeDiscoveryLogRange({ genctr: queue.ctx.model.genctr, entries }, fields.offsetBytes, fields.numdBytes);
  return { status: 0, data };
}

/** The log's records for a host on the queue's port: allowed subsystems, then enabled referrals. */
export function discoveryEntries(queue: CommandContext, hostnqn: string): DiscoveryLogEntry[] {
  const { model } = queue.ctx;
  const port = queue.port;
  const entries: DiscoveryLogEntry[] = [];
  const address = advertisedAddress(queue, port);
  for (const nqn of port.subsystems) {
    const sub = model.subsystems.get(nqn);
    if (sub === undefined || !model.hostAllowed(sub, hostnqn)) continue;
    entries.push({
      trtype: TransportType.TCP,
      adrfam: port.adrfam === 'ipv6' ? AddressFamily.IPV6 : AddressFamily.IPV4,
      subtype: SubsystemType.NVME,
      treq: treqByte(port.treq),
      portid: port.portid,
      // "we support only dynamic controllers".
      cntlid: CNTLID_DYNAMIC,
      asqsz: AQ_DEPTH,
      eflags: 0,
      trsvcid: address.trsvcid,
      subnqn: nqn,
      traddr: address.traddr,
      sectype: TcpSecType.NONE,
    });
  }
  for (const ref of port.referrals) {
    if (!ref.enabled) continue;
    entries.push({
      trtype: TransportType.TCP,
      adrfam: ref.adrfam === 'ipv6' ? AddressFamily.IPV6 : AddressFamily.IPV4,
      subtype: SubsystemType.REFERRAL,
      treq: treqByte(ref.treq),
      portid: ref.portid,
      cntlid: CNTLID_DYNAMIC,
      asqsz: AQ_DEPTH,
      eflags: 0,
      trsvcid: String(ref.trsvcid),
      subnqn: DISCOVERY_NQN,
      traddr: ref.traddr,
      sectype: TcpSecType.NONE,
    });
  }
  return entries;
}

/**
 * TREQ: the secure channel requirement plus "SQ flow control disable supported", which every Linux
 * port advertises (configfs nvmet_ports_make: disc_addr.treq = NVMF_TREQ_DISABLE_SQFLOW).
 */
function treqByte(treq: TreqName): number {
  const secure = treq === 'required' ? Treq.REQUIRED : treq === 'not required' ? Treq.NOT_REQUIRED : Treq.NOT_SPECIFIED;
  return secure | Treq.DISABLE_SQFLOW;
}

/**
 * The address hosts should dial: a wildcard listen address is replaced by the address the host
 * reached (nvmet_tcp_disc_port_addr), and an ephemeral port (trsvcid 0) by the bound port.
 */
function advertisedAddress(queue: CommandContext, port: LivePort): { traddr: string; trsvcid: string } {
  const wildcard = port.traddr === '0.0.0.0' || port.traddr === '::';
  return {
    traddr: wildcard ? queue.local.host : port.traddr,
    trsvcid: String(port.trsvcid === 0 ? queue.local.port : port.trsvcid),
  };
}
