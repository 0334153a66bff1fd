// A partition longer than the keep-alive timeout. Host and target are cut off from each other
// from 1 s to 12 s, 11 s against a KATO of 5 s (more than twice KATO, so that both ends' timers
// run out inside it). Both notice:
// - the host's keep-alive command gets no answer within KATO (at 7.5 s), so it starts error
//   recovery (host core.c nvme_keep_alive_work; tcp.c nvme_tcp_timeout), keeps the I/O in flight
//   for a resend, and tries to reconnect every reconnect_delay (2 s here), each attempt failing
//   while the partition lasts;
// - the target's traffic-based keep-alive timer sees a whole KATO period without a command and
//   expires the controller at 10 s (Linux nvmet core.c nvmet_keep_alive_timer: "keep-alive timer
//   expired", a fatal error that tears down its queues and discards what they held).
// After the heal the host's next attempt (at 14.5 s) makes the target create a new controller, the
// old one being gone, and the host resends what it held: no error reaches the application and
// every block verifies.
// test/scenario-library.test.ts asserts the target's expiry, the reconnect and that I/O resumes.
import { defineScenario } from 'nvmf-sim';

export default defineScenario({
  name: 'keepalive-expiry',
  description: 'an 11 s partition against a 5 s KATO: the target expires the controller, the host reconnects after the heal',
  duration: '17s',
  drain: '1s',
  nodes: [{ name: 'host', cores: 2 }, { name: 'target', cores: 2 }],
  links: [{ a: 'host', b: 'target', options: { latencyUs: 8 } }],
  targets: [{ node: 'target', subsystems: [{ nqn: 'nqn.2024-01.io.nvmf-sim:kato', namespaces: [{ backend: 'ram:16MiB' }] }] }],
  hosts: [
    {
      node: 'host',
      connect: { target: 'target', nrIoQueues: 2, keepAliveTmoS: 5, reconnectDelayS: 2 },
      workload: { rw: 'randrw', bs: '4k', iodepth: 4, size: '1MiB', verify: true, rateIops: 100 },
    },
  ],
  faults: [
    { at: '1s', action: 'partition', between: ['host', 'target'] },
    { at: '12s', action: 'heal', between: ['host', 'target'] },
  ],
  invariants: [{ check: 'workload-progress' }, { check: 'ios-accounted' }, { check: 'no-verify-mismatch' }, { check: 'no-io-errors' }, { check: 'io-resumes' }],
});
