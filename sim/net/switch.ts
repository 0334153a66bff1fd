// A store-and-forward Ethernet switch: ports with per-port output queues and finite buffers.
// Packets that find the egress buffer full are dropped (tail drop), which is what makes incast
// hurt: many senders bursting into one port overflow it. A TSO super-segment is switched frame
// by frame (transmitter.ts): each frame may leave once it has arrived, and each frame that finds
// the buffer full is dropped on its own, the rest going on as pieces. Forwarding tables are static, computed
// from the topology by shortest path (SimNetwork.#computeRoutes), like a learned L2 network with
// no spanning-tree changes. A port may belong to a group of equal-cost ports (ecmp-group.ts): the
// table then names one member and the group picks the member a flow's hash places it on.
import type { Link, LinkEndpoint } from './link.js';
import type { NetContext } from './net-context.js';
import { type Packet, type PacketSink, deliverPacket } from './packet.js';
import { Transmitter } from './transmitter.js';

export interface SwitchOptions {
  /**
   * Output buffer per port in bytes (framing included). Default 512 KiB: shallow-buffer ToR
   * switches have roughly 12-32 MiB shared by 32-64 ports.
   */
  readonly portBufferBytes?: number;
  /**
   * Port speed in bits per second; 0 (default) means "as fast as the attached NIC", so a
   * switch never slows a host below its own line rate. Set it for switch-to-switch trunks.
   */
  readonly portSpeedBps?: number;
  /** Forwarding latency in nanoseconds added per packet (lookup, cut-through pipeline). Default 0. */
  readonly forwardingLatencyNs?: number;
  /**
   * Mark ECN-capable packets CE when more than this many bytes are queued at a port (RFC 3168;
   * DCTCP's K, RFC 8257 3.1). Default: no marking.
   */
  readonly ecnMarkThresholdBytes?: number;
}

export const DEFAULT_PORT_BUFFER_BYTES = 512 * 1024;

/** Equal-cost ports towards the same place: which of them carries this packet (ecmp-group.ts). */
export interface PortGroup {
  pick(packet: Packet): SwitchPort;
}

/** Delivers a packet to an egress queue after the forwarding latency. */
class EgressSink implements PacketSink {
  readonly port: SwitchPort;
  constructor(port: SwitchPort) {
    this.port = port;
  }
  receive(packet: Packet): void {
    this.port.tx.send(packet);
  }
}

export class SwitchPort implements LinkEndpoint {
  readonly owner: Switch;
  readonly index: number;
  readonly label: string;
  readonly tx: Transmitter;
  readonly rxRateBps: number;
  readonly egress: EgressSink;
  link: Link | null = null;
  /** The equal-cost group this port is a member of, or null (the usual case). */
  group: PortGroup | null = null;

  constructor(context: NetContext, owner: Switch, index: number, speedBps: number, bufferBytes: number) {
    this.owner = owner;
    this.index = index;
    this.label = `${owner.name}/p${index}`;
    this.rxRateBps = speedBps > 0 ? speedBps : Infinity;
    this.tx = new Transmitter(context, this.label, this.rxRateBps, bufferBytes);
    this.egress = new EgressSink(this);
  }

  get ownerName(): string {
    return this.owner.name;
  }

  receive(packet: Packet): void {
    this.owner.forward(packet, this);
  }
}

export class Switch {
  readonly name: string;
  readonly context: NetContext;
  readonly ports: SwitchPort[] = [];
  readonly portBufferBytes: number;
  readonly ecnMarkThresholdBytes: number;
  readonly portSpeedBps: number;
  readonly forwardingLatencyNs: number;
  /**
   * Egress port by destination NIC id (undefined: no route). Filled by the network's route
   * computation; NIC ids are dense, so a forwarding lookup is an array index.
   */
  readonly table: (SwitchPort | undefined)[] = [];

  constructor(context: NetContext, name: string, options: SwitchOptions = {}) {
    this.context = context;
    this.name = name;
    this.portBufferBytes = options.portBufferBytes ?? DEFAULT_PORT_BUFFER_BYTES;
    this.portSpeedBps = options.portSpeedBps ?? 0;
    this.forwardingLatencyNs = Math.ceil(options.forwardingLatencyNs ?? 0);
    this.ecnMarkThresholdBytes = options.ecnMarkThresholdBytes ?? Infinity;
    if (!(this.ecnMarkThresholdBytes >= 0)) throw new RangeError(`switch ${name}: ecnMarkThresholdBytes must be >= 0`);
    if (!(this.portBufferBytes > 0)) throw new RangeError(`switch ${name}: portBufferBytes must be > 0`);
    if (!(this.portSpeedBps >= 0)) throw new RangeError(`switch ${name}: portSpeedBps must be >= 0`);
    if (!(this.forwardingLatencyNs >= 0)) throw new RangeError(`switch ${name}: forwardingLatencyNs must be >= 0`);
  }

  /** Adds a port (one per link attached). */
  addPort(): SwitchPort {
    const port = new SwitchPort(this.context, this, this.ports.length, this.portSpeedBps, this.portBufferBytes);
    port.tx.ecnMarkThresholdBytes = this.ecnMarkThresholdBytes;
    this.ports.push(port);
    return port;
  }

  /** Forwards a packet that arrived on `ingress` to the port towards its destination NIC. */
  forward(packet: Packet, ingress: SwitchPort): void {
    let egress = this.table[packet.dstNicId];
    if (egress === undefined) {
      // A table miss may just mean the topology grew since routes were computed.
      this.context.ensureRoutes();
      egress = this.table[packet.dstNicId];
    }
    if (egress !== undefined && egress.group !== null) egress = egress.group.pick(packet);
    if (egress === undefined || egress === ingress) {
      this.context.drop(packet, 'no-route', ingress.label);
      return;
    }
    if (this.forwardingLatencyNs === 0) {
      egress.tx.send(packet);
      return;
    }
    packet.hop = egress.egress;
    packet.via = null; // It has left the ingress link; only the egress link can cut it now.
    this.context.scheduler.schedule(this.context.scheduler.now + this.forwardingLatencyNs, deliverPacket, packet);
  }
}
