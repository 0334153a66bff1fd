// The out-of-order queue: segments that arrived beyond rcv_nxt wait here, sorted by sequence
// number, until the hole before them is filled. A segment is what GRO handed over: a whole TSO
// super-segment or the piece of one that followed a lost frame, held as one entry. Overlaps (duplicates, retransmissions with
// different boundaries) are trimmed when segments are taken out, not when they go in. The held
// ranges are also kept merged, to build SACK blocks (RFC 2018): the block holding the most
// recently received segment first, then the others from the lowest up.
import { MAX_SACK_BLOCKS, RangeSet } from './tcp-sack.js';

interface Held {
  seq: number;
  data: Uint8Array;
  fin: boolean;
}

/** Most segments held at once; beyond it new out-of-order segments are dropped (Linux prunes too). */
const MAX_HELD_SEGMENTS = 65536;

export class Reassembly {
  #held: Held[] = [];
  readonly #ranges = new RangeSet();
  #latestSeq = -1;
  /** Payload bytes held (an overestimate when segments overlap). */
  bytes = 0;

  get size(): number {
    return this.#held.length;
  }

  /** Holds a segment that starts beyond rcv_nxt. Returns false if it was dropped for space. */
  insert(seq: number, data: Uint8Array, fin: boolean): boolean {
    const held = this.#held;
    if (held.length >= MAX_HELD_SEGMENTS) return false;
    if (data.length > 0) {
      this.#ranges.add(seq, seq + data.length);
      this.#latestSeq = seq;
    }
    // Segments mostly arrive in order behind a single hole, so search from the end.
    let index = held.length;
    while (index > 0 && (held[index - 1] as Held).seq > seq) index--;
    const previous = held[index - 1];
    if (previous !== undefined && previous.seq === seq && previous.data.length >= data.length && !fin) {
      return true; // An exact duplicate of what we hold.
    }
    held.splice(index, 0, { seq, data, fin });
    this.bytes += data.length;
    return true;
  }

  /** SACK blocks as flat [start, end, ...] pairs, at most MAX_SACK_BLOCKS; null if none. */
  sackBlocks(): number[] | null {
    const ranges = this.#ranges;
    if (ranges.count === 0) return null;
    const blocks: number[] = [];
    const latest = ranges.indexOf(this.#latestSeq);
    if (latest >= 0) blocks.push(ranges.start(latest), ranges.end(latest));
    for (let i = 0; i < ranges.count && blocks.length < 2 * MAX_SACK_BLOCKS; i++) {
      if (i !== latest) blocks.push(ranges.start(i), ranges.end(i));
    }
    return blocks;
  }

  /**
   * Takes every held segment that now continues the stream at rcvNxt, passing the new bytes to
   * accept(). Returns the new rcv_nxt; sets `finReached` if a held FIN became in-order.
   */
  drain(rcvNxt: number, accept: (data: Uint8Array) => void): { rcvNxt: number; finReached: boolean } {
    const held = this.#held;
    let next = rcvNxt;
    let taken = 0;
    let finReached = false;
    while (taken < held.length) {
      const segment = held[taken] as Held;
      if (segment.seq > next) break;
      taken++;
      this.bytes -= segment.data.length;
      const end = segment.seq + segment.data.length;
      if (end > next) {
        accept(segment.data.subarray(next - segment.seq));
        next = end;
      }
      if (segment.fin && end === next) {
        finReached = true;
        break;
      }
    }
    if (taken > 0) held.splice(0, taken);
    this.#ranges.pruneBelow(next);
    if (finReached) this.clear();
    return { rcvNxt: next, finReached };
  }

  clear(): void {
    this.#held = [];
    this.#ranges.clear();
    this.bytes = 0;
  }
}
