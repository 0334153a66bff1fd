// The simulator's speed and size benchmarks (issue 3):
// - simReferenceBench: scenarios/reference.ts (1 host, 1 target, 8 queues x QD32, 4 KiB random
//   reads on the ssd model) for its full simulated second; simulated I/Os and scheduler events per
//   wall second. Goal: >= 250,000 simulated I/Os per wall second. Measured with it, in the same
//   process, the code floor (code-floor.ts): the same workload on the same target and host code
//   with no network, TCP, CPU or SSD model, which bounds what any simulation of it can reach.
// - simFleetBench: 64 hosts x 8 queues against 4 targets through one switch, built in code; wall
//   nanoseconds per simulated I/O in steady state, and the ratio to the reference scenario measured
//   the same way in the same process. Goal: ratio <= 1.5 (a fleet costs per I/O about what one pair
//   does).
// - simMemoryBench: heap per simulated NVMe/TCP connection (host queue + TCP connection + target
//   queue), the slope of heapUsed (without compiled code) between the fleet's connections up and
//   idle and the same fleet with half its hosts. Goal (issue 13): <= 16 KiB.
// - simMixedBench: the reference with 4 KiB randrw 70/30 against randread, wall ns per simulated
//   I/O in the same steady-state window. Goal (issue 13): within 1.5x.
// Each takes well under a minute of wall time. Wall-clock reads are allowed here (sim/bench is
// outside the determinism rules); the simulations themselves never see them.
import { fileURLToPath } from 'node:url';
import { codeFloor } from './code-floor.js';
import { profileLayers, sideLayer, simulationLayer } from './layer-profile.js';
import v8 from 'node:v8';
import vm from 'node:vm';
import { loadScenario } from '../scenario/index.js';
import type { ResolvedScenario } from '../scenario/index.js';
import type { RunProgress } from '../scenario/index.js';
import { runScenario } from '../scenario/index.js';
import type { Scenario, ScenarioHost, ScenarioNode, ScenarioTarget } from '../scenario/index.js';
import { resolveScenario } from '../scenario/index.js';

const REFERENCE_FILE = fileURLToPath(new URL('../../scenarios/reference.ts', import.meta.url));

/** Goals from issues 3 and 13. */
const GOAL_IOS_PER_WALL_S = 250_000;
const GOAL_FLEET_RATIO = 1.5;
const GOAL_BYTES_PER_CONNECTION = 16 * 1024;
const GOAL_MIXED_RATIO = 1.5;

const NS_PER_MS = 1e6;
/** Code floor windows in simulated ms (its I/Os are ~2 us of simulated time apart per slot). */
const CODE_FLOOR_WARMUP_MS = 5;
const CODE_FLOOR_MEASURE_MS = 10;
const FLEET_HOSTS = 64;
const FLEET_TARGETS = 4;
const FLEET_QUEUES = 8;
/** Entries per NVMe queue, as in the reference. */
const FLEET_QUEUE_SIZE = 32;
/**
 * Outstanding I/Os per queue in the measured fleet: 2, so that each target serves 16 hosts x 8
 * queues x 2 = 256 outstanding reads, the reference's load, and the comparison isolates the cost of
 * the fleet's structure (512 connections, a switch hop). The reference's own depth (32 per queue)
 * oversubscribes each target 16x (16,384 reads outstanding, ~6 ms latency); it is reported too.
 */
const FLEET_QUEUE_DEPTH = 2;
const FLEET_HEAVY_QUEUE_DEPTH = 32;
/** Link latency to the switch: two hops give the reference's 8 us one way. */
const FLEET_HOP_LATENCY_US = 4;
/** Every host starts its workload here, after all of them have connected. */
const FLEET_START_NS = 10 * NS_PER_MS;
/** Steady-state windows [start, end) in simulated time, after connect and ramp-up. */
const FLEET_WINDOW_NS: readonly [number, number] = [20 * NS_PER_MS, 50 * NS_PER_MS];
const REFERENCE_WINDOW_NS: readonly [number, number] = [20 * NS_PER_MS, 200 * NS_PER_MS];
/** Simulated time of the reference run that is profiled by layer (shares only; its wall is not used). */
const LAYER_PROFILE_NS = 200 * NS_PER_MS;

