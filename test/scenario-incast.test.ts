// scenarios/incast.ts: 64 hosts write into one target port through a shallow-buffered switch.
// Under CUBIC (the default) the port tail-drops, some losses wait for an RTO and the write tail
// reaches ~200 ms; under DCTCP the port marks ECN CE instead, the senders back off in proportion,
// and drops, RTOs and the tail all shrink.
import test from 'ava';
import type { ResolvedScenario } from '../sim/scenario/resolved.js';
import { loadScenario } from '../sim/scenario/load.js';
import { runScenario } from '../sim/scenario/runner.js';

function withCongestionControl(scenario: ResolvedScenario, congestionControl: 'cubic' | 'dctcp'): ResolvedScenario {
  return { ...scenario, nodes: scenario.nodes.map((node) => ({ ...node, congestionControl })) };
}

test('scenario incast: CUBIC drops, times out and grows a tail where DCTCP marks and keeps it short', async (t) => {
  const scenario = await loadScenario('scenarios/incast.ts');
  t.is(scenario.hosts.length, 64);
  const cubic = await runScenario(scenario);
  const dctcp = await runScenario(withCongestionControl(scenario, 'dctcp'));
  const drops = (result: typeof cubic): number => result.net.droppedByReason['queue-full'] ?? 0;
  // CUBIC: the port overflows, tail losses wait for an RTO (200 ms), and the tail shows it.
  t.true(drops(cubic) > 1000, `cubic: ${drops(cubic)} drops`);
  t.true(cubic.net.tcp.rtoCount >= 5, `cubic: ${cubic.net.tcp.rtoCount} RTOs`);
  t.is(cubic.net.ecnMarked, 0, 'CUBIC does not negotiate ECN (tcp_ecn = 2)');
  t.true(cubic.latencyUs.p99 > 100_000, `cubic p99 ${cubic.latencyUs.p99} us`);
  // DCTCP: marks instead of drops, no RTOs, a tail an order of magnitude shorter.
  t.true(dctcp.net.ecnMarked > 10_000, `dctcp: ${dctcp.net.ecnMarked} marked`);
  t.true(drops(dctcp) < drops(cubic) / 3, `dctcp: ${drops(dctcp)} drops`);
  t.is(dctcp.net.tcp.rtoCount, 0);
  t.true(dctcp.latencyUs.p99 * 10 < cubic.latencyUs.p99, `dctcp p99 ${dctcp.latencyUs.p99} us`);
  // Both complete about as much I/O.
  t.true(dctcp.ios > 0.9 * cubic.ios);
});
