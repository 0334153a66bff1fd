// nvmf-sim io and list with several paths (repeated -a/-s): they connect one multipath subsystem,
// run the job on its head, and print each path with its ANA state and statistics; --connect-all
// takes the paths from the discovery log. Against an in-process target with two ports on real
// loopback sockets; bad multipath input is one line, exit 2.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import type { CliIo } from '../sim/cli/command.js';
import { main } from '../sim/cli/main.js';
import type { TargetConfig } from '../sim/target/config.js';
import { NvmeTarget } from '../sim/target/target.js';
import { realEnv } from '../sim/world/index.js';
import { NQN, targetConfig } from './helpers/multipath-world.js';

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs main in this process; `onProgress` sees each live progress line (stderr as a terminal). */
async function run(argv: readonly string[], onProgress?: (line: string) => void): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    out: (text) => void (stdout += text),
    err: (text) => {
      if (onProgress !== undefined && text.includes('IOPS')) onProgress(text);
      else stderr += text;
    },
    errIsTty: onProgress !== undefined,
    untilSignal: () => new Promise<string>(() => undefined),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** A target whose two ports listen on 127.0.0.1 at free ports; returns the ports. */
async function loopbackTarget(t: ExecutionContext, config: TargetConfig = targetConfig(['optimized', 'non-optimized'])): Promise<{ target: NvmeTarget; ports: number[] }> {
  const env = realEnv({ seed: 'cli-mpath-target', logLevel: 'silent' });
  const target = new NvmeTarget(env, { ...config, ports: (config.ports ?? []).map((port) => ({ ...port, traddr: '127.0.0.1', trsvcid: 0 })) });
  await target.start();
  t.teardown(async () => {
    await target.stop();
    env.clock.clearAll();
  });
  return { target, ports: target.boundPorts.map((port) => port.address.port) };
}

const pathFlags = (ports: readonly number[]): string[] => ports.flatMap((port) => ['-a', '127.0.0.1', '-s', String(port)]);

test('cli multipath: io runs a verified job on the head and prints per-path statistics', async (t) => {
  const { ports } = await loopbackTarget(t);
  const result = await run(['io', ...pathFlags(ports), '-n', NQN, '-i', '2', '--rw', 'randwrite', '--bs', '4k', '--size', '1M', '--iodepth', '4', '--verify']);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /paths \(iopolicy numa\):/);
  // numa: every I/O on the optimized path, none on the non-optimized one.
  const rows = result.stdout.split('\n').filter((line) => line.includes('127.0.0.1:'));
  t.is(rows.length, 2, result.stdout);
  t.regex(rows[0] ?? '', new RegExp(`127\\.0\\.0\\.1:${ports[0]}\\s+live\\s+optimized\\s+(\\d+)\\s+0\\s+0\\s`));
  t.regex(rows[1] ?? '', new RegExp(`127\\.0\\.0\\.1:${ports[1]}\\s+live\\s+non-optimized\\s+0\\s+0\\s+0\\s`));
  const ios = Number(/optimized\s+(\d+)/.exec(rows[0] ?? '')?.[1]);
  t.true(ios > 256, `256 writes and the verifying reads on the optimized path, got ${ios}`);
  t.regex(result.stdout, /verify: \d+ blocks checked, 0 mismatches/);
});

test('cli multipath: io --json puts the paths under nvmf_sim', async (t) => {
  const { ports } = await loopbackTarget(t);
  const result = await run(['io', ...pathFlags(ports), '-n', NQN, '-i', '1', '--iopolicy', 'round-robin', '--rw', 'randread', '--size', '256k', '--json']);
  t.is(result.code, 0, result.stderr);
  const output = JSON.parse(result.stdout) as { jobs: { nvmf_sim: { errors: number; iopolicy: string; queues: unknown[]; paths: Record<string, unknown>[] } }[] };
  const extras = output.jobs[0]?.nvmf_sim;
  t.is(extras?.iopolicy, 'round-robin');
  t.is(extras?.queues.length, 1);
  t.deepEqual(
    extras?.paths.map((path) => [path.name, path.traddr, path.trsvcid, path.state, path.ana_state, path.ana_group, path.usable, path.ios, path.errors, path.failovers]),
    [
      [`127.0.0.1:${ports[0]}`, '127.0.0.1', ports[0], 'live', 'optimized', 1, true, 64, 0, 0],
      [`127.0.0.1:${ports[1]}`, '127.0.0.1', ports[1], 'live', 'non-optimized', 1, true, 0, 0, 0],
    ],
  );
  t.true(Number(extras?.paths[0]?.p99_us) >= Number(extras?.paths[0]?.p50_us) && Number(extras?.paths[0]?.p50_us) > 0);
});

