// Failover of the host's native multipath against our two-port target in the simulator: an ANA
// state change or a partitioned link under a verifying workload moves I/O to the other path with
// no error reaching the workload and every I/O completed exactly once; with no usable path I/O
// waits (queue_if_no_path) and resumes when a path returns, or fails with HOST_PATH_ERROR once
// fast_io_fail_tmo or every path's ctrl_loss_tmo expired; a group stuck in change state makes the
// host reset that controller after twice ANATT.
import test from 'ava';
import { Status } from '../sim/nvme/status.js';
import { BLOCK, FailoverTimes, MS, S, VerifyingWorkload, blockPattern, multipathWorld } from './helpers/multipath-world.js';

/** Fast failure detection: keep-alive every second, I/O timeout 2 s, reconnect every second (1 s to connect). */
const FAST = { keepAliveTmoS: 2, ioTimeoutS: 2, reconnectDelayS: 1, ctrlLossTmoS: 30, connectTimeoutS: 1 } as const;

function completedOn(head: { paths(): { stats: { completed: number } }[] }): number[] {
  return head.paths().map((path) => path.stats.completed);
}

test('host multipath: an optimized port made inaccessible under I/O moves it to the other port with no error', async (t) => {
  const { head, hostEnv, runFor, target } = await multipathWorld(t);
  const times = new FailoverTimes(head, hostEnv);
  const workload = new VerifyingWorkload(head, hostEnv, 8, 16);
  await runFor(20 * MS);
  const [onOne = 0, onTwo = 0] = completedOn(head);
  t.true(onOne > 100);
  t.is(onTwo, 0);
  target.setAnaState(1, 1, 'inaccessible');
  await runFor(30 * MS);
  const [path1, path2] = head.paths();
  t.is(path1?.anaState, 'inaccessible');
  t.false(path1?.usable);
  t.true((path2?.stats.completed ?? 0) > 100, 'port 2 carries the I/O');
  // The ANA change notice moves I/O within a few round trips.
  t.is(times.gaps[0]?.to, 1);
  t.true((times.gaps[0]?.ns ?? Infinity) < 1 * MS, `failover took ${times.gaps[0]?.ns} ns`);
  t.log(`ANA inaccessible, numa: failover ${((times.gaps[0]?.ns ?? 0) / 1e3).toFixed(1)} us`);
  const stuck = path1?.stats.completed;
  await runFor(10 * MS);
  t.is(head.paths()[0]?.stats.completed, stuck, 'nothing more on port 1');
  // Back to optimized: numa returns to port 1 once its log was read.
  target.setAnaState(1, 1, 'optimized');
  await runFor(20 * MS);
  t.true((head.paths()[0]?.stats.completed ?? 0) > (stuck ?? 0) + 50);
  workload.stop();
  await runFor(5 * MS);
  t.deepEqual(workload.errors, []);
  t.is(workload.mismatches, 0);
  t.is(workload.doubles, 0);
  t.is(workload.outstanding, 0);
  t.true(workload.ios > 500);
});

test('host multipath: without the ANA notice, ANA errors fail I/O over and re-read the log', async (t) => {
  const { head, hostEnv, runFor, target } = await multipathWorld(t, { anaNotices: false });
  const workload = new VerifyingWorkload(head, hostEnv, 8, 16);
  await runFor(10 * MS);
  target.setAnaState(1, 1, 'inaccessible');
  await runFor(20 * MS);
  const [path1, path2] = head.paths();
  // The first commands through port 1 fail with ANA Inaccessible; the re-read log says why.
  t.true((path1?.stats.failovers ?? 0) >= 1);
  t.is(path1?.stats.errors, 0);
  t.is(path1?.anaState, 'inaccessible');
  t.true((path2?.stats.completed ?? 0) > 100);
  workload.stop();
  await runFor(5 * MS);
  t.deepEqual(workload.errors, []);
  t.is(workload.mismatches, 0);
  t.is(workload.doubles, 0);
  t.is(workload.outstanding, 0);
});

