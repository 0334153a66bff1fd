// Simulated storage: the SSD model's parallelism, transfer cap, volatile write cache and Flush,
// and fault injection around any backend. Time is a tiny hand-advanced fake clock (a sorted timer
// list), so completion times are exact.
import test from 'ava';
import type { Clock, Random } from '../sim/core/env.js';
import { FakeClock } from './helpers/fake-clock.js';
import { SeededRngSource } from '../sim/core/rng.js';
import type { BackendStatus, BlockBackend } from '../sim/storage/backend.js';
import {
  STATUS_INTERNAL_ERROR,
  STATUS_LBA_OUT_OF_RANGE,
  STATUS_UNRECOVERED_READ_ERROR,
  STATUS_WRITE_FAULT,
} from '../sim/storage/backend-status.js';
import { FaultyBackend } from '../sim/storage/faulty-backend.js';
import { formatLatency, meanLatencyUs, percentileAt, sampleLatencyNs } from '../sim/storage/latency.js';
import { SSD_DEFAULTS } from '../sim/storage/ssd-options.js';
import { RamBackend } from '../sim/storage/ram-backend.js';
import { SsdBackend, type SsdBackendOptions } from '../sim/storage/ssd-backend.js';

const US = 1000;
const KIB4 = 4096;

function random(name = 'ssd'): Random {
  return new SeededRngSource('storage-test').stream(name);
}

/** A constant-latency SSD with everything else off unless overridden. */
function ssd(clock: Clock, options: SsdBackendOptions = {}): SsdBackend {
  return new SsdBackend(64 * 1024 * 1024, clock, random(), {
    readLatency: { kind: 'constant', us: 100 },
    writeLatency: { kind: 'constant', us: 100 },
    channels: 1,
    bandwidthBytesPerS: 0,
    writeCacheBytes: 0,
    cacheWriteLatencyUs: 5,
    flushLatencyUs: 0,
    ...options,
  });
}

function pattern(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 7 + seed) & 0xff);
}

/** Records [label, time, status] for each completion. */
function recorder(clock: FakeClock): {
  log: [string, number, BackendStatus][];
  done: (label: string) => (status: BackendStatus) => void;
} {
  const log: [string, number, BackendStatus][] = [];
  return { log, done: (label) => (status) => log.push([label, clock.now, status]) };
}

test('storage: ssd serves at most `channels` commands at once, FIFO', (t) => {
  const clock = new FakeClock();
  const device = ssd(clock, { channels: 2 });
  const { log, done } = recorder(clock);
  for (const label of ['a', 'b', 'c', 'd', 'e']) device.read(0, KIB4, done(label));
  t.is(device.inService, 2);
  t.is(device.queued, 3);
  clock.run();
  t.deepEqual(log, [
    ['a', 100 * US, 0],
    ['b', 100 * US, 0],
    ['c', 200 * US, 0],
    ['d', 200 * US, 0],
    ['e', 300 * US, 0],
  ]);
  t.is(device.stats.maxInService, 2);
});

test('storage: ssd transfers cross one serial bandwidth-capped stage', (t) => {
  const clock = new FakeClock();
  // 1 GB/s: 4096 bytes take 4096 ns. Media time is zero, so only the transfer stage shapes time.
  const device = ssd(clock, { channels: 4, readLatency: { kind: 'constant', us: 0 }, bandwidthBytesPerS: 1e9 });
  const { log, done } = recorder(clock);
  for (const label of ['a', 'b', 'c']) device.read(0, KIB4, done(label));
  clock.run();
  t.deepEqual(log, [
    ['a', 4096, 0],
    ['b', 8192, 0],
    ['c', 12288, 0],
  ]);
  // Write data crosses the stage before service: 4096 ns transfer + 100 µs program.
  device.write(0, pattern(KIB4, 1), done('w'));
  clock.run();
  t.deepEqual(log.at(-1), ['w', 12288 + 4096 + 100 * US, 0]);
});

