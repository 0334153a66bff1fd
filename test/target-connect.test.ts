// The connection and controller lifecycle of the target: the IC exchange, admin and I/O Connect with
// the exact statuses and IPO/IATTR results Linux nvmet returns, properties, SQ head reporting and
// teardown. All over the in-memory network (deterministic, no sockets).
import test from 'ava';
import { FABRICS_OPCODE } from '../sim/nvme/constants.js';
import { buildConnect, encodeConnectData, ConnectAttr } from '../sim/nvme/fabrics.js';
import { PduType } from '../sim/nvme/pdu-types.js';
import { RegisterOffset, decodeCap } from '../sim/nvme/registers.js';
import { encodeSqe } from '../sim/nvme/sqe.js';
import { Status, STATUS_DNR } from '../sim/nvme/status.js';
import { CC_ENABLE, HOSTID, HOSTNQN, OTHER_HOSTNQN, SUBNQN, pattern, startMemoryTarget, testConfig } from './helpers/target-fixtures.js';
import { CapturingLogger, CountingCpu, MemoryWorld } from './helpers/target-fixtures.js';
import { SeededRngSource } from '../sim/core/rng.js';
import { NvmeTarget } from '../sim/target/target.js';

test('target: ICReq gets an ICResp echoing the digests, with CPDA 0 and MAXH2CDATA 4 MiB', async (t) => {
  const { connect } = await startMemoryTarget(t);
  const host = connect();
  const icresp = await host.icreq({ headerDigest: true, dataDigest: false });
  t.is(icresp.pfv, 0);
  t.is(icresp.cpda, 0);
  t.true(icresp.headerDigest);
  t.false(icresp.dataDigest);
  t.is(icresp.maxh2cdata, 0x400000);
});

test('target: maxH2CData option is advertised', async (t) => {
  const { connect } = await startMemoryTarget(t, testConfig(4420), { maxH2CData: 65536 });
  const icresp = await connect().icreq();
  t.is(icresp.maxh2cdata, 65536);
});

test('target: admin Connect creates a controller with the lowest free CNTLID', async (t) => {
  const { connect, target } = await startMemoryTarget(t);
  const first = connect();
  const second = connect();
  t.is(await first.adminSession(), 1);
  t.is(await second.adminSession(), 2);
  const infos = target.controllers();
  t.deepEqual(
    infos.map((info) => [info.cntlid, info.subsystem, info.hostnqn]),
    [
      [1, SUBNQN, HOSTNQN],
      [2, SUBNQN, HOSTNQN],
    ],
  );
  first.destroy();
  first.settle();
  // The CNTLID is free again once the admin queue is gone.
  const third = connect();
  t.is(await third.adminSession(), 1);
});

test('target: cntlid range of the subsystem is honoured', async (t) => {
  const config = testConfig(4420);
  const sub = config.subsystems?.[0];
  if (sub === undefined) throw new Error('no subsystem');
  const { connect } = await startMemoryTarget(t, { ...config, subsystems: [{ ...sub, cntlidMin: 10, cntlidMax: 10 }] });
  const first = connect();
  t.is(await first.adminSession(), 10);
  const second = connect();
  await second.icreq();
  const busy = await second.connect();
  t.is(busy.cqe.status, Status.CONNECT_CTRL_BUSY | STATUS_DNR);
});

test('target: property get/set: CAP, VS, CC.EN sets CSTS.RDY, shutdown sets SHST complete', async (t) => {
  const { connect } = await startMemoryTarget(t);
  const host = connect();
  await host.icreq();
  const connected = await host.connect({ kato: 0 });
  t.is(connected.cqe.status, 0);
  const cap = await host.propertyGet(RegisterOffset.CAP, 8);
  const decoded = decodeCap((BigInt(cap.cqe.dw1) << 32n) | BigInt(cap.cqe.dw0));
  t.is(decoded.mqes, 1023);
  t.is(decoded.to, 15);
  t.is(decoded.css & 1, 1);
  t.is((await host.propertyGet(RegisterOffset.VS)).cqe.dw0, 0x00010300);
  t.is((await host.propertyGet(RegisterOffset.CSTS)).cqe.dw0, 0);
  t.is((await host.propertySet(RegisterOffset.CC, CC_ENABLE)).cqe.status, 0);
  t.is((await host.propertyGet(RegisterOffset.CC)).cqe.dw0, CC_ENABLE);
  t.is((await host.propertyGet(RegisterOffset.CSTS)).cqe.dw0, 1);
  // Normal shutdown: CSTS.SHST = complete (10b), RDY cleared.
  t.is((await host.propertySet(RegisterOffset.CC, CC_ENABLE | (1 << 14))).cqe.status, 0);
  t.is((await host.propertyGet(RegisterOffset.CSTS)).cqe.dw0, 0b1000);
  // Unknown offsets and 8-byte writes are invalid fields.
  t.is((await host.propertyGet(0x40)).cqe.status & 0x47ff, Status.INVALID_FIELD | STATUS_DNR);
  t.is((await host.propertyGet(RegisterOffset.VS, 8)).cqe.status & 0x47ff, Status.INVALID_FIELD | STATUS_DNR);
});

