// The reference scenario: one host and one target, 8 cores each, on a 25 Gb/s link with 8 µs
// one-way latency; 8 I/O queues of depth 32 doing 4 KiB random reads from the simulated SSD for one
// simulated second. It is the yardstick for the simulator's speed (simulated I/Os per wall second)
// and the baseline the fault scenarios are compared with.
import { defineScenario } from 'nvmf-sim';
export default defineScenario({
    name: 'reference',
    description: '1 host, 1 target, 25 Gb/s, 8 us, 8 queues x QD32, 4 KiB random reads on the ssd model',
    seed: 42,
    duration: '1s',
    nodes: [
        { name: 'host', cores: 8, cpuProfile: 'tcp', nic: { bandwidthBps: 25e9 } },
        { name: 'target', cores: 8, cpuProfile: 'tcp', nic: { bandwidthBps: 25e9 } },
    ],
    links: [{ a: 'host', b: 'target', options: { latencyUs: 8 } }],
    targets: [
        {
            node: 'target',
            subsystems: [{ nqn: 'nqn.2024-01.io.nvmf-sim:reference', namespaces: [{ backend: 'ssd:64GiB' }] }],
        },
    ],
    hosts: [
        {
            node: 'host',
            connect: { target: 'target', nrIoQueues: 8, queueSize: 32 },
            // 8 queues x 32 outstanding each.
            workload: { rw: 'randread', bs: '4k', iodepth: 256 },
        },
    ],
});
