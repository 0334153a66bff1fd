// `nvmf-sim target --config FILE` reloads the file on SIGHUP, end to end on real sockets: the bin
// runs as a child process, a scripted host keeps a controller on it, the file is rewritten (an ANA
// state change and a new namespace) and the process gets SIGHUP; the host then sees the new ANA
// state and namespace through the same, still connected controller. A bad file is one error line
// and changes nothing; the target keeps serving.
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realEnv } from '../sim/world/index.js';
import { IdentifyCns, LogPageId } from '../sim/nvme/constants.js';
import { AnaState, decodeAnaLog } from '../sim/nvme/ana-log.js';
import { decodeIdentifyController } from '../sim/nvme/identify.js';
import { buildGetLogPage } from '../sim/nvme/sqe.js';
import { Status, STATUS_MORE } from '../sim/nvme/status.js';
import { BIN, nvmfSim } from './helpers/cli-run.js';
import { SUBNQN, TestHost } from './helpers/target-fixtures.js';

/** The scripted host connects to SUBNQN (its I/O Connect names it). */
const NQN = SUBNQN;

/** An nvmetcli config.json: one subsystem on port 1 (an ephemeral port), nsid 2 in ANA group 2. */
function configJson(group2: string, extraNamespace: boolean): string {
  const namespaces = [
    { nsid: 1, enable: 1, device: { path: 'ram:1MiB' } },
    { nsid: 2, enable: 1, device: { path: 'ram:1MiB' }, ana_grpid: 2 },
    ...(extraNamespace ? [{ nsid: 3, enable: 1, device: { path: 'ram:2MiB' } }] : []),
  ];
  return JSON.stringify({
    hosts: [],
    subsystems: [{ nqn: NQN, attr: { allow_any_host: '1', serial: 'RELOAD0001' }, allowed_hosts: [], namespaces }],
    ports: [
      {
        portid: 1,
        addr: { trtype: 'tcp', adrfam: 'ipv4', traddr: '127.0.0.1', trsvcid: '0' },
        ana_groups: [{ grpid: 1, ana: { state: 'optimized' } }, { grpid: 2, ana: { state: group2 } }],
        subsystems: [NQN],
      },
    ],
  });
}

interface Running {
  readonly child: ChildProcess;
  readonly port: number;
  stderr(): string;
  /** Resolves once stderr has a line matching `pattern` after `from` characters. */
  waitForStderr(pattern: RegExp, from: number): Promise<string>;
  readonly exit: Promise<number | null>;
}

function startTarget(args: readonly string[]): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'target', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const waiters: (() => void)[] = [];
    const exit = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      for (const waiter of waiters.splice(0)) waiter();
    });
    let started = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      // The file's port is listed first, then the --listen one.
      const lines = [...stdout.matchAll(/listening on 127\.0\.0\.1:(\d+) \(tcp\)/g)];
      if (lines.length === 2 && !started) {
        started = true;
        resolve({
          child,
          port: Number(lines[0]?.[1]),
          stderr: () => stderr,
          exit,
          waitForStderr: (pattern, from) =>
            new Promise((found, fail) => {
              const timer = setTimeout(() => fail(new Error(`no ${String(pattern)} in stderr: ${stderr}`)), 20_000);
              const look = (): void => {
                const match = pattern.exec(stderr.slice(from));
                if (match !== null) {
                  clearTimeout(timer);
                  found(match[0]);
                } else waiters.push(look);
              };
              look();
            }),
        });
      }
    });
    child.on('error', reject);
    void exit.then((code) => {
      if (!started) reject(new Error(`target exited ${code} before listening: ${stderr}`));
    });
  });
}

