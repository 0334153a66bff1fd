// ANA failover: one target exporting one subsystem on two ports, as nvmet's ports/1 and ports/2,
// each with its own NIC and link to the switch; port 1 is ANA optimized, port 2 non-optimized.
// One multipath host connects both ports (two controllers of one subsystem, one namespace head)
// and runs verified random I/O. At 100 ms the optimized port's link is partitioned (targetPort):
// I/O caught on it times out (ioTimeoutS 50 ms, the detection bound here, far below the 5 s
// keep-alive), the controller resets, and native multipath fails that I/O over to the
// non-optimized port. At 200 ms the target moves ANA (setAnaState): port 2's group becomes
// optimized and port 1's, still cut off, inaccessible. Results give each path's I/O and latency
// and each failover's stall; run it per policy with --set hosts[0].connect.iopolicy=...
// (test/scenario-multipath.test.ts does, and asserts the outcome for each).
import { defineScenario } from 'nvmf-sim';

const NQN = 'nqn.2024-01.io.nvmf-sim:ana-failover';

export default defineScenario({
  name: 'ana-failover',
  description: 'the optimized port of a two-port target partitioned, then ANA moved to the other port, under a multipath host',
  duration: '300ms',
  drain: '100ms',
  nodes: [{ name: 'host' }, { name: 'target' }],
  switch: { forwardingLatencyNs: 2000, linkOptions: { latencyUs: 5 } },
  targets: [
    {
      node: 'target',
      subsystems: [{ nqn: NQN, namespaces: [{ backend: 'ram:64MiB' }] }],
      ports: [
        { id: 1, nic: {}, anaGroups: [{ grpid: 1, state: 'optimized' }] },
        { id: 2, nic: {}, anaGroups: [{ grpid: 1, state: 'non-optimized' }] },
      ],
    },
  ],
  hosts: [
    {
      node: 'host',
      connect: { target: 'target', port: 1, paths: [{ target: 'target', port: 2 }], iopolicy: 'numa', nrIoQueues: 2, ioTimeoutS: 0.05 },
      workload: { rw: 'randrw', bs: '4k', iodepth: 8, size: '4MiB', verify: true, rateIops: 20000 },
    },
  ],
  faults: [
    { at: '100ms', action: 'partition', targetPort: { target: 'target', port: 1 } },
    { at: '200ms', action: 'setAnaState', target: 'target', port: 2, group: 1, state: 'optimized' },
    { at: '200ms', action: 'setAnaState', target: 'target', port: 1, group: 1, state: 'inaccessible' },
  ],
  invariants: [{ check: 'ios-accounted' }, { check: 'no-verify-mismatch' }, { check: 'workload-progress' }, { check: 'no-app-errors-with-a-path' }],
});
