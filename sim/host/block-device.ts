// A namespace as a block device: the userspace twin of the Linux nvme block device (host/core.c
// nvme_setup_cmd / nvme_setup_rw / nvme_setup_discard / nvme_setup_write_zeroes). Byte offsets in,
// NVMe Read/Write/Flush/Write Zeroes/Dataset Management commands out, split where the controller's
// limits require it (max_hw_sectors = min(1 MiB, MDTS), 65536 blocks per command, 256 DSM ranges).
// submit() is the callback hot path; read/write/... are promise wrappers for the edges.
import { allocBytes } from '../core/index.js';
import { IoOpcode } from '../nvme/index.js';
import { DSM_MAX_RANGES, buildDsm, buildFlush, buildWriteZeroes, encodeDsmRanges, encodeReadWriteSqe } from '../nvme/index.js';
import type { DsmRange } from '../nvme/index.js';
import { NvmeStatusError } from '../nvme/index.js';
import { IoRequest } from './io-request.js';
import type { IoSubmitter } from './io-request.js';

export type IoKind = 'read' | 'write' | 'flush' | 'writeZeroes' | 'deallocate';

export interface ByteRange {
  readonly offset: number;
  readonly length: number;
}

export interface IoOp {
  readonly kind: IoKind;
  /** Byte offset, a multiple of the block size (ignored by flush). */
  readonly offset: number;
  /** Byte length, a positive multiple of the block size (ignored by flush; write: data.length). */
  readonly length: number;
  /** The bytes to write (write only). */
  readonly data?: Uint8Array;
  /**
   * Read only: where the data goes, exactly `length` bytes, like pread's buffer. The device owns it
   * until it calls back, and hands it back as the data. Without one, each read gets a new buffer.
   */
  readonly buffer?: Uint8Array;
  /** Deallocate only: the ranges to deallocate instead of [offset, offset + length). */
  readonly ranges?: readonly ByteRange[];
  /** Explicit I/O queue index (modulo the queue count); else the controller spreads round-robin. */
  readonly queue?: number;
}

/** Completion: NVMe status (0 on success) and, for reads, the data. */
export type IoCallback = (status: number, data?: Uint8Array) => void;

export interface BlockDevice {
  readonly nsid: number;
  readonly blockSize: number;
  readonly sizeBytes: number;
  read(offsetBytes: number, length: number): Promise<Uint8Array>;
  write(offsetBytes: number, data: Uint8Array): Promise<void>;
  flush(): Promise<void>;
  writeZeroes(offsetBytes: number, length: number): Promise<void>;
  deallocate(ranges: readonly ByteRange[]): Promise<void>;
  /** Hot path: no promise. Throws RangeError for unaligned or malformed requests. */
  submit(op: IoOp, callback: IoCallback): void;
}

/** NLB is a 16-bit 0's based field: 65536 blocks per Read/Write/Write Zeroes. */
const MAX_BLOCKS_PER_COMMAND = 0x10000;
/** A DSM range's NLB is 32 bits. */
const MAX_BLOCKS_PER_DSM_RANGE = 0xffffffff;

