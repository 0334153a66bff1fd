// A target outage of 20 s: the target loses power at 1 s (no FIN or RST reaches the hosts) and
// boots again at 21 s on the same media. Two hosts run verified random I/O, the same but for
// ctrl_loss_tmo, with Linux's other defaults. Each notices the loss by its keep-alive timeout
// (kato 5 s; at 7.5 s), tears its queues down keeping the I/O in flight, and tries to reconnect
// every reconnect_delay (10 s); an attempt against the dead target fails after about 3 s, as the
// Linux host allows its TCP connect one SYN retransmission (tcp.c nvme_tcp_alloc_queue).
// - `patient` (ctrl_loss_tmo 600, the default) keeps trying, reconnects once the target is back
//   (its second attempt, at 30.5 s) and resends what it held: no error reaches the application,
//   and every block reads back as last written.
// - `impatient` (ctrl_loss_tmo 10) may try ceil(10 / 10) = 1 time (fabrics.c nvmf_should_reconnect,
//   tcp.c nvme_tcp_reconnect_or_remove): when that attempt fails, 13 s after the loss was noticed,
//   the controller is removed and its I/O fails with Host Path Error, before the target returns.
//   Its workload stops at that first error (stopOnError, as an application that gives up would).
// test/scenario-library.test.ts asserts both.
import { defineScenario } from 'nvmf-sim';

const NQN = 'nqn.2024-01.io.nvmf-sim:restart';
const workload = { rw: 'randrw', bs: '4k', iodepth: 4, size: '1MiB', verify: true, rateIops: 100 } as const;

export default defineScenario({
  name: 'target-restart',
  description: 'a 20 s target outage under hosts with ctrl_loss_tmo 600 (recovers, no errors) and 10 (I/O fails after about 10 s)',
  duration: '33s',
  drain: '1s',
  nodes: [{ name: 'patient', cores: 2 }, { name: 'impatient', cores: 2 }, { name: 'target', cores: 2 }],
  switch: { linkOptions: { latencyUs: 5 } },
  targets: [{ node: 'target', subsystems: [{ nqn: NQN, namespaces: [{ backend: 'ram:16MiB' }] }] }],
  hosts: [
    { node: 'patient', connect: { target: 'target', nrIoQueues: 2, ctrlLossTmoS: 600 }, workload },
    {
      node: 'impatient',
      connect: { target: 'target', nrIoQueues: 2, ctrlLossTmoS: 10 },
      workload: { ...workload, offset: '1MiB', stopOnError: true },
    },
  ],
  faults: [
    { at: '1s', action: 'crash', node: 'target' },
    { at: '21s', action: 'restart', node: 'target' },
  ],
  invariants: [{ check: 'workload-progress' }, { check: 'ios-accounted' }, { check: 'no-verify-mismatch' }, { check: 'io-resumes' }],
});
