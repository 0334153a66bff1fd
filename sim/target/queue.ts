// One NVMe/TCP connection on the controller side: an NVMe submission/completion queue pair bound to a
// TCP stream (Linux drivers/nvme/target/tcp.c struct nvmet_tcp_queue). It frames PDUs with the
// codec, enforces the connection's PDU sequence (ICReq first and once; then CapsuleCmd, H2CData and
// H2CTermReq only), moves command data (in-capsule, R2T + H2CData, C2HData), reports completions
// with SQ head pointers, and turns every fatal transport error into a C2HTermReq followed by closing
// the connection. Commands themselves are parsed and executed by fabrics-/admin-/io-commands.ts.
//
// Hot path: synchronous callbacks only. CPU work is charged to this connection's core through
// env.cpu.run (in the simulator that is where time passes) in passes, as Linux nvmet_tcp_io_work does
// it (drivers/nvme/target/tcp.c): the PDUs decoded from one received chunk are one work item whose
// cost is the sum of their receive costs plus one command execution for each command they start, and
// the item handles them in order and executes those commands inline (nvmet_tcp_done_recv_pdu calls
// req->execute directly). A command's response PDUs (C2HData and CapsuleResp, or an R2T) are one send
// item; responses produced while a receive pass runs (a backend that completes at once) go out in one
// send item after it, as io_work's send pass would send them. The budgets are simplified: a receive
// pass handles at most NVMET_TCP_IO_WORK_BUDGET PDUs (a bigger chunk is charged as several passes)
// and a send item carries at most NVMET_TCP_SEND_BUDGET commands' responses; Linux's alternation of
// 8 receives and 8 sends inside one io_work run is not modelled. Data moves as views: a write whose
// data arrived in one PDU hands that PDU's view to the backend; only data spread over several H2CData
// PDUs is copied, into one buffer of the command's own length (bounded by MDTS).
//
// Deliberate differences from Linux nvmet (each noted where it happens):
// - fatal errors send a C2HTermReq (FES, FEI, offending header) before closing, as SPDK does; Linux
//   only closes the socket ("FIXME: use proper transport errors");
// - a data digest mismatch fails just that command with Transient Transport Error and keeps the
//   connection (NVMe/TCP has no FES for data digest errors; SPDK and FreeBSD do the same); Linux
//   treats it as fatal;
// - H2CData checks follow FreeBSD nvmf_tcp_handle_h2c_data (bad TTAG or CCCID: invalid header field;
//   past the command's data: data out of range; out of order or a wrong LAST flag: PDU sequence error);
// - a command's length, namespace and LBA range are checked before its R2T is sent, not after the data.
import type { Address, ByteStream, Timer } from '../core/index.js';
import { FABRICS_OPCODE, SGL_IN_CAPSULE, SGL_TRANSPORT } from '../nvme/index.js';
import { encodeCqe } from '../nvme/index.js';
import { PduDecoder } from '../nvme/index.js';
import { pduTypeName, fesName } from '../nvme/index.js';
import { encodePdu } from '../nvme/index.js';
import {
  CAPSULE_CMD_HEADER_LENGTH,
  DATA_HEADER_LENGTH,
  DIGEST_LENGTH,
  Fes,
  NO_DIGEST_PDU_OPTIONS,
  PduType,
  PFV_1_0,
  TERM_MAX_ERROR_DATA,
  TERM_MAX_PDU_LENGTH,
} from '../nvme/index.js';
import type { CapsuleCmdPdu, DecoderLimits, FesCode, H2CDataPdu, ICReqPdu, Pdu, PduError, PduOptions, TermReqPdu } from '../nvme/index.js';
import { decodeSqe, SqeFlag, SqeOffset } from '../nvme/index.js';
import type { Sqe } from '../nvme/index.js';
import { Status, STATUS_DNR, STATUS_MORE } from '../nvme/index.js';
import { IoWork, StreamSender } from '../transport/index.js';
import { parseAdminCommand } from './admin-commands.js';
import { ErrorLocation, isPlan, TargetCommand } from './command.js';
import type { CommandSink, Completion, Parsed } from './command.js';
import { ADMIN_IN_CAPSULE_BYTES } from './context.js';
import type { TargetContext } from './context.js';
import type { Controller, ControllerQueue } from './controller.js';
import { parseConnectCommand } from './fabrics-commands.js';
import { parseIoCommand } from './io-commands.js';
import type { LivePort } from './model.js';

