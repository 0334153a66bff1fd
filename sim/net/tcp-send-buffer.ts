// The send buffer: bytes the application wrote and the peer has not yet acknowledged, kept as the
// caller's own chunks (ByteStream.write lets the stream keep a reference). A segment (a TSO
// super-segment of up to 64 KiB included) is a view into one chunk when it fits inside it, and a
// single copy when it spans chunks: the receiver gets it as one contiguous chunk, as GRO hands
// the application one skb, so an NVMe/TCP response written as header, data and CapsuleResp is
// copied once. Sequence numbers are unbounded (no wraparound).
// The copies come from the byte slab (sim/core/byte-slab.ts): a segment's payload lives until it
// is acknowledged and delivered, so they are short-lived.
import { allocBytes } from '../core/index.js';

/** Compact the chunk arrays once this many leading entries are released. */
const COMPACT_THRESHOLD = 1024;

export class SendBuffer {
  #chunks: Uint8Array[] = [];
  #starts: number[] = [];
  #head = 0;
  /** Sequence number of the first unacknowledged byte. */
  #unaSeq: number;
  /** Sequence number one past the last byte written. */
  #endSeq: number;
  /** Index of the chunk the last slice() started in: sequential sends find it in O(1). */
  #cursor = 0;

  constructor(startSeq: number) {
    this.#unaSeq = startSeq;
    this.#endSeq = startSeq;
  }

  /** Bytes written and not yet acknowledged. */
  get bytes(): number {
    return this.#endSeq - this.#unaSeq;
  }

  /** Sequence number one past the last byte written. */
  get endSeq(): number {
    return this.#endSeq;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#starts.push(this.#endSeq);
    this.#endSeq += chunk.length;
  }

  /** The bytes [seq, seq + length): the chunk itself or a view if they lie in one chunk, else one copy. */
  slice(seq: number, length: number): Uint8Array {
    if (seq < this.#unaSeq || seq + length > this.#endSeq || length <= 0) {
      throw new RangeError(`send buffer slice [${seq}, ${seq + length}) outside [${this.#unaSeq}, ${this.#endSeq})`);
    }
    let index = this.#find(seq);
    const first = this.#chunks[index] as Uint8Array;
    const offset = seq - (this.#starts[index] as number);
    if (offset + length <= first.length) {
      // A whole chunk (a command capsule written in one piece) needs no view of its own.
      return offset === 0 && length === first.length ? first : first.subarray(offset, offset + length);
    }
    const copy = allocBytes(length);
    let copied = 0;
    let from = offset;
    while (copied < length) {
      const chunk = this.#chunks[index] as Uint8Array;
      const take = Math.min(chunk.length - from, length - copied);
      copy.set(from === 0 && take === chunk.length ? chunk : chunk.subarray(from, from + take), copied);
      copied += take;
      from = 0;
      index++;
    }
    return copy;
  }

  /** Forgets bytes before seq (they were acknowledged). */
  release(seq: number): void {
    const upTo = Math.min(seq, this.#endSeq);
    if (upTo <= this.#unaSeq) return;
    this.#unaSeq = upTo;
    while (this.#head < this.#chunks.length) {
      const end = (this.#starts[this.#head] as number) + (this.#chunks[this.#head] as Uint8Array).length;
      if (end > upTo) break;
      this.#chunks[this.#head] = EMPTY;
      this.#head++;
    }
    if (this.#head === this.#chunks.length) {
      // Everything written is acknowledged: start over empty, so the arrays stay small.
      this.#chunks.length = 0;
      this.#starts.length = 0;
      this.#head = 0;
      this.#cursor = 0;
    } else if (this.#head >= COMPACT_THRESHOLD && this.#head * 2 >= this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#head);
      this.#starts = this.#starts.slice(this.#head);
      this.#cursor = Math.max(0, this.#cursor - this.#head);
      this.#head = 0;
    }
    if (this.#cursor < this.#head) this.#cursor = this.#head;
  }

  /** Drops everything (connection reset). */
  clear(): void {
    this.#chunks = [];
    this.#starts = [];
    this.#head = 0;
    this.#cursor = 0;
    this.#unaSeq = this.#endSeq;
  }

  #find(seq: number): number {
    let index = this.#cursor;
    if (index < this.#head || index >= this.#chunks.length || (this.#starts[index] as number) > seq) {
      index = this.#head;
    }
    // Linear from the cursor: sends walk forward, retransmissions start at the head.
    for (; index < this.#chunks.length; index++) {
      const start = this.#starts[index] as number;
      if (seq < start + (this.#chunks[index] as Uint8Array).length) break;
    }
    this.#cursor = index;
    return index;
  }
}

const EMPTY = new Uint8Array(0);
