// A full-duplex link between two endpoints (NICs or switch ports), as two independent directions.
// Each direction applies, in order: link down, partition, Bernoulli loss, Gilbert-Elliott loss,
// checksum-caught corruption, silent corruption, delay (distribution + jitter), reordering, and
// duplication. Every random decision draws from its own named stream,
// net/<link>/<direction>/<feature>, so enabling one fault never shifts another's draws.
//
// A packet's random fate and its timing are decided when it is queued for the link. Cuts are
// also checked on arrival: a packet that was queued for the link or on the wire when a partition,
// a link-down or its sender's crash began is lost, even if the cut has healed by the time it
// would arrive. Jitter never reorders (arrivals stay FIFO unless reorderRate holds one back).
//
// TSO super-segments (packet.frames > 1): the drop filter, loss (Bernoulli and Gilbert-Elliott),
// checksum corruption and silent corruption strike each frame, with one draw per frame from the
// same streams, exactly as if the frames travelled as separate packets. When some frames are
// lost or fail the checksum, the others arrive as pieces of the super-segment (frames before the
// gap, frames after it), each when its own last frame would have arrived, so the receiver sees
// the hole and SACKs it as it would with separate frames. Simplification: the delay (jitter),
// reordering and duplication are decided once per super-segment and apply to all its pieces.
//
// Faults can also strike some flows only (flow-faults.ts): after the link's own cuts, a packet of a
// selected flow is carried by that flow's direction, with its own options and random streams.
import type { Random } from '../core/index.js';
import type { EventLane } from '../core/index.js';
import { GilbertElliott, type GilbertElliottParams, sampleDelay } from '../core/index.js';
import {
  LINK_OPTION_DEFAULTS,
  type LinkDirectionOptions,
  type ResolvedLinkOptions,
  resolveLinkOptions,
} from './link-options.js';
import type { NetContext } from './net-context.js';
import type { PacketCarrier } from './packet-carrier.js';
import { type InFlightCheck, type Packet, type PacketSink, deliverPacket } from './packet.js';
import type { Transmitter } from './transmitter.js';

const NS_PER_US = 1000;

/** One side of a link: something that transmits into it and receives from it. */
export interface LinkEndpoint extends PacketSink {
  /** Stable label, e.g. "host1/eth0" or "tor/p3". */
  readonly label: string;
  /** Name of the node or switch that owns this endpoint. */
  readonly ownerName: string;
  /** Egress queue into the link. */
  readonly tx: Transmitter;
  /** Fastest rate this endpoint can receive at, in bits per second (Infinity = unbounded). */
  readonly rxRateBps: number;
  /** The link attached here, or null. */
  link: Link | null;
}

/** Per-direction counters. Packets are what was handed over (a super-segment counts once). */
export interface LinkDirectionStats {
  packets: number;
  /** Ethernet frames handed over. */
  frames: number;
  wireBytes: number;
  /** Frames dropped (loss, filter, cut). */
  dropped: number;
  duplicated: number;
  reordered: number;
  corrupted: number;
  silentlyCorrupted: number;
}

type Feature = 'loss' | 'ge' | 'corrupt' | 'silent' | 'delay' | 'reorder' | 'duplicate';

/** Why the link itself drops a packet or frame. */
type DropFate = 'link-down' | 'partition' | 'filter' | 'loss' | 'burst-loss';
/** What happens to one frame: kept, kept but failing the checksum, or dropped. */
const KEEP = 'keep';
const CORRUPT = 'corrupt';
type Fate = typeof KEEP | typeof CORRUPT | 'filter' | 'loss' | 'burst-loss';

/**
 * Faults on some flows only (flow-faults.ts): the direction that carries a packet of a selected
 * flow instead of this one, with its own options and random streams, or null.
 */
export interface FlowDispatch {
  directionFor(packet: Packet): LinkDirection | null;
  /** The link's own options changed: each flow's options are its changes merged over them. */
  rebase(options: ResolvedLinkOptions): void;
  /** The link was cut: so is every flow's direction. */
  cut(): void;
}

