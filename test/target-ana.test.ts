// ANA on the target, as Linux nvmet serves it: Identify reports CMIC.ANA and the ANA limits, the
// ANA log (LID 0Ch) gives each group's state as seen through the port asked, I/O through a port
// where its group is inaccessible, lost or changing fails with the path status a multipath host
// fails over on, and a state change raises one ANA change notice per controller on that port.
import test from 'ava';
import { AsyncEventNotice, AsyncEventType, IdentifyCns, LogPageId } from '../sim/nvme/constants.js';
import { decodeAsyncEvent } from '../sim/nvme/features.js';
import { Cmic, decodeIdentifyController, decodeIdentifyNamespace, Oaes } from '../sim/nvme/identify.js';
import { ANA_LOG_RGO, AnaState, decodeAnaLog, encodeAnaLog } from '../sim/nvme/ana-log.js';
import { buildAsyncEventRequest, buildGetLogPage } from '../sim/nvme/sqe.js';
import { Status, STATUS_MORE } from '../sim/nvme/status.js';
import { PduType } from '../sim/nvme/pdu-types.js';
import { decodeCqe } from '../sim/nvme/cqe.js';
import type { TargetConfig } from '../sim/target/index.js';
import { pattern, startMemoryTarget, SUBNQN, type TestHost } from './helpers/target-fixtures.js';

/** One subsystem with nsid 1 in group 1 and nsid 2 in group 2, exported on two ports. */
function twoPorts(): TargetConfig {
  return {
    subsystems: [
      {
        nqn: SUBNQN,
        namespaces: [
          { nsid: 1, device: 'ram:1MiB' },
          { nsid: 2, device: 'ram:1MiB', anaGroupId: 2 },
        ],
      },
    ],
    ports: [
      { portid: 1, traddr: '127.0.0.1', trsvcid: 4420, subsystems: [SUBNQN], anaGroups: [{ grpid: 1, state: 'optimized' }, { grpid: 2, state: 'non-optimized' }] },
      { portid: 2, traddr: '127.0.0.1', trsvcid: 4421, subsystems: [SUBNQN], anaGroups: [{ grpid: 1, state: 'non-optimized' }, { grpid: 2, state: 'optimized' }] },
    ],
  };
}

async function anaLog(host: TestHost, rgo = false): Promise<ReturnType<typeof decodeAnaLog>> {
  const result = await host.command(buildGetLogPage({ cid: host.nextCid(), lid: LogPageId.ANA, numdBytes: 4096, nsid: 0, lsp: rgo ? ANA_LOG_RGO : 0 }));
  if (result.cqe.status !== 0) throw new Error(`ANA log: status 0x${result.cqe.status.toString(16)}`);
  return decodeAnaLog(result.data);
}

async function ioSessionOn(connect: (portid?: number) => TestHost, portid: number): Promise<{ admin: TestHost; io: TestHost }> {
  const admin = connect(portid);
  const cntlid = await admin.adminSession();
  await admin.setNumQueues(1);
  const io = connect(portid);
  const connected = await io.ioSession(cntlid);
  if (connected.cqe.status !== 0) throw new Error('I/O connect failed');
  return { admin, io };
}

test('nvme-ana: log round trip, with and without NSIDs; malformed logs are refused', (t) => {
  const log = { chgcnt: 7, groups: [{ grpid: 1, chgcnt: 7, state: AnaState.OPTIMIZED, nsids: [1, 3] }, { grpid: 2, chgcnt: 7, state: AnaState.CHANGE, nsids: [] }] };
  const bytes = encodeAnaLog(log);
  t.is(bytes.length, 16 + 32 + 8 + 32);
  t.deepEqual(decodeAnaLog(bytes), log);
  t.throws(() => decodeAnaLog(bytes.subarray(0, 40)), { message: /descriptor 0 runs past/ });
  const zeroGroup = bytes.slice();
  zeroGroup[16] = 0;
  t.throws(() => decodeAnaLog(zeroGroup), { message: /group ID 0/ });
  const badState = bytes.slice();
  badState[16 + 16] = 0x07;
  t.throws(() => decodeAnaLog(badState), { message: /undefined state 0x7/ });
});

