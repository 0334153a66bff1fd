// One NVMe/TCP host queue: one TCP connection carrying one submission/completion queue pair, the
// userspace twin of struct nvme_tcp_queue in Linux drivers/nvme/host/tcp.c. It owns the ICReq/ICResp
// exchange, command identifiers, in-capsule versus R2T-driven writes, H2CData segmentation, C2HData
// placement, per-command timeouts and send backpressure. It knows nothing about controllers: fatal
// transport errors and timeouts are reported to its owner (controller.ts), which runs error recovery.
//
// The per-command path is synchronous callbacks (no promises) and allocation-light: command slots
// are preallocated per tag. CPU work is charged through env.cpu.run where a kernel would spend it:
// protocol state (validation, copying C2HData into the read buffer, freeing the tag) is updated
// when the PDU is decoded, and the visible effects (sending PDUs, completing a command) run inside
// cpu.run so that a simulated busy core delays them.
import type { Address, ByteStream, NodeEnv, Timer, Work } from '../core/env.js';
import { SGL_IN_CAPSULE, SGL_TRANSPORT } from '../nvme/constants.js';
import { PduDecoder } from '../nvme/pdu-decoder.js';
import { encodePdu } from '../nvme/pdu-encoder.js';
import { fesName } from '../nvme/pdu-errors.js';
import {
  CAPSULE_CMD_HEADER_LENGTH,
  CAPSULE_RESP_HEADER_LENGTH,
  DATA_HEADER_LENGTH,
  DIGEST_LENGTH,
  MIN_MAXH2CDATA,
  PFV_1_0,
  PduType,
  TERM_MAX_PDU_LENGTH,
} from '../nvme/pdu-types.js';
import type { C2HDataPdu, CapsuleRespPdu, ICRespPdu, Pdu, PduError, PduOptions, R2TPdu, TermReqPdu } from '../nvme/pdu-types.js';
import { SqeFlag, SqeOffset } from '../nvme/sqe.js';
import { Status } from '../nvme/status.js';
import { TransportError } from './transport-error.js';

/** Completion of a queued command: the 15-bit NVMe status and CQE dwords 0 and 1. */
export type CommandCallback = (status: number, dw0: number, dw1: number) => void;

/**
 * A command to send. The queue writes the command identifier and the SGL descriptor into `sqe`
 * (host/tcp.c nvme_tcp_setup_cmd_pdu), so one object can be resubmitted after a reconnect.
 */
export interface QueueCommand {
  /** The 64-byte SQE; the queue owns bytes 1-3 (flags, CID) and the SGL (24-39) while queued. */
  readonly sqe: Uint8Array;
  /** Host-to-controller data (a write), or null. */
  readonly dataOut: Uint8Array | null;
  /** Buffer the controller's data is placed in (a read), or null. Its length is the transfer length. */
  readonly dataIn: Uint8Array | null;
  /** Timeout in nanoseconds; 0 for none (Asynchronous Event Requests never time out). */
  readonly timeoutNs: number;
  readonly callback: CommandCallback;
}

export interface QueueEvents {
  /** The connection is dead (protocol error, C2HTermReq, close). Called at most once, after open. */
  fatal(queue: HostQueue, reason: string): void;
  /** A command outlived its timeout; reported once per command. The owner decides what to do. */
  timeout(queue: HostQueue, opcode: number, cid: number): void;
}

export interface HostQueueConfig {
  /** 0 for the admin queue, 1..n for I/O queues. */
  readonly qid: number;
  /** Commands in flight at most (the tag count); more wait in submission order. */
  readonly depth: number;
  /** Core the queue's CPU work is charged to. */
  readonly core: number;
  readonly headerDigest: boolean;
  readonly dataDigest: boolean;
  /** Largest write sent in the capsule (admin: 8 KiB; I/O: IOCCSZ*16 - 64). */
  readonly inCapsuleBytes: number;
  /** Largest data transfer of one command; bounds the PDUs accepted. */
  readonly maxTransferBytes: number;
  /** TCP connect plus ICResp wait. */
  readonly connectTimeoutNs: number;
  /** Log prefix, e.g. "nvme-host nqn...: ". */
  readonly logPrefix: string;
}

export interface QueueStats {
  /** Commands handed to the connection. */
  submitted: number;
  /** Commands completed by the controller (any status). */
  completed: number;
  /** Completions with a non-zero status. */
  errors: number;
  /** Commands holding a tag now. */
  inFlight: number;
}

