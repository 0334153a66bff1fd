// NVMe/TCP host wire behaviour against the scripted fake target: connection setup, ICResp checks,
// in-capsule versus R2T writes, H2CData segmentation, C2HData placement and digests, command IDs.
import test from 'ava';
import { connectController } from '../sim/host/controller.js';
import type { HostController } from '../sim/host/controller.js';
import { TransportError } from '../sim/host/transport-error.js';
import { AdminOpcode, FABRICS_OPCODE, FabricsType, IoOpcode } from '../sim/nvme/constants.js';
import { encodePdu } from '../sim/nvme/pdu-encoder.js';
import { PduType } from '../sim/nvme/pdu-types.js';
import { NvmeStatusError, Status, statusBase } from '../sim/nvme/status.js';
import { encodeSqe } from '../sim/nvme/sqe.js';
import { makeEnv, pattern, settle, startFakeTarget } from './helpers/host-fixtures.js';
import type { FakeTargetOptions, TestEnv } from './helpers/host-fixtures.js';
import type { ConnectOptions } from '../sim/host/options.js';

const NQN = 'nqn.2024-01.io.nvmf-sim:fake';

async function connect(env: TestEnv, options: Partial<ConnectOptions> = {}): Promise<HostController> {
  const pending = connectController(env, { traddr: '127.0.0.1', nqn: NQN, ...options });
  // Setup needs no timers with the fake target; settle lets the exchange run.
  await settle();
  return pending;
}

async function world(targetOptions: FakeTargetOptions = {}, options: Partial<ConnectOptions> = {}) {
  const env = makeEnv();
  const target = await startFakeTarget(env, targetOptions);
  const controller = await connect(env, options);
  return { env, target, controller };
}

test('host: connect runs the Linux setup sequence and goes live', async (t) => {
  const { target, controller } = await world({}, { nrIoQueues: 3 });
  t.is(controller.state, 'live');
  t.is(controller.ioQueueCount, 3);
  t.is(controller.cntlid, 1);
  t.is(controller.identify.subnqn, NQN);
  const sequence = target.commands.filter((record) => record.qid === 0).map((record) => (record.fctype >= 0 ? `f${record.fctype}` : `a${record.opcode}`));
  // Connect, CAP, CC (EN=0), CAP, CC (EN=1), CSTS, VS, Identify, Number of Queues, AEC, AER.
  t.deepEqual(sequence.slice(0, 11), ['f1', 'f4', 'f0', 'f4', 'f0', 'f4', 'f4', 'a6', 'a9', 'a9', 'a12']);
  t.is(target.commandsOf(FABRICS_OPCODE, FabricsType.CONNECT).length, 4);
  t.deepEqual(
    target.connections.map((connection) => connection.qid),
    [0, 1, 2, 3],
  );
  await controller.disconnect();
  t.is(controller.state, 'deleted');
});

test('host: namespaces are listed with Identify data and descriptors', async (t) => {
  const { controller } = await world({ blockSize: 4096, blocks: 256 });
  const namespaces = await controller.listNamespaces();
  t.deepEqual(namespaces, [
    {
      nsid: 1,
      sizeBytes: 4096 * 256,
      blockSize: 4096,
      uuid: '91fdba0d-f87b-4c25-b80f-db7be1418b9e',
      nguid: '0123456789abcdef0123456789abcdef',
      eui64: undefined,
      usage: 4096 * 256,
    },
  ]);
  await controller.disconnect();
});

const icrespCases: [string, NonNullable<FakeTargetOptions['icresp']>, RegExp][] = [
  ['header digest not echoed', { headerDigest: true }, /header digest mismatch host: disabled ctrl: enabled/],
  ['data digest not echoed', { dataDigest: true }, /data digest mismatch host: disabled ctrl: enabled/],
  ['cpda not 0', { cpda: 1 }, /unsupported cpda returned 1/],
  ['maxh2cdata below 4096', { maxh2cdata: 2048 }, /invalid maxh2cdata returned 2048/],
  ['maxh2cdata not a dword multiple', { maxh2cdata: 4098 }, /invalid maxh2cdata returned 4098/],
  ['pfv not 0', { pfv: 1 }, /pfv 1 unsupported/],
];

for (const [name, icresp, message] of icrespCases) {
  test(`host: ICResp check fails the connect: ${name}`, async (t) => {
    const env = makeEnv();
    await startFakeTarget(env, { icresp });
    const error = await t.throwsAsync(connect(env), { instanceOf: TransportError });
    t.regex(error?.message ?? '', message);
  });
}

test('host: digests that the host asked for are accepted when echoed', async (t) => {
  const { controller, target } = await world({}, { hdrDigest: true, dataDigest: true });
  const device = await controller.namespace(1);
  const data = pattern(64 * 1024, 3);
  await device.write(8192, data);
  t.deepEqual(await device.read(8192, data.length), data);
  t.true(target.connections.every((connection) => connection.options.headerDigest && connection.options.dataDigest));
  await controller.disconnect();
});

