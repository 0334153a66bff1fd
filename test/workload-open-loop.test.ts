// Open-loop load (fio rate_iops / rate_process): arrivals on their own schedule, iodepth as a cap,
// latency counted from each arrival (no coordinated omission) beside clat from submission, and
// per-queue latency. A memory device with a fixed service time on a fake clock makes every figure
// exact or bounded.
import test from 'ava';
import { SeededRngSource } from '../sim/core/rng.js';
import { runWorkload } from '../sim/workload/engine.js';
import { fioOutput } from '../sim/workload/fio-json.js';
import { JobError, resolveJob, type JobSpec } from '../sim/workload/job.js';
import { MemoryDevice } from '../sim/workload/memory-device.js';
import type { WorkloadResult } from '../sim/workload/stats.js';
import { FakeClock } from './helpers/fake-clock.js';

const MiB = 1024 * 1024;
const US = 1000;

async function run(spec: JobSpec, serviceNs: number, seed = 7): Promise<{ result: WorkloadResult; device: MemoryDevice; submitted: number[] }> {
  const clock = new FakeClock();
  const device = new MemoryDevice(64 * MiB, { clock, latencyNs: serviceNs });
  const submitted: number[] = [];
  const submit = device.submit.bind(device);
  device.submit = (io, callback) => {
    submitted.push(clock.now);
    submit(io, callback);
  };
  const done = runWorkload({ clock, rng: new SeededRngSource(seed) }, device, spec);
  clock.run();
  return { result: await done, device, submitted };
}

test('workload: a linear open loop under capacity issues on schedule, latency equals service time', async (t) => {
  // 10k IOPS for 10 ms against a 10 µs device with 4 slots: never more than one in flight.
  const { result, submitted } = await run({ rw: 'randread', rateIops: 10_000, iodepth: 4, runtimeNs: 10e6 }, 10 * US);
  t.is(result.read.ios, 100);
  t.deepEqual(submitted.slice(0, 4), [0, 100 * US, 200 * US, 300 * US]);
  t.is(result.read.clat.max, 10 * US);
  t.is(result.read.lat?.max, 10 * US);
});

test('workload: an overloaded open loop counts waiting in the host; clat does not', async (t) => {
  // 100k IOPS offered, one slot on a 100 µs device: 10k IOPS served, the backlog grows all run.
  const { result } = await run({ rw: 'randread', rateIops: 100_000, iodepth: 1, runtimeNs: 10e6 }, 100 * US);
  t.true(result.read.ios >= 99 && result.read.ios <= 101, `${result.read.ios} I/Os`);
  t.is(result.read.clat.max, 100 * US);
  const lat = result.read.lat;
  if (lat === undefined) return t.fail('open loop reports lat');
  // The last I/O arrived about 1 ms into the run and waited until about 10 ms.
  t.true(lat.max > 8000 * US, `lat max ${lat.max}`);
  t.true(lat.mean > 20 * result.read.clat.mean, `lat mean ${lat.mean} vs clat mean ${result.read.clat.mean}`);
  const job = resolveJob({ rw: 'randread', rateIops: 100_000, iodepth: 1, runtimeNs: 10e6 }, { blockSize: 512, sizeBytes: 64 * MiB });
  const fio = fioOutput([{ job, result }]).jobs[0];
  t.is(fio?.read.lat_ns.max, lat.max);
  t.is(fio?.read.clat_ns.max, 100 * US);
});

test('workload: Poisson arrivals replay from the seed and average the rate', async (t) => {
  const spec: JobSpec = { rw: 'randread', rateIops: 50_000, rateProcess: 'poisson', iodepth: 64, runtimeNs: 40e6 };
  const a = await run(spec, 5 * US, 3);
  const b = await run(spec, 5 * US, 3);
  const c = await run(spec, 5 * US, 4);
  t.deepEqual(a.submitted, b.submitted);
  t.notDeepEqual(a.submitted, c.submitted);
  // 2000 arrivals expected; a Poisson count has a standard deviation of about 45.
  t.true(Math.abs(a.result.read.ios - 2000) < 200, `${a.result.read.ios} I/Os`);
  const gaps = a.submitted.slice(1).map((at, i) => at - (a.submitted[i] ?? 0));
  t.true(gaps.some((gap) => gap < 5 * US) && gaps.some((gap) => gap > 60 * US), 'gaps vary as an exponential does');
});

test('workload: per-queue latency is reported for each queue', async (t) => {
  const { result } = await run({ rw: 'randread', iodepth: 4, queues: 2, ioSizeBytes: 400 * 4096 }, 25 * US);
  t.is(result.queues.length, 2);
  for (const queue of result.queues) {
    t.is(queue.ios, 200);
    t.deepEqual(queue.latencyUs, { p50: 25, p99: 25, p999: 25, max: 25, mean: 25 });
  }
  t.is(result.read.lat, undefined, 'closed loop reports no separate lat');
});

test('workload: bad rates are refused naming the option', (t) => {
  const geometry = { blockSize: 512, sizeBytes: 64 * MiB };
  const negative = t.throws(() => resolveJob({ rw: 'randread', rateIops: -1 }, geometry), { instanceOf: JobError });
  t.is(negative?.field, 'rate_iops');
  const process = t.throws(() => resolveJob({ rw: 'randread', rateIops: 10, rateProcess: 'bursty' as 'linear' }, geometry), {
    instanceOf: JobError,
  });
  t.regex(process?.message ?? '', /^rate_process: unknown process 'bursty'/);
});
