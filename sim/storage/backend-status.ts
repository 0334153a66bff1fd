// NVMe statuses a block backend reports, and the range check every backend shares. The values are
// the 15-bit status field of a completion (SCT << 8 | SC; NVMe Base Specification 2.0, section
// 4.6.1.2), taken from the codec's status table (sim/nvme/status.ts) under the names backends use.
import { Status, STATUS_DNR as NVME_STATUS_DNR } from '../nvme/index.js';
import type { BackendStatus } from './backend.js';

/** Successful Completion (generic 0x00). */
export const STATUS_SUCCESS: BackendStatus = Status.SUCCESS;
/** Invalid Field in Command (generic 0x02): offset or length not a multiple of the block size. */
export const STATUS_INVALID_FIELD: BackendStatus = Status.INVALID_FIELD;
/** Internal Error (generic 0x06): the backend failed for a reason that is not the medium's. */
export const STATUS_INTERNAL_ERROR: BackendStatus = Status.INTERNAL;
/** LBA Out of Range (generic 0x80): the access goes past the namespace capacity. */
export const STATUS_LBA_OUT_OF_RANGE: BackendStatus = Status.LBA_RANGE;
/** Write Fault (media and data integrity errors, SCT 2, SC 0x80 = 0x280). */
export const STATUS_WRITE_FAULT: BackendStatus = Status.WRITE_FAULT;
/** Unrecovered Read Error (media and data integrity errors, SCT 2, SC 0x81 = 0x281). */
export const STATUS_UNRECOVERED_READ_ERROR: BackendStatus = Status.READ_ERROR;
/** Do Not Retry bit of the 15-bit status field (bit 14). */
export const STATUS_DNR: BackendStatus = NVME_STATUS_DNR;

/**
 * Checks an access of `length` bytes at `offset` against a namespace. Returns 0 when it is inside
 * the namespace and block aligned, else the status to complete with. The spec's status for an
 * access past the capacity is LBA Out of Range (generic status 80h, NVM Command Set
 * Specification). Linux nvmet differs by backend: its file backend answers errno_to_nvme_status(-ENOSPC), i.e. Capacity
 * Exceeded with DNR (drivers/nvme/target/io-cmd-file.c, nvmet_file_execute_io), so interop
 * checks should accept either. The target decides whether to add DNR.
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
