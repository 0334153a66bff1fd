// A simulated machine: NICs, a TCP stack, and a life cycle. Faults act here:
// - crash(): the machine stops. Its connections vanish without FIN or RST, its timers never fire,
//   and packets sent to it are dropped (a powered-off host does not answer).
// - restart(): a new incarnation boots with an empty TCP stack; the scenario builds new target or
//   host objects on a fresh NodeEnv. Segments from peers of the old incarnation now draw RST.
// - pause()/resume(): the application stops running (SIGSTOP, a VM pause of the guest's user
//   space, a long GC). The kernel keeps ACKing until the receive buffer fills, then advertises a
//   zero window; timers and callbacks wait and run, in order, on resume.
import type { Address, ByteStream, ConnectSocketOptions, Listener, Network } from '../core/index.js';
import type { ExecutionGate } from '../core/index.js';
import type { NetContext } from './net-context.js';
import { FP_DELIVER } from './net-context.js';
import { netError } from './net-errors.js';
import type { NicHost } from './nic-host.js';
import { Nic, type NicOptions } from './nic.js';
import type { Packet } from './packet.js';
import type { Routing } from './routing.js';
import { type ResolvedTcpOptions, type TcpOptions, resolveTcpOptions } from './tcp-options.js';
import { type StackNode, TcpStack } from './tcp-stack.js';

export interface NodeOptions {
  /** IP of the node's single NIC (shorthand for nics: [{ ip }]). */
  readonly ip?: string;
  /** Line rate of the single NIC in bits per second. Default 25 Gb/s. */
  readonly bandwidthBps?: number;
  /** MTU of the single NIC in bytes. Default 1500. */
  readonly mtuBytes?: number;
  /** Several NICs (multipath hosts, multi-homed targets); overrides the shorthand fields. */
  readonly nics?: readonly NicOptions[];
  /** TCP tunables for this node (Linux defaults otherwise). */
  readonly tcp?: TcpOptions;
}

/** One incarnation's gate: alive until the node crashes; paused while the node is paused. */
class NodeIncarnation implements ExecutionGate {
  readonly node: SimNode;
  readonly number: number;
  alive = true;
  #deferred: (() => void)[] = [];

  constructor(node: SimNode, number: number) {
    this.node = node;
    this.number = number;
  }

  get paused(): boolean {
    return this.node.paused;
  }

  defer(fn: () => void): void {
    if (!this.alive) return;
    if (!this.node.paused) fn();
    else this.#deferred.push(fn);
  }

  /** Runs deferred callbacks in order; stops (keeping the rest) if the node pauses or dies. */
  runDeferred(): void {
    const queue = this.#deferred;
    this.#deferred = [];
    for (let i = 0; i < queue.length; i++) {
      if (!this.alive) return;
      if (this.node.paused) {
        this.#deferred = queue.slice(i).concat(this.#deferred);
        return;
      }
      (queue[i] as () => void)();
    }
  }

  kill(): void {
    this.alive = false;
    this.#deferred = [];
  }
}

