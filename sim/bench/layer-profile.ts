// Where a benchmark's wall time goes, by layer: V8's sampling profiler (node:inspector) runs while
// the measured function does, and each sample is given to the layer of the nearest simulator frame
// on its stack (walking from the running function towards the root), so a builtin called by the
// TCP model counts as TCP model. The shares are then applied to a run measured without the
// profiler, whose sampling slows what it watches.
import { Session } from 'node:inspector/promises';

/** One profile node as V8 reports it. */
interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/**
 * Names a sample's layer from its stack's simulator paths (`sim/net/tcp-connection`, without
 * the extension; the running frame first), or undefined to look further up. `frames` are the
 * stack's paths under sim/ (or dist/), leaf first.
 */
export type LayerOf = (frames: readonly string[]) => string;

/** The path of a frame under sim/ (sources) or dist/ (built), without its extension. */
function simPath(url: string): string | undefined {
  const match = /\/(?:sim|dist)\/([^?]+?)\.(?:ts|js)$/.exec(url);
  return match?.[1];
}

/** Runs fn under the sampling profiler; returns its result and each layer's share of busy samples. */
export async function profileLayers<T>(fn: () => Promise<T>, layerOf: LayerOf, samplingIntervalUs = 100): Promise<{ result: T; shares: Record<string, number> }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
    await session.post('Profiler.start');
    const result = await fn();
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
    return { result, shares: attribute(profile, layerOf) };
  } finally {
    session.disconnect();
  }
}

function attribute(profile: Profile, layerOf: LayerOf): Record<string, number> {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const layerById = new Map<number, string>();
  const layerOfNode = (id: number): string => {
    const known = layerById.get(id);
    if (known !== undefined) return known;
    const leaf = byId.get(id);
    let layer: string;
    if (leaf?.callFrame.functionName === '(garbage collector)') layer = 'gc';
    else if (leaf?.callFrame.functionName === '(idle)') layer = 'idle';
    else {
      const frames: string[] = [];
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const path = simPath(byId.get(at)?.callFrame.url ?? '');
        if (path !== undefined) frames.push(path);
      }
      layer = frames.length === 0 ? 'other' : layerOf(frames);
    }
    layerById.set(id, layer);
    return layer;
  };
  const time = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, index) => {
    const layer = layerOfNode(id);
    if (layer === 'idle') return;
    const us = profile.timeDeltas[index] ?? 0;
    time.set(layer, (time.get(layer) ?? 0) + us);
    busy += us;
  });
  const shares: Record<string, number> = {};
  for (const [layer, us] of [...time].sort((a, b) => b[1] - a[1])) shares[layer] = busy === 0 ? 0 : us / busy;
  return shares;
}

/** Layers of a simulated run, as issue 13 names them. */
export function simulationLayer(frames: readonly string[]): string {
  // core/'s helpers (FIFOs, slabs, work tallies) count for the layer that called them.
  const leaf = frames.find((frame) => !frame.startsWith('core/') || frame === 'core/scheduler') ?? frames[0] ?? '';
  if (/^net\/(tcp-|sim-node|nic-host|tcp)/.test(leaf)) return 'tcp model';
  if (leaf.startsWith('net/')) return 'links and switch';
  if (leaf.startsWith('cpu/')) return 'cpu model';
  if (leaf.startsWith('storage/')) return 'ssd';
  if (/^(nvme|host|target|transport)\//.test(leaf)) return 'nvme code';
  if (/^(workload|stats|scenario)\//.test(leaf)) return 'workload and statistics';
  if (leaf.startsWith('core/')) return 'scheduler and core';
  return 'other';
}

/**
 * Host against target in a model-free run (the code floor): the running simulator frame's folder
 * names the workload, the pipe or the scheduler; otherwise the first host or target frame from it
 * decides, so the shared codec and core helpers count for the side that called them.
 */
export function sideLayer(frames: readonly string[]): string {
  const leaf = frames.find((frame) => !frame.startsWith('core/') || frame === 'core/scheduler') ?? frames[0] ?? '';
  if (/^(workload|stats|scenario)\//.test(leaf)) return 'workload and statistics';
  if (leaf.startsWith('bench/')) return 'pipe';
  if (leaf === 'core/scheduler') return 'scheduler and core';
  for (const frame of frames) {
    if (frame.startsWith('host/')) return 'host';
    if (frame.startsWith('target/')) return 'target';
  }
  return 'other';
}