test('host: small writes travel in the capsule, large ones wait for R2T and are cut at maxh2cdata', async (t) => {
  const { controller, target } = await world({ maxh2cdata: 4096, inCapsuleDataSize: 8192 }, { nrIoQueues: 1 });
  const device = await controller.namespace(1);
  const io = target.connection(1);
  if (io === undefined) return t.fail('no I/O connection');
  await device.write(0, pattern(8192, 1));
  t.is(io.h2cData.length, 0);
  const large = pattern(20 * 1024 + 512, 2);
  await device.write(16384, large);
  t.deepEqual(
    io.h2cData.map((pdu) => [pdu.datao, pdu.length, pdu.last]),
    [
      [0, 4096, false],
      [4096, 4096, false],
      [8192, 4096, false],
      [12288, 4096, false],
      [16384, 4096, false],
      [20480, 512, true],
    ],
  );
  t.deepEqual(await device.read(16384, large.length), large);
  await controller.disconnect();
});

test('host: reads are placed from several C2HData PDUs and from SUCCESS-flagged data', async (t) => {
  const { controller, target } = await world({ c2hChunk: 1000, c2hSuccess: true });
  const device = await controller.namespace(1);
  const data = pattern(12 * 1024, 9);
  target.storage.set(data, 512 * 10);
  t.deepEqual(await device.read(512 * 10, data.length), data);
  await controller.disconnect();
});

function corruptReads(target: Awaited<ReturnType<typeof world>>['target'], times: number): void {
  let left = times;
  target.hooks.push((connection, sqe) => {
    if (sqe.opcode !== IoOpcode.READ || left === 0) return false;
    left--;
    const chunks = encodePdu({ type: PduType.C2HData, cccid: sqe.cid, datao: 0, last: true, success: false, data: new Uint8Array(sqe.sglLength) }, connection.options);
    const digest = chunks[chunks.length - 1];
    if (digest !== undefined) digest[0] = (digest[0] ?? 0) ^ 0xff;
    for (const chunk of chunks) connection.sendRaw(chunk);
    connection.respond(sqe.cid);
    return true;
  });
}

test('host: a C2HData data digest mismatch fails only that command with DATA_XFER_ERROR, which is retried', async (t) => {
  const { controller, target } = await world({}, { dataDigest: true, nrIoQueues: 1 });
  const device = await controller.namespace(1);
  await device.write(0, pattern(4096, 4));
  corruptReads(target, 1);
  // core.c nvme_decide_disposition: no DNR, so the read is sent again and succeeds.
  t.deepEqual(await device.read(0, 4096), pattern(4096, 4));
  t.is(target.commandsOf(IoOpcode.READ).length, 2);
  // The connection stays.
  t.is(controller.state, 'live');
  t.is(target.connections.length, 2);
  await controller.disconnect();
});

test('host: a command failing with a retryable status every time fails after nvme_max_retries resends', async (t) => {
  const { controller, target } = await world({}, { dataDigest: true, nrIoQueues: 1 });
  const device = await controller.namespace(1);
  corruptReads(target, 100);
  const error = await t.throwsAsync(device.read(0, 4096), { instanceOf: NvmeStatusError });
  t.is(error?.status, Status.DATA_XFER_ERROR);
  t.is(target.commandsOf(IoOpcode.READ).length, 1 + 5);
  t.is(controller.state, 'live');
  await controller.disconnect();
});

test('host: no more commands in flight than the queue depth; the rest wait for a tag', async (t) => {
  const { controller, target } = await world({}, { nrIoQueues: 1, queueSize: 16 });
  const device = await controller.namespace(1);
  target.holdIo = true;
  const reads = Array.from({ length: 40 }, (_, index) => device.read(index * 512, 512));
  await settle();
  t.is(target.held.length, 16);
  t.is(new Set(target.held.map((held) => held.sqe.cid)).size, 16);
  t.is(controller.stats.io[0]?.inFlight, 16);
  target.holdIo = false;
  target.releaseHeld();
  const results = await Promise.all(reads);
  t.is(results.length, 40);
  t.is(target.commandsOf(IoOpcode.READ).length, 40);
  // The queue's Connect plus the 40 reads.
  t.deepEqual(controller.stats.io[0], { submitted: 41, completed: 41, errors: 0, inFlight: 0 });
  await controller.disconnect();
});

test('host: send backpressure holds PDUs until drain', async (t) => {
  const { controller, target } = await world({ maxh2cdata: 8192 }, { nrIoQueues: 1 });
  const device = await controller.namespace(1);
  const io = target.connection(1);
  const hostEnd = io?.stream.peer;
  if (io === undefined || hostEnd === undefined || hostEnd === null) return t.fail('no I/O connection');
  hostEnd.highWaterMark = 16 * 1024;
  hostEnd.peerPaused = true;
  const data = pattern(512 * 1024, 5);
  const writes = [device.write(0, data.subarray(0, 256 * 1024)), device.write(256 * 1024, data.subarray(256 * 1024))];
  await settle();
  hostEnd.resumePeer();
  await Promise.all(writes);
  t.is(hostEnd.writesWhileBlocked, 0);
  t.deepEqual(await device.read(0, data.length), data);
  await controller.disconnect();
});

test('host: admin commands use the admin queue and report NVMe statuses', async (t) => {
  const { controller } = await world();
  const smart = await controller.smartLog();
  t.is(smart.availSpare, 100);
  // An opcode the controller does not implement comes back as a rejected NvmeStatusError.
  const error = await t.throwsAsync(controller.adminCommand({ sqe: encodeSqe({ opcode: AdminOpcode.VIRTUAL_MGMT, cid: 0 }) }), {
    instanceOf: NvmeStatusError,
  });
  t.is(statusBase(error?.status ?? 0), Status.INVALID_OPCODE);
  t.is(controller.state, 'live');
  await controller.disconnect();
});
