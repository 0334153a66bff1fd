// Fabrics commands: Connect (command, 1024-byte data, responses), Property Get/Set and Disconnect.
// The fixtures are what the Linux host sends for an admin-queue connect (host/fabrics.c
// nvmf_connect_admin_queue: qid 0, sqsize NVME_AQ_DEPTH - 1 = 31, kato 5000 ms, cntlid 0xffff) and
// for reading CAP (nvmf_reg_read64).
import test from 'ava';
import { CNTLID_DYNAMIC, FabricsType, SGL_IN_CAPSULE, SGL_TRANSPORT } from '../sim/nvme/constants.js';
import {
  adminConnectData,
  buildConnect,
  buildDisconnect,
  buildPropertyGet,
  buildPropertySet,
  ConnectAuthReq,
  ConnectDataOffset,
  ConnectIattr,
  ConnectSqeOffset,
  decodeConnectData,
  decodeConnectInvalidParam,
  decodeConnectResult,
  encodeConnectData,
  encodeConnectInvalidParam,
  encodeConnectResult,
  parseConnect,
  parsePropertyGet,
  parsePropertySet,
} from '../sim/nvme/fabrics.js';
import { RegisterOffset } from '../sim/nvme/registers.js';
import { decodeSqe, encodeSqe, fabricsType, sqeFabricsType } from '../sim/nvme/sqe.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function fixture(length: number, fields: readonly (readonly [number, number, number | bigint])[]): Uint8Array {
  const out = new Uint8Array(length);
  for (const [offset, width, value] of fields) {
    let rest = BigInt(value);
    for (let index = 0; index < width; index++) {
      out[offset + index] = Number(rest & 0xffn);
      rest >>= 8n;
    }
  }
  return out;
}

const HOSTID = '0f01fb42-9f7f-4856-b0b3-51e60b8de349';
const HOSTNQN = `nqn.2014-08.org.nvmexpress:uuid:${HOSTID}`;
const SUBNQN = 'blktests-subsystem-1';

test('nvme-fabrics: admin Connect command bytes', (t) => {
  const bytes = buildConnect({ cid: 0x0001, qid: 0, sqsize: 31, kato: 5000 });
  const expected = fixture(64, [
    [0, 1, 0x7f], // opcode: fabrics
    [1, 1, 0x40], // PSDT: SGL, MPTR is an address
    [2, 2, 0x0001], // cid
    [4, 1, 0x01], // fctype: Connect
    [32, 4, 1024], // SGL length: the Connect data
    [39, 1, 0x01], // SGL identifier: data block, offset (in-capsule)
    [40, 2, 0], // recfmt
    [42, 2, 0], // qid
    [44, 2, 31], // sqsize, 0's based
    [46, 1, 0], // cattr
    [48, 4, 5000], // kato, ms
  ]);
  t.is(hex(bytes), hex(expected));
  const sqe = decodeSqe(bytes);
  t.is(fabricsType(bytes), FabricsType.CONNECT);
  t.is(sqeFabricsType(sqe), FabricsType.CONNECT);
  t.is(sqe.sglType, SGL_IN_CAPSULE);
  t.deepEqual(parseConnect(sqe), { recfmt: 0, qid: 0, sqsize: 31, cattr: 0, kato: 5000 });
});

test('nvme-fabrics: I/O queue Connect round trip', (t) => {
  const sqe = decodeSqe(buildConnect({ cid: 0x1234, qid: 3, sqsize: 127, cattr: 1 << 2, recfmt: 0 }));
  t.deepEqual(parseConnect(sqe), { recfmt: 0, qid: 3, sqsize: 127, cattr: 4, kato: 0 });
  t.is(decodeSqe(buildConnect({ cid: 1, qid: 1, sqsize: 1 }, { inCapsule: false })).sglType, SGL_TRANSPORT);
});

test('nvme-fabrics: Connect data bytes', (t) => {
  const data = encodeConnectData(adminConnectData({ hostid: HOSTID, subnqn: SUBNQN, hostnqn: HOSTNQN }));
  t.is(data.byteLength, 1024);
  t.is(hex(data.subarray(0, 16)), '0f01fb429f7f4856b0b351e60b8de349');
  t.is(hex(data.subarray(16, 18)), 'ffff');
  t.true(data.subarray(18, 256).every((byte) => byte === 0));
  t.is(Buffer.from(data.subarray(256, 256 + SUBNQN.length)).toString('latin1'), SUBNQN);
  t.is(data[256 + SUBNQN.length], 0);
  t.is(Buffer.from(data.subarray(512, 512 + HOSTNQN.length)).toString('latin1'), HOSTNQN);
  t.true(data.subarray(512 + HOSTNQN.length).every((byte) => byte === 0));
  t.deepEqual(decodeConnectData(data), { hostid: HOSTID, cntlid: CNTLID_DYNAMIC, subnqn: SUBNQN, hostnqn: HOSTNQN });
});

