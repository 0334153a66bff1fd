// Test fixtures for the NVMe/TCP target: an in-memory world (a FIFO of deliveries plus a fake clock),
// an in-memory Network whose streams are synchronous duplex pairs with backpressure, a CPU that counts
// the work it is charged, a logger that keeps its lines, and TestHost, a small scripted NVMe/TCP host
// that speaks PDUs (built with the codec's encoder, or raw bytes for malformed input) over either the
// in-memory network or real loopback sockets.
//
// Nothing in the memory world runs until the test calls world.run() (TestHost does it before it looks
// for a PDU), so there is no re-entrancy and every run is deterministic.
import type { ExecutionContext } from 'ava';
import type { Address, ByteStream, Clock, Cpu, Listener, Logger, Network, NodeEnv, StreamHandlers, Timer, Work } from '../../sim/core/env.js';
import { realEnv } from '../../sim/world/index.js';
import { SeededRngSource } from '../../sim/core/rng.js';
import { AdminOpcode, FeatureId, IdentifyCns, LogPageId } from '../../sim/nvme/constants.js';
import { decodeCqe } from '../../sim/nvme/cqe.js';
import type { Cqe } from '../../sim/nvme/cqe.js';
import { buildConnect, buildPropertyGet, buildPropertySet, encodeConnectData } from '../../sim/nvme/fabrics.js';
import { PduDecoder } from '../../sim/nvme/pdu-decoder.js';
import { encodePdu } from '../../sim/nvme/pdu-encoder.js';
import { PduType, TERM_MAX_PDU_LENGTH } from '../../sim/nvme/pdu-types.js';
import type { C2HDataPdu, ICRespPdu, Pdu, PduError, PduOptions, R2TPdu, TermReqPdu } from '../../sim/nvme/pdu-types.js';
import { RegisterOffset } from '../../sim/nvme/registers.js';
import { buildGetLogPage, buildIdentify, buildRead, buildSetFeatures, buildWrite, decodeSqe, encodeSqe } from '../../sim/nvme/sqe.js';
import type { TargetConfig } from '../../sim/target/config.js';
import type { NvmeTargetOptions } from '../../sim/target/target-options.js';
import { NvmeTarget } from '../../sim/target/target.js';

export const SUBNQN = 'nqn.2024-01.io.nvmf-sim:test';
export const SUBNQN2 = 'nqn.2024-01.io.nvmf-sim:other';
export const HOSTID = '0f01fb42-9f7f-4856-b0b3-51e60b8de349';
export const HOSTNQN = `nqn.2014-08.org.nvmexpress:uuid:${HOSTID}`;
export const OTHER_HOSTNQN = 'nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555';
export const NS_UUID = '5b722b05-e9b6-542d-ba80-62010b57775d';
export const NS_NGUID = 'ef90689c-6c46-d44c-89c1-4067801309a8';
/** Namespace 1 of the default config: 64 MiB of RAM, 512-byte blocks. */
export const NS_BYTES = 64 * 1024 * 1024;

/** CC with EN=1, IOSQES=6, IOCQES=4, as the Linux host writes it. */
export const CC_ENABLE = 1 | (6 << 16) | (4 << 20);

/** The default test target: one subsystem with a 64 MiB RAM namespace on one TCP port. */
export function testConfig(port = 0): TargetConfig {
  return {
    subsystems: [
      {
        nqn: SUBNQN,
        serial: 'SIMSERIAL0001',
        model: 'nvmf-sim test',
        namespaces: [{ nsid: 1, device: 'ram:64MiB', uuid: NS_UUID, nguid: NS_NGUID }],
      },
    ],
    ports: [{ portid: 1, traddr: '127.0.0.1', trsvcid: port, subsystems: [SUBNQN] }],
  };
}

// ---------------------------------------------------------------------------------------------
// The in-memory world

interface PendingTimer {
  readonly id: number;
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
  cleared: boolean;
}

/** A FIFO of deliveries and a fake clock. Time moves only in advanceBy(). */
export class MemoryWorld {
  nowNs = 0;
  readonly #queue: (() => void)[] = [];
  #timers: PendingTimer[] = [];
  #seq = 0;
  readonly clock: Clock;
  readonly network: MemoryNetwork;