/** host/tcp.c: the host supports one outstanding R2T per command (ICReq MAXR2T is 0's based). */
const MAXR2T = 0;
/** host/tcp.c nvme_tcp_init_connection: the host asks for no PDU data alignment. */
const HPDA = 0;
/** host/tcp.c: CPDA other than 0 is unsupported ("unsupported cpda returned"). */
const SUPPORTED_CPDA = 0;
/** A gracefully closed connection is reset if the peer has not closed it within this time. */
const LINGER_NS = 1_000_000_000;
/** The upper 4 bits of a CID count tag reuse, as Linux nvme_cid() does, to catch stale completions. */
const CID_GENERATION_SHIFT = 12;
const CID_TAG_MASK = (1 << CID_GENERATION_SHIFT) - 1;
const CID_GENERATION_MASK = 0xf;
/** Largest queue depth the CID layout allows. */
export const MAX_QUEUE_DEPTH = 1 << CID_GENERATION_SHIFT;

const EMPTY = new Uint8Array(0);
const NOOP = (): void => {};
const ACCEPT_BEFORE_ICRESP = [PduType.ICResp, PduType.C2HTermReq] as const;
/** host/tcp.c nvme_tcp_recv_pdu_supported: the only PDU types a host accepts after ICResp. */
const ACCEPT_LIVE = [PduType.C2HTermReq, PduType.CapsuleResp, PduType.C2HData, PduType.R2T] as const;

/** failed: the connection died; slots are kept until the owner collects them with close(). */
type QueueState = 'connecting' | 'live' | 'failed' | 'closed';

/** Per-tag command state; preallocated so the hot path allocates nothing for it. */
class Slot {
  readonly tag: number;
  generation = 0;
  cid = 0;
  command: QueueCommand | null = null;
  /** Write sent by R2T/H2CData (not in the capsule). */
  transportWrite = false;
  /** Bytes of the write handed to H2CData PDUs (host/tcp.c req->data_sent). */
  dataSent = 0;
  /** Bytes of the read placed from C2HData. */
  received = 0;
  /** A status found before the completion (data digest error), which then wins over the CQE's. */
  pendingStatus = 0;
  deadlineNs = Infinity;
  /** The capsule or H2CData PDUs are queued for the CPU but not yet written (an R2T now is a bug). */
  sending = false;
  constructor(tag: number) {
    this.tag = tag;
  }
}

export class HostQueue {
  readonly qid: number;
  readonly depth: number;
  readonly #env: NodeEnv;
  readonly #config: HostQueueConfig;
  readonly #events: QueueEvents;
  readonly #slots: Slot[];
  /** Free tags as a stack. */
  readonly #freeTags: Int32Array;
  #freeCount: number;
  /** Commands beyond the queue depth, in submission order (head index avoids shifting). */
  #waiting: (QueueCommand | undefined)[] = [];
  #waitingHead = 0;
  #state: QueueState = 'connecting';
  #stream: ByteStream | null = null;
  readonly #decoder: PduDecoder;
  #pduOptions: PduOptions;
  #maxh2cdata = MIN_MAXH2CDATA;
  /** Chunks held back while the stream is above its high-water mark. */
  #sendQueue: Uint8Array[] = [];
  #sendHead = 0;
  #blocked = false;
  #timeoutTimer: Timer | null = null;
  #timeoutAtNs = Infinity;
  #openTimer: Timer | null = null;
  #lingerTimer: Timer | null = null;
  #opening: { resolve: () => void; reject: (error: Error) => void } | null = null;
  #submitted = 0;
  #completed = 0;
  #errors = 0;

  private constructor(env: NodeEnv, config: HostQueueConfig, events: QueueEvents) {
    if (!Number.isInteger(config.depth) || config.depth < 1 || config.depth > MAX_QUEUE_DEPTH) {
      throw new RangeError(`queue depth ${config.depth} is not in 1..${MAX_QUEUE_DEPTH}`);
    }
    this.qid = config.qid;
    this.depth = config.depth;
    this.#env = env;
    this.#config = config;
    this.#events = events;
    this.#slots = [];
    this.#freeTags = new Int32Array(config.depth);
    for (let tag = 0; tag < config.depth; tag++) {
      this.#slots.push(new Slot(tag));
      // Stack order so that tag 0 is used first.
      this.#freeTags[tag] = config.depth - 1 - tag;
    }
    this.#freeCount = config.depth;
    this.#pduOptions = { headerDigest: false, dataDigest: false, dataAlignment: 0 };
    this.#decoder = new PduDecoder({ acceptTypes: ACCEPT_BEFORE_ICRESP, maxPduLength: TERM_MAX_PDU_LENGTH });
  }

