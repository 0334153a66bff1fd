// CPU utilisation in a run's result: busy time per core over the whole run, summed over every
// incarnation of a node, so that a target that served I/O before a crash or a restart does not
// read idle (issue 9: a crashed target's CPU use read 0.0%).
import test from 'ava';
import { runScenario } from '../sim/scenario/runner.js';
import type { ScenarioResult } from '../sim/scenario/result.js';
import type { Scenario, ScenarioFault } from '../sim/scenario/types.js';
import { resolveScenario } from '../sim/scenario/validate.js';

function scenario(duration: string, faults: readonly ScenarioFault[]): Scenario {
  return {
    name: 'cpu',
    seed: 7,
    duration,
    drain: '10ms',
    nodes: [
      { name: 'h', cores: 2 },
      { name: 't', cores: 2 },
    ],
    links: [{ a: 'h', b: 't', options: { latencyUs: 8 } }],
    targets: [{ node: 't', subsystems: [{ nqn: 'nqn.2024-01.io.test:cpu', namespaces: [{ backend: 'null:1GiB' }] }] }],
    hosts: [{ node: 'h', connect: { target: 't' }, workload: { rw: 'randread', bs: '4k', iodepth: 8 } }],
    faults,
    // The I/O in flight at the crash hangs until the host's reconnect: not what is measured here.
    invariants: [],
  };
}

async function targetCpu(duration: string, faults: readonly ScenarioFault[]): Promise<number> {
  const result: ScenarioResult = await runScenario(resolveScenario(scenario(duration, faults), 'cpu.ts'));
  const target = result.cpu.find((cpu) => cpu.node === 't');
  if (target === undefined) throw new Error('no cpu result for t');
  return target.meanUtilisation;
}

test('scenario: a target crashed halfway keeps the cpu time it spent before the crash', async (t) => {
  // The first 100 ms are the same run either way (same seed); after the crash the target is idle.
  const firstHalf = await targetCpu('100ms', []);
  const crashed = await targetCpu('200ms', [{ at: '100ms', action: 'crash', node: 't' }]);
  t.true(firstHalf > 0.1, `target busy ${firstHalf} over 100 ms`);
  t.true(Math.abs(crashed - firstHalf / 2) < 0.01, `crashed at 100 ms of 200: ${crashed}, expected about ${firstHalf / 2}`);
});

test('scenario: a restarted target adds up the cpu time of both its incarnations', async (t) => {
  const firstHalf = await targetCpu('100ms', []);
  // The host waits its reconnect delay (10 s) after the restart, so the new incarnation stays idle.
  const restarted = await targetCpu('200ms', [{ at: '100ms', action: 'restart', node: 't' }]);
  t.true(Math.abs(restarted - firstHalf / 2) < 0.01, `restarted at 100 ms of 200: ${restarted}, expected about ${firstHalf / 2}`);
});
