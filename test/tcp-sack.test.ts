// Selective acknowledgements: both ends must offer SACK; with it, several losses in one window
// are repaired in a single recovery, and a lost retransmission is caught without waiting for
// the RTO. Without SACK the same losses fall back to NewReno, and the lost retransmission to the
// RTO. Losses are injected deterministically with a per-link drop filter.
import test from 'ava';
import { NS_PER_S } from '../sim/core/env.js';
import type { Packet } from '../sim/net/packet.js';
import type { TcpConnection } from '../sim/net/tcp-connection.js';
import { connectPair, driveWriter, firstDifference, pairWorld, pattern, Recorder } from './net-fixtures.js';

const MiB = 1024 * 1024;

/** Drops chosen transmissions: `copies[n]` copies of the segment starting at segment index n. */
function dropSegments(stream: TcpConnection, copies: Map<number, number>): (packet: Packet) => boolean {
  const base = stream.sndNxt;
  const mss = stream.mssBytes;
  return (packet) => {
    if (packet.payloadBytes === 0) return false;
    const index = (packet.seq - base) / mss;
    const left = copies.get(index) ?? 0;
    if (left <= 0) return false;
    copies.set(index, left - 1);
    return true;
  };
}

async function transferWithDrops(sack: boolean, copies: Map<number, number>): Promise<TcpConnection> {
  const pair = pairWorld({ tcp: { sack }, link: { latencyUs: 50 } });
  const { world, link } = pair;
  const { clientStream, serverStream } = await connectPair(pair);
  const sink = new Recorder(world, serverStream);
  link.aToB.dropIf = dropSegments(clientStream, copies);
  const data = pattern(4 * MiB, 7);
  driveWriter(world, clientStream, data);
  await world.runUntilTrueAsync(() => sink.closed, 600 * NS_PER_S);
  if (firstDifference(sink.received(), data) !== -1) throw new Error('data corrupted');
  return clientStream;
}

test('tcp: sack: both ends must offer it', async (t) => {
  const both = pairWorld();
  const withSack = await connectPair(both);
  t.true(withSack.clientStream.sackEnabled && withSack.serverStream.sackEnabled);
  const world = pairWorld({ tcp: { sack: false } });
  const without = await connectPair(world);
  t.false(without.clientStream.sackEnabled || without.serverStream.sackEnabled);
});

test('tcp: sack: three losses in one window are repaired in one recovery', async (t) => {
  const stream = await transferWithDrops(true, new Map([[300, 1], [310, 1], [320, 1]]));
  t.is(stream.stats.fastRetransmits, 1);
  t.is(stream.stats.rtoCount, 0);
  t.is(stream.stats.retransmits, 3);
});

test('tcp: sack: without it, NewReno repairs the same losses with partial ACKs', async (t) => {
  const stream = await transferWithDrops(false, new Map([[300, 1], [310, 1], [320, 1]]));
  t.is(stream.stats.fastRetransmits, 1);
  t.is(stream.stats.rtoCount, 0);
  t.is(stream.stats.retransmits, 3);
});

test('tcp: sack: a lost retransmission is detected without an RTO', async (t) => {
  const stream = await transferWithDrops(true, new Map([[300, 2]]));
  t.is(stream.stats.rtoCount, 0);
  t.is(stream.stats.retransmits, 2);
});

test('tcp: sack: without it, a lost retransmission waits for the RTO', async (t) => {
  const stream = await transferWithDrops(false, new Map([[300, 2]]));
  t.is(stream.stats.rtoCount, 1);
});
