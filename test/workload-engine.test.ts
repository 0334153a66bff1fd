// Workload engine: a fio-like job against an in-memory device on a manual clock. Checks that the
// same seed replays the same offsets, that verification catches corruption, the size and runtime
// stop conditions, errors, and the fio JSON shape.
import test, { type ExecutionContext } from 'ava';
import type { Clock, Timer } from '../sim/core/env.js';
import { SeededRngSource } from '../sim/core/rng.js';
import { FIO_PERCENTILES, percentileKey } from '../sim/stats/latency.js';
import { fioOutput } from '../sim/workload/fio-json.js';
import { formatFioText } from '../sim/workload/fio-text.js';
import { JobError, resolveJob, type JobSpec } from '../sim/workload/job.js';
import { MemoryDevice } from '../sim/workload/memory-device.js';
import { runWorkload, WorkloadRun } from '../sim/workload/engine.js';
import type { WorkloadIo, WorkloadIoCallback } from '../sim/workload/device.js';
import type { WorkloadProgress, WorkloadResult } from '../sim/workload/stats.js';

/** Virtual time: timers fire only when run() advances the clock to them, in (time, id) order. */
class ManualClock implements Clock {
  #now = 0;
  #nextId = 1;
  #timers = new Map<number, { at: number; fn: () => void }>();
  nowNs(): number {
    return this.#now;
  }
  setTimer(delayNs: number, fn: () => void): Timer {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#now + Math.max(0, delayNs), fn });
    return { id };
  }
  clearTimer(timer: Timer): void {
    this.#timers.delete(timer.id);
  }
  /** Fires timers in order until none are left (bounded, so a bug cannot hang the test). */
  run(maxEvents = 10_000_000): void {
    for (let n = 0; n < maxEvents && this.#timers.size > 0; n++) {
      let nextId = -1;
      let next: { at: number; fn: () => void } | undefined;
      for (const [id, timer] of this.#timers) {
        if (next === undefined || timer.at < next.at) {
          next = timer;
          nextId = id;
        }
      }
      if (next === undefined) return;
      this.#timers.delete(nextId);
      this.#now = next.at;
      next.fn();
    }
  }
  get pending(): number {
    return this.#timers.size;
  }
}

const MiB = 1024 * 1024;

/** `latencyNs` 'sync' completes I/Os before submit returns. */
function setup(seed: number | string, latencyNs: number | 'sync' = 10_000, sizeBytes = 4 * MiB) {
  const clock = new ManualClock();
  const env = { clock, rng: new SeededRngSource(seed) };
  const device = new MemoryDevice(sizeBytes, latencyNs === 'sync' ? {} : { clock, latencyNs });
  return { clock, env, device };
}

/** Runs a job to completion on the manual clock and returns its result. */
function run(seed: number | string, spec: JobSpec, latencyNs: number | 'sync' = 10_000, onProgress?: (p: WorkloadProgress) => void) {
  const { clock, env, device } = setup(seed, latencyNs);
  const job = resolveJob(spec, device);
  let result: WorkloadResult | undefined;
  new WorkloadRun(env, device, job, onProgress === undefined ? {} : { onProgress }).start((r) => {
    result = r;
  });
  clock.run();
  if (result === undefined) throw new Error('workload did not finish');
  return { result, device, job, clock };
}

test('workload: same seed gives the same offset sequence; another seed does not', (t) => {
  const spec: JobSpec = { rw: 'randrw', bsrange: { min: 4096, max: 65536 }, iodepth: 8, sizeBytes: 2 * MiB, ioSizeBytes: 8 * MiB };
  const a = run(42, spec).device.log;
  const b = run(42, spec).device.log;
  const c = run(43, spec).device.log;
  t.true(a.length > 100);
  t.deepEqual(a, b);
  t.notDeepEqual(a, c);
  // Every I/O is aligned to the minimum block size, inside the region and within the range.
  for (const io of a) {
    t.is(io.offset % 4096, 0);
    t.is(io.length % 4096, 0);
    t.true(io.length >= 4096 && io.length <= 65536);
    t.true(io.offset + io.length <= 2 * MiB);
  }
});

