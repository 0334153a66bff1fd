// The controller's Error Information log (LID 01h), kept like Linux nvmet's ring of
// NVMET_ERROR_LOG_SLOTS entries (drivers/nvme/target/core.c nvmet_set_error, admin-cmd.c
// nvmet_execute_get_log_page_error): every failed command that names an error location gets an
// entry with an incrementing error count, and the log is read newest first.
import { encodeErrorLog, ERROR_LOG_ENTRY_BYTES } from '../nvme/index.js';
import type { ErrorLogEntry } from '../nvme/index.js';

/** NVMET_ERROR_LOG_SLOTS; Identify Controller ELPE is this minus one. */
export const ERROR_LOG_SLOTS = 128;

/** TRTYPE recorded in entries: Linux leaves it 0 (nvmet_set_error does not set it). */
const TRTYPE_UNSET = 0;

export interface ErrorRecord {
  readonly sqid: number;
  readonly cid: number;
  readonly status: number;
  /** Byte offset of the offending field in the command (Linux req->error_loc). */
  readonly location: number;
  readonly lba: number;
  readonly nsid: number;
}

export class ErrorLog {
  readonly #slots: (ErrorLogEntry | undefined)[] = new Array<ErrorLogEntry | undefined>(ERROR_LOG_SLOTS);
  #count = 0;

  /** Total errors recorded (SMART "number of error information log entries"). */
  get count(): number {
    return this.#count;
  }

  record(error: ErrorRecord): void {
    this.#count++;
    this.#slots[this.#count % ERROR_LOG_SLOTS] = {
      errorCount: this.#count,
      sqid: error.sqid,
      cid: error.cid,
      status: error.status,
      parameterErrorLocation: error.location,
      lba: error.lba,
      nsid: error.nsid,
      vendorSpecific: 0,
      trtype: TRTYPE_UNSET,
      commandSpecific: 0,
      transportTypeSpecific: 0,
    };
  }

  /** All slots, newest first; unused slots are zero entries. */
  encode(): Uint8Array {
    const entries: ErrorLogEntry[] = [];
    let slot = this.#count % ERROR_LOG_SLOTS;
    for (let index = 0; index < ERROR_LOG_SLOTS; index++) {
      entries.push(this.#slots[slot] ?? EMPTY_ENTRY);
      slot = slot === 0 ? ERROR_LOG_SLOTS - 1 : slot - 1;
    }
    return encodeErrorLog(entries);
  }
}

const EMPTY_ENTRY: ErrorLogEntry = {
  errorCount: 0,
  sqid: 0,
  cid: 0,
  status: 0,
  parameterErrorLocation: 0,
  lba: 0,
  nsid: 0,
  vendorSpecific: 0,
  trtype: 0,
  commandSpecific: 0,
  transportTypeSpecific: 0,
};

/** Bytes of the full log. */
export const ERROR_LOG_BYTES = ERROR_LOG_SLOTS * ERROR_LOG_ENTRY_BYTES;
