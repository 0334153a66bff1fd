// Silent corruption on the wire: from 10 ms, once the host has connected, the link flips one
// payload byte in 1 of every 5,000 frames (silentCorruptRate), damage the TCP checksum misses (a
// NIC or switch that corrupts after checking it, a checksum-offload bug). It starts after the
// first connect because that one is not retried: `nvme connect` fails and the user runs it again,
// where a reconnect during the run tries again by itself. The host connects with NVMe/TCP digests (nvme-cli -g -G:
// hdrDigest, dataDigest). A C2HData PDU whose data CRC32C does not match fails its read with Data
// Transfer Error (Linux host/tcp.c nvme_tcp_recv_ddgst), a damaged H2CData PDU fails its write at
// the target with Transient Transport Error, and neither status has Do Not Retry, so the host sends
// the command again (core.c nvme_decide_disposition, RETRY) and no error reaches the application.
// A flipped PDU header (a command's SLBA, say, which the data digest does not cover) fails its
// header digest: the target ends the association with a C2HTermReq and the host reconnects
// (reconnect_delay 1 s), requeueing what was in flight. 256 KiB I/Os make that rare (a frame
// holds a header about once in 60). Every verified block reads back intact.
// Run without the data digest (--set hosts[0].connect.dataDigest=false) and damaged data is
// written to the media or handed to the reader: no-verify-mismatch fails, a correctness failure
// (exit 129). That failure is the point; test/scenario-library.test.ts asserts both outcomes.
import { defineScenario } from 'nvmf-sim';

export default defineScenario({
  name: 'digest-corruption',
  description: 'silent payload corruption on the link, caught by NVMe/TCP digests (-g -G) and retried; without the data digest, verify fails',
  duration: '1s',
  drain: '2s',
  nodes: [{ name: 'host', cores: 2 }, { name: 'target', cores: 2 }],
  links: [{ a: 'host', b: 'target', options: { latencyUs: 8 } }],
  targets: [{ node: 'target', subsystems: [{ nqn: 'nqn.2024-01.io.nvmf-sim:digest', namespaces: [{ backend: 'ram:16MiB' }] }] }],
  hosts: [
    {
      node: 'host',
      connect: { target: 'target', nrIoQueues: 2, hdrDigest: true, dataDigest: true, reconnectDelayS: 1 },
      workload: { rw: 'randrw', bs: '256k', iodepth: 8, size: '4MiB', verify: true, rateIops: 500 },
    },
  ],
  faults: [{ at: '10ms', action: 'setLink', between: ['host', 'target'], options: { silentCorruptRate: 0.0002 } }],
  invariants: [{ check: 'workload-progress' }, { check: 'ios-accounted' }, { check: 'no-verify-mismatch' }, { check: 'no-io-errors' }],
});
