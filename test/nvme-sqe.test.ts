// Submission queue entries: the 64-byte layout, the SGL forms the Linux TCP host uses, the command
// builders and their field accessors. Fixtures are written byte by byte from the NVMe Base 2.0
// Figure 88 layout, independently of the encoder under test.
import test from 'ava';
import { AdminOpcode, FABRICS_OPCODE, IoOpcode, LogPageId, SGL_IN_CAPSULE, SGL_TRANSPORT } from '../sim/nvme/constants.js';
import {
  abortFields,
  buildAbort,
  buildAsyncEventRequest,
  buildDsm,
  buildFlush,
  buildGetFeatures,
  buildGetLogPage,
  buildIdentify,
  buildKeepAlive,
  buildRead,
  buildSetFeatures,
  buildWrite,
  buildWriteZeroes,
  decodeDsmRanges,
  decodeSqe,
  dsmFields,
  DsmAttribute,
  encodeDsmRanges,
  encodeSqe,
  encodeSqeInto,
  fabricsType,
  featureFields,
  getLogPageFields,
  identifyFields,
  isInCapsule,
  readWriteFields,
  sqeFabricsType,
  SqeFlag,
} from '../sim/nvme/sqe.js';
import type { Sqe } from '../sim/nvme/sqe.js';

/** Writes little-endian values into a zeroed buffer: [offset, byteWidth, value]. */
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

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

const FULL_SQE: Sqe = {
  opcode: 0x02,
  flags: 0x40,
  cid: 0xbeef,
  nsid: 0x01020304,
  cdw2: 0x11111111,
  cdw3: 0x22222222,
  mptr: 0x3333333344444444n,
  sglType: 0x5a,
  sglAddress: 0x5555555566666666n,
  sglLength: 0x00010000,
  cdw10: 0xaaaaaaaa,
  cdw11: 0xbbbbbbbb,
  cdw12: 0xcccccccc,
  cdw13: 0xdddddddd,
  cdw14: 0xeeeeeeee,
  cdw15: 0xffffffff,
};

test('nvme-sqe: every field sits at its Figure 88 offset', (t) => {
  const expected = fixture(64, [
    [0, 1, 0x02],
    [1, 1, 0x40],
    [2, 2, 0xbeef],
    [4, 4, 0x01020304],
    [8, 4, 0x11111111],
    [12, 4, 0x22222222],
    [16, 8, 0x3333333344444444n],
    [24, 8, 0x5555555566666666n],
    [32, 4, 0x00010000],
    [39, 1, 0x5a],
    [40, 4, 0xaaaaaaaa],
    [44, 4, 0xbbbbbbbb],
    [48, 4, 0xcccccccc],
    [52, 4, 0xdddddddd],
    [56, 4, 0xeeeeeeee],
    [60, 4, 0xffffffff],
  ]);
  t.is(hex(encodeSqe(FULL_SQE)), hex(expected));
  t.deepEqual(decodeSqe(expected), FULL_SQE);
});

test('nvme-sqe: decode reads a view inside a larger buffer (a CapsuleCmd PDU)', (t) => {
  const pdu = new Uint8Array(8 + 64 + 16);
  encodeSqeInto(pdu, 8, FULL_SQE);
  t.deepEqual(decodeSqe(pdu.subarray(8, 72)), FULL_SQE);
});

test('nvme-sqe: defaults are SGL_METABUF flags and a null transport SGL', (t) => {
  const sqe = decodeSqe(encodeSqe({ opcode: AdminOpcode.KEEP_ALIVE, cid: 7 }));
  t.is(sqe.flags, SqeFlag.SGL_METABUF);
  t.is(sqe.sglType, SGL_TRANSPORT);
  t.is(sqe.sglLength, 0);
  t.is(sqe.sglAddress, 0n);
  t.is(sqe.nsid, 0);
});

test('nvme-sqe: short buffers and out-of-range fields throw RangeError', (t) => {
  t.throws(() => decodeSqe(new Uint8Array(10)), { instanceOf: RangeError, message: 'decodeSqe: need 64 bytes, got 10' });
  t.throws(() => encodeSqeInto(new Uint8Array(64), 10, FULL_SQE), {
    instanceOf: RangeError,
    message: 'encodeSqeInto: need 64 bytes at offset 10, got 64',
  });
  t.throws(() => encodeSqe({ opcode: 1, cid: 0x10000 }), { instanceOf: RangeError, message: 'sqe.cid: 65536 is not an unsigned 16-bit integer' });
  t.throws(() => fabricsType(new Uint8Array(63)), { instanceOf: RangeError, message: 'fabricsType: need 64 bytes, got 63' });
});