test('storage: ssd keeps data, reads zeroes where unwritten or deallocated', (t) => {
  const clock = new FakeClock();
  const device = ssd(clock, { channels: 8 });
  const data = pattern(3 * KIB4, 5);
  const reads: (Uint8Array | undefined)[] = [];
  device.write(KIB4, data, () => undefined);
  clock.run();
  device.read(0, 4 * KIB4, (_status, bytes) => reads.push(bytes));
  device.deallocate([{ offset: 2 * KIB4, length: KIB4 }], () => undefined);
  clock.run();
  device.writeZeroes(KIB4, 512, () => undefined);
  clock.run();
  device.read(0, 4 * KIB4, (_status, bytes) => reads.push(bytes));
  clock.run();
  const first = new Uint8Array(4 * KIB4);
  first.set(data, KIB4);
  t.deepEqual(reads[0], first);
  const second = first.slice();
  second.fill(0, 2 * KIB4, 3 * KIB4);
  second.fill(0, KIB4, KIB4 + 512);
  t.deepEqual(reads[1], second);
});

test('storage: ssd rejects out-of-range commands asynchronously', (t) => {
  const clock = new FakeClock();
  const device = ssd(clock);
  const { log, done } = recorder(clock);
  device.write(64 * 1024 * 1024, pattern(512, 1), done('write'));
  device.read(64 * 1024 * 1024 - 512, 1024, (status) => done('read')(status));
  t.deepEqual(log, []);
  clock.run();
  t.deepEqual(log, [
    ['write', 0, STATUS_LBA_OUT_OF_RANGE],
    ['read', 0, STATUS_LBA_OUT_OF_RANGE],
  ]);
});

test('storage: ssd write cache absorbs writes while it has room; flush waits for destage', (t) => {
  const clock = new FakeClock();
  // Room for two 4 KiB writes; destaging one takes 100 µs on the single channel.
  const device = ssd(clock, { writeCacheBytes: 2 * KIB4 });
  t.true(device.volatileWriteCache);
  const { log, done } = recorder(clock);
  device.write(0, pattern(KIB4, 1), done('A'));
  device.write(KIB4, pattern(KIB4, 2), done('B'));
  // C finds the cache full and waits for A's destage (done at 100 µs).
  device.write(2 * KIB4, pattern(KIB4, 3), done('C'));
  clock.run(10 * US);
  t.is(device.cacheDirtyBytes, 2 * KIB4);
  // This flush covers A and B (completed), not C: B's destage ends at 200 µs.
  device.flush(done('flush1'));
  clock.run();
  t.deepEqual(log, [
    ['A', 5 * US, 0],
    ['B', 5 * US, 0],
    ['C', 105 * US, 0],
    ['flush1', 200 * US, 0],
  ]);
  t.is(clock.now, 300 * US);
  t.is(device.cacheDirtyBytes, 0);
  t.like(device.stats, { cachedWrites: 3, destages: 3, flushes: 1 });
  // With nothing dirty, a flush completes at once (from a timer, not inside the call).
  device.flush(done('flush2'));
  t.is(log.length, 4);
  clock.run();
  t.deepEqual(log.at(-1), ['flush2', 300 * US, 0]);
});

test('storage: ssd without a cache completes writes after media service and flushes at once', (t) => {
  const clock = new FakeClock();
  const device = ssd(clock, { flushLatencyUs: 7 });
  t.false(device.volatileWriteCache);
  const { log, done } = recorder(clock);
  device.write(0, pattern(KIB4, 1), done('w'));
  device.flush(done('flush'));
  clock.run();
  t.deepEqual(log, [
    ['flush', 7 * US, 0],
    ['w', 100 * US, 0],
  ]);
});