/** Completes a request split into `parts` commands once all are done, with the first error. */
class SplitJoin {
  #remaining: number;
  #status = 0;
  readonly #finish: (status: number) => void;
  constructor(parts: number, finish: (status: number) => void) {
    this.#remaining = parts;
    this.#finish = finish;
  }
  part(status: number): void {
    if (status !== 0 && this.#status === 0) this.#status = status;
    if (--this.#remaining === 0) this.#finish(this.#status);
  }
}

/**
 * A read or write that fits in one command: completes the caller's callback itself (a read's
 * buffer reads as zeroes on failure), so submit() allocates no closure per I/O.
 */
class SingleIoRequest extends IoRequest {
  readonly #callback: IoCallback;

  constructor(sqe: Uint8Array, dataOut: Uint8Array | null, dataIn: Uint8Array | null, timeoutNs: number, hint: number, callback: IoCallback) {
    super(sqe, dataOut, dataIn, timeoutNs, hint, null);
    this.#callback = callback;
  }

  override done(status: number): void {
    const buffer = this.dataIn;
    if (buffer === null) {
      this.#callback(status);
      return;
    }
    if (status !== 0) buffer.fill(0);
    this.#callback(status, buffer);
  }
}

export class NamespaceBlockDevice implements BlockDevice {
  readonly nsid: number;
  readonly blockSize: number;
  readonly sizeBytes: number;
  readonly #submitter: IoSubmitter;

  constructor(submitter: IoSubmitter, nsid: number, blockSize: number, sizeBytes: number) {
    this.#submitter = submitter;
    this.nsid = nsid;
    this.blockSize = blockSize;
    this.sizeBytes = sizeBytes;
  }

  read(offsetBytes: number, length: number): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      this.submit({ kind: 'read', offset: offsetBytes, length }, (status, data) => {
        if (status === 0 && data !== undefined) resolve(data);
        else reject(new NvmeStatusError(status));
      });
    });
  }

  write(offsetBytes: number, data: Uint8Array): Promise<void> {
    return this.#promise({ kind: 'write', offset: offsetBytes, length: data.length, data });
  }

  flush(): Promise<void> {
    return this.#promise({ kind: 'flush', offset: 0, length: 0 });
  }

  writeZeroes(offsetBytes: number, length: number): Promise<void> {
    return this.#promise({ kind: 'writeZeroes', offset: offsetBytes, length });
  }

  deallocate(ranges: readonly ByteRange[]): Promise<void> {
    return this.#promise({ kind: 'deallocate', offset: 0, length: 0, ranges });
  }

  submit(op: IoOp, callback: IoCallback): void {
    const hint = op.queue ?? -1;
    switch (op.kind) {
      case 'read':
      case 'write':
        this.#readWrite(op, hint, callback);
        return;
      case 'flush':
        this.#send(buildFlush({ cid: 0, nsid: this.nsid }), null, null, hint, (status) => callback(status));
        return;
      case 'writeZeroes':
        this.#writeZeroes(op, hint, callback);
        return;
      case 'deallocate':
        this.#deallocate(op.ranges ?? [{ offset: op.offset, length: op.length }], hint, callback);
        return;
      default:
        throw new RangeError(`unknown I/O kind '${String((op as { kind: unknown }).kind)}'`);
    }
  }

  #promise(op: IoOp): Promise<void> {
    return new Promise((resolve, reject) => {
      this.submit(op, (status) => {
        if (status === 0) resolve();
        else reject(new NvmeStatusError(status));
      });
    });
  }

  #checkRange(what: string, offset: number, length: number): void {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset % this.blockSize !== 0) {
      throw new RangeError(`${what}: offset ${offset} is not a multiple of the block size ${this.blockSize}`);
    }
    if (!Number.isSafeInteger(length) || length <= 0 || length % this.blockSize !== 0) {
      throw new RangeError(`${what}: length ${length} is not a positive multiple of the block size ${this.blockSize}`);
    }
  }

  #send(sqe: Uint8Array, dataOut: Uint8Array | null, dataIn: Uint8Array | null, hint: number, done: (status: number) => void): void {
    this.#submitter.submitIo(new IoRequest(sqe, dataOut, dataIn, this.#submitter.ioTimeoutNs, hint, done));
  }

  /** Bytes per command: max_hw_sectors rounded down to whole blocks, at most 65536 blocks. */
  #chunkBytes(): number {
    const blocks = Math.min(MAX_BLOCKS_PER_COMMAND, Math.floor(this.#submitter.maxTransferBytes / this.blockSize));
    return Math.max(1, blocks) * this.blockSize;
  }

  #readWrite(op: IoOp, hint: number, callback: IoCallback): void {
    const isRead = op.kind === 'read';
    let source: Uint8Array | null = null;
    if (!isRead) {
      if (op.data === undefined) throw new RangeError('write: data is missing');
      if (op.data.length !== op.length) throw new RangeError(`write: length ${op.length} != data length ${op.data.length}`);
      source = op.data;
    }
    this.#checkRange(op.kind, op.offset, op.length);
    // Not zeroed here: the queue zeroes what a completed command's data did not cover, and a failed
    // read reads as zeroes, so no byte of an older buffer (of this or another simulation) leaks out.
    const buffer = isRead ? (op.buffer ?? allocBytes(op.length)) : null;
    if (buffer !== null && buffer.length !== op.length) throw new RangeError(`read: length ${op.length} != buffer length ${buffer.length}`);
    const chunk = this.#chunkBytes();
    const opcode = isRead ? IoOpcode.READ : IoOpcode.WRITE;
    const blockSize = this.blockSize;
    if (op.length <= chunk) {
      // One command (the common case): no finish closure, no join.
      const sqe = encodeReadWriteSqe(opcode, 0, this.nsid, op.offset / blockSize, op.length / blockSize, false, false, op.length);
      this.#submitter.submitIo(new SingleIoRequest(sqe, source, buffer, this.#submitter.ioTimeoutNs, hint, callback));
      return;
    }
    const finish =
      buffer !== null
        ? (status: number) => {
            if (status !== 0) buffer.fill(0);
            callback(status, buffer);
          }
        : (status: number) => callback(status);
    const parts = Math.ceil(op.length / chunk);
    const join = new SplitJoin(parts, finish);
    for (let done = 0; done < op.length; done += chunk) {
      const length = Math.min(chunk, op.length - done);
      const sqe = encodeReadWriteSqe(opcode, 0, this.nsid, (op.offset + done) / blockSize, length / blockSize, false, false, length);
      const dataIn = buffer === null ? null : buffer.subarray(done, done + length);
      const dataOut = source === null ? null : source.subarray(done, done + length);
      this.#send(sqe, dataOut, dataIn, hint, (status) => join.part(status));
    }
  }

  #writeZeroes(op: IoOp, hint: number, callback: IoCallback): void {
    this.#checkRange('writeZeroes', op.offset, op.length);
    // Linux caps Write Zeroes at max_hw_sectors when the controller reports no WZSL.
    const chunk = this.#chunkBytes();
    const parts = Math.ceil(op.length / chunk);
    const finish = (status: number): void => callback(status);
    const join = parts === 1 ? null : new SplitJoin(parts, finish);
    for (let done = 0; done < op.length; done += chunk) {
      const length = Math.min(chunk, op.length - done);
      const sqe = buildWriteZeroes({ cid: 0, nsid: this.nsid, slba: (op.offset + done) / this.blockSize, nlb: length / this.blockSize });
      this.#send(sqe, null, null, hint, join === null ? finish : (status) => join.part(status));
    }
  }

  #deallocate(ranges: readonly ByteRange[], hint: number, callback: IoCallback): void {
    if (ranges.length === 0) throw new RangeError('deallocate: no ranges');
    const dsmRanges: DsmRange[] = [];
    for (const range of ranges) {
      this.#checkRange('deallocate', range.offset, range.length);
      let slba = range.offset / this.blockSize;
      let blocks = range.length / this.blockSize;
      while (blocks > 0) {
        const nlb = Math.min(blocks, MAX_BLOCKS_PER_DSM_RANGE);
        dsmRanges.push({ cattr: 0, nlb, slba });
        slba += nlb;
        blocks -= nlb;
      }
    }
    // host/core.c nvme_setup_discard: at most NVME_DSM_MAX_RANGES ranges per command.
    const parts = Math.ceil(dsmRanges.length / DSM_MAX_RANGES);
    const finish = (status: number): void => callback(status);
    const join = parts === 1 ? null : new SplitJoin(parts, finish);
    for (let index = 0; index < dsmRanges.length; index += DSM_MAX_RANGES) {
      const group = dsmRanges.slice(index, index + DSM_MAX_RANGES);
      const sqe = buildDsm({ cid: 0, nsid: this.nsid, rangeCount: group.length, inCapsule: false });
      this.#send(sqe, encodeDsmRanges(group), null, hint, join === null ? finish : (status) => join.part(status));
    }
  }
}
