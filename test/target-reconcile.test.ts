// Reconciling a running target to a new configuration (sim/target/reconcile.ts): only the
// difference is applied, through the mutators, and everything else keeps running; a bad
// configuration changes nothing; a port whose address changed is removed and added again.
import test from 'ava';
import { IdentifyCns, LogPageId } from '../sim/nvme/constants.js';
import { AnaState, decodeAnaLog } from '../sim/nvme/ana-log.js';
import { decodeIdentifyNamespace } from '../sim/nvme/identify.js';
import { buildGetLogPage } from '../sim/nvme/sqe.js';
import { Status, STATUS_MORE } from '../sim/nvme/status.js';
import { ConfigError, formatNvmetcliConfig, parseNvmetcliConfig, ReconcileError, reconcileTarget, type TargetConfig, type TargetEntries } from '../sim/target/index.js';
import { HOSTNQN, OTHER_HOSTNQN, pattern, startMemoryTarget, SUBNQN, SUBNQN2, type TestHost } from './helpers/target-fixtures.js';

function base(): TargetConfig {
  return {
    hosts: [HOSTNQN],
    subsystems: [
      {
        nqn: SUBNQN,
        allowAnyHost: true,
        namespaces: [
          { nsid: 1, device: 'ram:1MiB' },
          { nsid: 2, device: 'ram:1MiB', anaGroupId: 2 },
        ],
      },
    ],
    ports: [
      { portid: 1, traddr: '127.0.0.1', trsvcid: 4420, subsystems: [SUBNQN], anaGroups: [{ grpid: 1 }, { grpid: 2, state: 'optimized' }] },
      { portid: 2, traddr: '127.0.0.1', trsvcid: 4421, subsystems: [SUBNQN], anaGroups: [{ grpid: 2, state: 'non-optimized' }] },
    ],
  };
}

/** The running configuration with `edit` applied to a copy (as a user edits the saved file). */
function edited(entries: TargetEntries, edit: (copy: TargetEntries) => void): TargetEntries {
  const copy = structuredClone(entries);
  edit(copy);
  return copy;
}

async function ioSession(connect: (portid?: number) => TestHost, portid: number): Promise<{ admin: TestHost; io: TestHost }> {
  const admin = connect(portid);
  const cntlid = await admin.adminSession();
  await admin.setNumQueues(1);
  const io = connect(portid);
  if ((await io.ioSession(cntlid)).cqe.status !== 0) throw new Error('I/O connect failed');
  return { admin, io };
}

async function anaStates(host: TestHost): Promise<[number, number][]> {
  const result = await host.command(buildGetLogPage({ cid: host.nextCid(), lid: LogPageId.ANA, numdBytes: 4096, nsid: 0 }));
  return decodeAnaLog(result.data).groups.map((group) => [group.grpid, group.state]);
}

test('target reconcile: the same configuration changes nothing', async (t) => {
  const { target } = await startMemoryTarget(t, base());
  const genctr = target.model.genctr;
  t.deepEqual((await reconcileTarget(target, target.saveConfig())).changes, []);
  // The normalized file form too (serials and UUIDs as saved).
  t.deepEqual((await reconcileTarget(target, parseNvmetcliConfig(formatNvmetcliConfig(target.saveConfig())))).changes, []);
  t.is(target.model.genctr, genctr);
});

test('target reconcile: ANA states, a new namespace, hosts and attributes change live; connected controllers stay', async (t) => {
  const { connect, target } = await startMemoryTarget(t, base());
  const one = await ioSession(connect, 1);
  const two = await ioSession(connect, 2);
  const before = target.controllers().map((controller) => controller.cntlid);
  t.is(before.length, 2);
  const next = edited(target.saveConfig(), (copy) => {
    const port1 = copy.ports[0];
    const sub = copy.subsystems[0];
    if (port1 === undefined || sub === undefined) throw new Error('fixture');
    port1.anaGroups = [{ grpid: 1, state: 'optimized' }, { grpid: 2, state: 'inaccessible' }, { grpid: 3, state: 'non-optimized' }];
    sub.namespaces.push({ nsid: 3, device: 'ram:2MiB', enabled: true, uuid: undefined, nguid: '00000000-0000-0000-0000-000000000000', anaGroupId: 3, blockSize: 512, extra: {} });
    const ns1 = sub.namespaces[0];
    if (ns1 !== undefined) ns1.anaGroupId = 3;
    sub.model = 'reloaded';
    sub.allowedHosts = [OTHER_HOSTNQN];
    copy.hosts.push({ nqn: OTHER_HOSTNQN, extra: {} });
  });
  const { changes } = await reconcileTarget(target, next);
  t.deepEqual(changes, [
    `host ${OTHER_HOSTNQN} added`,
    `namespace ${SUBNQN}/3 added (ram:2MiB, ANA group 3)`,
    `subsystem ${SUBNQN}: model=reloaded`,
    `subsystem ${SUBNQN}: host ${OTHER_HOSTNQN} allowed`,
    'port 1 ANA group 3 added (non-optimized)',
    'port 1 ANA group 2: inaccessible (was optimized)',
    `namespace ${SUBNQN}/1: ANA group 3 (was 1)`,
  ]);
  // The same controllers, still serving.
  t.deepEqual(target.controllers().map((controller) => controller.cntlid), before);
  t.deepEqual(await anaStates(one.admin), [[1, AnaState.OPTIMIZED], [2, AnaState.INACCESSIBLE], [3, AnaState.NON_OPTIMIZED]]);
  t.is((await one.io.read(2, 0, 512)).cqe.status & ~STATUS_MORE, Status.ANA_INACCESSIBLE);
  t.is((await two.io.read(2, 0, 512)).cqe.status, 0);
  t.is((await one.io.write(3, 0, pattern(512))).cqe.status, 0);
  t.is(decodeIdentifyNamespace((await one.admin.identify(IdentifyCns.NAMESPACE, 3)).data).anagrpid, 3);
  // Reconciling again to what now runs is a no-op.
  t.deepEqual((await reconcileTarget(target, target.saveConfig())).changes, []);
});

