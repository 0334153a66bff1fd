// Multipath against Linux, the Linux host's side: its native NVMe multipath (built into Debian's
// kernel) connects two paths to our target's two ports, one optimized and one non-optimized for the
// namespace's ANA group. `nvme list-subsys` shows both paths with our ANA states; making the
// optimized path inaccessible under fio's verified I/O moves the I/O to the other path, fio's
// crc32c verify passes, and the guest kernel log has no I/O error.
import anyTest from 'ava';
import type { TestFn } from 'ava';
import { realEnv } from '../sim/world/index.js';
import { dmesgMarker, kernelErrors, nvmeConnect, nvmeDisconnect, runFio } from '../sim/interop/linux-host.js';
import { QemuVm } from '../sim/interop/qemu-vm.js';
import { NvmeTarget } from '../sim/target/index.js';
import { assertInteropPrereqs, interopTest as anyInteropTest } from './helpers/interop-prereqs.js';

const NQN = 'nqn.2014-08.org.nvmf-sim:multipath';
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
  t.context.vm = await QemuVm.boot({ memoryMiB: 1024, cpus: 2 });
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