test('target: CC.EN with wrong queue entry sizes sets CSTS.CFS', async (t) => {
  const { connect } = await startMemoryTarget(t);
  const host = connect();
  await host.icreq();
  await host.connect();
  await host.propertySet(RegisterOffset.CC, 1);
  t.is((await host.propertyGet(RegisterOffset.CSTS)).cqe.dw0, 0b10);
});

test('target: a command before Connect fails with Command Sequence Error and the connection stays up', async (t) => {
  const { connect } = await startMemoryTarget(t);
  const host = connect();
  await host.icreq();
  const identify = await host.identifyController();
  t.is(identify.cqe.status, Status.CMD_SEQ_ERROR | STATUS_DNR);
  const propertyGet = await host.propertyGet(RegisterOffset.CAP, 8);
  t.is(propertyGet.cqe.status, Status.CMD_SEQ_ERROR | STATUS_DNR);
  const connected = await host.connect();
  t.is(connected.cqe.status, 0);
  t.false(host.isClosed);
});

test('target: Connect to an unknown subsystem: CONNECT_INVALID_PARAM with IATTR data, IPO subnqn', async (t) => {
  const { connect } = await startMemoryTarget(t);
  const host = connect();
  await host.icreq();
  const result = await host.connect({ subnqn: 'nqn.2024-01.io.nvmf-sim:nope' });
  t.is(result.cqe.status, Status.CONNECT_INVALID_PARAM | STATUS_DNR);
  t.is(result.cqe.dw0, 0x10100);
  t.is((await host.connect()).cqe.status, 0);
});

test('target: Connect by a host that is not allowed: CONNECT_INVALID_HOST, IPO hostnqn', async (t) => {
  const config = testConfig(4420);
  const sub = config.subsystems?.[0];
  if (sub === undefined) throw new Error('no subsystem');
  const { connect } = await startMemoryTarget(t, { ...config, hosts: [HOSTNQN], subsystems: [{ ...sub, allowedHosts: [HOSTNQN] }] });
  const host = connect();
  await host.icreq();
  const refused = await host.connect({ hostnqn: OTHER_HOSTNQN });
  t.is(refused.cqe.status, Status.CONNECT_INVALID_HOST | STATUS_DNR);
  t.is(refused.cqe.dw0, 0x10200);
  t.is((await host.connect({ hostnqn: HOSTNQN })).cqe.status, 0);
});

test('target: admin Connect with a static CNTLID: CONNECT_INVALID_PARAM, IPO cntlid', async (t) => {
  const { connect } = await startMemoryTarget(t);
  const host = connect();
  await host.icreq();
  const result = await host.connect({ cntlid: 5 });
  t.is(result.cqe.status, Status.CONNECT_INVALID_PARAM | STATUS_DNR);
  t.is(result.cqe.dw0, 0x10010);
});

test('target: Connect with record format 1: CONNECT_FORMAT', async (t) => {
  const { connect } = await startMemoryTarget(t);
  const host = connect();
  await host.icreq();
  const sqe = buildConnect({ cid: 7, qid: 0, sqsize: 31, recfmt: 1 });
  const data = encodeConnectData({ hostid: HOSTID, cntlid: 0xffff, subnqn: SUBNQN, hostnqn: HOSTNQN });
  const result = await host.command(sqe, { data, inCapsule: true });
  t.is(result.cqe.status, Status.CONNECT_FORMAT | STATUS_DNR);
});

test('target: Connect SQ size 0 or above MQES: CONNECT_INVALID_PARAM, IPO sqsize', async (t) => {
  const { connect } = await startMemoryTarget(t);
  const host = connect();
  await host.icreq();
  const zero = await host.connect({ sqsize: 0 });
  t.is(zero.cqe.status, Status.CONNECT_INVALID_PARAM | STATUS_DNR);
  t.is(zero.cqe.dw0, 44);
  const big = await host.connect({ sqsize: 1024 });
  t.is(big.cqe.status, Status.CONNECT_INVALID_PARAM | STATUS_DNR);
  t.is(big.cqe.dw0, 44);
  t.is((await host.connect({ sqsize: 1023 })).cqe.status, 0);
});

