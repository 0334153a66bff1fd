// NVMe/TCP host error recovery against the scripted fake target on a fake clock: keep-alive,
// timeouts, reconnect, ctrl-loss-tmo, protocol errors from the controller and asynchronous events.
import test from 'ava';
import { connectController } from '../sim/host/controller.js';
import type { ControllerState } from '../sim/host/controller.js';
import type { ConnectOptions } from '../sim/host/options.js';
import { AdminOpcode, FABRICS_OPCODE, FabricsType, IoOpcode } from '../sim/nvme/constants.js';
import { encodeCqe } from '../sim/nvme/cqe.js';
import { Fes, PduType } from '../sim/nvme/pdu-types.js';
import type { TermReqPdu } from '../sim/nvme/pdu-types.js';
import { NvmeStatusError, STATUS_DNR, Status } from '../sim/nvme/status.js';
import { makeEnv, pattern, settle, startFakeTarget } from './helpers/host-fixtures.js';
import type { CommandHook, FakeConnection, FakeTargetOptions } from './helpers/host-fixtures.js';

const NQN = 'nqn.2024-01.io.nvmf-sim:fake';
const S = 1e9;

async function world(options: Partial<ConnectOptions> = {}, targetOptions: FakeTargetOptions = {}) {
  const env = makeEnv();
  const target = await startFakeTarget(env, targetOptions);
  const pending = connectController(env, { traddr: '127.0.0.1', nqn: NQN, nrIoQueues: 2, ...options });
  await settle();
  const controller = await pending;
  const states: [ControllerState, number][] = [];
  controller.onStateChange((state) => states.push([state, env.clock.nowNs()]));
  return { env, target, controller, states };
}

function logged(lines: readonly string[], text: string): boolean {
  return lines.some((line) => line.includes(text));
}

test('host recovery: keep-alive goes out every kato/2, starting kato/2 after connect', async (t) => {
  const { env, target, controller } = await world({ keepAliveTmoS: 4 });
  await env.clock.advance(10 * S);
  const times = target.commandsOf(AdminOpcode.KEEP_ALIVE).map((record) => record.atNs);
  t.deepEqual(times, [2 * S, 4 * S, 6 * S, 8 * S, 10 * S]);
  // The admin Connect carried KATO in milliseconds.
  await controller.disconnect();
});

test('host recovery: keep-alive 0 sends none', async (t) => {
  const { env, target, controller } = await world({ keepAliveTmoS: 0 });
  await env.clock.advance(30 * S);
  t.is(target.commandsOf(AdminOpcode.KEEP_ALIVE).length, 0);
  await controller.disconnect();
});

test('host recovery: I/O timeout, reconnect after reconnect-delay, and the I/O completes', async (t) => {
  const { env, target, controller, states } = await world({ ioTimeoutS: 3, reconnectDelayS: 2 });
  const device = await controller.namespace(1);
  const data = pattern(4096, 11);
  target.storage.set(data, 4096);
  target.holdIo = true;
  const read = device.read(4096, 4096);
  await settle();
  t.is(target.held.length, 1);
  // The held command is never answered on the old connection; the retry goes to a new one.
  target.holdIo = false;
  await env.clock.advance(3 * S);
  t.deepEqual(states, [
    ['resetting', 3 * S],
    ['connecting', 3 * S],
  ]);
  t.true(logged(env.logs, 'Reconnecting in 2 seconds...'));
  await env.clock.advance(2 * S);
  t.deepEqual(states[2], ['live', 5 * S]);
  t.deepEqual(await read, data);
  t.is(controller.stats.reconnects, 1);
  t.is(controller.cntlid, 2);
  await controller.disconnect();
});

