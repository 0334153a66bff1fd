// The code floor: what the NVMe/TCP target and host code costs per I/O on its own, inside the
// simulator but with every model taken away. The reference scenario's workload (8 queues x QD32,
// 4 KiB random reads) runs against a null namespace (completes at once), on CPUs that charge
// nothing, over pipes that hand one side's writes to the other 1 us later (pipe-network.ts).
// What remains is the code under test (PDU encode and decode, queues, commands, completions), the
// workload engine with its statistics, and the scheduler. A simulated run of the reference cannot
// cost less per I/O than this, so its inverse bounds simulated I/Os per wall second from above.
import type { Cpu, NodeEnv, Work } from '../core/index.js';
import { SimClock } from '../core/index.js';
import { World } from '../world/index.js';
import { connectController } from '../host/index.js';
import { HostIoStats, TrackedDevice } from '../scenario/index.js';
import { NvmeTarget } from '../target/index.js';
import { WorkloadRun } from '../workload/index.js';
import { resolveJob } from '../workload/index.js';
import { PipeNetwork } from './pipe-network.js';

const NQN = 'nqn.2024-01.io.nvmf-sim:code-floor';
const PORT = 4420;
const QUEUES = 8;
const DEPTH = 256;
const PIPE_DELAY_NS = 1_000;
const NS_PER_MS = 1e6;

/** Runs work at once: the cost of the code is what the benchmark measures. */
class FreeCpu implements Cpu {
  readonly cores = 8;
  run(_core: number, _work: Work, fn: () => void): void {
    fn();
  }
}

export interface CodeFloorResult {
  readonly ios: number;
  readonly events: number;
  readonly wallSeconds: number;
  readonly simIosPerWallSecond: number;
}

/** Runs `warmupMs` then `measureMs` of simulated time and reports the measured part. */
export async function codeFloor(options: { readonly warmupMs: number; readonly measureMs: number; readonly wallClockMs: () => number }): Promise<CodeFloorResult> {
  const world = new World({ seed: 'code-floor' });
  const network = new PipeNetwork(world.scheduler, PIPE_DELAY_NS);
  const env = (name: string): NodeEnv => ({
    network,
    clock: new SimClock(world.scheduler),
    cpu: new FreeCpu(),
    rng: { stream: (stream) => world.rng.stream(`${name}/${stream}`) },
    log: world.logger(name),
  });
  const target = new NvmeTarget(env('target'), {
    subsystems: [{ nqn: NQN, allowAnyHost: true, namespaces: [{ nsid: 1, device: 'null:64GiB' }] }],
    ports: [{ portid: 1, traddr: '10.0.0.2', trsvcid: PORT, subsystems: [NQN] }],
  });
  await target.start();
  const hostEnv = env('host');
  const controllerPromise = connectController(hostEnv, { traddr: '10.0.0.2', trsvcid: PORT, nqn: NQN, nrIoQueues: QUEUES });
  await world.runForAsync(10 * NS_PER_MS);
  const controller = await controllerPromise;
  const devicePromise = controller.namespace(1);
  await world.runForAsync(NS_PER_MS);
  const device = await devicePromise;
  const stats = new HostIoStats(QUEUES);
  let succeeded = 0;
  const tracked = new TrackedDevice(device, hostEnv.clock, stats, world.fingerprint, 0, () => {
    succeeded++;
  });
  const totalNs = (options.warmupMs + options.measureMs + 1) * NS_PER_MS;
  const job = resolveJob({ name: 'code-floor', rw: 'randread', bs: 4096, iodepth: DEPTH, queues: QUEUES, runtimeNs: totalNs }, device);
  // As in the scenario runner: the TrackedDevice keeps the latency histogram.
  new WorkloadRun({ clock: hostEnv.clock, rng: hostEnv.rng }, tracked, job, { latencyHistogram: false }).start(() => {});
  await world.runForAsync(options.warmupMs * NS_PER_MS);
  const startIos = succeeded;
  const startEvents = world.scheduler.eventCount;
  const startMs = options.wallClockMs();
  await world.runForAsync(options.measureMs * NS_PER_MS);
  const wallSeconds = (options.wallClockMs() - startMs) / 1000;
  const ios = succeeded - startIos;
  const events = world.scheduler.eventCount - startEvents;
  if (ios === 0 || stats.failed > 0) throw new Error(`code floor: ${ios} I/Os, ${stats.failed} failed`);
  return { ios, events, wallSeconds, simIosPerWallSecond: ios / wallSeconds };
}
