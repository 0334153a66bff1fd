// The data side of a simulated device in a run where nothing reads data back (no verify, no real
// peer): writes are range-checked and dropped, reads return zeroes. The device keeps its timing
// (the SSD model prices every command the same), only the bytes are not kept, so memory stays
// flat however much a run writes: a randwrite run that kept every byte grew by about 6 GB per
// simulated second.
import { checkRange } from './backend-status.js';
import type { BackendStatus } from './backend.js';
import type { DeviceData } from './device-data.js';
import { sharedZeroes } from './zero-bytes.js';

export class DiscardedData implements DeviceData {
  readonly sizeBytes: number;
  readonly blockSize: number;

  constructor(sizeBytes: number, blockSize: number) {
    this.sizeBytes = sizeBytes;
    this.blockSize = blockSize;
  }

  readNow(_offset: number, length: number): Uint8Array {
    return sharedZeroes(length);
  }

  writeNow(offset: number, data: Uint8Array): BackendStatus {
    return checkRange(offset, data.length, this.sizeBytes, this.blockSize);
  }

  zeroNow(offset: number, length: number): BackendStatus {
    return checkRange(offset, length, this.sizeBytes, this.blockSize);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