/** Each share of wall time per I/O, in ns, largest first. */
function nsByLayer(shares: Record<string, number>, nsPerIo: number): Record<string, number> {
  return Object.fromEntries(Object.entries(shares).map(([layer, share]) => [layer, Math.round(share * nsPerIo)]));
}
/** Progress granularity for the windows. */
const PROGRESS_NS = NS_PER_MS;

/** The fleet: 64 hosts, 4 targets, every node on one switch; host i uses target i % 4. */
export function fleetScenario(
  options: { readonly withWorkload?: boolean; readonly hosts?: number; readonly queueDepth?: number } = {},
): Scenario {
  const withWorkload = options.withWorkload ?? true;
  const hostCount = options.hosts ?? FLEET_HOSTS;
  const depth = options.queueDepth ?? FLEET_QUEUE_DEPTH;
  const nodes: ScenarioNode[] = [];
  const targets: ScenarioTarget[] = [];
  const hosts: ScenarioHost[] = [];
  for (let t = 0; t < FLEET_TARGETS; t++) {
    const name = `target${t}`;
    nodes.push({ name, cores: 8, cpuProfile: 'tcp', nic: { bandwidthBps: 25e9 } });
    targets.push({
      node: name,
      subsystems: [{ nqn: `nqn.2024-01.io.nvmf-sim:fleet-${t}`, namespaces: [{ backend: 'ssd:64GiB' }] }],
    });
  }
  for (let h = 0; h < hostCount; h++) {
    const name = `host${h}`;
    nodes.push({ name, cores: 8, cpuProfile: 'tcp', nic: { bandwidthBps: 25e9 } });
    hosts.push({
      node: name,
      connect: { target: `target${h % FLEET_TARGETS}`, nrIoQueues: FLEET_QUEUES, queueSize: FLEET_QUEUE_SIZE },
      ...(withWorkload
        ? { workload: { rw: 'randread', bs: '4k', iodepth: FLEET_QUEUES * depth, startAt: `${FLEET_START_NS}ns` } }
        : {}),
    });
  }
  return {
    name: 'fleet',
    description: `${hostCount} hosts x ${FLEET_QUEUES} queues x QD${depth}, ${FLEET_TARGETS} targets, one switch, 4 KiB random reads on the ssd model`,
    seed: 42,
    durationNs: FLEET_WINDOW_NS[1],
    nodes,
    switch: { linkOptions: { latencyUs: FLEET_HOP_LATENCY_US } },
    targets,
    hosts,
  };
}

interface WindowCost {
  readonly ios: number;
  readonly wallNs: number;
  readonly events: number;
}

/**
 * Runs a scenario and measures wall time and simulated I/Os between two simulated times (from
 * progress reports, which the runner makes between slices, never inside an event).
 */
async function measureWindow(scenario: ResolvedScenario, window: readonly [number, number]): Promise<WindowCost & { readonly fingerprint: string; readonly ok: boolean }> {
  let start: { wallMs: number; ios: number } | undefined;
  let end: { wallMs: number; ios: number } | undefined;
  const onProgress = (progress: RunProgress): void => {
    if (progress.phase !== 'run') return;
    if (start === undefined && progress.simNs >= window[0]) start = { wallMs: performance.now(), ios: progress.ios };
    if (end === undefined && progress.simNs >= window[1]) end = { wallMs: performance.now(), ios: progress.ios };
  };
  const result = await runScenario(scenario, { onProgress, progressIntervalNs: PROGRESS_NS });
  if (start === undefined || end === undefined || end.ios <= start.ios) {
    throw new Error(`${scenario.name}: no I/O in the measured window [${window[0]}, ${window[1]}) ns`);
  }
  return {
    ios: end.ios - start.ios,
    wallNs: (end.wallMs - start.wallMs) * 1e6,
    // Events are only counted per run; scale to the window by I/Os (steady state).
    events: (result.events / Math.max(1, result.ios)) * (end.ios - start.ios),
    fingerprint: result.fingerprint,
    ok: result.ok,
  };
}

