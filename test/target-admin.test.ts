// Admin commands of the target: Identify (controller, namespace, lists, descriptors), features,
// log pages, asynchronous events on namespace changes, Abort, and the keep-alive timer driven by the
// fake clock of the memory world.
import test from 'ava';
import { NS_PER_S } from '../sim/core/env.js';
import { AdminOpcode, AsyncEventNotice, AsyncEventType, FeatureId, IdentifyCns, LogPageId } from '../sim/nvme/constants.js';
import { decodeAsyncEvent, decodeNumQueues } from '../sim/nvme/features.js';
import {
  Ctratt,
  decodeIdentifyController,
  decodeIdentifyNamespace,
  decodeNsDescriptorList,
  decodeNsList,
  Lpa,
  Nidt,
  Oncs,
  Sgls,
} from '../sim/nvme/identify.js';
import { CmdEffect, decodeChangedNsList, decodeErrorLog, decodeSmartLog } from '../sim/nvme/log-pages.js';
import { RegisterOffset } from '../sim/nvme/registers.js';
import { buildAbort, buildAsyncEventRequest, buildGetFeatures } from '../sim/nvme/sqe.js';
import { Status, STATUS_DNR, STATUS_MORE } from '../sim/nvme/status.js';
import { uuidFromBytes, uuidToBytes } from '../sim/nvme/strings.js';
import { CC_ENABLE, HOSTID, NS_BYTES, NS_NGUID, NS_UUID, SUBNQN, pattern, startMemoryTarget, testConfig } from './helpers/target-fixtures.js';
import { PduType } from '../sim/nvme/pdu-types.js';
import { decodeCqe } from '../sim/nvme/cqe.js';

test('target: Identify Controller reports the subsystem, capsule sizes and limits like nvmet', async (t) => {
  const { connect } = await startMemoryTarget(t);
  const host = connect();
  const cntlid = await host.adminSession();
  const result = await host.identifyController();
  t.is(result.cqe.status, 0);
  t.is(result.data.length, 4096);
  const id = decodeIdentifyController(result.data);
  t.is(id.sn, 'SIMSERIAL0001');
  t.is(id.mn, 'nvmf-sim test');
  t.is(id.fr, '0.1.0');
  t.is(id.cntlid, cntlid);
  t.is(id.ver, 0x00010300);
  t.is(id.subnqn, SUBNQN);
  t.is(id.cntrltype, 1);
  // (SQE + 16 KiB inline data) / 16.
  t.is(id.ioccsz, (64 + 16384) / 16);
  t.is(id.iorcsz, 1);
  t.is(id.icdoff, 0);
  t.is(id.msdbd, 1);
  t.is(id.sgls, Sgls.SUPPORTED | Sgls.OFFSET);
  t.is(id.mdts, 9);
  t.is(id.kas, 10);
  t.is(id.nn, 1024);
  t.is(id.oncs, Oncs.DSM | Oncs.WRITE_ZEROES);
  t.is(id.vwc & 1, 1);
  t.is(id.aerl, 3);
  t.is(id.elpe, 127);
  t.is(id.sqes, 0x66);
  t.is(id.cqes, 0x44);
  t.is(id.maxcmd, 1024);
  t.is(id.lpa, Lpa.SMART_PER_NS | Lpa.CMD_EFFECTS | Lpa.EXTENDED_DATA);
  t.is(id.ctratt, Ctratt.HID_128_BIT | Ctratt.TBKAS);
});

test('target: Identify Controller IOCCSZ follows the port inline data size', async (t) => {
  const config = testConfig(4420);
  const port = config.ports?.[0];
  if (port === undefined) throw new Error('no port');
  const { connect } = await startMemoryTarget(t, { ...config, ports: [{ ...port, inlineDataSize: 0 }] });
  const host = connect();
  await host.adminSession();
  const id = decodeIdentifyController((await host.identifyController()).data);
  t.is(id.ioccsz, 4);
  t.is(id.sgls, Sgls.SUPPORTED);
});

