// What users type to pick a namespace's storage, and how it is opened. Flags and scenarios take
// `null:1GiB`, `ram:64MiB`, `file:/path/img` (or `file:/path/img:1GiB` to create a sparse file),
// and `ssd:SIZE[,OPTION=VALUE...]` for the simulated SSD. nvmetcli configs name a device_path
// instead; backendSpecFromDevicePath maps those (`/dev/nullbN`, a file, a block device).
import type { Clock, Random } from '../core/index.js';
import { parseDurationNs, parseSize, UnitError } from '../core/index.js';
import type { BlockBackend } from './backend.js';
import { FileBackend } from './real-file-backend.js';
import { type LatencyDistribution, percentilesProblem } from './latency.js';
import { NullBackend } from './null-backend.js';
import { RamBackend } from './ram-backend.js';
import { SsdBackend } from './ssd-backend.js';
import { SSD_DEFAULTS, type SsdOptions } from './ssd-options.js';

export type BackendSpec =
  | { readonly kind: 'null'; readonly sizeBytes: number; readonly blockSize: number }
  | { readonly kind: 'ram'; readonly sizeBytes: number; readonly blockSize: number }
  | {
      readonly kind: 'file';
      readonly path: string;
      /** Namespace size; absent means the file's or device's size. */
      readonly sizeBytes?: number;
      /** Create the file (sparse, sizeBytes long) when it does not exist. */
      readonly create: boolean;
      readonly blockSize: number;
    }
  | { readonly kind: 'ssd'; readonly sizeBytes: number; readonly blockSize: number; readonly ssd: SsdOptions };

export interface BackendSpecOptions {
  /** LBA size for the namespace: 512 (default) or 4096. */
  readonly blockSize?: number;
}

/** Linux null_blk's default capacity: module parameter gb=250 (drivers/block/null_blk/main.c, g_gb). */
export const NULL_BLK_DEFAULT_BYTES = 250 * 1024 ** 3;

const EXPECTED = 'expected null:SIZE, ram:SIZE, file:PATH[:SIZE], ssd:SIZE[,OPTION=VALUE...]';

/** Parses a backend spec; errors are UnitErrors naming `field` (e.g. `--ns`). */
export function parseBackendSpec(text: string, field: string, options: BackendSpecOptions = {}): BackendSpec {
  const blockSize = options.blockSize ?? 512;
  if (blockSize !== 512 && blockSize !== 4096) {
    throw new UnitError(field, `block size ${blockSize} is not 512 or 4096`);
  }
  const colon = text.indexOf(':');
  const kind = colon < 0 ? text : text.slice(0, colon);
  const rest = colon < 0 ? '' : text.slice(colon + 1);
  switch (kind) {
    case 'null':
    case 'ram':
      return { kind, sizeBytes: parseCapacity(rest, kind, field, blockSize), blockSize };
    case 'file':
      return parseFileSpec(rest, field, blockSize);
    case 'ssd':
      return parseSsdSpec(rest, field, blockSize);
    default:
      throw new UnitError(field, `unknown backend '${kind}' (${EXPECTED})`);
  }
}

/**
 * Maps an nvmetcli `device_path` (attr_device_path / "device.path" in the JSON config) to a spec:
 * `/dev/nullbN` is a null device of null_blk's default 250 GiB (our simulated stand-in for the
 * null_blk module), our extensions `null:SIZE`, `ram:SIZE`, `ssd:...`, `file:...` are parsed as
 * specs, and any other path is a file or block device opened as is.
 */
export function backendSpecFromDevicePath(
  devicePath: string,
  field: string,
  options: BackendSpecOptions = {},
): BackendSpec {
  const blockSize = options.blockSize ?? 512;
  if (/^\/dev\/nullb\d+$/.test(devicePath)) return { kind: 'null', sizeBytes: NULL_BLK_DEFAULT_BYTES, blockSize };
  if (/^(null|ram|ssd|file):/.test(devicePath)) return parseBackendSpec(devicePath, field, options);
  if (devicePath.startsWith('/')) return { kind: 'file', path: devicePath, create: false, blockSize };
  throw new UnitError(field, `device path '${devicePath}' is not absolute (${EXPECTED})`);
}

