// A namespace kept in memory, so written data can be read back and verified. Storage is sparse:
// the capacity is divided into fixed-size chunks that are allocated on first write, so a 1 TiB
// namespace costs only what was written. Unwritten and deallocated blocks read as zeroes. Commands
// complete at once (the callback runs before the method returns); the simulated SSD composes this
// class for its data and adds time itself through the synchronous *Now methods.
import type { BackendCallback, BackendReadCallback, BackendStatus, BlockBackend } from './backend.js';
import type { DeviceData } from './device-data.js';
import { allocBytes } from '../core/index.js';
import { assertGeometry, checkRange, checkRanges, STATUS_SUCCESS } from './backend-status.js';
import { sharedZeroes } from './zero-bytes.js';

/** Default allocation unit: large enough that bookkeeping is negligible, small enough to stay sparse. */
export const RAM_CHUNK_BYTES_DEFAULT = 1024 * 1024;

export interface RamBackendOptions {
  /** LBA size: 512 (default) or 4096. */
  readonly blockSize?: number;
  /** Allocation unit in bytes (a multiple of blockSize); default 1 MiB. */
  readonly chunkBytes?: number;
}

export class RamBackend implements BlockBackend, DeviceData {
  readonly kind: string = 'ram';
  readonly sizeBytes: number;
  readonly blockSize: number;
  readonly chunkBytes: number;
  /** Allocated chunks by index; a missing chunk reads as zeroes. */
  readonly #chunks = new Map<number, Uint8Array>();

  constructor(sizeBytes: number, options: RamBackendOptions = {}) {
    const blockSize = options.blockSize ?? 512;
    assertGeometry('ram', sizeBytes, blockSize);
    const chunkBytes = options.chunkBytes ?? RAM_CHUNK_BYTES_DEFAULT;
    if (!Number.isSafeInteger(chunkBytes) || chunkBytes <= 0 || chunkBytes % blockSize !== 0) {
      throw new RangeError(`ram backend: chunk size ${chunkBytes} is not a positive multiple of ${blockSize}`);
    }
    this.sizeBytes = sizeBytes;
    this.blockSize = blockSize;
    this.chunkBytes = chunkBytes;
  }

  /** Bytes of memory currently allocated for data (whole chunks). */
  get allocatedBytes(): number {
    return this.#chunks.size * this.chunkBytes;
  }

  read(offset: number, length: number, callback: BackendReadCallback): void {
    const status = checkRange(offset, length, this.sizeBytes, this.blockSize);
    callback(status, status === STATUS_SUCCESS ? this.readNow(offset, length) : undefined);
  }

  write(offset: number, data: Uint8Array, callback: BackendCallback): void {
    callback(this.writeNow(offset, data));
  }

  flush(callback: BackendCallback): void {
    callback(STATUS_SUCCESS);
  }

  writeZeroes(offset: number, length: number, callback: BackendCallback): void {
    callback(this.zeroNow(offset, length));
  }

  deallocate(ranges: readonly { offset: number; length: number }[], callback: BackendCallback): void {
    const status = checkRanges(ranges, this.sizeBytes, this.blockSize);
    if (status === STATUS_SUCCESS) for (const range of ranges) this.zeroNow(range.offset, range.length);
    callback(status);
  }

  close(): Promise<void> {
    this.#chunks.clear();
    return Promise.resolve();
  }

  /**
   * Returns `length` bytes at `offset`, read-only for the caller (backend.ts): a copy of written
   * data, or shared zeroes when no block in the range was ever written. The caller checks the range
   * first. A copy comes from the byte slab (sim/core/byte-slab.ts), several times cheaper than a
   * buffer of its own.
   */
  readNow(offset: number, length: number): Uint8Array {
    if (this.#unwritten(offset, length)) return sharedZeroes(length);
    const out = allocBytes(length);
    let done = 0;
    while (done < length) {
      const at = offset + done;
      const index = Math.floor(at / this.chunkBytes);
      const within = at - index * this.chunkBytes;
      const count = Math.min(this.chunkBytes - within, length - done);
      const chunk = this.#chunks.get(index);
      // A missing chunk reads as zeroes.
      if (chunk === undefined) out.fill(0, done, done + count);
      else out.set(chunk.subarray(within, within + count), done);
      done += count;
    }
    return out;
  }

  /** True when no chunk overlapping [offset, offset + length) is allocated. */
  #unwritten(offset: number, length: number): boolean {
    const first = Math.floor(offset / this.chunkBytes);
    const last = Math.floor((offset + length - 1) / this.chunkBytes);
    for (let index = first; index <= last; index++) if (this.#chunks.has(index)) return false;
    return true;
  }

  /** Copies `data` in at `offset` (the caller's buffer is not kept). Returns the range status. */
  writeNow(offset: number, data: Uint8Array): BackendStatus {
    const status = checkRange(offset, data.length, this.sizeBytes, this.blockSize);
    if (status !== STATUS_SUCCESS) return status;
    let done = 0;
    while (done < data.length) {
      const at = offset + done;
      const index = Math.floor(at / this.chunkBytes);
      const within = at - index * this.chunkBytes;
      const count = Math.min(this.chunkBytes - within, data.length - done);
      let chunk = this.#chunks.get(index);
      if (chunk === undefined) {
        chunk = new Uint8Array(this.chunkBytes);
        this.#chunks.set(index, chunk);
      }
      chunk.set(data.subarray(done, done + count), within);
      done += count;
    }
    return STATUS_SUCCESS;
  }

  /** Zeroes a range; whole chunks are released so deallocating gives memory back. */
  zeroNow(offset: number, length: number): BackendStatus {
    const status = checkRange(offset, length, this.sizeBytes, this.blockSize);
    if (status !== STATUS_SUCCESS) return status;
    let done = 0;
    while (done < length) {
      const at = offset + done;
      const index = Math.floor(at / this.chunkBytes);
      const within = at - index * this.chunkBytes;
      const count = Math.min(this.chunkBytes - within, length - done);
      const chunk = this.#chunks.get(index);
      if (chunk !== undefined) {
        if (count === this.chunkBytes) this.#chunks.delete(index);
        else chunk.fill(0, within, within + count);
      }
      done += count;
    }
    return STATUS_SUCCESS;
  }
}
