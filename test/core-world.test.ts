// The world: one seed determines the whole run (same seed, same fingerprint; another seed,
// another fingerprint), two worlds share nothing (interleaving their events changes neither),
// promise continuations run at the virtual time that resolved them, and node environments get
// namespaced randomness and time-stamped logs.
import test from 'ava';
import { RealCpu } from '../sim/core/index.js';
import { World } from '../sim/world/sim-world.js';
import { PORT, Recorder, pattern } from './net-fixtures.js';

/** A lossy, reordering, duplicating two-node world with an echo server and a writing client. */
function buildScenario(seed: number): { world: World; done: () => boolean; echoed: () => number } {
  const world = new World({ seed });
  world.network.addNode('a', { ip: '10.1.0.1', bandwidthBps: 1e9 });
  world.network.addNode('b', { ip: '10.1.0.2', bandwidthBps: 1e9 });
  world.network.connect('a', 'b', {
    latencyUs: 20,
    latencyDistribution: 'normal',
    jitterUs: 5,
    lossRate: 0.03,
    duplicateRate: 0.02,
    reorderRate: 0.02,
    reorderExtraDelayUs: 50,
  });
  const server = world.nodeEnv('b', { cpu: new RealCpu() });
  const client = world.nodeEnv('a', { cpu: new RealCpu() });
  void server.network.listen({ host: '0.0.0.0', port: PORT }, (stream) => {
    stream.setHandlers({
      data: (chunk) => void stream.write(chunk.slice()),
      drain: () => undefined,
      close: () => undefined,
      error: () => undefined,
    });
  });
  let recorder: Recorder | null = null;
  void client.network.connect({ host: '10.1.0.2', port: PORT }).then((stream) => {
    recorder = new Recorder(world, stream, false);
    stream.write(pattern(256 * 1024, seed));
  });
  const echoed = (): number => (recorder === null ? 0 : recorder.bytes);
  return { world, done: () => echoed() === 256 * 1024, echoed };
}

test('world: the same seed gives the same fingerprint; another seed another', async (t) => {
  const one = buildScenario(7);
  await one.world.runUntilTrueAsync(one.done);
  const two = buildScenario(7);
  await two.world.runUntilTrueAsync(two.done);
  const other = buildScenario(8);
  await other.world.runUntilTrueAsync(other.done);
  t.true(one.done() && two.done() && other.done());
  t.deepEqual(one.world.summary(), two.world.summary());
  t.not(one.world.summary().fingerprint, other.world.summary().fingerprint);
  t.true(one.world.network.stats.dropped.loss > 0, 'the scenario really lost packets');
});

test('world: interleaving two worlds event by event matches running each alone', async (t) => {
  const soloA = buildScenario(11);
  await soloA.world.runUntilTrueAsync(soloA.done);
  const soloB = buildScenario(12);
  await soloB.world.runUntilTrueAsync(soloB.done);

  const a = buildScenario(11);
  const b = buildScenario(12);
  let steps = 0;
  while ((!a.done() || !b.done()) && steps < 5_000_000) {
    if (!a.done()) await a.world.stepAsync();
    if (!b.done()) await b.world.stepAsync();
    steps++;
  }
  t.deepEqual(a.world.summary(), soloA.world.summary());
  t.deepEqual(b.world.summary(), soloB.world.summary());
});

test('world: async runs resume promise continuations at the virtual time that resolved them', async (t) => {
  const world = new World({ seed: 1 });
  world.network.addNode('a', { ip: '10.2.0.1', bandwidthBps: 1e9 });
  world.network.addNode('b', { ip: '10.2.0.2', bandwidthBps: 1e9 });
  world.network.connect('a', 'b', { latencyUs: 100 });
  const client = world.nodeEnv('a', { cpu: new RealCpu() });
  const server = world.nodeEnv('b', { cpu: new RealCpu() });
  await server.network.listen({ host: '10.2.0.2', port: PORT }, () => undefined);
  const seen: number[] = [];
  // A chain several promise hops deep, as application code would write it.
  const deep = async (): Promise<void> => {
    await client.network.connect({ host: '10.2.0.2', port: PORT });
    await null;
    await Promise.resolve();
    seen.push(client.clock.nowNs());
    client.clock.setTimer(1000, () => seen.push(client.clock.nowNs()));
  };
  void deep();
  await world.runUntilAsync(10_000_000);
  // Handshake: SYN and SYN-ACK, each 84 B on the wire (672 ns at 1 Gb/s) plus 100 us.
  const handshakeNs = 2 * (672 + 100_000);
  t.deepEqual(seen, [handshakeNs, handshakeNs + 1000]);
  t.is(world.nowNs, 10_000_000);
});

test('world: node environments get namespaced randomness and time-stamped logs', (t) => {
  const lines: string[] = [];
  const world = new World({ seed: 'logs', logLevel: 'info', logSink: (line) => lines.push(line) });
  world.network.addNode('n1', { ip: '10.3.0.1' });
  world.network.addNode('n2', { ip: '10.3.0.2' });
  const env1 = world.nodeEnv('n1', { cpu: new RealCpu() });
  const env2 = world.nodeEnv('n2', { cpu: new RealCpu(), logLevel: 'silent' });
  t.not(env1.rng.stream('x').next(), env2.rng.stream('x').next());
  // A node's stream "y" is the world's stream "node/<name>/y".
  t.is(env2.rng.stream('y').next(), new World({ seed: 'logs' }).rng.stream('node/n2/y').next());
  world.clock.setTimer(1_500_000_123, () => {
    env1.log.info('hello');
    env1.log.debug('hidden');
    env2.log.error('silenced');
  });
  world.runUntilIdle();
  t.deepEqual(lines, ['1.500000123s n1 info: hello\n']);
});
