// TSO super-segments on the simulated wire: a piece of a super-segment keeps its frames' sequence
// numbers and loses FIN/PSH unless it ends the super-segment; loss strikes frames, so a link's
// loss rate is the fraction of frames lost however they are grouped; a switch forwards a
// super-segment frame by frame, adding one frame's serialisation, not the whole burst's.
import test from 'ava';
import { NS_PER_MS, NS_PER_S } from '../sim/core/env.js';
import { RealCpu } from '../sim/core/index.js';
import { World } from '../sim/world/sim-world.js';
import type { Nic } from '../sim/net/nic.js';
import { Packet, TCP_ACK, TCP_FIN, TCP_PSH, wireBytesFor } from '../sim/net/packet.js';
import { CLIENT_IP, PORT, Recorder, SERVER_IP, connectPair, driveWriter, firstDifference, pairWorld, pattern } from './net-fixtures.js';

const MSS = 1460;

test('net: a piece of a super-segment has its frames, their bytes and sequence numbers', (t) => {
  const pair = pairWorld();
  const src = pair.world.network.nicByIp(CLIENT_IP) as Nic;
  const dst = pair.world.network.nicByIp(SERVER_IP) as Nic;
  const payload = pattern(4 * MSS + 100, 1);
  const flags = TCP_ACK | TCP_PSH | TCP_FIN;
  const packet = new Packet(src.id, dst.id, 1, 2, 5000, 7, flags, 65535, 0, payload, MSS);
  t.is(packet.frames, 5);
  t.is(packet.wireBytes, 4 * wireBytesFor(MSS) + wireBytesFor(100));
  t.is(packet.frameWireBytes(1, 3), 2 * wireBytesFor(MSS));
  const middle = packet.piece(1, 3);
  t.is(middle.seq, 5000 + MSS);
  t.is(middle.frames, 2);
  t.is(middle.payloadBytes, 2 * MSS);
  t.is(middle.flags, TCP_ACK, 'FIN and PSH stay with the last frame');
  t.is(middle.payload?.[0], payload[MSS]);
  const tail = packet.piece(4, 5);
  t.is(tail.seq, 5000 + 4 * MSS);
  t.is(tail.payloadBytes, 100);
  t.is(tail.flags, flags);
  t.is(tail.wireBytes, wireBytesFor(100));
  t.is(packet.piece(0, 5), packet);
  const single = new Packet(src.id, dst.id, 1, 2, 0, 0, TCP_ACK, 0, 0, pattern(MSS, 2), MSS);
  t.is(single.frames, 1, 'a full MSS is one frame');
});

test('net: loss strikes frames: the lost fraction of frames matches lossRate', async (t) => {
  const lossRate = 0.03;
  // Reno: at 3% loss its window stays large enough for super-segments (CUBIC's 31 ms growth
  // step keeps it at a few frames on a 40 us RTT).
  const tcp = { initialCwndSegments: 100, congestionControl: 'reno' } as const;
  const pair = pairWorld({ seed: 'frame-loss', tcp, link: { latencyUs: 20, aToB: { lossRate } } });
  const { world, link } = pair;
  const { clientStream, serverStream } = await connectPair(pair);
  const sink = new Recorder(world, serverStream);
  const data = pattern(16 * 1024 * 1024, 3);
  driveWriter(world, clientStream, data);
  await world.runUntilTrueAsync(() => sink.closed, 600 * NS_PER_S);
  t.is(firstDifference(sink.received(), data), -1);
  const stats = link.aToB.stats;
  // Loss keeps cwnd small, and each super-segment takes at most half of it: still, most carry several.
  t.true(stats.frames > 1.5 * stats.packets, `${stats.frames} frames in ${stats.packets} packets: super-segments`);
  t.is(stats.dropped, world.network.stats.dropped.loss);
  const rate = stats.dropped / stats.frames;
  t.true(stats.frames > 10_000);
  t.true(Math.abs(rate - lossRate) < 0.005, `lost ${stats.dropped} of ${stats.frames} frames = ${rate}`);
  // Retransmissions resend lost frames, not whole super-segments (a few spurious ones aside).
  t.true(clientStream.stats.retransmits < 1.5 * stats.dropped, `${clientStream.stats.retransmits} frames resent`);
});