test('storage: ssd latency draws repeat under the same seed', (t) => {
  const run = (): number[] => {
    const clock = new FakeClock();
    const device = ssd(clock, { channels: 4, readLatency: { kind: 'normal', meanUs: 80, stddevUs: 10 } });
    const times: number[] = [];
    for (let i = 0; i < 8; i++) device.read(0, KIB4, () => times.push(clock.now));
    clock.run();
    return times;
  };
  const first = run();
  t.deepEqual(run(), first);
  t.true(new Set(first).size > 1);
  const stream = random('dist');
  for (let i = 0; i < 100; i++) {
    const ns = sampleLatencyNs({ kind: 'uniform', minUs: 10, maxUs: 20 }, stream);
    t.true(ns >= 10 * US && ns <= 20 * US && Number.isInteger(ns));
  }
  t.is(sampleLatencyNs({ kind: 'exponential', meanUs: 0 }, stream), 0);
});

test('storage: a latency given by percentiles is sampled to those percentiles, with real tails', (t) => {
  const distribution = { kind: 'percentiles', p50Us: 90, p99Us: 200, p999Us: 400, maxUs: 1000 } as const;
  // The inverse CDF passes through every given point and interpolates log-linearly between them.
  t.is(percentileAt(distribution, 0.5), 90);
  t.is(percentileAt(distribution, 0.99), 200);
  t.true(Math.abs(percentileAt(distribution, 0.999) - 400) < 1e-9);
  t.is(percentileAt(distribution, 1), 1000);
  t.true(Math.abs(percentileAt(distribution, 0.745) - Math.sqrt(90 * 200)) < 1e-9);
  t.is(percentileAt(distribution, 0), 67.5);
  const stream = random('pct');
  const draws = Array.from({ length: 200_000 }, () => sampleLatencyNs(distribution, stream) / US).sort((a, b) => a - b);
  const at = (q: number): number => draws[Math.floor(q * draws.length)] ?? 0;
  t.true(Math.abs(at(0.5) - 90) < 2, `p50 ${at(0.5)}`);
  t.true(Math.abs(at(0.99) - 200) < 8, `p99 ${at(0.99)}`);
  t.true(Math.abs(at(0.999) - 400) < 40, `p99.9 ${at(0.999)}`);
  t.true(draws.every((us) => us >= 67.5 && us <= 1000));
  const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
  t.true(Math.abs(mean - meanLatencyUs(distribution)) < 1, `mean ${mean} vs ${meanLatencyUs(distribution)}`);
  // The same seed gives the same draws.
  const again = random('pct');
  t.is(sampleLatencyNs(distribution, again), sampleLatencyNs(distribution, random('pct')));
  // Without a maximum, the tail goes one step past p99.9 at the p99 to p99.9 ratio.
  t.is(percentileAt({ kind: 'percentiles', p50Us: 90, p99Us: 200, p999Us: 400 }, 1), 800);
  t.is(formatLatency(distribution), 'pct:90us:200us:400us:1000us');
});

test('storage: the ssd defaults have datacenter tails, p99 well above p50', (t) => {
  for (const distribution of [SSD_DEFAULTS.readLatency, SSD_DEFAULTS.writeLatency]) {
    if (distribution.kind !== 'percentiles') return t.fail('the ssd defaults are given by percentiles');
    t.true(distribution.p99Us >= 2 * distribution.p50Us);
    t.true(distribution.p999Us > distribution.p99Us);
    t.is(distribution.maxUs, 1000);
  }
  // Little's law: channels x mean read latency ≈ the datasheet's 840K random read IOPS.
  const iops = SSD_DEFAULTS.channels / (meanLatencyUs(SSD_DEFAULTS.readLatency) / 1e6);
  t.true(Math.abs(iops - 840_000) / 840_000 < 0.01, `${iops}`);
  return undefined;
});

test('storage: ssd close cancels pending completions', async (t) => {
  const clock = new FakeClock();
  const device = ssd(clock);
  const { log, done } = recorder(clock);
  device.read(0, KIB4, (status) => done('read')(status));
  await device.close();
  t.is(clock.pending, 0);
  clock.run();
  t.deepEqual(log, []);
});

function faulty(clock: FakeClock, inner?: BlockBackend): FaultyBackend {
  return new FaultyBackend(inner ?? new RamBackend(1024 * 1024), clock, random('faults'));
}