test('host recovery: ctrl-loss-tmo expiry fails I/O with HOST_PATH_ERROR and deletes the controller', async (t) => {
  const { env, target, controller, states } = await world({ ioTimeoutS: 3, reconnectDelayS: 1, ctrlLossTmoS: 3 });
  const device = await controller.namespace(1);
  target.holdIo = true;
  const read = device.read(0, 4096);
  const failed = t.throwsAsync(read, { instanceOf: NvmeStatusError });
  await settle();
  env.network.refuse = true;
  await env.clock.advance(3 * S);
  t.is(controller.state, 'connecting');
  // ceil(3 / 1) = 3 attempts at 4, 5 and 6 s, then removal.
  await env.clock.advance(4 * S);
  t.is(controller.state, 'deleted');
  for (const attempt of ['1/3', '2/3', '3/3']) t.true(logged(env.logs, `Failed reconnect attempt ${attempt}`), attempt);
  t.true(logged(env.logs, 'Removing controller'));
  t.is((await failed)?.status, Status.HOST_PATH_ERROR);
  t.deepEqual(
    states.map(([state]) => state),
    ['resetting', 'connecting', 'deleting', 'deleted'],
  );
  const late = await t.throwsAsync(device.read(0, 512), { instanceOf: NvmeStatusError });
  t.is(late?.status, Status.HOST_PATH_ERROR);
  t.is(env.network.connects, 3 + 3);
});

test('host recovery: ctrl-loss-tmo -1 keeps reconnecting until the target is back', async (t) => {
  const { env, target, controller } = await world({ ioTimeoutS: 3, reconnectDelayS: 10, ctrlLossTmoS: -1 });
  const device = await controller.namespace(1);
  target.holdIo = true;
  const write = device.write(0, pattern(1024, 2));
  await settle();
  target.holdIo = false;
  env.network.refuse = true;
  await env.clock.advance(3 * S + 100 * 10 * S);
  t.is(controller.state, 'connecting');
  t.true(logged(env.logs, 'Failed reconnect attempt 100/forever'));
  env.network.refuse = false;
  await env.clock.advance(10 * S);
  t.is(controller.state, 'live');
  await write;
  t.deepEqual(target.storage.subarray(0, 1024), pattern(1024, 2));
  await controller.disconnect();
});

test('host recovery: a DNR status on Connect stops reconnecting', async (t) => {
  const { env, target, controller } = await world({ reconnectDelayS: 1 });
  target.hooks.push((connection, sqe) => {
    if (sqe.opcode !== FABRICS_OPCODE || (sqe.nsid & 0xff) !== FabricsType.CONNECT || target.connections.length <= 3) return false;
    connection.respond(sqe.cid, Status.CONNECT_INVALID_HOST | STATUS_DNR);
    return true;
  });
  target.connection(0)?.send({ type: PduType.C2HTermReq, fes: Fes.PDU_SEQUENCE_ERROR, fei: 0, errorData: new Uint8Array(0) });
  await settle();
  t.is(controller.state, 'connecting');
  await env.clock.advance(1 * S);
  t.is(controller.state, 'deleted');
  t.true(logged(env.logs, 'Failed reconnect attempt 1/600'));
  t.true(logged(env.logs, 'Removing controller'));
  await env.clock.advance(10 * S);
  t.is(target.connections.length, 4);
});

test('host recovery: the number of I/O queues may change on reconnect', async (t) => {
  const { env, target, controller } = await world({ nrIoQueues: 4, reconnectDelayS: 1 });
  t.is(controller.ioQueueCount, 4);
  target.grantQueues = 2;
  target.connection(3)?.send({ type: PduType.C2HTermReq, fes: Fes.INVALID_HEADER_FIELD, fei: 0, errorData: new Uint8Array(0) });
  await env.clock.advance(1 * S);
  t.is(controller.state, 'live');
  t.is(controller.ioQueueCount, 2);
  const device = await controller.namespace(1);
  const data = pattern(8192, 5);
  await Promise.all([device.write(0, data.subarray(0, 4096)), device.write(4096, data.subarray(4096))]);
  t.deepEqual(await device.read(0, 8192), data);
  await controller.disconnect();
});

test('host recovery: a keep-alive that times out starts error recovery', async (t) => {
  const { env, target, controller, states } = await world({ keepAliveTmoS: 4, reconnectDelayS: 5 });
  target.hooks.push((_connection, sqe) => sqe.opcode === AdminOpcode.KEEP_ALIVE);
  // The first keep-alive goes out at 2 s and times out after kato (4 s).
  await env.clock.advance(6 * S);
  t.deepEqual(states[0], ['resetting', 6 * S]);
  t.true(logged(env.logs, 'opcode 0x18'));
  target.hooks.length = 0;
  await env.clock.advance(5 * S);
  t.is(controller.state, 'live');
  await controller.disconnect();
});

