// A flapping link: the host's link goes down for 1 s every 4 s, four times (a bad cable, a port
// bouncing on its link-fault signalling, an LACP member dropping in and out). Each outage is
// shorter than the keep-alive timeout (5 s) and the I/O timeout (30 s), so NVMe error recovery
// never starts: TCP retransmits with exponential backoff (RTO 200 ms, then 400 ms, 800 ms, ...;
// Linux tcp_retransmit_timer) and delivers what was in flight at the first retransmission after
// the link is back, 0.4 s after it here, so I/O stalls for about 1.4 s per flap and continues
// between them. The backoff is why flap timing matters: with 1.5 s down every 3 s
// (--set on the faults' times) each retransmission falls into the next outage, and a queue stalls
// from the first flap to past the last. Nothing is lost: every I/O completes once, none fails, and every verified block
// reads back as last written. Longer flaps would reset the controller; ctrl_loss_tmo (600 s) covers
// that too, with the I/O requeued, as keepalive-expiry.ts shows.
// test/scenario-library.test.ts asserts the stalls, the progress between flaps and the zero losses.
import { defineScenario } from 'nvmf-sim';
import type { ScenarioFault } from 'nvmf-sim';

const FLAPS_AT_MS = [1000, 5000, 9000, 13000];
const DOWN_MS = 1000;

const faults: ScenarioFault[] = FLAPS_AT_MS.flatMap((atMs): ScenarioFault[] => [
  { at: `${atMs}ms`, action: 'partition', between: ['host', 'target'] },
  { at: `${atMs + DOWN_MS}ms`, action: 'heal', between: ['host', 'target'] },
]);

export default defineScenario({
  name: 'link-flap',
  description: 'the link down for 1 s every 4 s, four times: I/O stalls and continues, nothing is lost',
  duration: '16s',
  drain: '1s',
  nodes: [{ name: 'host', cores: 2 }, { name: 'target', cores: 2 }],
  links: [{ a: 'host', b: 'target', options: { latencyUs: 8 } }],
  targets: [{ node: 'target', subsystems: [{ nqn: 'nqn.2024-01.io.nvmf-sim:flap', namespaces: [{ backend: 'ram:16MiB' }] }] }],
  hosts: [
    {
      node: 'host',
      connect: { target: 'target', nrIoQueues: 2 },
      workload: { rw: 'randrw', bs: '4k', iodepth: 8, size: '1MiB', verify: true, rateIops: 200 },
    },
  ],
  faults,
  invariants: [{ check: 'workload-progress' }, { check: 'ios-accounted' }, { check: 'no-verify-mismatch' }, { check: 'no-io-errors' }, { check: 'io-resumes' }],
});
