// One NVMe/TCP connection on the controller side: an NVMe submission/completion queue pair bound to a
// TCP stream (Linux drivers/nvme/target/tcp.c struct nvmet_tcp_queue). It enforces the connection's
// PDU sequence (ICReq first and once; then CapsuleCmd, H2CData and H2CTermReq only), starts commands,
// reports completions with SQ head pointers, and turns every fatal transport error into a
// C2HTermReq followed by closing the connection. Its parts, one concept a file:
// - pdu-framing.ts: bytes to PDUs, the IC exchange's digests and limits, dispatch by PDU type;
// - queue-pass.ts with sim/transport io-work.ts: CPU work in nvmet_tcp_io_work passes;
// - capsule-checks.ts and command-table.ts: a capsule's transport checks, the command slots;
// - data-transfer.ts: R2T + H2CData in, C2HData out;
// - sim/transport stream-sender.ts: send backpressure; connection-close.ts: FIN, linger, RST.
// Commands themselves are parsed and executed by fabrics-/admin-/io-commands.ts, which see the queue
// only through command-context.ts.
//
// Hot path: synchronous callbacks only. CPU work is charged to this connection's core through
// env.cpu.run (in the simulator that is where time passes) in passes, as Linux nvmet_tcp_io_work does
// it: the PDUs decoded from one received chunk are one work item whose cost is the sum of their
// receive costs plus one command execution for each command they start, and the item handles them in
// order and executes those commands inline (nvmet_tcp_done_recv_pdu calls req->execute directly). A
// command's response PDUs (C2HData and CapsuleResp, or an R2T) are one send item; responses produced
// while a receive pass runs (a backend that completes at once) go out in one send item after it, as
// io_work's send pass would send them (budgets: queue-pass.ts).
//
// Deliberate differences from Linux nvmet (each noted where it happens):
// - fatal errors send a C2HTermReq (FES, FEI, offending header) before closing, as SPDK does; Linux
//   only closes the socket ("FIXME: use proper transport errors");
// - a data digest mismatch fails just that command with Transient Transport Error and keeps the
//   connection (NVMe/TCP has no FES for data digest errors; SPDK and FreeBSD do the same); Linux
//   treats it as fatal;
// - H2CData checks follow FreeBSD nvmf_tcp_handle_h2c_data (data-transfer.ts);
// - a command's length, namespace and LBA range are checked before its R2T is sent, not after the data.
import type { Address, ByteStream } from '../core/index.js';
import { encodeCqeFields, Fes, NO_DIGEST_PDU_OPTIONS, PduType, PFV_1_0, TERM_MAX_ERROR_DATA } from '../nvme/index.js';
import { decodeSqe, fesName, Status, STATUS_DNR, STATUS_MORE } from '../nvme/index.js';
import type { CapsuleCmdPdu, FesCode, H2CDataPdu, ICReqPdu, Pdu, PduError, Sqe, TermReqPdu } from '../nvme/index.js';
import { IoWork, StreamSender } from '../transport/index.js';
import { parseAdminCommand } from './admin-commands.js';
import { checkCommandFlags, checkSgl, isWriteCommand } from './capsule-checks.js';
import { ErrorLocation, isPlan } from './command.js';
import type { CommandSink, Completion, Parsed, TargetCommand } from './command.js';
import type { CommandContext } from './command-context.js';
import { CommandTable, isPreConnect } from './command-table.js';
import { ConnectionClose } from './connection-close.js';
import type { TargetContext } from './context.js';
import type { Controller, ControllerQueue } from './controller.js';
import { checkH2CData, fitData, placeH2CData, queueC2HData, r2tFor } from './data-transfer.js';
import { parseConnectCommand } from './fabrics-commands.js';
import { parseIoCommand } from './io-commands.js';
import type { LivePort } from './model.js';
import { FEI_RESERVED, PduFraming } from './pdu-framing.js';
import { addReceiveCost, addSendCost, IO_WORK_BUDGET, SEND_BUDGET } from './queue-pass.js';
import { ADMIN_IN_CAPSULE_BYTES } from './target-options.js';

/** ICReq HPDA offset, the FEI when its value is refused. */
const ICREQ_FEI_HPDA = 10;
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

