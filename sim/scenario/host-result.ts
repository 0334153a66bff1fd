// What a run reports per host, built by the run driver (runner.ts) the same way for simulated runs
// and runs against real Linux peers: the host's I/O counters, latency and controller state, folded into
// the run's overall latency histogram and per-queue counts as it goes.
import { NS_PER_S } from '../core/index.js';
import type { HostController } from '../host/index.js';
import { LatencyHistogram } from '../stats/index.js';
import { fioJob, type DirectionResult, type FioJob, type ResolvedJob } from '../workload/index.js';
import type { ResolvedHost } from './resolved.js';
import type { DirectionTotals, HostResult, LatencyUs, QueueCount } from './result.js';
import type { DirectionIoStats, HostIoStats } from './tracked-device.js';

/** The parts of a runner's host record the report reads. */
export interface HostRunView {
  readonly resolved: ResolvedHost;
  readonly stats: HostIoStats;
  readonly controller: HostController | null;
  readonly verifyChecked: number;
  readonly verifyMismatches: number;
  readonly connectError: string | undefined;
  /** The job its workload last started with; null: it never started one. */
  readonly job: ResolvedJob | null;
}

/**
 * The window a host's bandwidth is measured over: from its first submission to its last completion
 * within the duration (connection set-up and the drain excluded).
 */
export function measuredWindowNs(stats: HostIoStats): number {
  if (stats.firstSubmitNs < 0) return 0;
  return Math.max(0, Math.min(stats.lastCompletionNs, stats.durationNs) - stats.firstSubmitNs);
}

/**
 * One host's result; adds its latencies to `all` (and its clat to `allClat`) and its queues to
 * `perQueue`. IOPS and bandwidth count only the I/Os that completed within the duration.
 */
export function hostResult(
  host: HostRunView,
  crashed: boolean,
  durationS: number,
  all: LatencyHistogram,
  allClat: LatencyHistogram,
  perQueue: QueueCount[],
): HostResult {
  const stats = host.stats;
  const activeNs = measuredWindowNs(stats);
  all.add(stats.latency);
  if (stats.clat !== undefined) allClat.add(stats.clat);
  stats.perQueue.forEach((ios, queue) => {
    const histogram = stats.queueLatency(queue);
    perQueue.push({ host: host.resolved.name, qid: queue + 1, ios, ...(histogram === undefined ? {} : { latencyUs: latencyUs(histogram) }) });
  });
  const state = crashed ? 'crashed' : (host.controller?.state ?? (host.connectError !== undefined ? 'never connected' : 'connecting'));
  return {
    host: host.resolved.name,
    node: host.resolved.node,
    target: host.resolved.connect.target,
    nqn: host.resolved.connect.nqn,
    state,
    ios: stats.succeeded,
    errors: stats.failed,
    iops: round(stats.inDuration / durationS, 3),
    bytes: stats.bytes,
    activeSeconds: activeNs / NS_PER_S,
    bytesPerSecond: activeNs > 0 ? round((stats.bytesInDuration * NS_PER_S) / activeNs, 3) : 0,
    latencyUs: latencyUs(stats.latency),
    ...(stats.clat === undefined ? {} : { clatUs: latencyUs(stats.clat) }),
    read: directionTotals([stats.read], durationS, activeNs),
    write: directionTotals([stats.write], durationS, activeNs),
    reconnects: host.controller?.stats.reconnects ?? 0,
    lostInCrash: stats.lostInCrash,
    outstanding: stats.outstanding,
    verify: { blocksChecked: host.verifyChecked, mismatches: host.verifyMismatches },
    ...(host.connectError === undefined ? {} : { error: host.connectError }),
    ...(host.job === null ? {} : { fio: hostFioJob(host, host.job, crashed) }),
  };
}

/**
 * One direction summed over hosts: IOPS per second of the duration, bandwidth over `activeNs` (the
 * window the matching total is measured over, so read + write bandwidth is the total's).
 */
