// Test world for the NVMe/TCP host: a fake clock, in-memory byte streams, a fake network and a
// scripted fake NVMe/TCP target. The fake target is deliberately small and scriptable (hooks can
// drop, delay or corrupt any response) so host tests can pin exact protocol behaviour without the
// real target. Deliveries between the stream ends are queued as microtasks, never re-entrant, and
// time only moves when a test calls clock.advance().
import type { Address, ByteStream, Clock, Cpu, Listener, Logger, Network, NodeEnv, StreamHandlers, Timer, Work } from '../../sim/core/env.js';
import { SeededRngSource } from '../../sim/core/rng.js';
import { AdminOpcode, FABRICS_OPCODE, FabricsType, FeatureId, IdentifyCns, IoOpcode, LogPageId, SGL_IN_CAPSULE } from '../../sim/nvme/constants.js';
import { encodeCqe } from '../../sim/nvme/cqe.js';
import { decodeConnectData, encodeConnectResult, parseConnect, parsePropertyGet, parsePropertySet } from '../../sim/nvme/fabrics.js';
import { decodeNumQueues, encodeNumQueues } from '../../sim/nvme/features.js';
import {
  defaultIdentifyController,
  defaultIdentifyNamespace,
  encodeActiveNsList,
  encodeIdentifyController,
  encodeIdentifyNamespace,
  encodeNsDescriptorList,
  nsDescriptorsFor,
} from '../../sim/nvme/identify.js';
import type { IdentifyController } from '../../sim/nvme/identify.js';
import { CHANGED_NS_LOG_BYTES, SMART_LOG_BYTES, emptySmartLog, encodeDiscoveryLogRange, encodeSmartLog, sliceLog } from '../../sim/nvme/log-pages.js';
import type { DiscoveryLogEntry } from '../../sim/nvme/log-pages.js';
import { PduDecoder } from '../../sim/nvme/pdu-decoder.js';
import { encodePdu } from '../../sim/nvme/pdu-encoder.js';
import { PduType } from '../../sim/nvme/pdu-types.js';
import type { ICRespPdu, Pdu, PduOptions } from '../../sim/nvme/pdu-types.js';
import { NVME_VS_1_3, RegisterOffset, decodeCc, defaultCap, encodeCap, encodeCsts } from '../../sim/nvme/registers.js';
import { decodeSqe, getLogPageFields, identifyFields, readWriteFields } from '../../sim/nvme/sqe.js';
import type { Sqe } from '../../sim/nvme/sqe.js';
import { STATUS_DNR, Status } from '../../sim/nvme/status.js';

// ---- Clock ----