test('nvme-sqe: read with a transport SGL, write with in-capsule data', (t) => {
  const read = buildRead({ cid: 3, nsid: 1, slba: 2 ** 33 + 5, nlb: 8, inCapsule: false, length: 4096 });
  t.is(
    hex(read),
    hex(
      fixture(64, [
        [0, 1, IoOpcode.READ],
        [1, 1, 0x40],
        [2, 2, 3],
        [4, 4, 1],
        [32, 4, 4096],
        [39, 1, 0x5a],
        [40, 4, 5], // SLBA low
        [44, 4, 2], // SLBA high
        [48, 4, 7], // NLB 0's based
      ]),
    ),
  );
  const decoded = decodeSqe(read);
  t.deepEqual(readWriteFields(decoded), { slba: 2 ** 33 + 5, nlb: 8, fua: false });
  t.false(isInCapsule(decoded));

  const write = decodeSqe(buildWrite({ cid: 4, nsid: 1, slba: 0, nlb: 1, inCapsule: true, length: 512, fua: true }));
  t.is(write.opcode, IoOpcode.WRITE);
  t.is(write.sglType, SGL_IN_CAPSULE);
  t.is(write.sglType, 0x01);
  t.is(write.sglLength, 512);
  t.is(write.sglAddress, 0n);
  t.true(isInCapsule(write));
  t.deepEqual(readWriteFields(write), { slba: 0, nlb: 1, fua: true });
});

test('nvme-sqe: NLB limits and SLBA beyond 2^53 are reported', (t) => {
  t.throws(() => buildRead({ cid: 1, nsid: 1, slba: 0, nlb: 0, inCapsule: false, length: 0 }), { message: 'nlb: 0 is not in 1..65536' });
  t.is(readWriteFields(decodeSqe(buildRead({ cid: 1, nsid: 1, slba: 0, nlb: 65536, inCapsule: false, length: 0 }))).nlb, 65536);
  const huge = decodeSqe(encodeSqe({ opcode: IoOpcode.READ, cid: 1, cdw10: 0, cdw11: 0x00200000 }));
  t.throws(() => readWriteFields(huge), { instanceOf: RangeError, message: 'readWriteFields: slba 9007199254740992 exceeds 2^53-1' });
});

test('nvme-sqe: flush, write zeroes, keep alive, AER, abort', (t) => {
  const flush = decodeSqe(buildFlush({ cid: 9, nsid: 0xffffffff }));
  t.is(flush.opcode, IoOpcode.FLUSH);
  t.is(flush.nsid, 0xffffffff);

  const zeroes = decodeSqe(buildWriteZeroes({ cid: 1, nsid: 2, slba: 100, nlb: 16, deallocate: true }));
  t.is(zeroes.opcode, 0x08);
  t.is(zeroes.cdw12, (1 << 25) | 15);
  t.is(zeroes.sglLength, 0);
  t.deepEqual(readWriteFields(zeroes), { slba: 100, nlb: 16, fua: false });

  t.is(decodeSqe(buildKeepAlive({ cid: 2 })).opcode, 0x18);
  t.is(decodeSqe(buildAsyncEventRequest({ cid: 3 })).opcode, 0x0c);
  const abort = decodeSqe(buildAbort({ cid: 4, sqid: 1, abortCid: 0x1234 }));
  t.is(abort.opcode, 0x08);
  t.is(abort.cdw10, 0x12340001);
  t.deepEqual(abortFields(abort), { sqid: 1, abortCid: 0x1234 });
});

test('nvme-sqe: DSM command and its 16-byte ranges', (t) => {
  const dsm = decodeSqe(buildDsm({ cid: 5, nsid: 1, rangeCount: 2, inCapsule: true }));
  t.is(dsm.opcode, IoOpcode.DSM);
  t.deepEqual(dsmFields(dsm), { rangeCount: 2, attributes: DsmAttribute.AD });
  t.is(dsm.sglLength, 32);
  t.is(dsm.sglType, SGL_IN_CAPSULE);

  const ranges = [
    { cattr: 0, nlb: 8, slba: 0 },
    { cattr: 0xdeadbeef, nlb: 256, slba: 2 ** 40 },
  ];
  const bytes = encodeDsmRanges(ranges);
  t.is(
    hex(bytes),
    hex(
      fixture(32, [
        [4, 4, 8],
        [16, 4, 0xdeadbeef],
        [20, 4, 256],
        [24, 8, 2n ** 40n],
      ]),
    ),
  );
  t.deepEqual(decodeDsmRanges(bytes, 2), ranges);
  t.throws(() => decodeDsmRanges(bytes, 3), { instanceOf: RangeError, message: 'decodeDsmRanges: need 48 bytes, got 32' });
  t.throws(() => buildDsm({ cid: 1, nsid: 1, rangeCount: 257, inCapsule: false }), { message: 'buildDsm: rangeCount 257 is not in 1..256' });
});