  /**
   * Opens a TCP connection and runs the ICReq/ICResp exchange (host/tcp.c nvme_tcp_init_connection).
   * Rejects with TransportError when the connect fails or times out or the ICResp is unacceptable.
   */
  static open(env: NodeEnv, address: Address, config: HostQueueConfig, events: QueueEvents): Promise<HostQueue> {
    const queue = new HostQueue(env, config, events);
    return queue.#open(address).then(() => queue);
  }

  get live(): boolean {
    return this.#state === 'live';
  }

  /** Largest H2CData payload the controller accepts (ICResp MAXH2CDATA). */
  get maxh2cdata(): number {
    return this.#maxh2cdata;
  }

  get stats(): QueueStats {
    return {
      submitted: this.#submitted,
      completed: this.#completed,
      errors: this.#errors,
      inFlight: this.depth - this.#freeCount,
    };
  }

  /** Commands in flight plus commands waiting for a tag. */
  get outstanding(): number {
    return this.depth - this.#freeCount + this.#waiting.length - this.#waitingHead;
  }

  /**
   * Queues a command: it is sent now if a tag is free, else when one frees up. Throws if the queue is
   * not live or the transfer is larger than the queue allows (both are caller bugs).
   */
  submit(command: QueueCommand): void {
    if (this.#state !== 'live') throw new Error(`queue ${this.qid} is not live`);
    const length = transferLength(command);
    if (length > this.#config.maxTransferBytes) {
      throw new RangeError(`transfer of ${length} bytes exceeds the queue limit ${this.#config.maxTransferBytes}`);
    }
    if (this.#freeCount === 0) {
      this.#waiting.push(command);
      return;
    }
    this.#start(this.#takeSlot(), command);
  }

  /**
   * Closes the connection and hands back every command that has not completed (in flight first,
   * then waiting), without calling their callbacks: the owner requeues or fails them. `graceful`
   * sends FIN instead of RST.
   */
  close(graceful = false): QueueCommand[] {
    const unfinished: QueueCommand[] = [];
    if (this.#state === 'closed') return unfinished;
    this.#state = 'closed';
    this.#clearTimers();
    for (const slot of this.#slots) {
      if (slot.command !== null) unfinished.push(slot.command);
      this.#releaseSlot(slot);
    }
    for (let index = this.#waitingHead; index < this.#waiting.length; index++) {
      const command = this.#waiting[index];
      if (command !== undefined) unfinished.push(command);
    }
    this.#waiting = [];
    this.#waitingHead = 0;
    this.#sendQueue = [];
    this.#sendHead = 0;
    this.#closeStream(graceful);
    this.#stream = null;
    return unfinished;
  }

  // ---- Connection setup ----

  #open(address: Address): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#opening = { resolve, reject };
      const seconds = this.#config.connectTimeoutNs / 1e9;
      this.#openTimer = this.#env.clock.setTimer(this.#config.connectTimeoutNs, () => {
        this.#openTimer = null;
        this.#failOpen(new TransportError('timeout', `queue ${this.qid}: no ICResp from ${address.host}:${address.port} within ${seconds} s`));
      });
      this.#env.network.connect(address).then(
        (stream) => {
          if (this.#state !== 'connecting') {
            stream.destroy();
            return;
          }
          this.#attach(stream);
          this.#sendICReq();
        },
        (error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          this.#failOpen(new TransportError('connect', `queue ${this.qid}: failed to connect socket: ${message}`));
        },
      );
    });
  }

  #attach(stream: ByteStream): void {
    this.#stream = stream;
    stream.setHandlers({
      data: (chunk) => {
        if (this.#state === 'live' || this.#state === 'connecting') this.#decoder.push(chunk, this.#onPdu, this.#onDecodeError);
      },
      drain: () => this.#flush(),
      error: (error) => this.#env.log.debug(`${this.#config.logPrefix}queue ${this.qid}: socket error: ${error.message}`),
      close: () => {
        if (this.#lingerTimer !== null) {
          this.#env.clock.clearTimer(this.#lingerTimer);
          this.#lingerTimer = null;
        }
        this.#fatal('connection closed by the controller', false);
      },
    });
  }

  #sendICReq(): void {
    const config = this.#config;
    this.#env.cpu.run(config.core, { pdus: 1 }, () => {
      if (this.#state !== 'connecting') return;
      this.#writeChunks(
        encodePdu(
          { type: PduType.ICReq, pfv: PFV_1_0, hpda: HPDA, headerDigest: config.headerDigest, dataDigest: config.dataDigest, maxr2t: MAXR2T },
          this.#pduOptions,
        ),
      );
    });
  }

  /** host/tcp.c nvme_tcp_init_connection: every ICResp check the Linux host makes, in its order. */
  #onICResp(pdu: ICRespPdu): void {
    const config = this.#config;
    const problem = checkICResp(pdu, config.headerDigest, config.dataDigest);
    if (problem !== null) {
      this.#fatal(`queue ${this.qid}: ${problem}`, false);
      return;
    }
    this.#maxh2cdata = pdu.maxh2cdata;
    this.#pduOptions = { headerDigest: config.headerDigest, dataDigest: config.dataDigest, dataAlignment: HPDA };
    this.#decoder.options = this.#pduOptions;
    this.#decoder.limits = {
      acceptTypes: ACCEPT_LIVE,
      maxPduLength: Math.max(TERM_MAX_PDU_LENGTH, DATA_HEADER_LENGTH + 2 * DIGEST_LENGTH + config.maxTransferBytes),
    };
    this.#env.cpu.run(config.core, { pdus: 1 }, () => {
      if (this.#state !== 'connecting') return;
      this.#state = 'live';
      if (this.#openTimer !== null) {
        this.#env.clock.clearTimer(this.#openTimer);
        this.#openTimer = null;
      }
      const opening = this.#opening;
      this.#opening = null;
      opening?.resolve();
    });
  }

  #failOpen(error: TransportError): void {
    if (this.#state !== 'connecting') return;
    this.close();
    const opening = this.#opening;
    this.#opening = null;
    opening?.reject(error);
  }

  // ---- Submission ----

  #takeSlot(): Slot {
    const tag = this.#freeTags[--this.#freeCount] ?? 0;
    const slot = this.#slots[tag];
    if (slot === undefined) throw new Error(`tag ${tag} out of range`);
    return slot;
  }

  #releaseSlot(slot: Slot): void {
    if (slot.command === null) return;
    slot.command = null;
    slot.deadlineNs = Infinity;
    slot.sending = false;
    this.#freeTags[this.#freeCount++] = slot.tag;
  }

  /** Binds a command to a tag, fills in CID and SGL, and sends it from the queue's core. */
  #start(slot: Slot, command: QueueCommand): void {
    const config = this.#config;
    slot.generation = (slot.generation + 1) & CID_GENERATION_MASK;
    const cid = (slot.generation << CID_GENERATION_SHIFT) | slot.tag;
    slot.cid = cid;
    slot.command = command;
    slot.dataSent = 0;
    slot.received = 0;
    slot.pendingStatus = 0;
    slot.sending = true;
    const dataOut = command.dataOut;
    const length = transferLength(command);
    // host/tcp.c nvme_tcp_has_inline_data: writes up to the in-capsule size travel in the capsule
    // (SGL Data Block, Offset subtype, address ICDOFF 0), everything else is moved by the transport.
    const inCapsule = dataOut !== null && length > 0 && length <= config.inCapsuleBytes;
    slot.transportWrite = dataOut !== null && length > 0 && !inCapsule;
    const sqe = command.sqe;
    // Fabrics requires PSDT 01b (SGL) on every command (host/tcp.c: NVME_CMD_SGL_METABUF).
    sqe[SqeOffset.FLAGS] = ((sqe[SqeOffset.FLAGS] ?? 0) & ~SqeFlag.SGL_MASK) | SqeFlag.SGL_METABUF;
    sqe[SqeOffset.CID] = cid & 0xff;
    sqe[SqeOffset.CID + 1] = cid >>> 8;
    writeSgl(sqe, inCapsule ? SGL_IN_CAPSULE : SGL_TRANSPORT, length);
    if (command.timeoutNs > 0) this.#armTimeout(slot, command.timeoutNs);
    this.#submitted++;
    const capsuleData = inCapsule ? dataOut : EMPTY;
    const work: Work = {
      pdus: 1,
      commands: 1,
      crcBytes: (config.headerDigest ? CAPSULE_CMD_HEADER_LENGTH : 0) + (config.dataDigest ? capsuleData.length : 0),
    };
    this.#env.cpu.run(config.core, work, () => {
      if (slot.cid !== cid || slot.command !== command || this.#state !== 'live') return;
      slot.sending = false;
      this.#writeChunks(encodePdu({ type: PduType.CapsuleCmd, sqe, data: capsuleData }, this.#pduOptions));
    });
  }

  /** Frees the slot, starts a waiting command, and completes `command` from the queue's core. */
  #complete(slot: Slot, status: number, dw0: number, dw1: number, work: Work): void {
    const command = slot.command;
    if (command === null) return;
    this.#releaseSlot(slot);
    this.#completed++;
    if (status !== 0) this.#errors++;
    if (this.#waitingHead < this.#waiting.length) {
      const next = this.#waiting[this.#waitingHead];
      this.#waiting[this.#waitingHead++] = undefined;
      if (this.#waitingHead === this.#waiting.length) {
        this.#waiting = [];
        this.#waitingHead = 0;
      }
      if (next !== undefined) this.#start(this.#takeSlot(), next);
    }
    // A method call, so that command classes can implement callback on their prototype.
    this.#env.cpu.run(this.#config.core, work, () => command.callback(status, dw0, dw1));
  }

  // ---- Receive ----

  readonly #onPdu = (pdu: Pdu, dataDigestOk: boolean): void => {
    if (this.#state === 'closed' || this.#state === 'failed') return;
    if (this.#state === 'connecting') {
      if (pdu.type === PduType.ICResp) this.#onICResp(pdu);
      else if (pdu.type === PduType.C2HTermReq) this.#onTermReq(pdu);
      else this.#fatal(`queue ${this.qid}: bad type returned ${pdu.type}`, false);
      return;
    }
    switch (pdu.type) {
      case PduType.CapsuleResp:
        this.#onCapsuleResp(pdu);
        return;
      case PduType.C2HData:
        this.#onC2HData(pdu, dataDigestOk);
        return;
      case PduType.R2T:
        this.#onR2T(pdu);
        return;
      case PduType.C2HTermReq:
        this.#onTermReq(pdu);
        return;
      default:
        // The decoder's accept list excludes every other type; an ICResp after ICResp lands here.
        this.#fatal(`queue ${this.qid}: unsupported pdu type (${pdu.type})`, false);
    }
  };

  readonly #onDecodeError = (error: PduError): void => {
    // The Linux host just tears the connection down; we also tell the controller why (NVMe/TCP 1.0:
    // a host that detects a fatal error may send H2CTermReq), which SPDK-style targets log.
    this.#sendTermReq(error);
    this.#fatal(`queue ${this.qid}: ${error.message} (FES ${fesName(error.fes)})`, true);
  };

  /** host/tcp.c nvme_tcp_handle_c2h_term: log the FES and start error recovery. */
  #onTermReq(pdu: TermReqPdu): void {
    this.#fatal(`queue ${this.qid}: Received C2HTermReq (FES = ${fesName(pdu.fes)})`, false);
  }

  /** Finds the in-flight slot of a CID, checking the generation bits (Linux nvme_find_rq). */
  #slotFor(cid: number): Slot | null {
    const slot = this.#slots[cid & CID_TAG_MASK];
    if (slot === undefined || slot.command === null || slot.cid !== cid) return null;
    return slot;
  }

  /** host/tcp.c nvme_tcp_process_nvme_cqe. */
  #onCapsuleResp(pdu: CapsuleRespPdu): void {
    const cqe = pdu.cqe;
    const cid = readU16(cqe, 12);
    const slot = this.#slotFor(cid);
    if (slot === null) {
      this.#fatal(`queue ${this.qid}: got bad cqe.command_id 0x${cid.toString(16)}`, false);
      return;
    }
    // The phase bit (bit 0) is unused by fabrics; the status is bits 15:1.
    const cqeStatus = readU16(cqe, 14) >>> 1;
    // A data digest error already recorded for this command wins over the CQE's success.
    const status = slot.pendingStatus !== 0 ? slot.pendingStatus : cqeStatus;
    const work: Work = { pdus: 1, commands: 1, crcBytes: this.#pduOptions.headerDigest ? CAPSULE_RESP_HEADER_LENGTH : 0 };
    this.#complete(slot, status, readU32(cqe, 0), readU32(cqe, 4), work);
  }

  /** host/tcp.c nvme_tcp_handle_c2h_data / nvme_tcp_recv_data / nvme_tcp_recv_ddgst. */
  #onC2HData(pdu: C2HDataPdu, dataDigestOk: boolean): void {
    const slot = this.#slotFor(pdu.cccid);
    if (slot === null) {
      this.#fatal(`queue ${this.qid}: got bad c2hdata.command_id 0x${pdu.cccid.toString(16)}`, false);
      return;
    }
    const buffer = slot.command?.dataIn ?? null;
    if (buffer === null) {
      this.#fatal(`queue ${this.qid}: tag 0x${slot.tag.toString(16)} unexpected data`, false);
      return;
    }
    // Data must arrive in order and inside the read buffer ("no space in request" in recv_data).
    const length = pdu.data.length;
    if (pdu.datao !== slot.received || pdu.datao + length > buffer.length) {
      this.#fatal(
        `queue ${this.qid}: tag 0x${slot.tag.toString(16)} C2HData offset ${pdu.datao} length ${length} outside expected ${slot.received}..${buffer.length}`,
        false,
      );
      return;
    }
    buffer.set(pdu.data, pdu.datao);
    slot.received += length;
    // A data digest mismatch fails only this command (recv_ddgst: NVME_SC_DATA_XFER_ERROR).
    if (!dataDigestOk) {
      slot.pendingStatus = Status.DATA_XFER_ERROR;
      this.#env.log.error(`${this.#config.logPrefix}queue ${this.qid}: data digest error on tag 0x${slot.tag.toString(16)}`);
    }
    const options = this.#pduOptions;
    const work: Work = {
      pdus: 1,
      copyBytes: length,
      crcBytes: (options.headerDigest ? DATA_HEADER_LENGTH : 0) + (options.dataDigest ? length : 0),
    };
    if (!pdu.success) {
      this.#env.cpu.run(this.#config.core, work, NOOP);
      return;
    }
    // SUCCESS (only legal with LAST_PDU; the decoder rejects it otherwise) completes the command
    // without a CapsuleResp. The controller must have sent all the data by then.
    if (slot.received !== buffer.length) {
      this.#fatal(`queue ${this.qid}: tag 0x${slot.tag.toString(16)} SUCCESS after ${slot.received} of ${buffer.length} bytes`, false);
      return;
    }
    this.#complete(slot, slot.pendingStatus, 0, 0, { ...work, commands: 1 });
  }

  /** host/tcp.c nvme_tcp_handle_r2t, then nvme_tcp_setup_h2c_data_pdu for each H2CData PDU. */
  #onR2T(pdu: R2TPdu): void {
    const slot = this.#slotFor(pdu.cccid);
    const tag = `queue ${this.qid}: req 0x${(pdu.cccid & CID_TAG_MASK).toString(16)}`;
    if (slot === null) {
      this.#fatal(`queue ${this.qid}: got bad r2t.command_id 0x${pdu.cccid.toString(16)}`, false);
      return;
    }
    const command = slot.command;
    const dataOut = command?.dataOut ?? null;
    if (command === null || dataOut === null || !slot.transportWrite) {
      this.#fatal(`${tag} unexpected r2t for a command without R2T-driven data`, false);
      return;
    }
    const length = dataOut.length;
    if (pdu.r2tl === 0) {
      this.#fatal(`${tag} r2t len is ${pdu.r2tl}, probably a bug...`, false);
      return;
    }
    if (slot.dataSent + pdu.r2tl > length || pdu.r2to + pdu.r2tl > length) {
      this.#fatal(`${tag} r2t len ${pdu.r2tl} exceeded data len ${length} (${slot.dataSent} sent)`, false);
      return;
    }
    if (pdu.r2to < slot.dataSent) {
      this.#fatal(`${tag} unexpected r2t offset ${pdu.r2to} (expected ${slot.dataSent})`, false);
      return;
    }
    if (slot.sending) {
      this.#fatal(`${tag} unexpected r2t while processing request`, false);
      return;
    }
    slot.dataSent += pdu.r2tl;
    slot.sending = true;
    const cid = slot.cid;
    const { r2to, r2tl, ttag } = pdu;
    const maxh2cdata = this.#maxh2cdata;
    const pdus = Math.ceil(r2tl / maxh2cdata);
    const options = this.#pduOptions;
    const work: Work = {
      pdus: pdus + 1,
      crcBytes: (options.headerDigest ? DATA_HEADER_LENGTH * (pdus + 1) : 0) + (options.dataDigest ? r2tl : 0),
    };
    this.#env.cpu.run(this.#config.core, work, () => {
      if (slot.cid !== cid || slot.command !== command || this.#state !== 'live') return;
      slot.sending = false;
      // H2CData PDUs are cut at MAXH2CDATA; LAST_PDU marks the final one of this R2T.
      for (let sent = 0; sent < r2tl; ) {
        const size = Math.min(r2tl - sent, maxh2cdata);
        const offset = r2to + sent;
        sent += size;
        this.#writeChunks(
          encodePdu(
            { type: PduType.H2CData, last: sent === r2tl, cccid: cid, ttag, datao: offset, data: dataOut.subarray(offset, offset + size) },
            this.#pduOptions,
          ),
        );
      }
    });
  }

  // ---- Timeouts (blk-mq style: one timer per queue, armed for the earliest deadline) ----

  #armTimeout(slot: Slot, timeoutNs: number): void {
    const deadline = this.#env.clock.nowNs() + timeoutNs;
    slot.deadlineNs = deadline;
    if (deadline >= this.#timeoutAtNs) return;
    if (this.#timeoutTimer !== null) this.#env.clock.clearTimer(this.#timeoutTimer);
    this.#timeoutAtNs = deadline;
    this.#timeoutTimer = this.#env.clock.setTimer(timeoutNs, this.#onTimeoutTimer);
  }

  readonly #onTimeoutTimer = (): void => {
    this.#timeoutTimer = null;
    this.#timeoutAtNs = Infinity;
    const now = this.#env.clock.nowNs();
    let next = Infinity;
    for (const slot of this.#slots) {
      if (this.#state !== 'live') return;
      const command = slot.command;
      if (command === null || slot.deadlineNs === Infinity) continue;
      if (slot.deadlineNs <= now) {
        slot.deadlineNs = Infinity;
        this.#events.timeout(this, command.sqe[SqeOffset.OPCODE] ?? 0, slot.cid);
      } else if (slot.deadlineNs < next) {
        next = slot.deadlineNs;
      }
    }
    if (next !== Infinity && this.#state === 'live' && next < this.#timeoutAtNs) {
      this.#timeoutAtNs = next;
      this.#timeoutTimer = this.#env.clock.setTimer(next - now, this.#onTimeoutTimer);
    }
  };

  // ---- Send path with backpressure ----

  #writeChunks(chunks: readonly Uint8Array[]): void {
    const stream = this.#stream;
    if (stream === null) return;
    for (const chunk of chunks) {
      if (this.#blocked) this.#sendQueue.push(chunk);
      else if (!stream.write(chunk)) this.#blocked = true;
    }
  }

  #flush(): void {
    const stream = this.#stream;
    if (stream === null || (this.#state !== 'live' && this.#state !== 'connecting')) return;
    this.#blocked = false;
    const queue = this.#sendQueue;
    while (this.#sendHead < queue.length) {
      const chunk = queue[this.#sendHead];
      queue[this.#sendHead++] = EMPTY;
      if (chunk !== undefined && !stream.write(chunk)) {
        this.#blocked = true;
        break;
      }
    }
    if (this.#sendHead === queue.length) {
      this.#sendQueue = [];
      this.#sendHead = 0;
    }
  }

  #sendTermReq(error: PduError): void {
    if (this.#stream === null || this.#state === 'closed' || this.#state === 'failed') return;
    this.#writeChunks(encodePdu({ type: PduType.H2CTermReq, fes: error.fes, fei: error.fei, errorData: error.header }, this.#pduOptions));
  }

  // ---- Failure and teardown ----

  /** A fatal transport error: close, then tell the owner (or fail the open). */
  #fatal(reason: string, graceful: boolean): void {
    if (this.#state === 'closed' || this.#state === 'failed') return;
    if (this.#state === 'connecting') {
      this.#failOpen(new TransportError(reason.includes('C2HTermReq') ? 'terminated' : 'protocol', reason));
      return;
    }
    this.#env.log.error(`${this.#config.logPrefix}${reason}`);
    // The owner collects the unfinished commands with close(); the socket goes now.
    this.#state = 'failed';
    this.#clearTimers();
    this.#closeStream(graceful);
    this.#stream = null;
    this.#events.fatal(this, reason);
  }

  #closeStream(graceful: boolean): void {
    const stream = this.#stream;
    if (stream === null) return;
    if (!graceful) {
      stream.destroy();
      return;
    }
    // FIN after what is queued (a TermReq, or nothing); reset later if the peer never closes.
    this.#flushForClose(stream);
    stream.end();
    if (this.#lingerTimer === null) {
      this.#lingerTimer = this.#env.clock.setTimer(LINGER_NS, () => {
        this.#lingerTimer = null;
        stream.destroy();
      });
    }
  }

  /** Writes held-back chunks regardless of backpressure before a FIN (they would be lost otherwise). */
  #flushForClose(stream: ByteStream): void {
    for (let index = this.#sendHead; index < this.#sendQueue.length; index++) {
      const chunk = this.#sendQueue[index];
      if (chunk !== undefined) stream.write(chunk);
    }
    this.#sendQueue = [];
    this.#sendHead = 0;
  }

  #clearTimers(): void {
    const clock = this.#env.clock;
    if (this.#timeoutTimer !== null) clock.clearTimer(this.#timeoutTimer);
    if (this.#openTimer !== null) clock.clearTimer(this.#openTimer);
    this.#timeoutTimer = null;
    this.#openTimer = null;
    this.#timeoutAtNs = Infinity;
  }
}