test('target: Identify Namespace, active list and descriptors', async (t) => {
  const { connect } = await startMemoryTarget(t);
  const host = connect();
  await host.adminSession();
  const ns = decodeIdentifyNamespace((await host.identify(IdentifyCns.NAMESPACE, 1)).data);
  t.is(ns.nsze, NS_BYTES / 512);
  t.is(ns.ncap, NS_BYTES / 512);
  t.is(ns.nuse, NS_BYTES / 512);
  t.is(ns.lbaf[0]?.lbads, 9);
  t.is(ns.nmic, 1);
  t.is(ns.nguid, NS_NGUID.replaceAll('-', ''));
  // Unknown namespaces read as zeroes (nvmet), NSID_ALL is invalid.
  const missing = await host.identify(IdentifyCns.NAMESPACE, 7);
  t.is(missing.cqe.status, 0);
  t.true(missing.data.every((byte) => byte === 0));
  const all = await host.identify(IdentifyCns.NAMESPACE, 0xffffffff);
  t.is(all.cqe.status, Status.INVALID_NS | STATUS_DNR | STATUS_MORE);
  t.deepEqual(decodeNsList((await host.identify(IdentifyCns.ACTIVE_NS_LIST, 0)).data), [1]);
  t.deepEqual(decodeNsList((await host.identify(IdentifyCns.ACTIVE_NS_LIST, 1)).data), []);
  const descriptors = decodeNsDescriptorList((await host.identify(IdentifyCns.NS_DESC_LIST, 1)).data);
  t.deepEqual(
    descriptors.map((descriptor) => descriptor.nidt),
    [Nidt.UUID, Nidt.NGUID, Nidt.CSI],
  );
  t.is(uuidFromBytes(descriptors[0]?.nid ?? new Uint8Array(16)), NS_UUID);
  const bad = await host.identify(0x1f);
  t.is(bad.cqe.status, Status.INVALID_FIELD | STATUS_DNR | STATUS_MORE);
});

test('target: admin commands before CC.EN fail with Command Sequence Error', async (t) => {
  const { connect } = await startMemoryTarget(t);
  const host = connect();
  await host.icreq();
  await host.connect();
  t.is((await host.identifyController()).cqe.status, Status.CMD_SEQ_ERROR | STATUS_DNR);
  await host.propertySet(RegisterOffset.CC, CC_ENABLE);
  t.is((await host.identifyController()).cqe.status, 0);
});

test('target: Set/Get Features: number of queues, KATO, async event config, volatile write cache, host ID', async (t) => {
  const { connect } = await startMemoryTarget(t);
  const host = connect();
  await host.adminSession({ kato: 15000 });
  const queues = await host.setNumQueues(4);
  t.deepEqual(decodeNumQueues(queues.cqe.dw0), { sqCount: 4, cqCount: 4 });
  const getQueues = await host.command(buildGetFeatures({ cid: host.nextCid(), fid: FeatureId.NUM_QUEUES }));
  t.deepEqual(decodeNumQueues(getQueues.cqe.dw0), { sqCount: 4, cqCount: 4 });
  const kato = await host.command(buildGetFeatures({ cid: host.nextCid(), fid: FeatureId.KATO }));
  t.is(kato.cqe.dw0, 15000);
  t.is((await host.setFeature(FeatureId.KATO, 2500)).cqe.dw0, 3);
  t.is((await host.command(buildGetFeatures({ cid: host.nextCid(), fid: FeatureId.KATO }))).cqe.dw0, 3000);
  t.is((await host.setFeature(FeatureId.ASYNC_EVENT_CONFIG, 0x100)).cqe.status, 0);
  t.is((await host.command(buildGetFeatures({ cid: host.nextCid(), fid: FeatureId.ASYNC_EVENT_CONFIG }))).cqe.dw0, 0x100);
  t.is((await host.setFeature(FeatureId.ASYNC_EVENT_CONFIG, 0x10000)).cqe.status, Status.INVALID_FIELD | STATUS_DNR | STATUS_MORE);
  t.is((await host.command(buildGetFeatures({ cid: host.nextCid(), fid: FeatureId.VOLATILE_WC }))).cqe.dw0, 1);
  const hostId = await host.command(buildGetFeatures({ cid: host.nextCid(), fid: FeatureId.HOST_ID, cdw11: 1, dataLength: 16 }));
  t.deepEqual(hostId.data, uuidToBytes(HOSTID));
  t.is((await host.setFeature(FeatureId.HOST_ID, 1)).cqe.status, Status.CMD_SEQ_ERROR | STATUS_DNR);
  t.is((await host.setFeature(FeatureId.NUM_QUEUES, 0xffff)).cqe.status, Status.INVALID_FIELD | STATUS_DNR);
  t.is((await host.setFeature(0x7e, 0)).cqe.status, Status.INVALID_FIELD | STATUS_DNR | STATUS_MORE);
});

