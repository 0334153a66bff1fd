// The nvmetcli /etc/nvmet/config.json format: loading the files nvmetcli writes (including attributes
// this target only carries along), saving in nvmetcli's layout, round trips through a running target,
// and the exact one-line errors for bad files and bad fields.
import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../sim/target/config-error.js';
import { normalizeTargetConfig } from '../sim/target/config.js';
import { formatNvmetcliConfig, parseNvmetcliConfig } from '../sim/target/nvmetcli.js';
import { loadNvmetcliFile, saveNvmetcliFile } from '../sim/target/real-config-file.js';
import { NvmeTarget } from '../sim/target/target.js';
import { MemoryWorld } from './helpers/target-fixtures.js';
import { SeededRngSource } from '../sim/core/rng.js';
import { CapturingLogger, CountingCpu } from './helpers/target-fixtures.js';

/** A config as `nvmetcli save` writes it on a recent kernel (sorted keys, string attributes). */
const LINUX_DUMP = {
  hosts: [{ nqn: 'hostnqn' }],
  ports: [
    {
      addr: { adrfam: 'ipv4', traddr: '127.0.0.1', treq: 'not specified', trsvcid: '4420', trtype: 'tcp', tsas: 'none' },
      ana_groups: [{ ana: { state: 'optimized' }, grpid: 1 }],
      param: { inline_data_size: '16384', pi_enable: '0' },
      portid: 1,
      referrals: [
        {
          addr: { adrfam: 'ipv4', portid: '2', traddr: '127.0.0.2', treq: 'not specified', trsvcid: '8009', trtype: 'tcp', tsas: 'none' },
          enable: 1,
          name: 'peer',
        },
      ],
      subsystems: ['testnqn'],
    },
  ],
  subsystems: [
    {
      allowed_hosts: ['hostnqn'],
      attr: {
        allow_any_host: '0',
        cntlid_max: '65519',
        cntlid_min: '1',
        firmware: '6.7.9',
        ieee_oui: '0x000000',
        model: 'Linux',
        pi_enable: '0',
        qid_max: '128',
        serial: 'd958dba9aa7f964f3163',
        version: '1.3',
      },
      namespaces: [
        {
          ana: { grpid: '1' },
          ana_grpid: 1,
          device: { nguid: '00000000-0000-0000-0000-000000000000', path: '/dev/nullb0', uuid: '43c4260a-826b-475d-9b42-883b4258f53f' },
          enable: 1,
          nsid: 1,
          resv: { enable: '0' },
        },
        {
          device: { path: 'ram:64MiB', uuid: '26ffc8ce-73b4-321d-9685-7d7a9872c460' },
          enable: 0,
          nsid: 2,
        },
      ],
      nqn: 'testnqn',
    },
  ],
};

function memoryEnv() {
  const world = new MemoryWorld();
  return { network: world.network, clock: world.clock, cpu: new CountingCpu(1), rng: new SeededRngSource('nvmetcli'), log: new CapturingLogger() };
}

test('target nvmetcli: loads a Linux nvmetcli dump', (t) => {
  const entries = parseNvmetcliConfig(JSON.stringify(LINUX_DUMP));
  t.deepEqual(entries.hosts, [{ nqn: 'hostnqn', extra: {} }]);
  const sub = entries.subsystems[0];
  t.like(sub, {
    nqn: 'testnqn',
    allowAnyHost: false,
    allowedHosts: ['hostnqn'],
    serial: 'd958dba9aa7f964f3163',
    model: 'Linux',
    version: '1.3',
    firmware: '6.7.9',
    cntlidMin: 1,
    cntlidMax: 65519,
    qidMax: 128,
    extra: { 'attr.pi_enable': '0' },
  });
  t.like(sub?.namespaces[0], { nsid: 1, device: '/dev/nullb0', enabled: true, uuid: '43c4260a-826b-475d-9b42-883b4258f53f', anaGroupId: 1, extra: { 'resv.enable': '0' } });
  t.like(sub?.namespaces[1], { nsid: 2, device: 'ram:64MiB', enabled: false });
  const port = entries.ports[0];
  t.like(port, { portid: 1, trtype: 'tcp', adrfam: 'ipv4', traddr: '127.0.0.1', trsvcid: 4420, inlineDataSize: 16384, subsystems: ['testnqn'], extra: { 'param.pi_enable': '0' } });
  t.like(port?.referrals[0], { name: 'peer', portid: 2, traddr: '127.0.0.2', trsvcid: 8009, enabled: true });
});