/** The ICResp checks of host/tcp.c nvme_tcp_init_connection; null when acceptable. */
export function checkICResp(pdu: ICRespPdu, headerDigest: boolean, dataDigest: boolean): string | null {
  // pfv and plen are checked by the decoder (UNSUPPORTED_PARAMETER / INVALID_HEADER_FIELD).
  if (pdu.pfv !== PFV_1_0) return `bad pfv returned ${pdu.pfv}`;
  // The controller must echo exactly the digests the host asked for.
  if (pdu.dataDigest !== dataDigest) {
    return `data digest mismatch host: ${enabled(dataDigest)} ctrl: ${enabled(pdu.dataDigest)}`;
  }
  if (pdu.headerDigest !== headerDigest) {
    return `header digest mismatch host: ${enabled(headerDigest)} ctrl: ${enabled(pdu.headerDigest)}`;
  }
  if (pdu.cpda !== SUPPORTED_CPDA) return `unsupported cpda returned ${pdu.cpda}`;
  // NVME_TCP_MIN_MAXH2CDATA and dword granularity.
  if (pdu.maxh2cdata % 4 !== 0 || pdu.maxh2cdata < MIN_MAXH2CDATA) return `invalid maxh2cdata returned ${pdu.maxh2cdata}`;
  return null;
}

