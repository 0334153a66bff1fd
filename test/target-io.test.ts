// I/O through the target: in-capsule and R2T writes, reads split into C2HData PDUs, Flush, Write
// Zeroes, Dataset Management, range and namespace errors, digests, send backpressure and the CPU
// work the target charges. In-memory network, RAM namespace.
import test from 'ava';
import { IoOpcode } from '../sim/nvme/constants.js';
import { decodeCqe, encodeCqe } from '../sim/nvme/cqe.js';
import { encodePdu } from '../sim/nvme/pdu-encoder.js';
import { PduType } from '../sim/nvme/pdu-types.js';
import { buildDsm, buildFlush, buildRead, buildWrite, buildWriteZeroes, encodeDsmRanges, encodeSqe } from '../sim/nvme/sqe.js';
import { Status, STATUS_DNR, STATUS_MORE } from '../sim/nvme/status.js';
import { NS_BYTES, pattern, startMemoryTarget, testConfig } from './helpers/target-fixtures.js';
import type { MemoryStream } from './helpers/target-fixtures.js';
import type { ExecutionContext } from 'ava';
import type { NvmeTargetOptions } from '../sim/target/target-options.js';

async function ioQueue(t: ExecutionContext, options: NvmeTargetOptions = {}, digests: { headerDigest?: boolean; dataDigest?: boolean } = {}) {
  const started = await startMemoryTarget(t, testConfig(4420), options);
  const admin = started.connect();
  const cntlid = await admin.adminSession(digests);
  const io = started.connect();
  const connected = await io.ioSession(cntlid, { qid: 1, ...digests });
  t.is(connected.cqe.status, 0);
  return { ...started, admin, io, cntlid };
}

test('target: in-capsule write then read back', async (t) => {
  const { io } = await ioQueue(t);
  const data = pattern(8192, 3);
  const write = await io.write(1, 100, data, { inCapsule: true });
  t.is(write.cqe.status, 0);
  t.deepEqual(write.r2t, []);
  const read = await io.read(1, 100, 8192);
  t.is(read.cqe.status, 0);
  t.deepEqual(read.data, data);
  t.is(read.c2h.length, 1);
  t.true(read.c2h[0]?.last);
  t.false(read.c2h[0]?.success);
});

test('target: 1 MiB write through one R2T, read back as C2HData split at c2hDataMax', async (t) => {
  const { io, target } = await ioQueue(t, { c2hDataMax: 128 * 1024 });
  const data = pattern(1024 * 1024, 5);
  const write = await io.write(1, 2048, data, { h2cChunk: 256 * 1024 });
  t.is(write.cqe.status, 0);
  t.is(write.r2t.length, 1);
  t.like(write.r2t[0], { r2to: 0, r2tl: 1024 * 1024 });
  const read = await io.read(1, 2048, data.length);
  t.deepEqual(read.data, data);
  t.is(read.c2h.length, 8);
  t.deepEqual(
    read.c2h.map((pdu) => [pdu.datao, pdu.data.length, pdu.last]),
    Array.from({ length: 8 }, (_, index) => [index * 131072, 131072, index === 7]),
  );
  t.is(target.stats.bytesWritten, 1024 * 1024);
  t.is(target.stats.bytesRead, 1024 * 1024);
});

test('target: R2T write answered by a single H2CData PDU', async (t) => {
  const { io } = await ioQueue(t);
  const data = pattern(65536, 9);
  t.is((await io.write(1, 0, data, { h2cChunk: 65536 })).cqe.status, 0);
  t.deepEqual((await io.read(1, 0, 65536)).data, data);
});

