// A simulated world for multipath host tests: a host and a target node joined by two links
// (host/eth0 ~ target/eth0 on 10.0.0.0/24 and host/eth1 ~ target/eth1 on 10.0.1.0/24), our NVMe/TCP
// target serving one subsystem on two ports (one per link, each with its own ANA group states),
// and a host connected to both ports through connectMultipath. A small closed-loop verifying
// workload checks that every I/O completes exactly once with the data last written.
import type { ExecutionContext } from 'ava';
import type { NodeEnv } from '../../sim/core/env.js';
import { RealCpu } from '../../sim/core/index.js';
import type { HostController } from '../../sim/host/controller.js';
import { connectMultipath } from '../../sim/host/multipath.js';
import type { MultipathOptions, MultipathSubsystem } from '../../sim/host/multipath.js';
import type { MultipathNamespace } from '../../sim/host/namespace-head.js';
import type { ConnectOptions } from '../../sim/host/options.js';
import type { Link } from '../../sim/net/link.js';
import { FeatureId } from '../../sim/nvme/constants.js';
import { Oaes } from '../../sim/nvme/identify.js';
import { buildSetFeatures } from '../../sim/nvme/sqe.js';
import type { AnaStateName, TargetConfig } from '../../sim/target/config.js';
import { NvmeTarget } from '../../sim/target/target.js';
import { World } from '../../sim/world/sim-world.js';

export const NQN = 'nqn.2024-01.io.nvmf-sim:mpath';
export const PORT_IPS = ['10.0.0.2', '10.0.1.2'] as const;
export const BLOCK = 4096;
export const MS = 1e6;
export const S = 1e9;

export interface MultipathWorldOptions {
  /** ANA state of group 1 on port 1 and port 2. Default optimized / non-optimized. */
  readonly states?: readonly [AnaStateName, AnaStateName];
  /** One-way latency of each link in microseconds. Default 10 / 10. */
  readonly latencyUs?: readonly [number, number];
  /** Connect options every path gets (keep-alive, timeouts, ...). */
  readonly connect?: Partial<ConnectOptions>;
  readonly multipath?: MultipathOptions;
  readonly seed?: string;
  /** Enable the ANA change notice where the target does not offer it (see enableAnaNotices). Default true. */
  readonly anaNotices?: boolean;
}

export interface MultipathWorld {
  readonly world: World;
  readonly target: NvmeTarget;
  readonly links: readonly [Link, Link];
  readonly hostEnv: NodeEnv;
  readonly subsystem: MultipathSubsystem;
  readonly head: MultipathNamespace;
  /** Runs the world until the promise settles (at most `limitNs` more simulated time). */
  settle<T>(promise: Promise<T>, limitNs?: number): Promise<T>;
  /** Runs the world for `ns` of simulated time. */
  runFor(ns: number): Promise<void>;
}

export function targetConfig(states: readonly [AnaStateName, AnaStateName]): TargetConfig {
  return {
    subsystems: [
      {
        nqn: NQN,
        allowAnyHost: true,
        namespaces: [{ nsid: 1, device: 'ram:16MiB', uuid: '6a1c9c3e-3c1f-4a55-9b0e-8f0b8f6f1e01', nguid: '00112233445566778899aabbccddeeff' }],
      },
    ],
    ports: [
      { portid: 1, traddr: PORT_IPS[0], trsvcid: 4420, subsystems: [NQN], anaGroups: [{ grpid: 1, state: states[0] }] },
      { portid: 2, traddr: PORT_IPS[1], trsvcid: 4420, subsystems: [NQN], anaGroups: [{ grpid: 1, state: states[1] }] },
    ],
  };
}

async function settleIn<T>(world: World, promise: Promise<T>, limitNs: number): Promise<T> {
  let settled = false;
  const watched = promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await world.runUntilTrueAsync(() => settled, world.nowNs + limitNs);
  await watched;
  if (!settled) throw new Error(`did not settle within ${limitNs / S} simulated seconds`);
  return promise;
}

/** The two-port world with the target started (no host connected yet). */
export async function twoPortTarget(options: MultipathWorldOptions = {}): Promise<{ world: World; target: NvmeTarget; links: [Link, Link]; hostEnv: NodeEnv; paths: ConnectOptions[] }> {
  const world = new World({ seed: options.seed ?? 'multipath' });
  const network = world.network;
  network.addNode('host', { nics: [{ ip: '10.0.0.1' }, { ip: '10.0.1.1' }] });
  network.addNode('target', { nics: [{ ip: PORT_IPS[0] }, { ip: PORT_IPS[1] }] });
  const [one, two] = options.latencyUs ?? [10, 10];
  const links: [Link, Link] = [network.connect('host/eth0', 'target/eth0', { latencyUs: one }), network.connect('host/eth1', 'target/eth1', { latencyUs: two })];
  const target = new NvmeTarget(world.nodeEnv('target', { cpu: new RealCpu(4) }), targetConfig(options.states ?? ['optimized', 'non-optimized']));
  await settleIn(world, target.start(), 10 * S);
  const hostEnv = world.nodeEnv('host', { cpu: new RealCpu(4) });
  const paths = PORT_IPS.map((ip) => ({ traddr: ip, trsvcid: 4420, nqn: NQN, nrIoQueues: 2, ...options.connect }));
  return { world, target, links, hostEnv, paths };
}

