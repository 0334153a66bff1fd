// Benchmark "loopback4k": our host against our target on 127.0.0.1 in this one process (null
// backend, 4 I/O queues, 32 outstanding per queue, 4 KiB random reads), compared with the raw
// Node loopback exchange of the same bytes (raw-exchange.ts), also both ends in this process, so
// the ratio measures what the NVMe/TCP stack costs on top of the sockets. Goal: ratio >= 0.25.
import { connectController } from '../host/index.js';
import { cliEnv, startTarget } from '../cli/index.js';
import { WorkloadRun } from '../workload/index.js';
import { resolveJob } from '../workload/index.js';
import type { WorkloadResult } from '../workload/index.js';
import type { Benchmark } from './benchmark.js';
import { rawExchange } from './raw-exchange.js';

const QUEUES = 4;
const DEPTH_PER_QUEUE = 32;
const BLOCK_BYTES = 4096;
/** NVMe/TCP wire sizes: CapsuleCmd PDU out; C2HData header + data + CapsuleResp back. */
const COMMAND_PDU_BYTES = 72;
const RESPONSE_BYTES = 24 + BLOCK_BYTES + 24;
const NQN = 'nqn.2014-08.org.nvmexpress:nvmf-sim:bench';
const GOAL_RATIO = 0.25;
const WARMUP_S = 1;

async function stackIops(seconds: number): Promise<{ iops: number; p50Us: number; p99Us: number }> {
  const targetEnv = cliEnv({ seed: 'bench-target', logPrefix: 'bench target: ' });
  const hostEnv = cliEnv({ seed: 'bench-host', logPrefix: 'bench host: ' });
  const target = await startTarget(targetEnv, {
    subsystems: [{ nqn: NQN, allowAnyHost: true, namespaces: [{ nsid: 1, device: 'null:1GiB' }] }],
    ports: [{ portid: 1, traddr: '127.0.0.1', trsvcid: 0, subsystems: [NQN] }],
  });
  try {
    const port = target.ports[0]?.trsvcid ?? 0;
    const controller = await connectController(hostEnv, {
      traddr: '127.0.0.1',
      trsvcid: port,
      nqn: NQN,
      nrIoQueues: QUEUES,
    });
    try {
      const device = await controller.namespace(1);
      const run = async (runtimeS: number): Promise<WorkloadResult> => {
        const job = resolveJob(
          { name: 'loopback4k', rw: 'randread', bs: BLOCK_BYTES, iodepth: QUEUES * DEPTH_PER_QUEUE, queues: QUEUES, runtimeNs: runtimeS * 1e9 },
          device,
        );
        return new Promise((resolve) => new WorkloadRun(hostEnv, device, job).start(resolve));
      };
      await run(WARMUP_S);
      const result = await run(seconds);
      if (result.errors > 0) throw new Error(`loopback4k: ${result.errors} I/O errors (first status ${result.firstError?.status})`);
      const clat = result.read.clat;
      return {
        iops: result.read.ios / (result.read.runtimeNs / 1e9),
        p50Us: (clat.percentile['50.000000'] ?? 0) / 1000,
        p99Us: (clat.percentile['99.000000'] ?? 0) / 1000,
      };
    } finally {
      await controller.disconnect();
    }
  } finally {
    await target.stop();
    targetEnv.clock.clearAll();
    hostEnv.clock.clearAll();
  }
}

export const loopback4k: Benchmark = {
  name: 'loopback4k',
  description: `4 KiB random reads, ${QUEUES} queues x ${DEPTH_PER_QUEUE}, host and null-backed target in one process, vs raw loopback`,
  async run(options) {
    options.note(`loopback4k: NVMe/TCP stack, ${WARMUP_S} s warm-up + ${options.seconds} s`);
    const stack = await stackIops(options.seconds);
    options.note(`loopback4k: raw exchange, ${options.seconds} s`);
    const raw = await rawExchange({
      connections: QUEUES,
      depth: DEPTH_PER_QUEUE,
      requestBytes: COMMAND_PDU_BYTES,
      responseBytes: RESPONSE_BYTES,
      warmupMs: WARMUP_S * 1000,
      durationMs: options.seconds * 1000,
    });
    const ratio = stack.iops / raw.requestsPerS;
    return {
      loopback4k: {
        iops: Math.round(stack.iops),
        rawExchangeRate: Math.round(raw.requestsPerS),
        ratio: Number(ratio.toFixed(3)),
        clatP50Us: Number(stack.p50Us.toFixed(1)),
        clatP99Us: Number(stack.p99Us.toFixed(1)),
        goal: { ratio: GOAL_RATIO, met: ratio >= GOAL_RATIO },
      },
    };
  },
};