export function directionTotals(directions: readonly DirectionIoStats[], durationS: number, activeNs: number): DirectionTotals {
  const latency = new LatencyHistogram();
  for (const direction of directions) if (direction.ios > 0) latency.add(direction.latency);
  const sum = (count: (d: DirectionIoStats) => number): number => directions.reduce((total, d) => total + count(d), 0);
  return {
    ios: sum((d) => d.ios),
    errors: sum((d) => d.errors),
    iops: round(sum((d) => d.inDuration) / durationS, 3),
    bytes: sum((d) => d.bytes),
    bytesPerSecond: activeNs > 0 ? round((sum((d) => d.bytesInDuration) * NS_PER_S) / activeNs, 3) : 0,
    latencyUs: latencyUs(latency),
  };
}

/**
 * The host's workload as fio's JSON reports a job (json+ bins included), from the run's counters
 * over all its incarnations. A closed-loop randrw host reports its reads and writes apart, as fio
 * does; an open-loop one, whose clat is kept per host only, under fio's unified "mixed" direction.
 * Per-queue figures are the run's perQueue.
 */
function hostFioJob(host: HostRunView, job: ResolvedJob, crashed: boolean): FioJob {
  const stats = host.stats;
  const runtimeNs = stats.firstSubmitNs < 0 ? 0 : Math.max(0, stats.lastCompletionNs - stats.firstSubmitNs);
  const open = stats.clat !== undefined;
  const all: DirectionResult = {
    ioBytes: stats.bytes,
    ios: stats.succeeded,
    errors: stats.failed,
    runtimeNs,
    clat: (stats.clat ?? stats.latency).summary(),
    clatBuckets: (stats.clat ?? stats.latency).buckets(),
    ...(open ? { lat: stats.latency.summary(), latBuckets: stats.latency.buckets() } : {}),
  };
  const none: DirectionResult = { ioBytes: 0, ios: 0, errors: 0, runtimeNs: 0, clat: { min: 0, max: 0, mean: 0, stddev: 0, N: 0, percentile: {} } };
  const both = job.readFraction > 0 && job.readFraction < 1;
  const reads = job.readFraction > 0;
  if (both && !open) {
    const direction = (d: DirectionIoStats): DirectionResult => ({
      ioBytes: d.bytes,
      ios: d.ios,
      errors: d.errors,
      runtimeNs,
      clat: d.latency.summary(),
      clatBuckets: d.latency.buckets(),
    });
    return fioJob(job, {
      name: host.resolved.name,
      elapsedNs: runtimeNs,
      read: direction(stats.read),
      write: direction(stats.write),
      queues: [],
      errors: stats.failed,
      verify: { enabled: job.verify, blocksChecked: host.verifyChecked, mismatches: host.verifyMismatches },
      ended: crashed ? 'stopped' : stats.firstFailure === undefined ? 'done' : 'error',
    });
  }
  const mixed = both;
  return fioJob(
    job,
    {
      name: host.resolved.name,
      elapsedNs: runtimeNs,
      read: reads || mixed ? all : none,
      write: reads ? none : all,
      queues: [],
      errors: stats.failed,
      verify: { enabled: job.verify, blocksChecked: host.verifyChecked, mismatches: host.verifyMismatches },
      ended: crashed ? 'stopped' : stats.firstFailure === undefined ? 'done' : 'error',
    },
    { mixed },
  );
}

/** A histogram's fio-style summary in microseconds. */
export function latencyUs(histogram: LatencyHistogram): LatencyUs {
  const summary = histogram.summary([]);
  return {
    p50: histogram.valueAt(50) / 1000,
    p99: histogram.valueAt(99) / 1000,
    p999: histogram.valueAt(99.9) / 1000,
    max: summary.max / 1000,
    mean: round(summary.mean / 1000, 3),
  };
}

export function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