test('target: Keep Alive succeeds with a KATO and fails with KATO 0', async (t) => {
  const { connect } = await startMemoryTarget(t);
  const withKato = connect();
  await withKato.adminSession({ kato: 5000 });
  t.is((await withKato.keepAlive()).cqe.status, 0);
  const without = connect();
  await without.adminSession({ kato: 0 });
  t.is((await without.keepAlive()).cqe.status, Status.KA_TIMEOUT_INVALID);
});

test('target: keep-alive expiry after an idle KATO period closes the controller and all its queues', async (t) => {
  const { connect, world, target, log } = await startMemoryTarget(t);
  const admin = connect();
  const cntlid = await admin.adminSession({ kato: 2000 });
  const io = connect();
  await io.ioSession(cntlid, { qid: 1 });
  // Traffic resets the traffic-based timer: a Keep Alive every second keeps it alive.
  for (let second = 0; second < 5; second++) {
    world.advanceBy(NS_PER_S);
    t.is((await admin.keepAlive()).cqe.status, 0);
  }
  t.is(target.controllers().length, 1);
  // Two idle periods: the first firing sees the last traffic, the second expires.
  world.advanceBy(4 * NS_PER_S);
  t.deepEqual(target.controllers(), []);
  t.true(await admin.closed());
  t.true(await io.closed());
  t.true(log.has(`ctrl ${cntlid} keep-alive timer (2 seconds) expired!`));
  t.is(target.stats.keepAliveExpiries, 1);
});

test('target: I/O traffic alone keeps the controller alive (traffic-based keep-alive)', async (t) => {
  const { connect, world, target } = await startMemoryTarget(t);
  const admin = connect();
  const cntlid = await admin.adminSession({ kato: 1000 });
  const io = connect();
  await io.ioSession(cntlid, { qid: 1 });
  for (let step = 0; step < 10; step++) {
    world.advanceBy(NS_PER_S / 2);
    t.is((await io.read(1, 0, 512)).cqe.status, 0);
  }
  t.is(target.controllers().length, 1);
});

test('target: KATO 0 disables the timer', async (t) => {
  const { connect, world, target } = await startMemoryTarget(t);
  const admin = connect();
  await admin.adminSession({ kato: 0 });
  world.advanceBy(3600 * NS_PER_S);
  t.is(target.controllers().length, 1);
});

test('target: AER completes on namespace change with notice / NS changed / LID 04h; the changed list is read once', async (t) => {
  const { connect, target } = await startMemoryTarget(t);
  const host = connect();
  await host.adminSession();
  const aerCid = host.nextCid();
  host.sendPdu({ type: PduType.CapsuleCmd, sqe: buildAsyncEventRequest({ cid: aerCid }), data: new Uint8Array(0) });
  host.settle();
  t.deepEqual(host.pending, []);
  await target.addNamespace(SUBNQN, { nsid: 2, device: 'ram:1MiB' });
  const response = await host.expectType(PduType.CapsuleResp);
  const cqe = decodeCqe(response.cqe);
  t.is(cqe.cid, aerCid);
  t.is(cqe.status, 0);
  t.deepEqual(decodeAsyncEvent(cqe.dw0), { type: AsyncEventType.NOTICE, info: AsyncEventNotice.NS_CHANGED, lid: LogPageId.CHANGED_NS });
  t.deepEqual(decodeNsList((await host.identify(IdentifyCns.ACTIVE_NS_LIST)).data), [1, 2]);
  const changed = await host.getLogPage(LogPageId.CHANGED_NS, 4096);
  t.deepEqual(decodeChangedNsList(changed.data), [2]);
  t.deepEqual(decodeChangedNsList((await host.getLogPage(LogPageId.CHANGED_NS, 4096)).data), []);
});

test('target: a namespace change with no AER outstanding is delivered to the next AER', async (t) => {
  const { connect, target } = await startMemoryTarget(t);
  const host = connect();
  await host.adminSession();
  await target.disableNamespace(SUBNQN, 1);
  const aer = await host.command(buildAsyncEventRequest({ cid: host.nextCid() }));
  t.is(decodeAsyncEvent(aer.cqe.dw0).info, AsyncEventNotice.NS_CHANGED);
  // Until the host reads the changed list, further changes raise no new event (nvmet aen_masked).
  await target.enableNamespace(SUBNQN, 1);
  const aerCid = host.nextCid();
  host.sendPdu({ type: PduType.CapsuleCmd, sqe: buildAsyncEventRequest({ cid: aerCid }), data: new Uint8Array(0) });
  t.deepEqual(host.pending, []);
  t.deepEqual(decodeChangedNsList((await host.getLogPage(LogPageId.CHANGED_NS, 4096)).data), [1]);
  await target.disableNamespace(SUBNQN, 1);
  const event = await host.expectType(PduType.CapsuleResp);
  t.is(decodeCqe(event.cqe).cid, aerCid);
});

