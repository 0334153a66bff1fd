// Switched topologies: incast into one port overflows its buffer (tail drops that TCP recovers
// from); a deep buffer absorbs the same burst; node-level partitions work between hosts on one
// switch and cut off every NIC of the other node; two switches route between their hosts; a link
// that goes down and up resumes.
import test from 'ava';
import type { ByteStream } from '../sim/core/env.js';
import { NS_PER_MS, NS_PER_S } from '../sim/core/env.js';
import { RealCpu } from '../sim/core/index.js';
import { World } from '../sim/world/sim-world.js';
import { BulkWriter, PORT, Recorder, firstDifference, pattern } from './net-fixtures.js';

const MiB = 1024 * 1024;
const SENDERS = 8;

async function incast(portBufferBytes: number): Promise<{ world: World; sinks: Recorder[]; data: Uint8Array[] }> {
  const world = new World({ seed: 'incast' });
  world.network.addSwitch('tor', { portBufferBytes });
  world.network.addNode('target', { ip: '10.0.0.100', bandwidthBps: 10e9 });
  world.network.connect('target', 'tor', { latencyUs: 2 });
  const sinks: Recorder[] = [];
  const target = world.nodeEnv('target', { cpu: new RealCpu() });
  await target.network.listen({ host: '0.0.0.0', port: PORT }, (stream) => sinks.push(new Recorder(world, stream)));
  const data: Uint8Array[] = [];
  for (let i = 0; i < SENDERS; i++) {
    world.network.addNode(`h${i}`, { ip: `10.0.0.${i + 1}`, bandwidthBps: 10e9 });
    world.network.connect(`h${i}`, 'tor', { latencyUs: 2 });
    const env = world.nodeEnv(`h${i}`, { cpu: new RealCpu() });
    const bytes = pattern(2 * MiB, i + 1);
    data.push(bytes);
    void env.network.connect({ host: '10.0.0.100', port: PORT }).then((stream) => {
      // All senders start at once: their slow-start bursts collide at the target's port.
      const writer = new BulkWriter(stream, bytes);
      stream.setHandlers({ data: () => undefined, drain: () => writer.pump(), close: () => undefined, error: () => undefined });
      writer.pump();
    });
  }
  await world.runUntilTrueAsync(() => sinks.length === SENDERS && sinks.every((s) => s.closed), 600 * NS_PER_S);
  return { world, sinks, data };
}

test('switch: incast overflows a shallow port buffer, and TCP recovers every byte', async (t) => {
  const { world, sinks, data } = await incast(64 * 1024);
  t.true(world.network.stats.dropped['queue-full'] > 0);
  t.is(sinks.length, SENDERS);
  for (const sink of sinks) {
    const index = data.findIndex((bytes) => firstDifference(sink.received(), bytes) === -1);
    t.true(index >= 0, 'each stream matches one sender exactly');
  }
  const port = world.network.switch('tor').ports[0];
  t.true((port?.tx.peakBacklogBytes ?? 0) > 32 * 1024);
});

test('switch: a deep buffer absorbs the same incast without drops', async (t) => {
  const { world, sinks } = await incast(64 * MiB);
  t.is(world.network.stats.droppedTotal, 0);
  t.is(sinks.reduce((sum, s) => sum + s.bytes, 0), SENDERS * 2 * MiB);
});

async function threeHosts(): Promise<{ world: World; streams: ByteStream[]; sinks: Recorder[] }> {
  const world = new World({ seed: 'three' });
  world.network.addSwitch('s1', { portSpeedBps: 40e9 });
  world.network.addSwitch('s2', { portSpeedBps: 40e9 });
  world.network.connect('s1', 's2', { latencyUs: 1 });
  world.network.addNode('a', { ip: '10.1.0.1' });
  world.network.addNode('b', { ip: '10.1.0.2' });
  world.network.addNode('c', { ip: '10.2.0.3' });
  world.network.connect('a', 's1');
  world.network.connect('b', 's1');
  world.network.connect('c', 's2');
  const sinks: Recorder[] = [];
  const target = world.nodeEnv('c', { cpu: new RealCpu() });
  await target.network.listen({ host: '0.0.0.0', port: PORT }, (stream) => sinks.push(new Recorder(world, stream)));
  const streams: ByteStream[] = [];
  for (const name of ['a', 'b']) {
    const env = world.nodeEnv(name, { cpu: new RealCpu() });
    void env.network.connect({ host: '10.2.0.3', port: PORT }).then((stream) => streams.push(stream));
  }
  await world.runForAsync(NS_PER_MS);
  return { world, streams, sinks };
}

