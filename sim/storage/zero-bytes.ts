// Shared read-only zeroes for reads of blocks that hold no data (a null namespace, unwritten or
// deallocated blocks of a RAM-backed one). A simulated drive that is mostly read and never written
// (the reference scenario reads 700,000 random 4 KiB blocks of an empty 64 GiB SSD per simulated
// second) would otherwise allocate and zero a buffer per read only to send zeroes.
// Callers of BlockBackend.read never modify the data they get (backend.ts), which is what makes one
// buffer safe to share.

/** Reads up to this size share the zero buffer; larger ones get their own zeroed buffer. */
const SHARED_ZERO_BYTES = 1024 * 1024;
const zeroes = new Uint8Array(SHARED_ZERO_BYTES);

/** `length` zero bytes that nobody may modify. */
export function sharedZeroes(length: number): Uint8Array {
  return length <= SHARED_ZERO_BYTES ? zeroes.subarray(0, length) : new Uint8Array(length);
}
