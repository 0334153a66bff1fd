// Real-target backends: null, ram and file round-trip data (or zeroes), stay sparse, honour
// deallocate and write-zeroes, and reject accesses past the namespace with LBA Out of Range.
import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BackendStatus, BlockBackend } from '../sim/storage/backend.js';
import { STATUS_INVALID_FIELD, STATUS_LBA_OUT_OF_RANGE } from '../sim/storage/backend-status.js';
import { NullBackend } from '../sim/storage/null-backend.js';
import { RamBackend } from '../sim/storage/ram-backend.js';
import { FileBackend } from '../sim/storage/real-file-backend.js';

function read(backend: BlockBackend, offset: number, length: number): Promise<[BackendStatus, Uint8Array | undefined]> {
  return new Promise((resolve) => backend.read(offset, length, (status, data) => resolve([status, data])));
}
function write(backend: BlockBackend, offset: number, data: Uint8Array): Promise<BackendStatus> {
  return new Promise((resolve) => backend.write(offset, data, resolve));
}
function zeroes(backend: BlockBackend, offset: number, length: number): Promise<BackendStatus> {
  return new Promise((resolve) => backend.writeZeroes(offset, length, resolve));
}
function trim(backend: BlockBackend, ranges: { offset: number; length: number }[]): Promise<BackendStatus> {
  return new Promise((resolve) => backend.deallocate(ranges, resolve));
}
function flush(backend: BlockBackend): Promise<BackendStatus> {
  return new Promise((resolve) => backend.flush(resolve));
}
function pattern(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

function tempPath(t: { teardown(fn: () => void): void }, name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nvmf-sim-storage-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, name);
}

test('storage: null backend reads zeroes and stores nothing', async (t) => {
  const backend = new NullBackend(1024 * 1024);
  t.is(await write(backend, 0, pattern(4096, 1)), 0);
  const [status, data] = await read(backend, 0, 4096);
  t.is(status, 0);
  t.deepEqual(data, new Uint8Array(4096));
  t.is(await flush(backend), 0);
  t.is((await read(backend, 1024 * 1024 - 512, 1024))[0], STATUS_LBA_OUT_OF_RANGE);
});

test('storage: ram backend round-trips data across chunk boundaries', async (t) => {
  const backend = new RamBackend(64 * 1024 * 1024, { chunkBytes: 64 * 1024 });
  const data = pattern(200 * 1024, 7);
  // Straddles several 64 KiB chunks and starts mid-chunk.
  t.is(await write(backend, 60 * 1024, data), 0);
  const [status, back] = await read(backend, 60 * 1024, data.length);
  t.is(status, 0);
  t.deepEqual(back, data);
  // The returned buffer is a copy: changing it does not change the namespace.
  back?.fill(0xee);
  t.deepEqual((await read(backend, 60 * 1024, data.length))[1], data);
});

test('storage: ram backend is sparse and unwritten blocks read as zeroes', async (t) => {
  const backend = new RamBackend(1024 ** 4);
  t.is(backend.allocatedBytes, 0);
  t.is(await write(backend, 512 * 1024 ** 3, pattern(4096, 3)), 0);
  t.is(backend.allocatedBytes, 1024 * 1024);
  const [status, data] = await read(backend, 1024 ** 3, 8192);
  t.is(status, 0);
  t.deepEqual(data, new Uint8Array(8192));
});

test('storage: ram backend deallocate and write-zeroes read back as zeroes', async (t) => {
  const backend = new RamBackend(8 * 1024 * 1024);
  t.is(await write(backend, 0, pattern(3 * 1024 * 1024, 9)), 0);
  t.is(backend.allocatedBytes, 3 * 1024 * 1024);
  // Whole chunk 1 is released; a part of chunk 0 is zeroed in place.
  t.is(await trim(backend, [{ offset: 1024 * 1024, length: 1024 * 1024 }]), 0);
  t.is(backend.allocatedBytes, 2 * 1024 * 1024);
  t.is(await zeroes(backend, 4096, 4096), 0);
  const [, data] = await read(backend, 0, 3 * 1024 * 1024);
  const expected = pattern(3 * 1024 * 1024, 9);
  expected.fill(0, 4096, 8192);
  expected.fill(0, 1024 * 1024, 2 * 1024 * 1024);
  t.deepEqual(data, expected);
});

test('storage: ram backend rejects out-of-range and misaligned accesses', async (t) => {
  const backend = new RamBackend(1024 * 1024, { blockSize: 4096 });
  t.is(await write(backend, 1024 * 1024, pattern(4096, 1)), STATUS_LBA_OUT_OF_RANGE);
  t.is((await read(backend, 1024 * 1024 - 4096, 8192))[0], STATUS_LBA_OUT_OF_RANGE);
  t.is(await zeroes(backend, -4096, 4096), STATUS_LBA_OUT_OF_RANGE);
  t.is(await trim(backend, [{ offset: 0, length: 4096 }, { offset: 2 * 1024 * 1024, length: 4096 }]), STATUS_LBA_OUT_OF_RANGE);
  t.is(await write(backend, 512, pattern(4096, 1)), STATUS_INVALID_FIELD);
  t.is(backend.allocatedBytes, 0);
});

test('storage: file backend creates a sparse file and round-trips data', async (t) => {
  const file = tempPath(t, 'ns.img');
  const backend = await FileBackend.open(file, { create: true, sizeBytes: 16 * 1024 * 1024 });
  t.teardown(() => backend.close());
  t.is(backend.sizeBytes, 16 * 1024 * 1024);
  t.is(fs.statSync(file).size, 16 * 1024 * 1024);
  const data = pattern(3 * 1024 * 1024 + 512, 5);
  t.is(await write(backend, 4 * 1024 * 1024 + 512, data), 0);
  t.is(await flush(backend), 0);
  const [status, back] = await read(backend, 4 * 1024 * 1024 + 512, data.length);
  t.is(status, 0);
  t.deepEqual(back, data);
  t.deepEqual((await read(backend, 0, 4096))[1], new Uint8Array(4096));
  t.is(await write(backend, 16 * 1024 * 1024, pattern(512, 1)), STATUS_LBA_OUT_OF_RANGE);
});

test('storage: file backend deallocate and write-zeroes, and data survives reopen', async (t) => {
  const file = tempPath(t, 'ns.img');
  const first = await FileBackend.open(file, { create: true, sizeBytes: 4 * 1024 * 1024, blockSize: 4096 });
  t.is(await write(first, 0, pattern(2 * 1024 * 1024, 2)), 0);
  t.is(await trim(first, [{ offset: 0, length: 4096 }, { offset: 1024 * 1024, length: 8192 }]), 0);
  t.is(await zeroes(first, 8192, 4096), 0);
  await first.close();
  const second = await FileBackend.open(file);
  t.teardown(() => second.close());
  t.is(second.sizeBytes, 4 * 1024 * 1024);
  const expected = pattern(2 * 1024 * 1024, 2);
  expected.fill(0, 0, 4096);
  expected.fill(0, 8192, 12288);
  expected.fill(0, 1024 * 1024, 1024 * 1024 + 8192);
  t.deepEqual((await read(second, 0, 2 * 1024 * 1024))[1], expected);
});

test('storage: file backend refuses a missing file unless asked to create it', async (t) => {
  const file = tempPath(t, 'missing.img');
  const error = await t.throwsAsync(FileBackend.open(file));
  t.is((error as NodeJS.ErrnoException | undefined)?.code, 'ENOENT');
  await t.throwsAsync(FileBackend.open(file, { create: true }), { message: `file backend: creating ${file} needs a size` });
});