/**
 * The host enables the notices the controller's OAES offers (core.c nvme_enable_aen). Our target's
 * Identify does not offer the ANA change notice yet (nvmet's OAES has it: NVMET_AEN_CFG_OPTIONAL),
 * so the test enables it by hand on such a controller, as a target that offered it would have had
 * the host do. With a target that offers it this does nothing.
 */
async function enableAnaNotices(subsystem: MultipathSubsystem): Promise<void> {
  const enable = async (controller: HostController): Promise<void> => {
    if ((controller.identify.oaes & Oaes.ANA_CHANGE) !== 0) return;
    const cdw11 = (Oaes.NS_ATTR | Oaes.ANA_CHANGE) >>> 0;
    await controller.adminCommand({ sqe: buildSetFeatures({ cid: 0, fid: FeatureId.ASYNC_EVENT_CONFIG, cdw11 }) });
  };
  for (const controller of subsystem.controllers) {
    await enable(controller);
    // Every association sets the configuration again: redo it after each reconnect.
    controller.onStateChange((state) => {
      if (state === 'live') enable(controller).catch(() => {});
    });
  }
}

/** The two-port world with a multipath host connected to both ports. */
export async function multipathWorld(t: ExecutionContext, options: MultipathWorldOptions = {}): Promise<MultipathWorld> {
  const { world, target, links, hostEnv, paths } = await twoPortTarget(options);
  const subsystem = await settleIn(world, connectMultipath(hostEnv, paths, options.multipath ?? {}), 10 * S);
  if (options.anaNotices ?? true) await settleIn(world, enableAnaNotices(subsystem), 10 * S);
  t.teardown(() => {
    void subsystem.disconnect();
    void target.stop();
  });
  return {
    world,
    target,
    links,
    hostEnv,
    subsystem,
    head: subsystem.namespace(1),
    settle: (promise, limitNs = 60 * S) => settleIn(world, promise, limitNs),
    runFor: async (ns) => {
      await world.runUntilAsync(world.nowNs + ns);
    },
  };
}

/** Bytes of block `block` written in round `round` (so a stale block is told apart). */
export function blockPattern(block: number, round: number): Uint8Array {
  const out = new Uint8Array(BLOCK);
  let x = (block * 2654435761 + round * 40503 + 1) >>> 0;
  for (let index = 0; index < BLOCK; index++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[index] = x >>> 24;
  }
  return out;
}

/**
 * Closed-loop writers and verifiers: each worker owns its blocks, writes one with a new pattern,
 * reads it back and compares, then waits `thinkNs`. Counts I/Os, errors, wrong data, and
 * completions per I/O (a second completion of one I/O is recorded as `doubles`).
 */
export class VerifyingWorkload {
  ios = 0;
  readonly errors: number[] = [];
  mismatches = 0;
  doubles = 0;
  outstanding = 0;
  #stopped = false;
  readonly #device: MultipathNamespace;
  readonly #env: NodeEnv;
  readonly #thinkNs: number;

  constructor(device: MultipathNamespace, env: NodeEnv, workers: number, blocksPerWorker: number, thinkNs = 200_000) {
    this.#device = device;
    this.#env = env;
    this.#thinkNs = thinkNs;
    for (let worker = 0; worker < workers; worker++) this.#next(worker, blocksPerWorker, 0);
  }

  stop(): void {
    this.#stopped = true;
  }

  #once(callback: (status: number, data?: Uint8Array) => void): (status: number, data?: Uint8Array) => void {
    let calls = 0;
    this.outstanding++;
    return (status, data) => {
      if (++calls > 1) {
        this.doubles++;
        return;
      }
      this.outstanding--;
      this.ios++;
      if (status !== 0) this.errors.push(status);
      callback(status, data);
    };
  }

  #next(worker: number, blocks: number, round: number): void {
    if (this.#stopped) return;
    const block = worker * blocks + (round % blocks);
    const data = blockPattern(block, round);
    const offset = block * BLOCK;
    this.#device.submit(
      { kind: 'write', offset, length: BLOCK, data },
      this.#once((status) => {
        if (status !== 0) return this.#later(worker, blocks, round + 1);
        this.#device.submit(
          { kind: 'read', offset, length: BLOCK },
          this.#once((readStatus, read) => {
            if (readStatus === 0 && (read === undefined || !Buffer.from(read).equals(Buffer.from(data)))) this.mismatches++;
            this.#later(worker, blocks, round + 1);
          }),
        );
      }),
    );
  }

  #later(worker: number, blocks: number, round: number): void {
    this.#env.clock.setTimer(this.#thinkNs, () => this.#next(worker, blocks, round));
  }
}

/**
 * Failover times seen from the head: each time successful completions move from one path to
 * another, the time from the last success on the old path to the first on the new one.
 */
export class FailoverTimes {
  readonly gaps: { readonly from: number; readonly to: number; readonly ns: number }[] = [];
  #lastIndex = -1;
  #lastNs = -1;

  constructor(head: MultipathNamespace, env: NodeEnv) {
    head.onDispatch((_name, index, outcome) => {
      if (outcome !== 'completed') return;
      const now = env.clock.nowNs();
      if (this.#lastIndex >= 0 && index !== this.#lastIndex) this.gaps.push({ from: this.#lastIndex, to: index, ns: now - this.#lastNs });
      this.#lastIndex = index;
      this.#lastNs = now;
    });
  }
}
