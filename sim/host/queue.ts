// One NVMe/TCP host queue: one TCP connection carrying one submission/completion queue pair, the
// userspace twin of struct nvme_tcp_queue in Linux drivers/nvme/host/tcp.c. It owns the ICReq/ICResp
// exchange, command identifiers, in-capsule versus R2T-driven writes, H2CData segmentation, C2HData
// placement, per-command timeouts and send backpressure. It knows nothing about controllers: fatal
// transport errors and timeouts are reported to its owner (controller.ts), by qid, which runs error
// recovery. Send backpressure is sim/transport stream-sender.ts, shared with the target.
//
// The per-command path is synchronous callbacks (no promises) and allocation-light: command slots
// are preallocated per tag (queue-slot.ts). CPU work is charged through env.cpu.run in passes, the
// way Linux nvme_tcp_io_work spends it: nvme_tcp_try_recv consumes everything the socket holds
// (read_sock -> nvme_tcp_recv_skb handles every PDU in it) and completes requests inline
// (nvme_tcp_process_nvme_cqe -> nvme_complete_rq). Here one received chunk is one work item whose
// cost is the sum of its PDUs' receive costs plus one command completion per command it completes.
// Protocol state (validation, copying C2HData into the read buffer, freeing the tag) is updated when
// a PDU is decoded; the visible effects (completion callbacks, H2CData sends, going live) run in the
// chunk's item (queue-pass.ts; the passes themselves are sim/transport io-work.ts, shared with the
// target), so a simulated busy core delays them. A command is sent by one item of its own, except
// that commands submitted while a receive item runs (completion callbacks that submit more I/O) are
// sent together by one item after it. The Linux host's 1 ms io_work time
// budget is not modelled: a chunk is handled in one item however many PDUs it holds.
import type { Address, ByteStream, NodeEnv, Timer } from '../core/index.js';
import { copyBytes } from '../core/index.js';
import { SGL_IN_CAPSULE, SGL_TRANSPORT } from '../nvme/index.js';
import { PduDecoder } from '../nvme/index.js';
import { encodePdu, encodePlainCapsuleCmdAt } from '../nvme/index.js';
import { fesName } from '../nvme/index.js';
import {
  CAPSULE_CMD_HEADER_LENGTH,
  CAPSULE_RESP_HEADER_LENGTH,
  DATA_HEADER_LENGTH,
  DIGEST_LENGTH,
  MIN_MAXH2CDATA,
  PFV_1_0,
  PduFlag,
  PduType,
  TERM_MAX_PDU_LENGTH,
} from '../nvme/index.js';
import type { ICRespPdu, Pdu, PduError, PduFieldSink, PduOptions, R2TPdu, TermReqPdu } from '../nvme/index.js';
import { SqeFlag, SqeOffset } from '../nvme/index.js';
import { Status } from '../nvme/index.js';
import { IoWork, StreamSender } from '../transport/index.js';
import { checkICResp, HPDA, MAXR2T } from './ic-exchange.js';
import { PassAction, PassEffectPool } from './queue-pass.js';
import type { PassEffect } from './queue-pass.js';
import { CID_TAG_MASK, MAX_QUEUE_DEPTH, Slot, transferLength, writeSgl } from './queue-slot.js';
import { CommandTimeouts } from './queue-timeouts.js';
import type { HostQueueConfig, QueueCommand, QueueEvents, QueueStats } from './queue-types.js';

/**
 * host/tcp.c nvme_tcp_alloc_queue: tcp_sock_set_syncnt(sk, 1), "Single syn retry": a connect to a
 * dead target fails after about 3 s (the SYN, one retransmission 1 s later, 2 s more) rather than
 * tcp_syn_retries' 127 s, so each reconnect attempt is that short.
 */
const HOST_SOCKET = { synRetries: 1 } as const;
import { TransportError } from './transport-error.js';

export { checkICResp } from './ic-exchange.js';
export { MAX_QUEUE_DEPTH } from './queue-slot.js';
export type { CommandCallback, HostQueueConfig, QueueCommand, QueueEvents, QueueStats } from './queue-types.js';

/** A gracefully closed connection is reset if the peer has not closed it within this time. */
const LINGER_NS = 1_000_000_000;

const EMPTY = new Uint8Array(0);
const ACCEPT_BEFORE_ICRESP = [PduType.ICResp, PduType.C2HTermReq] as const;
/** host/tcp.c nvme_tcp_recv_pdu_supported: the only PDU types a host accepts after ICResp. */
const ACCEPT_LIVE = [PduType.C2HTermReq, PduType.CapsuleResp, PduType.C2HData, PduType.R2T] as const;

