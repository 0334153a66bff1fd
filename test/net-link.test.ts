// Link timing is exact arithmetic: serialisation = wireBytes * 8 / rate with wireBytes = payload
// + 40 B TCP/IP + 38 B Ethernet framing (64 B minimum frame), then the propagation delay; a
// switch stores and forwards, so it adds a second serialisation. Times are virtual nanoseconds.
import test from 'ava';
import { RealCpu } from '../sim/core/index.js';
import { World } from '../sim/world/sim-world.js';
import { type Packet, wireBytesFor } from '../sim/net/packet.js';
import { CLIENT_IP, PORT, Recorder, SERVER_IP, connectPair, pairWorld } from './net-fixtures.js';

test('net: wire size counts headers, framing and minimum-frame padding', (t) => {
  t.is(wireBytesFor(1460), 1538);
  t.is(wireBytesFor(100), 178);
  t.is(wireBytesFor(0), 84); // 40 B packet padded to 46 B, plus 38 B framing.
  t.is(wireBytesFor(6), 84);
  t.is(wireBytesFor(7), 85);
});

test('net: point-to-point segment arrival = serialisation + latency, exactly', async (t) => {
  const pair = pairWorld({ bandwidthBps: 1e9, link: { latencyUs: 10 } });
  const { world } = pair;
  const { clientStream, serverStream } = await connectPair(pair);
  const recorder = new Recorder(world, serverStream);
  await world.runForAsync(1_000_000);
  const start = world.nowNs;
  clientStream.write(new Uint8Array(1460));
  await world.runForAsync(1_000_000);
  // 1538 B at 1 Gb/s = 12304 ns, plus 10 us of propagation.
  t.is(recorder.firstDataNs - start, 12_304 + 10_000);
  const second = world.nowNs;
  clientStream.write(new Uint8Array(2920 + 100));
  await world.runForAsync(1_000_000);
  // Three back-to-back segments: 1460, 1460 and 100 B of payload.
  t.is(recorder.lastDataNs - second, 2 * 12_304 + 1_424 + 10_000);
  t.is(recorder.bytes, 1460 + 3020);
});

test('net: a switch adds a store-and-forward serialisation per hop', async (t) => {
  const world = new World({ seed: 3 });
  world.network.addSwitch('tor');
  world.network.addNode('client', { ip: CLIENT_IP, bandwidthBps: 1e9 });
  world.network.addNode('server', { ip: SERVER_IP, bandwidthBps: 1e9 });
  world.network.connect('client', 'tor', { latencyUs: 10 });
  world.network.connect('server', 'tor', { latencyUs: 5 });
  const client = world.nodeEnv('client', { cpu: new RealCpu() });
  const server = world.nodeEnv('server', { cpu: new RealCpu() });
  let recorder: Recorder | null = null;
  await server.network.listen({ host: SERVER_IP, port: PORT }, (stream) => {
    recorder = new Recorder(world, stream);
  });
  const connecting = client.network.connect({ host: SERVER_IP, port: PORT });
  await world.runForAsync(1_000_000);
  const stream = await connecting;
  const start = world.nowNs;
  stream.write(new Uint8Array(1460));
  await world.runForAsync(1_000_000);
  const got = recorder as Recorder | null;
  t.not(got, null);
  t.is((got as Recorder).firstDataNs - start, 12_304 + 10_000 + 12_304 + 5_000);
});

test('net: a link bandwidth cap below the NIC rate sets the serialisation rate', async (t) => {
  const pair = pairWorld({ bandwidthBps: 10e9, link: { latencyUs: 1, aToB: { bandwidthBps: 100e6 } } });
  const { world } = pair;
  const { clientStream, serverStream } = await connectPair(pair);
  const toServer = new Recorder(world, serverStream);
  const toClient = new Recorder(world, clientStream);
  await world.runForAsync(1_000_000);
  let start = world.nowNs;
  clientStream.write(new Uint8Array(1460));
  await world.runForAsync(10_000_000);
  t.is(toServer.firstDataNs - start, 123_040 + 1_000); // 1538 B at 100 Mb/s
  start = world.nowNs;
  serverStream.write(new Uint8Array(1460));
  await world.runForAsync(10_000_000);
  // 1538 B at 10 Gb/s = 1230.4 ns; arrivals land on whole nanoseconds (rounded up).
  t.is(toClient.firstDataNs - start, 1_231 + 1_000);
});

test('net: option changes at runtime apply to later packets', async (t) => {
  const pair = pairWorld({ bandwidthBps: 1e9, link: { latencyUs: 10 } });
  const { world, link } = pair;
  const { clientStream, serverStream } = await connectPair(pair);
  const recorder = new Recorder(world, serverStream);
  await world.runForAsync(1_000_000);
  link.set({ latencyUs: 250 }, 'a-to-b');
  const start = world.nowNs;
  clientStream.write(new Uint8Array(100));
  await world.runForAsync(10_000_000);
  t.is(recorder.firstDataNs - start, 1_424 + 250_000);
  t.throws(() => link.set({ lossRate: 2 }), { instanceOf: RangeError });
});

test('net: packets name their NICs by id, and the network resolves the ids', async (t) => {
  const pair = pairWorld();
  const seen: Packet[] = [];
  pair.link.aToB.dropIf = (packet) => {
    seen.push(packet);
    return false;
  };
  const { clientStream, serverStream } = await connectPair(pair);
  const network = pair.world.network;
  const client = network.nicByIp(CLIENT_IP);
  const server = network.nicByIp(SERVER_IP);
  if (client === undefined || server === undefined) return t.fail('both NICs are registered');
  t.not(client.id, server.id);
  t.true(seen.length > 0);
  for (const packet of seen) {
    t.is(packet.srcNicId, client.id);
    t.is(packet.dstNicId, server.id);
  }
  t.is(network.nicById(server.id), server);
  t.is(network.context.nics.byId(client.id).ip, CLIENT_IP);
  t.is(clientStream.remoteNicId, server.id);
  t.is(serverStream.remoteNicId, client.id);
  t.is(serverStream.remote.host, CLIENT_IP, 'a passive open learns the peer address from the id');
});

