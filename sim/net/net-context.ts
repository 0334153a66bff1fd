// What every network element shares: the scheduler, the run's random streams, the fingerprint,
// the optional trace, and network-wide counters. One per SimNetwork; nothing here is global, so
// two simulations in one process never touch each other's state.
import type { ChronoTotals } from './tcp-chrono.js';
import type { RngSource } from '../core/index.js';
import type { Fingerprint } from '../core/index.js';
import type { Scheduler } from '../core/index.js';
import type { TraceSink } from '../core/index.js';
import { NicRegistry } from './nic-registry.js';
import type { Packet } from './packet.js';
import type { TcpStats } from './tcp-stats.js';

/** Why a packet (or some frames of a super-segment) never arrived. */
export type DropReason =
  | 'loss'
  | 'burst-loss'
  | 'partition'
  | 'filter'
  | 'link-down'
  | 'queue-full'
  | 'checksum'
  | 'node-down'
  | 'node-partition'
  | 'no-route';

export const DROP_REASONS: readonly DropReason[] = [
  'loss',
  'burst-loss',
  'partition',
  'filter',
  'link-down',
  'queue-full',
  'checksum',
  'node-down',
  'node-partition',
  'no-route',
];

/**
 * Network-wide counters. Packets are what the TCP stacks handle (a TSO super-segment is one);
 * frames are what the wire carries (a super-segment is packet.frames of them). Drops and fault
 * counts are in frames, because faults strike frames.
 */
export class NetStats {
  /** Packets handed to a node's TCP stack (GRO: a super-segment counts once). */
  delivered = 0;
  /** Ethernet frames in the delivered packets. */
  deliveredFrames = 0;
  /** Bytes on the wire (framing included) of delivered packets. */
  deliveredWireBytes = 0;
  /** Dropped frames by reason. */
  readonly dropped: Record<DropReason, number> = {
    loss: 0,
    'burst-loss': 0,
    partition: 0,
    filter: 0,
    'link-down': 0,
    'queue-full': 0,
    checksum: 0,
    'node-down': 0,
    'node-partition': 0,
    'no-route': 0,
  };
  /** Packets delivered twice (a duplicated super-segment counts once). */
  duplicated = 0;
  /** Packets held back so that later ones overtake them. */
  reordered = 0;
  /** Frames a switch port marked Congestion Experienced (RFC 3168) above its ECN threshold. */
  ecnMarked = 0;
  /** Frames marked corrupt (dropped by the receiver's checksum; also counted in dropped). */
  corrupted = 0;
  /** Frames whose payload had a byte flipped that TCP does not detect. */
  silentlyCorrupted = 0;

  /** Total dropped frames over all reasons. */
  get droppedTotal(): number {
    let total = 0;
    for (const reason of DROP_REASONS) total += this.dropped[reason];
    return total;
  }
}

/** The per-connection counters that the totals keep. */
type TcpFoldedStats = Pick<
  TcpStats,
  'segmentsSent' | 'segmentsReceived' | 'retransmits' | 'fastRetransmits' | 'rtoCount' | 'dupAcks' | 'outOfOrderSegments' | 'zeroWindowProbes' | 'lossProbes'
>;

/**
 * TCP counters of one node over all its incarnations (or of the whole network). A connection
 * counts live in its own TcpStats; its stack folds them in here when it closes or its node
 * crashes (tcp-stack.ts), so the hot path pays nothing. The open/reset/timeout counts are
 * bumped once per connection event.
 */
export class TcpCounters {
  segmentsSent = 0;
  segmentsReceived = 0;
  retransmits = 0;
  fastRetransmits = 0;
  rtoCount = 0;
  dupAcks = 0;
  outOfOrderSegments = 0;
  zeroWindowProbes = 0;
  /** Tail loss probes sent (tcp-rack.ts). */
  lossProbes = 0;
  /** Connections that reached ESTABLISHED. */
  connectionsOpened = 0;
  /** Connections ended by a RST from the peer (a refused connect included). */
  connectionsReset = 0;
  /** Connections that failed with ETIMEDOUT. */
  timeouts = 0;
  /** Connection time sending unhindered, held back by cwnd, held back by the peer's window (tcp-chrono.ts), in ns. */
  busyNs = 0;
  cwndLimitedNs = 0;
  rwndLimitedNs = 0;