export class LinkDirection implements InFlightCheck, PacketCarrier {
  readonly name: string;
  readonly context: NetContext;
  readonly sender: LinkEndpoint;
  readonly receiver: LinkEndpoint;
  options: ResolvedLinkOptions = LINK_OPTION_DEFAULTS;
  /** Set by Link.down(): drops everything in both directions. */
  down = false;
  /** Bumped whenever a cut starts (partition, down, sender crash): in-flight packets are lost. */
  cutCount = 0;
  /**
   * A targeted fault for tests and scenarios (TigerBeetle's drop_packet_fn): return true to drop
   * this packet. Checked after down/partition, before random faults; draws no randomness. It is
   * asked once per frame: a super-segment's frames are shown to it as one-frame pieces.
   */
  dropIf: ((packet: Packet) => boolean) | null = null;
  /** Per-flow faults on this direction (flow-faults.ts), or null (the usual case). */
  flows: FlowDispatch | null = null;
  /** For a flow's direction: the link direction it stands in for (its down state is that one's). */
  readonly parent: LinkDirection | null;
  readonly stats: LinkDirectionStats;
  readonly gilbertElliott = new GilbertElliott();
  #geParams: GilbertElliottParams = { goodToBad: 0, badToGood: 0, lossGood: 0, lossBad: 0 };
  #lastArrivalNs = 0;
  /** The packet whose payload silent corruption already copied during this carry(). */
  #copied: Packet | null = null;
  /**
   * Arrivals are FIFO (jitter never reorders), so they go through one scheduler lane: a busy
   * link has hundreds of packets in flight, and only the next one to arrive sits in the heap.
   */
  readonly #lane: EventLane;
  readonly #streams = new Map<Feature, Random>();

  constructor(context: NetContext, name: string, sender: LinkEndpoint, receiver: LinkEndpoint, parent: LinkDirection | null = null) {
    this.context = context;
    this.name = name;
    this.sender = sender;
    this.receiver = receiver;
    this.parent = parent;
    // A flow's direction counts into its link's figures: they are one wire.
    this.stats = parent?.stats ?? {
      packets: 0,
      frames: 0,
      wireBytes: 0,
      dropped: 0,
      duplicated: 0,
      reordered: 0,
      corrupted: 0,
      silentlyCorrupted: 0,
    };
    this.#lane = context.scheduler.createLane();
  }

