// ANA failover: one subsystem behind two targets (two controllers of one storage system sharing
// the namespace's media), the first path ANA optimized and the second non-optimized, and one
// multipath host running verified random I/O. At 100 ms the optimized target's link to the switch is
// partitioned:
// I/O caught on it times out (ioTimeoutS 50 ms, the detection bound here, far below the 5 s
// keep-alive), the controller resets, and native multipath fails that I/O over to the
// non-optimized path. At 200 ms the storage system moves ANA (setAnaState): the second path
// becomes optimized and the first, still cut off, inaccessible. Results give each path's I/O and
// latency and each failover's stall; run it per policy with --set hosts[0].connect.iopolicy=...
// (test/scenario-multipath.test.ts does, and asserts no application error for each).
import { defineScenario } from 'nvmf-sim';

const NQN = 'nqn.2024-01.io.nvmf-sim:ana-failover';

export default defineScenario({
  name: 'ana-failover',
  description: 'optimized path partitioned, then ANA moved to the other target, under a multipath host',
  duration: '300ms',
  drain: '100ms',
  nodes: [{ name: 'host' }, { name: 'ta' }, { name: 'tb' }],
  switch: { forwardingLatencyNs: 2000, linkOptions: { latencyUs: 5 } },
  targets: [
    { node: 'ta', subsystems: [{ nqn: NQN, namespaces: [{ backend: 'ram:64MiB' }] }] },
    { node: 'tb', subsystems: [{ nqn: NQN, namespaces: [{ backend: 'ram:64MiB' }] }], anaGroups: [{ grpid: 1, state: 'non-optimized' }] },
  ],
  hosts: [
    {
      node: 'host',
      connect: { target: 'ta', paths: [{ target: 'tb' }], iopolicy: 'numa', nrIoQueues: 2, ioTimeoutS: 0.05 },
      workload: { rw: 'randrw', bs: '4k', iodepth: 8, size: '4MiB', verify: true, rateIops: 20000 },
    },
  ],
  faults: [
    { at: '100ms', action: 'partition', between: ['ta', 'switch'] },
    { at: '200ms', action: 'setAnaState', target: 'tb', port: 1, group: 1, state: 'optimized' },
    { at: '200ms', action: 'setAnaState', target: 'ta', port: 1, group: 1, state: 'inaccessible' },
  ],
  invariants: [{ check: 'ios-accounted' }, { check: 'no-verify-mismatch' }, { check: 'workload-progress' }, { check: 'no-app-errors-with-a-path' }],
});
