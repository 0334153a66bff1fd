// Network-wide TCP counters: the per-connection TcpStats of every connection a node ever had are
// summed per node and in total, and survive the connection's close and the node's crash. A run's
// result shows them as net.tcp and net.tcpPerNode, and the summary prints one line of them: loss at
// QD1 shows up as retransmissions and timeouts, a clean run shows none.
import test from 'ava';
import { formatRunSummary as formatSummary, formatTcp } from '../sim/report/run-summary.js';
import { RealCpu } from '../sim/core/index.js';
import type { TcpCounters } from '../sim/net/net-context.js';
import type { ScenarioResult, TcpResult } from '../sim/scenario/result.js';
import { runScenario } from '../sim/scenario/runner.js';
import { resolveScenario } from '../sim/scenario/validate.js';
import { connectPair, driveWriter, pairWorld, pattern, Recorder } from './net-fixtures.js';

const NQN = 'nqn.2024-01.io.test:tcp-counters';
const FIELDS = ['segmentsSent', 'segmentsReceived', 'retransmits', 'fastRetransmits', 'rtoCount', 'dupAcks', 'outOfOrderSegments', 'zeroWindowProbes'] as const;

/** One host, one target, QD1 4 KiB reads on a null device; `link` options on the wire. */
async function qd1(linkOptions: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<ScenarioResult> {
  const scenario = {
    name: 'tcp-counters',
    seed: 11,
    duration: '1s',
    drain: '2s',
    nodes: [{ name: 'h' }, { name: 't', cores: 2 }],
    links: [{ a: 'h', b: 't', options: { latencyUs: 8, ...linkOptions } }],
    targets: [{ node: 't', subsystems: [{ nqn: NQN, namespaces: [{ backend: 'null:1GiB' }] }] }],
    hosts: [{ node: 'h', connect: { target: 't', nrIoQueues: 1 }, workload: { rw: 'randread', bs: '4k', iodepth: 1 } }],
    invariants: [{ check: 'ios-accounted' }],
    ...extra,
  };
  return runScenario(resolveScenario(scenario, 'scenarios/tcp-counters.ts'));
}

function sumPerNode(result: ScenarioResult): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const node of result.net.tcpPerNode) {
    for (const [key, value] of Object.entries(node)) if (typeof value === 'number') sum[key] = (sum[key] ?? 0) + value;
  }
  return sum;
}

test('net: loss at QD1 shows retransmitted frames and retransmission timeouts in the run result', async (t) => {
  const result = await qd1({ lossRate: 0.02 });
  const tcp = result.net.tcp;
  t.true(result.net.droppedByReason.loss !== undefined && result.net.droppedByReason.loss > 0);
  t.true(tcp.retransmits > 0, JSON.stringify(tcp));
  // One I/O in flight: a lost frame has nothing behind it to draw duplicate ACKs, so RTO repairs it.
  t.true(tcp.rtoCount > 0, JSON.stringify(tcp));
  t.true(tcp.segmentsSent > tcp.retransmits);
  // Admin and one I/O queue, seen from both ends.
  t.is(tcp.connectionsOpened, 4);
  t.deepEqual(result.net.tcpPerNode.map((node) => node.node), ['h', 't']);
  t.deepEqual(sumPerNode(result), { ...tcp });
  t.regex(formatSummary(result, 'repeat'), /\ntcp: [\d,]+ frames sent, [1-9][\d,]* retransmitted \([\d,]+ fast recoveries, [1-9][\d,]* RTOs\), /);
});

test('net: a clean run retransmits nothing', async (t) => {
  const result = await qd1({}, { duration: '20ms', drain: '10ms' });
  const tcp = result.net.tcp;
  t.true(result.ios > 0);
  t.true(tcp.segmentsSent > 0 && tcp.segmentsReceived > 0);
  t.like(tcp, { retransmits: 0, fastRetransmits: 0, rtoCount: 0, dupAcks: 0, outOfOrderSegments: 0, connectionsOpened: 4, connectionsReset: 0, timeouts: 0 });
  // Nothing was dropped; the last frames may still be on the wire when the run ends.
  t.is(result.net.dropped, 0);
  t.true(tcp.segmentsReceived <= tcp.segmentsSent && tcp.segmentsSent - tcp.segmentsReceived < 10);
});

