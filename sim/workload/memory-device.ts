// An in-memory WorkloadDevice: a flat byte array that completes each I/O after a fixed latency on
// a Clock (or at once, before submit returns, when the latency is undefined). It stands in for a
// connected namespace in engine tests and in simulations that do not need the NVMe/TCP stack.
import type { Clock } from '../core/index.js';
import type { WorkloadDevice, WorkloadIo, WorkloadIoCallback } from './device.js';

/** NVMe generic status "LBA Out of Range" (NVMe Base Specification 2.0, figure 102). */
const STATUS_LBA_OUT_OF_RANGE = 0x80;

export interface MemoryDeviceOptions {
  readonly blockSize?: number;
  /** Completion delay on `clock`; undefined completes synchronously. */
  readonly latencyNs?: number;
  readonly clock?: Clock;
}

export class MemoryDevice implements WorkloadDevice {
  readonly blockSize: number;
  readonly sizeBytes: number;
  readonly bytes: Uint8Array;
  /** Every submitted I/O, in order (tests inspect offsets and queues). */
  readonly log: { kind: 'read' | 'write'; offset: number; length: number; queue: number | undefined }[] = [];
  /** When set, the I/O gets this status instead of executing. */
  failWith: ((io: WorkloadIo) => number) | undefined;
  readonly #latencyNs: number | undefined;
  readonly #clock: Clock | undefined;

  constructor(sizeBytes: number, options: MemoryDeviceOptions = {}) {
    this.blockSize = options.blockSize ?? 512;
    this.sizeBytes = sizeBytes;
    this.bytes = new Uint8Array(sizeBytes);
    this.#latencyNs = options.latencyNs;
    this.#clock = options.clock;
    if (this.#latencyNs !== undefined && this.#clock === undefined) throw new Error('a latency needs a clock');
  }

  submit(io: WorkloadIo, callback: WorkloadIoCallback): void {
    this.log.push({ kind: io.kind, offset: io.offset, length: io.length, queue: io.queue });
    const run = (): void => this.#execute(io, callback);
    if (this.#latencyNs === undefined || this.#clock === undefined) run();
    else this.#clock.setTimer(this.#latencyNs, run);
  }

  #execute(io: WorkloadIo, callback: WorkloadIoCallback): void {
    const injected = this.failWith?.(io) ?? 0;
    if (injected !== 0) return callback(injected);
    if (io.offset < 0 || io.offset + io.length > this.sizeBytes) return callback(STATUS_LBA_OUT_OF_RANGE);
    if (io.kind === 'write') {
      if (io.data !== undefined) this.bytes.set(io.data.subarray(0, io.length), io.offset);
      return callback(0);
    }
    callback(0, this.bytes.subarray(io.offset, io.offset + io.length));
  }
}
