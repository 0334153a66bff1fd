// ECMP and per-flow faults in sim/net: the 5-tuple hash is deterministic, symmetric, seeded and
// spreads flows evenly; a group places each connection on the path its hash names, both ways, so
// a fault on one path strikes exactly those connections; a flow selector picks connections by
// node, rank and hashed fraction, and a flow fault strikes only the selected flows' packets.
import test from 'ava';
import type { ByteStream } from '../sim/core/env.js';
import { NS_PER_MS } from '../sim/core/env.js';
import { RealCpu } from '../sim/core/index.js';
import { connectEcmp } from '../sim/net/ecmp-group.js';
import { setFlowOptions } from '../sim/net/flow-faults.js';
import { flowHash, ipv4ToInt } from '../sim/net/flow-hash.js';
import { FlowSelector } from '../sim/net/flow-selector.js';
import { Packet } from '../sim/net/packet.js';
import { World } from '../sim/world/sim-world.js';
import { PORT, Recorder } from './net-fixtures.js';

const HOST_IP = '10.0.0.1';
const SERVER_IP = '10.0.0.2';

test('ecmp: the flow hash is deterministic, symmetric and seeded', (t) => {
  const [a, b] = [ipv4ToInt('10.0.0.1'), ipv4ToInt('10.0.0.2')];
  t.is(ipv4ToInt('10.0.0.1'), 0x0a000001);
  t.is(flowHash(7, a, 40000, b, 4420), flowHash(7, a, 40000, b, 4420));
  t.is(flowHash(7, a, 40000, b, 4420), flowHash(7, b, 4420, a, 40000), 'both directions hash alike');
  let differ = 0;
  for (let port = 40000; port < 40100; port++) if (flowHash(7, a, port, b, 4420) % 4 !== flowHash(8, a, port, b, 4420) % 4) differ++;
  t.true(differ > 50, `another seed places flows differently (${differ} of 100 moved)`);
});

test('ecmp: the hash spreads flows evenly over the paths', (t) => {
  const counts = [0, 0, 0, 0];
  const flows = 20000;
  const host = ipv4ToInt(HOST_IP);
  const target = ipv4ToInt(SERVER_IP);
  for (let i = 0; i < flows; i++) {
    const index = flowHash(12345, host + (i % 50), 32768 + i, target, 4420) % 4;
    counts[index] = (counts[index] ?? 0) + 1;
  }
  for (const count of counts) t.true(Math.abs(count - flows / 4) < flows * 0.02, `each path gets a quarter (${counts.join(', ')})`);
});

/** A host and a server on two leaves joined by `paths` equal-cost paths; `connections` streams. */
async function fabric(paths: number, connections: number, partitioned: number | null) {
  const world = new World({ seed: 'ecmp' });
  const network = world.network;
  network.addSwitch('leaf1');
  network.addSwitch('leaf2');
  network.addNode('host', { ip: HOST_IP });
  network.addNode('server', { ip: SERVER_IP });
  network.connect('host', 'leaf1', { latencyUs: 1 });
  network.connect('server', 'leaf2', { latencyUs: 1 });
  const ecmp = connectEcmp(network, 'leaf1', 'leaf2', Array.from({ length: paths }, () => ({ latencyUs: 2 })), 99);
  if (partitioned !== null) ecmp.links[partitioned]?.partition();
  const accepted: Recorder[] = [];
  const server = world.nodeEnv('server', { cpu: new RealCpu() });
  await server.network.listen({ host: '0.0.0.0', port: PORT }, (stream) => accepted.push(new Recorder(world, stream)));
  const host = world.nodeEnv('host', { cpu: new RealCpu() });
  const streams: ByteStream[] = [];
  for (let i = 0; i < connections; i++) void host.network.connect({ host: SERVER_IP, port: PORT }).then((stream) => streams.push(stream));
  await world.runUntilAsync(20 * NS_PER_MS);
  return { world, ecmp, accepted, streams };
}