test('cli multipath: io moves I/O to the other path when ANA makes the first inaccessible, without an error', async (t) => {
  const { target, ports } = await loopbackTarget(t);
  let flipped = false;
  // At the first progress report (about 1 s in), the optimized path becomes inaccessible.
  const flip = (): void => {
    if (!flipped) target.setAnaState(1, 1, 'inaccessible');
    flipped = true;
  };
  const result = await run(['io', ...pathFlags(ports), '-n', NQN, '-i', '1', '--rw', 'randrw', '--bs', '4k', '--size', '4M', '--runtime', '2500ms', '--iodepth', '4', '--verify'], flip);
  t.is(result.code, 0, result.stderr);
  t.true(flipped);
  t.regex(result.stdout, /err= 0:/);
  t.regex(result.stdout, /verify: \d+ blocks checked, 0 mismatches/);
  const rows = result.stdout.split('\n').filter((line) => line.includes('127.0.0.1:'));
  const ios = rows.map((row) => Number(/(?:optimized|inaccessible)\s+(\d+)\s+0\s+\d+\s/.exec(row)?.[1]));
  t.regex(rows[0] ?? '', /live\s+inaccessible\s+\d+\s+0\s/);
  t.regex(rows[1] ?? '', /live\s+non-optimized\s+\d+\s+0\s/);
  // numa: path 1 carried the I/O until the flip, path 2 after it.
  t.true((ios[0] ?? 0) > 0 && (ios[1] ?? 0) > 0, result.stdout);
});

