// Loss recovery and failure detection: a lone lost segment waits about an RTO (>= 200 ms, Linux's
// floor) for the tail loss probe; a tail loss with more in flight is probed after 2 SRTT; one loss in a full window is repaired by fast retransmit without an RTO; a partition
// that heals lets the stream resume; one that does not ends in ETIMEDOUT after tcp_retries2's
// modelled time; a crashed peer is detected by RST once it restarts. All in virtual time.
import test from 'ava';
import { NS_PER_MS, NS_PER_S } from '../sim/core/env.js';
import { TCP_ACK, TCP_SYN, type Packet } from '../sim/net/packet.js';
import { modelTimeoutNs } from '../sim/net/tcp-options.js';
import { connectPair, driveWriter, firstDifference, pairWorld, pattern, Recorder } from './net-fixtures.js';

const MiB = 1024 * 1024;

/** Drops the first transmission of the data segment whose payload starts at the n-th byte sent. */
function dropFirstCopyAt(seqOffset: () => number | null): (packet: Packet) => boolean {
  let dropped = false;
  return (packet) => {
    const target = seqOffset();
    if (dropped || target === null || packet.payloadBytes === 0 || packet.seq !== target) return false;
    dropped = true;
    return true;
  };
}

test('tcp: a lone lost segment is resent by the loss probe at about the RTO, no sooner than 200 ms', async (t) => {
  const pair = pairWorld({ link: { latencyUs: 25 } });
  const { world, link } = pair;
  const { clientStream, serverStream } = await connectPair(pair);
  const sink = new Recorder(world, serverStream);
  const target = clientStream.sndNxt;
  link.aToB.dropIf = dropFirstCopyAt(() => target);
  const start = world.nowNs;
  clientStream.write(pattern(100, 1));
  await world.runForAsync(2 * NS_PER_S);
  t.is(sink.bytes, 100);
  const waited = sink.firstDataNs - start;
  t.true(waited >= 200 * NS_PER_MS, `waited ${waited} ns`);
  t.true(waited < 250 * NS_PER_MS, `waited ${waited} ns`);
  // One frame in flight: the probe waits 2 SRTT + 200 ms (Linux's delayed-ACK allowance), capped
  // at the RTO, and fires in its place, as on Linux.
  t.is(clientStream.stats.rtoCount, 0);
  t.is(clientStream.stats.lossProbes, 1);
  t.is(clientStream.stats.fastRetransmits, 0);
  t.is(world.network.stats.dropped.filter, 1);
});

test('tcp: one loss in a large window is repaired by fast retransmit, without an RTO', async (t) => {
  const pair = pairWorld({ link: { latencyUs: 50 } });
  const { world, link } = pair;
  const { clientStream, serverStream } = await connectPair(pair);
  const sink = new Recorder(world, serverStream);
  const base = clientStream.sndNxt;
  // Lose the 300th segment: by then slow start has opened the window far beyond 3 segments.
  link.aToB.dropIf = dropFirstCopyAt(() => base + 299 * clientStream.mssBytes);
  const data = pattern(4 * MiB, 2);
  driveWriter(world, clientStream, data);
  await world.runUntilTrueAsync(() => sink.closed, 60 * NS_PER_S);
  t.is(firstDifference(sink.received(), data), -1);
  t.is(world.network.stats.dropped.filter, 1);
  t.is(clientStream.stats.fastRetransmits, 1);
  t.is(clientStream.stats.rtoCount, 0);
  t.is(clientStream.stats.retransmits, 1);
  t.true(clientStream.stats.dupAcks >= 3);
});

test('tcp: a partition that heals lets the stream resume', async (t) => {
  const pair = pairWorld({ link: { latencyUs: 30 } });
  const { world, link } = pair;
  const { clientStream, serverStream } = await connectPair(pair);
  const sink = new Recorder(world, serverStream);
  const data = pattern(8 * MiB, 3);
  driveWriter(world, clientStream, data);
  await world.runForAsync(2 * NS_PER_MS);
  link.partition();
  const before = sink.bytes;
  await world.runForAsync(5 * NS_PER_S);
  t.true(before > 0 && before < data.length);
  t.is(sink.bytes, before, 'nothing crosses a partition');
  link.heal();
  await world.runUntilTrueAsync(() => sink.closed, 600 * NS_PER_S);
  t.is(firstDifference(sink.received(), data), -1);
  t.true(clientStream.stats.rtoCount >= 3, 'backed-off RTOs during the partition');
  t.false(sink.hadError);
});