  /** Changes options (merged over the current ones). Applies to packets sent from now on. */
  set(update: LinkDirectionOptions): void {
    const wasPartitioned = this.options.partitioned;
    this.options = resolveLinkOptions(this.options, update);
    if (this.options.partitioned && !wasPartitioned) this.cut();
    const o = this.options;
    this.#geParams = {
      goodToBad: o.geGoodToBadRate,
      badToGood: o.geBadToGoodRate,
      lossGood: o.geLossRateGood,
      lossBad: o.geLossRateBad,
    };
    this.flows?.rebase(this.options);
  }

  /** min(bandwidth cap, receiver's rate): the fastest the sender may serialise onto this link. */
  rateCapBps(): number {
    const cap = this.options.bandwidthBps > 0 ? this.options.bandwidthBps : Infinity;
    const rx = this.receiver.rxRateBps;
    return cap < rx ? cap : rx;
  }

  #rng(feature: Feature): Random {
    let stream = this.#streams.get(feature);
    if (stream === undefined) {
      stream = this.context.rng.stream(`net/${this.name}/${feature}`);
      this.#streams.set(feature, stream);
    }
    return stream;
  }

  /** Loses everything now queued for or travelling on this direction. */
  cut(): void {
    this.cutCount++;
    this.flows?.cut();
  }

  dropCut(packet: Packet): void {
    this.stats.dropped += packet.frames;
    this.context.drop(packet, (this.parent ?? this).down ? 'link-down' : 'partition', this.name);
  }

  #drop(packet: Packet, reason: DropFate): void {
    this.stats.dropped += packet.frames;
    this.context.drop(packet, reason, this.name);
  }

  /** Takes a packet whose last bit leaves the sender at txDoneNs and schedules its arrival. */
  carry(packet: Packet, txDoneNs: number): void {
    const o = this.options;
    this.#copied = null;
    this.stats.packets++;
    this.stats.frames += packet.frames;
    this.stats.wireBytes += packet.wireBytes;
    if (this.down) return this.#drop(packet, 'link-down');
    if (o.partitioned) return this.#drop(packet, 'partition');
    if (this.flows !== null) {
      const flow = this.flows.directionFor(packet);
      if (flow !== null) return flow.carryFlow(packet, txDoneNs);
    }
    this.#carryOn(packet, txDoneNs);
  }

  /** What a flow's direction does with a packet its link handed over (counted and not cut there). */
  carryFlow(packet: Packet, txDoneNs: number): void {
    this.#copied = null;
    if (this.options.partitioned) return this.#drop(packet, 'partition');
    this.#carryOn(packet, txDoneNs);
  }

  /** The random faults and the timing of a packet that the link's cuts let through. */
  #carryOn(packet: Packet, txDoneNs: number): void {
    const o = this.options;
    if (packet.frames > 1) {
      if (
        this.dropIf !== null ||
        o.lossRate > 0 ||
        o.geGoodToBadRate > 0 ||
        o.corruptRate > 0 ||
        o.silentCorruptRate > 0
      ) {
        this.#carryFrames(packet, txDoneNs);
        return;
      }
    } else {
      const fate = this.#frameFate(packet, packet, 0);
      if (fate === CORRUPT) packet.corrupt = true;
      else if (fate !== KEEP) return this.#drop(packet, fate);
    }
    const delayNs = this.#delayNs();
    const heldBack = this.#holdBack();
    const duplicate = this.#duplicate();
    this.#schedule(packet, this.#arrivalNs(txDoneNs, delayNs, heldBack), heldBack, duplicate);
  }

  /**
   * The random fate of frame `index` of `packet` (`frame` is that frame as a packet, for the
   * filter). Draws, per stream, exactly what a separate packet would. May flip a payload byte.
   */
  #frameFate(packet: Packet, frame: Packet, index: number): Fate {
    const o = this.options;
    if (this.dropIf !== null && this.dropIf(frame)) return 'filter';
    if (o.lossRate > 0 && this.#rng('loss').next() < o.lossRate) return 'loss';
    if (o.geGoodToBadRate > 0 && this.gilbertElliott.step(this.#rng('ge'), this.#geParams)) return 'burst-loss';
    let fate: Fate = KEEP;
    if (o.corruptRate > 0 && this.#rng('corrupt').next() < o.corruptRate) {
      fate = CORRUPT;
      this.stats.corrupted++;
      this.context.stats.corrupted++;
    }
    if (o.silentCorruptRate > 0 && packet.payload !== null && packet.payload.length > 0) {
      this.#maybeFlipByte(packet, index, o.silentCorruptRate);
    }
    return fate;
  }

  /** A super-segment with per-frame faults enabled: decide each frame, deliver the survivors. */
  #carryFrames(packet: Packet, txDoneNs: number): void {
    const frames = packet.frames;
    let fates: Fate[] | null = null;
    for (let i = 0; i < frames; i++) {
      const frame = this.dropIf === null ? packet : packet.piece(i, i + 1);
      const fate = this.#frameFate(packet, frame, i);
      if (fate !== KEEP) {
        if (fates === null) fates = new Array<Fate>(frames).fill(KEEP);
        fates[i] = fate;
      }
    }
    const delayNs = this.#delayNs();
    const heldBack = this.#holdBack();
    const duplicate = this.#duplicate();
    if (fates === null) {
      this.#schedule(packet, this.#arrivalNs(txDoneNs, delayNs, heldBack), heldBack, duplicate);
      return;
    }
    // Runs of frames with the same fate become pieces; each kept piece arrives when its last
    // frame would have (frames leave packet.hopNsPerByte apart).
    const now = this.context.scheduler.now;
    let after = packet.wireBytes;
    let first = 0;
    while (first < frames) {
      const fate = fates[first] as Fate;
      let end = first + 1;
      while (end < frames && fates[end] === fate) end++;
      const piece = packet.piece(first, end);
      after -= piece.wireBytes;
      if (fate === KEEP || fate === CORRUPT) {
        // A frame that fails the checksum travels on and is dropped by the receiving NIC.
        if (fate === CORRUPT) piece.corrupt = true;
        const doneNs = txDoneNs - after * packet.hopNsPerByte;
        this.#schedule(piece, this.#arrivalNs(doneNs > now ? doneNs : now, delayNs, heldBack), heldBack, duplicate);
      } else {
        this.#drop(piece, fate);
      }
      first = end;
    }
  }

  /** Sends a packet (and its duplicate, if any) to arrive at arrivalNs. */
  #schedule(packet: Packet, arrivalNs: number, heldBack: boolean, duplicate: boolean): void {
    const scheduler = this.context.scheduler;
    packet.hop = this.receiver;
    packet.via = this;
    packet.cutStamp = this.cutCount;
    if (heldBack) scheduler.schedule(arrivalNs, deliverPacket, packet);
    else scheduler.scheduleInLane(this.#lane, arrivalNs, deliverPacket, packet);
    if (!duplicate) return;
    const copy = packet.clone();
    copy.hop = this.receiver;
    copy.via = this;
    copy.cutStamp = this.cutCount;
    if (heldBack) scheduler.schedule(arrivalNs, deliverPacket, copy);
    else scheduler.scheduleInLane(this.#lane, arrivalNs, deliverPacket, copy);
  }

  /** The propagation delay for one packet, in ns (drawn when there is jitter). */
  #delayNs(): number {
    const o = this.options;
    let delayUs = o.latencyUs;
    if (o.latencyDistribution !== 'constant' && o.jitterUs > 0) {
      delayUs = sampleDelay(this.#rng('delay'), o.latencyDistribution, o.latencyUs, o.jitterUs, o.paretoShape);
    }
    return delayUs * NS_PER_US;
  }

  /** Whether reordering holds this packet back (later packets may overtake it). */
  #holdBack(): boolean {
    const o = this.options;
    if (o.reorderRate > 0 && this.#rng('reorder').next() < o.reorderRate && o.reorderExtraDelayUs > 0) {
      this.stats.reordered++;
      this.context.stats.reordered++;
      return true;
    }
    return false;
  }

  /** Whether this packet is delivered twice. */
  #duplicate(): boolean {
    const o = this.options;
    if (o.duplicateRate > 0 && this.#rng('duplicate').next() < o.duplicateRate) {
      this.stats.duplicated++;
      this.context.stats.duplicated++;
      return true;
    }
    return false;
  }

  #arrivalNs(txDoneNs: number, delayNs: number, heldBack: boolean): number {
    let arrival = txDoneNs + delayNs;
    if (heldBack) {
      // Held back: later packets may overtake it. It does not move the FIFO floor.
      return Math.ceil(arrival + this.options.reorderExtraDelayUs * NS_PER_US);
    }
    if (arrival < this.#lastArrivalNs) arrival = this.#lastArrivalNs;
    this.#lastArrivalNs = arrival;
    return Math.ceil(arrival);
  }

  /** Silent corruption of frame `index`: maybe flips one bit of one of its payload bytes. */
  #maybeFlipByte(packet: Packet, index: number, rate: number): void {
    const rng = this.#rng('silent');
    if (rng.next() >= rate) return;
    const payload = packet.payload as Uint8Array;
    const gso = packet.gsoSize;
    const from = index * gso;
    const frameBytes = gso === 0 ? payload.length : Math.min(gso, payload.length - from);
    // Copy first (once per packet): the payload is a view of the sender's buffer, which must stay
    // intact for retransmission (the corruption happened on this wire, not in the sender's memory).
    const copy = this.#copied === packet ? payload : payload.slice();
    const at = from + rng.int(frameBytes);
    copy[at] = (copy[at] as number) ^ (1 << rng.int(8));
    packet.payload = copy;
    this.#copied = packet;
    this.stats.silentlyCorrupted++;
    this.context.stats.silentlyCorrupted++;
  }
}

