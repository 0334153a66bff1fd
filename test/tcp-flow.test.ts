// Flow control: write() returns false above the send buffer's high-water mark and drain()
// follows; a paused receiver's buffer fills, the window closes, the sender probes, and everything
// flows again on resume. Virtual time only.
import test from 'ava';
import { NS_PER_S } from '../sim/core/env.js';
import { connectPair, driveWriter, firstDifference, pairWorld, pattern, Recorder } from './net-fixtures.js';

const MiB = 1024 * 1024;

test('tcp: write() pushes back above the high-water mark and drain() follows', async (t) => {
  const pair = pairWorld({ tcp: { sendBufferBytes: 64 * 1024 }, link: { latencyUs: 100 } });
  const { world } = pair;
  const { clientStream, serverStream } = await connectPair(pair);
  const sink = new Recorder(world, serverStream);
  t.true(clientStream.write(new Uint8Array(32 * 1024)));
  t.false(clientStream.write(new Uint8Array(64 * 1024)), 'above the mark: false, but accepted');
  const data = pattern(4 * MiB, 5);
  const { writer, recorder } = driveWriter(world, clientStream, data, 16 * 1024);
  await world.runUntilTrueAsync(() => sink.closed, 60 * NS_PER_S);
  t.true(writer.falseReturns > 10);
  t.true(recorder.drains >= writer.falseReturns - 1);
  t.is(sink.bytes, 96 * 1024 + data.length);
  t.is(firstDifference(sink.received().subarray(96 * 1024), data), -1);
});

test('tcp: a paused receiver closes the window; probes keep it alive; resume drains it', async (t) => {
  const pair = pairWorld({ link: { latencyUs: 50 } });
  const { world } = pair;
  const { clientStream, serverStream } = await connectPair(pair);
  const sink = new Recorder(world, serverStream);
  world.pause('server');
  const data = pattern(10 * MiB, 6);
  const { recorder } = driveWriter(world, clientStream, data);
  await world.runForAsync(30 * NS_PER_S);
  t.is(sink.bytes, 0, 'a paused application reads nothing');
  t.is(serverStream.receiveQueuedBytes, 6 * MiB, 'the kernel buffered a full receive buffer');
  t.is(clientStream.peerWindowBytes, 0);
  t.true(clientStream.stats.zeroWindowProbes >= 3);
  t.false(recorder.closed, 'answered probes keep the connection alive');
  world.resume('server');
  await world.runUntilTrueAsync(() => sink.closed, 120 * NS_PER_S);
  t.is(firstDifference(sink.received(), data), -1);
  t.is(recorder.errors.length + sink.errors.length, 0);
});
