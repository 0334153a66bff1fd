// TSO/GSO and GRO in the simulated TCP: data leaves as super-segments of up to 44 MSS frames
// (Linux sk_gso_max_size at MSS 1460), at most half the congestion window each; the wire carries
// and times them as separate frames; one lost frame costs the retransmission of that frame only;
// a partial cumulative ACK trims a super-segment; the receiver ACKs every multi-frame
// super-segment at once and hands it to the application as one chunk. Virtual time only.
import test from 'ava';
import { NS_PER_MS, NS_PER_S } from '../sim/core/env.js';
import { type Packet, wireBytesFor } from '../sim/net/packet.js';
import { RetransmitQueue, SentSegment } from '../sim/net/tcp-rtx-queue.js';
import { SK_GSO_MAX_SIZE, autosizeFrames, sizeGoalFrames } from '../sim/net/tcp-tso.js';
import { Recorder, connectPair, driveWriter, firstDifference, pairWorld, pattern } from './net-fixtures.js';

const MSS = 1460;
/** Frames in the largest super-segment at MSS 1460: floor(sk_gso_max_size / MSS). */
const MAX_FRAMES = 44;
const KiB = 1024;

test('tcp: tso: the size goal is 44 frames at MSS 1460 (sk_gso_max_size = 64 KiB - MAX_TCP_HEADER - 1)', (t) => {
  t.is(Math.floor(SK_GSO_MAX_SIZE / MSS), MAX_FRAMES);
  t.is(sizeGoalFrames(MSS, 6 * 1024 * KiB), MAX_FRAMES);
  // tcp_bound_to_half_wnd: a peer that never offered more than 16 KiB gets 8 KiB super-segments.
  t.is(sizeGoalFrames(MSS, 16 * KiB), 5);
});

test('tcp: tso: tcp_tso_autosize keeps super-segments small towards a far peer', (t) => {
  const ms = 1e6;
  // A LAN peer (min RTT below 512 us) always gets the full size.
  t.is(autosizeFrames(MSS, 10, Infinity, 0, 0.05 * ms, 0.04 * ms), MAX_FRAMES);
  // 100 ms away with cwnd 10 in slow start: ~285 B per ms of pacing: tcp_min_tso_segs = 2.
  t.is(autosizeFrames(MSS, 10, Infinity, 0, 100 * ms, 100 * ms), 2);
  // The same peer with cwnd 1000: 2 x 1000 x 1460 B per 100 ms, 1/1024 of a second of it: 19 frames.
  t.is(autosizeFrames(MSS, 1000, Infinity, 0, 100 * ms, 100 * ms), 19);
});

test('tcp: tso: a 64 KiB write leaves as a 44-frame and a 1-frame super-segment, timed as 45 frames', async (t) => {
  const bps = 1e9;
  const pair = pairWorld({ bandwidthBps: bps, tcp: { initialCwndSegments: 100 }, link: { latencyUs: 10 } });
  const { world, link } = pair;
  const { clientStream, serverStream } = await connectPair(pair);
  const recorder = new Recorder(world, serverStream);
  await world.runForAsync(NS_PER_MS);
  const packetsBefore = link.aToB.stats.packets;
  const framesBefore = link.aToB.stats.frames;
  const segmentsBefore = clientStream.stats.segmentsSent;
  const start = world.nowNs;
  const data = pattern(64 * KiB, 1);
  clientStream.write(data);
  await world.runForAsync(10 * NS_PER_MS);
  t.is(link.aToB.stats.packets - packetsBefore, 2);
  t.is(link.aToB.stats.frames - framesBefore, MAX_FRAMES + 1);
  // GRO: each super-segment reaches the application as one chunk.
  t.deepEqual(
    recorder.chunks.map((chunk) => chunk.length),
    [MAX_FRAMES * MSS, 64 * KiB - MAX_FRAMES * MSS],
  );
  t.is(firstDifference(recorder.received(), data), -1);
  // Serialisation of 44 full frames and one of 1296 B, back to back, then the propagation delay.
  const wireBytes = MAX_FRAMES * wireBytesFor(MSS) + wireBytesFor(64 * KiB - MAX_FRAMES * MSS);
  t.is(recorder.lastDataNs - start, (wireBytes * 8 * 1e9) / bps + 10_000);
  t.is(clientStream.stats.segmentsSent - segmentsBefore, MAX_FRAMES + 1, 'segments are counted in frames');
  t.is(clientStream.stats.retransmits, 0);
});

