// The host's native multipath against our target with two ports in the simulator: both controllers
// join one namespace head, each I/O policy picks paths as Linux's does (numa sticks to the first
// optimized path, round-robin alternates, queue-depth prefers the less loaded path), and the head
// is a block device that reads back what it wrote, in the simulator and on real loopback sockets.
import test from 'ava';
import { connectMultipath } from '../sim/host/multipath.js';
import { NvmeTarget } from '../sim/target/target.js';
import { realEnv } from '../sim/world/index.js';
import { BLOCK, MS, NQN, PORT_IPS, VerifyingWorkload, blockPattern, multipathWorld, targetConfig } from './helpers/multipath-world.js';

test('host multipath: both controllers join one head that reads back what it wrote', async (t) => {
  const { subsystem, head, settle } = await multipathWorld(t);
  t.is(subsystem.nqn, NQN);
  t.deepEqual(subsystem.nsids, [1]);
  t.is(subsystem.controllers.length, 2);
  t.true(subsystem.controllers.every((controller) => controller.state === 'live'));
  const paths = head.paths();
  t.deepEqual(
    paths.map((path) => [path.name, path.anaState, path.anaGroup, path.usable]),
    [
      [`${PORT_IPS[0]}:4420`, 'optimized', 1, true],
      [`${PORT_IPS[1]}:4420`, 'non-optimized', 1, true],
    ],
  );
  t.is(head.blockSize, 512);
  t.is(head.sizeBytes, 16 * 1024 * 1024);
  const data = blockPattern(3, 1);
  await settle(head.write(3 * BLOCK, data));
  t.deepEqual(await settle(head.read(3 * BLOCK, BLOCK)), data);
  // numa: both went down the optimized path; its latency histogram holds both.
  const [optimized, other] = head.paths();
  t.deepEqual([optimized?.stats.completed, other?.stats.completed], [2, 0]);
  t.is(optimized?.stats.latency.count, 2);
  t.true((optimized?.stats.latency.valueAt(0) ?? 0) >= 20_000, 'at least one round trip of 2 x 10 us');
  t.is(other?.stats.latency.count, 0);
  t.deepEqual([optimized?.stats.errors, optimized?.stats.failovers, optimized?.stats.inFlight], [0, 0, 0]);
  t.true((optimized?.stats.lastCompletionNs ?? -1) > 0);
  t.deepEqual(head.stats, { waiting: 0, queuedNoPath: 0, failedNoPath: 0 });
});

test('host multipath: numa sticks to the first optimized path, and moves when another becomes the optimized one', async (t) => {
  const { head, hostEnv, runFor, target, subsystem } = await multipathWorld(t, { states: ['non-optimized', 'optimized'] });
  t.is(subsystem.iopolicy, 'numa');
  const workload = new VerifyingWorkload(head, hostEnv, 4, 8);
  await runFor(20 * MS);
  const [first, second] = head.paths().map((path) => path.stats.completed);
  t.is(first, 0);
  t.true((second ?? 0) > 100);
  // ANA moves: port 1 optimized, port 2 non-optimized; I/O follows once the logs were read.
  target.setAnaState(1, 1, 'optimized');
  target.setAnaState(2, 1, 'non-optimized');
  await runFor(5 * MS);
  const before = head.paths().map((path) => path.stats.completed);
  await runFor(20 * MS);
  const after = head.paths().map((path) => path.stats.completed);
  t.true((after[0] ?? 0) - (before[0] ?? 0) > 100);
  t.is(after[1], before[1]);
  workload.stop();
  await runFor(5 * MS);
  t.deepEqual(workload.errors, []);
  t.is(workload.mismatches, 0);
  t.is(workload.doubles, 0);
  t.is(workload.outstanding, 0);
});

