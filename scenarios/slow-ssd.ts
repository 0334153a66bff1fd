// A device tail against the host's io_timeout. The target's SSD (the `ssd` model) turns slow at
// 1 s: every command takes 1.5 s longer (slowDevice), as a drive stalling in garbage collection
// or firmware error recovery would, until it recovers at 2.5 s (repairDevice). The host's
// io_timeout is 1 s (nvme_core.io_timeout=1), shorter than the stall. The first command to
// outlive it times out (host/tcp.c nvme_tcp_timeout, logged as "timeout cid ... opcode ...") and
// the host resets the controller: it tears down the association, takes back every command in
// flight, reconnects after reconnect_delay (1 s) and resends them, by then to a healthy device.
// No error reaches the application (each command is retried once, within nvme_max_retries) and
// every verified block reads back as last written.
// test/scenario-library.test.ts asserts the timeouts, the reset and the recovery.
import { defineScenario } from 'nvmf-sim';

export default defineScenario({
  name: 'slow-ssd',
  description: 'the SSD stalls 1.5 s per command for 1.5 s against a 1 s io_timeout: timeouts, a controller reset, recovery',
  duration: '5s',
  drain: '2s',
  nodes: [{ name: 'host', cores: 2 }, { name: 'target', cores: 2 }],
  links: [{ a: 'host', b: 'target', options: { latencyUs: 8 } }],
  targets: [{ node: 'target', subsystems: [{ nqn: 'nqn.2024-01.io.nvmf-sim:slow', namespaces: [{ backend: 'ssd:1GiB' }] }] }],
  hosts: [
    {
      node: 'host',
      connect: { target: 'target', nrIoQueues: 2, ioTimeoutS: 1, reconnectDelayS: 1 },
      workload: { rw: 'randrw', bs: '4k', iodepth: 8, size: '4MiB', verify: true, rateIops: 500 },
    },
  ],
  faults: [
    { at: '1s', action: 'slowDevice', target: 'target', addedLatencyUs: 1_500_000 },
    { at: '2500ms', action: 'repairDevice', target: 'target' },
  ],
  invariants: [{ check: 'workload-progress' }, { check: 'ios-accounted' }, { check: 'no-verify-mismatch' }, { check: 'no-io-errors' }, { check: 'io-resumes' }],
});
