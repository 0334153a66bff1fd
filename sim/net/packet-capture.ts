// A packet capture of a simulated run, as tcpdump on a NIC would take it, written as a pcap file
// (pcap-writer.ts) in virtual time. Each packet is written as the Ethernet frames it stands for
// (a TSO super-segment as its MSS-sized frames, tcp-frame.ts), so Wireshark sees what the wire
// carries.
//
// Where it captures:
// - by default, at every node's NICs as they send: every frame once, retransmissions included,
//   lost frames included (they left the NIC), each stamped when its last bit leaves the NIC;
// - with a node, at that node's NICs in both directions: what it sends, stamped as above, and
//   what reaches it while it is up (duplicates twice; frames the link marked corrupt with a TCP
//   checksum that fails, as the receiver's stack would find it; silently corrupted payloads as
//   corrupted), stamped when they arrive. The frames of a super-segment that arrives in one
//   piece (GRO) share its arrival time.
//
// A NIC's queue knows when each queued packet will leave, so sends are stamped ahead of the
// scheduler's clock. Frames wait in a heap ordered by time and are written once the clock has
// passed them: nothing captured later can be earlier than now, so the file is in time order.
// Simplification: frames still queued in a NIC when its machine crashes are written although
// they never left.
//
// Capture costs the network nothing when off: the hooks are null fields (Transmitter.tap,
// Nic.rxTap) that this class sets and clears. It reads no wall time and draws no randomness, so
// a captured run has the same fingerprint as one without.
import type { Nic } from './nic.js';
import type { PcapWriter } from './pcap-writer.js';
import { TCP_FIN, TCP_PSH, TCP_SYN, type Packet, wireBytesFor } from './packet.js';
import type { SimNetwork } from './sim-network.js';
import { type FrameAddress, encodeTcpFrame, ipv4Bytes, macForIp, tcpOptionBytes, windowField, windowShiftFor } from './tcp-frame.js';

export interface PacketCaptureOptions {
  /** Capture at this node's NICs, both ways. Default: at every node's NICs as they send. */
  readonly node?: string;
}

/** What the capture keeps per NIC: its addresses, its node's window scale, its IPv4 ids. */
interface NicInfo {
  readonly address: FrameAddress;
  readonly windowShift: number;
  ipId: number;
}

interface PendingFrame {
  readonly tNs: number;
  /** Capture order, which breaks ties between equal times. */
  readonly order: number;
  readonly bytes: Uint8Array;
}

export class PacketCapture {
  readonly #network: SimNetwork;
  readonly #writer: PcapWriter;
  readonly #nics = new Map<number, NicInfo>();
  readonly #tapped: Nic[] = [];
  /** Binary min-heap by (tNs, order). */
  readonly #heap: PendingFrame[] = [];
  #order = 0;
  #closed = false;

  constructor(network: SimNetwork, writer: PcapWriter, options: PacketCaptureOptions = {}) {
    this.#network = network;
    this.#writer = writer;
    for (const node of network.nodes.values()) {
      const windowShift = windowShiftFor(node.tcpOptions.receiveBufferBytes);
      for (const nic of node.nics) {
        const ip = ipv4Bytes(nic.ip);
        this.#nics.set(nic.id, { address: { ip, mac: macForIp(ip) }, windowShift, ipId: 0 });
      }
    }
    const sent = (packet: Packet, doneNs: number): void => this.#sent(packet, doneNs);
    const received = (packet: Packet): void => this.#received(packet);
    if (options.node === undefined) {
      for (const node of network.nodes.values()) {
        for (const nic of node.nics) {
          nic.tx.tap = sent;
          this.#tapped.push(nic);
        }
      }
    } else {
      for (const nic of network.node(options.node).nics) {
        nic.tx.tap = sent;
        nic.rxTap = received;
        this.#tapped.push(nic);
      }
    }
  }

  /** Frames written to the file so far. */
  get frames(): number {
    return this.#writer.frames;
  }