  /** Adds one connection's send-time totals. */
  addChrono(chrono: ChronoTotals): void {
    this.busyNs += chrono.busyNs;
    this.cwndLimitedNs += chrono.cwndLimitedNs;
    this.rwndLimitedNs += chrono.rwndLimitedNs;
  }

  /** Adds one connection's counters. */
  addConnection(stats: TcpFoldedStats): void {
    this.segmentsSent += stats.segmentsSent;
    this.segmentsReceived += stats.segmentsReceived;
    this.retransmits += stats.retransmits;
    this.fastRetransmits += stats.fastRetransmits;
    this.rtoCount += stats.rtoCount;
    this.dupAcks += stats.dupAcks;
    this.outOfOrderSegments += stats.outOfOrderSegments;
    this.zeroWindowProbes += stats.zeroWindowProbes;
    this.lossProbes += stats.lossProbes;
  }

  /** Adds another set of counters (a node's into a total). */
  add(other: TcpCounters): void {
    this.addConnection(other);
    this.addChrono(other);
    this.connectionsOpened += other.connectionsOpened;
    this.connectionsReset += other.connectionsReset;
    this.timeouts += other.timeouts;
  }
}

/** Fingerprint tags: one per kind of mixed record. */
export const FP_DELIVER = 1;
export const FP_DROP = 2;
export const FP_APP_DATA = 3;
export const FP_TCP_EVENT = 4;

export class NetContext {
  readonly scheduler: Scheduler;
  readonly rng: RngSource;
  readonly fingerprint: Fingerprint;
  readonly stats = new NetStats();
  /** Every NIC of the network, by the id packets carry. */
  readonly nics = new NicRegistry();
  /** Optional trace; null costs one comparison per site. */
  trace: TraceSink | null;
  /** Mix every delivered application byte into the fingerprint (slower) instead of samples. */
  fingerprintAllBytes: boolean;
  /** TCP counters of closed connections and connection events, per node name. */
  readonly #tcpByNode = new Map<string, TcpCounters>();
  /** Brings switch forwarding tables up to date with the topology (set by SimNetwork). */
  ensureRoutes: () => void = () => undefined;

  constructor(
    scheduler: Scheduler,
    rng: RngSource,
    fingerprint: Fingerprint,
    trace: TraceSink | null,
    fingerprintAllBytes: boolean,
  ) {
    this.scheduler = scheduler;
    this.rng = rng;
    this.fingerprint = fingerprint;
    this.trace = trace;
    this.fingerprintAllBytes = fingerprintAllBytes;
  }

  /** The node's TCP counters, shared by all its incarnations' stacks. */
  tcpCounters(node: string): TcpCounters {
    let counters = this.#tcpByNode.get(node);
    if (counters === undefined) {
      counters = new TcpCounters();
      this.#tcpByNode.set(node, counters);
    }
    return counters;
  }

  /** Counts (in frames), fingerprints and traces a dropped packet. */
  drop(packet: Packet, reason: DropReason, where: string): void {
    this.stats.dropped[reason] += packet.frames;
    const fp = this.fingerprint;
    fp.mix32(FP_DROP);
    fp.mix32(DROP_REASONS.indexOf(reason));
    fp.mixNumber(this.scheduler.now);
    fp.mixNumber(packet.seq);
    if (this.trace !== null) {
      this.trace.record({
        tNs: this.scheduler.now,
        kind: 'drop',
        reason,
        where,
        src: `${this.nics.byId(packet.srcNicId).ip}:${packet.srcPort}`,
        dst: `${this.nics.byId(packet.dstNicId).ip}:${packet.dstPort}`,
        seq: packet.seq,
        len: packet.payloadBytes,
        frames: packet.frames,
        flags: packet.flags,
      });
    }
  }
}