test('target: the R2T TTAG is a command slot and concurrent writes interleave', async (t) => {
  const { io } = await ioQueue(t);
  const first = pattern(16384, 1);
  const second = pattern(16384, 2);
  const cidA = io.nextCid();
  const cidB = io.nextCid();
  io.sendPdu({ type: PduType.CapsuleCmd, sqe: buildWrite({ cid: cidA, nsid: 1, slba: 0, nlb: 32, inCapsule: false, length: 16384 }), data: new Uint8Array(0) });
  io.sendPdu({ type: PduType.CapsuleCmd, sqe: buildWrite({ cid: cidB, nsid: 1, slba: 64, nlb: 32, inCapsule: false, length: 16384 }), data: new Uint8Array(0) });
  const r2tA = await io.expectType(PduType.R2T);
  const r2tB = await io.expectType(PduType.R2T);
  t.is(r2tA.cccid, cidA);
  t.is(r2tB.cccid, cidB);
  t.not(r2tA.ttag, r2tB.ttag);
  // Data for the second command first.
  io.sendH2C(r2tB, second, 4096);
  io.sendH2C(r2tA, first, 4096);
  const responses = [await io.expectType(PduType.CapsuleResp), await io.expectType(PduType.CapsuleResp)];
  t.is(responses.length, 2);
  t.deepEqual((await io.read(1, 0, 16384)).data, first);
  t.deepEqual((await io.read(1, 64, 16384)).data, second);
});

test('target: in-capsule data above the inline size: SGL Offset Invalid; on a read: Invalid Field', async (t) => {
  const { io } = await ioQueue(t);
  const tooBig = pattern(20480);
  const write = await io.write(1, 0, tooBig, { inCapsule: true });
  t.is(write.cqe.status, Status.SGL_INVALID_OFFSET | STATUS_DNR);
  const readSqe = buildRead({ cid: io.nextCid(), nsid: 1, slba: 0, nlb: 8, inCapsule: true, length: 4096 });
  const read = await io.command(readSqe, { data: pattern(4096), inCapsule: true });
  t.is(read.cqe.status, Status.INVALID_FIELD | STATUS_DNR);
  t.is((await io.read(1, 0, 512)).cqe.status, 0);
});

test('target: SGL length that does not match the blocks: SGL Data Block Invalid', async (t) => {
  const { io } = await ioQueue(t);
  const sqe = buildRead({ cid: io.nextCid(), nsid: 1, slba: 0, nlb: 8, inCapsule: false, length: 2048 });
  const result = await io.command(sqe);
  t.is(result.cqe.status, Status.SGL_INVALID_DATA | STATUS_DNR | STATUS_MORE);
});

test('target: transfers above MDTS are an invalid field; none are read', async (t) => {
  const { io } = await ioQueue(t, { mdts: 5 });
  const length = 2 ** 5 * 4096 * 2;
  const result = await io.read(1, 0, length);
  t.is(result.cqe.status, Status.INVALID_FIELD | STATUS_DNR | STATUS_MORE);
  t.deepEqual(result.c2h, []);
});

test('target: LBA out of range on read and write (no R2T for the write); the connection stays up', async (t) => {
  const { io } = await ioQueue(t);
  const last = NS_BYTES / 512;
  const read = await io.read(1, last - 1, 1024);
  t.is(read.cqe.status, Status.LBA_RANGE | STATUS_DNR | STATUS_MORE);
  const write = await io.write(1, last, pattern(4096));
  t.is(write.cqe.status, Status.LBA_RANGE | STATUS_DNR | STATUS_MORE);
  t.deepEqual(write.r2t, []);
  t.is((await io.read(1, last - 1, 512)).cqe.status, 0);
});

test('target: unknown or disabled namespace: Invalid Namespace', async (t) => {
  const { io, target } = await ioQueue(t);
  t.is((await io.read(2, 0, 512)).cqe.status, Status.INVALID_NS | STATUS_DNR | STATUS_MORE);
  await target.disableNamespace('nqn.2024-01.io.nvmf-sim:test', 1);
  t.is((await io.read(1, 0, 512)).cqe.status, Status.INVALID_NS | STATUS_DNR | STATUS_MORE);
  await target.enableNamespace('nqn.2024-01.io.nvmf-sim:test', 1);
  t.is((await io.read(1, 0, 512)).cqe.status, 0);
});

