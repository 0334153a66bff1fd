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
 * Defaults: one datacenter TLC NVMe SSD. The typical latencies, bandwidth and IOPS are the Micron
 * 9200 PRO's (PCIe Gen3 x4) public product brief ("9200 NVMe SSDs", micron.com): typical QD1
 * latency READ 92-150 µs, WRITE 21 µs; sequential 128 KB read and write up to 3.50 GB/s; random
 * 4 KB read up to 840K IOPS; a power-backed cache. The tails follow a current drive: Micron's
 * 7500 (PCIe Gen4, 2023) is specified at under 1 ms for 99.9999% QoS (as reported at its launch,
 * ServeTheHome, "Micron 7500 Mainstream PCIe Gen4 NVMe SSD Launched"). Neither source gives p99
 * or p99.9, so those are derived: log-latency is taken to rise linearly with the number of nines
 * (log10 of 1/(1 - q)) from the typical value at p50 to 1 ms at six nines. docs/calibration.md
 * lists each number and where it comes from.
 */
export const SSD_DEFAULTS: SsdOptions = {
  // p50 92 µs: the low end of the 9200's 92-150 µs typical QD1 read. p99 187 µs and p99.9 285 µs
  // are derived (see above); the maximum, 1 ms, is the 7500's six-nines QoS bound.
  readLatency: { kind: 'percentiles', p50Us: 92, p99Us: 187, p999Us: 285, maxUs: 1000 },
  // p50 21 µs: the 9200's typical QD1 write, which already includes the power-backed buffer. p99
  // 66 µs and p99.9 131 µs derived the same way, up to the same 1 ms bound. Sustained random
  // writes (285K IOPS on the datasheet) are not limited by this model; enable the cache with a
  // slower writeLatency to model that.
  writeLatency: { kind: 'percentiles', p50Us: 21, p99Us: 66, p999Us: 131, maxUs: 1000 },
  // 91 ≈ 840K IOPS × 108 µs (Little's law): the concurrency that reproduces the datasheet's random
  // read IOPS at the mean of readLatency (108.3 µs, meanLatencyUs). A derived value, not a count
  // of physical channels.
  channels: 91,
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
