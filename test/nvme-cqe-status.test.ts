// Completion queue entries and the 15-bit status field: layout (phase tag below the status), the
// 64-bit result of Property Get, and the status helpers the target and host log with.
import test from 'ava';
import { cqeResult64, decodeCqe, encodeCqe, encodeCqeInto, result64Dwords } from '../sim/nvme/cqe.js';
import {
  formatStatus,
  isDnr,
  isMore,
  isSuccess,
  NvmeStatusError,
  Status,
  statusBase,
  statusCode,
  statusCodeType,
  statusCrd,
  statusName,
  withDnr,
} from '../sim/nvme/status.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

test('nvme-cqe: layout puts status above the phase bit', (t) => {
  const cqe = { dw0: 0x04030201, dw1: 0x08070605, sqhd: 0x0a09, sqid: 0x0c0b, cid: 0x0e0d, status: withDnr(Status.INVALID_FIELD) };
  // status 0x4002 << 1 = 0x8004, little-endian.
  t.is(hex(encodeCqe(cqe)), '0102030405060708090a0b0c0d0e0480');
  t.deepEqual(decodeCqe(encodeCqe(cqe)), cqe);
});

test('nvme-cqe: decode ignores the phase tag; encode into a PDU at an offset', (t) => {
  const bytes = encodeCqe({ cid: 1, status: 0 });
  bytes[14] = 0x01; // a PCIe-style phase tag
  t.is(decodeCqe(bytes).status, 0);
  const pdu = new Uint8Array(24);
  encodeCqeInto(pdu, 8, { cid: 0x42, status: Status.CONNECT_INVALID_HOST });
  t.deepEqual(decodeCqe(pdu.subarray(8)), { dw0: 0, dw1: 0, sqhd: 0, sqid: 0, cid: 0x42, status: 0x184 });
});

test('nvme-cqe: 64-bit results split across dw0 and dw1', (t) => {
  const cap = 0x0000_0020_0f01_03ffn;
  const dwords = result64Dwords(cap);
  t.deepEqual(dwords, { dw0: 0x0f0103ff, dw1: 0x20 });
  t.is(cqeResult64(decodeCqe(encodeCqe({ cid: 1, ...dwords }))), cap);
  t.throws(() => result64Dwords(1n << 64n), { instanceOf: RangeError });
});

test('nvme-cqe: malformed input', (t) => {
  t.throws(() => decodeCqe(new Uint8Array(15)), { instanceOf: RangeError, message: 'decodeCqe: need 16 bytes, got 15' });
  t.throws(() => encodeCqe({ cid: 1, status: 0x8000 }), { instanceOf: RangeError, message: 'cqe.status: 32768 is not an unsigned 15-bit integer' });
  t.throws(() => encodeCqeInto(new Uint8Array(20), 8, { cid: 1 }), { message: 'encodeCqeInto: need 16 bytes at offset 8, got 20' });
});

test('nvme-status: field helpers', (t) => {
  const status = withDnr(Status.CONNECT_INVALID_PARAM);
  t.is(status, 0x4182);
  t.is(statusCodeType(status), 1);
  t.is(statusCode(status), 0x82);
  t.is(statusBase(status), Status.CONNECT_INVALID_PARAM);
  t.true(isDnr(status));
  t.false(isDnr(Status.HOST_PATH_ERROR));
  t.true(isMore(0x2002));
  t.is(statusCrd(0x1802), 3);
  t.true(isSuccess(0));
  t.false(isSuccess(Status.LBA_RANGE));
  t.is(statusCodeType(Status.READ_ERROR), 2);
  t.is(statusCodeType(Status.ANA_TRANSITION), 3);
});

test('nvme-status: values match include/linux/nvme.h', (t) => {
  t.like(Status, {
    INVALID_OPCODE: 0x01,
    INVALID_FIELD: 0x02,
    CMDID_CONFLICT: 0x03,
    DATA_XFER_ERROR: 0x04,
    INTERNAL: 0x06,
    ABORT_REQ: 0x07,
    ABORT_SQ_DELETED: 0x08,
    INVALID_NS: 0x0b,
    CMD_SEQ_ERROR: 0x0c,
    SGL_INVALID_TYPE: 0x11,
    SGL_INVALID_OFFSET: 0x16,
    LBA_RANGE: 0x80,
    CAP_EXCEEDED: 0x81,
    NS_NOT_READY: 0x82,
    CONNECT_FORMAT: 0x180,
    CONNECT_CTRL_BUSY: 0x181,
    CONNECT_INVALID_PARAM: 0x182,
    CONNECT_RESTART_DISC: 0x183,
    CONNECT_INVALID_HOST: 0x184,
    DISCOVERY_RESTART: 0x190,
    AUTH_REQUIRED: 0x191,
    WRITE_FAULT: 0x280,
    READ_ERROR: 0x281,
    INTERNAL_PATH_ERROR: 0x300,
    ANA_PERSISTENT_LOSS: 0x301,
    ANA_INACCESSIBLE: 0x302,
    ANA_TRANSITION: 0x303,
    CTRL_PATH_ERROR: 0x360,
    HOST_PATH_ERROR: 0x370,
    HOST_ABORTED_CMD: 0x371,
  });
});

test('nvme-status: names and formatting like nvme-cli', (t) => {
  t.is(statusName(0x4002), 'INVALID_FIELD: A reserved coded value or an unsupported value in a defined field');
  t.is(statusName(Status.CONNECT_INVALID_HOST), 'CONNECT_INVALID_HOST: Connect Invalid Host');
  t.is(statusName(0x7ff), 'UNKNOWN: SCT 0x7 SC 0xff');
  t.is(formatStatus(0x4002), 'INVALID_FIELD: A reserved coded value or an unsupported value in a defined field (0x4002, DNR)');
  t.is(formatStatus(0x0370), 'HOST_PATH_ERROR: Host Pathing Error (0x0370)');
  t.is(formatStatus(0x3880), 'LBA_RANGE: LBA Out of Range (0x3880, MORE, CRD3)');
});

test('nvme-status: NvmeStatusError carries the status', (t) => {
  const error = new NvmeStatusError(withDnr(Status.INVALID_NS));
  t.true(error instanceof Error);
  t.is(error.name, 'NvmeStatusError');
  t.is(error.status, 0x400b);
  t.is(error.message, 'INVALID_NS: Invalid Namespace or Format (0x400b, DNR)');
  t.is(new NvmeStatusError(6, 'read failed').message, 'read failed');
});