test('target: more than four outstanding AERs: Asynchronous Event Request Limit Exceeded', async (t) => {
  const { connect } = await startMemoryTarget(t);
  const host = connect();
  await host.adminSession();
  for (let index = 0; index < 4; index++) {
    host.sendPdu({ type: PduType.CapsuleCmd, sqe: buildAsyncEventRequest({ cid: 100 + index }), data: new Uint8Array(0) });
  }
  const fifth = await host.command(buildAsyncEventRequest({ cid: 104 }));
  t.is(fifth.cqe.status, Status.ASYNC_LIMIT | STATUS_DNR);
});

test('target: Abort completes with "not aborted"', async (t) => {
  const { connect } = await startMemoryTarget(t);
  const host = connect();
  await host.adminSession();
  const abort = await host.command(buildAbort({ cid: host.nextCid(), sqid: 1, abortCid: 5 }));
  t.is(abort.cqe.status, 0);
  t.is(abort.cqe.dw0 & 1, 1);
});

test('target: error log records failed commands newest first; SMART counts I/O and errors', async (t) => {
  const { connect } = await startMemoryTarget(t);
  const admin = connect();
  const cntlid = await admin.adminSession();
  const io = connect();
  await io.ioSession(cntlid, { qid: 1 });
  t.is((await io.write(1, 0, pattern(8192), { inCapsule: true })).cqe.status, 0);
  t.is((await io.read(1, 0, 4096)).cqe.status, 0);
  const beyond = await io.read(1, NS_BYTES / 512, 512);
  t.is(beyond.cqe.status, Status.LBA_RANGE | STATUS_DNR | STATUS_MORE);
  const badNs = await io.read(9, 0, 512);
  t.is(badNs.cqe.status, Status.INVALID_NS | STATUS_DNR | STATUS_MORE);
  const log = decodeErrorLog((await admin.getLogPage(LogPageId.ERROR, 4096)).data);
  t.is(log.length, 64);
  t.like(log[0], { errorCount: 2, sqid: 1, cid: badNs.cqe.cid, status: Status.INVALID_NS | STATUS_DNR, nsid: 9, parameterErrorLocation: 4 });
  t.like(log[1], { errorCount: 1, sqid: 1, status: Status.LBA_RANGE | STATUS_DNR, lba: NS_BYTES / 512, parameterErrorLocation: 40 });
  t.is(log[2]?.errorCount, 0);
  const smart = decodeSmartLog((await admin.getLogPage(LogPageId.SMART, 512, { nsid: 0xffffffff })).data);
  t.is(smart.hostWrites, 1n);
  t.is(smart.hostReads, 1n);
  t.is(smart.dataUnitsWritten, 1n);
  t.is(smart.numErrLogEntries, 2n);
  t.is((await admin.getLogPage(LogPageId.SMART, 256)).cqe.status, Status.INTERNAL);
});

test('target: commands supported and effects log lists the implemented commands', async (t) => {
  const { connect } = await startMemoryTarget(t);
  const host = connect();
  await host.adminSession();
  const log = (await host.getLogPage(LogPageId.CMD_EFFECTS, 4096)).data;
  const view = new DataView(log.buffer, log.byteOffset, log.byteLength);
  t.is(view.getUint32(AdminOpcode.IDENTIFY * 4, true), CmdEffect.CSUPP);
  t.is(view.getUint32(AdminOpcode.KEEP_ALIVE * 4, true), CmdEffect.CSUPP);
  t.is(view.getUint32(1024 + 0x02 * 4, true), CmdEffect.CSUPP);
  t.is(view.getUint32(AdminOpcode.FORMAT_NVM * 4, true), 0);
  t.is((await host.getLogPage(0x55, 512)).cqe.status, Status.INVALID_FIELD | STATUS_DNR | STATUS_MORE);
});

test('target: unknown admin opcode is an invalid opcode and the connection stays up', async (t) => {
  const { connect } = await startMemoryTarget(t);
  const host = connect();
  await host.adminSession();
  const format = await host.command(new Uint8Array([AdminOpcode.FORMAT_NVM, 0x40, 9, 0, ...new Array<number>(60).fill(0)]));
  t.is(format.cqe.status, Status.INVALID_OPCODE | STATUS_DNR | STATUS_MORE);
  t.is((await host.identifyController()).cqe.status, 0);
});
