// Incast: 64 hosts write to one target through one switch whose ports have a shallow 256 KiB
// buffer. Every host bursts 64 KiB writes at once into the target's single port, which
// overflows: under CUBIC (Linux's default) the port tail-drops, losses at the tail of a burst
// wait for a 200 ms RTO, and the write tail grows by orders of magnitude. Under DCTCP the port
// marks ECN CE above 64 KiB queued and the senders back off in proportion before the buffer
// overflows: few drops, no RTOs, a tail near the queueing delay. This file runs CUBIC; the
// DCTCP variant sets every node's tcp.congestionControl to 'dctcp' (test/scenario-incast.test.ts).
import { defineScenario } from 'nvmf-sim';

const HOSTS = 64;
const hostNames = Array.from({ length: HOSTS }, (_, i) => `h${i + 1}`);

export default defineScenario({
  name: 'incast',
  description: '64 hosts write into one target port through a shallow-buffered switch: drops, RTOs and the tail under CUBIC; ECN marks instead under DCTCP',
  seed: 42,
  duration: '30ms',
  drain: '500ms',
  nodes: [
    ...hostNames.map((name) => ({ name, cores: 1, tcp: { congestionControl: 'cubic' as const } })),
    { name: 'target', cores: 16, tcp: { congestionControl: 'cubic' as const } },
  ],
  switch: { portBufferBytes: 256 * 1024, ecnMarkThresholdBytes: 64 * 1024, linkOptions: { latencyUs: 2 } },
  targets: [{ node: 'target', subsystems: [{ nqn: 'nqn.2024-01.io.nvmf-sim:incast', namespaces: [{ backend: 'null:64GiB' }] }] }],
  hosts: hostNames.map((node) => ({
    node,
    connect: { target: 'target', nrIoQueues: 1, queueSize: 32 },
    workload: { rw: 'randwrite' as const, bs: '64k', iodepth: 4 },
  })),
});