test('switch: hosts on two trunked switches reach each other', async (t) => {
  const { world, streams, sinks } = await threeHosts();
  t.is(streams.length, 2);
  for (const stream of streams) stream.write(pattern(100_000, 1));
  await world.runForAsync(NS_PER_S);
  t.deepEqual(
    sinks.map((s) => s.bytes),
    [100_000, 100_000],
  );
});

test('switch: a node partition blocks one pair only, and heals', async (t) => {
  const { world, streams, sinks } = await threeHosts();
  world.network.partitionNodes(['a'], ['c']);
  for (const stream of streams) stream.write(pattern(10_000, 2));
  await world.runForAsync(NS_PER_S);
  const bytes = sinks.map((s) => s.bytes).sort((x, y) => x - y);
  t.deepEqual(bytes, [0, 10_000]);
  t.true(world.network.stats.dropped['node-partition'] > 0);
  world.network.healNodes(['a'], ['c']);
  await world.runForAsync(10 * NS_PER_S);
  t.deepEqual(
    sinks.map((s) => s.bytes),
    [10_000, 10_000],
  );
});

test('switch: a node partition blocks every NIC of the other node, and heals', async (t) => {
  const world = new World({ seed: 'multi-nic-partition' });
  world.network.addNode('h', { nics: [{ ip: '10.0.0.1' }, { ip: '10.0.1.1' }] });
  world.network.addNode('t', { nics: [{ ip: '10.0.0.2' }, { ip: '10.0.1.2' }] });
  world.network.connect('h/eth0', 't/eth0', { latencyUs: 5 });
  world.network.connect('h/eth1', 't/eth1', { latencyUs: 5 });
  const target = world.nodeEnv('t', { cpu: new RealCpu() });
  const host = world.nodeEnv('h', { cpu: new RealCpu() });
  const sinks: Recorder[] = [];
  await target.network.listen({ host: '0.0.0.0', port: PORT }, (stream) => sinks.push(new Recorder(world, stream)));
  const connecting = Promise.all(['10.0.0.2', '10.0.1.2'].map((ip) => host.network.connect({ host: ip, port: PORT })));
  await world.runUntilTrueAsync(() => sinks.length === 2);
  const streams = await connecting;
  world.network.partitionNodes(['h'], ['t'], true);
  for (const stream of streams) stream.write(pattern(10_000, 4));
  await world.runForAsync(NS_PER_S);
  t.deepEqual(
    sinks.map((s) => s.bytes),
    [0, 0],
    'both of t\'s NICs are cut off',
  );
  t.true(world.network.stats.dropped['node-partition'] > 0);
  world.network.healNodes(['h'], ['t'], true);
  await world.runForAsync(10 * NS_PER_S);
  t.deepEqual(
    sinks.map((s) => s.bytes),
    [10_000, 10_000],
  );
});

test('switch: a link that goes down and up again resumes the stream', async (t) => {
  const { world, streams, sinks } = await threeHosts();
  const trunk = world.network.linkBetween('s1', 's2');
  trunk.down();
  for (const stream of streams) stream.write(pattern(50_000, 3));
  await world.runForAsync(2 * NS_PER_S);
  t.deepEqual(
    sinks.map((s) => s.bytes),
    [0, 0],
  );
  t.true(trunk.isDown);
  trunk.up();
  await world.runForAsync(10 * NS_PER_S);
  t.deepEqual(
    sinks.map((s) => s.bytes),
    [50_000, 50_000],
  );
  t.true(world.network.stats.dropped['link-down'] > 0);
});