test('target ana: Identify reports CMIC.ANA, ANACAP, ANATT and 128 groups, and each namespace its group', async (t) => {
  const { connect } = await startMemoryTarget(t, twoPorts());
  const host = connect(1);
  await host.adminSession();
  const id = decodeIdentifyController((await host.identifyController()).data);
  t.is(id.cmic, Cmic.MULTI_PORT | Cmic.MULTI_CTRL | Cmic.ANA);
  t.is(id.oaes, Oaes.NS_ATTR | Oaes.ANA_CHANGE, 'ANA change notices offered, as nvmet (NVMET_AEN_CFG_OPTIONAL)');
  t.is(id.anacap, 0x1f);
  t.is(id.anatt, 10);
  t.is(id.anagrpmax, 128);
  t.is(id.nanagrpid, 128);
  t.is(decodeIdentifyNamespace((await host.identify(IdentifyCns.NAMESPACE, 2)).data).anagrpid, 2);
});

test('target ana: the log gives each group its state through the port asked, with its NSIDs unless RGO', async (t) => {
  const { connect } = await startMemoryTarget(t, twoPorts());
  const one = connect(1);
  await one.adminSession();
  const two = connect(2);
  await two.adminSession();
  const viaOne = await anaLog(one);
  t.deepEqual(viaOne.groups.map((g) => [g.grpid, g.state, g.nsids]), [[1, AnaState.OPTIMIZED, [1]], [2, AnaState.NON_OPTIMIZED, [2]]]);
  const viaTwo = await anaLog(two, true);
  t.deepEqual(viaTwo.groups.map((g) => [g.grpid, g.state, g.nsids]), [[1, AnaState.NON_OPTIMIZED, []], [2, AnaState.OPTIMIZED, []]]);
  t.is(viaOne.chgcnt, viaTwo.chgcnt);
});

test('target ana: I/O through an inaccessible, lost or changing group fails with its path status; the other port serves it', async (t) => {
  const { connect, target } = await startMemoryTarget(t, twoPorts());
  const one = await ioSessionOn(connect, 1);
  const two = await ioSessionOn(connect, 2);
  const data = pattern(4096);
  t.is((await one.io.write(2, 0, data)).cqe.status, 0, 'non-optimized serves I/O');
  for (const [state, status] of [
    ['inaccessible', Status.ANA_INACCESSIBLE],
    ['persistent-loss', Status.ANA_PERSISTENT_LOSS],
    ['change', Status.ANA_TRANSITION],
  ] as const) {
    target.setAnaState(1, 2, state);
    const failed = await one.io.read(2, 0, 4096);
    // The target logs the error (More set, as for every failed command here).
    t.is(failed.cqe.status & ~STATUS_MORE, status, state);
    // Path errors carry no DNR: the host may retry on another path.
    t.is(failed.cqe.status & 0x4000, 0);
  }
  // nsid 1 (group 1) is untouched on port 1, and port 2 still reads nsid 2.
  t.is((await one.io.read(1, 0, 4096)).cqe.status, 0);
  const other = await two.io.read(2, 0, 4096);
  t.is(other.cqe.status, 0);
  t.deepEqual(other.data, data);
  // An inaccessible namespace reports no blocks in use through that port (nvmet_execute_identify_ns).
  target.setAnaState(1, 2, 'inaccessible');
  t.is(decodeIdentifyNamespace((await one.admin.identify(IdentifyCns.NAMESPACE, 2)).data).nuse, 0);
  t.true(decodeIdentifyNamespace((await two.admin.identify(IdentifyCns.NAMESPACE, 2)).data).nuse > 0);
});