test('workload: synchronous devices do not recurse and sequential I/O covers the region once', (t) => {
  const { result, device } = run(1, { rw: 'write', bs: 4096, iodepth: 4, sizeBytes: 4 * MiB }, 'sync');
  t.is(result.write.ios, 1024);
  t.is(result.write.ioBytes, 4 * MiB);
  t.deepEqual(
    device.log.map((io) => io.offset),
    Array.from({ length: 1024 }, (_, i) => i * 4096),
  );
  t.is(result.ended, 'done');
});

test('workload: iodepth is spread over queues round-robin and counted per queue', (t) => {
  const { result } = run(3, { rw: 'randread', bs: 4096, iodepth: 8, queues: 4, sizeBytes: 4 * MiB, ioSizeBytes: 1 * MiB });
  t.is(result.read.ios, 256);
  t.deepEqual(
    result.queues.map((q) => q.queue),
    [0, 1, 2, 3],
  );
  t.is(
    result.queues.reduce((sum, q) => sum + q.ios, 0),
    256,
  );
  for (const q of result.queues) t.true(q.ios > 0);
});

test('workload: size stops after exactly io_size bytes', (t) => {
  const { result, device } = run(5, { rw: 'randwrite', bs: 8192, iodepth: 16, sizeBytes: 4 * MiB, ioSizeBytes: 3 * MiB });
  t.is(result.write.ioBytes, 3 * MiB);
  t.is(device.log.length, (3 * MiB) / 8192);
  t.is(result.read.ios, 0);
});

test('workload: runtime stops issuing at the deadline', (t) => {
  // 10 us per I/O, iodepth 4, 1 ms runtime: 100 rounds of 4 I/Os, plus the last round issued in time.
  const { result, clock } = run(6, { rw: 'randread', bs: 4096, iodepth: 4, runtimeNs: 1_000_000 }, 10_000);
  t.is(result.read.ios, 400);
  t.is(result.elapsedNs, 1_000_000);
  t.is(clock.pending, 0);
  t.is(result.read.clat.min, 10_000);
  t.is(result.read.clat.max, 10_000);
});

test('workload: write + verify reads back every written block and passes', (t) => {
  const { result } = run(7, { rw: 'randwrite', bsrange: { min: 4096, max: 32768 }, iodepth: 8, sizeBytes: 1 * MiB, ioSizeBytes: 2 * MiB, verify: true });
  t.is(result.write.ioBytes, 2 * MiB);
  t.true(result.read.ios > 0);
  t.true(result.verify.blocksChecked > 0);
  t.is(result.verify.mismatches, 0);
  t.is(result.errors, 0);
});

test('workload: verify catches a corrupted block and names it', (t) => {
  const { clock, env, device } = setup(8);
  const job = resolveJob({ rw: 'write', bs: 4096, iodepth: 2, sizeBytes: 64 * 1024, verify: true }, device);
  // Corrupt one byte of LBA 40 (offset 20480) after it is written, before the read-back.
  const corruptAt = 40 * 512 + 100;
  let corrupted = false;
  device.failWith = (io) => {
    if (io.kind === 'read' && !corrupted) {
      device.bytes[corruptAt] = (device.bytes[corruptAt] ?? 0) ^ 0xff;
      corrupted = true;
    }
    return 0;
  };
  let result: WorkloadResult | undefined;
  new WorkloadRun(env, device, job).start((r) => (result = r));
  clock.run();
  t.is(result?.verify.mismatches, 1);
  t.like(result?.verify.firstMismatch, { lba: 40, reason: 'data', offset: 40 * 512 });
  t.is(result?.verify.blocksChecked, 128);
  const fio = fioOutput([{ job, result: result as WorkloadResult }]);
  t.is(fio.jobs[0]?.error, 84);
});

test('workload: verify tells a misdirected write from a stale one', (t) => {
  const { clock, env, device } = setup(9);
  const job = resolveJob({ rw: 'write', bs: 4096, iodepth: 1, sizeBytes: 16 * 1024, verify: true }, device);
  let copied = false;
  device.failWith = (io) => {
    if (io.kind === 'read' && !copied) {
      // Block 0's content lands on block 1: the header names the wrong LBA.
      device.bytes.copyWithin(512, 0, 512);
      copied = true;
    }
    return 0;
  };
  let result: WorkloadResult | undefined;
  new WorkloadRun(env, device, job).start((r) => (result = r));
  clock.run();
  t.like(result?.verify.firstMismatch, { lba: 1, reason: 'lba', foundLba: 0, foundGeneration: 1 });
});