test('cli: target reloads its --config on SIGHUP; connected controllers stay, a bad file changes nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nvmf-sim-reload-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, configJson('optimized', false));
  const target = await startTarget(['--config', file, '--listen', '127.0.0.1:0', '--nqn', `${NQN}:flags`, '--ns', 'ram:1MiB']);
  const env = realEnv({ logLevel: 'silent' });
  const hosts: TestHost[] = [];
  t.teardown(async () => {
    for (const host of hosts) host.destroy();
    env.clock.clearAll();
    if (target.child.exitCode === null) target.child.kill('SIGKILL');
    await target.exit;
    rmSync(dir, { recursive: true, force: true });
  });
  const connect = async (): Promise<TestHost> => {
    const host = new TestHost(await env.network.connect({ host: '127.0.0.1', port: target.port }));
    hosts.push(host);
    return host;
  };
  const admin = await connect();
  const cntlid = await admin.adminSession({ subnqn: NQN });
  await admin.setNumQueues(1);
  const io = await connect();
  t.is((await io.ioSession(cntlid)).cqe.status, 0);
  const anaStates = async (): Promise<[number, number][]> => {
    const log = await admin.command(buildGetLogPage({ cid: admin.nextCid(), lid: LogPageId.ANA, numdBytes: 4096, nsid: 0 }));
    return decodeAnaLog(log.data).groups.map((group) => [group.grpid, group.state]);
  };
  const activeNsids = async (): Promise<number[]> => {
    const list = (await admin.identify(IdentifyCns.ACTIVE_NS_LIST)).data;
    const view = new DataView(list.buffer, list.byteOffset, list.byteLength);
    const nsids: number[] = [];
    for (let offset = 0; offset < list.length && view.getUint32(offset, true) !== 0; offset += 4) nsids.push(view.getUint32(offset, true));
    return nsids;
  };
  t.deepEqual(await anaStates(), [[1, AnaState.OPTIMIZED], [2, AnaState.OPTIMIZED]]);
  t.deepEqual(await activeNsids(), [1, 2]);
  t.is((await io.read(2, 0, 512)).cqe.status, 0);

  writeFileSync(file, configJson('inaccessible', true));
  let from = target.stderr().length;
  target.child.kill('SIGHUP');
  await target.waitForStderr(/reload: port 1 ANA group 2: inaccessible \(was optimized\)\n/, from);
  const reloaded = target.stderr().slice(from);
  // Only what the file changed; the flags' subsystem and --listen port stay as they were.
  t.is(
    reloaded,
    `nvmf-sim target: reload: namespace ${NQN}/3 added (ram:2MiB)\n` + 'nvmf-sim target: reload: port 1 ANA group 2: inaccessible (was optimized)\n',
  );
  // The same controller sees the change: the new state and namespace, and I/O fails with the ANA status.
  t.deepEqual(await anaStates(), [[1, AnaState.OPTIMIZED], [2, AnaState.INACCESSIBLE]]);
  t.deepEqual(await activeNsids(), [1, 2, 3]);
  t.is((await io.read(2, 0, 512)).cqe.status & ~STATUS_MORE, Status.ANA_INACCESSIBLE);
  t.is((await io.read(3, 0, 512)).cqe.status, 0);
  t.is(decodeIdentifyController((await admin.identifyController()).data).cntlid, cntlid, 'the controller is still connected');

  writeFileSync(file, '{ "ports": [ { "portid": 1, "addr": { "traddr": "127.0.0.1" }, "ana_groups": [ { "grpid": 2, "ana": { "state": "sideways" } } ] } ] }');
  from = target.stderr().length;
  target.child.kill('SIGHUP');
  const line = await target.waitForStderr(/reload: .*\n/, from);
  t.is(line, `reload: ${file}: ports[0].ana_groups[0].ana.state: must be one of 'optimized', 'non-optimized', 'inaccessible', 'persistent-loss', 'change' (nothing changed)\n`);
  t.deepEqual(await anaStates(), [[1, AnaState.OPTIMIZED], [2, AnaState.INACCESSIBLE]]);
  t.deepEqual(await activeNsids(), [1, 2, 3]);
  t.is((await io.read(1, 0, 512)).cqe.status, 0);

  target.child.kill('SIGTERM');
  t.is(await target.exit, 0);
});

test('cli: target --config with an ANA state or group that does not exist is one line naming the field, exit 2', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nvmf-sim-ana-bad-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const cases: [string, (config: { ports: { ana_groups: unknown[] }[]; subsystems: { namespaces: Record<string, unknown>[] }[] }) => void, string][] = [
    ['state', (config) => void (config.ports[0] && (config.ports[0].ana_groups = [{ grpid: 2, ana: { state: 'sideways' } }])), "ports[0].ana_groups[0].ana.state: must be one of 'optimized', 'non-optimized', 'inaccessible', 'persistent-loss', 'change'"],
    ['group', (config) => void (config.ports[0] && (config.ports[0].ana_groups = [{ grpid: 129, ana: { state: 'optimized' } }])), 'ports[0].ana_groups[0].grpid: must be an integer 1..128'],
    ['ana_grpid', (config) => void (config.subsystems[0]?.namespaces[0] && (config.subsystems[0].namespaces[0]['ana_grpid'] = 0)), 'subsystems[0].namespaces[0].ana_grpid: must be an integer 1..128'],
  ];
  for (const [name, edit, message] of cases) {
    const file = join(dir, `${name}.json`);
    const config = JSON.parse(configJson('optimized', false)) as Parameters<typeof edit>[0];
    edit(config);
    writeFileSync(file, JSON.stringify(config));
    const run = await nvmfSim(['target', '--config', file]);
    t.is(run.code, 2, name);
    t.is(run.stderr, `nvmf-sim: ${file}: ${message}\n`, name);
  }
});
