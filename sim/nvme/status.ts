// NVMe completion status values. A status here is the 15-bit Status Field of completion dword 3
// without the phase tag: SC bits 7:0, SCT bits 10:8, CRD bits 12:11, More bit 13, DNR bit 14 (NVMe
// Base Specification 2.0, section 4.6.1.2, Figure 93). Names and values follow Linux
// include/linux/nvme.h (NVME_SC_*); the descriptions are shortened from nvme-cli's
// nvme_status_to_string (libnvme src/nvme/util.c), so logs read like `nvme` output.

/** Do Not Retry (nvme.h NVME_STATUS_DNR / NVME_SC_DNR). */
export const STATUS_DNR = 0x4000;
/** More status information in the Error Information log (NVME_SC_MORE / NVME_STATUS_MORE). */
export const STATUS_MORE = 0x2000;
/** Command Retry Delay index, bits 12:11 (NVME_SC_CRD / NVME_STATUS_CRD). */
export const STATUS_CRD_MASK = 0x1800;
export const STATUS_SCT_MASK = 0x0700;
export const STATUS_SC_MASK = 0x00ff;

/** Status Code Type (Base 2.0 Figure 94). */
export const StatusCodeType = { GENERIC: 0, COMMAND_SPECIFIC: 1, MEDIA: 2, PATH: 3, VENDOR: 7 } as const;

/**
 * Status values (SCT << 8 | SC). Command-specific codes of SCT 1 are reused by different commands:
 * 0x180..0x184 are Connect errors for a Fabrics Connect and other errors (e.g. 0x180 Conflicting
 * Attributes) for an I/O command; this table holds the Fabrics meaning because that is what this
 * project's target returns.
 */
export const Status = {
  SUCCESS: 0x00,
  INVALID_OPCODE: 0x01,
  INVALID_FIELD: 0x02,
  CMDID_CONFLICT: 0x03,
  DATA_XFER_ERROR: 0x04,
  POWER_LOSS: 0x05,
  INTERNAL: 0x06,
  ABORT_REQ: 0x07,
  /** Command aborted due to SQ deletion (nvme.h NVME_SC_ABORT_QUEUE). */
  ABORT_SQ_DELETED: 0x08,
  FUSED_FAIL: 0x09,
  FUSED_MISSING: 0x0a,
  INVALID_NS: 0x0b,
  CMD_SEQ_ERROR: 0x0c,
  SGL_INVALID_LAST: 0x0d,
  SGL_INVALID_COUNT: 0x0e,
  SGL_INVALID_DATA: 0x0f,
  SGL_INVALID_METADATA: 0x10,
  SGL_INVALID_TYPE: 0x11,
  CMB_INVALID_USE: 0x12,
  PRP_INVALID_OFFSET: 0x13,
  ATOMIC_WU_EXCEEDED: 0x14,
  OP_DENIED: 0x15,
  SGL_INVALID_OFFSET: 0x16,
  HOST_ID_INCONSIST: 0x18,
  KA_TIMEOUT_EXPIRED: 0x19,
  KA_TIMEOUT_INVALID: 0x1a,
  ABORTED_PREEMPT: 0x1b,
  SANITIZE_FAILED: 0x1c,
  SANITIZE_IN_PROGRESS: 0x1d,
  NS_WRITE_PROTECTED: 0x20,
  CMD_INTERRUPTED: 0x21,
  TRANSIENT_TR_ERR: 0x22,
  INVALID_IO_CMD_SET: 0x2c,
  LBA_RANGE: 0x80,
  CAP_EXCEEDED: 0x81,
  NS_NOT_READY: 0x82,
  RESERVATION_CONFLICT: 0x83,
  FORMAT_IN_PROGRESS: 0x84,

  // SCT 1, command specific.
  CQ_INVALID: 0x100,
  QID_INVALID: 0x101,
  QUEUE_SIZE: 0x102,
  ABORT_LIMIT: 0x103,
  ASYNC_LIMIT: 0x105,
  INVALID_LOG_PAGE: 0x109,
  INVALID_FORMAT: 0x10a,
  INVALID_QUEUE: 0x10c,
  FEATURE_NOT_SAVEABLE: 0x10d,
  FEATURE_NOT_CHANGEABLE: 0x10e,
  FEATURE_NOT_PER_NS: 0x10f,
  // Fabrics command status (Fabrics 1.1 Figure 21, Connect only; nvme.h NVME_SC_CONNECT_*).
  CONNECT_FORMAT: 0x180,
  CONNECT_CTRL_BUSY: 0x181,
  CONNECT_INVALID_PARAM: 0x182,
  CONNECT_RESTART_DISC: 0x183,
  CONNECT_INVALID_HOST: 0x184,
  DISCOVERY_RESTART: 0x190,
  AUTH_REQUIRED: 0x191,

  // SCT 2, media and data integrity errors.
  WRITE_FAULT: 0x280,
  READ_ERROR: 0x281,
  GUARD_CHECK: 0x282,
  APPTAG_CHECK: 0x283,
  REFTAG_CHECK: 0x284,
  COMPARE_FAILED: 0x285,
  ACCESS_DENIED: 0x286,
  UNWRITTEN_BLOCK: 0x287,

  // SCT 3, path related (the Linux host fails over to another path on these).
  INTERNAL_PATH_ERROR: 0x300,
  ANA_PERSISTENT_LOSS: 0x301,
  ANA_INACCESSIBLE: 0x302,
  ANA_TRANSITION: 0x303,
  CTRL_PATH_ERROR: 0x360,
  /** The Linux host completes commands with this when the transport connection dies. */
  HOST_PATH_ERROR: 0x370,
  HOST_ABORTED_CMD: 0x371,
} as const;
export type StatusName = keyof typeof Status;