test('tcp: tso: each super-segment takes at most half the congestion window, counted in frames', async (t) => {
  const pair = pairWorld({ link: { latencyUs: 1000 } });
  const { world, link } = pair;
  const { clientStream, serverStream } = await connectPair(pair);
  const sink = new Recorder(world, serverStream, false);
  await world.runForAsync(10 * NS_PER_MS);
  t.is(clientStream.cwndSegments, 10);
  const packetsBefore = link.aToB.stats.packets;
  const framesBefore = link.aToB.stats.frames;
  clientStream.write(new Uint8Array(256 * KiB));
  await world.runForAsync(NS_PER_MS / 2);
  // Initial window 10: two super-segments of 5 frames (tcp_cwnd_test), then the window is full.
  t.is(link.aToB.stats.packets - packetsBefore, 2);
  t.is(link.aToB.stats.frames - framesBefore, 10);
  t.is(clientStream.packetsOut, 10);
  await world.runForAsync(2 * NS_PER_MS);
  // Both were ACKed at once (more than one full frame each): slow start grew cwnd by 10 frames.
  t.is(clientStream.cwndSegments, 20);
  t.is(clientStream.packetsOut, 20);
  t.is(sink.bytes, 10 * MSS);
});

test('tcp: tso: a frame lost inside a super-segment is repaired by SACK, resending that frame only', async (t) => {
  const pair = pairWorld({ tcp: { initialCwndSegments: 100 }, link: { latencyUs: 20 } });
  const { world, link } = pair;
  const { clientStream, serverStream } = await connectPair(pair);
  const sink = new Recorder(world, serverStream);
  const lostSeq = clientStream.sndNxt + 20 * MSS;
  let dropped = 0;
  link.aToB.dropIf = (packet: Packet) => {
    if (dropped > 0 || packet.seq !== lostSeq || packet.payloadBytes === 0) return false;
    t.is(packet.frames, 1, 'the filter sees single frames');
    dropped++;
    return true;
  };
  const data = pattern(512 * KiB, 2);
  driveWriter(world, clientStream, data);
  await world.runUntilTrueAsync(() => sink.closed, 10 * NS_PER_S);
  t.is(dropped, 1);
  t.is(firstDifference(sink.received(), data), -1);
  t.is(clientStream.stats.rtoCount, 0);
  t.is(clientStream.stats.fastRetransmits, 1);
  t.is(clientStream.stats.retransmits, 1);
  t.is(clientStream.stats.payloadBytesSent, data.length + MSS, 'only the lost frame went twice');
  t.true(serverStream.stats.outOfOrderSegments >= 1);
  t.is(world.network.stats.dropped.filter, 1);
});

test('tcp: tso: a partial cumulative ACK trims a super-segment; the loss probe resends only its tail', async (t) => {
  const pair = pairWorld({ tcp: { initialCwndSegments: 100 }, link: { latencyUs: 20 } });
  const { world, link } = pair;
  const { clientStream, serverStream } = await connectPair(pair);
  const sink = new Recorder(world, serverStream);
  // Ten frames in one super-segment; the last one is lost, so nothing follows it to SACK.
  const lastSeq = clientStream.sndNxt + 9 * MSS;
  let dropped = 0;
  link.aToB.dropIf = (packet: Packet) => {
    if (dropped > 0 || packet.seq !== lastSeq) return false;
    dropped++;
    return true;
  };
  const data = pattern(9 * MSS + 700, 3);
  clientStream.write(data);
  await world.runForAsync(NS_PER_MS);
  t.is(dropped, 1);
  t.is(sink.bytes, 9 * MSS, 'the frames before the loss were delivered');
  t.is(clientStream.sndUna, lastSeq, 'and cumulatively acknowledged');
  t.is(clientStream.packetsOut, 1, 'the super-segment was trimmed to its last frame');
  await world.runForAsync(NS_PER_S);
  t.is(sink.bytes, data.length);
  t.is(firstDifference(sink.received(), data), -1);
  // One frame in flight: the tail loss probe waits for Linux's delayed-ACK allowance, about an
  // RTO, and fires in its place (tcp-rack.ts).
  t.is(clientStream.stats.rtoCount, 0);
  t.is(clientStream.stats.lossProbes, 1);
  t.is(clientStream.stats.retransmits, 1);
  t.is(clientStream.stats.payloadBytesSent, data.length + 700);
});