test('workload: randrw verify checks reads of blocks written earlier in the run', (t) => {
  const { result } = run(10, { rw: 'randrw', rwmixread: 50, bs: 4096, iodepth: 16, sizeBytes: 256 * 1024, ioSizeBytes: 4 * MiB, verify: true });
  t.true(result.read.ios > 0 && result.write.ios > 0);
  t.true(result.verify.blocksChecked > 0);
  t.is(result.verify.mismatches, 0);
});

test('workload: an I/O error stops the job and records the first status', (t) => {
  const { clock, env, device } = setup(11);
  let n = 0;
  device.failWith = () => (++n === 10 ? 0x281 : 0);
  let result: WorkloadResult | undefined;
  const job = resolveJob({ rw: 'randread', bs: 4096, iodepth: 4, sizeBytes: 1 * MiB }, device);
  new WorkloadRun(env, device, job).start((r) => (result = r));
  clock.run();
  t.is(result?.ended, 'error');
  t.is(result?.errors, 1);
  t.like(result?.firstError, { kind: 'read', status: 0x281 });
  t.true((result?.read.ios ?? 0) < 256);
  t.is(fioOutput([{ job, result: result as WorkloadResult }]).jobs[0]?.error, 0x281);
});

test('workload: progress reports arrive once per interval of clock time', (t) => {
  const reports: WorkloadProgress[] = [];
  run(12, { rw: 'randread', bs: 4096, iodepth: 1, runtimeNs: 3_500_000, progressIntervalNs: 1_000_000 }, 10_000, (p) => reports.push(p));
  t.is(reports.length, 3);
  t.deepEqual(
    reports.map((r) => Math.round(r.percentDone)),
    [29, 57, 86],
  );
  // 10 us per I/O at iodepth 1: about 100k IOPS (the report may land just before a completion).
  const iops = reports[0]?.iops ?? 0;
  t.true(iops >= 99_000 && iops <= 100_000);
  t.is(reports[0]?.readBytesPerS, iops * 4096);
});

test('workload: fio JSON has fio keys and percentiles', (t) => {
  const { result, job } = run(13, { rw: 'randrw', rwmixread: 70, bs: 4096, iodepth: 4, sizeBytes: 1 * MiB, ioSizeBytes: 2 * MiB }, 20_000);
  const fio = fioOutput([{ job, result }]);
  t.is(fio['fio version'], 'nvmf-sim-0.1');
  const jobJson = fio.jobs[0];
  t.is(jobJson?.jobname, 'randrw');
  t.is(jobJson?.error, 0);
  for (const dir of [jobJson?.read, jobJson?.write]) {
    t.truthy(dir);
    if (dir === undefined) continue;
    for (const key of ['io_bytes', 'bw_bytes', 'bw', 'iops', 'runtime', 'total_ios', 'clat_ns', 'lat_ns'] as const) {
      t.true(key in dir, key);
    }
    t.deepEqual(Object.keys(dir.clat_ns.percentile ?? {}), FIO_PERCENTILES.map(percentileKey));
    t.is(dir.clat_ns.percentile?.['50.000000'], 20_000);
    t.is(dir.clat_ns.min, 20_000);
    t.is(dir.bw, Math.floor(dir.bw_bytes / 1024));
  }
  t.is((jobJson?.read.io_bytes ?? 0) + (jobJson?.write.io_bytes ?? 0), 2 * MiB);
  const reads = jobJson?.read.total_ios ?? 0;
  t.true(reads > 300 && reads < 420, `reads ${reads} of 512 with rwmixread 70`);
  t.is(jobJson?.['job options'].rwmixread, '70');
  // Queues by NVMe qid, 1..N (qid 0 is the admin queue), not by index.
  const queues = jobJson?.nvmf_sim.queues ?? [];
  t.true(queues.length > 0);
  t.deepEqual(queues.map((queue) => queue.qid), queues.map((_, i) => i + 1));
  t.false(queues.some((queue) => 'queue' in queue));
  // The human summary names both directions.
  const text = formatFioText(result);
  t.regex(text, /read: IOPS=/);
  t.regex(text, /write: IOPS=/);
  // 20 us everywhere: fio keeps nsec below a 100 us maximum (stat.c show_clat_percentiles).
  t.regex(text, /clat percentiles \(nsec\)/);
  t.regex(text, /50.00th=\[20000\]/);
});

