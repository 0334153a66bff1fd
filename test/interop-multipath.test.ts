// Multipath against Linux, in one QEMU VM.
// - The Linux host's side: its native NVMe multipath (built into Debian's kernel) connects two
//   paths to our target's two ports, one optimized and one non-optimized for the namespace's ANA
//   group. `nvme list-subsys` shows both paths with our ANA states; making the optimized path
//   inaccessible under fio's verified I/O moves the I/O to the other path, fio's crc32c verify
//   passes, and the guest kernel log has no I/O error. Once with the change made in-process
//   (setAnaState), once as an operator makes it: `nvmf-sim target --config FILE` runs as a child
//   process, the nvmetcli file is rewritten with the optimized path inaccessible, and SIGHUP.
// - The Linux target's side: nvmet exports one subsystem on two ports in two ANA states; our host
//   reads Linux's ANA log through each port (our decoder against Linux's encoder), sees a configfs
//   ana_state write in the log, and gets ANA Inaccessible for I/O through an inaccessible path.
//   Our multipath head (connectMultipath) over both nvmet ports keeps verified I/O going when the
//   optimized port's ana_state becomes inaccessible under it: no error reaches the I/O.
import anyTest from 'ava';
import type { TestFn } from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectMultipath } from '../sim/host/multipath.js';
import { BIN } from './helpers/cli-run.js';
import { realEnv } from '../sim/world/index.js';
import { dmesgMarker, kernelErrors, nvmeConnect, nvmeDisconnect, runFio } from '../sim/interop/linux-host.js';
import { QemuVm } from '../sim/interop/qemu-vm.js';
import { addLinuxPort, removeLinuxPort, setLinuxAnaState, setLinuxNamespaceAnaGroup } from '../sim/interop/linux-ana.js';
import { configureLinuxTarget, teardownLinuxTarget } from '../sim/interop/linux-target.js';
import { connectController } from '../sim/host/controller.js';
import { AnaState, decodeAnaLog } from '../sim/nvme/ana-log.js';
import { LogPageId } from '../sim/nvme/constants.js';
import { Cmic } from '../sim/nvme/identify.js';
import { NvmeStatusError, Status, statusBase } from '../sim/nvme/status.js';
import { NvmeTarget } from '../sim/target/index.js';
import { assertInteropPrereqs, interopTest as anyInteropTest } from './helpers/interop-prereqs.js';

const NQN = 'nqn.2014-08.org.nvmf-sim:multipath';
const LINUX_NQN = 'nqn.2014-08.org.nvmf-sim:linux-multipath';
/** Guest ports of the Linux target's two nvmet ports, forwarded to the host's loopback. */
const GUEST_PORTS = [4420, 4421] as const;
/** The namespace's ANA group: optimized through port 1, non-optimized through port 2. */
const GROUP = 2;

interface Context {
  vm: QemuVm;
}
const test = anyTest as TestFn<Context>;
const interopTest = anyInteropTest as TestFn<Context>;

test.before(async (t) => {
  if (anyInteropTest === anyTest.skip) return;
  assertInteropPrereqs();
  t.context.vm = await QemuVm.boot({ memoryMiB: 1024, cpus: 2, forwards: GUEST_PORTS.map((guestPort) => ({ hostPort: 0, guestPort })) });
});

test.after.always(async (t) => {
  await t.context.vm?.stop();
});

/** Reads and writes completed through each hidden per-path block device (nvmeXcYnZ), by path. */
async function pathIos(vm: QemuVm): Promise<Map<string, number>> {
  const text = await vm.execOk('for d in /sys/block/nvme*c*n*; do echo "$(basename $d) $(cat $d/stat)"; done');
  const ios = new Map<string, number>();
  for (const line of text.trim().split('\n')) {
    const [name, reads, , , , writes] = line.trim().split(/\s+/);
    if (name !== undefined) ios.set(name, Number(reads) + Number(writes));
  }
  return ios;
}

