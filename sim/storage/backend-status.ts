// NVMe statuses a block backend reports, and the range check every backend shares. The values are
// the 15-bit status field of a completion (Status Code Type << 8 | Status Code; NVMe Base
// Specification 2.0, section 4.6.1.2 "Status Field Definition"). They are local here because the
// codec's status table (sim/nvme/status.ts) is a separate concern; the numbers are the same.
import type { BackendStatus } from './backend.js';

/** Successful Completion (generic command status 0x00). */
export const STATUS_SUCCESS: BackendStatus = 0x00;
/** Invalid Field in Command (generic 0x02): offset or length not a multiple of the block size. */
export const STATUS_INVALID_FIELD: BackendStatus = 0x02;
/** Internal Error (generic 0x06): the backend failed for a reason that is not the medium's. */
export const STATUS_INTERNAL_ERROR: BackendStatus = 0x06;
/** LBA Out of Range (generic 0x80): the access goes past the namespace capacity. */
export const STATUS_LBA_OUT_OF_RANGE: BackendStatus = 0x80;
/** Write Fault (media and data integrity errors, SCT 2, SC 0x80). */
export const STATUS_WRITE_FAULT: BackendStatus = 0x280;
/** Unrecovered Read Error (media and data integrity errors, SCT 2, SC 0x81). */
export const STATUS_UNRECOVERED_READ_ERROR: BackendStatus = 0x281;
/** Do Not Retry bit of the 15-bit status field (bit 14; bit 31 of completion dword 3). */
export const STATUS_DNR = 0x4000;

/**
 * Checks an access of `length` bytes at `offset` against a namespace. Returns 0 when it is inside
 * the namespace and block aligned, else the status to complete with. Linux nvmet rejects an access
 * past the capacity with LBA Out of Range before touching the device (drivers/nvme/target/
 * io-cmd-bdev.c and io-cmd-file.c, nvmet_*_execute_rw via blk_to_nvme_status / the file size check);
 * the target adds DNR when it builds the completion.
 */
export function checkRange(offset: number, length: number, sizeBytes: number, blockSize: number): BackendStatus {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    return STATUS_LBA_OUT_OF_RANGE;
  }
  if (offset % blockSize !== 0 || length % blockSize !== 0) return STATUS_INVALID_FIELD;
  if (offset + length > sizeBytes) return STATUS_LBA_OUT_OF_RANGE;
  return STATUS_SUCCESS;
}

/** Checks every range of a deallocate; returns the first failing status or 0. */
export function checkRanges(
  ranges: readonly { offset: number; length: number }[],
  sizeBytes: number,
  blockSize: number,
): BackendStatus {
  for (const range of ranges) {
    const status = checkRange(range.offset, range.length, sizeBytes, blockSize);
    if (status !== STATUS_SUCCESS) return status;
  }
  return STATUS_SUCCESS;
}

/** Throws unless a capacity and block size describe a namespace (used by constructors). */
export function assertGeometry(kind: string, sizeBytes: number, blockSize: number): void {
  if (blockSize !== 512 && blockSize !== 4096) {
    throw new RangeError(`${kind} backend: block size ${blockSize} is not 512 or 4096`);
  }
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes <= 0 || sizeBytes % blockSize !== 0) {
    throw new RangeError(`${kind} backend: size ${sizeBytes} is not a positive multiple of ${blockSize}`);
  }
}