test('cli multipath: list shows each path with its state and ANA state, as nvme list-subsys', async (t) => {
  const { ports } = await loopbackTarget(t);
  const text = await run(['list', ...pathFlags(ports), '-n', NQN, '-i', '1', '--iopolicy', 'queue-depth']);
  t.is(text.code, 0, text.stderr);
  t.regex(text.stdout, new RegExp(`nvme-subsys0 - NQN=${NQN}\\n +hostnqn=nqn\\.\\S+\\n +iopolicy=queue-depth\\n\\\\\\n`));
  t.regex(text.stdout, new RegExp(` \\+- nvme0 tcp traddr=127\\.0\\.0\\.1,trsvcid=${ports[0]} live optimized\\n`));
  t.regex(text.stdout, new RegExp(` \\+- nvme1 tcp traddr=127\\.0\\.0\\.1,trsvcid=${ports[1]} live non-optimized\\n`));
  t.regex(text.stdout, /\/n1 /, 'the namespace table comes first');
  const json = await run(['list', ...pathFlags(ports), '-n', NQN, '-i', '1', '--json']);
  t.is(json.code, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as { Devices: unknown[]; Subsystems: { NQN: string; IOPolicy: string; Paths: { Address: string; State: string; ANAState: string }[] }[] };
  t.is(parsed.Devices.length, 1);
  t.is(parsed.Subsystems[0]?.IOPolicy, 'numa');
  t.deepEqual(
    parsed.Subsystems[0]?.Paths.map((path) => [path.Address, path.State, path.ANAState]),
    [
      [`traddr=127.0.0.1,trsvcid=${ports[0]}`, 'live', 'optimized'],
      [`traddr=127.0.0.1,trsvcid=${ports[1]}`, 'live', 'non-optimized'],
    ],
  );
});

const oneLineUsage = (t: ExecutionContext, result: Captured, pattern: RegExp): void => {
  t.is(result.code, 2, result.stderr);
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  t.is(lines.length, 1, result.stderr);
  t.regex(lines[0] ?? '', pattern);
};

test('cli multipath: mismatched -a/-s counts and a bad iopolicy are one line naming the flag, exit 2', async (t) => {
  const base = ['io', '-n', NQN, '--rw', 'read', '--size', '4k'];
  oneLineUsage(t, await run([...base, '-a', '127.0.0.1', '-a', '127.0.0.1', '-a', '127.0.0.2', '-s', '4420', '-s', '4421']), /^nvmf-sim: --trsvcid \(-s\): 2 ports for 3 paths of --traddr \(-a\)/);
  oneLineUsage(t, await run([...base, '-a', '127.0.0.1', '--iopolicy', 'fastest']), /^nvmf-sim: --iopolicy: unknown policy 'fastest' \(expected numa, round-robin, queue-depth\)/);
  oneLineUsage(t, await run(['list', '-n', NQN, '-a', '127.0.0.1', '-s', '70000']), /^nvmf-sim: --trsvcid \(-s\): 70000 is outside 1\.\.65535/);
  oneLineUsage(t, await run(['list', '-n', NQN, '-a', '127.0.0.1', '-a', '127.0.0.1', '-s', '4420']), /^nvmf-sim: --traddr \(-a\): path 2 repeats 127\.0\.0\.1:4420/);
});

test('cli multipath: paths to two different subsystems of one NQN are refused in one line, exit 2', async (t) => {
  const first = await loopbackTarget(t);
  // Same NQN on another target whose namespace has other identifiers: not one subsystem.
  const config = targetConfig(['optimized', 'optimized']);
  const other: TargetConfig = {
    ...config,
    subsystems: (config.subsystems ?? []).map((sub) => ({ ...sub, namespaces: (sub.namespaces ?? []).map((ns) => ({ ...ns, uuid: '6a1c9c3e-3c1f-4a55-9b0e-8f0b8f6f1e99', nguid: 'ffeeddccbbaa99887766554433221100' })) })),
    ports: (config.ports ?? []).slice(0, 1),
  };
  const second = await loopbackTarget(t, other);
  const result = await run(['list', '-n', NQN, '-i', '1', ...pathFlags([first.ports[0] ?? 0, second.ports[0] ?? 0])]);
  oneLineUsage(t, result, /^nvmf-sim: --traddr \(-a\): the paths are not one subsystem: /);
});

test('cli multipath: --connect-all takes every path to the subsystem from discovery, following referrals', async (t) => {
  const { target, ports } = await loopbackTarget(t);
  // Linux nvmet lists only the port's own subsystems; a referral on port 1 leads to port 2.
  target.addReferral(1, { name: 'port2', portid: 2, traddr: '127.0.0.1', trsvcid: ports[1] ?? 0 });
  const result = await run(['list', '--connect-all', '-a', '127.0.0.1', '-s', String(ports[0]), '-n', NQN, '-i', '1']);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, new RegExp(` \\+- nvme0 tcp traddr=127\\.0\\.0\\.1,trsvcid=${ports[0]} live optimized\\n`));
  t.regex(result.stdout, new RegExp(` \\+- nvme1 tcp traddr=127\\.0\\.0\\.1,trsvcid=${ports[1]} live non-optimized\\n`));
  const io = await run(['io', '--connect-all', '-a', '127.0.0.1', '-s', String(ports[0]), '-n', NQN, '-i', '1', '--rw', 'write', '--size', '64k', '--verify']);
  t.is(io.code, 0, io.stderr);
  t.regex(io.stdout, /paths \(iopolicy numa\):/);
  oneLineUsage(t, await run(['list', '--connect-all', '-a', '127.0.0.1', '-s', String(ports[0]), '-n', `${NQN}:other`]), /^nvmf-sim: --connect-all: the discovery log at 127\.0\.0\.1:\d+ has no entry for /);
  oneLineUsage(t, await run(['list', '--connect-all', '-a', '127.0.0.1', '-a', '127.0.0.2', '-n', NQN]), /^nvmf-sim: --connect-all: give one discovery controller/);
});