  constructor() {
    this.clock = {
      nowNs: () => this.nowNs,
      setTimer: (delayNs: number, callback: () => void): Timer => {
        const seq = ++this.#seq;
        this.#timers.push({ id: seq, at: this.nowNs + Math.max(0, delayNs), seq, callback, cleared: false });
        return { id: seq };
      },
      clearTimer: (timer: Timer): void => {
        const found = this.#timers.find((pending) => pending.id === timer.id);
        if (found !== undefined) found.cleared = true;
      },
    };
    this.network = new MemoryNetwork(this);
  }

  post(fn: () => void): void {
    this.#queue.push(fn);
  }

  /** Runs deliveries until none are left. */
  run(limit = 1_000_000): void {
    let steps = 0;
    while (this.#queue.length > 0) {
      if (++steps > limit) throw new Error('MemoryWorld.run: no quiescence');
      const fn = this.#queue.shift();
      fn?.();
    }
  }

  /** Advances the clock, firing due timers in order (running deliveries after each). */
  advanceBy(ns: number): void {
    const end = this.nowNs + ns;
    this.run();
    for (;;) {
      const due = this.#timers
        .filter((timer) => !timer.cleared && timer.at <= end)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) break;
      due.cleared = true;
      this.nowNs = due.at;
      due.callback();
      this.run();
    }
    this.#timers = this.#timers.filter((timer) => !timer.cleared);
    this.nowNs = end;
  }

  /** Timers still armed (for leak checks). */
  get armedTimers(): number {
    return this.#timers.filter((timer) => !timer.cleared).length;
  }
}

/** One end of an in-memory TCP connection. Bytes count as unsent until the peer consumed them. */
export class MemoryStream implements ByteStream {
  readonly local: Address;
  readonly remote: Address;
  peer!: MemoryStream;
  /** write() returns false once this many bytes are unconsumed by the peer. */
  highWaterMark = 1 << 20;
  readonly #world: MemoryWorld;
  #handlers: StreamHandlers | undefined;
  readonly #inbox: Uint8Array[] = [];
  #paused = false;
  #unsent = 0;
  #blocked = false;
  #ended = false;
  #closed = false;
  #peerEnded = false;
  /** Bytes written by this end (for tests). */
  bytesWritten = 0;

  constructor(world: MemoryWorld, local: Address, remote: Address) {
    this.#world = world;
    this.local = local;
    this.remote = remote;
  }

  get closed(): boolean {
    return this.#closed || this.#ended;
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  setHandlers(handlers: StreamHandlers): void {
    this.#handlers = handlers;
    this.#flushInbox();
  }

  write(chunk: Uint8Array): boolean {
    if (this.closed) return false;
    this.#unsent += chunk.length;
    this.bytesWritten += chunk.length;
    this.#world.post(() => this.peer.#arrive(chunk, this));
    if (this.#unsent >= this.highWaterMark) this.#blocked = true;
    return !this.#blocked;
  }

  end(): void {
    if (this.closed) return;
    this.#ended = true;
    // FIN after the data; the peer (like RealStream) ends too, and both sides close.
    this.#world.post(() => this.peer.#finArrived());
  }

  destroy(error?: Error): void {
    if (this.#closed) return;
    this.#ended = true;
    this.#world.post(() => this.#closeNow(error !== undefined));
    this.#world.post(() => {
      this.peer.#handlers?.error(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
      this.peer.#closeNow(true);
    });
  }

  /** Stops consuming: arriving bytes stay unconsumed, so the writer sees backpressure. */
  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#flushInbox();
  }

  #arrive(chunk: Uint8Array, from: MemoryStream): void {
    if (this.#closed) {
      from.#consumed(chunk.length);
      return;
    }
    this.#inbox.push(chunk);
    this.#flushInbox();
  }

  #flushInbox(): void {
    while (!this.#paused && this.#handlers !== undefined && this.#inbox.length > 0 && !this.#closed) {
      const chunk = this.#inbox.shift();
      if (chunk === undefined) break;
      this.peer.#consumed(chunk.length);
      this.#handlers.data(chunk);
    }
    if (this.#peerEnded && this.#inbox.length === 0 && !this.#paused) this.#bothClose();
  }

  #consumed(length: number): void {
    this.#unsent -= length;
    if (this.#blocked && this.#unsent < this.highWaterMark) {
      this.#blocked = false;
      this.#world.post(() => {
        if (!this.#closed) this.#handlers?.drain();
      });
    }
  }

  #finArrived(): void {
    this.#peerEnded = true;
    this.#flushInbox();
  }

  #bothClose(): void {
    this.#ended = true;
    this.#closeNow(false);
    this.peer.#closeNow(false);
  }

  #closeNow(hadError: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ended = true;
    this.#handlers?.close(hadError);
  }
}

