// The discovery controller: its log page per port and per host, the generation counter that moves on
// every configuration change (blktests nvme/030), Discovery Log Change notices, Keep Alive on the
// discovery controller (blktests nvme/003), and what unlinking or removing a subsystem does to
// connected controllers.
import test from 'ava';
import { NS_PER_S } from '../sim/core/env.js';
import { AdminOpcode, AsyncEventNotice, DISCOVERY_NQN, FeatureId, LogPageId, SubsystemType, TransportType, Treq } from '../sim/nvme/constants.js';
import { decodeAsyncEvent } from '../sim/nvme/features.js';
import { decodeIdentifyController } from '../sim/nvme/identify.js';
import { decodeDiscoveryLog, decodeDiscoveryLogHeader } from '../sim/nvme/log-pages.js';
import { PduType } from '../sim/nvme/pdu-types.js';
import { buildAsyncEventRequest, encodeSqe } from '../sim/nvme/sqe.js';
import { Status, STATUS_DNR, STATUS_MORE } from '../sim/nvme/status.js';
import type { TargetConfig } from '../sim/target/config.js';
import { decodeCqe } from '../sim/nvme/cqe.js';
import { HOSTNQN, OTHER_HOSTNQN, SUBNQN, SUBNQN2, startMemoryTarget } from './helpers/target-fixtures.js';
import type { TestHost } from './helpers/target-fixtures.js';

function discoveryConfig(): TargetConfig {
  return {
    hosts: [HOSTNQN, OTHER_HOSTNQN],
    subsystems: [
      { nqn: SUBNQN, namespaces: [{ nsid: 1, device: 'ram:1MiB' }] },
      { nqn: SUBNQN2, allowedHosts: [HOSTNQN], namespaces: [{ nsid: 1, device: 'null:1GiB' }] },
    ],
    ports: [
      { portid: 1, traddr: '127.0.0.1', trsvcid: 4420, subsystems: [SUBNQN, SUBNQN2] },
      { portid: 2, traddr: '127.0.0.1', trsvcid: 4421, subsystems: [] },
    ],
  };
}

async function discoverySession(host: TestHost, hostnqn = HOSTNQN, kato = 0): Promise<number> {
  return host.adminSession({ subnqn: DISCOVERY_NQN, hostnqn, kato });
}

async function genctr(host: TestHost): Promise<number> {
  return decodeDiscoveryLogHeader((await host.discoveryLog(1024)).data).genctr;
}

test('target: discovery log lists the port subsystems the host may access', async (t) => {
  const { connect } = await startMemoryTarget(t, discoveryConfig());
  const host = connect();
  await discoverySession(host);
  const header = decodeDiscoveryLogHeader((await host.discoveryLog(1024)).data);
  t.is(header.numrec, 2);
  const log = decodeDiscoveryLog((await host.discoveryLog(1024 * 3)).data);
  t.is(log.genctr, header.genctr);
  t.deepEqual(
    log.entries.map((entry) => entry.subnqn),
    [SUBNQN, SUBNQN2],
  );
  t.like(log.entries[0], {
    trtype: TransportType.TCP,
    adrfam: 1,
    subtype: SubsystemType.NVME,
    treq: Treq.NOT_SPECIFIED | Treq.DISABLE_SQFLOW,
    portid: 1,
    cntlid: 0xffff,
    asqsz: 32,
    trsvcid: '4420',
    traddr: '127.0.0.1',
    sectype: 0,
  });
  // Another host does not see the subsystem it may not access.
  const other = connect();
  await discoverySession(other, OTHER_HOSTNQN);
  t.deepEqual(
    decodeDiscoveryLog((await other.discoveryLog(3072)).data).entries.map((entry) => entry.subnqn),
    [SUBNQN],
  );
  // Port 2 exports nothing.
  const second = connect(2);
  await discoverySession(second);
  t.is(decodeDiscoveryLogHeader((await second.discoveryLog(1024)).data).numrec, 0);
});

test('target: discovery Identify, unaligned log offset, unsupported commands', async (t) => {
  const { connect } = await startMemoryTarget(t, discoveryConfig());
  const host = connect();
  const cntlid = await discoverySession(host);
  const id = decodeIdentifyController((await host.identifyController()).data);
  t.is(id.cntrltype, 2);
  t.is(id.subnqn, DISCOVERY_NQN);
  t.is(id.cntlid, cntlid);
  t.is(id.ioccsz, 0);
  t.is(id.sgls & 1, 1);
  t.is((await host.identify(0)).cqe.status, Status.INVALID_FIELD | STATUS_DNR | STATUS_MORE);
  t.is((await host.getLogPage(LogPageId.DISCOVERY, 1024, { offsetBytes: 2 })).cqe.status, Status.INVALID_FIELD | STATUS_DNR | STATUS_MORE);
  t.is((await host.getLogPage(LogPageId.SMART, 512)).cqe.status, Status.INVALID_FIELD | STATUS_DNR | STATUS_MORE);
  const abort = await host.command(encodeSqe({ opcode: AdminOpcode.ABORT, cid: host.nextCid() }));
  t.is(abort.cqe.status, Status.INVALID_OPCODE | STATUS_DNR | STATUS_MORE);
  // A discovery controller has no I/O queues.
  const io = connect();
  const ioConnect = await io.ioSession(cntlid, { qid: 1 });
  t.is(ioConnect.cqe.status, Status.CONNECT_INVALID_PARAM | STATUS_DNR);
});

