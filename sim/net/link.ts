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
import type { Random } from '../core/env.js';
import type { EventLane } from '../core/scheduler.js';
import { GilbertElliott, type GilbertElliottParams, sampleDelay } from '../core/distributions.js';
import {
  LINK_OPTION_DEFAULTS,
  type LinkDirectionOptions,
  type ResolvedLinkOptions,
  resolveLinkOptions,
} from './link-options.js';
import type { NetContext } from './net-context.js';
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

/** Per-direction counters. */
export interface LinkDirectionStats {
  packets: number;
  wireBytes: number;
  dropped: number;
  duplicated: number;
  reordered: number;
  corrupted: number;
  silentlyCorrupted: number;
}

type Feature = 'loss' | 'ge' | 'corrupt' | 'silent' | 'delay' | 'reorder' | 'duplicate';

export class LinkDirection implements InFlightCheck {
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
   * this packet. Checked after down/partition, before random faults; draws no randomness.
   */
  dropIf: ((packet: Packet) => boolean) | null = null;
  readonly stats: LinkDirectionStats = {
    packets: 0,
    wireBytes: 0,
    dropped: 0,
    duplicated: 0,
    reordered: 0,
    corrupted: 0,
    silentlyCorrupted: 0,
  };
  readonly gilbertElliott = new GilbertElliott();
  #geParams: GilbertElliottParams = { goodToBad: 0, badToGood: 0, lossGood: 0, lossBad: 0 };
  #lastArrivalNs = 0;
  /** Set by #arrivalNs when reordering held the packet back (it may be overtaken). */
  #heldBack = false;
  /**
   * Arrivals are FIFO (jitter never reorders), so they go through one scheduler lane: a busy
   * link has hundreds of packets in flight, and only the next one to arrive sits in the heap.
   */
  readonly #lane: EventLane;
  readonly #streams = new Map<Feature, Random>();

  constructor(context: NetContext, name: string, sender: LinkEndpoint, receiver: LinkEndpoint) {
    this.context = context;
    this.name = name;
    this.sender = sender;
    this.receiver = receiver;
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
  }

  dropCut(packet: Packet): void {
    this.stats.dropped++;
    this.context.drop(packet, this.down ? 'link-down' : 'partition', this.name);
  }

  #drop(packet: Packet, reason: 'link-down' | 'partition' | 'filter' | 'loss' | 'burst-loss'): void {
    this.stats.dropped++;
    this.context.drop(packet, reason, this.name);
  }

  /** Takes a packet whose last bit leaves the sender at txDoneNs and schedules its arrival. */
  carry(packet: Packet, txDoneNs: number): void {
    const o = this.options;
    this.stats.packets++;
    this.stats.wireBytes += packet.wireBytes;
    if (this.down) return this.#drop(packet, 'link-down');
    if (o.partitioned) return this.#drop(packet, 'partition');
    if (this.dropIf !== null && this.dropIf(packet)) return this.#drop(packet, 'filter');
    if (o.lossRate > 0 && this.#rng('loss').next() < o.lossRate) return this.#drop(packet, 'loss');
    if (o.geGoodToBadRate > 0 && this.gilbertElliott.step(this.#rng('ge'), this.#geParams)) {
      return this.#drop(packet, 'burst-loss');
    }
    if (o.corruptRate > 0 && this.#rng('corrupt').next() < o.corruptRate) {
      packet.corrupt = true;
      this.stats.corrupted++;
      this.context.stats.corrupted++;
    }
    if (o.silentCorruptRate > 0 && packet.payload !== null && packet.payload.length > 0) {
      this.#maybeFlipByte(packet, o.silentCorruptRate);
    }
    const arrivalNs = this.#arrivalNs(txDoneNs);
    const scheduler = this.context.scheduler;
    packet.hop = this.receiver;
    packet.via = this;
    packet.cutStamp = this.cutCount;
    const heldBack = this.#heldBack;
    if (heldBack) scheduler.schedule(arrivalNs, deliverPacket, packet);
    else scheduler.scheduleInLane(this.#lane, arrivalNs, deliverPacket, packet);
    if (o.duplicateRate > 0 && this.#rng('duplicate').next() < o.duplicateRate) {
      const copy = packet.clone();
      copy.hop = this.receiver;
      copy.via = this;
      copy.cutStamp = this.cutCount;
      if (heldBack) scheduler.schedule(arrivalNs, deliverPacket, copy);
      else scheduler.scheduleInLane(this.#lane, arrivalNs, deliverPacket, copy);
      this.stats.duplicated++;
      this.context.stats.duplicated++;
    }
  }

  #arrivalNs(txDoneNs: number): number {
    const o = this.options;
    this.#heldBack = false;
    let delayUs = o.latencyUs;
    if (o.latencyDistribution !== 'constant' && o.jitterUs > 0) {
      delayUs = sampleDelay(this.#rng('delay'), o.latencyDistribution, o.latencyUs, o.jitterUs, o.paretoShape);
    }
    let arrival = txDoneNs + delayUs * NS_PER_US;
    if (o.reorderRate > 0 && this.#rng('reorder').next() < o.reorderRate && o.reorderExtraDelayUs > 0) {
      // Held back: later packets may overtake it. It does not move the FIFO floor.
      this.stats.reordered++;
      this.context.stats.reordered++;
      this.#heldBack = true;
      return Math.ceil(arrival + o.reorderExtraDelayUs * NS_PER_US);
    }
    if (arrival < this.#lastArrivalNs) arrival = this.#lastArrivalNs;
    this.#lastArrivalNs = arrival;
    return Math.ceil(arrival);
  }

  #maybeFlipByte(packet: Packet, rate: number): void {
    const rng = this.#rng('silent');
    if (rng.next() >= rate) return;
    const payload = packet.payload as Uint8Array;
    // Copy first: the payload is a view of the sender's buffer, which must stay intact for
    // retransmission (the corruption happened on this wire, not in the sender's memory).
    const copy = payload.slice();
    const index = rng.int(copy.length);
    copy[index] = (copy[index] as number) ^ (1 << rng.int(8));
    packet.payload = copy;
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