test('tcp: gro: one immediate ACK per multi-frame super-segment, a delayed ACK for a lone small one', async (t) => {
  const pair = pairWorld({ link: { latencyUs: 10 } });
  const { world, link } = pair;
  const { clientStream, serverStream } = await connectPair(pair);
  const sink = new Recorder(world, serverStream);
  // Use up the receiver's quick-ACK budget first (Linux TCP_MAX_QUICKACKS = 16).
  for (let i = 0; i < 20; i++) {
    clientStream.write(pattern(100, i));
    await world.runForAsync(NS_PER_MS);
  }
  const acks: number[] = [];
  link.bToA.dropIf = (packet: Packet) => {
    if (packet.payloadBytes === 0) acks.push(world.nowNs);
    return false;
  };
  // An NVMe/TCP read response: C2HData (24 + 4096 B) and CapsuleResp (24 B) = 3 frames.
  const responses = 10;
  const bytesBefore = sink.bytes;
  for (let i = 0; i < responses; i++) {
    clientStream.write(pattern(4144, 100 + i));
    await world.runForAsync(NS_PER_MS);
  }
  t.is(acks.length, responses, 'one ACK per super-segment');
  t.deepEqual(
    sink.chunks.slice(-responses).map((chunk) => chunk.length),
    new Array<number>(responses).fill(4144),
  );
  t.is(sink.bytes - bytesBefore, responses * 4144);
  // A single small segment waits for the delayed-ACK timer (TCP_DELACK_MIN = 40 ms).
  acks.length = 0;
  const sentAt = world.nowNs;
  clientStream.write(pattern(100, 999));
  await world.runForAsync(100 * NS_PER_MS);
  t.is(acks.length, 1);
  t.true((acks[0] ?? 0) - sentAt >= 40 * NS_PER_MS);
});

test('tcp: tso: the retransmission queue counts frames, trims, and cuts at SACK and loss edges', (t) => {
  const queue = new RetransmitQueue(MSS);
  const base = 1000;
  queue.push(new SentSegment(base, 10 * MSS, false, false, 0, MSS));
  queue.push(new SentSegment(base + 10 * MSS, 2 * MSS + 100, false, true, 0, MSS));
  t.is(queue.packetsOut, 13);
  t.is(queue.segmentCount, 2);
  // tcp_trim_head: 3 frames acknowledged, 7 remain in the first super-segment.
  const acked = queue.acknowledge(base + 3 * MSS, () => undefined, null);
  t.is(acked, 3);
  t.is(queue.packetsOut, 10);
  t.is(queue.first()?.seq, base + 3 * MSS);
  // A SACK block over frames 5..7 of the original cuts the super-segment at its edges.
  const sacked: number[] = [];
  queue.markSacked(base + 5 * MSS, base + 8 * MSS, (segment) => sacked.push(segment.frames));
  t.deepEqual(sacked, [3]);
  t.is(queue.sackedOut, 3);
  t.is(queue.segmentCount, 4);
  // A block edge inside a frame: only whole frames count.
  queue.markSacked(base + 8 * MSS + 10, base + 10 * MSS + 500, (segment) => sacked.push(segment.frames));
  t.deepEqual(sacked, [3, 1], 'frame 9 only: frame 8 is partly outside, frame 10 too');
  t.is(queue.sackedOut, 4);
  // FACK-style marking below a limit marks whole frames below it.
  queue.markLostBelow(base + 4 * MSS + 200);
  t.is(queue.lostOut, 1, 'frame 3 only');
  const lost = queue.nextLost();
  t.is(lost?.seq, base + 3 * MSS);
  t.is(lost?.frames, 1);
  // The frame counts always add up.
  t.is(queue.packetsOut, 10);
});
