// The null device: the target's equivalent of Linux null_blk. Nothing is stored, reads return
// zeroes, and every command completes at once (the callback runs before the method returns), so a
// null namespace measures the transport and the target alone.
import { allocZeroedBytes } from '../core/byte-slab.js';
import type { BackendCallback, BackendReadCallback, BlockBackend } from './backend.js';
import { assertGeometry, checkRange, checkRanges, STATUS_SUCCESS } from './backend-status.js';

export class NullBackend implements BlockBackend {
  readonly kind = 'null';
  readonly sizeBytes: number;
  readonly blockSize: number;

  constructor(sizeBytes: number, blockSize = 512) {
    assertGeometry('null', sizeBytes, blockSize);
    this.sizeBytes = sizeBytes;
    this.blockSize = blockSize;
  }

  read(offset: number, length: number, callback: BackendReadCallback): void {
    const status = checkRange(offset, length, this.sizeBytes, this.blockSize);
    // A fresh zeroed buffer: the caller may keep or modify it. It comes from the byte slab
    // (sim/core/byte-slab.ts), several times cheaper than a buffer of its own.
    callback(status, status === STATUS_SUCCESS ? allocZeroedBytes(length) : undefined);
  }

  write(offset: number, data: Uint8Array, callback: BackendCallback): void {
    callback(checkRange(offset, data.length, this.sizeBytes, this.blockSize));
  }

  flush(callback: BackendCallback): void {
    callback(STATUS_SUCCESS);
  }

  writeZeroes(offset: number, length: number, callback: BackendCallback): void {
    callback(checkRange(offset, length, this.sizeBytes, this.blockSize));
  }

  deallocate(ranges: readonly { offset: number; length: number }[], callback: BackendCallback): void {
    callback(checkRanges(ranges, this.sizeBytes, this.blockSize));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
