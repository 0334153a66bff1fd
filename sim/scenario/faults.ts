// The network and device fault verbs of the scenario timeline, applied to the world. Node life
// cycle verbs (crash, restart, pause, resume) need the runner's targets and hosts and live in
// runner.ts. Each verb returns a one-line description for the report and the trace.
import type { Link } from '../net/index.js';
import type { SimNetwork } from '../net/index.js';
import type { FaultyBackend } from '../storage/index.js';
import type {
  FailDeviceFault,
  HealFault,
  PartitionFault,
  RepairDeviceFault,
  SetLinkFault,
  SlowDeviceFault,
} from './types.js';

/** NVMe Internal Error (generic status 0x06), the default status of failDevice. */
const STATUS_INTERNAL_ERROR = 0x0006;

/** The link's direction(s) a verb touches: both, or only what `from` sends. */
function side(link: Link, from: string | undefined): 'both' | 'a-to-b' | 'b-to-a' {
  if (from === undefined) return 'both';
  return link.from(from) === link.aToB ? 'a-to-b' : 'b-to-a';
}

function otherNodes(network: SimNetwork, node: string): string[] {
  return [...network.nodes.keys()].filter((name) => name !== node);
}

export function applyPartition(network: SimNetwork, fault: PartitionFault): string {
  if (fault.between !== undefined) {
    const [a, b] = fault.between;
    const link = network.linkBetween(a, b);
    link.partition(side(link, fault.from));
    if (fault.from === undefined) return `link ${a} <-> ${b} partitioned`;
    return `link ${fault.from} -> ${fault.from === a ? b : a} partitioned (one way)`;
  }
  const node = fault.node as string;
  network.partitionNodes([node], otherNodes(network, node));
  return `node ${node} isolated`;
}

export function applyHeal(network: SimNetwork, fault: HealFault): string {
  if (fault.between !== undefined) {
    const [a, b] = fault.between;
    const link = network.linkBetween(a, b);
    link.heal(side(link, fault.from));
    return `link ${a} <-> ${b} healed${fault.from === undefined ? '' : ` (from ${fault.from})`}`;
  }
  if (fault.node !== undefined) {
    network.healNodes([fault.node], otherNodes(network, fault.node));
    return `node ${fault.node} rejoined`;
  }
  network.healAllNodes();
  for (const link of network.links) link.heal('both');
  return 'every partition healed';
}

export function applySetLink(network: SimNetwork, fault: SetLinkFault): string {
  const [a, b] = fault.between;
  const link = network.linkBetween(a, b);
  link.set(fault.options, side(link, fault.from));
  const changes = Object.entries(fault.options)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(' ');
  return `link ${a} <-> ${b}${fault.from === undefined ? '' : ` (from ${fault.from})`}: ${changes}`;
}

export function applySlowDevice(backend: FaultyBackend, fault: SlowDeviceFault, where: string): string {
  const multiplier = fault.multiplier ?? 1;
  const addedUs = fault.addedLatencyUs ?? 0;
  backend.setSlow(multiplier);
  backend.setAddedLatency(addedUs);
  return `${where}: ${multiplier}x slower, +${addedUs} µs`;
}

export function applyFailDevice(backend: FaultyBackend, fault: FailDeviceFault, where: string): string {
  const status = fault.status ?? STATUS_INTERNAL_ERROR;
  backend.fail(status);
  return `${where}: failed (status 0x${status.toString(16)})`;
}

export function applyRepairDevice(backend: FaultyBackend, _fault: RepairDeviceFault, where: string): string {
  backend.repair();
  backend.setSlow(1);
  backend.setAddedLatency(0);
  return `${where}: repaired`;
}