test('net: counters survive a node crash and restart', async (t) => {
  const result = await qd1(
    {},
    {
      duration: '100ms',
      drain: '10ms',
      faults: [
        { at: '5ms', action: 'crash', node: 'h' },
        { at: '10ms', action: 'restart', node: 'h' },
      ],
    },
  );
  const [host, target] = result.net.tcpPerNode;
  // The host connected twice (two incarnations); the target accepted both times.
  t.is(host?.connectionsOpened, 4);
  t.is(target?.connectionsOpened, 4);
  // The host's first incarnation's frames are still counted: the target received more than the
  // host's second incarnation alone could have sent it.
  t.true((host?.segmentsSent ?? 0) > 0 && (target?.segmentsReceived ?? 0) > 0);
  t.deepEqual(sumPerNode(result), { ...result.net.tcp });
});

test('net: network totals equal the sum of the connections, before and after they close', async (t) => {
  const pair = pairWorld({ seed: 'counters', link: { latencyUs: 20, lossRate: 0.02, reorderRate: 0.01, reorderExtraDelayUs: 40 } });
  const { world } = pair;
  const { clientStream, serverStream } = await connectPair(pair);
  const data = pattern(2 * 1024 * 1024, 3);
  const sink = new Recorder(world, serverStream);
  const { recorder } = driveWriter(world, clientStream, data);
  const expected = (): Record<string, number> =>
    Object.fromEntries(FIELDS.map((field) => [field, clientStream.stats[field] + serverStream.stats[field]]));
  const totals = (counters: TcpCounters): Record<string, number> => Object.fromEntries(FIELDS.map((field) => [field, counters[field]]));
  // Mid-transfer: live connections count.
  await world.runUntilAsync(world.nowNs + 2_000_000);
  t.deepEqual(totals(world.network.tcpCounters().total), expected());
  await world.runUntilTrueAsync(() => sink.closed && recorder.closed, 600e9);
  // Past TIME_WAIT: both connections left their tables; their counters stayed.
  await world.runUntilAsync(world.nowNs + 61e9);
  t.is(world.network.node('client').stack.connections().length, 0);
  t.is(world.network.node('server').stack.connections().length, 0);
  const after = world.network.tcpCounters();
  t.deepEqual(totals(after.total), expected());
  t.true(after.total.retransmits > 0);
  t.is(after.total.connectionsOpened, 2);
  t.deepEqual(totals(after.perNode.get('client') as TcpCounters), totals(world.network.node('client').stack.countersNow()));
});

test('net: a RST from a restarted peer counts as a reset, silence as a timeout', async (t) => {
  const pair = pairWorld({ seed: 'resets' });
  const { world } = pair;
  const first = await connectPair(pair);
  // The server reboots: the client's next segment draws a RST from the new, empty stack.
  world.restart('server');
  new Recorder(world, first.clientStream);
  first.clientStream.write(pattern(1000, 1));
  await world.runUntilAsync(world.nowNs + 10_000_000);
  let counters = world.network.tcpCounters();
  t.is(counters.perNode.get('client')?.connectionsReset, 1);
  t.is(counters.perNode.get('client')?.timeouts, 0);
  // Now a server that stays down: the client retransmits until tcp_retries2 runs out (ETIMEDOUT).
  pair.server = world.nodeEnv('server', { cpu: new RealCpu() });
  const second = await connectPair(pair);
  world.crash('server');
  const recorder = new Recorder(world, second.clientStream);
  second.clientStream.write(pattern(1000, 2));
  await world.runUntilTrueAsync(() => recorder.closed, 3600e9);
  counters = world.network.tcpCounters();
  const client = counters.perNode.get('client') as TcpCounters;
  t.is(client.timeouts, 1);
  t.true(client.rtoCount > 5);
  t.is(client.connectionsOpened, 2);
  t.is(counters.total.connectionsReset, 1);
});

test('net: the summary line names every counter', (t) => {
  const tcp: TcpResult = {
    segmentsSent: 12345,
    segmentsReceived: 12000,
    retransmits: 345,
    fastRetransmits: 300,
    rtoCount: 12,
    dupAcks: 900,
    outOfOrderSegments: 40,
    zeroWindowProbes: 0,
    connectionsOpened: 18,
    connectionsReset: 2,
    timeouts: 1,
  };
  t.is(
    formatTcp(tcp),
    'tcp: 12,345 frames sent, 345 retransmitted (300 fast recoveries, 12 RTOs), 900 dup ACKs, 40 out of order, 0 zero-window probes; connections 18 opened, 2 reset, 1 timed out',
  );
});