test('storage: faults add latency and slow a device down', (t) => {
  const clock = new FakeClock();
  const { log, done } = recorder(clock);
  const fast = faulty(clock);
  fast.setAddedLatency(50);
  fast.write(0, pattern(KIB4, 1), done('ram+50us'));
  clock.run();
  const slow = faulty(clock, ssd(clock));
  slow.setSlow(3);
  slow.read(0, KIB4, (status) => done('ssd×3')(status));
  clock.run();
  slow.setSlow(1);
  slow.read(0, KIB4, (status) => done('ssd')(status));
  clock.run();
  t.deepEqual(log, [
    ['ram+50us', 50 * US, 0],
    ['ssd×3', 50 * US + 300 * US, 0],
    ['ssd', 50 * US + 400 * US, 0],
  ]);
});

test('storage: faults inject errors by rate and by LBA range', (t) => {
  const clock = new FakeClock();
  const device = faulty(clock);
  const statuses: BackendStatus[] = [];
  const push = (status: BackendStatus): void => void statuses.push(status);
  device.setErrorRate(1, { op: 'read' });
  device.read(0, KIB4, push);
  device.write(0, pattern(KIB4, 1), push);
  device.setErrorRate(1, { status: STATUS_INTERNAL_ERROR });
  device.flush(push);
  device.setErrorRate(0);
  device.addBadRange({ offset: 8 * KIB4, length: KIB4 });
  device.addBadRange({ offset: 16 * KIB4, length: KIB4, op: 'write', status: 0x4281 });
  device.read(7 * KIB4, 2 * KIB4, push);
  device.write(8 * KIB4 + 512, pattern(512, 1), push);
  device.read(9 * KIB4, KIB4, push);
  device.read(16 * KIB4, KIB4, push);
  device.writeZeroes(16 * KIB4, KIB4, push);
  device.deallocate([{ offset: 8 * KIB4, length: 512 }], push);
  device.clearBadRanges();
  device.read(8 * KIB4, KIB4, push);
  clock.run();
  t.deepEqual(statuses, [
    STATUS_UNRECOVERED_READ_ERROR,
    0,
    STATUS_INTERNAL_ERROR,
    STATUS_UNRECOVERED_READ_ERROR,
    STATUS_WRITE_FAULT,
    0,
    0,
    0x4281,
    STATUS_WRITE_FAULT,
    0,
  ]);
  t.like(device.stats, { randomErrors: 2, rangeErrors: 4 });
});

test('storage: a failed write leaves data unchanged; random errors follow the seed', (t) => {
  const clock = new FakeClock();
  const device = faulty(clock);
  device.setErrorRate(1, { op: 'write' });
  device.write(0, pattern(KIB4, 9), () => undefined);
  device.setErrorRate(0);
  let read: Uint8Array | undefined;
  device.read(0, KIB4, (_status, data) => (read = data));
  clock.run();
  t.deepEqual(read, new Uint8Array(KIB4));

  const failures = (): number => {
    const sample = faulty(new FakeClock());
    sample.setErrorRate(0.25);
    let failed = 0;
    for (let i = 0; i < 200; i++) sample.flush((status) => (failed += status === 0 ? 0 : 1));
    return failed;
  };
  const first = failures();
  t.is(failures(), first);
  t.true(first > 20 && first < 80);
});

test('storage: device failure fails new and in-flight commands until repaired', (t) => {
  const clock = new FakeClock();
  const device = faulty(clock, ssd(clock, { channels: 4 }));
  const { log, done } = recorder(clock);
  device.read(0, KIB4, (status) => done('in flight')(status));
  clock.run(50 * US);
  device.fail(STATUS_WRITE_FAULT);
  t.true(device.failed);
  device.write(0, pattern(KIB4, 1), done('while failed'));
  clock.run();
  device.repair();
  device.read(0, KIB4, (status) => done('repaired')(status));
  clock.run();
  t.deepEqual(log, [
    ['while failed', 50 * US, STATUS_WRITE_FAULT],
    ['in flight', 100 * US, STATUS_WRITE_FAULT],
    ['repaired', 200 * US, 0],
  ]);
  t.is(device.stats.failedCommands, 2);
});
