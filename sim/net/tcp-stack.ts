// A node's TCP stack for one incarnation: the connection tables (one per NIC), listeners,
// ephemeral ports, and RST for segments nobody owns (RFC 9293 3.10.7.1). When the node crashes
// the stack dies with it: connections vanish without FIN or RST, and a restarted node starts with
// an empty stack, so its peers learn of the crash from the RST their next segment draws, or from
// their retransmission timeout if the node stays down.
import type { Address, ByteStream, ConnectSocketOptions, Listener } from '../core/index.js';
import type { ExecutionGate } from '../core/index.js';
import { type NetContext, TcpCounters } from './net-context.js';
import { netError } from './net-errors.js';
import type { Nic } from './nic.js';
import { Packet, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from './packet.js';
import type { Routing } from './routing.js';
import { TcpConnection } from './tcp-connection.js';
import type { ConnectionTableEntry, TcpConnectionOwner } from './tcp-connection-owner.js';
import type { ResolvedTcpOptions } from './tcp-options.js';

/** Linux net.ipv4.ip_local_port_range default: 32768-60999. */
const EPHEMERAL_PORT_MIN = 32768;
const EPHEMERAL_PORT_MAX = 60999;
const PORT_MAX = 65535;
/** Initial sequence numbers are drawn below 2^31 (sequence numbers never wrap in this model). */
const ISN_RANGE = 2 ** 31;

/** Hosts that mean "every address of this node". */
const ANY_HOSTS = new Set(['', '0.0.0.0', '::', '*']);

export class SimListener implements Listener {
  readonly address: Address;
  readonly stack: TcpStack;
  /** null = all of the node's addresses. */
  readonly ip: string | null;
  readonly onStream: (stream: ByteStream) => void;
  open = true;

  constructor(stack: TcpStack, address: Address, ip: string | null, onStream: (stream: ByteStream) => void) {
    this.stack = stack;
    this.address = address;
    this.ip = ip;
    this.onStream = onStream;
  }

  close(): Promise<void> {
    this.stack.unlisten(this);
    return Promise.resolve();
  }
}

/**
 * A connection's key in its NIC's table: the two ports folded into a small integer (below 2^30,
 * so never a boxed double: a lookup per segment then hashes and compares no heap object).
 * Connections with equal keys (the same ports from different peers, or ports that fold alike)
 * share the entry as a chain through tableNext.
 */
function portsKey(remotePort: number, localPort: number): number {
  return ((remotePort << 15) ^ localPort) & 0x3fffffff;
}

/** The node a stack runs on: its name, its NICs, and how the network routes from them. */
export interface StackNode {
  readonly name: string;
  readonly nics: readonly Nic[];
  readonly routing: Routing;
}

export class TcpStack implements TcpConnectionOwner {
  readonly node: StackNode;
  readonly context: NetContext;
  readonly options: ResolvedTcpOptions;
  readonly gate: ExecutionGate;
  /** Connection tables indexed like node.nics (portsKey -> the first of a chain). */
  readonly #tables: Map<number, TcpConnection>[];
  /** Creation order of connections (TcpConnection.tableOrder), which connections() keeps. */
  #connectionsMade = 0;
  readonly #listeners: SimListener[] = [];
  /** Local port -> number of connections or listeners using it. */
  readonly #portUse = new Map<number, number>();
  #nextEphemeral: number;
  #isnCounter = 0;
  /** RSTs sent for segments that matched no connection. */
  resetsSent = 0;
  /** The node's TCP counters (all incarnations): closed connections are folded in here. */
  readonly counters: TcpCounters;

  constructor(node: StackNode, context: NetContext, options: ResolvedTcpOptions, gate: ExecutionGate, incarnation: number) {
    this.node = node;
    this.context = context;
    this.options = options;
    this.gate = gate;
    this.counters = context.tcpCounters(node.name);
    this.#tables = node.nics.map(() => new Map<number, TcpConnection>());
    // Linux picks ephemeral ports pseudo-randomly; a restarted node thus rarely reuses the
    // 4-tuple of a connection its peer still holds.
    const rng = context.rng.stream(`tcp/${node.name}/${incarnation}/ports`);
    this.#nextEphemeral = EPHEMERAL_PORT_MIN + rng.int(EPHEMERAL_PORT_MAX - EPHEMERAL_PORT_MIN + 1);
    this.#isnCounter = rng.int(ISN_RANGE);
  }

  /** Counters of the node so far: closed connections plus this stack's live ones. */
  countersNow(): TcpCounters {
    const now = new TcpCounters();
    now.add(this.counters);
    const nowNs = this.context.scheduler.now;
    for (const connection of this.connections()) {
      now.addConnection(connection.stats);
      now.addChrono(connection.chrono.totals(nowNs));
    }
    return now;
  }

  /** All live connections, in creation order per NIC. */
  connections(): TcpConnection[] {
    const result: TcpConnection[] = [];
    for (const table of this.#tables) {
      const start = result.length;
      for (const first of table.values()) {
        for (let connection: TcpConnection | null = first; connection !== null; connection = connection.tableNext) result.push(connection);
      }
      const nic = result.slice(start).sort((a, b) => a.tableOrder - b.tableOrder);
      for (let i = 0; i < nic.length; i++) result[start + i] = nic[i] as TcpConnection;
    }
    return result;
  }

  /** The connection a segment from (remoteNicId, remotePort) to localPort belongs to, if any. */
  #lookup(table: Map<number, TcpConnection>, remoteNicId: number, remotePort: number, localPort: number): TcpConnection | undefined {
    let connection = table.get(portsKey(remotePort, localPort));
    while (connection !== undefined) {
      if (connection.remoteNicId === remoteNicId && connection.remotePort === remotePort && connection.localPort === localPort) return connection;
      connection = connection.tableNext ?? undefined;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- packets

  /** Demultiplexes an arriving segment (the NIC already checked the checksum). */
  receive(packet: Packet, nic: Nic): void {
    const table = this.#tables[nic.index] as Map<number, TcpConnection>;
    const connection = this.#lookup(table, packet.srcNicId, packet.srcPort, packet.dstPort);
    if (connection !== undefined) {
      connection.receive(packet);
      return;
    }
    const flags = packet.flags;
    if ((flags & TCP_SYN) !== 0 && (flags & (TCP_ACK | TCP_RST)) === 0) {
      const listener = this.#findListener(packet.dstPort, nic.ip);
      if (listener !== undefined) {
        this.#acceptSyn(packet, nic, listener);
        return;
      }
    }
    this.#replyReset(packet, nic);
  }

  /** RFC 9293 3.10.7.1: answer a segment for no connection with RST (never answer a RST). */
  #replyReset(packet: Packet, nic: Nic): void {
    const flags = packet.flags;
    if ((flags & TCP_RST) !== 0) return;
    if ((flags & TCP_ACK) !== 0) {
      this.sendReset(nic, packet.srcNicId, packet.dstPort, packet.srcPort, packet.ack, 0, false);
      return;
    }
    const length = packet.payloadBytes + ((flags & TCP_SYN) !== 0 ? 1 : 0) + ((flags & TCP_FIN) !== 0 ? 1 : 0);
    this.sendReset(nic, packet.srcNicId, packet.dstPort, packet.srcPort, 0, packet.seq + length, true);
  }

  sendReset(nic: Nic, remoteNicId: number, localPort: number, remotePort: number, seq: number, ack: number, withAck: boolean): void {
    const flags = withAck ? TCP_RST | TCP_ACK : TCP_RST;
    this.resetsSent++;
    nic.transmit(new Packet(nic.id, remoteNicId, localPort, remotePort, seq, ack, flags, 0, 0, null));
  }

  // ---------------------------------------------------------------- opening

  #acceptSyn(syn: Packet, nic: Nic, listener: SimListener): void {
    const key = portsKey(syn.srcPort, syn.dstPort);
    const remoteIp = this.context.nics.byId(syn.srcNicId).ip;
    const connection = new TcpConnection(this, nic, syn.dstPort, syn.srcNicId, remoteIp, syn.srcPort, key, this.#nextIsn(), 'SYN_RECEIVED');
    this.#add(connection);
    connection.startAccept(syn, (established) => {
      if (!listener.open) {
        // The listener closed during the handshake: refuse the connection now.
        established.destroy();
        return;
      }
      this.#runApp(() => listener.onStream(established));
    });
  }

  /** Active open towards address. Resolves once the handshake completes. */
  connect(address: Address, options?: ConnectSocketOptions): Promise<ByteStream> {
    const route = this.node.routing.route(this.node.nics, address.host);
    if (route === null) return Promise.reject(netError('ENETUNREACH', 'connect', address.host, address.port));
    if (!Number.isInteger(address.port) || address.port <= 0 || address.port > PORT_MAX) {
      return Promise.reject(netError('ECONNREFUSED', 'connect', address.host, address.port));
    }
    const localPort = this.#allocateEphemeralPort();
    if (localPort === null) return Promise.reject(netError('EADDRNOTAVAIL', 'connect', address.host, address.port));
    return new Promise<ByteStream>((resolve, reject) => {
      const remote = route.remote;
      const key = portsKey(address.port, localPort);
      const connection = new TcpConnection(this, route.local, localPort, remote.id, remote.ip, address.port, key, this.#nextIsn(), 'SYN_SENT');
      this.#add(connection);
      connection.startConnect({ resolve, reject }, options?.synRetries ?? this.options.synRetries);
    });
  }

  /** Listens on address (port 0 picks an ephemeral port). */
  listen(address: Address, onStream: (stream: ByteStream) => void): Promise<Listener> {
    const ip = ANY_HOSTS.has(address.host) ? null : address.host;
    if (ip !== null && !this.node.nics.some((nic) => nic.ip === ip)) {
      return Promise.reject(netError('EADDRNOTAVAIL', 'listen', address.host, address.port));
    }
    let port = address.port;
    if (port === 0) {
      const ephemeral = this.#allocateEphemeralPort();
      if (ephemeral === null) return Promise.reject(netError('EADDRINUSE', 'listen', address.host, 0));
      port = ephemeral;
    }
    if (!Number.isInteger(port) || port < 0 || port > PORT_MAX) {
      return Promise.reject(new RangeError(`listen: invalid port ${port}`));
    }
    const conflict = this.#listeners.some((l) => l.address.port === port && (l.ip === null || ip === null || l.ip === ip));
    if (conflict) return Promise.reject(netError('EADDRINUSE', 'listen', address.host, port));
    const listener = new SimListener(this, { host: address.host, port }, ip, onStream);
    this.#listeners.push(listener);
    this.#usePort(port);
    return Promise.resolve(listener);
  }

  unlisten(listener: SimListener): void {
    if (!listener.open) return;
    listener.open = false;
    const index = this.#listeners.indexOf(listener);
    if (index >= 0) {
      this.#listeners.splice(index, 1);
      this.#releasePort(listener.address.port);
    }
  }

  #findListener(port: number, ip: string): SimListener | undefined {
    let wildcard: SimListener | undefined;
    for (const listener of this.#listeners) {
      if (listener.address.port !== port) continue;
      if (listener.ip === ip) return listener;
      if (listener.ip === null) wildcard = listener;
    }
    return wildcard;
  }

  // ---------------------------------------------------------------- bookkeeping

  #add(connection: TcpConnection): void {
    const table = this.#tables[connection.nic.index] as Map<number, TcpConnection>;
    connection.tableOrder = this.#connectionsMade++;
    // A new connection heads its key's chain (a stale one for the same 4-tuple left the table first).
    const first = table.get(connection.key);
    connection.tableNext = first ?? null;
    table.set(connection.key, connection);
    this.#usePort(connection.localPort);
  }

  /**
   * Called once by a connection when it leaves the table (closed, reset, timed out): its counters
   * are final, so they join the node's.
   */
  remove(connection: ConnectionTableEntry): void {
    this.counters.addConnection(connection.stats);
    this.counters.addChrono(connection.chrono.totals(this.context.scheduler.now));
    const table = this.#tables[connection.nic.index] as Map<number, TcpConnection>;
    const first = table.get(connection.key);
    if (first === connection) {
      if (first.tableNext === null) table.delete(connection.key);
      else table.set(connection.key, first.tableNext);
    } else {
      let previous = first;
      while (previous !== undefined && previous.tableNext !== connection) previous = previous.tableNext ?? undefined;
      if (previous === undefined) return;
      previous.tableNext = connection.tableNext as TcpConnection | null;
    }
    connection.tableNext = null;
    this.#releasePort(connection.localPort);
  }

  #usePort(port: number): void {
    this.#portUse.set(port, (this.#portUse.get(port) ?? 0) + 1);
  }

  #releasePort(port: number): void {
    const uses = (this.#portUse.get(port) ?? 0) - 1;
    if (uses > 0) this.#portUse.set(port, uses);
    else this.#portUse.delete(port);
  }

  #allocateEphemeralPort(): number | null {
    const span = EPHEMERAL_PORT_MAX - EPHEMERAL_PORT_MIN + 1;
    for (let tries = 0; tries < span; tries++) {
      const port = this.#nextEphemeral;
      this.#nextEphemeral = port === EPHEMERAL_PORT_MAX ? EPHEMERAL_PORT_MIN : port + 1;
      if (!this.#portUse.has(port)) return port;
    }
    return null;
  }

  /** ISNs grow by a large odd step, like the clock-driven ISN of RFC 6528, from a random start. */
  #nextIsn(): number {
    // `| 0` (a no-op below 2^31) makes it a small integer rather than a boxed double.
    this.#isnCounter = ((this.#isnCounter + 0x01000193) % ISN_RANGE) | 0;
    return this.#isnCounter;
  }

  #runApp(fn: () => void): void {
    if (!this.gate.alive) return;
    if (this.gate.paused) this.gate.defer(fn);
    else fn();
  }

  // ---------------------------------------------------------------- life cycle

  /** The node crashed: every connection and listener vanishes silently. */
  crash(): void {
    for (const connection of this.connections()) {
      this.counters.addConnection(connection.stats);
      this.counters.addChrono(connection.chrono.totals(this.context.scheduler.now));
      connection.kill();
    }
    for (const table of this.#tables) table.clear();
    for (const listener of this.#listeners) listener.open = false;
    this.#listeners.length = 0;
    this.#portUse.clear();
  }
}
