// The TypeScript host against the TypeScript target on real loopback sockets: connect, list
// namespaces, write and read back random buffers of 4 KiB..1 MiB on 4 I/O queues with digests off
// and on, and discover. Both ends run in this process on 127.0.0.1 with an ephemeral port.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { realEnv } from '../sim/world/index.js';
import { connectController } from '../sim/host/controller.js';
import { discover } from '../sim/host/discovery.js';
import { NvmeTarget } from '../sim/target/index.js';
import { NvmeStatusError, Status, statusBase } from '../sim/nvme/status.js';

const NQN = 'nqn.2024-01.io.nvmf-sim:e2e';
const NS_BYTES = 64 * 1024 * 1024;

async function startTarget(t: ExecutionContext): Promise<number> {
  const env = realEnv({ seed: 'e2e-target', logLevel: 'silent' });
  const target = new NvmeTarget(env, {
    subsystems: [{ nqn: NQN, allowAnyHost: true, namespaces: [{ nsid: 1, device: 'ram:64MiB' }] }],
    ports: [{ portid: 1, traddr: '127.0.0.1', trsvcid: 0, subsystems: [NQN] }],
  });
  await target.start();
  t.teardown(async () => {
    await target.stop();
    env.clock.clearAll();
  });
  const port = target.boundPorts[0]?.address.port;
  if (port === undefined) throw new Error('target has no bound port');
  return port;
}

function hostEnv(t: ExecutionContext): ReturnType<typeof realEnv> {
  const env = realEnv({ seed: 'e2e-host', logLevel: 'silent' });
  t.teardown(() => env.clock.clearAll());
  return env;
}

for (const digests of [false, true]) {
  test(`host e2e: write/read verify 4 KiB..1 MiB on 4 I/O queues, digests ${digests ? 'on' : 'off'}`, async (t) => {
    const port = await startTarget(t);
    const env = hostEnv(t);
    const controller = await connectController(env, {
      traddr: '127.0.0.1',
      trsvcid: port,
      nqn: NQN,
      nrIoQueues: 4,
      hdrDigest: digests,
      dataDigest: digests,
    });
    t.teardown(() => controller.disconnect());
    t.is(controller.state, 'live');
    t.is(controller.ioQueueCount, 4);
    const namespaces = await controller.listNamespaces();
    t.is(namespaces.length, 1);
    t.like(namespaces[0], { nsid: 1, sizeBytes: NS_BYTES, blockSize: 512 });
    const device = await controller.namespace(1);
    const random = env.rng.stream(`e2e-${digests}`);
    // Non-overlapping regions, written concurrently, then read back concurrently.
    const regions: { offset: number; data: Uint8Array }[] = [];
    let offset = 0;
    for (let index = 0; index < 24; index++) {
      const length = 4096 * (1 + random.int(256));
      const data = new Uint8Array(length);
      for (let byte = 0; byte < length; byte += 4) new DataView(data.buffer).setUint32(byte, random.int(2 ** 32), true);
      regions.push({ offset, data });
      offset += length + 4096 * random.int(4);
    }
    await Promise.all(regions.map((region) => device.write(region.offset, region.data)));
    const reads = await Promise.all(regions.map((region) => device.read(region.offset, region.data.length)));
    reads.forEach((read, index) => t.true(Buffer.from(read).equals(Buffer.from(regions[index]?.data ?? [])), `region ${index}`));
    const stats = controller.stats;
    t.is(stats.io.length, 4);
    t.true(stats.io.every((queue) => queue.completed > 0), 'every I/O queue carried commands');
    await device.flush();
    await device.writeZeroes(0, 8192);
    t.true((await device.read(0, 8192)).every((byte) => byte === 0));
  });
}

test('host e2e: a read past the namespace fails with LBA out of range', async (t) => {
  const port = await startTarget(t);
  const env = hostEnv(t);
  const controller = await connectController(env, { traddr: '127.0.0.1', trsvcid: port, nqn: NQN, nrIoQueues: 1 });
  t.teardown(() => controller.disconnect());
  const device = await controller.namespace(1);
  const error = await t.throwsAsync(device.read(NS_BYTES, 4096), { instanceOf: NvmeStatusError });
  t.is(statusBase(error?.status ?? 0), Status.LBA_RANGE);
  t.is(controller.state, 'live');
});

test('host e2e: a read into the caller\'s buffer fills that buffer and hands it back', async (t) => {
  const port = await startTarget(t);
  const env = hostEnv(t);
  const controller = await connectController(env, { traddr: '127.0.0.1', trsvcid: port, nqn: NQN, nrIoQueues: 1 });
  t.teardown(() => controller.disconnect());
  const device = await controller.namespace(1);
  const written = new Uint8Array(8192).map((_, index) => (index * 7 + 3) & 0xff);
  await device.write(4096, written);
  const buffer = new Uint8Array(8192).fill(0xee);
  const data = await new Promise<Uint8Array | undefined>((resolve, reject) => {
    device.submit({ kind: 'read', offset: 4096, length: 8192, buffer }, (status, read) => (status === 0 ? resolve(read) : reject(new Error(`status ${status}`))));
  });
  t.is(data, buffer, 'the data is the caller\'s buffer, not a copy');
  t.deepEqual(buffer, written);
  t.throws(() => device.submit({ kind: 'read', offset: 0, length: 4096, buffer: new Uint8Array(512) }, () => {}), {
    instanceOf: RangeError,
    message: 'read: length 4096 != buffer length 512',
  });
});

test('host e2e: discover lists the subsystem on the port', async (t) => {
  const port = await startTarget(t);
  const env = hostEnv(t);
  const log = await discover(env, { traddr: '127.0.0.1', trsvcid: port });
  const entry = log.entries.find((record) => record.subnqn === NQN);
  t.like(entry, { trtype: 3, adrfam: 1, traddr: '127.0.0.1', trsvcid: String(port) });
});

test('host e2e: disconnect leaves no connection behind', async (t) => {
  const port = await startTarget(t);
  const env = hostEnv(t);
  const controller = await connectController(env, { traddr: '127.0.0.1', trsvcid: port, nqn: NQN, nrIoQueues: 2 });
  await controller.disconnect();
  t.is(controller.state, 'deleted');
  const again = await connectController(env, { traddr: '127.0.0.1', trsvcid: port, nqn: NQN, nrIoQueues: 2 });
  t.is(again.state, 'live');
  await again.disconnect();
});
