// The target on real loopback sockets (sim/world/real-world.ts, port 0): the same engine as in the
// memory tests, now through node:net with real chunking and backpressure.
import test from 'ava';
import { decodeIdentifyController } from '../sim/nvme/identify.js';
import { decodeDiscoveryLog } from '../sim/nvme/log-pages.js';
import { DISCOVERY_NQN } from '../sim/nvme/constants.js';
import { Fes, PduType } from '../sim/nvme/pdu-types.js';
import { Status, STATUS_DNR, STATUS_MORE } from '../sim/nvme/status.js';
import { NS_BYTES, SUBNQN, pattern, startRealTarget, testConfig } from './helpers/target-fixtures.js';

test('target real: admin and I/O queues, in-capsule and R2T writes, split reads, digests', async (t) => {
  const { connect, address } = await startRealTarget(t, testConfig(0), { c2hDataMax: 128 * 1024 });
  t.is(address.host, '127.0.0.1');
  t.not(address.port, 0);
  const admin = await connect();
  const cntlid = await admin.adminSession({ kato: 10000, headerDigest: true, dataDigest: true });
  const id = decodeIdentifyController((await admin.identifyController()).data);
  t.is(id.subnqn, SUBNQN);
  t.is(id.cntlid, cntlid);
  const io = await connect();
  t.is((await io.ioSession(cntlid, { qid: 1, headerDigest: true, dataDigest: true })).cqe.status, 0);
  const small = pattern(4096, 41);
  t.is((await io.write(1, 0, small, { inCapsule: true })).cqe.status, 0);
  const big = pattern(1024 * 1024, 43);
  const write = await io.write(1, 4096, big, { h2cChunk: 64 * 1024 });
  t.is(write.cqe.status, 0);
  t.is(write.r2t.length, 1);
  const read = await io.read(1, 4096, big.length);
  t.is(read.cqe.status, 0);
  t.is(read.c2h.length, 8);
  t.deepEqual(read.data, big);
  t.deepEqual((await io.read(1, 0, 4096)).data, small);
  const beyond = await io.read(1, NS_BYTES / 512, 512);
  t.is(beyond.cqe.status, Status.LBA_RANGE | STATUS_DNR | STATUS_MORE);
});

test('target real: a malformed PDU gets a C2HTermReq and a close; another connection keeps working', async (t) => {
  const { connect, target } = await startRealTarget(t);
  const admin = await connect();
  const cntlid = await admin.adminSession();
  const io = await connect();
  await io.ioSession(cntlid);
  const victim = await connect();
  await victim.icreq();
  victim.sendBytes(Uint8Array.of(PduType.CapsuleCmd, 0, 30, 0, 72, 0, 0, 0));
  const term = await victim.expectTermReq();
  t.is(term.fes, Fes.INVALID_HEADER_FIELD);
  t.is(term.fei, 2);
  t.deepEqual([...term.errorData], [PduType.CapsuleCmd, 0, 30, 0, 72, 0, 0, 0]);
  t.true(await victim.closed());
  const data = pattern(65536, 47);
  t.is((await io.write(1, 0, data)).cqe.status, 0);
  t.deepEqual((await io.read(1, 0, 65536)).data, data);
  t.is(target.stats.fatalErrors, 1);
});

test('target real: discovery log reports the bound port for trsvcid 0', async (t) => {
  const { connect, address } = await startRealTarget(t);
  const host = await connect();
  await host.adminSession({ subnqn: DISCOVERY_NQN });
  const log = decodeDiscoveryLog((await host.discoveryLog(2048)).data);
  t.is(log.entries.length, 1);
  t.is(log.entries[0]?.trsvcid, String(address.port));
  t.is(log.entries[0]?.traddr, '127.0.0.1');
});

test('target real: stop closes connections', async (t) => {
  const { connect, target } = await startRealTarget(t);
  const host = await connect();
  await host.adminSession();
  await target.stop();
  t.true(await host.closed());
  t.deepEqual(target.boundPorts, []);
});
