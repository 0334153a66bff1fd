// TCP's send-time accounting (tcp-chrono.ts, after Linux tcp_chrono): a sender whose peer does not
// read is held back by the receive window; a bulk transfer to a reader is busy, and idle once all
// is acknowledged; the time charged never exceeds the time elapsed; and the node's counters
// include a live connection's totals.
import test from 'ava';
import { CHRONO_BUSY, CHRONO_IDLE, CHRONO_RWND_LIMITED, TcpChrono } from '../sim/net/tcp-chrono.js';
import { connectPair, pairWorld, pattern, Recorder } from './net-fixtures.js';

const MS = 1_000_000;

test('net tcp chrono: time is charged to the state it was spent in', (t) => {
  const chrono = new TcpChrono();
  chrono.set(CHRONO_BUSY, 100);
  chrono.set(CHRONO_BUSY, 150);
  chrono.set(CHRONO_RWND_LIMITED, 300);
  chrono.set(CHRONO_IDLE, 1000);
  t.deepEqual(chrono.totals(5000), { busyNs: 200, cwndLimitedNs: 0, rwndLimitedNs: 700 });
  chrono.set(CHRONO_BUSY, 6000);
  t.deepEqual(chrono.totals(6500), { busyNs: 700, cwndLimitedNs: 0, rwndLimitedNs: 700 });
});

test('net tcp chrono: a peer that does not read holds the sender back by its window', async (t) => {
  const pair = pairWorld({ bandwidthBps: 10e9 });
  const { clientStream } = await connectPair(pair);
  const start = pair.world.nowNs;
  // The server installs no data handler: its 6 MiB receive buffer fills and the window closes.
  clientStream.write(pattern(20 * 1024 * 1024));
  await pair.world.runUntilAsync(start + 50 * MS);
  const totals = clientStream.chrono.totals(pair.world.nowNs);
  t.is(clientStream.chrono.state, CHRONO_RWND_LIMITED);
  t.true(totals.rwndLimitedNs > 40 * MS, `rwnd-limited ${totals.rwndLimitedNs} ns`);
  t.true(totals.busyNs + totals.cwndLimitedNs > 0);
  t.true(totals.busyNs + totals.cwndLimitedNs + totals.rwndLimitedNs <= pair.world.nowNs - start);
});

test('net tcp chrono: a bulk transfer is busy, then idle, and the node counters include it', async (t) => {
  const pair = pairWorld({ bandwidthBps: 1e9, link: { latencyUs: 50 } });
  const { clientStream, serverStream } = await connectPair(pair);
  const reader = new Recorder(pair.world, serverStream);
  const start = pair.world.nowNs;
  clientStream.write(pattern(4 * 1024 * 1024));
  clientStream.end();
  await pair.world.runUntilTrueAsync(() => reader.bytes === 4 * 1024 * 1024, start + 1000 * MS);
  await pair.world.runUntilAsync(pair.world.nowNs + 10 * MS);
  const totals = clientStream.chrono.totals(pair.world.nowNs);
  t.is(clientStream.chrono.state, CHRONO_IDLE);
  // 4 MiB at 1 Gb/s takes about 34 ms on the wire; slow start makes part of it cwnd-limited.
  const sending = totals.busyNs + totals.cwndLimitedNs;
  t.true(sending > 30 * MS && sending < 100 * MS, `sending ${sending} ns`);
  t.true(totals.cwndLimitedNs > 0);
  t.is(totals.rwndLimitedNs, 0);
  const counters = pair.world.network.tcpCounters().perNode.get('client');
  t.true((counters?.busyNs ?? 0) + (counters?.cwndLimitedNs ?? 0) >= sending);
});
