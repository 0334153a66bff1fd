// The verification pattern. Every logical block a verifying job writes starts with a header that
// names what should be there (magic, generation, LBA, run seed) and continues with words from a
// generator seeded by those three values, so a read-back can tell a stale block (old generation),
// a misdirected write (wrong LBA) and corrupted bytes apart, like fio's verify=crc32c+header.
// Words are stored little-endian via Uint32Array: every platform Node runs on is little-endian.

/** "NVSV" read as a little-endian u32: marks a block written by a verifying workload. */
export const PATTERN_MAGIC = 0x5653564e;
/** Header words: magic, generation, LBA low 32 bits, LBA high bits, seed. */
const HEADER_WORDS = 5;
const TWO_POW_32 = 0x1_0000_0000;

/** Why a block failed verification. */
export type MismatchReason = 'magic' | 'lba' | 'generation' | 'seed' | 'data';

export interface BlockMismatch {
  readonly lba: number;
  readonly reason: MismatchReason;
  readonly expectedGeneration: number;
  /** What the block's header claims (when the magic is present). */
  readonly foundLba?: number;
  readonly foundGeneration?: number;
}

function mix(seed: number, lba: number, generation: number): number {
  // A multiply-xorshift hash (murmur3 finaliser) so neighbouring LBAs get unrelated streams.
  let h = (seed ^ Math.imul(lba >>> 0, 0x9e3779b1) ^ Math.imul(Math.floor(lba / TWO_POW_32), 0x85ebca6b)) >>> 0;
  h = (h ^ Math.imul(generation, 0xc2b2ae35)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  // xorshift32 must not start at zero.
  return h >>> 0 || 0x6d2b79f5;
}

/** Fills one block's words (a Uint32Array of blockSize/4) with its pattern. */
function fillWords(words: Uint32Array, start: number, count: number, seed: number, lba: number, generation: number): void {
  words[start] = PATTERN_MAGIC;
  words[start + 1] = generation;
  words[start + 2] = lba >>> 0;
  words[start + 3] = Math.floor(lba / TWO_POW_32);
  words[start + 4] = seed;
  let x = mix(seed, lba, generation);
  const end = start + count;
  for (let i = start + HEADER_WORDS; i < end; i++) {
    // xorshift32 (Marsaglia 2003): cheap, and distinct for distinct seeds.
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
}

/** Writes the pattern for blocks starting at `lba` into `buffer` (4-byte aligned, whole blocks). */
export function fillPattern(
  buffer: Uint8Array,
  blockSize: number,
  seed: number,
  lba: number,
  generationOf: (blockIndex: number) => number,
): void {
  const words = new Uint32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength >>> 2);
  const perBlock = blockSize >>> 2;
  const blocks = buffer.byteLength / blockSize;
  for (let b = 0; b < blocks; b++) fillWords(words, b * perBlock, perBlock, seed, lba + b, generationOf(b));
}

/** Checks blocks against their expected patterns; reuses `scratch` (one block, 4-byte aligned). */
export class PatternChecker {
  readonly #blockSize: number;
  readonly #seed: number;
  readonly #scratch: Uint8Array;
  readonly #scratchWords: Uint32Array;
  readonly #scratchView: Buffer;

  constructor(blockSize: number, seed: number) {
    this.#blockSize = blockSize;
    this.#seed = seed;
    this.#scratch = new Uint8Array(blockSize);
    this.#scratchWords = new Uint32Array(this.#scratch.buffer);
    this.#scratchView = Buffer.from(this.#scratch.buffer, 0, blockSize);
  }

  /**
   * Checks one block of `data` at byte `at` that should hold generation `generation` of `lba`.
   * Returns undefined when it matches.
   */
  check(data: Uint8Array, at: number, lba: number, generation: number): BlockMismatch | undefined {
    fillWords(this.#scratchWords, 0, this.#blockSize >>> 2, this.#seed, lba, generation);
    const block = Buffer.from(data.buffer, data.byteOffset + at, this.#blockSize);
    // Buffer.equals is a memcmp: the common, matching case costs one pass.
    if (block.equals(this.#scratchView)) return undefined;
    const view = new DataView(data.buffer, data.byteOffset + at, this.#blockSize);
    const expected = { lba, expectedGeneration: generation };
    if (view.getUint32(0, true) !== PATTERN_MAGIC) return { ...expected, reason: 'magic' };
    const foundGeneration = view.getUint32(4, true);
    const foundLba = view.getUint32(8, true) + view.getUint32(12, true) * TWO_POW_32;
    const found = { ...expected, foundLba, foundGeneration };
    if (foundLba !== lba) return { ...found, reason: 'lba' };
    if (foundGeneration !== generation) return { ...found, reason: 'generation' };
    if (view.getUint32(16, true) !== this.#seed) return { ...found, reason: 'seed' };
    return { ...found, reason: 'data' };
  }
}
