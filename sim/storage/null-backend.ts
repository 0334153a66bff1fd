// The null device: the target's equivalent of Linux null_blk. Nothing is stored, reads return
// zeroes, and every command completes at once (the callback runs before the method returns), so a
// null namespace measures the transport and the target alone.
import type { BackendCallback, BackendReadCallback, BlockBackend } from './backend.js';
import { assertGeometry, checkRange, checkRanges, STATUS_SUCCESS } from './backend-status.js';
import { sharedZeroes } from './zero-bytes.js';

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
    // Read-only shared zeroes (backend.ts): a null device has nothing else to return.
    callback(status, status === STATUS_SUCCESS ? sharedZeroes(length) : undefined);
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