test('net: a switch forwards a super-segment frame by frame (one extra frame time, not 44)', async (t) => {
  const world = new World({ seed: 4 });
  world.network.addSwitch('tor');
  world.network.addNode('client', { ip: CLIENT_IP, bandwidthBps: 1e9, tcp: { initialCwndSegments: 100 } });
  world.network.addNode('server', { ip: SERVER_IP, bandwidthBps: 1e9, tcp: { initialCwndSegments: 100 } });
  world.network.connect('client', 'tor', { latencyUs: 10 });
  world.network.connect('server', 'tor', { latencyUs: 5 });
  const client = world.nodeEnv('client', { cpu: new RealCpu() });
  const server = world.nodeEnv('server', { cpu: new RealCpu() });
  let recorder: Recorder | null = null;
  await server.network.listen({ host: SERVER_IP, port: PORT }, (stream) => {
    recorder = new Recorder(world, stream);
  });
  const connecting = client.network.connect({ host: SERVER_IP, port: PORT });
  await world.runForAsync(NS_PER_MS);
  const stream = await connecting;
  const start = world.nowNs;
  stream.write(new Uint8Array(44 * MSS));
  await world.runForAsync(10 * NS_PER_MS);
  const got = recorder as Recorder | null;
  t.not(got, null);
  t.deepEqual(
    (got as Recorder).chunks.map((chunk) => chunk.length),
    [44 * MSS],
  );
  // 44 frames of 1538 B at 1 Gb/s (12304 ns each) from the host, 10 us to the switch, the last
  // frame's own serialisation out of the switch, 5 us to the server.
  t.is((got as Recorder).firstDataNs - start, 44 * 12_304 + 10_000 + 12_304 + 5_000);
});

test('net: a shallow switch buffer drops the frames of a burst that do not fit', async (t) => {
  const world = new World({ seed: 5 });
  // Room for about 20 frames; the slower egress makes the queue build up.
  world.network.addSwitch('tor', { portBufferBytes: 20 * 1538 + 100 });
  world.network.addNode('client', { ip: CLIENT_IP, bandwidthBps: 10e9, tcp: { initialCwndSegments: 100 } });
  world.network.addNode('server', { ip: SERVER_IP, bandwidthBps: 1e9, tcp: { initialCwndSegments: 100 } });
  world.network.connect('client', 'tor', { latencyUs: 10 });
  world.network.connect('server', 'tor', { latencyUs: 10 });
  const client = world.nodeEnv('client', { cpu: new RealCpu() });
  const server = world.nodeEnv('server', { cpu: new RealCpu() });
  let recorder: Recorder | null = null;
  await server.network.listen({ host: SERVER_IP, port: PORT }, (stream) => {
    recorder = new Recorder(world, stream);
  });
  const connecting = client.network.connect({ host: SERVER_IP, port: PORT });
  await world.runForAsync(NS_PER_MS);
  const stream = await connecting;
  const port = world.network.switch('tor').ports.find((p) => p.link?.b.ownerName === 'server' || p.link?.a.ownerName === 'server');
  const sentBefore = port?.tx.framesSent ?? 0;
  const data = pattern(44 * MSS, 6);
  stream.write(data);
  // All 44 frames have reached the switch after 54 us + 10 us; no ACK can be back before the
  // first piece has crossed the 1 Gb/s port (about 22 frames of 12.3 us).
  await world.runForAsync(100_000);
  // 44 frames arrive 10x faster than the port sends them: about 20 fit, the rest are dropped.
  const dropped = world.network.stats.dropped['queue-full'];
  t.true(dropped >= 20 && dropped <= 25, `${dropped} frames dropped`);
  t.is((port?.tx.framesSent ?? 0) - sentBefore, 44 - dropped);
  await world.runForAsync(5 * NS_PER_S);
  const got = recorder as Recorder | null;
  t.is(firstDifference((got as Recorder).received(), data), -1, 'TCP recovered the dropped frames');
});
