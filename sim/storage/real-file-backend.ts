// A namespace on a regular file or a block device, through node:fs positional reads and writes
// (the libuv thread pool runs them concurrently). This mirrors Linux nvmet's file backend
// (drivers/nvme/target/io-cmd-file.c): Flush is fdatasync, and deallocate and write-zeroes become
// writes of zeroes, because Node has no fallocate(PUNCH_HOLE). A file shorter than the namespace
// reads as zeroes past its end (the file is sparse there).
import * as fs from 'node:fs';
import type { BackendCallback, BackendReadCallback, BlockBackend } from './backend.js';
import {
  assertGeometry,
  checkRange,
  checkRanges,
  STATUS_SUCCESS,
  STATUS_UNRECOVERED_READ_ERROR,
  STATUS_WRITE_FAULT,
  STATUS_INTERNAL_ERROR,
} from './backend-status.js';

export interface FileBackendOpenOptions {
  /** Create the file when it does not exist (then sizeBytes is required). */
  readonly create?: boolean;
  /** Namespace size; a regular file shorter than this is extended (sparse). Default: the file's size. */
  readonly sizeBytes?: number;
  /** LBA size: 512 (default) or 4096. */
  readonly blockSize?: number;
}

/** Zero buffer size used by writeZeroes and deallocate: one write per MiB. */
const ZERO_WRITE_BYTES = 1024 * 1024;

export class FileBackend implements BlockBackend {
  readonly kind = 'file';
  readonly path: string;
  readonly sizeBytes: number;
  readonly blockSize: number;
  #fd: number | undefined;
  #zeroes: Uint8Array | undefined;

  private constructor(path: string, fd: number, sizeBytes: number, blockSize: number) {
    this.path = path;
    this.#fd = fd;
    this.sizeBytes = sizeBytes;
    this.blockSize = blockSize;
  }