test('target: I/O Connect attaches by CNTLID; a wrong CNTLID or host gets IPO cntlid', async (t) => {
  const { connect, target } = await startMemoryTarget(t);
  const admin = connect();
  const cntlid = await admin.adminSession();
  const io = connect();
  await io.icreq();
  const wrong = await io.connect({ qid: 1, cntlid: cntlid + 1 });
  t.is(wrong.cqe.status, Status.CONNECT_INVALID_PARAM | STATUS_DNR);
  t.is(wrong.cqe.dw0, 0x10010);
  const otherHost = await io.connect({ qid: 1, cntlid, hostnqn: OTHER_HOSTNQN });
  t.is(otherHost.cqe.status, Status.CONNECT_INVALID_PARAM | STATUS_DNR);
  t.is(otherHost.cqe.dw0, 0x10010);
  const ok = await io.connect({ qid: 1, cntlid, sqsize: 127 });
  t.is(ok.cqe.status, 0);
  t.is(ok.cqe.dw0, cntlid);
  t.deepEqual(target.controllers()[0]?.queues, [0, 1]);
});

test('target: I/O Connect for a qid already connected: Command Sequence Error', async (t) => {
  const { connect } = await startMemoryTarget(t);
  const admin = connect();
  const cntlid = await admin.adminSession();
  t.is((await connect().ioSession(cntlid, { qid: 1 })).cqe.status, 0);
  const duplicate = await connect().ioSession(cntlid, { qid: 1 });
  t.is(duplicate.cqe.status, Status.CMD_SEQ_ERROR | STATUS_DNR);
});

test('target: I/O Connect above qid_max or the granted queue count: CONNECT_INVALID_PARAM, IPO qid', async (t) => {
  const config = testConfig(4420);
  const sub = config.subsystems?.[0];
  if (sub === undefined) throw new Error('no subsystem');
  const { connect } = await startMemoryTarget(t, { ...config, subsystems: [{ ...sub, qidMax: 4 }] });
  const admin = connect();
  const cntlid = await admin.adminSession();
  const beyond = await connect().ioSession(cntlid, { qid: 5 });
  t.is(beyond.cqe.status, Status.CONNECT_INVALID_PARAM | STATUS_DNR);
  t.is(beyond.cqe.dw0, 42);
  // Asking for 8 queues grants min(8, qid_max) = 4; asking for 2 then caps I/O Connects at qid 2.
  t.is((await admin.setNumQueues(8)).cqe.dw0, 0x00030003);
  t.is((await admin.setNumQueues(2)).cqe.dw0, 0x00010001);
  const third = await connect().ioSession(cntlid, { qid: 3 });
  t.is(third.cqe.status, Status.CONNECT_INVALID_PARAM | STATUS_DNR);
  t.is(third.cqe.dw0, 42);
  t.is((await connect().ioSession(cntlid, { qid: 2 })).cqe.status, 0);
});

test('target: a second Connect on a connected queue is an invalid opcode', async (t) => {
  const { connect } = await startMemoryTarget(t);
  const host = connect();
  await host.adminSession();
  const again = await host.connect();
  t.is(again.cqe.status & ~0x2000, Status.INVALID_OPCODE | STATUS_DNR);
});

test('target: SQ head advances per completed command modulo the SQ size', async (t) => {
  const { connect } = await startMemoryTarget(t);
  const admin = connect();
  const cntlid = await admin.adminSession();
  const io = connect();
  const connected = await io.ioSession(cntlid, { qid: 1, sqsize: 3 });
  // SQ size 4 (sqsize is 0's based): the Connect is command 1.
  t.is(connected.cqe.sqhd, 1);
  t.is(connected.cqe.sqid, 1);
  const heads: number[] = [];
  for (let index = 0; index < 5; index++) heads.push((await io.read(1, 0, 512)).cqe.sqhd);
  t.deepEqual(heads, [2, 3, 0, 1, 2]);
});