function enabled(on: boolean): string {
  return on ? 'enabled' : 'disabled';
}

function transferLength(command: QueueCommand): number {
  if (command.dataOut !== null) return command.dataOut.length;
  if (command.dataIn !== null) return command.dataIn.length;
  return 0;
}

/** SGL1: address 0 (ICDOFF or transport), length, reserved, identifier (host/tcp.c nvme_tcp_set_sg_*). */
function writeSgl(sqe: Uint8Array, type: number, length: number): void {
  sqe.fill(0, SqeOffset.SGL_ADDRESS, SqeOffset.SGL_TYPE);
  sqe[SqeOffset.SGL_LENGTH] = length & 0xff;
  sqe[SqeOffset.SGL_LENGTH + 1] = (length >>> 8) & 0xff;
  sqe[SqeOffset.SGL_LENGTH + 2] = (length >>> 16) & 0xff;
  sqe[SqeOffset.SGL_LENGTH + 3] = (length >>> 24) & 0xff;
  sqe[SqeOffset.SGL_TYPE] = type;
}

function readU16(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] ?? 0) | ((bytes[offset + 1] ?? 0) << 8);
}

function readU32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] ?? 0) | ((bytes[offset + 1] ?? 0) << 8) | ((bytes[offset + 2] ?? 0) << 16)) + (bytes[offset + 3] ?? 0) * 0x1000000;
}