test('tcp: a partition that never heals ends in ETIMEDOUT after the tcp_retries2 model time', async (t) => {
  const pair = pairWorld({ link: { latencyUs: 30 } });
  const { world, link } = pair;
  const { clientStream } = await connectPair(pair);
  const recorder = new Recorder(world, clientStream);
  await world.runForAsync(NS_PER_MS);
  link.partition('a-to-b');
  const start = world.nowNs;
  clientStream.write(pattern(1000, 4));
  await world.runUntilTrueAsync(() => recorder.closed, 2000 * NS_PER_S);
  const limit = modelTimeoutNs(15, 200 * NS_PER_MS, 120 * NS_PER_S);
  t.is(limit, 924.6 * NS_PER_S);
  t.true(recorder.closed && recorder.hadError === true);
  t.is(recorder.errors.length, 1);
  t.is((recorder.errors[0] as NodeJS.ErrnoException).code, 'ETIMEDOUT');
  const elapsed = recorder.errorNs - start;
  // Detected at the first RTO expiry past the limit (the last backoff is 120 s).
  t.true(elapsed >= limit && elapsed <= limit + 120 * NS_PER_S, `elapsed ${elapsed / 1e9} s`);
  t.true(recorder.errorNs <= recorder.closeNs);
});

test('tcp: tcp_retries2 is an option', async (t) => {
  const pair = pairWorld({ tcp: { retries2: 3 } });
  const { world, link } = pair;
  const { clientStream } = await connectPair(pair);
  const recorder = new Recorder(world, clientStream);
  link.partition();
  const start = world.nowNs;
  clientStream.write(pattern(10, 5));
  await world.runUntilTrueAsync(() => recorder.closed, 100 * NS_PER_S);
  const elapsed = recorder.errorNs - start;
  // (2^4 - 1) * 200 ms = 3 s, detected at the RTO that follows.
  t.true(elapsed >= 3 * NS_PER_S && elapsed < 7 * NS_PER_S, `elapsed ${elapsed / 1e9} s`);
  t.is((recorder.errors[0] as NodeJS.ErrnoException).code, 'ETIMEDOUT');
});

test('tcp: a crashed peer is seen as RST after it restarts', async (t) => {
  const pair = pairWorld({ link: { latencyUs: 30 } });
  const { world } = pair;
  const { clientStream, serverStream } = await connectPair(pair);
  const serverSide = new Recorder(world, serverStream);
  const recorder = new Recorder(world, clientStream);
  world.crash('server');
  clientStream.write(pattern(500, 6));
  await world.runForAsync(3 * NS_PER_S);
  t.false(recorder.closed, 'a powered-off host does not answer: the client keeps retrying');
  t.true(world.network.stats.dropped['node-down'] > 0);
  world.restart('server');
  await world.runUntilTrueAsync(() => recorder.closed, 60 * NS_PER_S);
  t.is((recorder.errors[0] as NodeJS.ErrnoException).code, 'ECONNRESET');
  t.true(recorder.hadError === true);
  t.false(serverSide.closed, 'the crashed incarnation gets no callbacks');
  t.true(world.node('server').stack.resetsSent >= 1);
});

test('tcp: a SYN that is never answered fails connect with ETIMEDOUT at 127 s', async (t) => {
  const pair = pairWorld({ link: { latencyUs: 10 } });
  const { world, link } = pair;
  await pair.server.network.listen({ host: '0.0.0.0', port: 4420 }, () => undefined);
  let synCount = 0;
  link.aToB.dropIf = (packet) => {
    if ((packet.flags & TCP_SYN) !== 0 && (packet.flags & TCP_ACK) === 0) synCount++;
    return true;
  };
  let failure: NodeJS.ErrnoException | null = null;
  let failedAt = -1;
  pair.client.network.connect({ host: '10.0.0.2', port: 4420 }).catch((error: NodeJS.ErrnoException) => {
    failure = error;
    failedAt = world.nowNs;
  });
  await world.runForAsync(300 * NS_PER_S);
  t.is((failure as NodeJS.ErrnoException | null)?.code, 'ETIMEDOUT');
  // tcp_syn_retries = 6: SYNs at 0, 1, 3, 7, 15, 31, 63 s; give up at 127 s.
  t.is(failedAt, 127 * NS_PER_S);
  t.is(synCount, 7);
});