interopTest.serial('interop multipath: the Linux host fails over between our two ports on an ANA change, fio verify passes', async (t) => {
  const vm = t.context.vm;
  const env = realEnv({ seed: 'interop-multipath', logLevel: 'warn' });
  t.teardown(() => env.clock.clearAll());
  const target = new NvmeTarget(env, {
    subsystems: [{ nqn: NQN, allowAnyHost: true, namespaces: [{ nsid: 1, device: 'ram:64MiB', anaGroupId: GROUP }] }],
    ports: [
      { portid: 1, traddr: '127.0.0.1', trsvcid: 0, subsystems: [NQN], anaGroups: [{ grpid: GROUP, state: 'optimized' }] },
      { portid: 2, traddr: '127.0.0.1', trsvcid: 0, subsystems: [NQN], anaGroups: [{ grpid: GROUP, state: 'non-optimized' }] },
    ],
  });
  await target.start();
  t.teardown(() => target.stop());
  const [one, two] = target.boundPorts.map((port) => port.address.port);
  await dmesgMarker(vm, 'multipath');

  const first = await nvmeConnect(vm, { trsvcid: one ?? 0, nqn: NQN, nrIoQueues: 2 });
  const second = await nvmeConnect(vm, { trsvcid: two ?? 0, nqn: NQN, nrIoQueues: 2 });
  t.teardown(async () => {
    await nvmeDisconnect(vm, NQN);
  });
  t.is(first.device, second.device, 'both controllers join one namespace head');
  const subsys = await vm.execOk(`nvme list-subsys -o json ${first.device}`);
  for (const port of [one, two]) t.regex(subsys, new RegExp(`trsvcid=${port}`), `list-subsys shows the path to port ${port}`);
  t.regex(subsys, /"ANAState"\s*:\s*"optimized"/);
  t.regex(subsys, /"ANAState"\s*:\s*"non-optimized"/);

  // Under fio's verified random writes and reads, the optimized path becomes inaccessible.
  const commandsAtStart = target.stats.commands;
  const flip = (async (): Promise<Map<string, number>> => {
    while (target.stats.commands < commandsAtStart + 300) await new Promise((resolve) => setTimeout(resolve, 20));
    target.setAnaState(1, GROUP, 'inaccessible');
    // Counted a moment after the change (the host reads the ANA log on the notice, and requests
    // already in flight on the old path finish), so what follows is I/O after the failover.
    await new Promise((resolve) => setTimeout(resolve, 500));
    return pathIos(vm);
  })();
  const fio = await runFio(vm, { filename: first.device, rw: 'randrw', bs: '4k', size: '8M', iodepth: 8, verify: 'crc32c', timeoutMs: 240_000 });
  const atFlip = await flip;
  t.is(fio.jobs[0]?.error, 0, 'fio verify passed across the failover');
  const after = await pathIos(vm);
  // Before the change the optimized path (port 1's controller) carried the I/O; after it, the other.
  // Hidden path devices are named nvme<subsystem>c<controller>n<namespace>.
  const paths = [...after.keys()];
  const optimized = paths.find((name) => name.includes(`c${first.controller.slice(4)}n`));
  const other = paths.find((name) => name !== optimized);
  const growth = (name: string | undefined): number => (after.get(name ?? '') ?? 0) - (atFlip.get(name ?? '') ?? 0);
  t.true((atFlip.get(optimized ?? '') ?? 0) > 0, `the optimized path carried I/O before the change (${JSON.stringify([...atFlip])})`);
  t.true(growth(other) > 0, `the non-optimized path took the I/O (${JSON.stringify([...after])})`);
  t.is(growth(optimized), 0, `the inaccessible path ${optimized ?? ''} carried nothing after the change`);
  const states = await vm.execOk('for d in /sys/block/nvme*c*n*; do echo "$(basename $d) $(cat $d/ana_state)"; done');
  t.regex(states, /inaccessible/);
  t.regex(states, /non-optimized/);
  t.deepEqual(await kernelErrors(vm, { afterMarker: 'multipath' }), [], 'no nvme errors in the guest kernel log');
  t.is(target.stats.fatalErrors, 0);
});

