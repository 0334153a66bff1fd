// Interoperability with the Linux kernel, both directions, in one QEMU VM:
// - our host against Linux nvmet-tcp (guest port forwarded to 127.0.0.1): discover, list, 4 I/O
//   queues, verified random writes and reads of 4 KiB..1 MiB (the R2T path), digests off and on;
// - the Linux host (nvme-cli, fio) against our target on the host loopback, which the guest reaches
//   as 10.0.2.2: nvme discover, nvme connect -i 4 with and without -g -G, nvme list showing our
//   model and serial, fio random read/write with verify=crc32c, nvme disconnect, and no nvme
//   errors in the guest kernel log.
// The tests share one VM (booting under TCG costs seconds) and run serially inside it. The VM has 4
// vCPUs because the Linux host caps I/O queues at the number of online CPUs.
import anyTest from 'ava';
import type { TestFn } from 'ava';
import { realEnv } from '../sim/world/index.js';
import { connectController } from '../sim/host/controller.js';
import { discover } from '../sim/host/discovery.js';
import {
  dmesgMarker,
  kernelErrors,
  nvmeConnect,
  nvmeDisconnect,
  nvmeDiscover,
  nvmeList,
  runFio,
} from '../sim/interop/linux-host.js';
import { configureLinuxTarget, teardownLinuxTarget } from '../sim/interop/linux-target.js';
import { QemuVm } from '../sim/interop/qemu-vm.js';
import { NvmeTarget } from '../sim/target/index.js';
import { assertInteropPrereqs, interopTest as anyInteropTest } from './helpers/interop-prereqs.js';

const LINUX_NQN = 'nqn.2014-08.org.nvmf-sim:linux-target';
const OUR_NQN = 'nqn.2014-08.org.nvmf-sim:our-target';
const GUEST_PORT = 4420;
const OUR_SERIAL = 'NVMFSIM0001';
const OUR_MODEL = 'nvmf-sim interop';

interface Context {
  vm: QemuVm;
}
const test = anyTest as TestFn<Context>;
const interopTest = anyInteropTest as TestFn<Context>;

test.before(async (t) => {
  if (anyInteropTest === anyTest.skip) return;
  assertInteropPrereqs();
  t.context.vm = await QemuVm.boot({ forwards: [{ hostPort: 0, guestPort: GUEST_PORT }], memoryMiB: 1024, cpus: 4 });
});

test.after.always(async (t) => {
  await t.context.vm?.stop();
});

/** Deterministic pseudo-random bytes: every region gets distinct, checkable content. */
function pattern(length: number, seed: number): Uint8Array {
  const data = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let index = 0; index < length; index += 4) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    data[index] = state & 0xff;
    data[index + 1] = (state >>> 8) & 0xff;
    data[index + 2] = (state >>> 16) & 0xff;
    data[index + 3] = (state >>> 24) & 0xff;
  }
  return data;
}

interopTest.serial('interop linux: our host against Linux nvmet-tcp, digests off and on', async (t) => {
  const vm = t.context.vm;
  const linux = await configureLinuxTarget(vm, {
    nqn: LINUX_NQN,
    port: GUEST_PORT,
    namespaces: [{ nsid: 1, nullBlkSizeMiB: 128 }],
  });
  t.teardown(() => teardownLinuxTarget(vm, linux));
  const port = vm.hostPort(GUEST_PORT);
  const env = realEnv({ seed: 'interop-linux', logLevel: 'warn' });
  t.teardown(() => env.clock.clearAll());

  // Linux nvmet answers discovery on every port with a subsystem linked (the discovery NQN).
  const log = await discover(env, { traddr: '127.0.0.1', trsvcid: port });
  t.true(log.entries.some((entry) => entry.subnqn === LINUX_NQN), 'Linux discovery log lists the subsystem');

  for (const digests of [false, true]) {
    const controller = await connectController(env, {
      traddr: '127.0.0.1',
      trsvcid: port,
      nqn: LINUX_NQN,
      nrIoQueues: 4,
      hdrDigest: digests,
      dataDigest: digests,
    });
    try {
      t.is(controller.state, 'live');
      t.is(controller.ioQueueCount, 4);
      t.is(controller.identify.mn.trim(), 'Linux', 'Linux nvmet reports model "Linux"');
      const namespaces = await controller.listNamespaces();
      t.is(namespaces.length, 1);
      t.is(namespaces[0]?.sizeBytes, 128 * 1024 * 1024);
      const device = await controller.namespace(1);
      // Sizes from 4 KiB (in-capsule) to 1 MiB (R2T + H2CData), written concurrently, read back.
      const regions: { offset: number; data: Uint8Array }[] = [];
      let offset = 0;
      for (let index = 0; index < 16; index++) {
        const length = Math.min(1 << 20, 4096 << (index % 9));
        regions.push({ offset, data: pattern(length, 1000 * index + (digests ? 7 : 3)) });
        offset += length + 8192;
      }
      await Promise.all(regions.map((region) => device.write(region.offset, region.data)));
      const reads = await Promise.all(regions.map((region) => device.read(region.offset, region.data.length)));
      reads.forEach((read, index) => {
        t.true(Buffer.from(read).equals(Buffer.from(regions[index]?.data ?? [])), `region ${index} (digests ${digests})`);
      });
      t.true(controller.stats.io.every((queue) => queue.completed > 0), 'all 4 I/O queues carried I/O');
      await device.flush();
    } finally {
      await controller.disconnect();
    }
  }
  const errors = await kernelErrors(vm);
  t.deepEqual(errors, [], 'no nvme errors in the guest kernel log');
});

