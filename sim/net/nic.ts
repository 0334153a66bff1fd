// A network interface card on a node: an IP address, a line rate per direction, an MTU, and an
// egress queue. The host's own queue is unbounded: Linux's TCP small queues and qdisc
// backpressure keep a host from dropping its own packets, and our TCP never has more than its
// congestion window outstanding, which bounds the queue. The NIC does the segmentation offload:
// a TSO super-segment from the stack is serialised as its frames back to back (transmitter.ts),
// and on receive the stack gets what GRO would hand it, the super-segment as one packet.
// A connection sends through its own NIC (transmit), which checks only what the machine must:
// that it is up and not cut off from the destination by a node-level partition.
import type { Link, LinkEndpoint } from './link.js';
import type { NetContext } from './net-context.js';
import type { NicAddress } from './nic-registry.js';
import type { NicHost } from './nic-host.js';
import type { Packet } from './packet.js';
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

export class Nic implements LinkEndpoint, NicAddress {
  readonly context: NetContext;
  /** The machine this NIC sits in. */
  readonly host: NicHost;
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
  /**
   * A packet capture's view of what arrives (packet-capture.ts), while the machine is up. Null,
   * and one comparison, when no capture.
   */
  rxTap: ((packet: Packet) => void) | null = null;

  constructor(context: NetContext, host: NicHost, id: number, index: number, options: NicOptions) {
    this.context = context;
    this.host = host;
    this.id = id;
    this.index = index;
    this.name = options.name ?? `eth${index}`;
    this.ip = options.ip;
    this.label = `${host.name}/${this.name}`;
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
    return this.host.name;
  }

  get rxRateBps(): number {
    return this.rxBps;
  }

  receive(packet: Packet): void {
    if (this.rxTap !== null && this.host.up) this.rxTap(packet);
    this.host.receivePacket(packet, this.index);
  }

  /** Sends a packet built by this machine's TCP stack (packet.srcNicId is this NIC). */
  transmit(packet: Packet): void {
    const host = this.host;
    if (!host.up) return;
    const blocked = host.blockedNicIds;
    if (blocked.size > 0 && blocked.has(packet.dstNicId)) {
      this.context.drop(packet, 'node-partition', this.label);
      return;
    }
    this.tx.send(packet);
  }
}
