// A network interface card on a node: an IP address, a line rate per direction, an MTU, and an
// egress queue. The host's own queue is unbounded: Linux's TCP small queues and qdisc
// backpressure keep a host from dropping its own packets, and our TCP never has more than its
// congestion window outstanding, which bounds the queue. The NIC does the segmentation offload:
// a TSO super-segment from the stack is serialised as its frames back to back (transmitter.ts),
// and on receive the stack gets what GRO would hand it, the super-segment as one packet.
import type { Link, LinkEndpoint } from './link.js';
import type { NetContext } from './net-context.js';
import type { Packet } from './packet.js';
import type { SimNode } from './sim-node.js';
import { Transmitter } from './transmitter.js';

export interface NicOptions {
  /** IPv4 address as a string; unique in the network. */
  readonly ip: string;
  /** Interface name. Default "eth<index>". */
  readonly name?: string;
  /** Line rate in bits per second, both directions. Default 25 Gb/s. */
  readonly bandwidthBps?: number;
  /** Transmit rate override in bits per second. */
  readonly txBandwidthBps?: number;
  /** Receive rate override in bits per second. */
  readonly rxBandwidthBps?: number;
  /** MTU in bytes (IP packet size). Default 1500. MSS = MTU - 40. */
  readonly mtuBytes?: number;
}

/** Default NIC line rate: 25 GbE, common for NVMe/TCP deployments. */
export const DEFAULT_NIC_BANDWIDTH_BPS = 25e9;

/** Smallest MTU IPv4 allows (RFC 791: 576 B datagrams must be accepted); below it MSS is silly. */
const MIN_MTU_BYTES = 576;

export class Nic implements LinkEndpoint {
  readonly node: SimNode;
  /** Network-wide index, used as a compact key. */
  readonly id: number;
  /** Index among the node's NICs. */
  readonly index: number;
  readonly name: string;
  readonly ip: string;
  readonly label: string;
  readonly mtuBytes: number;
  readonly txBps: number;
  readonly rxBps: number;
  readonly tx: Transmitter;
  link: Link | null = null;

  constructor(context: NetContext, node: SimNode, id: number, index: number, options: NicOptions) {
    this.node = node;
    this.id = id;
    this.index = index;
    this.name = options.name ?? `eth${index}`;
    this.ip = options.ip;
    this.label = `${node.name}/${this.name}`;
    this.mtuBytes = options.mtuBytes ?? 1500;
    if (!Number.isInteger(this.mtuBytes) || this.mtuBytes < MIN_MTU_BYTES) {
      throw new RangeError(`${this.label}: mtuBytes must be an integer >= ${MIN_MTU_BYTES}`);
    }
    const bandwidth = options.bandwidthBps ?? DEFAULT_NIC_BANDWIDTH_BPS;
    this.txBps = options.txBandwidthBps ?? bandwidth;
    this.rxBps = options.rxBandwidthBps ?? bandwidth;
    if (!(this.rxBps > 0)) throw new RangeError(`${this.label}: receive rate must be > 0`);
    this.tx = new Transmitter(context, this.label, this.txBps, Infinity);
  }

  get ownerName(): string {
    return this.node.name;
  }

  get rxRateBps(): number {
    return this.rxBps;
  }

  receive(packet: Packet): void {
    this.node.receivePacket(packet, this);
  }
}
