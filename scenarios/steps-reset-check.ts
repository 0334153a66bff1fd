// Steps in virtual time: the checks of a partition written as ordinary async code, as a turmoil
// test would. The steps partition the host from the target, wait until the host's controller
// notices (keep-alive or I/O timeout: it resets and tries to reconnect), check that no I/O
// completed while the link was down, heal it, wait until the controller is live again and assert
// that I/O resumes. Timers (node:timers/promises) run on the simulated clock.
import { setTimeout as sleep } from 'node:timers/promises';
import { defineScenario } from 'nvmf-sim';

export default defineScenario({
  name: 'steps-reset-check',
  description: 'steps partition the host, await its controller resetting, check no I/O completes, heal, await live and I/O',
  seed: 7,
  duration: '8s',
  drain: '500ms',
  nodes: [
    { name: 'host', cores: 2 },
    { name: 'target', cores: 2 },
  ],
  links: [{ a: 'host', b: 'target', options: { latencyUs: 10 } }],
  targets: [{ node: 'target', subsystems: [{ nqn: 'nqn.2024-01.io.nvmf-sim:steps', namespaces: [{ backend: 'ram:64MiB' }] }] }],
  hosts: [
    {
      node: 'host',
      connect: { target: 'target', nrIoQueues: 2, keepAliveTmoS: 1, reconnectDelayS: 1, ioTimeoutS: 1, ctrlLossTmoS: 60 },
      workload: { rw: 'randrw', bs: '4k', iodepth: 4, rateIops: 2000 },
    },
  ],
  invariants: [{ check: 'ios-accounted' }, { check: 'workload-progress' }],
  steps: async (world) => {
    await world.until(() => world.host().state === 'live' && world.host().ios > 100, { timeoutMs: 1000, what: 'host live with I/O' });
    world.fault({ action: 'partition', between: ['host', 'target'] });
    const cutAtMs = world.nowMs();
    await world.until(() => ['resetting', 'connecting'].includes(world.host().state), { timeoutMs: 5000, what: 'controller resetting' });
    world.log(`controller ${world.host().state} ${Math.round(world.nowMs() - cutAtMs)} ms after the partition`);
    // What was in flight when the link went down may still complete until then; nothing after.
    const before = world.host().ios;
    await sleep(1500);
    world.assert(world.host().ios === before, `no I/O completes while partitioned (${world.host().ios - before} did)`);
    world.fault({ action: 'heal', between: ['host', 'target'] });
    await world.until(() => world.host().state === 'live', { timeoutMs: 3000, what: 'controller live' });
    const live = world.host().ios;
    await sleep(200);
    world.assert(world.host().ios > live, 'I/O resumes after the heal');
    world.log(`${world.host().ios - live} I/Os in the 200 ms after reconnecting`);
  },
});