test('host recovery: C2HTermReq from the target starts error recovery', async (t) => {
  const { env, target, controller } = await world({ reconnectDelayS: 1 });
  target.connection(1)?.send({ type: PduType.C2HTermReq, fes: Fes.HEADER_DIGEST_ERROR, fei: 0, errorData: new Uint8Array(8) });
  await settle();
  t.is(controller.state, 'connecting');
  t.true(logged(env.logs, 'Received C2HTermReq (FES = header digest error)'));
  await env.clock.advance(1 * S);
  t.is(controller.state, 'live');
  await controller.disconnect();
});

// ---- Bad R2Ts (host/tcp.c nvme_tcp_handle_r2t) ----

const r2tCases: [string, number, (connection: FakeConnection, cid: number, length: number) => void, string][] = [
  ['zero length', IoOpcode.WRITE, (c, cid) => c.send({ type: PduType.R2T, cccid: cid, ttag: 1, r2to: 0, r2tl: 0 }), 'r2t len is 0'],
  ['past the data', IoOpcode.WRITE, (c, cid, length) => c.send({ type: PduType.R2T, cccid: cid, ttag: 1, r2to: 0, r2tl: length + 512 }), 'exceeded data len'],
  ['unknown command id', IoOpcode.WRITE, (c, cid) => c.send({ type: PduType.R2T, cccid: cid ^ 0x0100, ttag: 1, r2to: 0, r2tl: 512 }), 'got bad r2t.command_id'],
  ['for a read', IoOpcode.READ, (c, cid) => c.send({ type: PduType.R2T, cccid: cid, ttag: 1, r2to: 0, r2tl: 512 }), 'unexpected r2t'],
  [
    'offset behind what was sent',
    IoOpcode.WRITE,
    (c, cid, length) => {
      c.send({ type: PduType.R2T, cccid: cid, ttag: 1, r2to: 0, r2tl: length / 2 });
      c.send({ type: PduType.R2T, cccid: cid, ttag: 2, r2to: 0, r2tl: length / 2 });
    },
    'unexpected r2t offset 0',
  ],
];

for (const [name, opcode, send, message] of r2tCases) {
  test(`host recovery: a bad R2T (${name}) starts error recovery and the I/O is retried`, async (t) => {
    const { env, target, controller } = await world({ reconnectDelayS: 1, nrIoQueues: 1 }, { inCapsuleDataSize: 0 });
    const device = await controller.namespace(1);
    let armed = true;
    const hook: CommandHook = (connection, sqe) => {
      if (!armed || sqe.opcode !== opcode) return false;
      armed = false;
      send(connection, sqe.cid, sqe.sglLength);
      return true;
    };
    target.hooks.push(hook);
    const data = pattern(16384, 8);
    target.storage.set(data, 0);
    const io = opcode === IoOpcode.WRITE ? device.write(0, data) : device.read(0, 16384);
    await settle();
    t.is(controller.state, 'connecting');
    t.true(logged(env.logs, message), message);
    await env.clock.advance(1 * S);
    t.is(controller.state, 'live');
    await io;
    t.deepEqual(target.storage.subarray(0, 16384), data);
    await controller.disconnect();
  });
}

// ---- Malformed PDUs ----

function malformed(type: number, hlen: number, plen: number, extra = 0): Uint8Array {
  const bytes = new Uint8Array(Math.max(8, plen) + extra);
  bytes[0] = type;
  bytes[2] = hlen;
  new DataView(bytes.buffer).setUint32(4, plen, true);
  return bytes;
}

const malformedCases: [string, (connection: FakeConnection) => void, number | null][] = [
  ['reserved PDU type 0x08', (c) => c.sendRaw(malformed(0x08, 24, 24)), Fes.INVALID_HEADER_FIELD],
  ['CapsuleResp with hlen 20', (c) => c.sendRaw(malformed(PduType.CapsuleResp, 20, 24)), Fes.INVALID_HEADER_FIELD],
  ['CapsuleCmd sent to a host', (c) => c.sendRaw(malformed(PduType.CapsuleCmd, 72, 72)), Fes.PDU_SEQUENCE_ERROR],
  ['C2HData with SUCCESS but not LAST', (c) => c.sendRaw(Uint8Array.of(PduType.C2HData, 0x08, 24, 24, 28, 0, 0, 0, ...new Uint8Array(20))), Fes.INVALID_HEADER_FIELD],
  ['CapsuleResp for a command that is not in flight', (c) => c.send({ type: PduType.CapsuleResp, cqe: encodeCqe({ cid: 0x0777 }) }), null],
  ['second ICResp', (c) => c.sendRaw(malformed(PduType.ICResp, 128, 128)), Fes.PDU_SEQUENCE_ERROR],
  ['plen far above any transfer', (c) => c.sendRaw(malformed(PduType.C2HData, 24, 0x7fffffff)), Fes.DATA_LIMIT_EXCEEDED],
];

