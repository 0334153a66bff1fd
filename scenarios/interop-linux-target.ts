// Interoperability under faults: our host against a real Linux nvmet-tcp target in the QEMU VM
// (runtime 'qemu'). One host machine runs two of our hosts, each with 4 I/O queues: 4 KiB random
// reads, and a verified 4 KiB random read/write mix. The target's link has 200 µs of delay; from
// 1 s to 2 s it also loses 5% of the packets the target sends (setLink, applied as tc-netem in the
// guest). The run takes 3 s of real time after the VM has booted; the report says timeBase 'real'
// and makes no fingerprint claim. The namespace is a tmpfs file ('ram:', 4096-byte blocks), so the
// same file also runs in the simulator if the runtime line is removed.
import { defineScenario } from 'nvmf-sim';

const NQN = 'nqn.2014-08.org.nvmf-sim:interop-linux-target';

export default defineScenario({
  name: 'interop-linux-target',
  description: 'our host vs Linux nvmet-tcp on qemu: 4 KiB randread + verified randrw, 5% loss from 1 s to 2 s',
  seed: 7,
  duration: '3s',
  // Real time: wait at most this long for the last I/Os (a lost target would otherwise cost 60 s).
  drain: '10s',
  nodes: [
    { name: 'host', cores: 4 },
    { name: 'linux', runtime: 'qemu' },
  ],
  links: [{ a: 'host', b: 'linux', options: { latencyUs: 200 } }],
  targets: [{ node: 'linux', subsystems: [{ nqn: NQN, namespaces: [{ backend: 'ram:64MiB', blockSize: 4096 }] }] }],
  hosts: [
    {
      name: 'reader',
      node: 'host',
      connect: { target: 'linux', nrIoQueues: 4, queueSize: 32 },
      workload: { rw: 'randread', bs: '4k', iodepth: 16 },
    },
    {
      name: 'verifier',
      node: 'host',
      connect: { target: 'linux', nrIoQueues: 4, queueSize: 32, dataDigest: true },
      workload: { rw: 'randrw', bs: '4k', iodepth: 8, size: '16MiB', verify: true },
    },
  ],
  faults: [
    { at: '1s', action: 'setLink', between: ['host', 'linux'], options: { lossRate: 0.05 } },
    { at: '2s', action: 'setLink', between: ['host', 'linux'], options: { lossRate: 0 } },
  ],
});
