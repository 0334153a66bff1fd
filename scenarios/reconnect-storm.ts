// A reconnect storm: 200 hosts, each with one I/O queue and a trickle of verified I/O, on one
// target behind a switch. The target reboots at 100 ms (restart: every connection is gone, and it
// serves again at once). Each host learns it from the RST its next I/O or keep-alive draws, starts
// error recovery, and after reconnect_delay (1 s here) all of them reconnect within the same few
// milliseconds: 400 TCP handshakes, ICReq/ICResp exchanges, Fabrics Connects, property reads and
// Identify commands land on the target's two cores at once. The figure is the time from the
// restart until the last host is live again; every host must get there (ctrl_loss_tmo 600) and no
// I/O may fail or be lost. test/scenario-library.test.ts asserts that all 200 reconnect.
import { defineScenario } from 'nvmf-sim';
import type { ScenarioHost, ScenarioNode } from 'nvmf-sim';

const HOSTS = 200;
const names = Array.from({ length: HOSTS }, (_, index) => `h${String(index + 1).padStart(3, '0')}`);
const hostNodes: ScenarioNode[] = names.map((name) => ({ name, cores: 1 }));
const hosts: ScenarioHost[] = names.map((name, index) => ({
  node: name,
  connect: { target: 'target', nrIoQueues: 1, queueSize: 32, reconnectDelayS: 1 },
  // Each host its own 64 KiB of the namespace, 20 I/Os per second.
  workload: { rw: 'randrw', bs: '4k', iodepth: 1, offset: `${index * 64}k`, size: '64k', verify: true, rateIops: 20 },
}));

export default defineScenario({
  name: 'reconnect-storm',
  description: '200 hosts reconnecting at once after a target restart: time until all are live',
  duration: '2s',
  drain: '500ms',
  nodes: [...hostNodes, { name: 'target', cores: 2 }],
  switch: { forwardingLatencyNs: 1000, linkOptions: { latencyUs: 5 } },
  targets: [{ node: 'target', subsystems: [{ nqn: 'nqn.2024-01.io.nvmf-sim:storm', namespaces: [{ backend: 'ram:64MiB' }] }] }],
  hosts,
  faults: [{ at: '100ms', action: 'restart', node: 'target' }],
  invariants: [{ check: 'workload-progress' }, { check: 'ios-accounted' }, { check: 'no-verify-mismatch' }, { check: 'no-io-errors' }, { check: 'io-resumes' }],
});