const DESCRIPTIONS: Partial<Record<StatusName, string>> = {
  SUCCESS: 'Successful Completion',
  INVALID_OPCODE: 'Invalid Command Opcode',
  INVALID_FIELD: 'A reserved coded value or an unsupported value in a defined field',
  CMDID_CONFLICT: 'Command Identifier Conflict',
  DATA_XFER_ERROR: 'Data Transfer Error',
  POWER_LOSS: 'Commands Aborted due to Power Loss Notification',
  INTERNAL: 'Internal Error',
  ABORT_REQ: 'Command Abort Requested',
  ABORT_SQ_DELETED: 'Command Aborted due to SQ Deletion',
  INVALID_NS: 'Invalid Namespace or Format',
  CMD_SEQ_ERROR: 'Command Sequence Error',
  SGL_INVALID_TYPE: 'SGL Descriptor Type Invalid',
  SGL_INVALID_OFFSET: 'SGL Offset Invalid',
  KA_TIMEOUT_EXPIRED: 'Keep Alive Timer Expired',
  KA_TIMEOUT_INVALID: 'Keep Alive Timeout Invalid',
  TRANSIENT_TR_ERR: 'Transient Transport Error',
  LBA_RANGE: 'LBA Out of Range',
  CAP_EXCEEDED: 'Capacity Exceeded',
  NS_NOT_READY: 'Namespace Not Ready',
  RESERVATION_CONFLICT: 'Reservation Conflict',
  QID_INVALID: 'Invalid Queue Identifier',
  QUEUE_SIZE: 'Invalid Queue Size',
  ABORT_LIMIT: 'Abort Command Limit Exceeded',
  ASYNC_LIMIT: 'Asynchronous Event Request Limit Exceeded',
  INVALID_LOG_PAGE: 'Invalid Log Page',
  FEATURE_NOT_SAVEABLE: 'Feature Identifier Not Saveable',
  FEATURE_NOT_CHANGEABLE: 'Feature Not Changeable',
  CONNECT_FORMAT: 'Incompatible Format',
  CONNECT_CTRL_BUSY: 'Controller Busy',
  CONNECT_INVALID_PARAM: 'Connect Invalid Parameters',
  CONNECT_RESTART_DISC: 'Connect Restart Discovery',
  CONNECT_INVALID_HOST: 'Connect Invalid Host',
  DISCOVERY_RESTART: 'Discover Restart',
  AUTH_REQUIRED: 'Authentication Required',
  WRITE_FAULT: 'Write Fault',
  READ_ERROR: 'Unrecovered Read Error',
  GUARD_CHECK: 'End-to-end Guard Check Error',
  COMPARE_FAILED: 'Compare Failure',
  ACCESS_DENIED: 'Access Denied',
  INTERNAL_PATH_ERROR: 'Internal Pathing Error',
  ANA_PERSISTENT_LOSS: 'Asymmetric Access Persistent Loss',
  ANA_INACCESSIBLE: 'Asymmetric Access Inaccessible',
  ANA_TRANSITION: 'Asymmetric Access Transition',
  CTRL_PATH_ERROR: 'Controller Pathing Error',
  HOST_PATH_ERROR: 'Host Pathing Error',
  HOST_ABORTED_CMD: 'Command Aborted By Host',
};

