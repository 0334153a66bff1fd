// nvmf-sim end to end: `target` as a child process on an ephemeral loopback port, then `discover`,
// `list` and `io --verify` against it as further child processes; SIGTERM stops the target cleanly.
import test from 'ava';
import { BIN, nvmfSim, type Run } from './helpers/cli-run.js';
import { spawn, type ChildProcess } from 'node:child_process';

const NQN = 'nqn.2014-08.org.nvmexpress:nvmf-sim:e2e';


/** Starts `nvmf-sim target` and resolves with its port once it prints its listening line. */
function startTarget(args: readonly string[]): Promise<{ child: ChildProcess; port: number; exit: Promise<Run> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'target', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let started = false;
    const exit = new Promise<Run>((done) => child.on('close', (code) => done({ code, stdout, stderr })));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /listening on 127\.0\.0\.1:(\d+) \(tcp\)/.exec(stdout);
      if (match !== null && !started) {
        started = true;
        resolve({ child, port: Number(match[1]), exit });
      }
    });
    child.on('error', reject);
    void exit.then((run) => {
      if (!started) reject(new Error(`target exited ${run.code} before listening: ${run.stderr}`));
    });
  });
}

test('cli: target, discover, list and io --verify end to end', async (t) => {
  const target = await startTarget(['--listen', '127.0.0.1:0', '--nqn', NQN, '--ns', 'ram:16MiB', '--ns', 'null:1GiB']);
  t.teardown(() => {
    if (target.child.exitCode === null) target.child.kill('SIGKILL');
  });
  const address = ['-t', 'tcp', '-a', '127.0.0.1', '-s', String(target.port)];

  const [discoverText, discoverJson, list] = await Promise.all([
    nvmfSim(['discover', ...address]),
    nvmfSim(['discover', ...address, '--json']),
    nvmfSim(['list', ...address, '-n', NQN, '-o', 'json']),
  ]);
  t.is(discoverText.code, 0, discoverText.stderr);
  t.regex(discoverText.stdout, /^Discovery Log Number of Records 1, Generation counter \d+\n=====Discovery Log Entry 0======\ntrtype: {2}tcp\n/);
  t.regex(discoverText.stdout, new RegExp(`subnqn:  ${NQN.replace(/\./g, '\\.')}\n`));
  t.is(discoverJson.code, 0, discoverJson.stderr);
  const log = JSON.parse(discoverJson.stdout) as { genctr: number; records: Record<string, unknown>[] };
  t.is(typeof log.genctr, 'number');
  t.like(log.records[0], { trtype: 'tcp', adrfam: 'ipv4', subtype: 'nvme subsystem', trsvcid: String(target.port), subnqn: NQN, traddr: '127.0.0.1', sectype: 'none' });

  t.is(list.code, 0, list.stderr);
  const devices = (JSON.parse(list.stdout) as { Devices: Record<string, unknown>[] }).Devices;
  t.is(devices.length, 2);
  t.like(devices[0], { NameSpace: 1, PhysicalSize: 16 * 1024 * 1024, SectorSize: 512, ModelNumber: 'nvmf-sim' });
  t.like(devices[1], { NameSpace: 2, PhysicalSize: 1024 ** 3 });

  const io = await nvmfSim(['io', ...address, '-n', NQN, '-i', '2', '--rw', 'randwrite', '--bsrange', '4k-32k', '--iodepth', '8', '--verify', '--size', '4MiB', '--json']);
  t.is(io.code, 0, io.stderr);
  t.is(io.stderr, '');
  const fio = JSON.parse(io.stdout) as {
    'fio version': string;
    jobs: { error: number; write: { io_bytes: number; clat_ns: { percentile: Record<string, number> } }; read: { total_ios: number }; nvmf_sim: { verify: { mismatches: number; blocks_checked: number }; queues: unknown[] } }[];
  };
  t.is(fio['fio version'], 'nvmf-sim-0.1');
  const job = fio.jobs[0];
  t.is(job?.error, 0);
  t.is(job?.write.io_bytes, 4 * 1024 * 1024);
  t.true((job?.read.total_ios ?? 0) > 0);
  t.true('99.990000' in (job?.write.clat_ns.percentile ?? {}));
  t.is(job?.nvmf_sim.verify.mismatches, 0);
  t.true((job?.nvmf_sim.verify.blocks_checked ?? 0) > 0);
  t.is(job?.nvmf_sim.queues.length, 2);

  // A second target on the same port: one line, exit 2.
  const clash = await nvmfSim(['target', '--listen', `127.0.0.1:${target.port}`]);
  t.is(clash.code, 2);
  t.regex(clash.stderr, new RegExp(`^nvmf-sim: address already in use \\(127\\.0\\.0\\.1:${target.port}\\)\\n$`));

  target.child.kill('SIGTERM');
  const exit = await target.exit;
  t.is(exit.code, 0, exit.stderr);
  t.regex(exit.stdout, /SIGTERM, shutting down/);
});
