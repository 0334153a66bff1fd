// The comparison of the document this project started from ("NVMe-RDMA vs NVMe-TCP", Oracle Linux
// UEK6; docs/protocol.md summarises it): two hosts with 40 GbE ConnectX-5 ports, fio 8 KiB random
// reads, first RoCEv2 then TCP on the same ports. Here: two 32-core nodes on a 40 Gb/s link, the
// `tcp` and `rdma` CPU profiles, one I/O queue per fio thread at QD32, threads 1 to 32, plus the
// single-thread QD1 latency point. The article found RDMA far ahead at one thread, TCP level at
// 32 threads, and TCP's QD1 latency 30% above RDMA's.
import { defineStudy, type Scenario, type StudyPoint } from 'nvmf-sim';

function scenario(point: StudyPoint): Scenario {
  const threads = Number(point['threads']);
  const qd = Number(point['qd']);
  return {
    name: `seed-${String(point['profile'])}-${threads}x${qd}`,
    description: `${threads} thread(s) x QD${qd}, 8 KiB random reads, 40 Gb/s`,
    seed: 1,
    duration: '40ms',
    nodes: [
      { name: 'host', cores: 32, cpuProfile: 'tcp', nic: { bandwidthBps: 40e9 } },
      { name: 'target', cores: 32, cpuProfile: 'tcp', nic: { bandwidthBps: 40e9 } },
    ],
    links: [{ a: 'host', b: 'target', options: { latencyUs: 2 } }],
    targets: [{ node: 'target', subsystems: [{ nqn: 'nqn.2024-01.io.nvmf-sim:seed', namespaces: [{ backend: 'ssd:64GiB' }] }] }],
    hosts: [
      {
        node: 'host',
        // One fio thread per I/O queue, as fio threads on different CPUs map to different queues.
        connect: { target: 'target', nrIoQueues: threads, queueSize: Math.max(32, qd) },
        workload: { rw: 'randread', bs: '8k', iodepth: threads * qd },
      },
    ],
  };
}

export default defineStudy({
  name: 'seed-tcp-vs-rdma',
  description: 'NVMe/TCP against NVMe-RDMA as fio threads grow (8 KiB random reads, QD32 per thread), and QD1 latency',
  scenario,
  axes: [
    { name: 'profile', path: 'nodes[*].cpuProfile', values: ['tcp', 'rdma'] },
    { name: 'threads', values: [1, 2, 4, 8, 16, 32] },
    { name: 'qd', values: [32, 1] },
  ],
  // QD1 only with one thread: the article's latency point.
  where: (point) => point['qd'] === 32 || point['threads'] === 1,
  seeds: 3,
  questions: [{ kind: 'knee', axis: 'threads', metric: 'iops', label: 'threads where IOPS stops growing' }],
});