test('nvme-fabrics: Connect data decode stops at the 256-byte field even without a NUL', (t) => {
  const data = encodeConnectData({ hostid: HOSTID, cntlid: 1, subnqn: 'x', hostnqn: HOSTNQN });
  data.fill(0x61, 256, 512); // 256 x 'a', no terminator
  t.is(decodeConnectData(data).subnqn, 'a'.repeat(256));
  t.is(decodeConnectData(data).hostnqn, HOSTNQN);
});

test('nvme-fabrics: Connect data errors', (t) => {
  t.throws(() => decodeConnectData(new Uint8Array(1023)), { instanceOf: RangeError, message: 'decodeConnectData: need 1024 bytes, got 1023' });
  t.throws(() => encodeConnectData({ hostid: 'not-a-uuid', cntlid: 1, subnqn: SUBNQN, hostnqn: HOSTNQN }), {
    instanceOf: RangeError,
    message: "uuid: 'not-a-uuid' is not a UUID (8-4-4-4-12 hex digits)",
  });
  t.throws(() => encodeConnectData({ hostid: HOSTID, cntlid: 1, subnqn: 'n'.repeat(224), hostnqn: HOSTNQN }), {
    instanceOf: RangeError,
    message: 'connect data subnqn: NQN longer than 223 bytes',
  });
});

test('nvme-fabrics: Connect responses', (t) => {
  t.is(encodeConnectResult({ cntlid: 0x0005, authreq: 0 }), 0x00000005);
  t.deepEqual(decodeConnectResult(0x00040007), { cntlid: 7, authreq: ConnectAuthReq.ASCR });
  // Linux nvmet IPO_IATTR_CONNECT_DATA(cntlid) = (1 << 16) | offsetof(cntlid).
  t.is(encodeConnectInvalidParam({ ipo: ConnectDataOffset.CNTLID, iattr: ConnectIattr.DATA }), 0x00010010);
  t.is(encodeConnectInvalidParam({ ipo: ConnectSqeOffset.SQSIZE, iattr: ConnectIattr.SQE }), 44);
  t.deepEqual(decodeConnectInvalidParam(0x00010200), { ipo: 512, iattr: 1 });
});

test('nvme-fabrics: Property Get of CAP bytes', (t) => {
  const bytes = buildPropertyGet({ cid: 0x0002, size: 8, offset: RegisterOffset.CAP });
  const expected = fixture(64, [
    [0, 1, 0x7f],
    [1, 1, 0x40],
    [2, 2, 0x0002],
    [4, 1, 0x04], // fctype: Property Get
    [39, 1, 0x5a], // null transport SGL
    [40, 1, 0x01], // attrib: 8 bytes
    [44, 4, 0x00], // offset: CAP
  ]);
  t.is(hex(bytes), hex(expected));
  t.deepEqual(parsePropertyGet(decodeSqe(bytes)), { size: 8, offset: 0 });
  t.deepEqual(parsePropertyGet(decodeSqe(buildPropertyGet({ cid: 1, size: 4, offset: RegisterOffset.CSTS }))), { size: 4, offset: 0x1c });
});

test('nvme-fabrics: Property Set of CC and a reserved size', (t) => {
  const bytes = buildPropertySet({ cid: 3, size: 4, offset: RegisterOffset.CC, value: 0x00460001n });
  t.is(bytes[4], FabricsType.PROPERTY_SET);
  t.is(hex(bytes.subarray(40, 56)), hex(fixture(16, [[4, 4, 0x14], [8, 4, 0x00460001]])));
  t.deepEqual(parsePropertySet(decodeSqe(bytes)), { size: 4, offset: 0x14, value: 0x00460001n });
  const wide = buildPropertySet({ cid: 3, size: 8, offset: 0, value: 0x1122334455667788n });
  t.is(parsePropertySet(decodeSqe(wide)).value, 0x1122334455667788n);
  t.throws(() => buildPropertySet({ cid: 1, size: 4, offset: 0x14, value: 1n << 32n }), {
    message: 'buildPropertySet: value 4294967296 does not fit in 4 bytes',
  });
  const reserved = decodeSqe(encodeSqe({ opcode: 0x7f, cid: 1, nsid: FabricsType.PROPERTY_GET, cdw10: 2 }));
  t.throws(() => parsePropertyGet(reserved), { instanceOf: RangeError, message: 'property attrib size 2 is reserved (0 = 4 bytes, 1 = 8 bytes)' });
});

test('nvme-fabrics: Disconnect', (t) => {
  const bytes = buildDisconnect({ cid: 9 });
  t.is(bytes[0], 0x7f);
  t.is(fabricsType(bytes), FabricsType.DISCONNECT);
});