/** Reference scenario for its full simulated second: simulated I/Os and events per wall second. */
export async function simReferenceBench(): Promise<object> {
  const scenario = await loadScenario(REFERENCE_FILE);
  const startMs = performance.now();
  const result = await runScenario(scenario, { wallClockMs: () => performance.now() });
  const wallS = (performance.now() - startMs) / 1000;
  const iosPerWallS = result.ios / wallS;
  const floorOptions = { warmupMs: CODE_FLOOR_WARMUP_MS, measureMs: CODE_FLOOR_MEASURE_MS, wallClockMs: () => performance.now() };
  const floor = await codeFloor(floorOptions);
  const referenceNsPerIo = 1e9 / iosPerWallS;
  const floorNsPerIo = 1e9 / floor.simIosPerWallSecond;
  // Events by kind: the scheduler counts each event under its function (a shorter run: same mix).
  const kinds = new Map<(arg: unknown) => void, number>();
  const shorter = await loadScenario(REFERENCE_FILE, { durationNs: LAYER_PROFILE_NS });
  const profiled = await profileLayers(
    () =>
      runScenario(shorter, {
        onWorld: (world) => {
          world.scheduler.eventKinds = kinds;
        },
      }),
    simulationLayer,
  );
  const eventsByKind = Object.fromEntries(
    [...kinds].sort((a, b) => b[1] - a[1]).map(([fn, count]) => [fn.name === '' ? '(anonymous)' : fn.name, Number((count / Math.max(1, profiled.result.ios)).toFixed(3))]),
  );
  const floorSides = await profileLayers(() => codeFloor(floorOptions), sideLayer);
  return {
    simReference: {
      simSeconds: result.simSeconds,
      wallSeconds: Number(wallS.toFixed(3)),
      ios: result.ios,
      events: result.events,
      eventsPerIo: Number((result.events / Math.max(1, result.ios)).toFixed(2)),
      simIosPerWallSecond: Math.round(iosPerWallS),
      eventsPerWallSecond: Math.round(result.events / wallS),
      fingerprint: result.fingerprint,
      ok: result.ok,
      // The same workload with every model taken away (code-floor.ts): target and host code alone.
      // Events per I/O by the function each event runs (a 200 ms run of the same scenario).
      eventsPerIoByKind: eventsByKind,
      // Wall ns per I/O by layer: a profiled 200 ms run's shares of the unprofiled ns per I/O.
      wallNsPerIoByLayer: nsByLayer(profiled.shares, referenceNsPerIo),
      codeFloor: {
        simIosPerWallSecond: Math.round(floor.simIosPerWallSecond),
        wallNsPerIo: Math.round(floorNsPerIo),
        eventsPerIo: Number((floor.events / floor.ios).toFixed(2)),
        // The floor's ns per I/O by side: host (its queues, block device and their codec calls),
        // target, the workload with its statistics, the scheduler, and the pipe.
        wallNsPerIoBySide: nsByLayer(floorSides.shares, floorNsPerIo),
      },
      // Wall time per I/O spent in the models (network, TCP, CPU, SSD) and their extra events.
      modelsWallNsPerIo: Math.round(referenceNsPerIo - floorNsPerIo),
      ratioToCodeFloor: Number((iosPerWallS / floor.simIosPerWallSecond).toFixed(3)),
      goal: {
        simIosPerWallSecond: GOAL_IOS_PER_WALL_S,
        met: iosPerWallS >= GOAL_IOS_PER_WALL_S,
        // The goal as a share of the code floor: what is left for the models is 1 minus this.
        ratioToCodeFloor: Number((GOAL_IOS_PER_WALL_S / floor.simIosPerWallSecond).toFixed(3)),
        modelsWallNsPerIoAllowed: Math.round(1e9 / GOAL_IOS_PER_WALL_S - floorNsPerIo),
      },
    },
  };
}