test('nvme-sqe: identify CNS/CNTID/CSI and a 4 KiB transport SGL', (t) => {
  const sqe = decodeSqe(buildIdentify({ cid: 1, cns: 0x06, nsid: 0, cntid: 0x0102, csi: 0 }));
  t.is(sqe.opcode, AdminOpcode.IDENTIFY);
  t.is(sqe.cdw10, 0x01020006);
  t.is(sqe.sglType, SGL_TRANSPORT);
  t.is(sqe.sglLength, 4096);
  t.deepEqual(identifyFields(sqe), { cns: 6, cntid: 0x0102, csi: 0, nsid: 0 });
  t.is(identifyFields(decodeSqe(buildIdentify({ cid: 1, cns: 5, nsid: 3, csi: 2 }))).csi, 2);
});

test('nvme-sqe: get log page NUMD, LPO, LSP, RAE and CSI', (t) => {
  const small = buildGetLogPage({ cid: 1, lid: LogPageId.DISCOVERY, numdBytes: 16 });
  // NUMDL = 16/4 - 1 = 3 in CDW10 bits 31:16; LID in bits 7:0.
  t.is(decodeSqe(small).cdw10, (3 << 16) | 0x70);

  const big = decodeSqe(
    buildGetLogPage({ cid: 2, lid: LogPageId.ERROR, nsid: 0xffffffff, numdBytes: 4 * 0x20001, offsetBytes: 2 ** 32 + 4096, lsp: 0x7f, rae: true, lsi: 9, csi: 1 }),
  );
  t.is(big.cdw10 >>> 16, 0x0000); // NUMDL: 0x20000 & 0xffff
  t.is(big.cdw11 & 0xffff, 0x0002); // NUMDU
  t.is(big.cdw12, 4096);
  t.is(big.cdw13, 1);
  t.is(big.sglLength, 4 * 0x20001);
  t.deepEqual(getLogPageFields(big), {
    lid: 1,
    lsp: 0x7f,
    rae: true,
    numdBytes: 4 * 0x20001,
    offsetBytes: 2 ** 32 + 4096,
    lsi: 9,
    csi: 1,
    nsid: 0xffffffff,
  });
  t.throws(() => buildGetLogPage({ cid: 1, lid: 2, numdBytes: 6 }), { message: 'buildGetLogPage: numdBytes 6 is not a positive multiple of 4' });
});

test('nvme-sqe: set and get features', (t) => {
  const set = decodeSqe(buildSetFeatures({ cid: 1, fid: 0x07, cdw11: 0x00030003, save: true }));
  t.is(set.opcode, AdminOpcode.SET_FEATURES);
  t.is(set.cdw10, 0x80000007);
  t.deepEqual(featureFields(set), { fid: 7, sel: 0, save: true, cdw11: 0x00030003, cdw12: 0, nsid: 0 });

  const get = decodeSqe(buildGetFeatures({ cid: 2, fid: 0x0f, sel: 3 }));
  t.is(get.opcode, AdminOpcode.GET_FEATURES);
  t.is(get.cdw10, 0x30f);
  t.deepEqual(featureFields(get), { fid: 0x0f, sel: 3, save: false, cdw11: 0, cdw12: 0, nsid: 0 });
});

test('nvme-sqe: the fabrics overlay keeps fctype in byte 4', (t) => {
  const bytes = encodeSqe({ opcode: FABRICS_OPCODE, cid: 1, nsid: 0x04 });
  t.is(fabricsType(bytes), 0x04);
  t.is(sqeFabricsType(decodeSqe(bytes)), 0x04);
  t.is(fabricsType(buildKeepAlive({ cid: 1 })), undefined);
  t.is(sqeFabricsType(decodeSqe(buildKeepAlive({ cid: 1 }))), undefined);
});
