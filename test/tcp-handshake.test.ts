// Opening and closing: listen conflicts (EADDRINUSE), refusal by RST (ECONNREFUSED), unknown
// addresses (ENETUNREACH), graceful close with FIN in both directions, abortive close with RST,
// and listeners that close. Virtual time only.
import test from 'ava';
import { NS_PER_MS, NS_PER_S } from '../sim/core/env.js';
import { RealCpu } from '../sim/core/index.js';
import { World } from '../sim/world/sim-world.js';
import { PORT, Recorder, SERVER_IP, connectPair, pairWorld, pattern } from './net-fixtures.js';

function codeOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

test('tcp: listening twice on a port is EADDRINUSE, unless the addresses differ', async (t) => {
  const world = new World({ seed: 1 });
  world.network.addNode('multi', { nics: [{ ip: '10.0.1.1' }, { ip: '10.0.2.1' }] });
  const env = world.nodeEnv('multi', { cpu: new RealCpu() });
  const onStream = (): void => undefined;
  const first = await env.network.listen({ host: '10.0.1.1', port: 4420 }, onStream);
  await t.notThrowsAsync(env.network.listen({ host: '10.0.2.1', port: 4420 }, onStream));
  const conflict = await env.network.listen({ host: '0.0.0.0', port: 4420 }, onStream).catch((e: unknown) => e);
  t.is(codeOf(conflict), 'EADDRINUSE');
  const again = await env.network.listen({ host: '10.0.1.1', port: 4420 }, onStream).catch((e: unknown) => e);
  t.is(codeOf(again), 'EADDRINUSE');
  await first.close();
  await t.notThrowsAsync(env.network.listen({ host: '10.0.1.1', port: 4420 }, onStream));
  const foreign = await env.network.listen({ host: '10.9.9.9', port: 4420 }, onStream).catch((e: unknown) => e);
  t.is(codeOf(foreign), 'EADDRNOTAVAIL');
  const ephemeral = await env.network.listen({ host: '0.0.0.0', port: 0 }, onStream);
  t.true(ephemeral.address.port >= 32768 && ephemeral.address.port <= 60999);
});

test('tcp: connecting to a port nobody listens on is refused by RST after one round trip', async (t) => {
  const pair = pairWorld({ bandwidthBps: 1e9, link: { latencyUs: 40 } });
  const { world } = pair;
  let error: unknown = null;
  let at = -1;
  pair.client.network.connect({ host: SERVER_IP, port: 9 }).catch((e: unknown) => {
    error = e;
    at = world.nowNs;
  });
  await world.runForAsync(NS_PER_S);
  t.is(codeOf(error), 'ECONNREFUSED');
  t.is(at, 2 * (672 + 40_000)); // SYN out, RST back: 84 B frames at 1 Gb/s.
  const unknown = await pair.client.network.connect({ host: '192.168.9.9', port: 1 }).catch((e: unknown) => e);
  t.is(codeOf(unknown), 'ENETUNREACH');
});

test('tcp: end() on both sides closes cleanly, data first', async (t) => {
  const pair = pairWorld({ link: { latencyUs: 20 } });
  const { world } = pair;
  const { clientStream, serverStream } = await connectPair(pair);
  const atServer = new Recorder(world, serverStream);
  const atClient = new Recorder(world, clientStream);
  const data = pattern(100_000, 9);
  clientStream.write(data);
  clientStream.end();
  t.true(clientStream.closed, 'closed reads true once end() was called');
  await world.runForAsync(NS_PER_S);
  t.is(atServer.bytes, data.length);
  t.true(atServer.closed && atServer.hadError === false);
  t.true(atClient.closed && atClient.hadError === false);
  t.true(atServer.lastDataNs <= atServer.closeNs);
  t.is(serverStream.state, 'CLOSED');
  t.is(clientStream.state, 'TIME_WAIT', 'the active closer waits in TIME_WAIT');
  t.is(atServer.errors.length + atClient.errors.length, 0);
  t.false(clientStream.write(new Uint8Array(1)), 'no writes after end()');
  await world.runForAsync(61 * NS_PER_S);
  t.is(clientStream.state, 'CLOSED');
});

test('tcp: destroy() resets the connection: the peer sees ECONNRESET', async (t) => {
  const pair = pairWorld({ link: { latencyUs: 20 } });
  const { world } = pair;
  const { clientStream, serverStream } = await connectPair(pair);
  const atServer = new Recorder(world, serverStream);
  const atClient = new Recorder(world, clientStream);
  clientStream.destroy();
  await world.runForAsync(NS_PER_MS);
  t.true(atClient.closed && atClient.hadError === false);
  t.is(atClient.errors.length, 0);
  t.true(atServer.closed && atServer.hadError === true);
  t.is(codeOf(atServer.errors[0]), 'ECONNRESET');
});

test('tcp: destroy(error) reports that error, then close(true)', async (t) => {
  const pair = pairWorld();
  const { world } = pair;
  const { clientStream } = await connectPair(pair);
  const atClient = new Recorder(world, clientStream);
  const reason = new Error('protocol violation');
  clientStream.destroy(reason);
  await world.runForAsync(NS_PER_MS);
  t.deepEqual(atClient.errors, [reason]);
  t.true(atClient.hadError === true);
});

test('tcp: a closed listener refuses new connections and keeps existing ones', async (t) => {
  const pair = pairWorld({ link: { latencyUs: 20 } });
  const { world } = pair;
  const accepted: unknown[] = [];
  const listener = await pair.server.network.listen({ host: SERVER_IP, port: PORT }, (s) => accepted.push(s));
  const first = pair.client.network.connect({ host: SERVER_IP, port: PORT });
  await world.runForAsync(NS_PER_MS);
  const stream = await first;
  await listener.close();
  const refused = pair.client.network.connect({ host: SERVER_IP, port: PORT }).catch((e: unknown) => e);
  await world.runForAsync(NS_PER_MS);
  t.is(codeOf(await refused), 'ECONNREFUSED');
  t.is(accepted.length, 1);
  t.false(stream.closed);
});

test('tcp: data written before the peer installs handlers waits for them', async (t) => {
  const pair = pairWorld();
  const { world } = pair;
  const { clientStream, serverStream } = await connectPair(pair);
  clientStream.write(pattern(5000, 1));
  await world.runForAsync(10 * NS_PER_MS);
  t.is(serverStream.receiveQueuedBytes, 5000);
  const late = new Recorder(world, serverStream);
  await world.runForAsync(NS_PER_MS);
  t.is(late.bytes, 5000);
  t.is(serverStream.receiveQueuedBytes, 0);
});

test('tcp: after a restart the node has no listeners: connects are refused', async (t) => {
  const pair = pairWorld({ link: { latencyUs: 5 } });
  const { world } = pair;
  await connectPair(pair);
  world.restart('server');
  const refused = pair.client.network.connect({ host: SERVER_IP, port: PORT }).catch((e: unknown) => e);
  await world.runForAsync(NS_PER_MS);
  t.is(codeOf(await refused), 'ECONNREFUSED');
  // The old incarnation's environment is dead.
  const stale = await pair.server.network.listen({ host: SERVER_IP, port: PORT }, () => undefined).catch((e: unknown) => e);
  t.is(codeOf(stale), 'ENETDOWN');
  const fresh = world.nodeEnv('server', { cpu: new RealCpu() });
  await t.notThrowsAsync(fresh.network.listen({ host: SERVER_IP, port: PORT }, () => undefined));
});