/** The fleet's steady-state wall cost per simulated I/O, against the reference's in this process. */
export async function simFleetBench(): Promise<object> {
  const reference = await measureWindow(await loadScenario(REFERENCE_FILE, { durationNs: REFERENCE_WINDOW_NS[1] }), REFERENCE_WINDOW_NS);
  const fleet = await measureWindow(resolveScenario(fleetScenario(), 'sim/bench fleet'), FLEET_WINDOW_NS);
  const heavy = await measureWindow(
    resolveScenario(fleetScenario({ queueDepth: FLEET_HEAVY_QUEUE_DEPTH }), 'sim/bench fleet (heavy)'),
    FLEET_WINDOW_NS,
  );
  const referenceNsPerIo = reference.wallNs / reference.ios;
  const fleetNsPerIo = fleet.wallNs / fleet.ios;
  const heavyNsPerIo = heavy.wallNs / heavy.ios;
  const ratio = fleetNsPerIo / referenceNsPerIo;
  return {
    simFleet: {
      hosts: FLEET_HOSTS,
      targets: FLEET_TARGETS,
      queuesPerHost: FLEET_QUEUES,
      queueDepth: FLEET_QUEUE_DEPTH,
      windowMs: [FLEET_WINDOW_NS[0] / NS_PER_MS, FLEET_WINDOW_NS[1] / NS_PER_MS],
      ios: fleet.ios,
      wallNsPerIo: Math.round(fleetNsPerIo),
      eventsPerIo: Number((fleet.events / fleet.ios).toFixed(2)),
      referenceWallNsPerIo: Math.round(referenceNsPerIo),
      referenceEventsPerIo: Number((reference.events / reference.ios).toFixed(2)),
      ratio: Number(ratio.toFixed(3)),
      heavy: {
        queueDepth: FLEET_HEAVY_QUEUE_DEPTH,
        ios: heavy.ios,
        wallNsPerIo: Math.round(heavyNsPerIo),
        eventsPerIo: Number((heavy.events / heavy.ios).toFixed(2)),
        ratio: Number((heavyNsPerIo / referenceNsPerIo).toFixed(3)),
      },
      ok: fleet.ok && heavy.ok && reference.ok,
      goal: { ratio: GOAL_FLEET_RATIO, met: ratio <= GOAL_FLEET_RATIO },
    },
  };
}

/** 4 KiB randrw 70/30 against randread on the reference: wall ns per simulated I/O, same window. */
export async function simMixedBench(): Promise<object> {
  const read = await loadScenario(REFERENCE_FILE, { durationNs: REFERENCE_WINDOW_NS[1] });
  const mixed = await loadScenario(REFERENCE_FILE, { durationNs: REFERENCE_WINDOW_NS[1] }, [
    { path: 'hosts[0].workload.rw', value: 'randrw' },
    { path: 'hosts[0].workload.rwmixread', value: 70 },
  ]);
  // Warm-up: the first run of a process carries the JIT's work.
  await measureWindow(read, REFERENCE_WINDOW_NS);
  const readCost = await measureWindow(read, REFERENCE_WINDOW_NS);
  const mixedCost = await measureWindow(mixed, REFERENCE_WINDOW_NS);
  const readNs = readCost.wallNs / readCost.ios;
  const mixedNs = mixedCost.wallNs / mixedCost.ios;
  const ratio = mixedNs / readNs;
  return {
    simMixed: {
      randreadWallNsPerIo: Math.round(readNs),
      randrwWallNsPerIo: Math.round(mixedNs),
      randreadEventsPerIo: Number((readCost.events / readCost.ios).toFixed(2)),
      randrwEventsPerIo: Number((mixedCost.events / mixedCost.ios).toFixed(2)),
      ratio: Number(ratio.toFixed(3)),
      ok: readCost.ok && mixedCost.ok,
      goal: { ratio: GOAL_MIXED_RATIO, met: ratio <= GOAL_MIXED_RATIO },
    },
  };
}