test('host multipath: a partitioned link fails over when its controller notices; I/O returns after the heal', async (t) => {
  const { head, hostEnv, runFor, links, subsystem } = await multipathWorld(t, { connect: FAST });
  const times = new FailoverTimes(head, hostEnv);
  const workload = new VerifyingWorkload(head, hostEnv, 4, 16, 1 * MS);
  await runFor(50 * MS);
  links[0].partition();
  // Keep-alive (kato 2 s) or the I/O timeout (2 s) starts recovery on path 1 within ~2 s.
  await runFor(3 * S);
  const controller = subsystem.controllers[0];
  t.not(controller?.state, 'live');
  const [path1, path2] = head.paths();
  t.true((path1?.stats.failovers ?? 0) >= 1, 'commands caught in the teardown failed over');
  const onTwo = path2?.stats.completed ?? 0;
  await runFor(500 * MS);
  t.true((head.paths()[1]?.stats.completed ?? 0) > onTwo + 100, 'port 2 carries the I/O');
  // The stall lasts until the I/O timeout or keep-alive timeout (2 s) tears path 1 down.
  t.is(times.gaps[0]?.to, 1);
  t.true((times.gaps[0]?.ns ?? 0) > 1 * S && (times.gaps[0]?.ns ?? Infinity) <= 2.5 * S, `failover took ${times.gaps[0]?.ns} ns`);
  t.log(`partition, numa, kato 2 s, io timeout 2 s: failover ${((times.gaps[0]?.ns ?? 0) / 1e6).toFixed(1)} ms`);
  links[0].heal();
  await runFor(3 * S);
  t.is(controller?.state, 'live');
  t.true((controller?.stats.reconnects ?? 0) >= 1);
  const back = head.paths()[0]?.stats.completed ?? 0;
  await runFor(200 * MS);
  t.true((head.paths()[0]?.stats.completed ?? 0) > back + 50, 'numa is back on the optimized port');
  workload.stop();
  await runFor(50 * MS);
  t.deepEqual(workload.errors, []);
  t.is(workload.mismatches, 0);
  t.is(workload.doubles, 0);
  t.is(workload.outstanding, 0);
});

test('host multipath: a connection the target closes fails over at once; the path reconnects', async (t) => {
  const { head, hostEnv, runFor, target, subsystem } = await multipathWorld(t, { connect: FAST });
  const workload = new VerifyingWorkload(head, hostEnv, 8, 16);
  await runFor(10 * MS);
  const controller = subsystem.controllers[0];
  target.killController(controller?.cntlid ?? 0);
  await runFor(1 * MS);
  t.not(controller?.state, 'live');
  t.true((head.paths()[0]?.stats.failovers ?? 0) >= 1, 'commands in flight on port 1 failed over');
  const onTwo = head.paths()[1]?.stats.completed ?? 0;
  await runFor(20 * MS);
  t.true((head.paths()[1]?.stats.completed ?? 0) > onTwo + 50);
  await runFor(2 * S);
  t.is(controller?.state, 'live');
  const back = head.paths()[0]?.stats.completed ?? 0;
  await runFor(20 * MS);
  t.true((head.paths()[0]?.stats.completed ?? 0) > back + 50);
  workload.stop();
  await runFor(5 * MS);
  t.deepEqual(workload.errors, []);
  t.is(workload.mismatches, 0);
  t.is(workload.doubles, 0);
  t.is(workload.outstanding, 0);
});

test('host multipath: with no usable path I/O waits, and resumes when a path comes back', async (t) => {
  const { head, runFor, links, settle, subsystem } = await multipathWorld(t, { connect: FAST });
  await settle(head.write(0, blockPattern(0, 1)));
  links[0].partition();
  links[1].partition();
  const results: number[] = [];
  const writes = [1, 2, 3].map((block) => head.write(block * BLOCK, blockPattern(block, 1)).then(() => results.push(block), (error: unknown) => t.fail(String(error))));
  await runFor(5 * S);
  t.deepEqual(results, []);
  t.true(subsystem.controllers.every((controller) => controller.state === 'connecting'));
  t.is(head.stats.waiting, 3);
  t.true(head.stats.queuedNoPath >= 3);
  links[1].heal();
  await settle(Promise.all(writes), 5 * S);
  t.deepEqual(results.sort(), [1, 2, 3]);
  for (const block of [0, 1, 2, 3]) t.deepEqual(await settle(head.read(block * BLOCK, BLOCK)), blockPattern(block, 1));
  t.is(head.stats.failedNoPath, 0);
});