/**
 * nvmet-tcp NVMET_TCP_IO_WORK_BUDGET: operations one nvmet_tcp_io_work run performs before it
 * requeues itself behind other work on its CPU. Here: PDUs per receive pass.
 */
const IO_WORK_BUDGET = 64;
/** nvmet-tcp NVMET_TCP_SEND_BUDGET: commands nvmet_tcp_try_send sends per pass. Here: responses per send item. */
const SEND_BUDGET = 8;

/** TTAG of the single command slot a queue has before Connect (Linux nvmet_tcp_cmd_tag: USHRT_MAX). */
const PRE_CONNECT_TTAG = 0xffff;
/** Byte offsets of H2CData header fields, used as FEI (nvme_tcp_data_pdu). */
const H2C_FEI = { CCCID: 8, TTAG: 10, DATAL: 16 } as const;
/** ICReq HPDA offset, the FEI when its value is refused. */
const ICREQ_FEI_HPDA = 10;
/** FEI for the FES values whose FEI the spec reserves. */
const FEI_RESERVED = 0;
/** SQHD reported in a Connect response when SQ flow control is disabled (nvmet_install_queue). */
const SQHD_DISABLED = 0xffff;

type QueueState = 'await-icreq' | 'live' | 'closed';

export interface QueueInit {
  readonly ctx: TargetContext;
  readonly port: LivePort;
  readonly stream: ByteStream;
  /** Connection number, for logs. */
  readonly id: number;
  /** CPU core that runs this connection's work. */
  readonly core: number;
  /** Called once when the queue is torn down. */
  readonly onClosed: (queue: TcpQueue) => void;
}

export class TcpQueue implements CommandSink, ControllerQueue {
  readonly ctx: TargetContext;
  readonly port: LivePort;
  readonly stream: ByteStream;
  readonly id: number;
  readonly core: number;
  /** 0 for the admin queue and before Connect. */
  qid = 0;
  /** SQ size (1-based) once connected; 0 before. */
  sqSize = 0;
  /** Connect CATTR asked for no SQ flow control: no SQHD, and C2HData SUCCESS replaces CapsuleResp. */
  sqhdDisabled = false;
  controller: Controller | undefined;
  #sqhd = 0;
  #state: QueueState = 'await-icreq';
  #failing = false;
  #streamEnded = false;
  #lingerTimer: Timer | undefined;
  #pduOptions: PduOptions = NO_DIGEST_PDU_OPTIONS;
  readonly #decoder: PduDecoder;
  #slots: TargetCommand[];
  #free: number[];
  /** Send backpressure; its stream is null once the stream is ended or reset. */
  readonly #sender: StreamSender;
  /**
   * Receive passes carry decoded PDUs (flag: data digest OK); send items carry response PDUs (flag:
   * with the connection's digests), at most SEND_BUDGET commands' responses each.
   */
  readonly #work: IoWork<Pdu, Pdu>;
  readonly #onClosed: (queue: TcpQueue) => void;
  readonly #onPdu = (pdu: Pdu, dataDigestOk: boolean): void => this.#receivePdu(pdu, dataDigestOk);
  readonly #onDecodeError = (error: PduError): void => this.#fatal(error.fes, error.fei, error.header, error.message);

