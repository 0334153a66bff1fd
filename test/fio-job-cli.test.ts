// nvmf-sim io with fio job files, against an in-process target on real loopback sockets: --job and
// the positional form, fio JSON per job (or per group), overrides, the size cap note, and bad input
// (a stray positional, a bad option) as one line with exit status 2.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../sim/cli/command.js';
import { main } from '../sim/cli/main.js';
import { NvmeTarget } from '../sim/target/target.js';
import { realEnv } from '../sim/world/index.js';
import { NQN as MPATH_NQN, targetConfig } from './helpers/multipath-world.js';

const NQN = 'nqn.2024-01.io.nvmf-sim:fio';

async function run(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    out: (text) => void (stdout += text),
    err: (text) => void (stderr += text),
    errIsTty: false,
    untilSignal: () => new Promise<string>(() => undefined),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

async function loopbackTarget(t: ExecutionContext): Promise<string[]> {
  const env = realEnv({ seed: 'cli-fio-target', logLevel: 'silent' });
  const target = new NvmeTarget(env, {
    subsystems: [{ nqn: NQN, allowAnyHost: true, namespaces: [{ nsid: 1, device: 'ram:8MiB' }] }],
    ports: [{ portid: 1, traddr: '127.0.0.1', trsvcid: 0, subsystems: [NQN] }],
  });
  await target.start();
  t.teardown(async () => {
    await target.stop();
    env.clock.clearAll();
  });
  return ['-t', 'tcp', '-a', '127.0.0.1', '-s', String(target.boundPorts[0]?.address.port), '-n', NQN];
}

const tmp = mkdtempSync(join(tmpdir(), 'nvmf-sim-fio-'));
test.after.always(() => rmSync(tmp, { recursive: true, force: true }));
function jobFile(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

interface FioJson {
  jobs: { jobname: string; groupid: number; read: { io_bytes: number; total_ios: number; clat_ns: { bins?: Record<string, number>; percentile: Record<string, number> } }; write: { io_bytes: number }; nvmf_sim: { queues: { qid: number }[]; verify: { mismatches: number; blocks_checked: number } } }[];
}

const TWO_JOBS = `; write a region, then read it back: fio's classic stonewall pair
[global]
ioengine=libaio
direct=1
filename=/dev/nvme0n1
bs=4k
size=512k

[seq-write]
rw=write
iodepth=4
verify=crc32c

[rand-read]
stonewall
rw=randread
iodepth=8
numjobs=2
`;

test('fio job cli: --job runs each job on the target, one JSON entry per clone', async (t) => {
  const address = await loopbackTarget(t);
  const file = jobFile('two.fio', TWO_JOBS);
  const result = await run(['io', ...address, '-i', '4', '--job', file, '--json']);
  t.is(result.code, 0, result.stderr);
  t.is(result.stderr, '');
  const output = JSON.parse(result.stdout) as FioJson;
  t.deepEqual(output.jobs.map((job) => [job.jobname, job.groupid]), [['seq-write', 0], ['rand-read', 1], ['rand-read', 1]]);
  t.is(output.jobs[0]?.write.io_bytes, 512 * 1024);
  t.is(output.jobs[0]?.nvmf_sim.verify.mismatches, 0);
  t.true((output.jobs[0]?.nvmf_sim.verify.blocks_checked ?? 0) > 0);
  // numjobs=2: each clone on its own I/O queue (qid 2 and 3 after seq-write's qid 1).
  t.deepEqual(output.jobs.map((job) => job.nvmf_sim.queues.map((q) => q.qid)), [[1], [2], [3]]);
  const bins = output.jobs[1]?.read.clat_ns.bins ?? {};
  t.is(Object.values(bins).reduce((a, b) => a + b, 0), output.jobs[1]?.read.total_ios ?? -1);
});

test('fio job cli: positional job file, flags override every job, size capped with a note', async (t) => {
  const address = await loopbackTarget(t);
  const file = jobFile('big.fio', '[global]\nsize=64g\ngroup_reporting\n[a]\nrw=randread\nnumjobs=2\nruntime=1h\n');
  const result = await run(['io', ...address, '-i', '2', '--runtime', '200ms', '--bs', '8k', file, '--json']);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stderr, /^nvmf-sim: note: .*big\.fio:2: job 'a': size 68719476736 is beyond the 8388608-byte namespace; capped to 8388608\n$/);
  const output = JSON.parse(result.stdout) as FioJson;
  t.is(output.jobs.length, 1, 'group_reporting: one entry');
  t.true((output.jobs[0]?.read.total_ios ?? 0) > 0);
  t.is((output.jobs[0]?.read.io_bytes ?? 0) % 8192, 0);
});

test('fio job cli: text output has each job', async (t) => {
  const address = await loopbackTarget(t);
  const result = await run(['io', ...address, jobFile('text.fio', TWO_JOBS)]);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /^seq-write: \(groupid=0/m);
  t.regex(result.stdout, /^rand-read: \(groupid=1/m);
});

const usage = test.macro(async (t, argv: (file: (name: string, text: string) => string) => string[], pattern: RegExp) => {
  const result = await run(['io', '-t', 'tcp', '-a', '127.0.0.1', '-s', '1', '-n', NQN, ...argv(jobFile)]);
  t.is(result.code, 2, result.stderr);
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  t.is(lines.length, 1, result.stderr);
  t.regex(lines[0] ?? '', pattern);
});

test('fio job cli: a stray positional argument is refused', usage, () => ['--rw', 'read', 'nosuchfile'], /^nvmf-sim: argument 'nosuchfile' is not a job file \(ENOENT\)$/);
test('fio job cli: two job files are refused', usage, (f) => ['--job', f('a.fio', '[a]\n'), f('b.fio', '[b]\n')], /unexpected argument .*b\.fio/);
test('fio job cli: unknown option is FILE:LINE, exit 2', usage, (f) => ['--job', f('bad.fio', '[a]\nrw=read\nfrobnicate=3\n')], /^nvmf-sim: .*bad\.fio:3: option 'frobnicate': unknown/);
test('fio job cli: bssplit not adding up is FILE:LINE, exit 2', usage, (f) => [f('split.fio', '[global]\nbssplit=4k/10:8k/10\n[a]\n')], /^nvmf-sim: .*split\.fio:2: option 'bssplit': percentages add up to 20, not 100$/);

test('fio job cli: a block size the namespace cannot take points at its line', async (t) => {
  const address = await loopbackTarget(t);
  const result = await run(['io', ...address, jobFile('odd.fio', '[global]\nrw=read\n[a]\nsize=64k\nbs=3000\n')]);
  t.is(result.code, 2, result.stderr);
  t.regex(result.stderr, /^nvmf-sim: .*odd\.fio:5: option 'bs': job 'a': block size 3000 is not a multiple of the namespace's \d+-byte block size\n$/);
});

test('fio job cli: with several paths the job file runs on the head and the JSON has the paths', async (t) => {
  const env = realEnv({ seed: 'cli-fio-mpath', logLevel: 'silent' });
  const config = targetConfig(['optimized', 'non-optimized']);
  const target = new NvmeTarget(env, { ...config, ports: (config.ports ?? []).map((port) => ({ ...port, traddr: '127.0.0.1', trsvcid: 0 })) });
  await target.start();
  t.teardown(async () => {
    await target.stop();
    env.clock.clearAll();
  });
  const paths = target.boundPorts.flatMap((port) => ['-a', '127.0.0.1', '-s', String(port.address.port)]);
  const file = jobFile('mpath.fio', '[a]\nrw=randread\nbs=4k\nsize=256k\nnumjobs=2\n');
  const result = await run(['io', '-t', 'tcp', ...paths, '-n', MPATH_NQN, '-i', '2', file, '--json']);
  t.is(result.code, 0, result.stderr);
  const output = JSON.parse(result.stdout) as { jobs: { nvmf_sim: { paths?: { ios: number }[] } }[] };
  t.is(output.jobs.length, 2);
  t.is(output.jobs[0]?.nvmf_sim.paths?.length, 2);
  t.is(output.jobs[0]?.nvmf_sim.paths?.[0]?.ios, 128, 'numa: both clones on the optimized path');
});