test('target: the generation counter increases on every configuration change (blktests nvme/030)', async (t) => {
  const { connect, target } = await startMemoryTarget(t, discoveryConfig());
  const host = connect();
  await discoverySession(host);
  const seen = [await genctr(host)];
  const steps: (() => void | Promise<void>)[] = [
    () => target.unlinkSubsystem(1, SUBNQN2),
    () => target.linkSubsystem(1, SUBNQN2),
    () => target.addHost('nqn.2014-08.org.nvmexpress:uuid:99999999-9999-9999-9999-999999999999'),
    () => target.allowHost(SUBNQN2, OTHER_HOSTNQN),
    () => target.disallowHost(SUBNQN2, OTHER_HOSTNQN),
    () => target.setSubsystemAttributes(SUBNQN2, { allowAnyHost: true }),
    () => target.addNamespace(SUBNQN, { nsid: 5, device: 'ram:1MiB' }),
    () => target.disableNamespace(SUBNQN, 5),
    () => target.removeNamespace(SUBNQN, 5),
    () => target.addSubsystem({ nqn: 'nqn.2024-01.io.nvmf-sim:third' }),
    () => target.linkSubsystem(2, 'nqn.2024-01.io.nvmf-sim:third'),
    () => target.addReferral(1, { name: 'r1', traddr: '127.0.0.2', trsvcid: 8009, portid: 7 }),
    () => target.removeReferral(1, 'r1'),
  ];
  for (const step of steps) {
    await step();
    seen.push(await genctr(host));
  }
  for (let index = 1; index < seen.length; index++) t.true((seen[index] ?? 0) > (seen[index - 1] ?? 0), `step ${index}: ${seen.join(',')}`);
});

test('target: referrals appear after the subsystems as discovery-subsystem entries', async (t) => {
  const { connect, target } = await startMemoryTarget(t, discoveryConfig());
  target.addReferral(1, { name: 'other-target', traddr: '10.0.0.9', trsvcid: 8009, portid: 3 });
  const host = connect();
  await discoverySession(host);
  const log = decodeDiscoveryLog((await host.discoveryLog(4096)).data);
  t.is(log.entries.length, 3);
  t.like(log.entries[2], { subtype: SubsystemType.REFERRAL, subnqn: DISCOVERY_NQN, traddr: '10.0.0.9', trsvcid: '8009', portid: 3 });
});

test('target: Discovery Log Change notice when a subsystem is linked to the port', async (t) => {
  const { connect, target } = await startMemoryTarget(t, discoveryConfig());
  const host = connect();
  await discoverySession(host);
  // Linux hosts enable the notice (nvme_enable_aen); it is off on a new controller.
  t.is((await host.setFeature(FeatureId.ASYNC_EVENT_CONFIG, 0x80000000)).cqe.status, 0);
  const cid = host.nextCid();
  host.sendPdu({ type: PduType.CapsuleCmd, sqe: buildAsyncEventRequest({ cid }), data: new Uint8Array(0) });
  t.deepEqual(host.pending, []);
  // A change on another port does not concern this controller.
  target.linkSubsystem(2, SUBNQN);
  t.deepEqual(host.pending, []);
  target.unlinkSubsystem(1, SUBNQN);
  const response = decodeCqe((await host.expectType(PduType.CapsuleResp)).cqe);
  t.is(response.cid, cid);
  t.deepEqual(decodeAsyncEvent(response.dw0), { type: 2, info: AsyncEventNotice.DISC_CHANGED, lid: LogPageId.DISCOVERY });
});

test('target: Keep Alive on a discovery controller, and its 120 s default KATO', async (t) => {
  const { connect, world, target } = await startMemoryTarget(t, discoveryConfig());
  const host = connect();
  await discoverySession(host, HOSTNQN, 0);
  t.is((await host.keepAlive()).cqe.status, 0);
  t.is(target.controllers()[0]?.keepAliveSeconds, 120);
  world.advanceBy(100 * NS_PER_S);
  t.is(target.controllers().length, 1);
  world.advanceBy(200 * NS_PER_S);
  t.deepEqual(target.controllers(), []);
  t.true(await host.closed());
});

test('target: unlinking a subsystem from a port drops its controllers on that port', async (t) => {
  const { connect, target } = await startMemoryTarget(t, discoveryConfig());
  const one = connect();
  await one.adminSession({ subnqn: SUBNQN });
  const two = connect();
  await two.adminSession({ subnqn: SUBNQN2 });
  target.unlinkSubsystem(1, SUBNQN);
  t.true(await one.closed());
  t.false(two.isClosed);
  t.deepEqual(
    target.controllers().map((info) => info.subsystem),
    [SUBNQN2],
  );
  // New connections to the unlinked subsystem are refused.
  const again = connect();
  await again.icreq();
  t.is((await again.connect({ subnqn: SUBNQN })).cqe.status, Status.CONNECT_INVALID_PARAM | STATUS_DNR);
  await target.removeSubsystem(SUBNQN2);
  t.true(await two.closed());
  t.deepEqual(target.controllers(), []);
});

test('target: removing a port closes its connections and stops listening', async (t) => {
  const { connect, target } = await startMemoryTarget(t, discoveryConfig());
  const host = connect(2);
  await discoverySession(host);
  await target.removePort(2);
  t.true(await host.closed());
  t.deepEqual(
    target.boundPorts.map((bound) => bound.portid),
    [1],
  );
  t.throws(() => connect(2), { message: /no port|not listening/ });
  await target.addPort({ portid: 2, traddr: '127.0.0.1', trsvcid: 4421, subsystems: [SUBNQN] });
  const again = connect(2);
  await discoverySession(again);
  t.is(decodeDiscoveryLogHeader((await again.discoveryLog(1024)).data).numrec, 1);
});
