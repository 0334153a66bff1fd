// One bad ECMP path: the host and the target sit on two leaves joined by four equal-cost paths,
// one of which loses 1% of its frames. Each NVMe/TCP queue is one TCP connection, placed on a
// path by the seeded 5-tuple hash, so only the queues hashed onto the lossy path retransmit and
// grow a latency tail; the others stay at the clean paths' latency. The per-queue table
// (`--per-queue`, perQueue in the JSON) shows which queues those are. Under another seed the
// hash places the queues differently (and may put none on the lossy path).
import { defineScenario } from 'nvmf-sim';

const path = { latencyUs: 4 };

export default defineScenario({
  name: 'multiqueue-loss',
  description: 'host and target on two leaves joined by 4 ECMP paths; path2 loses 1% of frames: only the queues hashed onto it grow a tail',
  seed: 42,
  duration: '300ms',
  nodes: [
    { name: 'host', cores: 8, nic: { bandwidthBps: 25e9 } },
    { name: 'target', cores: 8, nic: { bandwidthBps: 25e9 } },
  ],
  switch: { linkOptions: { latencyUs: 2 } },
  fabric: {
    paths: [{ options: path }, { options: { ...path, lossRate: 0.01 } }, { options: path }, { options: path }],
  },
  targets: [{ node: 'target', subsystems: [{ nqn: 'nqn.2024-01.io.nvmf-sim:multiqueue-loss', namespaces: [{ backend: 'ssd:64GiB' }] }] }],
  hosts: [
    {
      node: 'host',
      connect: { target: 'target', nrIoQueues: 8, queueSize: 32 },
      workload: { rw: 'randread', bs: '4k', iodepth: 32 },
    },
  ],
});