const NAMES = new Map<number, StatusName>();
for (const [name, value] of Object.entries(Status) as [StatusName, number][]) NAMES.set(value, name);

/** Status Code Type, bits 10:8. */
export function statusCodeType(status: number): number {
  return (status & STATUS_SCT_MASK) >> 8;
}

/** Status Code, bits 7:0. */
export function statusCode(status: number): number {
  return status & STATUS_SC_MASK;
}

/** SCT and SC only, without DNR, More and CRD: the value to compare against `Status`. */
export function statusBase(status: number): number {
  return status & (STATUS_SCT_MASK | STATUS_SC_MASK);
}

export function isDnr(status: number): boolean {
  return (status & STATUS_DNR) !== 0;
}

export function isMore(status: number): boolean {
  return (status & STATUS_MORE) !== 0;
}

/** Command Retry Delay index (0 = retry immediately, 1..3 index CRDT1..3 of Identify Controller). */
export function statusCrd(status: number): number {
  return (status & STATUS_CRD_MASK) >> 11;
}

export function withDnr(status: number): number {
  return status | STATUS_DNR;
}

export function isSuccess(status: number): boolean {
  return statusBase(status) === Status.SUCCESS;
}

/**
 * nvme-cli-like text for a status, e.g. "INVALID_FIELD: A reserved coded value or an unsupported
 * value in a defined field". Flags are not included; see formatStatus.
 */
export function statusName(status: number): string {
  const base = statusBase(status);
  const name = NAMES.get(base);
  if (name === undefined) {
    return `UNKNOWN: SCT 0x${statusCodeType(status).toString(16)} SC 0x${statusCode(status).toString(16).padStart(2, '0')}`;
  }
  const description = DESCRIPTIONS[name];
  return description === undefined ? name : `${name}: ${description}`;
}

/** statusName plus the raw value and flags, as nvme-cli prints it: "INVALID_FIELD: ... (0x4002, DNR)". */
export function formatStatus(status: number): string {
  const flags: string[] = [];
  if (isDnr(status)) flags.push('DNR');
  if (isMore(status)) flags.push('MORE');
  if (statusCrd(status) !== 0) flags.push(`CRD${statusCrd(status)}`);
  const hex = `0x${status.toString(16).padStart(4, '0')}`;
  return `${statusName(status)} (${[hex, ...flags].join(', ')})`;
}

/** A command completed with a non-zero status. `status` is the 15-bit value including DNR. */
export class NvmeStatusError extends Error {
  readonly status: number;
  constructor(status: number, message?: string) {
    super(message ?? formatStatus(status));
    this.name = 'NvmeStatusError';
    this.status = status;
  }
}