/** Formats a spec back into the text parseBackendSpec accepts (SSD options are summarised). */
export function formatBackendSpec(spec: BackendSpec): string {
  switch (spec.kind) {
    case 'null':
    case 'ram':
    case 'ssd':
      return `${spec.kind}:${spec.sizeBytes}`;
    case 'file':
      return spec.create && spec.sizeBytes !== undefined ? `file:${spec.path}:${spec.sizeBytes}` : `file:${spec.path}`;
  }
}

/** What openBackend needs for simulated devices: the simulation clock and a seeded stream. */
export interface BackendDeps {
  readonly clock: Clock;
  /** A stream for this device's latency draws, e.g. env.rng.stream('ssd/nqn.../1'). */
  readonly rng: Random;
  /**
   * Keep written data (default true); see SsdBackendOptions.retainData. Off, an `ssd:` device keeps
   * its timing and drops the bytes, and a `ram:` device opens as a null device.
   */
  readonly retainData?: boolean;
}

/** Opens the backend a spec describes. `ssd` needs deps (it lives in simulated time); `ram` reads them for retainData. */
export async function openBackend(spec: BackendSpec, deps?: BackendDeps): Promise<BlockBackend> {
  switch (spec.kind) {
    case 'null':
      return new NullBackend(spec.sizeBytes, spec.blockSize);
    case 'ram':
      // A RAM disk nothing reads back is a null device: both complete at once, so only memory differs.
      if (deps?.retainData === false) return new NullBackend(spec.sizeBytes, spec.blockSize);
      return new RamBackend(spec.sizeBytes, { blockSize: spec.blockSize });
    case 'file': {
      const options = { create: spec.create, blockSize: spec.blockSize };
      const sized = spec.sizeBytes === undefined ? options : { ...options, sizeBytes: spec.sizeBytes };
      return FileBackend.open(spec.path, sized);
    }
    case 'ssd':
      if (deps === undefined) throw new Error('ssd backend needs a clock and a random stream (simulation only)');
      return new SsdBackend(spec.sizeBytes, deps.clock, deps.rng, {
        ...spec.ssd,
        blockSize: spec.blockSize,
        retainData: deps.retainData ?? true,
      });
  }
}

function parseCapacity(text: string, kind: string, field: string, blockSize: number): number {
  if (text === '') throw new UnitError(field, `${kind} backend needs a size (${kind}:SIZE, e.g. ${kind}:1GiB)`);
  const bytes = parseSize(text, field);
  if (bytes <= 0 || bytes % blockSize !== 0) {
    throw new UnitError(field, `size '${text}' is not a positive multiple of the ${blockSize}-byte block size`);
  }
  return bytes;
}

function parseFileSpec(rest: string, field: string, blockSize: number): BackendSpec {
  // `file:/path:SIZE` creates: the last `:` segment is a size when it starts with a digit.
  const colon = rest.lastIndexOf(':');
  const tail = colon < 0 ? '' : rest.slice(colon + 1);
  const hasSize = colon >= 0 && /^\d/.test(tail);
  const path = hasSize ? rest.slice(0, colon) : rest;
  if (path === '') throw new UnitError(field, 'file backend needs a path (file:PATH or file:PATH:SIZE)');
  if (!hasSize) return { kind: 'file', path, create: false, blockSize };
  return { kind: 'file', path, sizeBytes: parseCapacity(tail, 'file', field, blockSize), create: true, blockSize };
}

const SSD_OPTION_NAMES = 'read, write, channels, bw, cache, cachelat, flushlat';

