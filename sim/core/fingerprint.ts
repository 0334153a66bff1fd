// The run fingerprint: a running 64-bit hash of what happened (delivered packets, delivered
// bytes, drops), in the order it happened. Two runs with the same seed and code must end with the
// same fingerprint; a difference is a determinism bug (the idea of FoundationDB's "unseed" check,
// docs/prior-art.md, "FoundationDB"). Mixing is allocation-free: two 32-bit
// lanes, FNV-1a in one and a multiply-xorshift in the other, with a murmur3 finaliser on output.

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const LANE_B_SEED = 0x9e3779b9;
const LANE_B_PRIME = 0x5bd1e995;
const TWO_POW_32 = 4294967296;

/** murmur3's fmix32: spreads every input bit over the output. */
function finalize32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class Fingerprint {
  #laneA = FNV_OFFSET;
  #laneB = LANE_B_SEED;
  #count = 0;
  readonly #float = new Float64Array(1);
  readonly #words = new Uint32Array(this.#float.buffer);

  /** Values mixed so far. */
  get count(): number {
    return this.#count;
  }

  /** Mixes one 32-bit word (the low 32 bits of `word`). */
  mix32(word: number): void {
    this.#laneA = Math.imul(this.#laneA ^ word, FNV_PRIME);
    const b = Math.imul(this.#laneB ^ word, LANE_B_PRIME);
    this.#laneB = b ^ (b >>> 15);
    this.#count++;
  }

  /** Mixes any number exactly: safe integers as two words, everything else by its IEEE bits. */
  mixNumber(value: number): void {
    if (value >= 0 && value <= Number.MAX_SAFE_INTEGER && Math.floor(value) === value) {
      // Exact for safe integers, and cheaper than `%` on doubles: high = floor(value / 2^32),
      // low = value - high * 2^32 (the same words as value % 2^32 and floor(value / 2^32)).
      const high = Math.floor(value / TWO_POW_32);
      this.mix32(value - high * TWO_POW_32);
      this.mix32(high);
      return;
    }
    this.#float[0] = value;
    this.mix32(this.#words[0] as number);
    this.mix32((this.#words[1] as number) ^ 0x80000000);
  }

  /** Mixes a string (a kind tag or a name), one UTF-16 unit per word. */
  mixString(text: string): void {
    this.mix32(text.length);
    for (let i = 0; i < text.length; i++) this.mix32(text.charCodeAt(i));
  }

  /** Mixes every byte of a view, four at a time. Costs about a nanosecond per byte. */
  mixBytes(bytes: Uint8Array): void {
    const length = bytes.length;
    this.mix32(length);
    let i = 0;
    for (; i + 4 <= length; i += 4) {
      this.mix32(
        (bytes[i] as number) |
          ((bytes[i + 1] as number) << 8) |
          ((bytes[i + 2] as number) << 16) |
          ((bytes[i + 3] as number) << 24),
      );
    }
    for (; i < length; i++) this.mix32(bytes[i] as number);
  }

  /** Mixes the length and up to three sampled bytes (first, middle, last): O(1) per chunk. */
  mixBytesSampled(bytes: Uint8Array): void {
    const length = bytes.length;
    this.mix32(length);
    if (length === 0) return;
    this.mix32(
      (bytes[0] as number) | ((bytes[length >> 1] as number) << 8) | ((bytes[length - 1] as number) << 16),
    );
  }

  /** The 64-bit fingerprint as 16 lowercase hex digits. */
  hex(): string {
    const a = finalize32(this.#laneA ^ this.#count);
    const b = finalize32(this.#laneB ^ Math.imul(this.#count, 0x27d4eb2f));
    return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
  }
}
