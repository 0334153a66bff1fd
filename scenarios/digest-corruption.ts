// Silent corruption on the wire: the link flips one payload byte in 1 of every 200 frames
// (silentCorruptRate), a fault the TCP checksum misses (a NIC or switch that corrupts after
// checking, or a checksum offload bug). The host connects with the data digest (nvme-cli -G,
// dataDigest): a C2HData PDU whose CRC32C does not match fails its read with Data Transfer Error
// (Linux host/tcp.c nvme_tcp_recv_ddgst), an H2CData PDU the target finds damaged fails its write
// with Transient Transport Error (NVMe/TCP 1.0 section 3.6.2.7), and the host retries both
// (core.c nvme_decide_disposition: no DNR, so the command is retried), so every verified block
// reads back intact. Run without it (--set hosts[0].connect.dataDigest=false) the damaged data is
// written to the media or handed to the application as read: no-verify-mismatch fails, a
// correctness failure (exit 129). That failure is the point (test/scenario-library.test.ts).
import { defineScenario } from 'nvmf-sim';

export default defineScenario({
  name: 'digest-corruption',
  description: 'silent payload corruption on the link, caught by the NVMe/TCP data digest (-G); without it, verify fails',
  duration: '200ms',
  drain: '100ms',
  nodes: [{ name: 'host', cores: 2 }, { name: 'target', cores: 2 }],
  links: [{ a: 'host', b: 'target', options: { latencyUs: 8, silentCorruptRate: 0.005 } }],
  targets: [{ node: 'target', subsystems: [{ nqn: 'nqn.2024-01.io.nvmf-sim:digest', namespaces: [{ backend: 'ram:16MiB' }] }] }],
  hosts: [
    {
      node: 'host',
      connect: { target: 'target', nrIoQueues: 2, hdrDigest: true, dataDigest: true },
      workload: { rw: 'randrw', bs: '16k', iodepth: 8, size: '2MiB', verify: true },
    },
  ],
  invariants: [{ check: 'workload-progress' }, { check: 'ios-accounted' }, { check: 'no-verify-mismatch' }, { check: 'no-io-errors' }],
});
