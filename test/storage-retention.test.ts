// The simulated SSD with and without retained data: the same timing either way; without it,
// writes are dropped, reads return zeroes and nothing is allocated however much is written.
import test from 'ava';
import { SeededRngSource } from '../sim/core/rng.js';
import { openBackend, parseBackendSpec } from '../sim/storage/backend-spec.js';
import type { BackendStatus } from '../sim/storage/backend.js';
import { SsdBackend, type SsdBackendOptions } from '../sim/storage/ssd-backend.js';
import { FakeClock } from './helpers/fake-clock.js';

const KIB4 = 4096;

function ssd(clock: FakeClock, options: SsdBackendOptions): SsdBackend {
  return new SsdBackend(1024 ** 4, clock, new SeededRngSource('retention').stream('ssd'), {
    readLatency: { kind: 'normal', meanUs: 90, stddevUs: 10 },
    writeLatency: { kind: 'normal', meanUs: 20, stddevUs: 3 },
    ...options,
  });
}

/** Writes then reads back `count` random 4 KiB blocks; returns completion times and read contents. */
function exercise(device: SsdBackend, clock: FakeClock, count: number): { times: number[]; reads: Uint8Array[] } {
  const times: number[] = [];
  const reads: Uint8Array[] = [];
  const offsets = Array.from({ length: count }, (_, i) => ((i * 2_654_435_761) % (1024 ** 4 / KIB4)) * KIB4);
  const note = (status: BackendStatus): void => {
    if (status !== 0) throw new Error(`status ${status}`);
    times.push(clock.now);
  };
  for (const offset of offsets) device.write(offset, new Uint8Array(KIB4).fill(0xa5), note);
  clock.run();
  for (const offset of offsets)
    device.read(offset, KIB4, (status, data) => {
      note(status);
      if (data !== undefined) reads.push(data);
    });
  clock.run();
  return { times, reads };
}

test('storage: an ssd that retains data reads back what was written', (t) => {
  const clock = new FakeClock();
  const { reads } = exercise(ssd(clock, {}), clock, 16);
  t.is(reads.length, 16);
  t.true(reads.every((data) => data.every((byte) => byte === 0xa5)));
});

test('storage: an ssd without retained data keeps its timing, drops writes and reads zeroes', (t) => {
  const keptClock = new FakeClock();
  const kept = exercise(ssd(keptClock, {}), keptClock, 64);
  const droppedClock = new FakeClock();
  const dropped = exercise(ssd(droppedClock, { retainData: false }), droppedClock, 64);
  t.deepEqual(dropped.times, kept.times);
  t.true(dropped.reads.every((data) => data.length === KIB4 && data.every((byte) => byte === 0)));
});

test('storage: an ssd without retained data still refuses out-of-range writes', (t) => {
  const clock = new FakeClock();
  const device = ssd(clock, { retainData: false });
  let status: BackendStatus | undefined;
  device.write(1024 ** 4, new Uint8Array(KIB4), (s) => (status = s));
  clock.run();
  t.not(status, undefined);
  t.not(status, 0);
});

test('storage: a ram backend opened without retained data drops writes and reads zeroes', async (t) => {
  const spec = parseBackendSpec('ram:1GiB', 'backend');
  const deps = { clock: new FakeClock(), rng: new SeededRngSource('retention').stream('ram') };
  const roundTrip = async (retainData: boolean): Promise<Uint8Array | undefined> => {
    const device = await openBackend(spec, { ...deps, retainData });
    device.write(0, new Uint8Array(KIB4).fill(0xa5), () => undefined);
    let read: Uint8Array | undefined;
    device.read(0, KIB4, (_status, data) => (read = data));
    return read;
  };
  t.true((await roundTrip(true))?.every((byte) => byte === 0xa5));
  const dropped = await roundTrip(false);
  t.is(dropped?.length, KIB4);
  t.true(dropped?.every((byte) => byte === 0));
});