  /** Writes every frame still waiting, detaches from the network and flushes the writer. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const nic of this.#tapped) {
      nic.tx.tap = null;
      nic.rxTap = null;
    }
    this.#writeBefore(Infinity);
    this.#writer.flush();
  }

  #info(nicId: number): NicInfo {
    let info = this.#nics.get(nicId);
    if (info === undefined) {
      // A NIC added after the capture started.
      const nic = this.#network.nicById(nicId);
      const ip = ipv4Bytes(nic.ip);
      const node = this.#network.nodes.get(nic.ownerName);
      const shift = windowShiftFor(node === undefined ? 0 : node.tcpOptions.receiveBufferBytes);
      info = { address: { ip, mac: macForIp(ip) }, windowShift: shift, ipId: 0 };
      this.#nics.set(nicId, info);
    }
    return info;
  }

  /** A packet left a tapped NIC's queue; its last frame's last bit leaves at doneNs. */
  #sent(packet: Packet, doneNs: number): void {
    const now = this.#network.context.scheduler.now;
    this.#writeBefore(now);
    // Frames leave back to back, packet.hopNsPerByte apart per wire byte.
    const frames = packet.frames;
    let after = packet.wireBytes - this.#frameWireBytes(packet, 0);
    for (let i = 0; i < frames; i++) {
      this.#push(Math.round(doneNs - after * packet.hopNsPerByte), this.#encode(packet, i));
      if (i + 1 < frames) after -= this.#frameWireBytes(packet, i + 1);
    }
  }

  /** A packet arrived at a tapped NIC whose machine is up. */
  #received(packet: Packet): void {
    const now = this.#network.context.scheduler.now;
    this.#writeBefore(now);
    for (let i = 0; i < packet.frames; i++) this.#push(now, this.#encode(packet, i));
  }

  #frameWireBytes(packet: Packet, index: number): number {
    if (packet.frames === 1) return packet.wireBytes;
    const rest = packet.payloadBytes - index * packet.gsoSize;
    return wireBytesFor(rest < packet.gsoSize ? rest : packet.gsoSize);
  }

  /** Frame `index` of a packet as bytes (FIN and PSH only on the last, as segmentation does). */
  #encode(packet: Packet, index: number): Uint8Array {
    const src = this.#info(packet.srcNicId);
    const dst = this.#info(packet.dstNicId);
    const frames = packet.frames;
    let payload = packet.payload;
    let seq = packet.seq;
    let flags = packet.flags;
    if (frames > 1 && payload !== null) {
      const from = index * packet.gsoSize;
      const to = from + packet.gsoSize < payload.length ? from + packet.gsoSize : payload.length;
      payload = payload.subarray(from, to);
      seq += from;
      if (index + 1 < frames) flags &= ~(TCP_FIN | TCP_PSH);
    }
    const syn = (flags & TCP_SYN) !== 0;
    const frame = encodeTcpFrame({
      src: src.address,
      dst: dst.address,
      ipId: src.ipId,
      srcPort: packet.srcPort,
      dstPort: packet.dstPort,
      seq,
      ack: packet.ack,
      flags,
      window: windowField(packet.windowBytes, src.windowShift, syn),
      options: tcpOptionBytes(flags, packet.mssBytes, packet.sackPermitted, src.windowShift, packet.sackBlocks),
      payload,
      badChecksum: packet.corrupt,
    });
    src.ipId = (src.ipId + 1) & 0xffff;
    return frame;
  }

  #push(tNs: number, bytes: Uint8Array): void {
    const heap = this.#heap;
    const item: PendingFrame = { tNs, order: this.#order++, bytes };
    let at = heap.length;
    heap.push(item);
    while (at > 0) {
      const parent = (at - 1) >> 1;
      const above = heap[parent] as PendingFrame;
      if (!earlier(item, above)) break;
      heap[at] = above;
      at = parent;
    }
    heap[at] = item;
  }

  /** Writes, in time order, every waiting frame stamped before tNs. */
  #writeBefore(tNs: number): void {
    const heap = this.#heap;
    while (heap.length > 0 && (heap[0] as PendingFrame).tNs < tNs) {
      const top = heap[0] as PendingFrame;
      const last = heap.pop() as PendingFrame;
      if (heap.length > 0) {
        let at = 0;
        for (;;) {
          const left = 2 * at + 1;
          if (left >= heap.length) break;
          const right = left + 1;
          const child = right < heap.length && earlier(heap[right] as PendingFrame, heap[left] as PendingFrame) ? right : left;
          if (!earlier(heap[child] as PendingFrame, last)) break;
          heap[at] = heap[child] as PendingFrame;
          at = child;
        }
        heap[at] = last;
      }
      this.#writer.write(top.tNs, top.bytes);
    }
  }
}

function earlier(a: PendingFrame, b: PendingFrame): boolean {
  return a.tNs < b.tNs || (a.tNs === b.tNs && a.order < b.order);
}