interopTest.serial('interop multipath: our host reads Linux nvmet\'s ANA log per port and gets ANA errors on an inaccessible path', async (t) => {
  const vm = t.context.vm;
  const [portA, portB] = GUEST_PORTS;
  const linux = await configureLinuxTarget(vm, { nqn: LINUX_NQN, port: portA, portId: 1, namespaces: [{ nsid: 1, nullBlkSizeMiB: 64 }] });
  t.teardown(() => teardownLinuxTarget(vm, linux));
  await addLinuxPort(vm, { nqn: LINUX_NQN, portId: 2, port: portB });
  t.teardown(() => removeLinuxPort(vm, { nqn: LINUX_NQN, portId: 2 }));
  // Namespace 1 in group 2: optimized through port 1, non-optimized through port 2.
  await setLinuxAnaState(vm, 1, 2, 'optimized');
  await setLinuxAnaState(vm, 2, 2, 'non-optimized');
  await setLinuxNamespaceAnaGroup(vm, LINUX_NQN, 1, 2);
  const env = realEnv({ seed: 'interop-linux-ana', logLevel: 'warn' });
  t.teardown(() => env.clock.clearAll());
  const controllers = await Promise.all(
    [portA, portB].map((guestPort) => connectController(env, { traddr: '127.0.0.1', trsvcid: vm.hostPort(guestPort), nqn: LINUX_NQN, nrIoQueues: 1 })),
  );
  t.teardown(async () => {
    for (const controller of controllers) await controller.disconnect();
  });
  const [one, two] = controllers;
  if (one === undefined || two === undefined) return t.fail();
  t.is(one.identify.cmic & Cmic.ANA, Cmic.ANA, 'Linux nvmet reports ANA in CMIC');
  const groupOf = async (controller: typeof one): Promise<{ state: number; nsids: readonly number[] } | undefined> =>
    decodeAnaLog(await controller.getLogPage(LogPageId.ANA, 4096)).groups.find((group) => group.grpid === 2);
  const viaOne = await groupOf(one);
  t.is(viaOne?.state, AnaState.OPTIMIZED);
  t.deepEqual(viaOne?.nsids, [1]);
  t.is((await groupOf(two))?.state, AnaState.NON_OPTIMIZED);
  const device = await one.namespace(1);
  await device.write(0, new Uint8Array(4096).fill(7));
  await setLinuxAnaState(vm, 1, 2, 'inaccessible');
  t.is((await groupOf(one))?.state, AnaState.INACCESSIBLE);
  const error = await device.read(0, 4096).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  t.true(error instanceof NvmeStatusError, String(error));
  t.is(statusBase((error as NvmeStatusError).status), Status.ANA_INACCESSIBLE, 'I/O through the inaccessible path fails with ANA Inaccessible');
  // The other path still serves the data.
  t.deepEqual([...(await (await two.namespace(1)).read(0, 4096)).subarray(0, 4)], [7, 7, 7, 7]);
});

/** An nvmetcli config.json: the subsystem on two ports at free 127.0.0.1 ports, group GROUP per port. */
function twoPortConfig(states: readonly [string, string]): string {
  const port = (portid: number, state: string): Record<string, unknown> => ({
    portid,
    addr: { trtype: 'tcp', adrfam: 'ipv4', traddr: '127.0.0.1', trsvcid: '0' },
    ana_groups: [{ grpid: 1, ana: { state: 'optimized' } }, { grpid: GROUP, ana: { state } }],
    subsystems: [NQN],
  });
  return JSON.stringify({
    hosts: [],
    subsystems: [{ nqn: NQN, attr: { allow_any_host: '1' }, allowed_hosts: [], namespaces: [{ nsid: 1, enable: 1, device: { path: 'ram:64MiB' }, ana_grpid: GROUP }] }],
    ports: [port(1, states[0]), port(2, states[1])],
  });
}

