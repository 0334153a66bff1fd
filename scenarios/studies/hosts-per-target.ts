// How many hosts one target serves at p99 under 1 ms, and what saturates first. Each host runs
// 8 I/O queues at QD16 of 4 KiB random reads (128 outstanding); every node has a 25 Gb/s port
// on one switch; the target has 16 cores and one simulated datacenter SSD.
import { defineStudy, type Scenario, type StudyPoint } from 'nvmf-sim';

function scenario(point: StudyPoint): Scenario {
  const count = Number(point['hosts']);
  const names = Array.from({ length: count }, (_, i) => `h${i + 1}`);
  return {
    name: `hosts-per-target-${count}`,
    description: `${count} host(s) x 8 queues x QD16, 4 KiB random reads, 25 Gb/s through one switch`,
    seed: 1,
    duration: '20ms',
    nodes: [
      ...names.map((name) => ({ name, cores: 8, cpuProfile: 'tcp' as const, nic: { bandwidthBps: 25e9 } })),
      { name: 'target', cores: 16, cpuProfile: 'tcp', nic: { bandwidthBps: 25e9 } },
    ],
    switch: { portBufferBytes: 1024 * 1024, linkOptions: { latencyUs: 2 } },
    targets: [{ node: 'target', subsystems: [{ nqn: 'nqn.2024-01.io.nvmf-sim:shared', namespaces: [{ backend: 'ssd:1TiB' }] }] }],
    hosts: names.map((name) => ({
      node: name,
      connect: { target: 'target', nrIoQueues: 8, queueSize: 16 },
      workload: { rw: 'randread', bs: '4k', iodepth: 128 },
    })),
  };
}

export default defineStudy({
  name: 'hosts-per-target',
  description: 'hosts of 8 queues x QD16 (4 KiB random reads) that one 25 Gb/s target serves at p99 < 1 ms',
  scenario,
  axes: [{ name: 'hosts', values: [1, 2, 4, 6, 8, 12, 16, 24] }],
  seeds: 2,
  questions: [{ kind: 'largest', axis: 'hosts', metric: 'latencyUs.p99', below: 1000, label: 'hosts per target at p99 < 1 ms' }],
});
