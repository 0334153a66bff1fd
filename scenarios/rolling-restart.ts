// Rolling restart: two targets behind one subsystem NQN (two controllers of one storage system,
// sharing the namespace's media), and one multipath host running verified random writes and reads
// through both. Each target is restarted in turn (a reboot: its connections reset, it serves again
// at once), the second after the first has reconnected (reconnect_delay is at least 1 s); the host's native multipath moves I/O to the other
// path each time, so no error reaches the application and every verified block reads back intact.
import { defineScenario } from 'nvmf-sim';

const NQN = 'nqn.2024-01.io.nvmf-sim:rolling';

export default defineScenario({
  name: 'rolling-restart',
  description: 'two targets behind one subsystem restarted one at a time under a multipath host',
  duration: '1500ms',
  drain: '100ms',
  nodes: [{ name: 'host' }, { name: 'ta' }, { name: 'tb' }],
  switch: { forwardingLatencyNs: 2000 },
  targets: [
    { node: 'ta', subsystems: [{ nqn: NQN, namespaces: [{ backend: 'ram:64MiB' }] }] },
    { node: 'tb', subsystems: [{ nqn: NQN, namespaces: [{ backend: 'ram:64MiB' }] }] },
  ],
  hosts: [
    {
      node: 'host',
      connect: { target: 'ta', paths: [{ target: 'tb' }], iopolicy: 'round-robin', nrIoQueues: 2, reconnectDelayS: 1, ioTimeoutS: 1 },
      workload: { rw: 'randrw', bs: '4k', iodepth: 8, size: '4MiB', verify: true, rateIops: 20000 },
    },
  ],
  faults: [
    { at: '100ms', action: 'restart', node: 'ta' },
    { at: '1300ms', action: 'restart', node: 'tb' },
  ],
  invariants: [{ check: 'ios-accounted' }, { check: 'no-verify-mismatch' }, { check: 'workload-progress' }, { check: 'no-io-errors' }, { check: 'no-app-errors-with-a-path' }],
});
