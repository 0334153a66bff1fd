// What a namespace stores its blocks on. The target executes NVMe I/O commands against this
// interface; `null`, `ram` and `file` back real targets, and the simulated `ssd` model (with its
// latency, parallelism and volatile cache) backs simulated ones. Callbacks, not promises, because
// this is the per-I/O hot path.

/** An NVMe status returned by a backend: the 15-bit status field (SCT<<8 | SC, plus DNR/More bits). */
export type BackendStatus = number;

/** Completion of a backend call: status 0 on success. */
export type BackendCallback = (status: BackendStatus) => void;
export type BackendReadCallback = (status: BackendStatus, data: Uint8Array | undefined) => void;

export interface BlockBackend {
  /** Kind shown in listings and configs: 'null' | 'ram' | 'file' | 'ssd'. */
  readonly kind: string;
  /** Capacity in bytes; a multiple of the LBA size. */
  readonly sizeBytes: number;
  /** LBA data size in bytes (512 or 4096). */
  readonly blockSize: number;
  /**
   * Reads `length` bytes at `offset` (both multiples of blockSize). The data is read-only for the
   * caller: it may be shared (zeroes of unwritten blocks), so copy it before changing it.
   */
  read(offset: number, length: number, callback: BackendReadCallback): void;
  /** Writes `data` at `offset`. The backend may keep a reference to `data` until it calls back. */
  write(offset: number, data: Uint8Array, callback: BackendCallback): void;
  /** Makes completed writes durable (empties a volatile write cache). */
  flush(callback: BackendCallback): void;
  /** Zeroes `length` bytes at `offset`. */
  writeZeroes(offset: number, length: number, callback: BackendCallback): void;
  /** Deallocates (TRIM) ranges; reads of deallocated blocks return zeroes. */
  deallocate(ranges: readonly { offset: number; length: number }[], callback: BackendCallback): void;
  /** Releases resources (file handles). */
  close(): Promise<void>;
}