test('target nvmetcli: save writes nvmetcli layout and load(save(x)) equals x', (t) => {
  const entries = parseNvmetcliConfig(JSON.stringify(LINUX_DUMP));
  const text = formatNvmetcliConfig(entries);
  t.true(text.endsWith('}\n'));
  t.deepEqual(Object.keys(JSON.parse(text) as object), ['hosts', 'ports', 'subsystems']);
  // Same keys and values as the Linux dump, except the derived namespace "ana" group (written as ana_grpid).
  const saved = JSON.parse(text) as typeof LINUX_DUMP;
  t.deepEqual(saved.ports, LINUX_DUMP.ports);
  t.deepEqual(saved.hosts, LINUX_DUMP.hosts);
  t.deepEqual(saved.subsystems[0]?.attr, LINUX_DUMP.subsystems[0]?.attr);
  t.deepEqual(parseNvmetcliConfig(text), entries);
});

test('target nvmetcli: a running target saves what it was started with, plus generated serial and UUIDs', async (t) => {
  const minimal = {
    ports: [{ addr: { traddr: '127.0.0.1', trsvcid: '4420', trtype: 'tcp', adrfam: 'ipv4' }, portid: 1, subsystems: ['nqn.x'] }],
    subsystems: [{ nqn: 'nqn.x', attr: { allow_any_host: '1' }, namespaces: [{ nsid: 1, enable: 1, device: { path: 'ram:1MiB' } }] }],
  };
  const target = new NvmeTarget(memoryEnv(), parseNvmetcliConfig(JSON.stringify(minimal)));
  await target.start();
  t.teardown(() => target.stop());
  await target.addNamespace('nqn.x', { nsid: 2, device: 'null:1GiB' });
  const saved = formatNvmetcliConfig(target.saveConfig());
  const reloaded = parseNvmetcliConfig(saved);
  const sub = reloaded.subsystems[0];
  t.regex(sub?.serial ?? '', /^[0-9a-f]{20}$/);
  t.is(sub?.namespaces.length, 2);
  t.regex(sub?.namespaces[1]?.uuid ?? '', /^[0-9a-f-]{36}$/);
  t.is(sub?.model, 'nvmf-sim');
  // Restoring the saved file gives the same configuration again.
  const second = new NvmeTarget(memoryEnv(), reloaded);
  t.deepEqual(second.saveConfig(), reloaded);
  t.deepEqual(normalizeTargetConfig(reloaded), reloaded);
});

test('target nvmetcli: files load and save through the file system', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'nvmetcli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'config.json');
  await writeFile(path, JSON.stringify(LINUX_DUMP));
  const entries = await loadNvmetcliFile(path);
  const copy = join(dir, 'saved.json');
  await saveNvmetcliFile(copy, entries);
  t.deepEqual(await loadNvmetcliFile(copy), entries);
  const missing = join(dir, 'missing.json');
  const error = await t.throwsAsync(loadNvmetcliFile(missing), { instanceOf: ConfigError });
  t.true(error.message.startsWith(`${missing}: cannot read: ENOENT`));
  t.false(error.message.includes('\n'));
});

function withSubsystem(change: (sub: Record<string, unknown>) => void): string {
  const copy = JSON.parse(JSON.stringify(LINUX_DUMP)) as { subsystems: Record<string, unknown>[] };
  const sub = copy.subsystems[0];
  if (sub === undefined) throw new Error('no subsystem');
  change(sub);
  return JSON.stringify(copy);
}

function withPort(change: (port: Record<string, unknown>) => void): string {
  const copy = JSON.parse(JSON.stringify(LINUX_DUMP)) as { ports: Record<string, unknown>[] };
  const port = copy.ports[0];
  if (port === undefined) throw new Error('no port');
  change(port);
  return JSON.stringify(copy);
}

const rejects = test.macro((t, text: string, message: string, field: string) => {
  const error = t.throws(() => parseNvmetcliConfig(text), { instanceOf: ConfigError });
  t.is(error.message, message);
  t.is(error.field, field);
  t.false(error.message.includes('\n'));
});

test('target nvmetcli: error: invalid JSON', (t) => {
  const error = t.throws(() => parseNvmetcliConfig('{"hosts": [}'), { instanceOf: ConfigError });
  t.true(error.message.startsWith('config.json: invalid JSON: '));
  t.false(error.message.includes('\n'));
  t.is(error.field, '');
});

test(
  'target nvmetcli: error: nsid out of range',
  rejects,
  withSubsystem((sub) => {
    (sub['namespaces'] as Record<string, unknown>[])[1] = { nsid: 0, enable: 0, device: { path: 'ram:1MiB' } };
  }),
  'config.json: subsystems[0].namespaces[1].nsid: must be an integer 1..4294967294',
  'subsystems[0].namespaces[1].nsid',
);

test(
  'target nvmetcli: error: nsid given as a string',
  rejects,
  withSubsystem((sub) => {
    (sub['namespaces'] as Record<string, unknown>[])[1] = { nsid: '2', enable: 0, device: { path: 'ram:1MiB' } };
  }),
  'config.json: subsystems[0].namespaces[1].nsid: must be an integer 1..4294967294',
  'subsystems[0].namespaces[1].nsid',
);