/** failed: the connection died; slots are kept until the owner collects them with close(). */
type QueueState = 'connecting' | 'live' | 'failed' | 'closed';

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
  readonly #sender = new StreamSender();
  readonly #decoder: PduDecoder;
  #pduOptions: PduOptions;
  #maxh2cdata = MIN_MAXH2CDATA;
  /**
   * Receive items carry the effects of one chunk's PDUs; send items carry capsules. Capsules
   * submitted while a receive item runs wait for the one send item after it.
   */
  readonly #work: IoWork<PassEffect, PassEffect>;
  readonly #effects = new PassEffectPool();
  readonly #timeouts: CommandTimeouts;
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
    // Slots are built when their tag is first taken: an idle queue (most of a fleet's) holds none.
    this.#slots = [];
    this.#freeTags = new Int32Array(config.depth);
    for (let tag = 0; tag < config.depth; tag++) {
      // Stack order so that tag 0 is used first.
      this.#freeTags[tag] = config.depth - 1 - tag;
    }
    this.#freeCount = config.depth;
    this.#work = new IoWork<PassEffect, PassEffect>({
      cpu: env.cpu,
      core: config.core,
      receive: (effect) => this.#runEffect(effect),
      send: (effect) => this.#sendCapsule(effect),
    });
    this.#timeouts = new CommandTimeouts(
      env.clock,
      this.#slots,
      () => this.#state === 'live',
      (slot) => this.#events.timeout(this.qid, slot.command?.sqe[SqeOffset.OPCODE] ?? 0, slot.cid),
    );
    this.#pduOptions = { headerDigest: false, dataDigest: false, dataAlignment: 0 };
    this.#decoder = new PduDecoder({ acceptTypes: ACCEPT_BEFORE_ICRESP, maxPduLength: TERM_MAX_PDU_LENGTH });
    // Completions and read data come as fields (no PDU object per response); the decoder accepts
    // neither type before ICResp, so they only arrive on a live queue.
    this.#decoder.fieldSink = this.#fieldSink;
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
    this.#sender.clear();
    this.#closeStream(graceful);
    this.#sender.stream = null;
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
      this.#env.network.connect(address, HOST_SOCKET).then(
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
    this.#sender.stream = stream;
    stream.setHandlers({
      data: (chunk) => {
        if (this.#state !== 'live' && this.#state !== 'connecting') return;
        this.#decoder.push(chunk, this.#onPdu, this.#onDecodeError);
        this.#work.chargeReceive();
      },
      drain: () => {
        if (this.#state === 'live' || this.#state === 'connecting') this.#sender.drain();
      },
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
      this.#sender.write(
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
    this.#work.receiveWork.add(1, 0, 0, 0);
    this.#work.addReceive(this.#effects.take(PassAction.GO_LIVE));
  }

  /** The ICResp's item ran: the queue is live and open() resolves. */
  #goLive(): void {
    if (this.#state !== 'connecting') return;
    this.#state = 'live';
    if (this.#openTimer !== null) {
      this.#env.clock.clearTimer(this.#openTimer);
      this.#openTimer = null;
    }
    const opening = this.#opening;
    this.#opening = null;
    opening?.resolve();
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
    if (slot !== undefined) return slot;
    // The stack hands out never-used tags lowest first, so a new tag is always the next index.
    if (tag !== this.#slots.length) throw new Error(`tag ${tag} out of order`);
    const built = new Slot(tag);
    this.#slots.push(built);
    return built;
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
    const cid = slot.bind(command);
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
    if (command.timeoutNs > 0) this.#timeouts.arm(slot, command.timeoutNs);
    this.#submitted++;
    const capsuleBytes = inCapsule ? length : 0;
    const effect = this.#effects.take(PassAction.SEND_CAPSULE);
    effect.slot = slot;
    effect.command = command;
    effect.cid = cid;
    this.#work.addSend(effect);
    // Submitting and (later) completing a command each cost one `commands` (profiles.ts).
    this.#work.sendWork.add(1, 0, (config.headerDigest ? CAPSULE_CMD_HEADER_LENGTH : 0) + (config.dataDigest ? capsuleBytes : 0), 1);
    this.#work.sendQueued();
  }

  /** In a send item: write the capsule if its command still holds its tag on a live queue. */
  #sendCapsule(effect: PassEffect): void {
    const { slot, command, cid } = effect;
    this.#effects.give(effect);
    if (slot === null || command === null || !slot.holds(command, cid) || this.#state !== 'live') return;
    slot.sending = false;
    const data = slot.transportWrite || command.dataOut === null ? EMPTY : command.dataOut;
    if (data.length === 0 && !this.#pduOptions.headerDigest) {
      // Encoded straight into the socket's staging when it has some: no buffer of its own.
      const staged = this.#sender.stage(CAPSULE_CMD_HEADER_LENGTH);
      if (staged !== null) {
        encodePlainCapsuleCmdAt(staged.bytes, staged.offset, command.sqe);
        return;
      }
    }
    this.#sender.write(encodePdu({ type: PduType.CapsuleCmd, sqe: command.sqe, data }, this.#pduOptions));
  }

  /**
   * Frees the slot and starts a waiting command now; `command`'s callback runs in the receive item
   * (its cost is the caller's to add).
   */
  #complete(slot: Slot, status: number, dw0: number, dw1: number): void {
    const command = slot.command;
    if (command === null) return;
    // Read buffers come unzeroed (block-device.ts): what the target did not send reads as zeroes.
    const dataIn = command.dataIn;
    if (dataIn !== null && slot.received < dataIn.length) dataIn.fill(0, slot.received);
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
    const effect = this.#effects.take(PassAction.COMPLETE);
    effect.command = command;
    effect.status = status;
    effect.dw0 = dw0;
    effect.dw1 = dw1;
    this.#work.addReceive(effect);
  }

  // ---- Receive ----

  /** In a receive item (a chunk's effects in PDU order): run one deferred effect. */
  #runEffect(effect: PassEffect): void {
    const { action, slot, command } = effect;
    switch (action) {
      case PassAction.COMPLETE: {
        const { status, dw0, dw1 } = effect;
        this.#effects.give(effect);
        // A method call, so that command classes can implement callback on their prototype. It runs
        // even if the queue failed since: the command left its slot at decode time, so close() does
        // not hand it back.
        command?.callback(status, dw0, dw1);
        return;
      }
      case PassAction.SEND_H2C: {
        const { cid, offset, length, ttag } = effect;
        this.#effects.give(effect);
        if (slot !== null && command !== null) this.#sendH2CData(slot, command, cid, offset, length, ttag);
        return;
      }
      default:
        this.#effects.give(effect);
        if (action === PassAction.GO_LIVE) this.#goLive();
    }
  }

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
        this.#onCapsuleResp(pdu.cqe, 0);
        return;
      case PduType.C2HData:
        this.#onC2HData(pdu.data, 0, pdu.data.length, pdu.cccid, pdu.datao, pdu.success ? PduFlag.DATA_SUCCESS : 0, dataDigestOk);
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

  readonly #fieldSink: PduFieldSink = {
    capsuleResp: (bytes, cqe) => {
      if (this.#state === 'live') this.#onCapsuleResp(bytes, cqe);
    },
    c2hData: (bytes, dataStart, dataEnd, cccid, datao, flags, dataDigestOk) => {
      if (this.#state === 'live') this.#onC2HData(bytes, dataStart, dataEnd, cccid, datao, flags, dataDigestOk);
    },
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
  #onCapsuleResp(bytes: Uint8Array, cqe: number): void {
    const cid = readU16(bytes, cqe + 12);
    const slot = this.#slotFor(cid);
    if (slot === null) {
      this.#fatal(`queue ${this.qid}: got bad cqe.command_id 0x${cid.toString(16)}`, false);
      return;
    }
    // The phase bit (bit 0) is unused by fabrics; the status is bits 15:1.
    const cqeStatus = readU16(bytes, cqe + 14) >>> 1;
    // A data digest error already recorded for this command wins over the CQE's success.
    const status = slot.pendingStatus !== 0 ? slot.pendingStatus : cqeStatus;
    this.#work.receiveWork.add(1, 0, this.#pduOptions.headerDigest ? CAPSULE_RESP_HEADER_LENGTH : 0, 1);
    this.#complete(slot, status, readU32(bytes, cqe), readU32(bytes, cqe + 4));
  }

  /**
   * host/tcp.c nvme_tcp_handle_c2h_data / nvme_tcp_recv_data / nvme_tcp_recv_ddgst. The data is
   * bytes[dataStart, dataEnd); only PduFlag.DATA_SUCCESS of `flags` matters here.
   */
  #onC2HData(bytes: Uint8Array, dataStart: number, dataEnd: number, cccid: number, datao: number, flags: number, dataDigestOk: boolean): void {
    const slot = this.#slotFor(cccid);
    if (slot === null) {
      this.#fatal(`queue ${this.qid}: got bad c2hdata.command_id 0x${cccid.toString(16)}`, false);
      return;
    }
    const buffer = slot.command?.dataIn ?? null;
    if (buffer === null) {
      this.#fatal(`queue ${this.qid}: tag 0x${slot.tag.toString(16)} unexpected data`, false);
      return;
    }
    // Data must arrive in order and inside the read buffer ("no space in request" in recv_data).
    const length = dataEnd - dataStart;
    if (datao !== slot.received || datao + length > buffer.length) {
      this.#fatal(
        `queue ${this.qid}: tag 0x${slot.tag.toString(16)} C2HData offset ${datao} length ${length} outside expected ${slot.received}..${buffer.length}`,
        false,
      );
      return;
    }
    copyBytes(bytes, dataStart, dataEnd, buffer, datao);
    slot.received += length;
    // A data digest mismatch fails only this command (recv_ddgst: NVME_SC_DATA_XFER_ERROR).
    if (!dataDigestOk) {
      slot.pendingStatus = Status.DATA_XFER_ERROR;
      this.#env.log.error(`${this.#config.logPrefix}queue ${this.qid}: data digest error on tag 0x${slot.tag.toString(16)}`);
    }
    const options = this.#pduOptions;
    const crcBytes = (options.headerDigest ? DATA_HEADER_LENGTH : 0) + (options.dataDigest ? length : 0);
    if ((flags & PduFlag.DATA_SUCCESS) === 0) {
      this.#work.receiveWork.add(1, length, crcBytes, 0);
      return;
    }
    // SUCCESS (only legal with LAST_PDU; the decoder rejects it otherwise) completes the command
    // without a CapsuleResp. The controller must have sent all the data by then.
    if (slot.received !== buffer.length) {
      this.#fatal(`queue ${this.qid}: tag 0x${slot.tag.toString(16)} SUCCESS after ${slot.received} of ${buffer.length} bytes`, false);
      return;
    }
    this.#work.receiveWork.add(1, length, crcBytes, 1);
    this.#complete(slot, slot.pendingStatus, 0, 0);
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
    // The R2T received plus the H2CData PDUs it asks for, sent from the same item (in Linux the
    // request is queued for io_work's send pass by nvme_tcp_queue_request).
    const pdus = Math.ceil(pdu.r2tl / this.#maxh2cdata);
    const options = this.#pduOptions;
    this.#work.receiveWork.add(pdus + 1, 0, (options.headerDigest ? DATA_HEADER_LENGTH * (pdus + 1) : 0) + (options.dataDigest ? pdu.r2tl : 0), 0);
    const effect = this.#effects.take(PassAction.SEND_H2C);
    effect.slot = slot;
    effect.command = command;
    effect.cid = slot.cid;
    effect.offset = pdu.r2to;
    effect.length = pdu.r2tl;
    effect.ttag = pdu.ttag;
    this.#work.addReceive(effect);
  }

  /** H2CData PDUs cut at MAXH2CDATA; LAST_PDU marks the final one of this R2T. */
  #sendH2CData(slot: Slot, command: QueueCommand, cid: number, r2to: number, r2tl: number, ttag: number): void {
    const dataOut = command.dataOut;
    if (dataOut === null || !slot.holds(command, cid) || this.#state !== 'live') return;
    slot.sending = false;
    const maxh2cdata = this.#maxh2cdata;
    for (let sent = 0; sent < r2tl; ) {
      const size = Math.min(r2tl - sent, maxh2cdata);
      const offset = r2to + sent;
      sent += size;
      this.#sender.write(
        encodePdu(
          { type: PduType.H2CData, last: sent === r2tl, cccid: cid, ttag, datao: offset, data: dataOut.subarray(offset, offset + size) },
          this.#pduOptions,
        ),
      );
    }
  }

  #sendTermReq(error: PduError): void {
    if (this.#sender.stream === null || this.#state === 'closed' || this.#state === 'failed') return;
    this.#sender.write(encodePdu({ type: PduType.H2CTermReq, fes: error.fes, fei: error.fei, errorData: error.header }, this.#pduOptions));
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
    this.#sender.stream = null;
    this.#events.fatal(this.qid, reason);
  }

  #closeStream(graceful: boolean): void {
    const stream = this.#sender.stream;
    if (stream === null) return;
    if (!graceful) {
      stream.destroy();
      return;
    }
    // FIN after what is queued (a TermReq, or nothing); reset later if the peer never closes.
    this.#sender.flushForClose();
    stream.end();
    if (this.#lingerTimer === null) {
      this.#lingerTimer = this.#env.clock.setTimer(LINGER_NS, () => {
        this.#lingerTimer = null;
        stream.destroy();
      });
    }
  }

  #clearTimers(): void {
    this.#timeouts.clear();
    if (this.#openTimer !== null) this.#env.clock.clearTimer(this.#openTimer);
    this.#openTimer = null;
  }
}

function readU16(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] ?? 0) | ((bytes[offset + 1] ?? 0) << 8);
}

function readU32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] ?? 0) | ((bytes[offset + 1] ?? 0) << 8) | ((bytes[offset + 2] ?? 0) << 16)) + (bytes[offset + 3] ?? 0) * 0x1000000;
}