export class MemoryNetwork implements Network {
  readonly #world: MemoryWorld;
  readonly #listeners = new Map<string, (stream: ByteStream) => void>();
  #nextPort = 40000;
  #nextClientPort = 50000;
  /** Server ends of accepted connections, newest last. */
  readonly accepted: MemoryStream[] = [];

  constructor(world: MemoryWorld) {
    this.#world = world;
  }

  listen(address: Address, onStream: (stream: ByteStream) => void): Promise<Listener> {
    const port = address.port === 0 ? this.#nextPort++ : address.port;
    const key = `${address.host}:${port}`;
    if (this.#listeners.has(key)) return Promise.reject(Object.assign(new Error(`listen EADDRINUSE ${key}`), { code: 'EADDRINUSE' }));
    this.#listeners.set(key, onStream);
    return Promise.resolve({
      address: { host: address.host, port },
      close: () => {
        this.#listeners.delete(key);
        return Promise.resolve();
      },
    });
  }

  connect(address: Address): Promise<ByteStream> {
    return Promise.resolve(this.connectNow(address));
  }

  /** Connects synchronously and returns the client end. */
  connectNow(address: Address): MemoryStream {
    const accept = this.#listeners.get(`${address.host}:${address.port}`);
    if (accept === undefined) throw Object.assign(new Error(`connect ECONNREFUSED ${address.host}:${address.port}`), { code: 'ECONNREFUSED' });
    const clientAddress = { host: '127.0.0.1', port: this.#nextClientPort++ };
    const client = new MemoryStream(this.#world, clientAddress, address);
    const server = new MemoryStream(this.#world, address, clientAddress);
    client.peer = server;
    server.peer = client;
    this.accepted.push(server);
    accept(server);
    return client;
  }
}

/** Runs work at once and adds up what it was charged, per kind and per core. */
export class CountingCpu implements Cpu {
  readonly cores: number;
  readonly total = { pdus: 0, copyBytes: 0, crcBytes: 0, commands: 0, runs: 0 };
  readonly coresUsed = new Set<number>();

  constructor(cores = 4) {
    this.cores = cores;
  }

  run(core: number, work: Work, fn: () => void): void {
    this.total.pdus += work.pdus ?? 0;
    this.total.copyBytes += work.copyBytes ?? 0;
    this.total.crcBytes += work.crcBytes ?? 0;
    this.total.commands += work.commands ?? 0;
    this.total.runs++;
    this.coresUsed.add(core % this.cores);
    fn();
  }
}

/** A logger that keeps its lines (and prints nothing). */
export class CapturingLogger implements Logger {
  readonly lines: string[] = [];
  debug(message: string): void {
    this.lines.push(`debug: ${message}`);
  }
  info(message: string): void {
    this.lines.push(`info: ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn: ${message}`);
  }
  error(message: string): void {
    this.lines.push(`error: ${message}`);
  }
  has(text: string): boolean {
    return this.lines.some((line) => line.includes(text));
  }
}

export interface MemoryTarget {
  readonly world: MemoryWorld;
  readonly env: NodeEnv;
  readonly cpu: CountingCpu;
  readonly log: CapturingLogger;
  readonly target: NvmeTarget;
  readonly address: Address;
  /** A new TCP connection to port 1 (or the given port). */
  connect(portid?: number): TestHost;
}

/** Starts a target in the memory world; it is stopped when the test ends. */
export async function startMemoryTarget(
  t: ExecutionContext,
  config: TargetConfig = testConfig(4420),
  options: NvmeTargetOptions = {},
): Promise<MemoryTarget> {
  const world = new MemoryWorld();
  const cpu = new CountingCpu(4);
  const log = new CapturingLogger();
  const env: NodeEnv = { network: world.network, clock: world.clock, cpu, rng: new SeededRngSource('target-test'), log };
  const target = new NvmeTarget(env, config, options);
  await target.start();
  t.teardown(() => target.stop());
  const first = target.boundPorts[0];
  if (first === undefined) throw new Error('target has no port');
  return {
    world,
    env,
    cpu,
    log,
    target,
    address: first.address,
    connect: (portid = first.portid) => new TestHost(world.network.connectNow(target.address(portid)), world),
  };
}

export interface RealTarget {
  readonly target: NvmeTarget;
  readonly address: Address;
  connect(): Promise<TestHost>;
}

/** Starts a target on real loopback sockets (port 0); stopped, with its timers, when the test ends. */
export async function startRealTarget(t: ExecutionContext, config: TargetConfig = testConfig(0), options: NvmeTargetOptions = {}): Promise<RealTarget> {
  const env = realEnv({ logLevel: 'silent' });
  const target = new NvmeTarget(env, config, options);
  await target.start();
  const hosts: TestHost[] = [];
  t.teardown(async () => {
    for (const host of hosts) host.destroy();
    await target.stop();
    env.clock.clearAll();
  });
  const first = target.boundPorts[0];
  if (first === undefined) throw new Error('target has no port');
  return {
    target,
    address: first.address,
    connect: async () => {
      const host = new TestHost(await env.network.connect(first.address));
      hosts.push(host);
      return host;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// TestHost: a scripted host

/** Result of a command: its completion and the data the controller returned. */
export interface CommandResult {
  readonly cqe: Cqe;
  readonly data: Uint8Array;
  /** The C2HData PDUs that carried the data. */
  readonly c2h: readonly C2HDataPdu[];
  /** R2Ts received for this command. */
  readonly r2t: readonly R2TPdu[];
  /** True when the completion came as C2HData SUCCESS (no CapsuleResp). */
  readonly successFlag: boolean;
}

export interface CommandOptions {
  /** Host-to-controller data. */
  readonly data?: Uint8Array;
  /** Put the data in the capsule (the SQE must say so); otherwise wait for R2T. */
  readonly inCapsule?: boolean;
  /** Largest H2CData payload to send (default the controller's MAXH2CDATA). */
  readonly h2cChunk?: number;
}

const HOST_ACCEPTS = [PduType.ICResp, PduType.C2HTermReq, PduType.CapsuleResp, PduType.C2HData, PduType.R2T];
const WAIT_MS = 5000;

export class TestHost {
  readonly stream: ByteStream;
  readonly #world: MemoryWorld | undefined;
  readonly #decoder: PduDecoder;
  readonly #received: Pdu[] = [];
  #options: PduOptions = { headerDigest: false, dataDigest: false, dataAlignment: 0 };
  #closed = false;
  #decodeError: PduError | undefined;
  #wake: (() => void) | undefined;
  #cid = 0;
  maxh2cdata = 4096;

  constructor(stream: ByteStream, world?: MemoryWorld) {
    this.stream = stream;
    this.#world = world;
    this.#decoder = new PduDecoder({ acceptTypes: HOST_ACCEPTS, maxPduLength: 64 * 1024 * 1024 + TERM_MAX_PDU_LENGTH });
    stream.setHandlers({
      data: (chunk) =>
        this.#decoder.push(
          chunk,
          (pdu) => {
            this.#received.push(pdu);
            this.#wake?.();
          },
          (error) => {
            this.#decodeError = error;
            this.#wake?.();
          },
        ),
      drain: () => undefined,
      close: () => {
        this.#closed = true;
        this.#wake?.();
      },
      error: () => undefined,
    });
  }

  get options(): PduOptions {
    return this.#options;
  }

  nextCid(): number {
    this.#cid = (this.#cid + 1) & 0xffff;
    return this.#cid;
  }

  sendPdu(pdu: Pdu, options: PduOptions = this.#options): void {
    for (const chunk of encodePdu(pdu, options)) this.stream.write(chunk);
  }

  sendBytes(bytes: Uint8Array): void {
    this.stream.write(bytes);
  }

  /** Runs the memory world (if any) so everything in flight arrives. */
  settle(): void {
    this.#world?.run();
  }

  /** PDUs received and not yet taken. */
  get pending(): readonly Pdu[] {
    this.settle();
    return this.#received;
  }

  async next(): Promise<Pdu> {
    await this.#waitFor(() => this.#received.length > 0 || this.#closed || this.#decodeError !== undefined);
    const pdu = this.#received.shift();
    if (pdu !== undefined) return pdu;
    if (this.#decodeError !== undefined) throw new Error(`host decode error: ${this.#decodeError.message}`);
    throw new Error('connection closed before a PDU arrived');
  }

  /** Resolves once the target closed the connection. */
  async closed(): Promise<boolean> {
    await this.#waitFor(() => this.#closed);
    return this.#closed;
  }

  get isClosed(): boolean {
    this.settle();
    return this.#closed;
  }

  destroy(): void {
    this.stream.destroy();
  }

  async #waitFor(condition: () => boolean): Promise<void> {
    this.settle();
    if (condition()) return;
    if (this.#world !== undefined) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, WAIT_MS);
      this.#wake = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
    });
  }

  async expectType<T extends Pdu['type']>(type: T): Promise<Extract<Pdu, { type: T }>> {
    const pdu = await this.next();
    if (pdu.type !== type) throw new Error(`expected PDU type ${type}, got ${pdu.type}: ${JSON.stringify(pdu)}`);
    return pdu as Extract<Pdu, { type: T }>;
  }

  /** Reads PDUs until a C2HTermReq. */
  async expectTermReq(): Promise<TermReqPdu> {
    return this.expectType(PduType.C2HTermReq);
  }

  // ---- Protocol steps ----

  async icreq(init: { headerDigest?: boolean; dataDigest?: boolean; hpda?: number } = {}): Promise<ICRespPdu> {
    const headerDigest = init.headerDigest ?? false;
    const dataDigest = init.dataDigest ?? false;
    this.sendPdu({ type: PduType.ICReq, pfv: 0, hpda: init.hpda ?? 0, headerDigest, dataDigest, maxr2t: 0 });
    const icresp = await this.expectType(PduType.ICResp);
    this.#options = { headerDigest: icresp.headerDigest, dataDigest: icresp.dataDigest, dataAlignment: 0 };
    this.#decoder.options = this.#options;
    this.maxh2cdata = icresp.maxh2cdata;
    return icresp;
  }

  /** Sends a command and runs its data phase; resolves with its completion. */
  async command(sqe: Uint8Array, options: CommandOptions = {}): Promise<CommandResult> {
    const cid = decodeSqe(sqe).cid;
    const data = options.data ?? new Uint8Array(0);
    this.sendPdu({ type: PduType.CapsuleCmd, sqe, data: options.inCapsule === true ? data : new Uint8Array(0) });
    const c2h: C2HDataPdu[] = [];
    const r2t: R2TPdu[] = [];
    const parts: Uint8Array[] = [];
    for (;;) {
      const pdu = await this.next();
      if (pdu.type === PduType.R2T && pdu.cccid === cid) {
        r2t.push(pdu);
        this.sendH2C(pdu, data, options.h2cChunk ?? this.maxh2cdata);
        continue;
      }
      if (pdu.type === PduType.C2HData && pdu.cccid === cid) {
        c2h.push(pdu);
        parts.push(pdu.data.slice());
        if (pdu.success) {
          return { cqe: { dw0: 0, dw1: 0, sqhd: 0, sqid: 0, cid, status: 0 }, data: concat(parts), c2h, r2t, successFlag: true };
        }
        continue;
      }
      if (pdu.type === PduType.CapsuleResp) {
        const cqe = decodeCqe(pdu.cqe);
        if (cqe.cid !== cid) throw new Error(`completion for cid ${cqe.cid} while waiting for ${cid}`);
        return { cqe, data: concat(parts), c2h, r2t, successFlag: false };
      }
      throw new Error(`unexpected PDU while waiting for cid ${cid}: ${JSON.stringify({ type: pdu.type })}`);
    }
  }

  /** Answers an R2T with H2CData PDUs of at most `chunk` bytes. */
  sendH2C(r2t: R2TPdu, data: Uint8Array, chunk: number): void {
    for (let offset = r2t.r2to; offset < r2t.r2to + r2t.r2tl; offset += chunk) {
      const end = Math.min(r2t.r2to + r2t.r2tl, offset + chunk);
      this.sendPdu({
        type: PduType.H2CData,
        cccid: r2t.cccid,
        ttag: r2t.ttag,
        datao: offset,
        data: data.subarray(offset, end),
        last: end === r2t.r2to + r2t.r2tl,
      });
    }
  }

  async connect(init: {
    qid?: number;
    subnqn?: string;
    hostnqn?: string;
    hostid?: string;
    cntlid?: number;
    sqsize?: number;
    kato?: number;
    cattr?: number;
  } = {}): Promise<CommandResult> {
    const qid = init.qid ?? 0;
    const sqe = buildConnect({ cid: this.nextCid(), qid, sqsize: init.sqsize ?? 31, kato: init.kato ?? 0, cattr: init.cattr ?? 0 });
    const data = encodeConnectData({
      hostid: init.hostid ?? HOSTID,
      cntlid: init.cntlid ?? 0xffff,
      subnqn: init.subnqn ?? SUBNQN,
      hostnqn: init.hostnqn ?? HOSTNQN,
    });
    return this.command(sqe, { data, inCapsule: true });
  }

  async propertyGet(offset: number, size: 4 | 8 = 4): Promise<CommandResult> {
    return this.command(buildPropertyGet({ cid: this.nextCid(), offset, size }));
  }

  async propertySet(offset: number, value: number): Promise<CommandResult> {
    return this.command(buildPropertySet({ cid: this.nextCid(), offset, size: 4, value: BigInt(value) }));
  }

  /** ICReq, admin Connect, CC.EN = 1; returns the CNTLID. */
  async adminSession(init: { subnqn?: string; hostnqn?: string; kato?: number; headerDigest?: boolean; dataDigest?: boolean; cattr?: number } = {}): Promise<number> {
    await this.icreq({ headerDigest: init.headerDigest ?? false, dataDigest: init.dataDigest ?? false });
    const connect = await this.connect({
      qid: 0,
      ...(init.subnqn === undefined ? {} : { subnqn: init.subnqn }),
      ...(init.hostnqn === undefined ? {} : { hostnqn: init.hostnqn }),
      kato: init.kato ?? 0,
      cattr: init.cattr ?? 0,
    });
    if (connect.cqe.status !== 0) throw new Error(`admin connect failed: 0x${connect.cqe.status.toString(16)}`);
    const set = await this.propertySet(RegisterOffset.CC, CC_ENABLE);
    if (set.cqe.status !== 0) throw new Error('CC.EN write failed');
    return connect.cqe.dw0 & 0xffff;
  }

  /** ICReq and I/O Connect for controller `cntlid`. */
  async ioSession(cntlid: number, init: { qid?: number; sqsize?: number; cattr?: number; headerDigest?: boolean; dataDigest?: boolean } = {}): Promise<CommandResult> {
    await this.icreq({ headerDigest: init.headerDigest ?? false, dataDigest: init.dataDigest ?? false });
    return this.connect({ qid: init.qid ?? 1, cntlid, sqsize: init.sqsize ?? 127, cattr: init.cattr ?? 0 });
  }

  async identify(cns: number, nsid = 0, csi = 0): Promise<CommandResult> {
    return this.command(buildIdentify({ cid: this.nextCid(), cns, nsid, csi }));
  }

  async identifyController(): Promise<CommandResult> {
    return this.identify(IdentifyCns.CONTROLLER);
  }

  async getLogPage(lid: number, numdBytes: number, init: { nsid?: number; offsetBytes?: number; rae?: boolean } = {}): Promise<CommandResult> {
    return this.command(
      buildGetLogPage({
        cid: this.nextCid(),
        lid,
        numdBytes,
        nsid: init.nsid ?? 0,
        offsetBytes: init.offsetBytes ?? 0,
        rae: init.rae ?? false,
      }),
    );
  }

  async discoveryLog(length = 4096): Promise<CommandResult> {
    return this.getLogPage(LogPageId.DISCOVERY, length);
  }

  async setFeature(fid: number, cdw11: number): Promise<CommandResult> {
    return this.command(buildSetFeatures({ cid: this.nextCid(), fid, cdw11 }));
  }

  async setNumQueues(count: number): Promise<CommandResult> {
    return this.setFeature(FeatureId.NUM_QUEUES, ((count - 1) | ((count - 1) << 16)) >>> 0);
  }

  async keepAlive(): Promise<CommandResult> {
    return this.command(encodeSqe({ opcode: AdminOpcode.KEEP_ALIVE, cid: this.nextCid() }));
  }

  async write(nsid: number, slba: number, data: Uint8Array, init: { inCapsule?: boolean; h2cChunk?: number; blockSize?: number } = {}): Promise<CommandResult> {
    const blockSize = init.blockSize ?? 512;
    const inCapsule = init.inCapsule ?? false;
    const sqe = buildWrite({ cid: this.nextCid(), nsid, slba, nlb: data.length / blockSize, inCapsule, length: data.length });
    return this.command(sqe, { data, inCapsule, ...(init.h2cChunk === undefined ? {} : { h2cChunk: init.h2cChunk }) });
  }

  async read(nsid: number, slba: number, length: number, blockSize = 512): Promise<CommandResult> {
    return this.command(buildRead({ cid: this.nextCid(), nsid, slba, nlb: length / blockSize, inCapsule: false, length }));
  }
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Deterministic test data: byte i of the pattern is (seed + i * 7) mod 251. */
export function pattern(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  for (let index = 0; index < length; index++) out[index] = (seed + index * 7) % 251;
  return out;
}
