// Where a simulated device keeps the bytes written to it, apart from when commands complete: the
// SSD model (ssd-backend.ts) times each command and reads and writes its data through this,
// synchronously. A RamBackend keeps the data; DiscardedData keeps none.
import type { BackendStatus } from './backend.js';

export interface DeviceData {
  /** `length` bytes at `offset`, read-only for the caller; the caller checked the range. */
  readNow(offset: number, length: number): Uint8Array;
  /** Takes a write (the caller's buffer is not kept) and returns the range status. */
  writeNow(offset: number, data: Uint8Array): BackendStatus;
  /** Zeroes (deallocates) a range and returns the range status. */
  zeroNow(offset: number, length: number): BackendStatus;
  close(): Promise<void>;
}
