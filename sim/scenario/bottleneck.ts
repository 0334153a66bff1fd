// Which resource limited a run, from its utilisation over the measured window (utilisation.ts:
// from the slice before the first I/O to the end of the duration; the drain is not measured).
//
// Saturated means busy at least SATURATED (90%) of the measured window:
// - a core: the fraction of the window it spent running work items (SimCpu busy time, all of the
//   node's incarnations);
// - a link direction: bits serialised over the window against the sender's effective rate (its
//   own line rate, the link's cap, the receiver's rate);
// - an SSD: mean channels in service over its channels, or bytes over its host-interface
//   bandwidth when that is capped.
// The most utilised resource at or above the threshold is the bottleneck. When none is, the run
// is latency-bound: its I/O rate is what its queue depth allows at the latency it gets (Little's
// law), so the verdict is 'none', with the host queue slots in use as the evidence. Either way the
// verdict names the next most utilised resource and its headroom (1 - utilisation). Switch port
// buffers and drops, and TCP's cwnd- and rwnd-limited time, are reported beside the verdict:
// they explain a saturated link's latency rather than limit throughput themselves.
import type { UtilisationResult } from './utilisation.js';

/** Busy at least this fraction of the measured window: saturated. */
export const SATURATED = 0.9;

export type BottleneckResource = 'cpu' | 'link' | 'ssd-channels' | 'ssd-bandwidth';

export interface ResourceLoad {
  readonly resource: BottleneckResource;
  /** e.g. "target core 0", "host/eth0>target/eth0", "target nqn.../1". */
  readonly name: string;
  readonly utilisation: number;
  /** 1 - utilisation. */
  readonly headroom: number;
}

export interface Bottleneck {
  /** The saturated resource, 'none' (latency-bound), or 'unmeasured' (a real-time run: no resource model). */
  readonly resource: BottleneckResource | 'none' | 'unmeasured';
  readonly name: string | null;
  readonly utilisation: number | null;
  readonly threshold: number;
  /** One line saying why. */
  readonly reason: string;
  /** The figures behind the verdict. */
  readonly figures: {
    /** Mean fraction of all host queue slots in use over the window. */
    readonly queueSlotsInUse: number;
    readonly tcpRetransmits: number;
    readonly tcpCwndLimitedMs: number;
    readonly tcpRwndLimitedMs: number;
    readonly switchDrops: number;
    /** The most utilised resources, highest first (at most 5). */
    readonly top: readonly ResourceLoad[];
  };
  /** The next most utilised resource after the verdict's (or the most utilised one, when none is saturated). */
  readonly next: ResourceLoad | null;
}

export function judgeBottleneck(utilisation: UtilisationResult, measured: boolean): Bottleneck {
  const loads = resourceLoads(utilisation);
  const slots = utilisation.queueSlots;
  const slotCapacity = slots.reduce((sum, q) => sum + q.queueSize, 0);
  const figures = {
    queueSlotsInUse: slotCapacity > 0 ? round(slots.reduce((sum, q) => sum + q.meanInUse, 0) / slotCapacity) : 0,
    tcpRetransmits: utilisation.tcp.reduce((sum, node) => sum + node.retransmits, 0),
    tcpCwndLimitedMs: round(utilisation.tcp.reduce((sum, node) => sum + node.cwndLimitedMs, 0)),
    tcpRwndLimitedMs: round(utilisation.tcp.reduce((sum, node) => sum + node.rwndLimitedMs, 0)),
    switchDrops: utilisation.switchPorts.reduce((sum, port) => sum + port.drops, 0),
    top: loads.slice(0, 5),
  };
  const base = { threshold: SATURATED, figures };
  if (!measured) {
    return { ...base, resource: 'unmeasured', name: null, utilisation: null, reason: 'a real-time run: resources are not modelled', next: null };
  }
  const top = loads[0];
  if (top === undefined || top.utilisation < SATURATED) {
    const highest = top === undefined ? 'nothing was busy' : `the busiest is ${top.name} at ${percent(top.utilisation)}`;
    return {
      ...base,
      resource: 'none',
      name: null,
      utilisation: null,
      reason: `no resource ≥ ${percent(SATURATED)} busy (${highest}): latency-bound, ${percent(figures.queueSlotsInUse)} of host queue slots in use`,
      next: top ?? null,
    };
  }
  return {
    ...base,
    resource: top.resource,
    name: top.name,
    utilisation: top.utilisation,
    reason: `${top.name} was ${percent(top.utilisation)} busy over the measured window (≥ ${percent(SATURATED)})`,
    next: loads[1] ?? null,
  };
}

/** Every resource that can saturate, most utilised first (ties keep the listing order). */
export function resourceLoads(utilisation: UtilisationResult): ResourceLoad[] {
  const loads: ResourceLoad[] = [];
  const add = (resource: BottleneckResource, name: string, value: number): void => {
    loads.push({ resource, name, utilisation: value, headroom: round(1 - value) });
  };
  for (const core of utilisation.cores) add('cpu', `${core.node} core ${core.core}`, core.busy);
  for (const link of utilisation.links) if (link.capacityBps !== null) add('link', link.direction, link.utilisation);
  for (const ssd of utilisation.ssds) {
    add('ssd-channels', ssd.device, ssd.occupancy);
    if (ssd.bandwidthBytesPerSecond !== null) add('ssd-bandwidth', ssd.device, ssd.bandwidthUtilisation);
  }
  return loads.map((load, index) => ({ load, index })).sort((a, b) => b.load.utilisation - a.load.utilisation || a.index - b.index).map((entry) => entry.load);
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

function round(value: number): number {
  return Math.round(value * 10000) / 10000;
}