test('tcp: a peer that crashes and stays down is detected by the retransmission limit', async (t) => {
  const pair = pairWorld({ tcp: { retries2: 5 }, link: { latencyUs: 30 } });
  const { world } = pair;
  const { clientStream } = await connectPair(pair);
  const recorder = new Recorder(world, clientStream);
  world.crash('server');
  const start = world.nowNs;
  clientStream.write(pattern(500, 7));
  await world.runUntilTrueAsync(() => recorder.closed, 1000 * NS_PER_S);
  t.is((recorder.errors[0] as NodeJS.ErrnoException).code, 'ETIMEDOUT');
  // (2^6 - 1) * 200 ms = 12.6 s, detected at the next RTO expiry.
  t.true(recorder.errorNs - start >= 12.6 * NS_PER_S && recorder.errorNs - start < 40 * NS_PER_S);
  t.is(world.node('server').stack.resetsSent, 0, 'a crashed host sends nothing');
});

test('tcp: rack-tlp: a tail loss is repaired about two round trips after it, not by a 200 ms RTO', async (t) => {
  // 5 ms each way: RTT 10 ms. The last two of 8 frames are lost: the ACK of the first six leaves
  // two in flight, so PTO = 2 SRTT + 2 ms (Linux TCP_TIMEOUT_MIN) ~ 22 ms after it; the probe
  // (the last frame again) is SACKed and RACK marks the other lost at once.
  const pair = pairWorld({ link: { latencyUs: 5000 } });
  const { world, link } = pair;
  const { clientStream, serverStream } = await connectPair(pair);
  const sink = new Recorder(world, serverStream);
  clientStream.write(pattern(1000, 1)); // a first RTT sample
  await world.runForAsync(100 * NS_PER_MS);
  const mss = clientStream.mssBytes;
  const first = clientStream.sndNxt + 6 * mss;
  const seen = new Set<number>();
  link.aToB.dropIf = (packet: Packet) => {
    if (packet.payloadBytes === 0 || packet.seq < first || seen.has(packet.seq)) return false;
    seen.add(packet.seq);
    return true;
  };
  const start = world.nowNs;
  clientStream.write(pattern(8 * mss, 2));
  await world.runUntilTrueAsync(() => sink.bytes === 1000 + 8 * mss, 2 * NS_PER_S);
  const tookNs = world.nowNs - start;
  t.is(world.network.stats.dropped.filter, 2);
  t.is(clientStream.stats.rtoCount, 0);
  t.is(clientStream.stats.lossProbes, 1);
  // ACK at 10 ms, probe at ~32 ms, its SACK at ~42 ms, the repair delivered at ~47 ms.
  t.true(tookNs >= 40 * NS_PER_MS && tookNs < 60 * NS_PER_MS, `repaired after ${tookNs / NS_PER_MS} ms`);
});

test('tcp: rack-tlp: the initial SYN timeout is 1 s (Linux TCP_TIMEOUT_INIT)', async (t) => {
  const pair = pairWorld({ link: { latencyUs: 50 } });
  let dropped = 0;
  pair.link.aToB.dropIf = (packet: Packet) => {
    if ((packet.flags & TCP_SYN) === 0 || dropped > 0) return false;
    dropped++;
    return true;
  };
  const start = pair.world.nowNs;
  await connectPair(pair);
  const took = pair.world.nowNs - start;
  t.is(dropped, 1);
  t.true(took >= NS_PER_S && took < NS_PER_S + 10 * NS_PER_MS, `connected after ${took / NS_PER_MS} ms`);
});