for (const [name, send, fes] of malformedCases) {
  test(`host recovery: malformed PDU (${name}) tears the connection down without throwing`, async (t) => {
    const { env, target, controller } = await world({ reconnectDelayS: 1 });
    const connection = target.connection(1);
    if (connection === undefined) return t.fail('no I/O connection');
    send(connection);
    await settle();
    t.is(controller.state, 'connecting');
    if (fes !== null) t.deepEqual((connection.termReqs as TermReqPdu[]).map((pdu) => [pdu.type, pdu.fes]), [[PduType.H2CTermReq, fes]]);
    else t.true(logged(env.logs, 'got bad cqe.command_id'));
    await env.clock.advance(1 * S);
    t.is(controller.state, 'live');
    await controller.disconnect();
  });
}

test('host recovery: random bytes from the target never throw', async (t) => {
  for (let seed = 1; seed <= 40; seed++) {
    const { env, target, controller } = await world({ reconnectDelayS: 1, hdrDigest: seed % 2 === 0 });
    const random = env.rng.stream(`fuzz-${seed}`);
    const connection = target.connection(seed % 3);
    if (connection === undefined) return t.fail('no connection');
    const bytes = new Uint8Array(1 + random.int(300));
    for (let index = 0; index < bytes.length; index++) bytes[index] = random.int(256);
    // Bias the first byte toward types a host accepts, so the fuzz reaches deeper checks.
    bytes[0] = [PduType.CapsuleResp, PduType.C2HData, PduType.R2T, PduType.C2HTermReq, random.int(256)][random.int(5)] ?? 0;
    if (bytes.length >= 8 && random.int(2) === 0) new DataView(bytes.buffer).setUint32(4, bytes.length, true);
    connection.sendRaw(bytes);
    await settle();
    await env.clock.advance(2 * S);
    t.true(['live', 'connecting'].includes(controller.state), `seed ${seed}: ${controller.state}`);
    await controller.disconnect();
    t.is(controller.state, 'deleted');
  }
});

// ---- Asynchronous events and disconnect ----

test('host recovery: a namespace-change AEN re-reads the namespace list and resubmits the AER', async (t) => {
  const { env, target, controller } = await world();
  const changes: (readonly number[])[] = [];
  controller.onNamespacesChanged((nsids) => changes.push(nsids));
  // Namespace attribute changed: type NOTICE, info 0, log page 04h.
  t.true(target.completeAer(0x00040002));
  await settle();
  t.deepEqual(changes, [[1]]);
  const logReads = target.commands.filter((record) => record.opcode === AdminOpcode.GET_LOG_PAGE);
  t.is(logReads.length, 1);
  t.is(target.changedNsLogReads, 1);
  t.is(target.connection(0)?.heldAers.length, 1);
  await env.clock.advance(1 * S);
  await controller.disconnect();
});

test('host recovery: disconnect shuts the controller down and closes every connection', async (t) => {
  const { target, controller } = await world({ nrIoQueues: 3 });
  const device = await controller.namespace(1);
  await device.write(0, pattern(512, 1));
  await controller.disconnect();
  await settle();
  t.is(controller.state, 'deleted');
  t.true(target.connections.every((connection) => connection.closed));
  const setCc = target.commands.filter((record) => record.fctype === FabricsType.PROPERTY_SET);
  // CC EN=0, CC EN=1, then CC SHN=normal.
  t.is(setCc.length, 3);
  const error = await t.throwsAsync(device.read(0, 512), { instanceOf: NvmeStatusError });
  t.is(error?.status, Status.HOST_PATH_ERROR);
});