test('ecmp: each connection takes its hashed path both ways, so a cut path stops exactly its connections', async (t) => {
  const { world, ecmp, accepted } = await fabric(4, 24, 2);
  const ports = world.network
    .node('host')
    .stack.connections()
    .map((connection) => connection.localPort);
  const onPath = ports.map((port) => ecmp.pathOf(HOST_IP, port, SERVER_IP, PORT));
  const cut = onPath.filter((index) => index === 2).length;
  t.true(cut > 0 && cut < 24, `some connections hash onto path 2 (${cut})`);
  t.is(accepted.length, 24 - cut, 'only the connections on the cut path never got through');
  for (const recorder of accepted) t.not(ecmp.pathOf(SERVER_IP, recorder.stream.local.port, HOST_IP, recorder.stream.remote.port), 2);
  t.true((ecmp.links[2]?.aToB.stats.dropped ?? 0) > 0, 'SYNs were lost on path 2');
  t.is(ecmp.links[0]?.aToB.stats.dropped, 0);
});

test('ecmp: with every path up every connection gets through, over more than one path', async (t) => {
  const { ecmp, accepted } = await fabric(4, 24, null);
  t.is(accepted.length, 24);
  const used = ecmp.links.filter((link) => link.aToB.stats.packets > 0 && link.bToA.stats.packets > 0).length;
  t.true(used >= 3, `flows spread over the paths (${used} used)`);
});

function packet(srcNicId: number, dstNicId: number, srcPort: number, dstPort: number): Packet {
  return new Packet(srcNicId, dstNicId, srcPort, dstPort, 0, 0, 0, 0, 0, null);
}

test('flows: a selector matches a node\'s connections by rank, both ways, and a hashed fraction', async (t) => {
  const { world } = await fabric(2, 6, null);
  const network = world.network;
  const host = network.node('host').nics[0]?.id ?? -1;
  const server = network.node('server').nics[0]?.id ?? -1;
  const ports = network
    .node('host')
    .stack.connections()
    .map((connection) => connection.localPort);
  const ranked = new FlowSelector(network, { connections: [{ node: 'host', remoteIp: SERVER_IP, remotePort: PORT, ranks: [1, 4] }] });
  const matched = ports.map((port) => ranked.matches(packet(host, server, port, PORT)));
  t.deepEqual(matched, [false, true, false, false, true, false]);
  t.true(ranked.matches(packet(server, host, PORT, ports[4] ?? 0)), 'the reverse direction matches too');
  t.false(ranked.matches(packet(host, server, ports[1] ?? 0, PORT + 1)), 'another remote port does not');

  const half = new FlowSelector(network, { fraction: { value: 0.5, seed: 3 } });
  let hits = 0;
  for (let port = 30000; port < 32000; port++) if (half.matches(packet(host, server, port, PORT))) hits++;
  t.true(Math.abs(hits - 1000) < 100, `about half the flows (${hits} of 2000)`);
  const again = new FlowSelector(network, { fraction: { value: 0.5, seed: 3 } });
  t.true([...Array(200).keys()].every((i) => again.matches(packet(host, server, 30000 + i, PORT)) === half.matches(packet(host, server, 30000 + i, PORT))));
});

test('flows: a flow fault strikes only the selected flows, and the link\'s own faults stay', async (t) => {
  const { world } = await fabric(1, 4, null);
  const network = world.network;
  const link = network.node('host').nics[0]?.link;
  if (link === null || link === undefined) return t.fail('no link');
  const selector = new FlowSelector(network, { connections: [{ node: 'host', remoteIp: SERVER_IP, remotePort: PORT, ranks: [2] }] });
  setFlowOptions(link.aToB, 'rank 2', selector, { partitioned: true });
  const streams = network.node('host').stack.connections();
  const before = world.network.stats.dropped.partition;
  for (const stream of streams) stream.write(new Uint8Array(1000));
  await world.runUntilAsync(world.nowNs + 5 * NS_PER_MS);
  t.true(world.network.stats.dropped.partition > before, 'the selected flow is cut');
  const acked = streams.map((stream) => stream.stats.bytesAcked > 0);
  t.deepEqual(acked, [true, true, false, true]);
  link.set({ latencyUs: 3 });
  t.is(link.aToB.options.latencyUs, 3);
});