interface PendingTimer {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

/** Lets every queued microtask and immediate run (deliveries, promise chains). */
export async function settle(): Promise<void> {
  for (let round = 0; round < 5; round++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Virtual time: timers fire only inside advance(), in time order. */
export class FakeClock implements Clock {
  #now = 0;
  #nextId = 1;
  readonly #timers = new Map<number, PendingTimer>();

  nowNs(): number {
    return this.#now;
  }

  setTimer(delayNs: number, callback: () => void): Timer {
    const id = this.#nextId++;
    this.#timers.set(id, { id, at: this.#now + Math.max(0, delayNs), callback });
    return { id };
  }

  clearTimer(timer: Timer): void {
    this.#timers.delete(timer.id);
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }

  #next(limit: number): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const timer of this.#timers.values()) {
      if (timer.at > limit) continue;
      if (best === undefined || timer.at < best.at || (timer.at === best.at && timer.id < best.id)) best = timer;
    }
    return best;
  }

  /** Moves time forward by `ns`, firing due timers one by one and settling after each. */
  async advance(ns: number): Promise<void> {
    const end = this.#now + ns;
    await settle();
    for (;;) {
      const timer = this.#next(end);
      if (timer === undefined) break;
      this.#timers.delete(timer.id);
      this.#now = timer.at;
      timer.callback();
      await settle();
    }
    this.#now = end;
    await settle();
  }

  /** Advances in `stepNs` steps until `done()` or `maxNs` elapsed; returns done(). */
  async advanceUntil(done: () => boolean, maxNs: number, stepNs = 100_000_000): Promise<boolean> {
    const end = this.#now + maxNs;
    await settle();
    while (!done() && this.#now < end) await this.advance(Math.min(stepNs, end - this.#now));
    return done();
  }
}

// ---- Streams and network ----

/** One end of an in-memory connection. */
export class MemoryStream implements ByteStream {
  readonly local: Address;
  readonly remote: Address;
  peer: MemoryStream | null = null;
  #handlers: StreamHandlers | null = null;
  #early: Uint8Array[] = [];
  #closed = false;
  #closeReported = false;
  /** Bytes written by this end that the peer has not consumed. */
  inFlightBytes = 0;
  /** write() returns false above this many undelivered bytes. */
  highWaterMark = Infinity;
  /** While true the peer does not read: bytes pile up (a stalled receiver). */
  peerPaused = false;
  #held: Uint8Array[] = [];
  #blocked = false;
  /** Writes made after write() returned false and before drain (a backpressure violation). */
  writesWhileBlocked = 0;
  /** Every chunk written, for inspection. */
  readonly written: Uint8Array[] = [];

  constructor(local: Address, remote: Address) {
    this.local = local;
    this.remote = remote;
  }

  get closed(): boolean {
    return this.#closed;
  }

  setHandlers(handlers: StreamHandlers): void {
    this.#handlers = handlers;
    const early = this.#early;
    this.#early = [];
    for (const chunk of early) handlers.data(chunk);
  }

  write(chunk: Uint8Array): boolean {
    if (this.#closed) return false;
    if (this.#blocked) this.writesWhileBlocked++;
    const copy = chunk.slice();
    this.written.push(copy);
    this.inFlightBytes += copy.length;
    if (this.peerPaused) this.#held.push(copy);
    else this.#deliver(copy);
    const ok = this.inFlightBytes <= this.highWaterMark;
    if (!ok) this.#blocked = true;
    return ok;
  }

  #deliver(chunk: Uint8Array): void {
    queueMicrotask(() => {
      this.inFlightBytes -= chunk.length;
      this.peer?.receive(chunk);
      if (this.#blocked && this.inFlightBytes <= this.highWaterMark && !this.#closed) {
        this.#blocked = false;
        this.#handlers?.drain();
      }
    });
  }

  /** Lets a paused peer read again. */
  resumePeer(): void {
    this.peerPaused = false;
    const held = this.#held;
    this.#held = [];
    for (const chunk of held) this.#deliver(chunk);
  }

  receive(chunk: Uint8Array): void {
    if (this.#closed) return;
    if (this.#handlers === null) this.#early.push(chunk);
    else this.#handlers.data(chunk);
  }

  end(): void {
    if (this.#closed) return;
    // FIN after queued bytes: the peer closes too (as RealStream does on 'end').
    queueMicrotask(() => {
      this.peer?.remoteClosed();
      this.#markClosed(false);
    });
  }

  destroy(): void {
    if (this.#closed) return;
    this.#markClosed(false);
    queueMicrotask(() => this.peer?.remoteClosed());
  }

  remoteClosed(): void {
    this.#markClosed(false);
  }

  #markClosed(hadError: boolean): void {
    this.#closed = true;
    if (this.#closeReported) return;
    this.#closeReported = true;
    const handlers = this.#handlers;
    queueMicrotask(() => handlers?.close(hadError));
  }
}

export function streamPair(client: Address, server: Address): [MemoryStream, MemoryStream] {
  const a = new MemoryStream(client, server);
  const b = new MemoryStream(server, client);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/** A network of in-memory listeners; connect() can be refused or left hanging. */
export class FakeNetwork implements Network {
  readonly #listeners = new Map<string, (stream: ByteStream) => void>();
  #nextPort = 40000;
  refuse = false;
  hang = false;
  connects = 0;

  listen(address: Address, onStream: (stream: ByteStream) => void): Promise<Listener> {
    const port = address.port === 0 ? this.#nextPort++ : address.port;
    const key = `${address.host}:${port}`;
    this.#listeners.set(key, onStream);
    return Promise.resolve({ address: { host: address.host, port }, close: () => Promise.resolve(void this.#listeners.delete(key)) });
  }

  connect(address: Address): Promise<ByteStream> {
    this.connects++;
    if (this.hang) return new Promise<ByteStream>(() => {});
    const onStream = this.#listeners.get(`${address.host}:${address.port}`);
    if (this.refuse || onStream === undefined) {
      const error = Object.assign(new Error(`connect ECONNREFUSED ${address.host}:${address.port}`), { code: 'ECONNREFUSED' });
      return Promise.reject(error);
    }
    const [client, server] = streamPair({ host: '127.0.0.1', port: this.#nextPort++ }, address);
    onStream(server);
    return Promise.resolve(client);
  }
}

// ---- Environment ----

export interface TestEnv extends NodeEnv {
  readonly clock: FakeClock;
  readonly network: FakeNetwork;
  readonly logs: string[];
  readonly work: { pdus: number; commands: number; copyBytes: number; crcBytes: number };
}

export function makeEnv(seed = 'host-test'): TestEnv {
  const logs: string[] = [];
  const work = { pdus: 0, commands: 0, copyBytes: 0, crcBytes: 0 };
  const cpu: Cpu = {
    cores: 4,
    run(_core: number, cost: Work, fn: () => void): void {
      work.pdus += cost.pdus ?? 0;
      work.commands += cost.commands ?? 0;
      work.copyBytes += cost.copyBytes ?? 0;
      work.crcBytes += cost.crcBytes ?? 0;
      fn();
    },
  };
  const log: Logger = {
    debug: (m) => logs.push(`debug: ${m}`),
    info: (m) => logs.push(`info: ${m}`),
    warn: (m) => logs.push(`warn: ${m}`),
    error: (m) => logs.push(`error: ${m}`),
  };
  return { clock: new FakeClock(), network: new FakeNetwork(), cpu, rng: new SeededRngSource(seed), log, logs, work };
}

// ---- Fake target ----

export interface FakeTargetOptions {
  readonly port?: number;
  readonly subnqn?: string;
  /** ICResp fields to send instead of the echo of the ICReq (to test validation). */
  readonly icresp?: Partial<Omit<ICRespPdu, 'type'>>;
  readonly maxh2cdata?: number;
  /** In-capsule data bytes on I/O queues (IOCCSZ*16 - 64). */
  readonly inCapsuleDataSize?: number;
  /** CAP.MQES + 1. */
  readonly maxQueueEntries?: number;
  /** I/O queues granted by Set Features Number of Queues (default: what is asked). */
  readonly grantQueues?: number;
  readonly blockSize?: number;
  readonly blocks?: number;
  /** C2HData payload per PDU (default: one PDU per command). */
  readonly c2hChunk?: number;
  /** Send reads with the SUCCESS flag and no CapsuleResp. */
  readonly c2hSuccess?: boolean;
  /** Identify Controller overrides (mdts, ctratt, oaes, ...). */
  readonly identify?: Partial<IdentifyController>;
  readonly discoveryEntries?: readonly DiscoveryLogEntry[];
}

/** What a hook sees for each command; return true when the hook handled (or swallowed) it. */
export type CommandHook = (connection: FakeConnection, sqe: Sqe, data: Uint8Array) => boolean;

export interface CommandRecord {
  readonly qid: number;
  readonly opcode: number;
  /** Fabrics command type, or -1. */
  readonly fctype: number;
  readonly cid: number;
  readonly atNs: number;
  readonly connection: number;
}

/** One accepted connection (one host queue). */
export class FakeConnection {
  readonly id: number;
  readonly stream: MemoryStream;
  readonly target: FakeTarget;
  qid = -1;
  cntlid = 0;
  options: PduOptions = { headerDigest: false, dataDigest: false, dataAlignment: 0 };
  readonly #decoder: PduDecoder;
  readonly #writes = new Map<number, { length: number; received: Uint8Array; filled: number; done: (data: Uint8Array) => void }>();
  #nextTtag = 1;
  readonly heldAers: number[] = [];
  readonly h2cData: { cccid: number; ttag: number; datao: number; length: number; last: boolean }[] = [];
  readonly termReqs: Pdu[] = [];
  closed = false;

  constructor(target: FakeTarget, id: number, stream: MemoryStream) {
    this.target = target;
    this.id = id;
    this.stream = stream;
    this.#decoder = new PduDecoder({ acceptTypes: [PduType.ICReq, PduType.CapsuleCmd, PduType.H2CData, PduType.H2CTermReq], maxPduLength: 16 << 20 });
    stream.setHandlers({
      data: (chunk) => this.#decoder.push(chunk, (pdu) => this.#onPdu(pdu), (error) => this.target.decodeErrors.push(error.message)),
      drain: () => {},
      error: () => {},
      close: () => {
        this.closed = true;
      },
    });
  }

  send(pdu: Pdu): void {
    if (this.closed) return;
    for (const chunk of encodePdu(pdu, this.options)) this.stream.write(chunk);
  }

  /** Raw bytes, for malformed PDUs. */
  sendRaw(bytes: Uint8Array): void {
    this.stream.write(bytes);
  }

  respond(cid: number, status = 0, dw0 = 0, dw1 = 0): void {
    this.send({ type: PduType.CapsuleResp, cqe: encodeCqe({ cid, status, dw0, dw1, sqid: Math.max(0, this.qid) }) });
  }

  /** Sends read data as C2HData PDUs, then (unless SUCCESS is used) the CapsuleResp. */
  sendData(cid: number, data: Uint8Array, options: { chunk?: number; success?: boolean } = {}): void {
    const chunk = options.chunk ?? this.target.options.c2hChunk ?? Math.max(1, data.length);
    const success = options.success ?? this.target.options.c2hSuccess ?? false;
    for (let offset = 0; offset < data.length; offset += chunk) {
      const last = offset + chunk >= data.length;
      this.send({ type: PduType.C2HData, cccid: cid, datao: offset, last, success: last && success, data: data.subarray(offset, offset + chunk) });
    }
    if (!success) this.respond(cid);
  }

  /** Asks for a write's data with one R2T (as the Linux target does) and calls back when it arrived. */
  requestData(cid: number, length: number, done: (data: Uint8Array) => void): void {
    const ttag = this.#nextTtag++;
    this.#writes.set(ttag, { length, received: new Uint8Array(length), filled: 0, done });
    this.send({ type: PduType.R2T, cccid: cid, ttag, r2to: 0, r2tl: length });
  }

  #onPdu(pdu: Pdu): void {
    switch (pdu.type) {
      case PduType.ICReq: {
        this.options = { headerDigest: pdu.headerDigest, dataDigest: pdu.dataDigest, dataAlignment: 0 };
        this.#decoder.options = this.options;
        const override = this.target.options.icresp ?? {};
        const icresp: ICRespPdu = {
          type: PduType.ICResp,
          pfv: override.pfv ?? 0,
          cpda: override.cpda ?? 0,
          headerDigest: override.headerDigest ?? pdu.headerDigest,
          dataDigest: override.dataDigest ?? pdu.dataDigest,
          maxh2cdata: override.maxh2cdata ?? this.target.options.maxh2cdata ?? 0x400000,
        };
        for (const chunk of encodePdu(icresp, { headerDigest: false, dataDigest: false, dataAlignment: 0 })) this.stream.write(chunk);
        return;
      }
      case PduType.CapsuleCmd:
        this.target.onCommand(this, pdu.sqe.slice(), pdu.data.slice());
        return;
      case PduType.H2CData: {
        this.h2cData.push({ cccid: pdu.cccid, ttag: pdu.ttag, datao: pdu.datao, length: pdu.data.length, last: pdu.last });
        const write = this.#writes.get(pdu.ttag);
        if (write === undefined) return;
        write.received.set(pdu.data, pdu.datao);
        write.filled += pdu.data.length;
        if (write.filled >= write.length) {
          this.#writes.delete(pdu.ttag);
          write.done(write.received);
        }
        return;
      }
      default:
        this.termReqs.push(pdu);
    }
  }
}

/** A scripted NVMe/TCP target with one subsystem, one RAM namespace (nsid 1) and a discovery log. */
export class FakeTarget {
  readonly options: FakeTargetOptions;
  readonly env: TestEnv;
  readonly subnqn: string;
  readonly port: number;
  readonly connections: FakeConnection[] = [];
  readonly commands: CommandRecord[] = [];
  readonly decodeErrors: string[] = [];
  readonly hooks: CommandHook[] = [];
  readonly storage: Uint8Array;
  readonly blockSize: number;
  /** While true, I/O commands are held unanswered (releaseHeld() answers them). */
  holdIo = false;
  /** I/O commands held while holdIo was set. */
  held: { connection: FakeConnection; sqe: Sqe; data: Uint8Array }[] = [];
  /** I/O queues granted by Set Features Number of Queues (undefined: what is asked). */
  grantQueues: number | undefined;
  /** Reads of the Changed Namespace List log (LID 04h). */
  changedNsLogReads = 0;
  #nextCntlid = 1;
  #cc = 0;
  #listener: Listener | null = null;

  constructor(env: TestEnv, options: FakeTargetOptions = {}) {
    this.env = env;
    this.options = options;
    this.subnqn = options.subnqn ?? 'nqn.2024-01.io.nvmf-sim:fake';
    this.port = options.port ?? 4420;
    this.blockSize = options.blockSize ?? 512;
    this.storage = new Uint8Array(this.blockSize * (options.blocks ?? 8192));
    this.grantQueues = options.grantQueues;
  }

  /** Answers held I/O commands (those whose connection is still open). */
  releaseHeld(): number {
    const held = this.held;
    this.held = [];
    let released = 0;
    for (const { connection, sqe, data } of held) {
      if (connection.closed) continue;
      this.#io(connection, sqe, data);
      released++;
    }
    return released;
  }

  async start(): Promise<this> {
    this.#listener = await this.env.network.listen({ host: '127.0.0.1', port: this.port }, (stream) => {
      this.connections.push(new FakeConnection(this, this.connections.length, stream as MemoryStream));
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.#listener?.close();
  }

  /** Live connections by qid. */
  connection(qid: number): FakeConnection | undefined {
    return [...this.connections].reverse().find((connection) => connection.qid === qid && !connection.closed);
  }

  /** Commands of one opcode (and fctype for fabrics). */
  commandsOf(opcode: number, fctype = -1): CommandRecord[] {
    return this.commands.filter((record) => record.opcode === opcode && record.fctype === fctype);
  }

  /** Completes one held Asynchronous Event Request with this dword 0. */
  completeAer(dw0: number): boolean {
    const admin = this.connection(0);
    const cid = admin?.heldAers.shift();
    if (admin === undefined || cid === undefined) return false;
    admin.respond(cid, 0, dw0);
    return true;
  }

  onCommand(connection: FakeConnection, sqeBytes: Uint8Array, data: Uint8Array): void {
    const sqe = decodeSqe(sqeBytes);
    const fctype = sqe.opcode === FABRICS_OPCODE ? sqe.nsid & 0xff : -1;
    if (fctype === FabricsType.CONNECT) connection.qid = parseConnect(sqe).qid;
    this.commands.push({ qid: connection.qid, opcode: sqe.opcode, fctype, cid: sqe.cid, atNs: this.env.clock.nowNs(), connection: connection.id });
    for (const hook of this.hooks) if (hook(connection, sqe, data)) return;
    if (fctype >= 0) this.#fabrics(connection, sqe, fctype, data);
    else if (connection.qid === 0) this.#admin(connection, sqe);
    else if (this.holdIo) this.held.push({ connection, sqe, data });
    else this.#io(connection, sqe, data);
  }

  /** Data of a write: from the capsule, or fetched with R2T. */
  #withData(connection: FakeConnection, sqe: Sqe, data: Uint8Array, done: (data: Uint8Array) => void): void {
    if (sqe.sglType === SGL_IN_CAPSULE || sqe.sglLength === 0) done(data);
    else connection.requestData(sqe.cid, sqe.sglLength, done);
  }

  #fabrics(connection: FakeConnection, sqe: Sqe, fctype: number, data: Uint8Array): void {
    if (fctype === FabricsType.CONNECT) {
      this.#withData(connection, sqe, data, (bytes) => {
        const connect = decodeConnectData(bytes);
        const cntlid = connect.cntlid === 0xffff ? this.#nextCntlid++ : connect.cntlid;
        connection.cntlid = cntlid;
        connection.respond(sqe.cid, 0, encodeConnectResult({ cntlid, authreq: 0 }));
      });
      return;
    }
    if (fctype === FabricsType.PROPERTY_GET) {
      const { offset } = parsePropertyGet(sqe);
      let value = 0n;
      if (offset === RegisterOffset.CAP) value = encodeCap(defaultCap({ maxQueueEntries: this.options.maxQueueEntries ?? 1024 }));
      else if (offset === RegisterOffset.VS) value = BigInt(NVME_VS_1_3);
      else if (offset === RegisterOffset.CC) value = BigInt(this.#cc);
      else if (offset === RegisterOffset.CSTS) {
        const cc = decodeCc(this.#cc);
        value = BigInt(encodeCsts({ rdy: cc.en, cfs: false, shst: cc.shn !== 0 ? 2 : 0, nssro: false, pp: false }));
      }
      connection.respond(sqe.cid, 0, Number(value & 0xffffffffn), Number(value >> 32n));
      return;
    }
    if (fctype === FabricsType.PROPERTY_SET) {
      const { offset, value } = parsePropertySet(sqe);
      if (offset === RegisterOffset.CC) this.#cc = Number(value);
      connection.respond(sqe.cid);
      return;
    }
    connection.respond(sqe.cid, Status.INVALID_OPCODE | STATUS_DNR);
  }

  identifyController(cntlid: number): IdentifyController {
    return defaultIdentifyController(
      { sn: 'fake0001', mn: 'nvmf-sim fake target', fr: '1.0', cntlid, subnqn: this.subnqn, ver: NVME_VS_1_3, inCapsuleDataSize: this.options.inCapsuleDataSize ?? 8192 },
      this.options.identify ?? {},
    );
  }

  #admin(connection: FakeConnection, sqe: Sqe): void {
    switch (sqe.opcode) {
      case AdminOpcode.IDENTIFY: {
        const { cns, nsid } = identifyFields(sqe);
        let data: Uint8Array = new Uint8Array(4096);
        if (cns === IdentifyCns.CONTROLLER) data = encodeIdentifyController(this.identifyController(connection.cntlid));
        else if (cns === IdentifyCns.ACTIVE_NS_LIST) data = encodeActiveNsList([1], nsid);
        else if (cns === IdentifyCns.NAMESPACE && nsid === 1) {
          data = encodeIdentifyNamespace(defaultIdentifyNamespace({ blocks: this.storage.length / this.blockSize, blockSize: this.blockSize, nguid: '0123456789abcdef0123456789abcdef' }));
        } else if (cns === IdentifyCns.NS_DESC_LIST && nsid === 1) {
          data = encodeNsDescriptorList(nsDescriptorsFor({ uuid: '91fdba0d-f87b-4c25-b80f-db7be1418b9e' }));
        }
        connection.sendData(sqe.cid, data, { success: false });
        return;
      }
      case AdminOpcode.SET_FEATURES: {
        const fid = sqe.cdw10 & 0xff;
        if (fid === FeatureId.NUM_QUEUES) {
          const asked = decodeNumQueues(sqe.cdw11);
          const granted = this.grantQueues ?? asked.sqCount;
          connection.respond(sqe.cid, 0, encodeNumQueues({ sqCount: granted, cqCount: granted }));
          return;
        }
        connection.respond(sqe.cid);
        return;
      }
      case AdminOpcode.KEEP_ALIVE:
        connection.respond(sqe.cid);
        return;
      case AdminOpcode.ASYNC_EVENT:
        connection.heldAers.push(sqe.cid);
        return;
      case AdminOpcode.GET_LOG_PAGE: {
        const { lid, numdBytes, offsetBytes } = getLogPageFields(sqe);
        let image: Uint8Array = new Uint8Array(0);
        if (lid === LogPageId.DISCOVERY) image = encodeDiscoveryLogRange({ genctr: 7, entries: this.options.discoveryEntries ?? [] }, 0, 1 << 20);
        else if (lid === LogPageId.CHANGED_NS) {
          image = new Uint8Array(CHANGED_NS_LOG_BYTES);
          this.changedNsLogReads++;
        }
        else if (lid === LogPageId.SMART) image = encodeSmartLog(emptySmartLog()).subarray(0, SMART_LOG_BYTES);
        connection.sendData(sqe.cid, sliceLog(image, offsetBytes, numdBytes), { success: false });
        return;
      }
      default:
        connection.respond(sqe.cid, Status.INVALID_OPCODE | STATUS_DNR);
    }
  }

  #io(connection: FakeConnection, sqe: Sqe, data: Uint8Array): void {
    const bs = this.blockSize;
    switch (sqe.opcode) {
      case IoOpcode.READ: {
        const { slba, nlb } = readWriteFields(sqe);
        if ((slba + nlb) * bs > this.storage.length) return connection.respond(sqe.cid, Status.LBA_RANGE | STATUS_DNR);
        connection.sendData(sqe.cid, this.storage.slice(slba * bs, (slba + nlb) * bs));
        return;
      }
      case IoOpcode.WRITE: {
        const { slba, nlb } = readWriteFields(sqe);
        if ((slba + nlb) * bs > this.storage.length) return connection.respond(sqe.cid, Status.LBA_RANGE | STATUS_DNR);
        this.#withData(connection, sqe, data, (bytes) => {
          this.storage.set(bytes.subarray(0, nlb * bs), slba * bs);
          connection.respond(sqe.cid);
        });
        return;
      }
      case IoOpcode.WRITE_ZEROES: {
        const { slba, nlb } = readWriteFields(sqe);
        this.storage.fill(0, slba * bs, (slba + nlb) * bs);
        connection.respond(sqe.cid);
        return;
      }
      case IoOpcode.FLUSH:
      case IoOpcode.DSM:
        this.#withData(connection, sqe, data, () => connection.respond(sqe.cid));
        return;
      default:
        connection.respond(sqe.cid, Status.INVALID_OPCODE | STATUS_DNR);
    }
  }
}

export async function startFakeTarget(env: TestEnv, options: FakeTargetOptions = {}): Promise<FakeTarget> {
  return new FakeTarget(env, options).start();
}

/** Bytes with a recognisable pattern. */
export function pattern(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let index = 0; index < length; index++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[index] = x >>> 24;
  }
  return out;
}