export class TcpQueue implements CommandContext, CommandSink, ControllerQueue {
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
  readonly #framing: PduFraming;
  readonly #commands: CommandTable;
  /** Send backpressure; its stream is null once the stream is ended or reset. */
  readonly #sender: StreamSender;
  readonly #close: ConnectionClose;
  /**
   * Receive passes carry decoded PDUs (flag: data digest OK); send items carry response PDUs (flag:
   * with the connection's digests), at most SEND_BUDGET commands' responses each.
   */
  readonly #work: IoWork<Pdu, Pdu>;
  readonly #onClosed: (queue: TcpQueue) => void;
  readonly #onPdu = (pdu: Pdu, dataDigestOk: boolean): void => this.#receivePdu(pdu, dataDigestOk);
  readonly #onDecodeError = (error: PduError): void => this.#fatal(error.fes, error.fei, error.header, error.message);
  readonly #queueResponsePdu = (pdu: Pdu): void => this.#queuePdu(pdu, true);

  constructor(init: QueueInit) {
    this.ctx = init.ctx;
    this.port = init.port;
    this.stream = init.stream;
    this.id = init.id;
    this.core = init.core;
    this.#onClosed = init.onClosed;
    this.#sender = new StreamSender(init.stream);
    this.#close = new ConnectionClose(init.stream, this.#sender, init.ctx.env.clock, init.ctx.options.lingerNs);
    this.#framing = new PduFraming({
      icReq: (pdu) => this.#handleIcReq(pdu),
      termReq: (pdu) => this.#handleTermReq(pdu),
      capsule: (pdu, dataDigestOk) => this.#handleCapsule(pdu, dataDigestOk),
      h2cData: (pdu, dataDigestOk) => this.#handleH2CData(pdu, dataDigestOk),
      fatal: (fes, fei, header, message) => this.#fatal(fes, fei, header, message),
    });
    this.#work = new IoWork<Pdu, Pdu>({
      cpu: init.ctx.env.cpu,
      core: init.core,
      receive: (pdu, dataDigestOk) => this.#handlePduGuarded(pdu, dataDigestOk),
      send: (pdu, withDigests) => this.#framing.write(this.#sender, pdu, withDigests),
      sendBudget: SEND_BUDGET,
      // nvmet_tcp_queue_response queues io_work: a response from the backend wakes an idle worker.
      side: 'target',
    });
    this.#commands = new CommandTable(this);
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

  /** Bytes held back by stream backpressure (for tests and stats). */
  get pendingSendBytes(): number {
    return this.#sender.heldBytes;
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
    this.#commands.install(this, this.sqSize * 2);
    controller.attach(this);
  }

  // ---- Receive path ----

  /** One chunk from the socket: decode every complete PDU, then charge them as one pass (nvmet_tcp_try_recv). */
  #receive(chunk: Uint8Array): void {
    if (this.#state === 'closed' || this.#failing) return;
    try {
      this.#framing.push(chunk, this.#onPdu, this.#onDecodeError);
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
    if (pdu.type === PduType.ICReq) {
      this.#framing.applyIcReq(pdu, Math.max(this.port.inlineDataSize, ADMIN_IN_CAPSULE_BYTES), this.ctx.options.maxH2CData);
    }
    const work = this.#work;
    work.addReceive(pdu, dataDigestOk);
    addReceiveCost(work.receiveWork, pdu, this.#framing.options);
    if (work.receiveOpen >= IO_WORK_BUDGET) work.chargeReceive();
  }

  /** In the pass's item: handles a PDU; an exception (a bug, never the peer's fault) closes only this connection. */
  #handlePduGuarded(pdu: Pdu, dataDigestOk: boolean): void {
    try {
      if (this.#failing || this.#state === 'closed') return;
      this.#framing.dispatch(pdu, dataDigestOk);
    } catch (error) {
      this.#internalError(error);
    }
  }

  /** nvmet_tcp_handle_icreq: PFV 0 (the decoder checked it), HPDA 0, digests echoed, CPDA 0. */
  #handleIcReq(icreq: ICReqPdu): void {
    if (icreq.hpda !== 0) {
      // Linux refuses "unsupported hpda"; with no PDU data alignment support the parameter is unsupported.
      this.#fatal(Fes.UNSUPPORTED_PARAMETER, ICREQ_FEI_HPDA, this.#framing.headerOf(icreq), `unsupported hpda ${icreq.hpda}`);
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
    const command = this.#commands.take();
    if (command === undefined) {
      // The host has more commands outstanding than twice its SQ size (Linux: "out of commands", fatal).
      this.#fatal(Fes.PDU_SEQUENCE_ERROR, FEI_RESERVED, this.#framing.headerOf(pdu), 'more commands outstanding than the queue holds');
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
      // One R2T for everything (nvmet_setup_r2t_pdu).
      command.state = 'awaiting-data';
      this.#sendPdu(r2tFor(command));
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
    const flagsError = checkCommandFlags(sqe);
    if (flagsError !== undefined) return flagsError;
    const parsed: Parsed = this.#parse(sqe);
    if (!isPlan(parsed)) return parsed;
    const length = sqe.sglLength;
    const sglError = checkSgl(sqe, pdu.data.length, dataDigestOk, this.inCapsuleLimit);
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

  #parse(sqe: Sqe): Parsed {
    const controller = this.controller;
    if (controller === undefined) return parseConnectCommand(this, sqe);
    if (this.qid === 0) return parseAdminCommand(this, controller, sqe);
    return parseIoCommand(this, controller, sqe);
  }

  #handleH2CData(pdu: H2CDataPdu, dataDigestOk: boolean): void {
    const command = this.#commands.forTtag(pdu.ttag, this.controller !== undefined);
    const error = checkH2CData(command, pdu, this.ctx.options.maxH2CData);
    if (error !== undefined) {
      this.#fatal(error.fes, error.fei, this.#framing.headerOf(pdu), error.message);
      return;
    }
    if (command === undefined || !placeH2CData(command, pdu, dataDigestOk)) return;
    if (command.digestError) {
      command.complete({ status: Status.TRANSIENT_TR_ERR });
      return;
    }
    this.#execute(command);
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
    } else if (isPreConnect(command)) {
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
      queueC2HData(command.sqe.cid, payload, skipResponse, this.ctx.options.c2hDataMax, this.#queueResponsePdu);
    }
    if (!skipResponse) {
      const cqe = encodeCqeFields((completion.dw0 ?? 0) >>> 0, (completion.dw1 ?? 0) >>> 0, sqhd, this.qid, command.sqe.cid, status);
      this.#queuePdu({ type: PduType.CapsuleResp, cqe }, true);
    }
    this.#work.sendQueued();
    this.#commands.release(command);
  }

  // ---- Send path ----

  /** Sends one PDU as one command's response (an R2T, an ICResp). */
  #sendPdu(pdu: Pdu, withDigests = true): void {
    this.#queuePdu(pdu, withDigests);
    this.#work.sendQueued();
  }

  /** Adds a PDU to the open send item, with its cost. */
  #queuePdu(pdu: Pdu, withDigests: boolean): void {
    this.ctx.stats.pdusSent++;
    this.#work.addSend(pdu, withDigests);
    addSendCost(this.#work.sendWork, pdu, withDigests ? this.#framing.options : NO_DIGEST_PDU_OPTIONS);
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
      this.#sender.write(this.#framing.encode(term, false));
      this.#close.end();
    });
    // The controller's teardown shuts this queue down too; a queue without one just tears down.
    this.controller?.fatal(`queue ${this.qid}: ${message}`);
    this.#teardown(message);
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
      this.ctx.env.cpu.run(this.core, {}, () => this.#close.end());
    }
  }

  /** Resets the connection at once (RST), unless it is already closing with a FIN. */
  abortStream(): void {
    this.#close.abort();
  }

  /** Resets the connection and forgets it (target stop). */
  destroy(): void {
    this.abortStream();
    this.#teardown('target stopping');
  }

  #streamClosed(): void {
    this.#close.closed();
    this.#teardown('connection closed');
  }

  /** Forgets commands, leaves the controller (the admin queue takes it down), tells the target. */
  #teardown(reason: string): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#commands.clear();
    const controller = this.controller;
    this.ctx.log.debug(`nvmet_tcp: queue ${this.id} (qid ${this.qid}) closed: ${reason}`);
    controller?.detach(this);
    this.#onClosed(this);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