  constructor(init: QueueInit) {
    this.ctx = init.ctx;
    this.port = init.port;
    this.stream = init.stream;
    this.id = init.id;
    this.core = init.core;
    this.#onClosed = init.onClosed;
    this.#sender = new StreamSender(init.stream);
    this.#work = new IoWork<Pdu, Pdu>({
      cpu: init.ctx.env.cpu,
      core: init.core,
      receive: (pdu, dataDigestOk) => this.#handlePduGuarded(pdu, dataDigestOk),
      send: (pdu, withDigests) => this.#sender.write(encodePdu(pdu, withDigests ? this.#pduOptions : NO_DIGEST_PDU_OPTIONS)),
      sendBudget: SEND_BUDGET,
    });
    // Before the IC exchange only an ICReq (or the host giving up) may arrive.
    this.#decoder = new PduDecoder({ acceptTypes: [PduType.ICReq, PduType.H2CTermReq], maxPduLength: TERM_MAX_PDU_LENGTH });
    // Before Connect a queue has one command (Linux queue->connect), with TTAG 0xffff.
    this.#slots = [new TargetCommand(this, 0, PRE_CONNECT_TTAG)];
    this.#free = [0];
    this.stream.setHandlers({
      data: (chunk) => this.#receive(chunk),
      drain: () => this.#sender.drain(),
      close: () => this.#streamClosed(),
      error: (error) => this.ctx.log.debug(`nvmet_tcp: queue ${this.id}: ${error.message}`),
    });
  }

  get local(): Address {
    return this.stream.local;
  }

  get remote(): Address {
    return this.stream.remote;
  }

  get closed(): boolean {
    return this.#state === 'closed';
  }

  /** In-capsule data accepted: the port's inline size on I/O queues, at least 8 KiB on the admin queue. */
  get inCapsuleLimit(): number {
    // The Linux host sends admin commands (and every Connect) with up to NVME_TCP_ADMIN_CCSZ bytes
    // in-capsule regardless of IOCCSZ; Linux nvmet would refuse a Connect on a port whose
    // param_inline_data_size is below 1024, which is never what a user meant.
    return this.qid === 0 ? Math.max(this.port.inlineDataSize, ADMIN_IN_CAPSULE_BYTES) : this.port.inlineDataSize;
  }

  // ---- Connect ----

  /** Binds the queue to a controller (nvmet_install_queue + nvmet_tcp_install_queue). */
  install(controller: Controller, qid: number, sqsize: number, sqflowDisabled: boolean): void {
    this.controller = controller;
    this.qid = qid;
    this.sqSize = sqsize + 1;
    this.#sqhd = 0;
    this.sqhdDisabled = sqflowDisabled;
    // nr_cmds = sq->size * 2; the Connect command itself finishes in its pre-connect slot.
    const count = this.sqSize * 2;
    this.#slots = Array.from({ length: count }, (_, slot) => new TargetCommand(this, slot, slot));
    this.#free = Array.from({ length: count }, (_, index) => count - 1 - index);
    controller.attach(this);
  }

  // ---- Receive path ----

  /** One chunk from the socket: decode every complete PDU, then charge them as one pass (nvmet_tcp_try_recv). */
  #receive(chunk: Uint8Array): void {
    if (this.#state === 'closed' || this.#failing) return;
    try {
      this.#decoder.push(chunk, this.#onPdu, this.#onDecodeError);
    } catch (error) {
      this.#internalError(error);
    }
    // A chunk that completed no PDU costs nothing yet: its bytes are charged with the PDU they end in.
    this.#work.chargeReceive();
  }

  /** Decode time: the PDU joins the open pass and adds its receive cost (and its command's execution). */
  #receivePdu(pdu: Pdu, dataDigestOk: boolean): void {
    if (this.#failing || this.#state === 'closed') return;
    this.ctx.stats.pdusReceived++;
    if (pdu.type === PduType.ICReq) this.#applyIcFraming(pdu);
    this.#work.addReceive(pdu, dataDigestOk);
    this.#addReceiveWork(pdu);
    if (this.#work.receiveOpen >= IO_WORK_BUDGET) this.#work.chargeReceive();
  }

  /** Handles a PDU; an exception (a bug, never the peer's fault) closes only this connection. */
  #handlePduGuarded(pdu: Pdu, dataDigestOk: boolean): void {
    try {
      this.#handlePdu(pdu, dataDigestOk);
    } catch (error) {
      this.#internalError(error);
    }
  }

  /**
   * What receiving a PDU costs: one PDU, its payload copy and the digests over it, plus executing the
   * command it lets run: a CapsuleCmd unless it is a write whose data comes by R2T, and the H2CData
   * that carries a command's last data (nvmet_tcp_done_recv_pdu, nvmet_tcp_try_recv_data). Decided
   * from the PDU alone, so a command refused before it runs (or failed by a data digest error) is
   * still charged an execution; those are rare error paths.
   */
  #addReceiveWork(pdu: Pdu): void {
    let data = 0;
    let header = 0;
    let commands = 0;
    if (pdu.type === PduType.CapsuleCmd) {
      data = pdu.data.length;
      header = CAPSULE_CMD_HEADER_LENGTH;
      if (data > 0 || !awaitsTransportData(pdu.sqe)) commands = 1;
    } else if (pdu.type === PduType.H2CData) {
      data = pdu.data.length;
      header = DATA_HEADER_LENGTH;
      if (pdu.last) commands = 1;
    }
    const options = this.#pduOptions;
    const crcBytes = (options.headerDigest ? header : 0) + (options.dataDigest ? data : 0);
    this.#work.receiveWork.add(1, data, crcBytes, commands);
  }

  /**
   * The digests an ICReq asks for apply to the very next PDU, which may already sit in the same chunk,
   * so the decoder's framing changes before the ICReq is handled (the handler may still refuse it).
   */
  #applyIcFraming(icreq: ICReqPdu): void {
    this.#pduOptions = { headerDigest: icreq.headerDigest, dataDigest: icreq.dataDigest, dataAlignment: 0 };
    const digests = (icreq.headerDigest ? DIGEST_LENGTH : 0) + (icreq.dataDigest ? DIGEST_LENGTH : 0);
    const inCapsuleMax = Math.max(this.port.inlineDataSize, ADMIN_IN_CAPSULE_BYTES);
    const limits: DecoderLimits = {
      // Linux nvmet_tcp_pdu_valid: ICReq, CapsuleCmd, H2CData; H2CTermReq is accepted to close politely.
      acceptTypes: [PduType.CapsuleCmd, PduType.H2CData, PduType.H2CTermReq],
      maxPduLength: Math.max(
        CAPSULE_CMD_HEADER_LENGTH + inCapsuleMax + digests,
        DATA_HEADER_LENGTH + this.ctx.options.maxH2CData + digests,
        TERM_MAX_PDU_LENGTH,
      ),
    };
    this.#decoder.options = this.#pduOptions;
    this.#decoder.limits = limits;
  }

  #handlePdu(pdu: Pdu, dataDigestOk: boolean): void {
    if (this.#failing || this.#state === 'closed') return;
    switch (pdu.type) {
      case PduType.ICReq:
        this.#handleIcReq(pdu);
        return;
      case PduType.H2CTermReq:
        this.#handleTermReq(pdu);
        return;
      case PduType.CapsuleCmd:
        this.#handleCapsule(pdu, dataDigestOk);
        return;
      case PduType.H2CData:
        this.#handleH2CData(pdu, dataDigestOk);
        return;
      default:
        // The decoder only delivers accepted types; anything else is a sequence error.
        this.#fatal(Fes.PDU_SEQUENCE_ERROR, FEI_RESERVED, this.#headerOf(pdu), `unexpected ${pduTypeName(pdu.type)}`);
    }
  }

  /** nvmet_tcp_handle_icreq: PFV 0 (the decoder checked it), HPDA 0, digests echoed, CPDA 0. */
  #handleIcReq(icreq: ICReqPdu): void {
    if (icreq.hpda !== 0) {
      // Linux refuses "unsupported hpda"; with no PDU data alignment support the parameter is unsupported.
      this.#fatal(Fes.UNSUPPORTED_PARAMETER, ICREQ_FEI_HPDA, this.#headerOf(icreq), `unsupported hpda ${icreq.hpda}`);
      return;
    }
    this.#state = 'live';
    this.#sendPdu(
      {
        type: PduType.ICResp,
        pfv: PFV_1_0,
        cpda: 0,
        headerDigest: icreq.headerDigest,
        dataDigest: icreq.dataDigest,
        maxh2cdata: this.ctx.options.maxH2CData,
      },
      // ICResp never carries digests.
      false,
    );
  }

  #handleTermReq(term: TermReqPdu): void {
    this.ctx.stats.termReqsReceived++;
    this.ctx.log.warn(`nvmet_tcp: queue ${this.id}: host terminated the connection: ${fesName(term.fes)} (fei ${term.fei})`);
    this.shutdown('H2CTermReq received');
  }

  #handleCapsule(pdu: CapsuleCmdPdu, dataDigestOk: boolean): void {
    const command = this.#takeSlot();
    if (command === undefined) {
      // The host has more commands outstanding than twice its SQ size (Linux: "out of commands", fatal).
      this.#fatal(Fes.PDU_SEQUENCE_ERROR, FEI_RESERVED, this.#headerOf(pdu), 'more commands outstanding than the queue holds');
      return;
    }
    const sqe = decodeSqe(pdu.sqe);
    command.start(sqe);
    this.ctx.stats.commands++;
    this.controller?.traffic();
    const rejection = this.#prepare(command, pdu, dataDigestOk);
    if (rejection !== undefined) {
      command.complete(rejection);
      return;
    }
    if (command.length > 0 && command.data === undefined && isWriteCommand(sqe)) {
      this.#requestData(command);
      return;
    }
    this.#execute(command);
  }

  /**
   * Parses the command and checks its data descriptor. Returns a completion when the command fails
   * before running; otherwise command.plan is set and in-capsule data attached.
   */
  #prepare(command: TargetCommand, pdu: CapsuleCmdPdu, dataDigestOk: boolean): Completion | undefined {
    const sqe = command.sqe;
    // nvmet_req_init: "no support for fused commands yet".
    if ((sqe.flags & SqeFlag.FUSE_MASK) !== 0) return { status: Status.INVALID_FIELD | STATUS_DNR, errorLocation: ErrorLocation.FLAGS };
    // nvmet_req_init: over Fabrics PSDT must say "SGL, MPTR an address" (NVME_CMD_SGL_METABUF).
    if ((sqe.flags & SqeFlag.SGL_MASK) !== SqeFlag.SGL_METABUF) {
      return { status: Status.INVALID_FIELD | STATUS_DNR, errorLocation: ErrorLocation.FLAGS };
    }
    const parsed: Parsed = this.#parse(sqe);
    if (!isPlan(parsed)) return parsed;
    const length = sqe.sglLength;
    const sglError = this.#checkSgl(sqe, pdu, dataDigestOk);
    if (sglError !== undefined) return sglError;
    // nvmet_check_transfer_len: the SGL must describe exactly what the command moves.
    if (length !== parsed.length) return { status: Status.SGL_INVALID_DATA | STATUS_DNR, errorLocation: ErrorLocation.DPTR };
    command.plan = parsed;
    command.length = length;
    if (pdu.data.length > 0) {
      command.data = pdu.data;
      command.received = pdu.data.length;
    }
    return undefined;
  }

  /** nvmet_tcp_map_data: in-capsule data only for writes and within the inline size. */
  #checkSgl(sqe: Sqe, pdu: CapsuleCmdPdu, dataDigestOk: boolean): Completion | undefined {
    const length = sqe.sglLength;
    const carried = pdu.data.length;
    if (length === 0) {
      return carried === 0 ? undefined : { status: Status.SGL_INVALID_DATA | STATUS_DNR, errorLocation: ErrorLocation.DPTR };
    }
    if (sqe.sglType === SGL_IN_CAPSULE) {
      if (!isWriteCommand(sqe)) return { status: Status.INVALID_FIELD | STATUS_DNR };
      if (length > this.inCapsuleLimit) return { status: Status.SGL_INVALID_OFFSET | STATUS_DNR };
      // The capsule must carry exactly the bytes the descriptor names (Linux would misframe otherwise).
      if (carried !== length || sqe.sglAddress !== 0n) {
        return { status: Status.SGL_INVALID_DATA | STATUS_DNR, errorLocation: ErrorLocation.DPTR };
      }
      // NVMe/TCP: a data digest error fails the command, not the connection.
      if (!dataDigestOk) return { status: Status.TRANSIENT_TR_ERR };
      return undefined;
    }
    if (sqe.sglType === SGL_TRANSPORT) {
      return carried === 0 ? undefined : { status: Status.SGL_INVALID_DATA | STATUS_DNR, errorLocation: ErrorLocation.DPTR };
    }
    return { status: Status.SGL_INVALID_TYPE | STATUS_DNR, errorLocation: ErrorLocation.SGL_TYPE };
  }

  #parse(sqe: Sqe): Parsed {
    const controller = this.controller;
    if (controller === undefined) return parseConnectCommand(this, sqe);
    if (this.qid === 0) return parseAdminCommand(this, controller, sqe);
    return parseIoCommand(this, controller, sqe);
  }

  /** One R2T for everything (nvmet_setup_r2t_pdu): offset 0, the whole length, TTAG = slot. */
  #requestData(command: TargetCommand): void {
    command.state = 'awaiting-data';
    this.#sendPdu({ type: PduType.R2T, cccid: command.sqe.cid, ttag: command.ttag, r2to: command.received, r2tl: command.length - command.received });
  }

  #handleH2CData(pdu: H2CDataPdu, dataDigestOk: boolean): void {
    const command = this.#commandForTtag(pdu.ttag);
    if (command === undefined || command.state !== 'awaiting-data') {
      return this.#fatal(Fes.INVALID_HEADER_FIELD, H2C_FEI.TTAG, this.#headerOf(pdu), `H2CData for unknown ttag ${pdu.ttag}`);
    }
    if (pdu.cccid !== command.sqe.cid) {
      return this.#fatal(Fes.INVALID_HEADER_FIELD, H2C_FEI.CCCID, this.#headerOf(pdu), `H2CData cccid ${pdu.cccid} != ${command.sqe.cid}`);
    }
    const length = pdu.data.length;
    // nvmet_tcp_handle_h2c_data_pdu: a zero-length H2CData is invalid.
    if (length === 0) return this.#fatal(Fes.INVALID_HEADER_FIELD, H2C_FEI.DATAL, this.#headerOf(pdu), 'H2CData with no data');
    if (length > this.ctx.options.maxH2CData) {
      return this.#fatal(Fes.DATA_LIMIT_EXCEEDED, FEI_RESERVED, this.#headerOf(pdu), `H2CData of ${length} bytes > MAXH2CDATA`);
    }
    if (pdu.datao + length > command.length) {
      return this.#fatal(Fes.DATA_OUT_OF_RANGE, FEI_RESERVED, this.#headerOf(pdu), `H2CData ${pdu.datao}+${length} past ${command.length}`);
    }
    if (pdu.datao !== command.received) {
      return this.#fatal(Fes.PDU_SEQUENCE_ERROR, FEI_RESERVED, this.#headerOf(pdu), `H2CData offset ${pdu.datao}, expected ${command.received}`);
    }
    const done = command.received + length === command.length;
    if (pdu.last !== done) {
      return this.#fatal(Fes.PDU_SEQUENCE_ERROR, FEI_RESERVED, this.#headerOf(pdu), `H2CData LAST flag ${pdu.last} at ${pdu.datao}+${length}`);
    }
    if (!dataDigestOk) command.digestError = true;
    if (!command.digestError) {
      if (done && command.received === 0) {
        // All the data in one PDU: the backend gets this view, no copy.
        command.data = pdu.data;
      } else {
        command.buffer ??= new Uint8Array(command.length);
        command.buffer.set(pdu.data, pdu.datao);
      }
    }
    command.received += length;
    if (!done) return;
    if (command.digestError) {
      command.complete({ status: Status.TRANSIENT_TR_ERR });
      return;
    }
    command.data ??= command.buffer;
    this.#execute(command);
  }

  #commandForTtag(ttag: number): TargetCommand | undefined {
    if (this.controller === undefined) return ttag === PRE_CONNECT_TTAG ? this.#slots[0] : undefined;
    return this.#slots[ttag];
  }

  /** Runs the command inline, inside the receive pass that charged its execution (req->execute). */
  #execute(command: TargetCommand): void {
    command.state = 'executing';
    if (this.#state === 'closed') return;
    const plan = command.plan;
    try {
      if (plan === undefined) throw new Error('command has no plan');
      plan.execute(command);
    } catch (error) {
      this.ctx.log.error(`nvmet: queue ${this.id}: opcode 0x${command.sqe.opcode.toString(16)} failed: ${describe(error)}`);
      if (command.state === 'executing') command.complete({ status: Status.INTERNAL | STATUS_DNR });
    }
  }

  // ---- Completion path ----

  /**
   * Sends the command's data and/or CapsuleResp, charged as one send item, and frees its slot
   * (nvmet_req_complete + nvmet_tcp_queue_response).
   */
  complete(command: TargetCommand, completion: Completion): void {
    if (command.state === 'done' || command.state === 'free' || this.#state === 'closed') return;
    command.state = 'done';
    let status = completion.status;
    let sqhd = 0;
    if (!this.sqhdDisabled) {
      // nvmet_update_sq_head: the head advances by one per completed command, modulo the SQ size.
      if (this.sqSize > 0) this.#sqhd = (this.#sqhd + 1) % this.sqSize;
      sqhd = this.#sqhd;
    } else if (command.slot === 0 && command.ttag === PRE_CONNECT_TTAG) {
      sqhd = SQHD_DISABLED;
    }
    const controller = this.controller;
    if (status !== 0) {
      this.ctx.stats.commandErrors++;
      // nvmet_set_error: only with a controller and a known error location, and then with More set.
      if (controller !== undefined && completion.errorLocation !== undefined) {
        controller.errors.record({
          sqid: this.qid,
          cid: command.sqe.cid,
          status,
          location: completion.errorLocation,
          lba: completion.errorLba ?? 0,
          nsid: command.sqe.nsid,
        });
        status |= STATUS_MORE;
      }
    }
    const data = status === 0 ? completion.data : undefined;
    let skipResponse = false;
    if (data !== undefined && command.length > 0) {
      const payload = fitData(data, command.length);
      // With SQ flow control off the last C2HData carries SUCCESS and replaces the CapsuleResp.
      skipResponse = this.sqhdDisabled;
      this.#sendData(command, payload, skipResponse);
    }
    if (!skipResponse) {
      const cqe = encodeCqe({
        dw0: (completion.dw0 ?? 0) >>> 0,
        dw1: (completion.dw1 ?? 0) >>> 0,
        sqhd,
        sqid: this.qid,
        cid: command.sqe.cid,
        status,
      });
      this.#queuePdu({ type: PduType.CapsuleResp, cqe }, true);
    }
    this.#work.sendQueued();
    this.#release(command);
  }

  /** C2HData PDUs of at most c2hDataMax bytes, LAST on the final one (nvmet_setup_c2h_data_pdu). */
  #sendData(command: TargetCommand, data: Uint8Array, success: boolean): void {
    const step = Math.max(1, Math.min(this.ctx.options.c2hDataMax, data.length));
    for (let offset = 0; offset < data.length; offset += step) {
      const end = Math.min(data.length, offset + step);
      const last = end === data.length;
      this.#queuePdu(
        {
          type: PduType.C2HData,
          cccid: command.sqe.cid,
          datao: offset,
          data: data.subarray(offset, end),
          last,
          success: success && last,
        },
        true,
      );
    }
  }

  #takeSlot(): TargetCommand | undefined {
    const slot = this.#free.pop();
    return slot === undefined ? undefined : this.#slots[slot];
  }

  #release(command: TargetCommand): void {
    // The Connect command finishes in the pre-connect slot after install() replaced the table.
    if (this.#slots[command.slot] !== command) return;
    command.state = 'free';
    command.data = undefined;
    command.buffer = undefined;
    this.#free.push(command.slot);
  }

  // ---- Send path ----

  /** Sends one PDU as one command's response (an R2T, an ICResp). */
  #sendPdu(pdu: Pdu, withDigests = true): void {
    this.#queuePdu(pdu, withDigests);
    this.#work.sendQueued();
  }

  /** Adds a PDU to the open send item: one PDU, its payload copy and its digests. */
  #queuePdu(pdu: Pdu, withDigests: boolean): void {
    this.ctx.stats.pdusSent++;
    const data = pdu.type === PduType.C2HData ? pdu.data.length : 0;
    const options = withDigests ? this.#pduOptions : NO_DIGEST_PDU_OPTIONS;
    const crcBytes = (options.headerDigest ? DATA_HEADER_LENGTH : 0) + (options.dataDigest ? data : 0);
    this.#work.addSend(pdu, withDigests);
    this.#work.sendWork.add(1, data, crcBytes, 0);
  }

  /** Bytes held back by stream backpressure (for tests and stats). */
  get pendingSendBytes(): number {
    return this.#sender.heldBytes;
  }

  // ---- Errors and teardown ----

  /**
   * A fatal transport error: C2HTermReq with the FES, FEI and (at most 128 bytes of) the offending
   * header, then close. A queue of a controller takes the controller down (nvmet_tcp_fatal_error ->
   * nvmet_ctrl_fatal_error), as Linux does.
   */
  #fatal(fes: FesCode, fei: number, header: Uint8Array, message: string): void {
    if (this.#failing || this.#state === 'closed') return;
    this.#failing = true;
    this.ctx.stats.fatalErrors++;
    this.ctx.stats.termReqsSent++;
    this.ctx.log.warn(`nvmet_tcp: queue ${this.id}: ${message}: sending C2HTermReq (${fesName(fes)}, fei ${fei})`);
    const term: TermReqPdu = { type: PduType.C2HTermReq, fes, fei, errorData: header.subarray(0, TERM_MAX_ERROR_DATA) };
    this.ctx.stats.pdusSent++;
    // Responses already queued go first, as they would have been written before the error.
    this.#work.chargeSend();
    this.ctx.env.cpu.run(this.core, { pdus: 1 }, () => {
      // TermReqs never carry digests.
      this.#sender.write(encodePdu(term, NO_DIGEST_PDU_OPTIONS));
      this.#endStream();
    });
    // The controller's teardown shuts this queue down too; a queue without one just tears down.
    this.controller?.fatal(`queue ${this.qid}: ${message}`);
    this.#teardown(message);
  }

  /** The header bytes of a decoded PDU, for a TermReq's error data (reserved fields read as zero). */
  #headerOf(pdu: Pdu): Uint8Array {
    try {
      return encodePdu(pdu, pdu.type === PduType.ICReq ? NO_DIGEST_PDU_OPTIONS : this.#pduOptions)[0] ?? new Uint8Array(0);
    } catch {
      return new Uint8Array(0);
    }
  }

  #internalError(error: unknown): void {
    this.ctx.log.error(`nvmet_tcp: queue ${this.id}: internal error: ${describe(error)}`);
    this.shutdown('internal error');
  }

  /** Closes the connection after queued PDUs are written (controller teardown, H2CTermReq, stop). */
  shutdown(reason: string): void {
    const wasFailing = this.#failing;
    this.#teardown(reason);
    // A failing queue ends its stream right after its C2HTermReq is written.
    if (!wasFailing) {
      this.#work.chargeSend();
      this.ctx.env.cpu.run(this.core, {}, () => this.#endStream());
    }
  }

  /** Resets the connection at once (RST), unless it is already closing with a FIN. */
  abortStream(): void {
    this.#clearLinger();
    // After end() the FIN is on its way and the peer closes; a reset now would race it (and Node 20's
    // socket.resetAndDestroy() after end() fails with EINVAL and leaves the handle spinning).
    if (this.#streamEnded || this.stream.closed) return;
    this.#streamEnded = true;
    this.#sender.stream = null;
    this.stream.destroy();
  }

  /** Resets the connection and forgets it (target stop). */
  destroy(): void {
    this.abortStream();
    this.#teardown('target stopping');
  }

  #endStream(): void {
    if (this.#streamEnded) return;
    this.#streamEnded = true;
    // What backpressure still holds is dropped, not flushed, at FIN.
    this.#sender.clear();
    this.#sender.stream = null;
    this.stream.end();
    // A peer that never closes its side must not pin the connection forever.
    this.#clearLinger();
    this.#lingerTimer = this.ctx.env.clock.setTimer(this.ctx.options.lingerNs, () => {
      this.#lingerTimer = undefined;
      // With an error, not as a bare reset: Node's resetAndDestroy() after end() fails (EINVAL) and
      // leaves the socket handle spinning, and RealStream only resets when given no error.
      this.stream.destroy(new Error('peer did not close after FIN'));
    });
  }

  #clearLinger(): void {
    if (this.#lingerTimer !== undefined) this.ctx.env.clock.clearTimer(this.#lingerTimer);
    this.#lingerTimer = undefined;
  }

  #streamClosed(): void {
    this.#streamEnded = true;
    this.#sender.stream = null;
    this.#clearLinger();
    this.#teardown('connection closed');
  }

  /** Forgets commands, leaves the controller (the admin queue takes it down), tells the target. */
  #teardown(reason: string): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    for (const command of this.#slots) command.state = 'free';
    this.#free = [];
    const controller = this.controller;
    this.ctx.log.debug(`nvmet_tcp: queue ${this.id} (qid ${this.qid}) closed: ${reason}`);
    controller?.detach(this);
    this.#onClosed(this);
  }
}

