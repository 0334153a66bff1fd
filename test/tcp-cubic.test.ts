// CUBIC (RFC 9438, Linux tcp_cubic.c) and Reno window arithmetic, driven directly: one window of
// ACKs per round trip, a loss at a known window, then the growth curve.
import test from 'ava';
import { CongestionControl, createCongestionOps } from '../sim/net/tcp-congestion.js';
import { CubicOps, cubicK, cubicWindow } from '../sim/net/tcp-cubic.js';
import { RetransmitQueue } from '../sim/net/tcp-rtx-queue.js';

const RTT_NS = 100_000_000; // 100 ms: long enough for the cubic curve to dominate Reno's

/** A connection-less window: cwnd frames acknowledged per round trip, always cwnd-limited. */
function run(cc: CongestionControl, fromNs: number, rounds: number): number {
  let now = fromNs;
  const rtx = new RetransmitQueue(1448);
  for (let round = 0; round < rounds; round++) {
    now += RTT_NS;
    cc.ops.pktsAcked(1, RTT_NS, now);
    const frames = cc.cwnd;
    for (let i = 0; i < frames; i++) {
      cc.cwndLimited = true;
      cc.onNewAck(1, 1, cc.cwnd, rtx, now + Math.floor((i * RTT_NS) / frames));
    }
  }
  return now;
}

test('tcp-cubic: a loss cuts the window to 0.7 of it, Reno halves', (t) => {
  for (const [name, expected] of [
    ['cubic', 700],
    ['reno', 500],
    ['dctcp', 500],
  ] as const) {
    const cc = new CongestionControl(1000, 3, true, createCongestionOps(name));
    cc.enterRecovery(1);
    t.is(cc.cwnd, expected, name);
    t.is(cc.ssthresh, expected, name);
  }
});

test('tcp-cubic: after a loss the window follows W(t) = C(t-K)^3 + Wmax', (t) => {
  const cc = new CongestionControl(10, 3, true, createCongestionOps('cubic'));
  const cubic = cc.ops as CubicOps;
  cc.ssthresh = 1;
  // Reach Wmax = 1000 in congestion avoidance, then lose.
  cc.cwnd = 1000;
  cc.enterRecovery(1);
  cc.onNewAck(2, 1, 0, new RetransmitQueue(1448), 0); // full ACK: recovery over, cwnd = 700
  t.is(cc.cwnd, 700);
  const k = cubicK(1000, 700);
  t.true(Math.abs(k - Math.cbrt(300 / 0.4)) < 1e-9); // ~9.09 s
  const points: number[] = [];
  let now = 0;
  for (const seconds of [2, 5, 9, 14]) {
    now = run(cc, now, Math.round((seconds * 1e9 - now) / RTT_NS));
    const expected = cubicWindow(now / 1e9, 1000, k);
    points.push(cc.cwnd);
    // The window tracks the curve within a few percent (one RTT of lead, integer steps).
    t.true(Math.abs(cc.cwnd - expected) / expected < 0.03, `t=${seconds}s cwnd ${cc.cwnd} vs W(t) ${expected.toFixed(1)}`);
  }
  // Concave towards Wmax, flat around K, convex beyond it.
  t.true((points[1] as number) - (points[0] as number) > (points[2] as number) - (points[1] as number) - 1);
  t.true(Math.abs((points[2] as number) - 1000) < 15);
  t.true((points[3] as number) > 1040, `${points.join(' ')}`);
  t.is(cubic.lastMaxCwnd, 1000);
});

test('tcp-cubic: fast convergence lowers Wmax when a loss comes below the previous one', (t) => {
  const cc = new CongestionControl(10, 3, true, createCongestionOps('cubic'));
  const cubic = cc.ops as CubicOps;
  cc.cwnd = 1000;
  cc.enterRecovery(1);
  cc.state = 'open';
  cc.cwnd = 800;
  cc.enterRecovery(2);
  t.is(cubic.lastMaxCwnd, Math.floor((800 * (1024 + 717)) / 2048)); // 680 = 800 * (1 + 0.7) / 2
  t.is(cc.cwnd, Math.floor((800 * 717) / 1024));
});

test('tcp-cubic: the TCP-friendly region grows at least as fast as Reno at short RTTs', (t) => {
  // At a 1 ms RTT the cubic curve barely moves in 200 RTTs; the Reno-friendly estimate does
  // (recomputed every 31 ms, as Linux's HZ/32).
  const cc = new CongestionControl(10, 3, true, createCongestionOps('cubic'));
  cc.cwnd = 100;
  cc.enterRecovery(1);
  cc.state = 'open';
  t.is(cc.cwnd, 70);
  const rtx = new RetransmitQueue(1448);
  let now = 0;
  for (let round = 0; round < 200; round++) {
    now += 1_000_000;
    const frames = cc.cwnd;
    for (let i = 0; i < frames; i++) {
      cc.cwndLimited = true;
      cc.onNewAck(1, 1, cc.cwnd, rtx, now);
    }
  }
  // Reno with beta 0.7 grows 3(1-0.7)/(1+0.7) ~ 0.53 frames per RTT: ~106 in 200 RTTs.
  t.true(cc.cwnd >= 70 + 80 && cc.cwnd <= 70 + 115, `cwnd ${cc.cwnd}`);
});

test('tcp-cubic: Reno grows one frame per window of ACKs in congestion avoidance', (t) => {
  const cc = new CongestionControl(10, 3, true, createCongestionOps('reno'));
  cc.cwnd = 100;
  cc.ssthresh = 50;
  run(cc, 0, 10);
  t.is(cc.cwnd, 110);
});