test('target ana: a state change notifies the port\'s controllers once until the log is read', async (t) => {
  const { connect, target } = await startMemoryTarget(t, twoPorts());
  const one = connect(1);
  await one.adminSession();
  const two = connect(2);
  await two.adminSession();
  const before = (await anaLog(one)).chgcnt;
  const aer = (host: TestHost): number => {
    const cid = host.nextCid();
    host.sendPdu({ type: PduType.CapsuleCmd, sqe: buildAsyncEventRequest({ cid }), data: new Uint8Array(0) });
    host.settle();
    return cid;
  };
  const cidOne = aer(one);
  aer(two);
  target.setAnaState(1, 1, 'inaccessible');
  const event = decodeCqe((await one.expectType(PduType.CapsuleResp)).cqe);
  t.is(event.cid, cidOne);
  t.deepEqual(decodeAsyncEvent(event.dw0), { type: AsyncEventType.NOTICE, info: AsyncEventNotice.ANA_CHANGE, lid: LogPageId.ANA });
  two.settle();
  t.deepEqual(two.pending, [], 'port 2 saw no change');
  // Masked until the log is read: a second change raises nothing on port 1.
  aer(one);
  target.setAnaState(1, 1, 'optimized');
  t.deepEqual(one.pending, []);
  const after = await anaLog(one);
  t.is(after.chgcnt, before + 2);
  target.setAnaState(1, 1, 'non-optimized');
  t.is(decodeAsyncEvent(decodeCqe((await one.expectType(PduType.CapsuleResp)).cqe).dw0).info, AsyncEventNotice.ANA_CHANGE);
});

test('target ana: moving a namespace to another group notifies every controller of the subsystem', async (t) => {
  const { connect, target } = await startMemoryTarget(t, twoPorts());
  const hosts = [connect(1), connect(2)];
  for (const host of hosts) {
    await host.adminSession();
    host.sendPdu({ type: PduType.CapsuleCmd, sqe: buildAsyncEventRequest({ cid: host.nextCid() }), data: new Uint8Array(0) });
  }
  target.setNamespaceAnaGroup(SUBNQN, 1, 2);
  for (const host of hosts) t.is(decodeAsyncEvent(decodeCqe((await host.expectType(PduType.CapsuleResp)).cqe).dw0).info, AsyncEventNotice.ANA_CHANGE);
  t.deepEqual((await anaLog(hosts[0] as TestHost)).groups.map((g) => g.nsids), [[], [1, 2]]);
});

test('target ana: groups are created and removed per port; bad groups and states are refused', async (t) => {
  const { connect, target } = await startMemoryTarget(t, twoPorts());
  const host = connect(1);
  await host.adminSession();
  target.addAnaGroup(1, 5, 'non-optimized');
  t.deepEqual((await anaLog(host)).groups.map((g) => [g.grpid, g.state]), [[1, AnaState.OPTIMIZED], [2, AnaState.NON_OPTIMIZED], [5, AnaState.NON_OPTIMIZED]]);
  target.removeAnaGroup(1, 5);
  t.deepEqual((await anaLog(host)).groups.map((g) => g.grpid), [1, 2]);
  // Group 2 exists on port 2 only after removal from port 1: port 1 then sees it inaccessible.
  target.removeAnaGroup(1, 2);
  t.is((await anaLog(host)).groups.find((g) => g.grpid === 2)?.state, AnaState.INACCESSIBLE);
  t.throws(() => target.addAnaGroup(1, 1), { message: /cannot be created/ });
  t.throws(() => target.addAnaGroup(1, 129), { message: /cannot be created/ });
  t.throws(() => target.removeAnaGroup(1, 1), { message: /default group/ });
  t.throws(() => target.setAnaState(1, 9, 'optimized'), { message: /no ANA group 9/ });
  t.throws(() => target.setNamespaceAnaGroup(SUBNQN, 1, 0), { message: /outside 1\.\.128/ });
});