/** The Network seam for one incarnation of a node. */
class NodeNetwork implements Network {
  readonly #stack: TcpStack;
  constructor(stack: TcpStack) {
    this.#stack = stack;
  }
  listen(address: Address, onStream: (stream: ByteStream) => void): Promise<Listener> {
    if (!this.#stack.gate.alive) return Promise.reject(netError('ENETDOWN', 'listen', address.host, address.port));
    return this.#stack.listen(address, onStream);
  }
  connect(address: Address, options?: ConnectSocketOptions): Promise<ByteStream> {
    if (!this.#stack.gate.alive) return Promise.reject(netError('ENETDOWN', 'connect', address.host, address.port));
    return this.#stack.connect(address, options);
  }
}

function runDeferredEvent(incarnation: NodeIncarnation): void {
  incarnation.runDeferred();
}

export class SimNode implements NicHost, StackNode {
  readonly name: string;
  readonly context: NetContext;
  /** How the network routes from this node's NICs. */
  readonly routing: Routing;
  readonly nics: Nic[];
  readonly tcpOptions: ResolvedTcpOptions;
  /** False while crashed. */
  up = true;
  /** True while the application is paused. */
  paused = false;
  /** Ids of the NICs this node's packets may not reach (SimNetwork.partitionNodes). */
  readonly blockedNicIds = new Set<number>();
  #incarnation: NodeIncarnation;
  #stack: TcpStack;
  #view: NodeNetwork;

  constructor(context: NetContext, routing: Routing, name: string, firstNicId: number, options: NodeOptions) {
    this.context = context;
    this.routing = routing;
    this.name = name;
    this.tcpOptions = resolveTcpOptions(options.tcp);
    const nicOptions = options.nics ?? [singleNic(name, options)];
    if (nicOptions.length === 0) throw new RangeError(`node ${name}: needs at least one NIC`);
    this.nics = nicOptions.map((nic, index) => new Nic(this.context, this, firstNicId + index, index, nic));
    this.#incarnation = new NodeIncarnation(this, 0);
    this.#stack = new TcpStack(this, this.context, this.tcpOptions, this.#incarnation, 0);
    this.#view = new NodeNetwork(this.#stack);
  }

  /** The gate of the current incarnation (for clocks and CPUs built for it). */
  get gate(): ExecutionGate {
    return this.#incarnation;
  }

  /** Incarnation number: 0 at start, +1 per restart. */
  get incarnation(): number {
    return this.#incarnation.number;
  }

  /** The current incarnation's TCP stack. */
  get stack(): TcpStack {
    return this.#stack;
  }

  /** The Network seam for the current incarnation. A crashed incarnation's view fails. */
  get networkView(): Network {
    return this.#view;
  }

  /** The NIC with this interface name or IP. */
  nic(nameOrIp: string): Nic {
    const nic = this.nics.find((n) => n.name === nameOrIp || n.ip === nameOrIp);
    if (nic === undefined) throw new RangeError(`node ${this.name} has no NIC '${nameOrIp}'`);
    return nic;
  }

  // ---------------------------------------------------------------- life cycle

  crash(): void {
    if (!this.up) return;
    this.up = false;
    this.paused = false;
    this.#incarnation.kill();
    this.#stack.crash();
    // What the NICs had queued or on the wire dies with the machine.
    for (const nic of this.nics) nic.tx.reset();
    this.#traceLife('crash');
  }

  /** Boots a new incarnation (crashing the current one first if it is up). */
  restart(): void {
    if (this.up) this.crash();
    const number = this.#incarnation.number + 1;
    this.up = true;
    this.paused = false;
    this.#incarnation = new NodeIncarnation(this, number);
    this.#stack = new TcpStack(this, this.context, this.tcpOptions, this.#incarnation, number);
    this.#view = new NodeNetwork(this.#stack);
    this.#traceLife('restart');
  }

  pause(): void {
    if (!this.up || this.paused) return;
    this.paused = true;
    this.#traceLife('pause');
  }

  resume(): void {
    if (!this.up || !this.paused) return;
    this.paused = false;
    const scheduler = this.context.scheduler;
    scheduler.schedule(scheduler.now, runDeferredEvent, this.#incarnation);
    this.#traceLife('resume');
  }

  #traceLife(kind: string): void {
    const fp = this.context.fingerprint;
    fp.mixString(kind);
    fp.mixString(this.name);
    fp.mixNumber(this.context.scheduler.now);
    const trace = this.context.trace;
    if (trace !== null) trace.record({ tNs: this.context.scheduler.now, kind: `node-${kind}`, node: this.name });
  }

  // ---------------------------------------------------------------- packets

  /** A packet arrived on one of our NICs. */
  receivePacket(packet: Packet, nicIndex: number): void {
    const context = this.context;
    const nic = this.nics[nicIndex] as Nic;
    if (!this.up) {
      context.drop(packet, 'node-down', nic.label);
      return;
    }
    if (packet.corrupt) {
      context.drop(packet, 'checksum', nic.label);
      return;
    }
    context.stats.delivered++;
    context.stats.deliveredFrames += packet.frames;
    context.stats.deliveredWireBytes += packet.wireBytes;
    const fp = context.fingerprint;
    fp.mix32(FP_DELIVER);
    fp.mixNumber(context.scheduler.now);
    fp.mix32(packet.srcNicId);
    fp.mix32(packet.dstNicId);
    fp.mix32(packet.srcPort * 65536 + packet.dstPort);
    fp.mixNumber(packet.seq);
    fp.mixNumber(packet.ack);
    fp.mix32(packet.flags);
    fp.mix32(packet.payloadBytes);
    this.#stack.receive(packet, nic);
  }
}

function singleNic(name: string, options: NodeOptions): NicOptions {
  if (options.ip === undefined) throw new RangeError(`node ${name}: give ip or nics`);
  return {
    ip: options.ip,
    ...(options.bandwidthBps === undefined ? {} : { bandwidthBps: options.bandwidthBps }),
    ...(options.mtuBytes === undefined ? {} : { mtuBytes: options.mtuBytes }),
  };
}
