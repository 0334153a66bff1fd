// DCTCP (RFC 8257, Linux tcp_dctcp.c) and ECN (RFC 3168): alpha's moving average, the
// proportional reduction, and marking at a switch port above its threshold.
import test from 'ava';
import { NS_PER_S } from '../sim/core/env.js';
import { RealCpu } from '../sim/core/index.js';
import { CongestionControl, createCongestionOps } from '../sim/net/tcp-congestion.js';
import { DCTCP_MAX_ALPHA, DctcpOps } from '../sim/net/tcp-dctcp.js';
import { World } from '../sim/world/sim-world.js';
import { driveWriter, pattern, Recorder } from './net-fixtures.js';
import { TcpConnection } from '../sim/net/tcp-connection.js';

test('tcp-dctcp: alpha follows (1 - g) alpha + g F once per window, g = 1/16', (t) => {
  const ops = new DctcpOps();
  const cc = new CongestionControl(100, 3, true, ops);
  t.is(ops.alpha, DCTCP_MAX_ALPHA);
  // A window with no marks: alpha decays by 1/16.
  ops.onAckEvent(cc, 50, false, 0, 100);
  ops.onAckEvent(cc, 50, false, 100, 200);
  t.is(ops.alpha, DCTCP_MAX_ALPHA - (DCTCP_MAX_ALPHA >> 4));
  // Windows with all frames marked: alpha climbs back towards 1.
  let alpha = ops.alpha;
  for (let i = 0; i < 3; i++) {
    ops.onAckEvent(cc, 100, true, 200 + 100 * (i + 1), 300 + 100 * (i + 1));
    const expected = Math.min(DCTCP_MAX_ALPHA, alpha - (alpha >> 4) + 64);
    t.is(ops.alpha, expected);
    alpha = expected;
  }
  // Many unmarked windows: alpha tends to 0.
  for (let i = 0; i < 200; i++) ops.onAckEvent(cc, 100, false, 1000 + 100 * (i + 1), 1100 + 100 * (i + 1));
  t.true(ops.alpha < 10);
});

test('tcp-dctcp: an ECN-Echo cuts cwnd by alpha/2, once per window; a loss halves', (t) => {
  const ops = createCongestionOps('dctcp') as DctcpOps;
  const cc = new CongestionControl(100, 3, true, ops);
  ops.alpha = 256; // F ~ 25%: cut 12.5%
  t.true(cc.onEcnEcho(1000));
  t.is(cc.cwnd, 100 - ((100 * 256) >> 11));
  t.is(cc.state, 'cwr');
  t.false(cc.onEcnEcho(1001), 'one reduction per window');
  t.is(cc.cwnd, 88);
  cc.state = 'open';
  cc.cwnd = 100;
  cc.enterRecovery(2000);
  t.is(cc.cwnd, 50);
  // Reno and CUBIC take the classic RFC 3168 cut on ECN-Echo.
  const cubic = new CongestionControl(100, 3, true, createCongestionOps('cubic'));
  cubic.onEcnEcho(1);
  t.is(cubic.cwnd, 70);
});

test('tcp-dctcp: two DCTCP senders into one port: the switch marks CE above its threshold, with few drops', async (t) => {
  const world = new World({ seed: 7 });
  world.network.addSwitch('sw', { portBufferBytes: 200_000, ecnMarkThresholdBytes: 30_000 });
  const tcp = { congestionControl: 'dctcp' } as const;
  for (const [name, ip] of [['a', '10.0.0.1'], ['b', '10.0.0.2'], ['sink', '10.0.0.3']] as const) {
    world.network.addNode(name, { ip, bandwidthBps: 10e9, tcp });
    world.network.connect(name, 'sw', { latencyUs: 5 });
  }
  const sinkEnv = world.nodeEnv('sink', { cpu: new RealCpu() });
  const recorders: Recorder[] = [];
  await sinkEnv.network.listen({ host: '0.0.0.0', port: 4420 }, (stream) => recorders.push(new Recorder(world, stream)));
  const streams: TcpConnection[] = [];
  for (const name of ['a', 'b']) {
    const env = world.nodeEnv(name, { cpu: new RealCpu() });
    const connecting = env.network.connect({ host: '10.0.0.3', port: 4420 });
    await world.runUntilTrueAsync(() => recorders.length === streams.length + 1);
    const stream = await connecting;
    if (!(stream instanceof TcpConnection)) throw new Error('expected a simulated connection');
    streams.push(stream);
    driveWriter(world, stream, pattern(16 * 1024 * 1024, streams.length));
  }
  await world.runUntilTrueAsync(() => recorders.length === 2 && recorders.every((r) => r.closed), 60 * NS_PER_S);
  const stats = world.network.stats;
  t.true(stats.ecnMarked > 100, `${stats.ecnMarked} frames marked`);
  t.true(stats.dropped['queue-full'] < 50, `${stats.dropped['queue-full']} dropped`);
  t.is(streams.reduce((sum, s) => sum + s.stats.rtoCount, 0), 0);
});