test('host multipath: fast_io_fail_tmo fails waiting I/O with a host path error before ctrl_loss_tmo', async (t) => {
  const { head, runFor, links, settle, world, subsystem } = await multipathWorld(t, { connect: { ...FAST, fastIoFailTmoS: 3, ctrlLossTmoS: 60 } });
  links[0].partition();
  links[1].partition();
  const start = world.nowNs;
  const statuses: number[] = [];
  head.submit({ kind: 'write', offset: 0, length: BLOCK, data: blockPattern(0, 2) }, (status) => statuses.push(status));
  // Recovery starts within ~2 s (keep-alive / I/O timeout); fast_io_fail_tmo 3 s later.
  await runFor(4 * S);
  t.deepEqual(statuses, [], 'still waiting for a path');
  await runFor(3 * S);
  t.deepEqual(statuses, [Status.HOST_PATH_ERROR]);
  t.true(world.nowNs - start <= 7 * S);
  t.true(subsystem.controllers.every((controller) => controller.state === 'connecting'), 'the controllers still reconnect');
  // New I/O fails at once while every path's failfast has expired.
  await t.throwsAsync(settle(head.read(0, BLOCK), 1 * MS), { message: /HOST_PATH_ERROR|Host Pathing Error/ });
  t.is(head.stats.failedNoPath, 2);
  // A path back clears failfast: I/O works again.
  links[0].heal();
  await runFor(3 * S);
  await settle(head.write(0, blockPattern(0, 3)));
  t.deepEqual(await settle(head.read(0, BLOCK)), blockPattern(0, 3));
});

test('host multipath: once every path\'s ctrl_loss_tmo expired, waiting I/O fails and so does new I/O', async (t) => {
  const { head, runFor, links, settle, subsystem } = await multipathWorld(t, { connect: { ...FAST, ctrlLossTmoS: 3 } });
  links[0].partition();
  links[1].partition();
  const statuses: number[] = [];
  head.submit({ kind: 'read', offset: 0, length: BLOCK }, (status) => statuses.push(status));
  await runFor(3 * S);
  t.deepEqual(statuses, []);
  // Three reconnect attempts (ceil(3 / 1)), each a 1 s delay and a 1 s connect timeout.
  await runFor(8 * S);
  t.true(subsystem.controllers.every((controller) => controller.state === 'deleted'));
  t.deepEqual(statuses, [Status.HOST_PATH_ERROR]);
  await t.throwsAsync(settle(head.read(0, BLOCK), 1 * MS));
});

test('host multipath: a group in change state fails over, and after twice ANATT the host resets that controller', async (t) => {
  const { head, hostEnv, runFor, target, subsystem } = await multipathWorld(t, { connect: FAST });
  const workload = new VerifyingWorkload(head, hostEnv, 4, 8);
  await runFor(10 * MS);
  target.setAnaState(1, 1, 'change');
  await runFor(20 * MS);
  workload.stop();
  await runFor(5 * MS);
  t.deepEqual(workload.errors, []);
  t.is(workload.mismatches, 0);
  t.is(head.paths()[0]?.anaState, 'change');
  const controller = subsystem.controllers[0];
  t.is(controller?.stats.reconnects, 0);
  // ANATT is 10 s: the reset comes 20 s after the last log that showed the change, and the
  // reconnect one reconnect delay (1 s) later.
  await runFor(19 * S);
  t.is(controller?.stats.reconnects, 0);
  await runFor(2 * S);
  t.is(controller?.stats.reconnects, 1);
  t.is(controller?.state, 'live');
  target.setAnaState(1, 1, 'optimized');
  await runFor(10 * MS);
  t.is(head.paths()[0]?.anaState, 'optimized');
  // The ANATT timer stopped with the change: no further reset.
  await runFor(25 * S);
  t.is(controller?.stats.reconnects, 1);
});

test('host multipath: disconnecting the subsystem fails I/O left waiting for a path', async (t) => {
  const { head, runFor, links, settle, subsystem } = await multipathWorld(t, { connect: FAST });
  links[0].partition();
  links[1].partition();
  const statuses: number[] = [];
  head.submit({ kind: 'read', offset: 0, length: BLOCK }, (status) => statuses.push(status));
  await runFor(3 * S);
  t.deepEqual(statuses, []);
  await settle(subsystem.disconnect(), 5 * S);
  await runFor(1 * MS);
  t.deepEqual(statuses, [Status.HOST_PATH_ERROR]);
  t.true(subsystem.controllers.every((controller) => controller.state === 'deleted'));
  t.is(head.stats.waiting, 0);
});