interopTest.serial('interop multipath: a SIGHUP reload of nvmf-sim target making the optimized path inaccessible moves the Linux host, fio verify passes', async (t) => {
  const vm = t.context.vm;
  const dir = mkdtempSync(join(tmpdir(), 'nvmf-sim-mpath-hup-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, twoPortConfig(['optimized', 'non-optimized']));
  const child = spawn(process.execPath, [BIN, 'target', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exit = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  t.teardown(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exit;
    rmSync(dir, { recursive: true, force: true });
  });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const ports = await new Promise<number[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`target did not listen: ${stderr}`)), 30_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const lines = [...stdout.matchAll(/listening on 127\.0\.0\.1:(\d+) \(tcp\)/g)];
      if (lines.length === 2) {
        clearTimeout(timer);
        resolve(lines.map((line) => Number(line[1])));
      }
    });
    void exit.then((code) => reject(new Error(`target exited ${code}: ${stderr}`)));
  });
  const [one, two] = ports;
  await dmesgMarker(vm, 'multipath-sighup');
  const first = await nvmeConnect(vm, { trsvcid: one ?? 0, nqn: NQN, nrIoQueues: 2 });
  const second = await nvmeConnect(vm, { trsvcid: two ?? 0, nqn: NQN, nrIoQueues: 2 });
  t.teardown(async () => {
    await nvmeDisconnect(vm, NQN);
  });
  t.is(first.device, second.device, 'both controllers join one namespace head');
  const hidden = (await pathIos(vm)).keys();
  const paths = [...hidden];
  const optimized = paths.find((name) => name.includes(`c${first.controller.slice(4)}n`));
  const other = paths.find((name) => name !== optimized);

  // Once the optimized path has carried fio's I/O for a while, the file changes and SIGHUP.
  let fioDone = false;
  const flip = (async (): Promise<Map<string, number>> => {
    while (!fioDone && ((await pathIos(vm)).get(optimized ?? '') ?? 0) < 300) await new Promise((resolve) => setTimeout(resolve, 50));
    const from = stderr.length;
    writeFileSync(file, twoPortConfig(['inaccessible', 'non-optimized']));
    child.kill('SIGHUP');
    for (let waited = 0; !/reload:/.test(stderr.slice(from)) && waited < 10_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    // As in the in-process test: counted a moment after the change.
    await new Promise((resolve) => setTimeout(resolve, 500));
    return pathIos(vm);
  })();
  const fio = await runFio(vm, { filename: first.device, rw: 'randrw', bs: '4k', size: '32M', iodepth: 8, verify: 'crc32c', timeoutMs: 240_000 }).finally(() => (fioDone = true));
  const atFlip = await flip;
  t.is(fio.jobs[0]?.error, 0, 'fio verify passed across the failover');
  t.regex(stderr, /reload: .*inaccessible/, stderr);
  const after = await pathIos(vm);
  const growth = (name: string | undefined): number => (after.get(name ?? '') ?? 0) - (atFlip.get(name ?? '') ?? 0);
  t.true((atFlip.get(optimized ?? '') ?? 0) > 0, `the optimized path carried I/O before the reload (${JSON.stringify([...atFlip])})`);
  t.true(growth(other) > 0, `the non-optimized path took the I/O (${JSON.stringify([...after])})`);
  t.is(growth(optimized), 0, `the inaccessible path ${optimized ?? ''} carried nothing after the reload`);
  const states = await vm.execOk('for d in /sys/block/nvme*c*n*; do echo "$(basename $d) $(cat $d/ana_state)"; done');
  t.regex(states, /inaccessible/);
  t.regex(states, /non-optimized/);
  t.deepEqual(await kernelErrors(vm, { afterMarker: 'multipath-sighup' }), [], 'no nvme errors in the guest kernel log');
  t.is(child.exitCode, null, 'the target kept running');
});