test(
  'target nvmetcli: error: duplicate nsid',
  rejects,
  withSubsystem((sub) => {
    (sub['namespaces'] as Record<string, unknown>[])[1] = { nsid: 1, enable: 0, device: { path: 'ram:1MiB' } };
  }),
  'config.json: subsystems[0].namespaces[1].nsid: duplicate nsid 1',
  'subsystems[0].namespaces[1].nsid',
);

test(
  'target nvmetcli: error: allow_any_host not 0 or 1',
  rejects,
  withSubsystem((sub) => {
    (sub['attr'] as Record<string, unknown>)['allow_any_host'] = 'yes';
  }),
  "config.json: subsystems[0].attr.allow_any_host: must be '0' or '1'",
  'subsystems[0].attr.allow_any_host',
);

test(
  'target nvmetcli: error: qid_max out of range',
  rejects,
  withSubsystem((sub) => {
    (sub['attr'] as Record<string, unknown>)['qid_max'] = '129';
  }),
  'config.json: subsystems[0].attr.qid_max: must be an integer 1..128',
  'subsystems[0].attr.qid_max',
);

test(
  'target nvmetcli: error: relative device path',
  rejects,
  withSubsystem((sub) => {
    (sub['namespaces'] as Record<string, unknown>[])[0] = { nsid: 1, enable: 1, device: { path: 'disk.img' } };
  }),
  "config.json: subsystems[0].namespaces[0].device.path: device path 'disk.img' is not absolute (expected null:SIZE, ram:SIZE, file:PATH[:SIZE], ssd:SIZE[,OPTION=VALUE...])",
  'subsystems[0].namespaces[0].device.path',
);

test(
  'target nvmetcli: error: bad namespace UUID',
  rejects,
  withSubsystem((sub) => {
    (sub['namespaces'] as Record<string, unknown>[])[0] = { nsid: 1, enable: 1, device: { path: '/dev/nullb0', uuid: 'not-a-uuid' } };
  }),
  "config.json: subsystems[0].namespaces[0].device.uuid: 'not-a-uuid' is not a UUID (8-4-4-4-12 hex digits)",
  'subsystems[0].namespaces[0].device.uuid',
);

test(
  'target nvmetcli: error: allowed host missing from hosts',
  rejects,
  withSubsystem((sub) => {
    sub['allowed_hosts'] = ['somebody'];
  }),
  "config.json: subsystems[0].allowed_hosts[0]: host 'somebody' is not in hosts",
  'subsystems[0].allowed_hosts[0]',
);

test(
  'target nvmetcli: error: port links an unknown subsystem',
  rejects,
  withPort((port) => {
    port['subsystems'] = ['testnqn', 'ghost'];
  }),
  "config.json: ports[0].subsystems[1]: no subsystem named 'ghost'",
  'ports[0].subsystems[1]',
);

test(
  'target nvmetcli: error: non-numeric trsvcid',
  rejects,
  withPort((port) => {
    (port['addr'] as Record<string, unknown>)['trsvcid'] = 'nvme';
  }),
  'config.json: ports[0].addr.trsvcid: must be a port number 0..65535',
  'ports[0].addr.trsvcid',
);

test(
  'target nvmetcli: error: RDMA port',
  rejects,
  withPort((port) => {
    (port['addr'] as Record<string, unknown>)['trtype'] = 'rdma';
  }),
  `config.json: ports[0].addr.trtype: unsupported transport "rdma" (only 'tcp')`,
  'ports[0].addr.trtype',
);

test(
  'target nvmetcli: error: TLS port',
  rejects,
  withPort((port) => {
    (port['addr'] as Record<string, unknown>)['tsas'] = 'tls1.3';
  }),
  "config.json: ports[0].addr.tsas: must be 'none' (TLS is not supported)",
  'ports[0].addr.tsas',
);

test(
  'target nvmetcli: error: port without an address',
  rejects,
  withPort((port) => {
    delete (port['addr'] as Record<string, unknown>)['traddr'];
  }),
  'config.json: ports[0].addr.traddr: is required',
  'ports[0].addr.traddr',
);

test('target nvmetcli: error: the whole file is not an object', rejects, '[1, 2]', 'config.json: config: must be an object', 'config');

test('target config: errors from code name the code field', (t) => {
  const error = t.throws(
    () => normalizeTargetConfig({ subsystems: [{ nqn: 'a', cntlidMin: 5, cntlidMax: 2 }] }),
    { instanceOf: ConfigError },
  );
  t.is(error.message, 'config: subsystems[0].cntlidMin: must not exceed cntlid max 2');
  const port = t.throws(() => normalizeTargetConfig({ ports: [{ portid: 1, traddr: '127.0.0.1', inlineDataSize: -1 }] }), { instanceOf: ConfigError });
  t.is(port.message, 'config: ports[0].inlineDataSize: must be an integer 0..1048576');
});
