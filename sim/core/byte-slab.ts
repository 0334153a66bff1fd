// Byte buffers for the simulator's hot paths, carved out of large shared slabs. V8 gives every
// typed array longer than 64 bytes its own off-heap backing store, and creating one costs about a
// microsecond (allocation, zeroing and external-memory bookkeeping) - more than everything else a
// simulated TCP segment costs. A view into an existing ArrayBuffer costs about 50 ns. So buffers
// that the simulator creates per segment or per I/O (a TCP segment spanning two writes, a PDU
// assembled from several segments, a read from the simulated SSD) are views into a slab that is
// bump-allocated and never reused: each view owns its bytes for as long as it lives, exactly like
// a fresh `new Uint8Array(n)`, and a slab is garbage-collected once no view of it is left.
//
// Ownership: callers may keep and modify what they get; nothing else ever hands out the same
// bytes. The cost is retention: a view kept for long keeps its whole slab (16 or 256 KiB) alive, so
// only buffers that are usually short-lived should come from here, and small requests use small
// slabs. Tiny buffers (at most ON_HEAP_MAX_BYTES) and large ones (above SLAB_MAX_ALLOCATION_BYTES)
// get their own allocation.
// The slabs are process-wide: they only decide where bytes live, never what a simulation computes.

/** V8 keeps typed arrays up to this size on the JS heap, where allocating them is cheap. */
const ON_HEAP_MAX_BYTES = 64;
/** Larger requests get their own buffer, so one slab serves many requests. */
const SLAB_MAX_ALLOCATION_BYTES = 16 * 1024;
/** Views start on 8-byte boundaries (DataView-friendly, and cheap to keep). */
const ALIGN_MASK = 7;

/** A bump allocator over one slab at a time. */
class Slab {
  readonly #slabBytes: number;
  #buffer: ArrayBuffer;
  #used = 0;

  constructor(slabBytes: number) {
    this.#slabBytes = slabBytes;
    this.#buffer = Slab.#newBuffer(slabBytes);
  }

  static #newBuffer(bytes: number): ArrayBuffer {
    // Uninitialised memory: every caller overwrites or zero-fills what it takes.
    return Buffer.allocUnsafeSlow(bytes).buffer as ArrayBuffer;
  }

  take(length: number): Uint8Array {
    if (this.#used + length > this.#slabBytes) {
      this.#buffer = Slab.#newBuffer(this.#slabBytes);
      this.#used = 0;
    }
    const view = new Uint8Array(this.#buffer, this.#used, length);
    this.#used = (this.#used + length + ALIGN_MASK) & ~ALIGN_MASK;
    return view;
  }
}

/**
 * Headers and other small buffers come from small slabs, so that a small view kept for long (a
 * command's SQE, say) pins 16 KiB, not a whole data slab.
 */
const SMALL_MAX_BYTES = 512;
const small = new Slab(16 * 1024);
const medium = new Slab(256 * 1024);

/**
 * `length` bytes whose initial contents are unspecified: for buffers the caller overwrites
 * entirely before anyone reads them (copies).
 */
export function allocBytes(length: number): Uint8Array {
  if (length <= ON_HEAP_MAX_BYTES || length > SLAB_MAX_ALLOCATION_BYTES) return new Uint8Array(length);
  return length <= SMALL_MAX_BYTES ? small.take(length) : medium.take(length);
}

/** `length` zeroed bytes, like `new Uint8Array(length)`. */
export function allocZeroedBytes(length: number): Uint8Array {
  if (length <= ON_HEAP_MAX_BYTES || length > SLAB_MAX_ALLOCATION_BYTES) return new Uint8Array(length);
  return allocBytes(length).fill(0);
}

/**
 * Copies source[sourceStart, sourceEnd) into target at targetStart without making a view of the
 * source when it is a Node Buffer (a received socket chunk): Buffer.subarray builds a FastBuffer,
 * which costs about as much as copying 4 KiB.
 */
export function copyBytes(source: Uint8Array, sourceStart: number, sourceEnd: number, target: Uint8Array, targetStart: number): void {
  if (source instanceof Buffer) source.copy(target, targetStart, sourceStart, sourceEnd);
  else target.set(source.subarray(sourceStart, sourceEnd), targetStart);
}