  /** Opens (or creates) the file or block device at `path` read-write. */
  static async open(path: string, options: FileBackendOpenOptions = {}): Promise<FileBackend> {
    const blockSize = options.blockSize ?? 512;
    // Raw descriptors, not fs.promises FileHandles: an unclosed FileHandle is closed when it is
    // garbage collected, which would pull the descriptor from under the backend.
    let fd: number;
    try {
      fd = await openFd(path, 'r+');
    } catch (error) {
      if (!(options.create === true && (error as NodeJS.ErrnoException).code === 'ENOENT')) throw error;
      if (options.sizeBytes === undefined) throw new Error(`file backend: creating ${path} needs a size`);
      // 'wx+' creates exclusively: a file that appeared meanwhile is not truncated.
      fd = await openFd(path, 'wx+');
    }
    try {
      const stat = await new Promise<fs.Stats>((resolve, reject) =>
        fs.fstat(fd, (error, stats) => (error === null ? resolve(stats) : reject(error))),
      );
      let sizeBytes: number;
      if (stat.isBlockDevice()) {
        const deviceBytes = await blockDeviceBytes(stat.rdev);
        sizeBytes = options.sizeBytes ?? deviceBytes;
        if (sizeBytes > deviceBytes) {
          throw new Error(`file backend: ${path} holds ${deviceBytes} bytes, less than ${sizeBytes}`);
        }
      } else if (stat.isFile()) {
        if (options.sizeBytes !== undefined && stat.size < options.sizeBytes) {
          await new Promise<void>((resolve, reject) =>
            fs.ftruncate(fd, options.sizeBytes, (error) => (error === null ? resolve() : reject(error))),
          );
        }
        sizeBytes = options.sizeBytes ?? stat.size - (stat.size % blockSize);
      } else {
        throw new Error(`file backend: ${path} is not a regular file or block device`);
      }
      assertGeometry('file', sizeBytes, blockSize);
      return new FileBackend(path, fd, sizeBytes, blockSize);
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
  }

  read(offset: number, length: number, callback: BackendReadCallback): void {
    const status = checkRange(offset, length, this.sizeBytes, this.blockSize);
    const fd = this.#fd;
    if (status !== STATUS_SUCCESS || fd === undefined) {
      callback(status === STATUS_SUCCESS ? STATUS_INTERNAL_ERROR : status, undefined);
      return;
    }
    const buffer = new Uint8Array(length);
    const step = (done: number): void => {
      if (done === length) return callback(STATUS_SUCCESS, buffer);
      fs.read(fd, buffer, done, length - done, offset + done, (error, bytesRead) => {
        if (error !== null) return callback(STATUS_UNRECOVERED_READ_ERROR, undefined);
        // End of a short regular file: the rest reads as zeroes, already in the fresh buffer.
        if (bytesRead === 0) return callback(STATUS_SUCCESS, buffer);
        step(done + bytesRead);
      });
    };
    step(0);
  }

  write(offset: number, data: Uint8Array, callback: BackendCallback): void {
    const status = checkRange(offset, data.length, this.sizeBytes, this.blockSize);
    if (status !== STATUS_SUCCESS) return callback(status);
    this.#writeAll(offset, data, callback);
  }

  flush(callback: BackendCallback): void {
    const fd = this.#fd;
    if (fd === undefined) return callback(STATUS_INTERNAL_ERROR);
    // nvmet's file backend flushes with vfs_fsync(..., datasync) (io-cmd-file.c, nvmet_file_flush).
    fs.fdatasync(fd, (error) => callback(error === null ? STATUS_SUCCESS : STATUS_WRITE_FAULT));
  }

  writeZeroes(offset: number, length: number, callback: BackendCallback): void {
    const status = checkRange(offset, length, this.sizeBytes, this.blockSize);
    if (status !== STATUS_SUCCESS) return callback(status);
    this.#zeroRange(offset, length, callback);
  }

  deallocate(ranges: readonly { offset: number; length: number }[], callback: BackendCallback): void {
    const status = checkRanges(ranges, this.sizeBytes, this.blockSize);
    if (status !== STATUS_SUCCESS) return callback(status);
    const next = (index: number): void => {
      const range = ranges[index];
      if (range === undefined) return callback(STATUS_SUCCESS);
      this.#zeroRange(range.offset, range.length, (rangeStatus) => {
        if (rangeStatus !== STATUS_SUCCESS) return callback(rangeStatus);
        next(index + 1);
      });
    };
    next(0);
  }

  async close(): Promise<void> {
    const fd = this.#fd;
    if (fd === undefined) return;
    this.#fd = undefined;
    await new Promise<void>((resolve, reject) => fs.close(fd, (error) => (error === null ? resolve() : reject(error))));
  }

  #writeAll(offset: number, data: Uint8Array, callback: BackendCallback): void {
    const fd = this.#fd;
    if (fd === undefined) return callback(STATUS_INTERNAL_ERROR);
    const step = (done: number): void => {
      if (done === data.length) return callback(STATUS_SUCCESS);
      fs.write(fd, data, done, data.length - done, offset + done, (error, written) => {
        if (error !== null || written === 0) return callback(STATUS_WRITE_FAULT);
        step(done + written);
      });
    };
    step(0);
  }

  #zeroRange(offset: number, length: number, callback: BackendCallback): void {
    const zeroes = (this.#zeroes ??= new Uint8Array(ZERO_WRITE_BYTES));
    const step = (done: number): void => {
      if (done === length) return callback(STATUS_SUCCESS);
      const count = Math.min(ZERO_WRITE_BYTES, length - done);
      this.#writeAll(offset + done, zeroes.subarray(0, count), (status) => {
        if (status !== STATUS_SUCCESS) return callback(status);
        step(done + count);
      });
    };
    step(0);
  }
}

/**
 * Size of a block device. fstat reports 0 for block devices, and Node has no lseek(SEEK_END) or
 * BLKGETSIZE64 ioctl, so read sysfs: /sys/dev/block/MAJOR:MINOR/size counts 512-byte sectors
 * whatever the logical block size (Documentation/ABI/stable/sysfs-block, "size").
 */
function openFd(path: string, flags: string): Promise<number> {
  return new Promise((resolve, reject) =>
    fs.open(path, flags, (error, fd) => (error === null ? resolve(fd) : reject(error))),
  );
}

async function blockDeviceBytes(rdev: number): Promise<number> {
  // glibc's gnu_dev_major/gnu_dev_minor split of a dev_t (sys/sysmacros.h).
  const high = Math.floor(rdev / 2 ** 32);
  const low = rdev % 2 ** 32;
  const major = ((low >>> 8) & 0xfff) | ((high & 0xfffff000) >>> 0);
  const minor = (low & 0xff) | ((low >>> 12) & 0xfff00);
  const text = await fs.promises.readFile(`/sys/dev/block/${major}:${minor}/size`, 'utf8');
  return Number(text.trim()) * 512;
}