test('target: Flush, Write Zeroes and DSM deallocate', async (t) => {
  const { io } = await ioQueue(t);
  const data = pattern(65536, 11);
  t.is((await io.write(1, 0, data)).cqe.status, 0);
  t.is((await io.command(buildFlush({ cid: io.nextCid(), nsid: 1 }))).cqe.status, 0);
  t.is((await io.command(buildWriteZeroes({ cid: io.nextCid(), nsid: 1, slba: 8, nlb: 8 }))).cqe.status, 0);
  const afterZeroes = (await io.read(1, 0, 65536)).data;
  t.deepEqual(afterZeroes.subarray(0, 4096), data.subarray(0, 4096));
  t.true(afterZeroes.subarray(4096, 8192).every((byte) => byte === 0));
  t.deepEqual(afterZeroes.subarray(8192), data.subarray(8192));
  const ranges = encodeDsmRanges([
    { cattr: 0, nlb: 16, slba: 32 },
    { cattr: 0, nlb: 8, slba: 100 },
  ]);
  const dsm = await io.command(buildDsm({ cid: io.nextCid(), nsid: 1, rangeCount: 2, inCapsule: true }), { data: ranges, inCapsule: true });
  t.is(dsm.cqe.status, 0);
  const afterDsm = (await io.read(1, 0, 65536)).data;
  t.true(afterDsm.subarray(32 * 512, 48 * 512).every((byte) => byte === 0));
  t.true(afterDsm.subarray(100 * 512, 108 * 512).every((byte) => byte === 0));
  t.deepEqual(afterDsm.subarray(48 * 512, 100 * 512), data.subarray(48 * 512, 100 * 512));
  const wzBeyond = await io.command(buildWriteZeroes({ cid: io.nextCid(), nsid: 1, slba: NS_BYTES / 512 - 4, nlb: 8 }));
  t.is(wzBeyond.cqe.status, Status.LBA_RANGE | STATUS_DNR | STATUS_MORE);
  const dsmBeyond = encodeDsmRanges([{ cattr: 0, nlb: 8, slba: NS_BYTES / 512 }]);
  const badDsm = await io.command(buildDsm({ cid: io.nextCid(), nsid: 1, rangeCount: 1, inCapsule: true }), { data: dsmBeyond, inCapsule: true });
  t.is(badDsm.cqe.status, Status.LBA_RANGE | STATUS_DNR | STATUS_MORE);
});

test('target: unknown I/O opcode: Invalid Opcode', async (t) => {
  const { io } = await ioQueue(t);
  const compare = await io.command(encodeSqe({ opcode: IoOpcode.COMPARE, cid: io.nextCid(), nsid: 1 }));
  t.is(compare.cqe.status, Status.INVALID_OPCODE | STATUS_DNR | STATUS_MORE);
});

test('target: fused commands and PRP data pointers are invalid fields', async (t) => {
  const { io } = await ioQueue(t);
  const fused = await io.command(encodeSqe({ opcode: IoOpcode.READ, cid: io.nextCid(), nsid: 1, flags: 0x41 }));
  t.is(fused.cqe.status, Status.INVALID_FIELD | STATUS_DNR | STATUS_MORE);
  const prp = await io.command(encodeSqe({ opcode: IoOpcode.FLUSH, cid: io.nextCid(), nsid: 1, flags: 0 }));
  t.is(prp.cqe.status, Status.INVALID_FIELD | STATUS_DNR | STATUS_MORE);
});

test('target: header and data digests on every PDU, data intact', async (t) => {
  const { io, cpu } = await ioQueue(t, {}, { headerDigest: true, dataDigest: true });
  t.true(io.options.headerDigest && io.options.dataDigest);
  const data = pattern(32768, 13);
  t.is((await io.write(1, 0, data, { h2cChunk: 8192 })).cqe.status, 0);
  t.is((await io.write(1, 64, data.subarray(0, 4096), { inCapsule: true })).cqe.status, 0);
  const read = await io.read(1, 0, 32768);
  t.deepEqual(read.data, data);
  // Data digests over the write's and the read's data, plus the in-capsule data, plus headers.
  t.true(cpu.total.crcBytes > 2 * 32768 + 4096);
});