/** global.gc when node runs with --expose-gc; otherwise V8's gc, exposed for this process. */
function gcFunction(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

interface HeapSample {
  /** V8 heap in use, without compiled code (code grows with what has run, not with connections). */
  readonly heapUsed: number;
  readonly arrayBuffers: number;
}

/** Runs a scenario for its duration and samples the heap (after full GCs) once it is idle. */
async function heapWhenIdle(scenario: ResolvedScenario, atNs: number, gc: () => void): Promise<HeapSample> {
  let sample: HeapSample | undefined;
  const onProgress = (progress: RunProgress): void => {
    if (sample !== undefined || progress.simNs < atNs) return;
    // The run is between slices: everything it built is alive and reachable.
    gc();
    gc();
    const usage = process.memoryUsage();
    const code = v8
      .getHeapSpaceStatistics()
      .filter((space) => space.space_name.startsWith('code'))
      .reduce((sum, space) => sum + space.space_used_size, 0);
    sample = { heapUsed: usage.heapUsed - code, arrayBuffers: usage.arrayBuffers };
  };
  const result = await runScenario(scenario, { onProgress, progressIntervalNs: PROGRESS_NS });
  if (sample === undefined) throw new Error(`${scenario.name}: never reached ${atNs} ns`);
  if (!result.ok) throw new Error(`${scenario.name}: run failed: ${result.failure ?? ''}`);
  return sample;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Measured pairs of worlds; the median of their slopes is reported. */
const MEMORY_PAIRS = 5;

/**
 * Memory per connection: the slope of the heap between two fleets with every host connected
 * (admin + 8 I/O queues each) and idle, one with half the hosts of the other. The fixed parts of a
 * world (the switch, the targets, the subsystem, module state) cancel, and so does the heap that
 * grows with what has run rather than with connections (compiled code is left out, and V8's
 * feedback and caches drift by ~1 MB over a few runs). Host controllers count towards their
 * connections. Pairs alternate with the order swapped, and the median slope is reported. Also the
 * marginal cost of an I/O queue, from the same fleet with 1 I/O queue per host instead of 8.
 */
export async function simMemoryBench(): Promise<object> {
  const gc = gcFunction();
  const idleNs = 30 * NS_PER_MS;
  const sampleNs = 25 * NS_PER_MS;
  const build = (hosts: number, queues: number): ResolvedScenario => {
    const base = fleetScenario({ withWorkload: false });
    const connected = base.hosts.slice(0, hosts).map((host) => ({ ...host, connect: { ...host.connect, nrIoQueues: queues } }));
    return resolveScenario({ ...base, durationNs: idleNs, hosts: connected }, 'sim/bench memory');
  };
  const half = FLEET_HOSTS / 2;
  const connectionsPerHost = FLEET_QUEUES + 1;
  const added = (FLEET_HOSTS - half) * connectionsPerHost;
  // Warm up code and caches, so that no measured run carries the first compilation.
  await heapWhenIdle(build(FLEET_HOSTS, FLEET_QUEUES), sampleNs, gc);
  await heapWhenIdle(build(half, FLEET_QUEUES), sampleNs, gc);
  const slopes: number[] = [];
  const slopesWithBuffers: number[] = [];
  const queueSlopes: number[] = [];
  let full: HeapSample | undefined;
  for (let pair = 0; pair < MEMORY_PAIRS; pair++) {
    const first = pair % 2 === 0;
    const small = first ? await heapWhenIdle(build(half, FLEET_QUEUES), sampleNs, gc) : undefined;
    const large = await heapWhenIdle(build(FLEET_HOSTS, FLEET_QUEUES), sampleNs, gc);
    const smallAfter = small ?? (await heapWhenIdle(build(half, FLEET_QUEUES), sampleNs, gc));
    const single = await heapWhenIdle(build(FLEET_HOSTS, 1), sampleNs, gc);
    slopes.push((large.heapUsed - smallAfter.heapUsed) / added);
    slopesWithBuffers.push((large.heapUsed + large.arrayBuffers - smallAfter.heapUsed - smallAfter.arrayBuffers) / added);
    queueSlopes.push((large.heapUsed - single.heapUsed) / (FLEET_HOSTS * (FLEET_QUEUES - 1)));
    full = large;
  }
  const perConnection = median(slopes);
  return {
    simMemory: {
      connections: FLEET_HOSTS * connectionsPerHost,
      bytesPerConnection: Math.round(perConnection),
      bytesPerConnectionRange: [Math.round(Math.min(...slopes)), Math.round(Math.max(...slopes))],
      bytesPerConnectionWithBuffers: Math.round(median(slopesWithBuffers)),
      bytesPerExtraIoQueue: Math.round(median(queueSlopes)),
      heapUsedIdleBytes: full?.heapUsed ?? 0,
      goal: { bytesPerConnection: GOAL_BYTES_PER_CONNECTION, met: perConnection <= GOAL_BYTES_PER_CONNECTION },
    },
  };
}
