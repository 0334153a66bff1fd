// NVM I/O commands against a namespace's backend: Read, Write, Flush, Write Zeroes and Dataset
// Management (deallocate), as Linux nvmet parses and runs them (drivers/nvme/target/core.c
// nvmet_parse_io_cmd, io-cmd-bdev.c / io-cmd-file.c). Checks happen at parse time, before any data
// moves: controller enabled, namespace known and enabled, transfer within MDTS, LBAs within the
// namespace, ANA group accessible through the queue's port. Backends call back synchronously or
// later; either way the command completes once.
import { FABRICS_OPCODE, IoOpcode } from '../nvme/index.js';
import { decodeDsmRanges, DsmAttribute, dsmFields, DSM_RANGE_BYTES, readWriteFields } from '../nvme/index.js';
import type { Sqe } from '../nvme/index.js';
import { Status, STATUS_DNR } from '../nvme/index.js';
import type { BlockBackend } from '../storage/index.js';
import { ErrorLocation } from './command.js';
import type { CommandPlan, Completion, Parsed, TargetCommand } from './command.js';
import type { Controller } from './controller.js';
import { parseFabricsIoCommand } from './fabrics-commands.js';
import type { LiveNamespace } from './model.js';
import type { AnaStateName } from './config.js';
import type { CommandContext } from './command-context.js';

/** The LBA Out of Range status code, with or without flags, as backends report it. */
const LBA_RANGE_CODE = Status.LBA_RANGE & 0x7ff;

export function parseIoCommand(queue: CommandContext, controller: Controller, sqe: Sqe): Parsed {
  if (sqe.opcode === FABRICS_OPCODE) return parseFabricsIoCommand();
  // nvmet_check_ctrl_status: I/O only on an enabled, ready controller.
  if (!controller.enabled) return { status: Status.CMD_SEQ_ERROR | STATUS_DNR };
  // nvmet_req_find_ns. Linux >= 6.10 answers a disabled namespace with INTERNAL_PATH_ERROR (a path
  // error a multipath host fails over on); earlier kernels, and this target, with INVALID_NS|DNR.
  const ns = controller.subsystem.namespaces.get(sqe.nsid);
  const backend = ns?.enabled === true ? ns.backend : undefined;
  if (ns === undefined || backend === undefined) return { status: Status.INVALID_NS | STATUS_DNR, errorLocation: ErrorLocation.NSID };
  const ana = anaPathStatus(queue.ctx.model.anaState(queue.port, ns.anaGroupId));
  if (ana !== 0) return { status: ana, errorLocation: ErrorLocation.NSID };
  switch (sqe.opcode) {
    case IoOpcode.READ:
    case IoOpcode.WRITE:
      return parseReadWrite(queue, ns, backend, sqe);
    case IoOpcode.FLUSH:
      return { length: 0, ns, execute: (command) => backend.flush((status) => finish(command, status)) };
    case IoOpcode.WRITE_ZEROES: {
      const range = lbaRange(backend, sqe);
      if ('status' in range) return range;
      return {
        length: 0,
        ns,
        execute: (command) => backend.writeZeroes(range.offset, range.length, (status) => finish(command, status, range.slba)),
      };
    }
    case IoOpcode.DSM: {
      const { rangeCount, attributes } = dsmFields(sqe);
      return {
        // nvmet_dsm_len: (NR + 1) 16-byte ranges.
        length: rangeCount * DSM_RANGE_BYTES,
        ns,
        execute: (command) => datasetManagement(command, backend, rangeCount, attributes),
      };
    }
    default:
      return { status: Status.INVALID_OPCODE | STATUS_DNR, errorLocation: ErrorLocation.OPCODE };
  }
}

/**
 * nvmet_check_ana_state: I/O through a port where the namespace's group is inaccessible, lost or in
 * transition fails with the path-related status a multipath host fails over on (SCT 3; no DNR, so
 * the host may retry it elsewhere). Optimized and non-optimized paths serve I/O alike.
 */
function anaPathStatus(state: AnaStateName): number {
  switch (state) {
    case 'inaccessible':
      return Status.ANA_INACCESSIBLE;
    case 'persistent-loss':
      return Status.ANA_PERSISTENT_LOSS;
    case 'change':
      return Status.ANA_TRANSITION;
    default:
      return 0;
  }
}

interface ByteRange {
  readonly slba: number;
  readonly offset: number;
  readonly length: number;
}

/** SLBA and NLB as bytes, or LBA Out of Range when they leave the namespace. */
function lbaRange(backend: BlockBackend, sqe: Sqe): ByteRange | Completion {
  let fields;
  try {
    fields = readWriteFields(sqe);
  } catch {
    // An SLBA beyond 2^53 is beyond any namespace.
    return { status: Status.LBA_RANGE | STATUS_DNR, errorLocation: ErrorLocation.CDW10 };
  }
  const blocks = Math.floor(backend.sizeBytes / backend.blockSize);
  if (fields.slba + fields.nlb > blocks) {
    return { status: Status.LBA_RANGE | STATUS_DNR, errorLocation: ErrorLocation.CDW10, errorLba: fields.slba };
  }
  return { slba: fields.slba, offset: fields.slba * backend.blockSize, length: fields.nlb * backend.blockSize };
}