test('host multipath: round-robin alternates between optimized paths and avoids a non-optimized one', async (t) => {
  const { head, settle, subsystem, target, runFor } = await multipathWorld(t, { states: ['optimized', 'optimized'], multipath: { iopolicy: 'round-robin' } });
  t.is(subsystem.iopolicy, 'round-robin');
  for (let index = 0; index < 10; index++) await settle(head.write(index * BLOCK, blockPattern(index, 0)));
  t.deepEqual(head.paths().map((path) => path.stats.completed), [5, 5]);
  target.setAnaState(2, 1, 'non-optimized');
  await runFor(5 * MS);
  t.is(head.paths()[1]?.anaState, 'non-optimized');
  for (let index = 0; index < 10; index++) await settle(head.read(index * BLOCK, BLOCK));
  t.deepEqual(head.paths().map((path) => path.stats.completed), [15, 5]);
});

test('host multipath: queue-depth sends more I/O down the less loaded path; round-robin splits evenly', async (t) => {
  const split = async (iopolicy: 'queue-depth' | 'round-robin'): Promise<number[]> => {
    // Path 1 is ten times slower: its commands stay in flight longer.
    const { head, hostEnv, runFor } = await multipathWorld(t, { states: ['optimized', 'optimized'], latencyUs: [200, 20], multipath: { iopolicy } });
    const workload = new VerifyingWorkload(head, hostEnv, 8, 8, 0);
    await runFor(20 * MS);
    workload.stop();
    await runFor(5 * MS);
    t.deepEqual(workload.errors, []);
    t.is(workload.mismatches, 0);
    return head.paths().map((path) => path.stats.completed);
  };
  const [slowQd = 0, fastQd = 0] = await split('queue-depth');
  t.true(fastQd > 3 * slowQd, `queue-depth: ${slowQd} on the slow path, ${fastQd} on the fast one`);
  const [slowRr = 0, fastRr = 0] = await split('round-robin');
  t.true(Math.abs(slowRr - fastRr) <= 8, `round-robin: ${slowRr} / ${fastRr}`);
});

test('host multipath: the policy may change at run time; an unknown one is refused', async (t) => {
  const { head, settle, subsystem } = await multipathWorld(t, { states: ['optimized', 'optimized'] });
  for (let index = 0; index < 4; index++) await settle(head.read(0, BLOCK));
  t.deepEqual(head.paths().map((path) => path.stats.completed), [4, 0]);
  subsystem.iopolicy = 'round-robin';
  for (let index = 0; index < 4; index++) await settle(head.read(0, BLOCK));
  t.deepEqual(head.paths().map((path) => path.stats.completed), [6, 2]);
  t.throws(() => (subsystem.iopolicy = 'random' as never), { message: /--iopolicy: 'random' is not one of numa, round-robin, queue-depth/ });
});

test('host multipath: on real loopback sockets, a head over two ports moves I/O when ANA changes', async (t) => {
  const targetEnv = realEnv({ seed: 'mpath-target', logLevel: 'silent' });
  const config = targetConfig(['optimized', 'non-optimized']);
  const target = new NvmeTarget(targetEnv, { ...config, ports: (config.ports ?? []).map((port) => ({ ...port, traddr: '127.0.0.1', trsvcid: 0 })) });
  await target.start();
  const hostEnv = realEnv({ seed: 'mpath-host', logLevel: 'silent' });
  t.teardown(async () => {
    await target.stop();
    targetEnv.clock.clearAll();
    hostEnv.clock.clearAll();
  });
  const paths = target.boundPorts.map((port) => ({ traddr: '127.0.0.1', trsvcid: port.address.port, nqn: NQN, nrIoQueues: 2 }));
  t.is(paths.length, 2);
  const subsystem = await connectMultipath(hostEnv, paths);
  t.teardown(() => subsystem.disconnect());
  const head = subsystem.namespace(1);
  const data = blockPattern(7, 1);
  await head.write(7 * BLOCK, data);
  t.deepEqual(head.paths().map((path) => path.stats.completed), [1, 0]);
  target.setAnaState(1, 1, 'inaccessible');
  t.deepEqual(await head.read(7 * BLOCK, BLOCK), data);
  t.is(head.paths()[1]?.stats.completed, 1);
  t.is(head.paths()[0]?.anaState, 'inaccessible');
});