test('target: Connect with SQ flow control disabled reports SQHD 0xffff and reads end with C2HData SUCCESS', async (t) => {
  const { connect } = await startMemoryTarget(t);
  const admin = connect();
  const cntlid = await admin.adminSession();
  const io = connect();
  const connected = await io.ioSession(cntlid, { qid: 1, cattr: ConnectAttr.DISABLE_SQFLOW });
  t.is(connected.cqe.status, 0);
  t.is(connected.cqe.sqhd, 0xffff);
  const data = pattern(4096);
  const write = await io.write(1, 0, data, { inCapsule: true });
  t.is(write.cqe.status, 0);
  t.is(write.cqe.sqhd, 0);
  const read = await io.read(1, 0, 4096);
  t.true(read.successFlag);
  t.deepEqual(read.data, data);
  t.true(read.c2h.at(-1)?.last === true && read.c2h.at(-1)?.success === true);
  // No CapsuleResp follows the SUCCESS C2HData.
  t.deepEqual(io.pending, []);
});

test('target: admin queue loss tears down the controller and its I/O queues; I/O queue loss does not', async (t) => {
  const { connect, target } = await startMemoryTarget(t);
  const admin = connect();
  const cntlid = await admin.adminSession();
  const io1 = connect();
  const io2 = connect();
  await io1.ioSession(cntlid, { qid: 1 });
  await io2.ioSession(cntlid, { qid: 2 });
  io1.destroy();
  io1.settle();
  t.deepEqual(target.controllers()[0]?.queues, [0, 2]);
  t.is((await io2.read(1, 0, 512)).cqe.status, 0);
  admin.destroy();
  admin.settle();
  t.deepEqual(target.controllers(), []);
  t.true(await io2.closed());
  t.is(target.stats.connections, 0);
});

test('target: a fabrics command of an unknown type on the admin queue is an invalid opcode', async (t) => {
  const { connect } = await startMemoryTarget(t);
  const host = connect();
  await host.adminSession();
  // Disconnect (fctype 0x08) is not supported by Linux nvmet either.
  const result = await host.command(encodeSqe({ opcode: FABRICS_OPCODE, cid: 99, nsid: 0x08 }));
  t.is(result.cqe.status & ~0x2000, Status.INVALID_OPCODE | STATUS_DNR);
  t.is(result.cqe.status & 0x2000, 0x2000, 'an error with a location sets More');
});

test('target: ICResp is sent before anything else and PDU counters move', async (t) => {
  const { connect, target } = await startMemoryTarget(t);
  const host = connect();
  host.sendPdu({ type: PduType.ICReq, pfv: 0, hpda: 0, headerDigest: false, dataDigest: false, maxr2t: 0 });
  const first = await host.next();
  t.is(first.type, PduType.ICResp);
  t.is(target.stats.pdusReceived, 1);
  t.is(target.stats.pdusSent, 1);
  t.is(target.stats.connections, 1);
});

test('target: start fails with a one-line error when a namespace cannot be opened', async (t) => {
  const world = new MemoryWorld();
  const env = { network: world.network, clock: world.clock, cpu: new CountingCpu(1), rng: new SeededRngSource('x'), log: new CapturingLogger() };
  const target = new NvmeTarget(env, {
    subsystems: [{ nqn: SUBNQN, namespaces: [{ nsid: 1, device: 'file:/nonexistent-dir/ns.img' }] }],
    ports: [{ portid: 1, traddr: '127.0.0.1', trsvcid: 4420, subsystems: [SUBNQN] }],
  });
  const error = await t.throwsAsync(target.start());
  t.regex(error.message, /^nvmet: cannot enable subsystem '.*' nsid 1 \(file:\/nonexistent-dir\/ns\.img\): .*ENOENT/);
  t.deepEqual(target.boundPorts, []);
});

test('target: invalid configuration is refused in the constructor with the field path', (t) => {
  const world = new MemoryWorld();
  const env = { network: world.network, clock: world.clock, cpu: new CountingCpu(1), rng: new SeededRngSource('x'), log: new CapturingLogger() };
  const error = t.throws(() => new NvmeTarget(env, { ports: [{ portid: 1, traddr: '127.0.0.1', subsystems: ['missing'] }] }));
  t.is(error.message, "config: ports[0].subsystems[0]: no subsystem named 'missing'");
});

test('target: changing qid_max drops the controllers so hosts reconnect (blktests nvme/048)', async (t) => {
  const { connect, target } = await startMemoryTarget(t);
  const admin = connect();
  const cntlid = await admin.adminSession();
  const io = connect();
  await io.ioSession(cntlid, { qid: 2 });
  target.setSubsystemAttributes(SUBNQN, { qidMax: 1 });
  t.true(await admin.closed());
  t.true(await io.closed());
  const again = connect();
  const newId = await again.adminSession();
  t.is((await connect().ioSession(newId, { qid: 2 })).cqe.status, Status.CONNECT_INVALID_PARAM | STATUS_DNR);
  t.is((await connect().ioSession(newId, { qid: 1 })).cqe.status, 0);
});