interopTest.serial('interop multipath: our multipath head over Linux nvmet\'s two ports keeps verified I/O going when ana_state makes a port inaccessible', async (t) => {
  const vm = t.context.vm;
  const [portA, portB] = GUEST_PORTS;
  const nqn = `${LINUX_NQN}:head`;
  // Port IDs 3 and 4: the test before may leave ports 1 and 2 (unlinked, so not listening).
  const linux = await configureLinuxTarget(vm, { nqn, port: portA, portId: 3, namespaces: [{ nsid: 1, nullBlkSizeMiB: 64 }] });
  t.teardown(() => teardownLinuxTarget(vm, linux));
  await addLinuxPort(vm, { nqn, portId: 4, port: portB });
  t.teardown(() => removeLinuxPort(vm, { nqn, portId: 4 }));
  t.teardown(() => removeLinuxPort(vm, { nqn, portId: 3 }));
  await setLinuxAnaState(vm, 3, GROUP, 'optimized');
  await setLinuxAnaState(vm, 4, GROUP, 'non-optimized');
  await setLinuxNamespaceAnaGroup(vm, nqn, 1, GROUP);
  const env = realEnv({ seed: 'interop-linux-head', logLevel: 'warn' });
  t.teardown(() => env.clock.clearAll());
  const subsystem = await connectMultipath(
    env,
    [portA, portB].map((guestPort) => ({ traddr: '127.0.0.1', trsvcid: vm.hostPort(guestPort), nqn, nrIoQueues: 1 })),
  );
  t.teardown(() => subsystem.disconnect());
  const head = subsystem.namespace(1);
  t.deepEqual(head.paths().map((path) => path.anaState), ['optimized', 'non-optimized']);

  const BLOCKS = 32;
  const BS = 4096;
  const pattern = (round: number, block: number): Uint8Array => new Uint8Array(BS).fill((round * 31 + block * 7 + 1) & 0xff);
  let flipped = false;
  let completedAtFlip = 0;
  const errors: string[] = [];
  let mismatches = 0;
  let round = 0;
  let roundsAfterFlip = 0;
  // Rounds of writes then read-backs; the ana_state write happens while a round is in flight.
  const flip = (async (): Promise<void> => {
    while (round < 5 && errors.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await setLinuxAnaState(vm, 3, GROUP, 'inaccessible');
    completedAtFlip = head.paths()[1]?.stats.completed ?? 0;
    flipped = true;
  })();
  const deadline = Date.now() + 120_000;
  while ((!flipped || roundsAfterFlip < 5) && Date.now() < deadline) {
    const wasFlipped = flipped;
    try {
      await Promise.all(Array.from({ length: BLOCKS }, (_, block) => head.write(block * BS, pattern(round, block))));
      const reads = await Promise.all(Array.from({ length: BLOCKS }, (_, block) => head.read(block * BS, BS)));
      reads.forEach((data, block) => {
        if (data[0] !== pattern(round, block)[0] || data[BS - 1] !== pattern(round, block)[0]) mismatches++;
      });
    } catch (error) {
      errors.push(String(error));
      break;
    }
    round++;
    if (wasFlipped) roundsAfterFlip++;
  }
  await flip;
  t.deepEqual(errors, [], 'no I/O error reached the application');
  t.is(mismatches, 0, 'every read-back matched its write');
  t.true(roundsAfterFlip >= 5, `rounds after the change: ${roundsAfterFlip}`);
  const [viaA, viaB] = head.paths();
  t.is(viaA?.anaState, 'inaccessible');
  t.true((viaA?.stats.completed ?? 0) > 0, 'the optimized port carried I/O before the change');
  t.true((viaB?.stats.completed ?? 0) - completedAtFlip >= 5 * 2 * BLOCKS, `the other port took the I/O (${JSON.stringify(head.paths().map((path) => path.stats.completed))})`);
  t.is(head.stats.waiting, 0);
  t.is(head.stats.failedNoPath, 0);
});