/** Which directions an option change or partition applies to. */
export type LinkSide = 'both' | 'a-to-b' | 'b-to-a';

/** Options for a new link: top-level fields apply to both directions, aToB/bToA override. */
export interface LinkOptions extends LinkDirectionOptions {
  readonly aToB?: LinkDirectionOptions;
  readonly bToA?: LinkDirectionOptions;
}

export class Link {
  readonly name: string;
  readonly a: LinkEndpoint;
  readonly b: LinkEndpoint;
  readonly aToB: LinkDirection;
  readonly bToA: LinkDirection;

  constructor(context: NetContext, a: LinkEndpoint, b: LinkEndpoint, options: LinkOptions = {}) {
    this.name = `${a.label}~${b.label}`;
    this.a = a;
    this.b = b;
    this.aToB = new LinkDirection(context, `${a.label}>${b.label}`, a, b);
    this.bToA = new LinkDirection(context, `${b.label}>${a.label}`, b, a);
    const { aToB, bToA, ...both } = options;
    this.aToB.set({ ...both, ...aToB });
    this.bToA.set({ ...both, ...bToA });
  }

  /** The direction whose sender is owned by `ownerName` (a node or switch name). */
  from(ownerName: string): LinkDirection {
    if (this.a.ownerName === ownerName) return this.aToB;
    if (this.b.ownerName === ownerName) return this.bToA;
    throw new RangeError(`link ${this.name} has no endpoint owned by '${ownerName}'`);
  }

  #sides(side: LinkSide): LinkDirection[] {
    if (side === 'a-to-b') return [this.aToB];
    if (side === 'b-to-a') return [this.bToA];
    return [this.aToB, this.bToA];
  }

  /** Changes options at runtime (merged over the current ones). */
  set(options: LinkDirectionOptions, side: LinkSide = 'both'): void {
    for (const direction of this.#sides(side)) direction.set(options);
  }

  /** Drops all packets in one or both directions until heal(). */
  partition(side: LinkSide = 'both'): void {
    this.set({ partitioned: true }, side);
  }

  /** Ends a partition in one or both directions. */
  heal(side: LinkSide = 'both'): void {
    this.set({ partitioned: false }, side);
  }

  /** Takes the link down (carrier lost): both directions drop everything until up(). */
  down(): void {
    if (this.aToB.down) return;
    this.aToB.down = true;
    this.bToA.down = true;
    this.aToB.cut();
    this.bToA.cut();
  }

  up(): void {
    this.aToB.down = false;
    this.bToA.down = false;
  }

  get isDown(): boolean {
    return this.aToB.down;
  }
}