function parseSsdSpec(rest: string, field: string, blockSize: number): BackendSpec {
  const [sizeText = '', ...pairs] = rest.split(',');
  const sizeBytes = parseCapacity(sizeText, 'ssd', field, blockSize);
  const ssd: { -readonly [K in keyof SsdOptions]: SsdOptions[K] } = { ...SSD_DEFAULTS };
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    const name = equals < 0 ? pair : pair.slice(0, equals);
    const value = equals < 0 ? '' : pair.slice(equals + 1);
    if (value === '') throw new UnitError(field, `ssd option '${name}' needs a value (${name}=VALUE)`);
    switch (name) {
      case 'read':
        ssd.readLatency = parseLatency(value, field);
        break;
      case 'write':
        ssd.writeLatency = parseLatency(value, field);
        break;
      case 'channels':
        ssd.channels = parseCount(value, name, field);
        break;
      case 'bw':
        ssd.bandwidthBytesPerS = parseBandwidth(value, field);
        break;
      case 'cache':
        ssd.writeCacheBytes = parseSize(value, field);
        break;
      case 'cachelat':
        ssd.cacheWriteLatencyUs = parseDurationNs(value, field) / 1000;
        break;
      case 'flushlat':
        ssd.flushLatencyUs = parseDurationNs(value, field) / 1000;
        break;
      default:
        throw new UnitError(field, `unknown ssd option '${name}' (expected ${SSD_OPTION_NAMES})`);
    }
  }
  return { kind: 'ssd', sizeBytes, blockSize, ssd };
}

/**
 * Parses a latency distribution: `80us` (constant), `uniform:60us:100us`, `normal:80us:10us`
 * (mean, standard deviation), `exp:80us` (exponential with that mean), `pct:80us:200us:400us:1ms`
 * (p50, p99, p99.9 and optionally the maximum, as datasheets give QoS). Durations take any unit.
 */
export function parseLatency(text: string, field: string): LatencyDistribution {
  const parts = text.split(':');
  const us = (part: string | undefined): number => parseDurationNs(part ?? '', field) / 1000;
  const shape = parts[0];
  if (parts.length === 1) return { kind: 'constant', us: us(shape) };
  if (shape === 'const' && parts.length === 2) return { kind: 'constant', us: us(parts[1]) };
  if (shape === 'uniform' && parts.length === 3) {
    const minUs = us(parts[1]);
    const maxUs = us(parts[2]);
    if (maxUs < minUs) throw new UnitError(field, `latency '${text}': maximum is below minimum`);
    return { kind: 'uniform', minUs, maxUs };
  }
  if (shape === 'normal' && parts.length === 3) return { kind: 'normal', meanUs: us(parts[1]), stddevUs: us(parts[2]) };
  if (shape === 'exp' && parts.length === 2) return { kind: 'exponential', meanUs: us(parts[1]) };
  if (shape === 'pct' && (parts.length === 4 || parts.length === 5)) {
    const distribution: LatencyDistribution =
      parts.length === 5
        ? { kind: 'percentiles', p50Us: us(parts[1]), p99Us: us(parts[2]), p999Us: us(parts[3]), maxUs: us(parts[4]) }
        : { kind: 'percentiles', p50Us: us(parts[1]), p99Us: us(parts[2]), p999Us: us(parts[3]) };
    const problem = percentilesProblem(distribution);
    if (problem !== null) throw new UnitError(field, `latency '${text}': ${problem}`);
    return distribution;
  }
  throw new UnitError(
    field,
    `malformed latency '${text}' (expected e.g. 80us, uniform:60us:100us, normal:80us:10us, exp:80us, pct:80us:200us:400us[:1ms])`,
  );
}

function parseCount(text: string, name: string, field: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new UnitError(field, `ssd option '${name}' must be a whole number of at least 1, not '${text}'`);
  }
  return Number(text);
}

/** Parses a byte rate such as `7GB/s`, `3500MB/s`, `2GiB/s`; `0` means unlimited. */
function parseBandwidth(text: string, field: string): number {
  const match = /^(.*?)(?:\/s|ps)?$/i.exec(text);
  return parseSize(match?.[1] ?? text, field);
}
