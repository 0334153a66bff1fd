// Bulk transfers over the simulated TCP: data arrives intact and in order through loss,
// reordering, duplication, burst loss and checksum-caught corruption; a long transfer runs at
// the line rate minus header overhead; jitter alone never reorders; silent corruption reaches
// the application. Everything is measured in virtual time.
import test from 'ava';
import { connectPair, driveWriter, firstDifference, pairWorld, pattern, Recorder } from './net-fixtures.js';

const MiB = 1024 * 1024;

test('tcp: 10 MiB arrive intact through 2% loss, reordering and duplication', async (t) => {
  const pair = pairWorld({
    seed: 'lossy',
    bandwidthBps: 10e9,
    link: { latencyUs: 20, lossRate: 0.02, reorderRate: 0.01, reorderExtraDelayUs: 40, duplicateRate: 0.01 },
  });
  const { world } = pair;
  const { clientStream, serverStream } = await connectPair(pair);
  const data = pattern(10 * MiB, 1);
  const sink = new Recorder(world, serverStream);
  const { recorder } = driveWriter(world, clientStream, data);
  await world.runUntilTrueAsync(() => sink.closed && recorder.closed, 600e9);
  t.is(sink.bytes, data.length);
  t.is(firstDifference(sink.received(), data), -1);
  t.false(sink.hadError);
  t.false(recorder.hadError);
  const stats = world.network.stats;
  t.true(stats.dropped.loss > 100 && stats.duplicated > 0 && stats.reordered > 0);
  t.true(clientStream.stats.retransmits >= stats.dropped.loss / 2);
  t.true(serverStream.stats.outOfOrderSegments > 0);
});

test('tcp: a long transfer runs at line rate minus header overhead (within 2%)', async (t) => {
  const bandwidthBps = 10e9;
  const pair = pairWorld({ seed: 'fast', bandwidthBps, link: { latencyUs: 50 } });
  const { world } = pair;
  const { clientStream, serverStream } = await connectPair(pair);
  const data = new Uint8Array(64 * MiB);
  const sink = new Recorder(world, serverStream, false);
  const start = world.nowNs;
  driveWriter(world, clientStream, data, 256 * 1024);
  await world.runUntilTrueAsync(() => sink.bytes === data.length, 10e9);
  const goodputBps = (data.length * 8 * 1e9) / (sink.lastDataNs - start);
  const expected = (bandwidthBps * 1460) / 1538;
  t.true(Math.abs(goodputBps / expected - 1) < 0.02, `goodput ${goodputBps} vs ${expected}`);
  t.is(clientStream.stats.retransmits, 0);
});

test('tcp: jitter without reorderRate keeps packets in order', async (t) => {
  const pair = pairWorld({
    seed: 'jitter',
    bandwidthBps: 1e9,
    link: { latencyUs: 100, latencyDistribution: 'normal', jitterUs: 60 },
  });
  const { world } = pair;
  const { clientStream, serverStream } = await connectPair(pair);
  const data = pattern(2 * MiB, 2);
  const sink = new Recorder(world, serverStream);
  driveWriter(world, clientStream, data);
  await world.runUntilTrueAsync(() => sink.closed, 60e9);
  t.is(firstDifference(sink.received(), data), -1);
  t.is(serverStream.stats.outOfOrderSegments, 0);
  t.is(clientStream.stats.retransmits, 0);
});

test('tcp: burst loss and checksum-caught corruption behave like loss', async (t) => {
  const pair = pairWorld({
    seed: 'burst',
    bandwidthBps: 10e9,
    link: {
      latencyUs: 10,
      corruptRate: 0.01,
      geGoodToBadRate: 0.005,
      geBadToGoodRate: 0.3,
      geLossRateBad: 0.6,
    },
  });
  const { world } = pair;
  const { clientStream, serverStream } = await connectPair(pair);
  const data = pattern(4 * MiB, 3);
  const sink = new Recorder(world, serverStream);
  driveWriter(world, clientStream, data);
  await world.runUntilTrueAsync(() => sink.closed, 600e9);
  t.is(firstDifference(sink.received(), data), -1);
  t.true(world.network.stats.dropped.checksum > 0);
  t.true(world.network.stats.dropped['burst-loss'] > 0);
  t.true(clientStream.stats.retransmits > 0);
});

test('tcp: silent corruption reaches the application and spares the sender buffer', async (t) => {
  const pair = pairWorld({ seed: 'silent', link: { aToB: { silentCorruptRate: 0.05 } } });
  const { world } = pair;
  const { clientStream, serverStream } = await connectPair(pair);
  const data = pattern(1 * MiB, 4);
  const sink = new Recorder(world, serverStream);
  driveWriter(world, clientStream, data);
  await world.runUntilTrueAsync(() => sink.closed, 60e9);
  t.is(sink.bytes, data.length, 'TCP does not notice: every byte is delivered once');
  t.not(firstDifference(sink.received(), data), -1, 'but some bytes differ');
  t.is(firstDifference(data, pattern(1 * MiB, 4)), -1, "the sender's buffer is untouched");
  t.true(world.network.stats.silentlyCorrupted > 0);
  t.is(clientStream.stats.retransmits, 0);
});