test('target reconcile: removals come last; a port whose address changed is re-added and only its controllers go', async (t) => {
  const { connect, target } = await startMemoryTarget(t, {
    ...base(),
    subsystems: [...(base().subsystems ?? []), { nqn: SUBNQN2, namespaces: [{ nsid: 1, device: 'ram:1MiB' }] }],
    ports: (base().ports ?? []).map((port) => ({ ...port, subsystems: [SUBNQN, SUBNQN2] })),
  });
  await ioSession(connect, 1);
  await ioSession(connect, 2);
  const onPort1 = target.controllers().filter((controller) => controller.portid === 1).map((controller) => controller.cntlid);
  const next = edited(target.saveConfig(), (copy) => {
    copy.subsystems = copy.subsystems.filter((sub) => sub.nqn !== SUBNQN2);
    for (const port of copy.ports) port.subsystems = [SUBNQN];
    const port2 = copy.ports[1];
    if (port2 !== undefined) {
      port2.trsvcid = 4422;
      port2.anaGroups = [{ grpid: 1, state: 'optimized' }];
    }
    const sub = copy.subsystems[0];
    if (sub !== undefined) sub.namespaces = sub.namespaces.filter((ns) => ns.nsid !== 2);
    copy.hosts = [];
  });
  const { changes } = await reconcileTarget(target, next);
  t.deepEqual(changes, [
    `namespace ${SUBNQN}/2 removed`,
    'port 2 removed (address or parameters changed)',
    'port 2 added on 127.0.0.1:4422',
    `subsystem ${SUBNQN2} removed`,
    `host ${HOSTNQN} removed`,
  ]);
  t.deepEqual(target.controllers().map((controller) => controller.cntlid), onPort1, 'port 1 controllers stay');
  t.is(target.address(2).port, 4422);
  t.deepEqual(target.saveConfig().ports.map((port) => port.anaGroups), [
    [{ grpid: 1, state: 'optimized' }, { grpid: 2, state: 'optimized' }],
    [{ grpid: 1, state: 'optimized' }],
  ]);
});

test('target reconcile: a bad configuration changes nothing and names the field', async (t) => {
  const { target } = await startMemoryTarget(t, base());
  const genctr = target.model.genctr;
  const bad = edited(target.saveConfig(), (copy) => {
    copy.subsystems[0]?.namespaces.push({ nsid: 9, device: 'ram:1MiB', enabled: true, uuid: undefined, nguid: '00000000-0000-0000-0000-000000000000', anaGroupId: 1, blockSize: 512, extra: {} });
    const group = copy.ports[0]?.anaGroups[1];
    if (group !== undefined) (group as { state: string }).state = 'sideways';
  });
  const error = await t.throwsAsync(reconcileTarget(target, bad), { instanceOf: ConfigError });
  t.is(error?.message, "config: ports[0].ana_groups[1].ana.state: must be one of 'optimized', 'non-optimized', 'inaccessible', 'persistent-loss', 'change'");
  t.is(target.model.genctr, genctr);
  t.is(target.model.subsystems.get(SUBNQN)?.namespaces.size, 2);
  await t.throwsAsync(
    reconcileTarget(target, edited(target.saveConfig(), (copy) => void (copy.subsystems[0]?.namespaces[0] && (copy.subsystems[0].namespaces[0].anaGroupId = 200)))),
    { message: 'config: subsystems[0].namespaces[0].anaGroupId: must be an integer 1..128' },
  );
});

test('target reconcile: a change the target refuses stops there, naming it; what came before stays applied', async (t) => {
  const { target } = await startMemoryTarget(t, base());
  const next = edited(target.saveConfig(), (copy) => {
    const group = copy.ports[0]?.anaGroups[1];
    if (group !== undefined) group.state = 'change';
    copy.subsystems[0]?.namespaces.push({ nsid: 4, device: 'file:/nonexistent/nvmf-sim-reconcile.img', enabled: true, uuid: undefined, nguid: '00000000-0000-0000-0000-000000000000', anaGroupId: 1, blockSize: 512, extra: {} });
    copy.hosts.push({ nqn: OTHER_HOSTNQN, extra: {} });
  });
  const error = await t.throwsAsync(reconcileTarget(target, next), { instanceOf: ReconcileError });
  t.regex(error?.message ?? '', new RegExp(`^namespace ${SUBNQN}/4 added \\(file:/nonexistent/nvmf-sim-reconcile\\.img\\): nvmet: cannot enable .* \\(after 1 change\\(s\\)\\)$`));
  t.deepEqual(error?.applied, [`host ${OTHER_HOSTNQN} added`]);
  // The ANA change after it was not made.
  t.is(target.saveConfig().ports[0]?.anaGroups[1]?.state, 'optimized');
});