interopTest.serial('interop linux: Linux host (nvme-cli, fio) against our target', async (t) => {
  const vm = t.context.vm;
  const env = realEnv({ seed: 'interop-our-target', logLevel: 'warn' });
  t.teardown(() => env.clock.clearAll());
  // QEMU user networking turns the guest's connections to 10.0.2.2 into connections to the
  // host's 127.0.0.1, so our target listens on loopback only.
  const target = new NvmeTarget(env, {
    subsystems: [
      {
        nqn: OUR_NQN,
        allowAnyHost: true,
        serial: OUR_SERIAL,
        model: OUR_MODEL,
        namespaces: [{ nsid: 1, device: 'ram:64MiB' }],
      },
    ],
    ports: [{ portid: 1, traddr: '127.0.0.1', trsvcid: 0, subsystems: [OUR_NQN] }],
  });
  await target.start();
  t.teardown(() => target.stop());
  const port = target.boundPorts[0]?.address.port ?? 0;
  await dmesgMarker(vm, 'our-target');

  const entries = await nvmeDiscover(vm, { trsvcid: port });
  const entry = entries.find((candidate) => candidate.subnqn === OUR_NQN);
  t.truthy(entry, `nvme discover lists ${OUR_NQN}`);
  t.is(entry?.trtype, 'tcp');
  t.is(entry?.subtype, 'nvme subsystem');

  for (const digests of [false, true]) {
    const connection = await nvmeConnect(vm, { trsvcid: port, nqn: OUR_NQN, nrIoQueues: 4, hdrDigest: digests, dataDigest: digests });
    try {
      const queues = await vm.execOk(`cat /sys/class/nvme/${connection.controller}/queue_count`);
      t.is(Number(queues.trim()), 5, 'admin queue + 4 I/O queues');
      const list = JSON.stringify(await nvmeList(vm));
      t.true(list.includes(OUR_SERIAL), 'nvme list shows our serial');
      t.true(list.includes(OUR_MODEL), 'nvme list shows our model');
      const fio = await runFio(vm, {
        filename: connection.device,
        rw: 'randrw',
        bs: '4k',
        size: '16M',
        iodepth: 16,
        numjobs: 1,
        verify: 'crc32c',
        extra: { bsrange: '4k-256k' },
        timeoutMs: 180_000,
      });
      const job = fio.jobs[0];
      t.is(job?.error, 0, 'fio reports no error');
      t.true((job?.write.total_ios ?? 0) > 0 && (job?.read.total_ios ?? 0) > 0, 'fio wrote and read back');
    } finally {
      t.true((await nvmeDisconnect(vm, OUR_NQN)) >= 1, 'nvme disconnect removed the controller');
    }
  }
  const errors = await kernelErrors(vm, { afterMarker: 'our-target' });
  t.deepEqual(errors, [], 'no nvme errors in the guest kernel log');
  t.is(target.stats.fatalErrors, 0, 'our target saw no protocol errors from Linux');
});