test('workload: percentiles follow the latency distribution', (t) => {
  const { clock, env, device } = setup(14, 'sync');
  // Latency grows with the I/O index: 1..1000 us.
  let index = 0;
  const slow = {
    blockSize: device.blockSize,
    sizeBytes: device.sizeBytes,
    submit: (io: Parameters<MemoryDevice['submit']>[0], cb: Parameters<MemoryDevice['submit']>[1]) => {
      index++;
      clock.setTimer(index * 1000, () => device.submit(io, cb));
    },
  };
  let result: WorkloadResult | undefined;
  void runWorkload(env, slow, { rw: 'randread', bs: 512, iodepth: 1000, sizeBytes: 1 * MiB, ioSizeBytes: 1000 * 512 }).then(
    (r) => (result = r),
  );
  clock.run();
  return Promise.resolve().then(() => {
    t.is(result?.read.ios, 1000);
    const p = result?.read.clat.percentile ?? {};
    t.true(Math.abs((p['50.000000'] ?? 0) - 500_000) <= 1000);
    t.true(Math.abs((p['99.000000'] ?? 0) - 990_000) <= 1000);
    t.true(Math.abs((result?.read.clat.max ?? 0) - 1_000_000) <= 1000);
  });
});

/** Runs a job on a device that records every read buffer it is given. */
function readBuffers(t: ExecutionContext, name: string, options: JobSpec): { buffers: Set<Uint8Array>; result: WorkloadResult | undefined } {
  const { clock, env, device } = setup(name);
  const buffers = new Set<Uint8Array>();
  const recording = {
    blockSize: device.blockSize,
    sizeBytes: device.sizeBytes,
    submit(io: WorkloadIo, callback: WorkloadIoCallback): void {
      if (io.buffer !== undefined) {
        t.is(io.buffer.length, io.length);
        buffers.add(io.buffer);
      }
      device.submit(io, callback);
    },
  };
  const job = resolveJob(options, recording);
  let result: WorkloadResult | undefined;
  new WorkloadRun(env, recording, job).start((r) => {
    result = r;
  });
  clock.run();
  return { buffers, result };
}

test('workload: unverified reads all land in one buffer, reused for the whole run', (t) => {
  const { buffers, result } = readBuffers(t, 'buffers', { rw: 'randread', bs: 4096, iodepth: 4, ioSizeBytes: 400 * 4096 });
  t.is(result?.read.ios, 400);
  t.is(buffers.size, 1, 'nobody looks at the bytes: one shared buffer');
});

test('workload: verified reads land in one buffer per slot', (t) => {
  const { buffers, result } = readBuffers(t, 'verify-buffers', { rw: 'write', bs: 4096, iodepth: 4, sizeBytes: 64 * 1024, verify: true });
  t.is(result?.verify.mismatches, 0);
  t.true((result?.verify.blocksChecked ?? 0) > 0);
  t.true(buffers.size > 1 && buffers.size <= 4, `one buffer per outstanding-I/O slot, got ${buffers.size}`);
});

test('workload: without its latency histogram a job still counts every I/O', (t) => {
  const { clock, env, device } = setup('no-histogram');
  const job = resolveJob({ rw: 'randread', bs: 4096, iodepth: 2, ioSizeBytes: 50 * 4096 }, device);
  let result: WorkloadResult | undefined;
  new WorkloadRun(env, device, job, { latencyHistogram: false }).start((r) => {
    result = r;
  });
  clock.run();
  t.is(result?.read.ios, 50);
  t.is(result?.read.clat.N, 0);
});

test('workload: bad jobs are rejected naming the option', (t) => {
  const device = new MemoryDevice(1 * MiB);
  const cases: [JobSpec, string][] = [
    [{ rw: 'read', bs: 1000 }, 'bs'],
    [{ rw: 'read', bsrange: { min: 8192, max: 4096 } }, 'bsrange'],
    [{ rw: 'read', iodepth: 0 }, 'iodepth'],
    [{ rw: 'read', sizeBytes: 2 * MiB }, 'size'],
    [{ rw: 'read', offsetBytes: 1 * MiB }, 'offset'],
    [{ rw: 'randread', verify: true }, 'verify'],
    [{ rw: 'randrw', rwmixread: 101 }, 'rwmixread'],
  ];
  for (const [spec, field] of cases) {
    const error = t.throws(() => resolveJob(spec, device), { instanceOf: JobError });
    t.is(error?.field, field);
  }
});
