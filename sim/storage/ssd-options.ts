// Options of the simulated SSD (ssd-backend.ts), with units in the names, and the defaults that
// describe a typical datacenter NVMe SSD. Every default number says what it is based on.
import type { LatencyDistribution } from './latency.js';

export interface SsdOptions {
  /** Time from a read entering service to its data being ready (NAND read + controller). */
  readonly readLatency: LatencyDistribution;
  /** Service time of a write when the cache is off (or the write bypasses it), and of a destage. */
  readonly writeLatency: LatencyDistribution;
  /** Commands in service at once (channels/dies working in parallel); more wait FIFO. At least 1. */
  readonly channels: number;
  /** Transfer cap in bytes per second through the host interface, a serial stage; 0 = unlimited. */
  readonly bandwidthBytesPerS: number;
  /** Volatile write cache size in bytes; 0 turns the cache off (writes complete after media service). */
  readonly writeCacheBytes: number;
  /** Latency of a write absorbed by the write cache, in microseconds. */
  readonly cacheWriteLatencyUs: number;
  /** Fixed cost of a Flush command on top of waiting for the cache to drain, in microseconds. */
  readonly flushLatencyUs: number;
}

/**
 * Defaults: one datacenter TLC NVMe SSD, the Micron 9200 PRO (PCIe Gen3 x4), from its public
 * product brief ("9200 NVMe SSDs", micron.com): typical QD1 latency READ 92-150 µs, WRITE 21 µs;
 * sequential 128 KB read and write up to 3.50 GB/s; random 4 KB read up to 840K IOPS; a
 * power-backed cache. Derived and estimated values are marked as such per field.
 */
export const SSD_DEFAULTS: SsdOptions = {
  // Mean 92 µs: the low end of the datasheet's 92-150 µs QD1 range (it varies by capacity). The
  // 10 µs spread is an estimate; the datasheet gives no distribution.
  readLatency: { kind: 'normal', meanUs: 92, stddevUs: 10 },
  // Mean 21 µs: the datasheet's QD1 write latency, which already includes the drive's power-backed
  // buffer. The 3 µs spread is an estimate. Sustained random writes (285K IOPS on the datasheet)
  // are not limited by this model; enable the cache with a slower writeLatency to model that.
  writeLatency: { kind: 'normal', meanUs: 21, stddevUs: 3 },
  // 77 ≈ 840K IOPS × 92 µs (Little's law): the concurrency that reproduces the datasheet's random
  // read IOPS at its read latency. A derived value, not a count of physical channels.
  channels: 77,
  // 3.50 GB/s: the datasheet's sequential 128 KB read and write bandwidth.
  bandwidthBytesPerS: 3_500_000_000,
  // Off: the datasheet drive's cache is power-backed, so it is not a volatile write cache (Identify
  // Controller VWC = 0) and Flush has nothing to wait for. Turn it on to model a client SSD.
  writeCacheBytes: 0,
  // When the cache is turned on, absorbed writes take the datasheet's 21 µs QD1 write latency.
  cacheWriteLatencyUs: 21,
  // Flush costs nothing beyond draining the cache (an estimate: the drive only writes metadata).
  flushLatencyUs: 0,
};