test('target: a data digest mismatch fails only that command with Transient Transport Error', async (t) => {
  const { io } = await ioQueue(t, {}, { dataDigest: true });
  const data = pattern(4096, 17);
  const cid = io.nextCid();
  const sqe = buildWrite({ cid, nsid: 1, slba: 0, nlb: 8, inCapsule: false, length: 4096 });
  io.sendPdu({ type: PduType.CapsuleCmd, sqe, data: new Uint8Array(0) });
  const r2t = await io.expectType(PduType.R2T);
  // Encode with a correct digest, then corrupt one data byte on the wire.
  const chunks = encodePdu({ type: PduType.H2CData, cccid: cid, ttag: r2t.ttag, datao: 0, data: data.slice(), last: true }, io.options);
  const payload = chunks[1];
  if (payload === undefined) throw new Error('no data chunk');
  const corrupted = payload.slice();
  corrupted[10] = (corrupted[10] ?? 0) ^ 0xff;
  io.sendBytes(chunks[0] ?? new Uint8Array(0));
  io.sendBytes(corrupted);
  io.sendBytes(chunks[2] ?? new Uint8Array(0));
  const response = await io.expectType(PduType.CapsuleResp);
  const cqe = decodeCqe(response.cqe);
  t.is(cqe.status, Status.TRANSIENT_TR_ERR);
  t.false(io.isClosed);
  // Nothing was written.
  t.true((await io.read(1, 0, 4096)).data.every((byte) => byte === 0));
});

test('target: send backpressure: PDUs wait for drain and arrive complete and in order', async (t) => {
  const { io, world, target } = await ioQueue(t, { c2hDataMax: 65536 });
  const data = pattern(512 * 1024, 23);
  t.is((await io.write(1, 0, data)).cqe.status, 0);
  const server = world.network.accepted.at(-1);
  if (server === undefined) throw new Error('no server stream');
  server.highWaterMark = 16 * 1024;
  const client = io.stream as MemoryStream;
  client.pause();
  const cid = io.nextCid();
  io.sendPdu({ type: PduType.CapsuleCmd, sqe: buildRead({ cid, nsid: 1, slba: 0, nlb: 1024, inCapsule: false, length: data.length }), data: new Uint8Array(0) });
  world.run();
  // The client consumes nothing: the target holds the rest of the PDUs itself.
  t.true(server.bytesWritten < data.length);
  t.is(target.stats.connections, 2);
  client.resume();
  const pieces: Uint8Array[] = [];
  for (;;) {
    const pdu = await io.next();
    if (pdu.type === PduType.C2HData) pieces.push(pdu.data.slice());
    if (pdu.type === PduType.CapsuleResp) break;
  }
  t.is(pieces.length, 8);
  t.deepEqual(Buffer.concat(pieces), Buffer.from(data));
});

test('target: CPU work is charged per PDU, per copied and digested byte, per command, on one core per connection', async (t) => {
  const { io, cpu } = await ioQueue(t);
  const before = { ...cpu.total };
  const data = pattern(4096);
  await io.write(1, 0, data, { inCapsule: true });
  // One CapsuleCmd received, one command executed, one CapsuleResp sent.
  t.is(cpu.total.pdus - before.pdus, 2);
  t.is(cpu.total.commands - before.commands, 1);
  t.is(cpu.total.copyBytes - before.copyBytes, 4096);
  const mid = { ...cpu.total };
  await io.read(1, 0, 4096);
  // CapsuleCmd in, C2HData and CapsuleResp out.
  t.is(cpu.total.pdus - mid.pdus, 3);
  t.is(cpu.total.copyBytes - mid.copyBytes, 4096);
  t.is(cpu.coresUsed.size, 2);
});

test('target: a CapsuleResp from the host is a sequence error, not a completion', async (t) => {
  const { io } = await ioQueue(t);
  io.sendPdu({ type: PduType.CapsuleResp, cqe: encodeCqe({ cid: 1 }) });
  const term = await io.expectTermReq();
  t.is(term.fes, 0x02);
  t.true(await io.closed());
});