/** nvme_is_write: the opcode's (or fctype's) low bit says data flows host to controller. */
export function isWriteCommand(sqe: Sqe): boolean {
  const code = sqe.opcode === FABRICS_OPCODE ? sqe.nsid & 0xff : sqe.opcode;
  return (code & 1) === 1;
}

/**
 * A CapsuleCmd whose data the target must ask for with R2T: a write (nvme_is_write) whose SGL
 * describes data and whose capsule carries none. Read from the raw SQE at decode time.
 */
function awaitsTransportData(sqe: Uint8Array): boolean {
  const opcode = sqe[SqeOffset.OPCODE] ?? 0;
  const code = opcode === FABRICS_OPCODE ? (sqe[SqeOffset.FCTYPE] ?? 0) : opcode;
  if ((code & 1) === 0) return false;
  const o = SqeOffset.SGL_LENGTH;
  return ((sqe[o] ?? 0) | (sqe[o + 1] ?? 0) | (sqe[o + 2] ?? 0) | (sqe[o + 3] ?? 0)) !== 0;
}

/** Controller-to-host data of exactly the SGL length (pads with zeroes or trims). */
function fitData(data: Uint8Array, length: number): Uint8Array {
  if (data.length === length) return data;
  if (data.length > length) return data.subarray(0, length);
  const out = new Uint8Array(length);
  out.set(data);
  return out;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
