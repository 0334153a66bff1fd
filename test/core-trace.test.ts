// The optional trace: absent by default, and when present it records drops with their reason
// and TCP recovery events, as JSON lines or in memory.
import test from 'ava';
import { NS_PER_S } from '../sim/core/env.js';
import { JsonlTraceSink, MemoryTraceSink } from '../sim/core/trace.js';
import { connectPair, driveWriter, pairWorld, pattern, Recorder } from './net-fixtures.js';

test('trace: JSONL sink writes one object per line', (t) => {
  const lines: string[] = [];
  const sink = new JsonlTraceSink((line) => lines.push(line));
  sink.record({ tNs: 5, kind: 'drop', reason: 'loss' });
  sink.record({ tNs: 6, kind: 'tcp-rto', cwnd: 1 });
  t.deepEqual(lines, ['{"tNs":5,"kind":"drop","reason":"loss"}\n', '{"tNs":6,"kind":"tcp-rto","cwnd":1}\n']);
});

test('trace: a lossy run records drops and recovery events', async (t) => {
  const pair = pairWorld({ seed: 'trace', link: { latencyUs: 10, lossRate: 0.05 } });
  const { world } = pair;
  t.is(world.trace, null, 'no trace unless asked for');
  const memory = new MemoryTraceSink();
  world.trace = memory;
  const { clientStream, serverStream } = await connectPair(pair);
  const sink = new Recorder(world, serverStream, false);
  driveWriter(world, clientStream, pattern(512 * 1024, 1));
  await world.runUntilTrueAsync(() => sink.closed, 600 * NS_PER_S);
  const drops = memory.ofKind('drop');
  t.is(drops.length, world.network.stats.dropped.loss);
  t.true(drops.every((record) => record.reason === 'loss' && typeof record.seq === 'number'));
  t.is(memory.ofKind('tcp-fast-retransmit').length, clientStream.stats.fastRetransmits + serverStream.stats.fastRetransmits);
  t.true(memory.ofKind('tcp-established').length === 2);
  t.true(memory.records.every((record, i, all) => i === 0 || (all[i - 1]?.tNs ?? 0) <= record.tNs));
});
