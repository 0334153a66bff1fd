// Backend specs as users type them (--ns, scenario files) and as nvmetcli names devices, with the
// exact error messages that name the offending flag.
import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UnitError } from '../sim/core/units.js';
import {
  backendSpecFromDevicePath,
  NULL_BLK_DEFAULT_BYTES,
  openBackend,
  parseBackendSpec,
  parseLatency,
} from '../sim/storage/backend-spec.js';
import { SSD_DEFAULTS } from '../sim/storage/ssd-options.js';

test('storage: spec null, ram and file', (t) => {
  t.deepEqual(parseBackendSpec('null:1GiB', '--ns'), { kind: 'null', sizeBytes: 1024 ** 3, blockSize: 512 });
  t.deepEqual(parseBackendSpec('ram:64MiB', '--ns', { blockSize: 4096 }), {
    kind: 'ram',
    sizeBytes: 64 * 1024 ** 2,
    blockSize: 4096,
  });
  t.deepEqual(parseBackendSpec('file:/var/img', '--ns'), { kind: 'file', path: '/var/img', create: false, blockSize: 512 });
  t.deepEqual(parseBackendSpec('file:/var/img:1GiB', '--ns'), {
    kind: 'file',
    path: '/var/img',
    sizeBytes: 1024 ** 3,
    create: true,
    blockSize: 512,
  });
});

test('storage: spec ssd with options', (t) => {
  const spec = parseBackendSpec('ssd:64GiB,read=normal:80us:10us,write=uniform:10us:30us,channels=8,bw=3GB/s,cache=1MiB,cachelat=5us', '--ns');
  t.deepEqual(spec, {
    kind: 'ssd',
    sizeBytes: 64 * 1024 ** 3,
    blockSize: 512,
    ssd: {
      ...SSD_DEFAULTS,
      readLatency: { kind: 'normal', meanUs: 80, stddevUs: 10 },
      writeLatency: { kind: 'uniform', minUs: 10, maxUs: 30 },
      channels: 8,
      bandwidthBytesPerS: 3e9,
      writeCacheBytes: 1024 ** 2,
      cacheWriteLatencyUs: 5,
    },
  });
  t.deepEqual(parseBackendSpec('ssd:1GiB', '--ns'), { kind: 'ssd', sizeBytes: 1024 ** 3, blockSize: 512, ssd: SSD_DEFAULTS });
  t.deepEqual(parseLatency('exp:1ms', 'x'), { kind: 'exponential', meanUs: 1000 });
  t.deepEqual(parseLatency('90us', 'x'), { kind: 'constant', us: 90 });
});

test('storage: spec errors name the field', (t) => {
  const cases: [string, string][] = [
    ['foo:1G', "--ns: unknown backend 'foo' (expected null:SIZE, ram:SIZE, file:PATH[:SIZE], ssd:SIZE[,OPTION=VALUE...])"],
    ['ram', '--ns: ram backend needs a size (ram:SIZE, e.g. ram:1GiB)'],
    ['null:12XB', "--ns: malformed size '12XB' (expected e.g. 4096, 4k, 64MiB, 1GB)"],
    ['ram:1000', "--ns: size '1000' is not a positive multiple of the 512-byte block size"],
    ['file:', '--ns: file backend needs a path (file:PATH or file:PATH:SIZE)'],
    ['ssd:1G,turbo=1', "--ns: unknown ssd option 'turbo' (expected read, write, channels, bw, cache, cachelat, flushlat)"],
    ['ssd:1G,channels=0', "--ns: ssd option 'channels' must be a whole number of at least 1, not '0'"],
    ['ssd:1G,read', "--ns: ssd option 'read' needs a value (read=VALUE)"],
    [
      'ssd:1G,read=gamma:3us',
      "--ns: malformed latency 'gamma:3us' (expected e.g. 80us, uniform:60us:100us, normal:80us:10us, exp:80us, pct:80us:200us:400us[:1ms])",
    ],
    ['ssd:1G,read=pct:80us:70us:400us', "--ns: latency 'pct:80us:70us:400us': p99 is below p50"],
    ['ssd:1G,read=pct:80us:200us:400us:300us', "--ns: latency 'pct:80us:200us:400us:300us': max is below p99.9"],
  ];
  for (const [text, message] of cases) {
    const error = t.throws(() => parseBackendSpec(text, '--ns'), { instanceOf: UnitError });
    t.is(error?.message, message, text);
  }
  t.is(
    t.throws(() => parseBackendSpec('ram:4k', '--ns', { blockSize: 1024 }))?.message,
    '--ns: block size 1024 is not 512 or 4096',
  );
});

test('storage: nvmetcli device paths map to backends', (t) => {
  t.deepEqual(backendSpecFromDevicePath('/dev/nullb0', 'device_path'), {
    kind: 'null',
    sizeBytes: NULL_BLK_DEFAULT_BYTES,
    blockSize: 512,
  });
  t.is(NULL_BLK_DEFAULT_BYTES, 250 * 1024 ** 3);
  t.deepEqual(backendSpecFromDevicePath('/dev/nvme0n1', 'device_path'), {
    kind: 'file',
    path: '/dev/nvme0n1',
    create: false,
    blockSize: 512,
  });
  t.deepEqual(backendSpecFromDevicePath('ram:1MiB', 'device_path'), { kind: 'ram', sizeBytes: 1024 ** 2, blockSize: 512 });
  t.is(
    t.throws(() => backendSpecFromDevicePath('disk.img', 'device_path'))?.message,
    "device_path: device path 'disk.img' is not absolute (expected null:SIZE, ram:SIZE, file:PATH[:SIZE], ssd:SIZE[,OPTION=VALUE...])",
  );
});

test('storage: openBackend opens each kind', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nvmf-sim-spec-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = await openBackend(parseBackendSpec(`file:${path.join(dir, 'a.img')}:1MiB`, '--ns'));
  t.teardown(() => file.close());
  t.is(file.kind, 'file');
  t.is(file.sizeBytes, 1024 ** 2);
  t.is((await openBackend(parseBackendSpec('null:1GiB', '--ns'))).kind, 'null');
  t.is((await openBackend(parseBackendSpec('ram:1GiB', '--ns'))).kind, 'ram');
  await t.throwsAsync(openBackend(parseBackendSpec('ssd:1GiB', '--ns')), {
    message: 'ssd backend needs a clock and a random stream (simulation only)',
  });
});