function parseReadWrite(queue: CommandContext, ns: LiveNamespace, backend: BlockBackend, sqe: Sqe): Parsed {
  // lbaRange and readWriteFields inline (same checks, same order), without their result objects:
  // this runs for every I/O.
  const slba = sqe.cdw11 * 2 ** 32 + sqe.cdw10;
  // An SLBA beyond 2^53 is beyond any namespace.
  if (!Number.isSafeInteger(slba)) return { status: Status.LBA_RANGE | STATUS_DNR, errorLocation: ErrorLocation.CDW10 };
  const nlb = (sqe.cdw12 & 0xffff) + 1;
  const blocks = Math.floor(backend.sizeBytes / backend.blockSize);
  if (slba + nlb > blocks) {
    return { status: Status.LBA_RANGE | STATUS_DNR, errorLocation: ErrorLocation.CDW10, errorLba: slba };
  }
  const length = nlb * backend.blockSize;
  // Beyond MDTS: Invalid Field in Command (Base 2.0: "the command is aborted with a status of Invalid Field").
  if (length > queue.ctx.options.maxTransferBytes) {
    return { status: Status.INVALID_FIELD | STATUS_DNR, errorLocation: ErrorLocation.CDW12 };
  }
  const offset = slba * backend.blockSize;
  return sqe.opcode === IoOpcode.READ
    ? new ReadPlan(queue, ns, backend, slba, offset, length)
    : new WritePlan(queue, ns, backend, slba, offset, length);
}

/** The byte range a parsed Read or Write covers: one object per command, execute a method rather than a fresh closure. */
abstract class RangePlan implements CommandPlan {
  readonly queue: CommandContext;
  readonly ns: LiveNamespace;
  readonly backend: BlockBackend;
  readonly slba: number;
  readonly offset: number;
  readonly length: number;

  constructor(queue: CommandContext, ns: LiveNamespace, backend: BlockBackend, slba: number, offset: number, length: number) {
    this.queue = queue;
    this.ns = ns;
    this.backend = backend;
    this.slba = slba;
    this.offset = offset;
    this.length = length;
  }

  abstract execute(command: TargetCommand): void;
}

/** A parsed Read. */
class ReadPlan extends RangePlan {
  execute(command: TargetCommand): void {
    this.backend.read(this.offset, this.length, (status, data) => {
      if (status !== 0 || data === undefined) {
        finish(command, status === 0 ? Status.INTERNAL : status, this.slba);
        return;
      }
      this.ns.io.reads++;
      this.ns.io.bytesRead += this.length;
      this.queue.ctx.stats.bytesRead += this.length;
      command.returnData(data);
    });
  }
}

/** A parsed Write. */
class WritePlan extends RangePlan {
  execute(command: TargetCommand): void {
    const data = command.data;
    if (data === undefined || data.length !== this.length) {
      command.fail(Status.SGL_INVALID_DATA | STATUS_DNR, ErrorLocation.DPTR);
      return;
    }
    this.backend.write(this.offset, data, (status) => {
      if (status === 0) {
        this.ns.io.writes++;
        this.ns.io.bytesWritten += this.length;
        this.queue.ctx.stats.bytesWritten += this.length;
      }
      finish(command, status, this.slba);
    });
  }
}

/** DSM: deallocate when AD is set (nvmet_bdev_execute_dsm); IDR/IDW hints alone succeed. */
function datasetManagement(command: TargetCommand, backend: BlockBackend, rangeCount: number, attributes: number): void {
  if ((attributes & DsmAttribute.AD) === 0) {
    command.succeed();
    return;
  }
  const data = command.data;
  if (data === undefined) {
    command.fail(Status.SGL_INVALID_DATA | STATUS_DNR, ErrorLocation.DPTR);
    return;
  }
  const blocks = Math.floor(backend.sizeBytes / backend.blockSize);
  const ranges: { offset: number; length: number }[] = [];
  let decoded;
  try {
    decoded = decodeDsmRanges(data, rangeCount);
  } catch {
    // A starting LBA beyond 2^53 is beyond any namespace.
    command.fail(Status.LBA_RANGE | STATUS_DNR, ErrorLocation.CDW10);
    return;
  }
  for (const range of decoded) {
    if (range.nlb === 0) continue;
    if (range.slba + range.nlb > blocks) {
      command.fail(Status.LBA_RANGE | STATUS_DNR, ErrorLocation.CDW10, range.slba);
      return;
    }
    ranges.push({ offset: range.slba * backend.blockSize, length: range.nlb * backend.blockSize });
  }
  if (ranges.length === 0) {
    command.succeed();
    return;
  }
  backend.deallocate(ranges, (status) => finish(command, status));
}

/** Completes with a backend status; LBA Out of Range always carries DNR (errno_to_nvme_status). */
function finish(command: TargetCommand, status: number, lba?: number): void {
  if (status === 0) {
    command.succeed();
    return;
  }
  if ((status & 0x7ff) === LBA_RANGE_CODE) {
    command.fail(status | STATUS_DNR, ErrorLocation.CDW10, lba);
    return;
  }
  command.fail(status, ErrorLocation.OPCODE, lba);
}
