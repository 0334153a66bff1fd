// What the workload engine drives: the host's BlockDevice seen through the only two things a
// fio-like job needs, its geometry and the callback-style submit. Keeping this structural lets
// tests drive the engine with an in-memory fake and the simulator with a simulated host.

/** One I/O the engine submits. `queue` picks the I/O queue (the host maps it modulo its count). */
export interface WorkloadIo {
  readonly kind: 'read' | 'write';
  /** Byte offset in the namespace, a multiple of blockSize. */
  readonly offset: number;
  /** Byte length, a multiple of blockSize. */
  readonly length: number;
  /** Payload of a write (exactly `length` bytes); the device may keep it until it calls back. */
  readonly data?: Uint8Array;
  /**
   * Read only: a buffer of exactly `length` bytes the device may read into (BlockDevice's IoOp.buffer).
   * The caller leaves it alone until the callback. Reusing one per slot, as fio reuses an io_u's
   * buffer, keeps a long run's memory traffic to the bytes in flight; a caller that never reads
   * the bytes (the workload engine without verify) may give every read the same buffer.
   */
  readonly buffer?: Uint8Array;
  readonly queue?: number;
  /**
   * When the I/O was due, on the workload's clock: its arrival in open loop (waiting for a free
   * slot included), its submission otherwise. Latency counts from here; clat from submission.
   */
  readonly arrivalNs?: number;
}

/**
 * Completion of one I/O: status 0 on success, else the NVMe status (or a host-side failure code).
 * For reads, `data` holds `length` bytes and is only valid during the call.
 */
export type WorkloadIoCallback = (status: number, data?: Uint8Array) => void;

export interface WorkloadDevice {
  readonly blockSize: number;
  readonly sizeBytes: number;
  submit(io: WorkloadIo, callback: WorkloadIoCallback): void;
}
