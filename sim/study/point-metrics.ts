// The figures of one run that a study compares across points and seeds, flattened to named numbers
// (`iops`, `latencyUs.p99`, `cpu.maxCoreUtilisation`, ...) so that questions, spreads, tables and
// charts can name any of them the same way.
import type { ScenarioResult } from '../scenario/index.js';

export type PointMetrics = Readonly<Record<string, number>>;

/** The metric names every run reports, in the order tables show them. */
export const METRIC_NAMES: readonly string[] = [
  'iops',
  'bytesPerSecond',
  'latencyUs.p50',
  'latencyUs.p99',
  'latencyUs.p999',
  'latencyUs.mean',
  'latencyUs.max',
  'ios',
  'errors',
  'cpu.maxCoreUtilisation',
  'cpu.meanUtilisation',
  'net.retransmits',
  'net.dropped',
  'bottleneck.utilisation',
  'bottleneck.headroom',
];

export function pointMetrics(result: ScenarioResult): PointMetrics {
  let maxCore = 0;
  let meanSum = 0;
  for (const node of result.cpu) {
    for (const core of node.utilisation) if (core > maxCore) maxCore = core;
    meanSum += node.meanUtilisation;
  }
  return {
    iops: result.iops,
    bytesPerSecond: result.bytesPerSecond,
    'latencyUs.p50': result.latencyUs.p50,
    'latencyUs.p99': result.latencyUs.p99,
    'latencyUs.p999': result.latencyUs.p999,
    'latencyUs.mean': result.latencyUs.mean,
    'latencyUs.max': result.latencyUs.max,
    ios: result.ios,
    errors: result.errors,
    'cpu.maxCoreUtilisation': maxCore,
    'cpu.meanUtilisation': result.cpu.length === 0 ? 0 : meanSum / result.cpu.length,
    'net.retransmits': result.net.tcp.retransmits,
    'net.dropped': result.net.dropped,
    // The saturated (or, when none is, the busiest) resource's use, and what the next one has left.
    'bottleneck.utilisation': result.bottleneck.utilisation ?? result.bottleneck.next?.utilisation ?? 0,
    'bottleneck.headroom': result.bottleneck.next?.headroom ?? 1,
  };
}
