// A set of sequence ranges, as sorted, disjoint, merged [start, end) pairs. The SACK machinery
// uses it on both sides (RFC 2018): the receiver to describe what it holds beyond rcv_nxt, the
// sender as its scoreboard of what the receiver reported. Holes are few, so a flat array is fast.

/** SACK blocks that fit in a TCP header with no timestamps option (RFC 2018 section 3). */
export const MAX_SACK_BLOCKS = 4;

export class RangeSet {
  /** Flat [start0, end0, start1, end1, ...], sorted and disjoint. */
  #ranges: number[] = [];

  get count(): number {
    return this.#ranges.length >> 1;
  }

  /** End of the highest range, or 0 when empty. */
  get highestEnd(): number {
    const ranges = this.#ranges;
    return ranges.length === 0 ? 0 : (ranges[ranges.length - 1] as number);
  }

  start(index: number): number {
    return this.#ranges[2 * index] as number;
  }

  end(index: number): number {
    return this.#ranges[2 * index + 1] as number;
  }

  /**
   * Adds [start, end). Calls onNew for each part not covered before, in ascending order, so the
   * caller can act on newly reported data only.
   */
  add(start: number, end: number, onNew?: (start: number, end: number) => void): void {
    if (end <= start) return;
    const ranges = this.#ranges;
    if (onNew !== undefined) {
      let cursor = start;
      for (let i = 0; i < ranges.length && cursor < end; i += 2) {
        const rangeStart = ranges[i] as number;
        const rangeEnd = ranges[i + 1] as number;
        if (rangeEnd <= cursor) continue;
        if (rangeStart >= end) break;
        if (rangeStart > cursor) onNew(cursor, rangeStart);
        cursor = rangeEnd;
      }
      if (cursor < end) onNew(cursor, end);
    }
    // Merge: keep ranges wholly before or after, fuse everything touching [start, end).
    const merged: number[] = [];
    let newStart = start;
    let newEnd = end;
    let inserted = false;
    for (let i = 0; i < ranges.length; i += 2) {
      const rangeStart = ranges[i] as number;
      const rangeEnd = ranges[i + 1] as number;
      if (rangeEnd < newStart) {
        merged.push(rangeStart, rangeEnd);
      } else if (rangeStart > newEnd) {
        if (!inserted) {
          merged.push(newStart, newEnd);
          inserted = true;
        }
        merged.push(rangeStart, rangeEnd);
      } else {
        newStart = Math.min(newStart, rangeStart);
        newEnd = Math.max(newEnd, rangeEnd);
      }
    }
    if (!inserted) merged.push(newStart, newEnd);
    this.#ranges = merged;
  }

  /** Forgets everything below seq (it was cumulatively acknowledged or delivered). */
  pruneBelow(seq: number): void {
    const ranges = this.#ranges;
    if (ranges.length === 0 || (ranges[0] as number) >= seq) return;
    const kept: number[] = [];
    for (let i = 0; i < ranges.length; i += 2) {
      const rangeEnd = ranges[i + 1] as number;
      if (rangeEnd <= seq) continue;
      kept.push(Math.max(ranges[i] as number, seq), rangeEnd);
    }
    this.#ranges = kept;
  }

  /** Index of the range containing seq, or -1. */
  indexOf(seq: number): number {
    const ranges = this.#ranges;
    for (let i = 0; i < ranges.length; i += 2) {
      if (seq >= (ranges[i] as number) && seq < (ranges[i + 1] as number)) return i >> 1;
    }
    return -1;
  }

  clear(): void {
    this.#ranges = [];
  }
}
