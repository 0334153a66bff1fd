// The byte slab hands out buffers that behave like fresh `new Uint8Array(n)`: each owns its bytes
// (no two overlap, writing one never changes another), zeroed ones read as zeroes even where the
// slab's memory was used before, and every size works, from on-heap to beyond the slab limit.
import test from 'ava';
import { allocBytes, allocZeroedBytes } from '../sim/core/byte-slab.js';

test('byte-slab: buffers never overlap and keep their own bytes', (t) => {
  const sizes = [1, 63, 64, 65, 72, 500, 512, 513, 1460, 4096, 4120, 16 * 1024, 16 * 1024 + 1, 70_000];
  const buffers: Uint8Array[] = [];
  for (let round = 0; round < 40; round++) {
    for (const size of sizes) {
      const buffer = allocBytes(size);
      t.is(buffer.length, size);
      buffer.fill((buffers.length * 7 + 1) & 0xff);
      buffers.push(buffer);
    }
  }
  buffers.forEach((buffer, index) => {
    const value = (index * 7 + 1) & 0xff;
    t.true(buffer.every((byte) => byte === value), `buffer ${index} (${buffer.length} bytes) was overwritten`);
  });
});

test('byte-slab: zeroed buffers are zero even after the slab memory was dirtied', (t) => {
  for (let i = 0; i < 200; i++) allocBytes(4096).fill(0xaa);
  for (let i = 0; i < 200; i++) allocBytes(100).fill(0x55);
  for (const size of [10, 72, 300, 4096, 9000]) {
    const zeroed = allocZeroedBytes(size);
    t.is(zeroed.length, size);
    t.true(zeroed.every((byte) => byte === 0), `${size} bytes`);
  }
});
