// How busy each resource of a simulated run was, per time-series interval and over the measured
// window: every core of every node (SimCpu busy time, summed over the node's incarnations, so a
// target that crashed and restarted keeps what it did before), every link direction (bytes
// serialised against the sender's effective rate), every switch port's buffer (mean and peak
// occupancy, tail drops), every SSD (channels in service over channels, bytes against the
// host-interface bandwidth), and TCP per node (retransmissions, and the time connections spent
// held back by cwnd or by the peer's window: tcp_chrono). Everything is read from counters the
// models keep anyway, at interval boundaries; switch buffers are also sampled at every 1 ms slice
// for their mean. Nothing here schedules an event, so recording never changes a run.
//
// The measured window runs from the slice boundary before the first I/O submission to the end of
// the duration (the drain is not measured); bottleneck.ts judges saturation over it.
import type { SimCpu } from '../cpu/index.js';
import type { SimNetwork } from '../net/index.js';
import type { SsdBackend } from '../storage/index.js';

/** One interval's utilisation, in the order of the lists in UtilisationResult. Fractions are 0..1. */
export interface IntervalUtilisation {
  /** Busy fraction of each core (UtilisationResult.cores). */
  readonly cpu: readonly number[];
  /** Fraction of capacity used by each link direction (UtilisationResult.links). */
  readonly links: readonly number[];
  /** Per switch port: peak and mean buffer occupancy in bytes, frames dropped. */
  readonly switchPorts?: { readonly maxBytes: readonly number[]; readonly meanBytes: readonly number[]; readonly drops: readonly number[] };
  /** Per SSD: channel occupancy (0..1) and bytes per second over its host interface. */
  readonly ssd?: { readonly occupancy: readonly number[]; readonly bytesPerSecond: readonly number[] };
  /** Summed over every connection of every node: frames retransmitted, and ms held back by cwnd / rwnd. */
  readonly tcp: { readonly retransmits: number; readonly cwndLimitedMs: number; readonly rwndLimitedMs: number };
}

export interface CoreUtilisation {
  readonly node: string;
  readonly core: number;
  readonly busy: number;
}

export interface LinkUtilisation {
  /** "sender>receiver" endpoint labels. */
  readonly direction: string;
  /** The sender's effective rate (its own, the link's cap, the receiver's); null: unbounded. */
  readonly capacityBps: number | null;
  readonly bytesPerSecond: number;
  readonly utilisation: number;
}

export interface SwitchPortUtilisation {
  readonly port: string;
  readonly bufferBytes: number;
  readonly maxBytes: number;
  readonly meanBytes: number;
  /** meanBytes / bufferBytes. */
  readonly occupancy: number;
  readonly drops: number;
}

export interface SsdUtilisation {
  readonly device: string;
  readonly channels: number;
  /** Mean channels in service / channels. */
  readonly occupancy: number;
  readonly bytesPerSecond: number;
  /** The host-interface cap; null: uncapped. */
  readonly bandwidthBytesPerSecond: number | null;
  /** bytesPerSecond / bandwidth (0 when uncapped). */
  readonly bandwidthUtilisation: number;
}

export interface TcpUtilisation {
  readonly node: string;
  readonly retransmits: number;
  /** Connection time sending, held back by cwnd, held back by the peer's window (all connections of the node). */
  readonly busyMs: number;
  readonly cwndLimitedMs: number;
  readonly rwndLimitedMs: number;
}

/** One live connection's send time over its whole life (tcp_chrono), at the end of the run. */
export interface TcpConnectionUtilisation {
  readonly node: string;
  readonly local: string;
  readonly remote: string;
  readonly busyMs: number;
  readonly cwndLimitedMs: number;
  readonly rwndLimitedMs: number;
  readonly retransmits: number;
}

export interface WindowUtilisation {
  readonly fromMs: number;
  readonly toMs: number;
  readonly cores: readonly CoreUtilisation[];
  readonly links: readonly LinkUtilisation[];
  readonly switchPorts: readonly SwitchPortUtilisation[];
  readonly ssds: readonly SsdUtilisation[];
  readonly tcp: readonly TcpUtilisation[];
  /** The connections still open at the end, over their lives (closed ones count in `tcp` only). */
  readonly tcpConnections: readonly TcpConnectionUtilisation[];
}

/** What samples the resources at interval boundaries (a simulated world; nothing in real runs). */
export interface IntervalSampler {
  /** Called at every slice boundary (cheap sampling, e.g. switch buffers). */
  tick(nowNs: number): void;
  /** The resources' utilisation over [startNs, endNs); starts the next interval. */
  close(startNs: number, endNs: number): IntervalUtilisation;
  /** The measured window starts at `nowNs` (called at each slice until the first I/O; the last call counts). */
  windowStart(nowNs: number): void;
  /** The measured window ends at `nowNs` (the end of the duration). */
  windowEnd(nowNs: number): void;
}

/** A sampler that also reports the measured window's totals. */
export interface UtilisationMeter extends IntervalSampler {
  window(): WindowUtilisation;
}

/** Host queue slots in use over the run, for the utilisation report. */
export interface QueueSlotTotals {
  readonly host: string;
  readonly qid: number;
  readonly queueSize: number;
  /** Mean outstanding I/Os over the window. */
  readonly meanInUse: number;
  readonly maxInUse: number;
  /** meanInUse / queueSize. */
  readonly utilisation: number;
}

/** The result's `utilisation`: the measured window's totals (empty lists in a real run) and host queue slots. */
export interface UtilisationResult extends WindowUtilisation {
  readonly queueSlots: readonly QueueSlotTotals[];
}

/** A real-time run's window: no resource model, nothing measured. */
export function emptyWindow(): WindowUtilisation {
  return { fromMs: 0, toMs: 0, cores: [], links: [], switchPorts: [], ssds: [], tcp: [], tcpConnections: [] };
}

/** A node's CPU over its incarnations: the busy time of the dead ones plus the live one's. */
export class NodeCpuAccount {
  readonly node: string;
  readonly cores: number;
  #cpu: SimCpu | null;
  readonly #retiredNs: number[];

  constructor(node: string, cpu: SimCpu) {
    this.node = node;
    this.cores = cpu.cores;
    this.#cpu = cpu;
    this.#retiredNs = new Array<number>(cpu.cores).fill(0);
  }

  /** The node crashed: its CPU's busy time so far is kept, and it counts no more. */
  crashed(): void {
    const cpu = this.#cpu;
    if (cpu === null) return;
    for (let core = 0; core < this.cores; core++) this.#retiredNs[core] = (this.#retiredNs[core] ?? 0) + cpu.coreStats(core).busyNs;
    this.#cpu = null;
  }

  /** The node booted again with a fresh CPU. */
  restarted(cpu: SimCpu): void {
    if (this.#cpu !== null) this.crashed();
    this.#cpu = cpu;
  }

  busyNs(core: number): number {
    return (this.#retiredNs[core] ?? 0) + (this.#cpu?.coreStats(core).busyNs ?? 0);
  }
}

export interface SsdSource {
  readonly device: string;
  readonly ssd: SsdBackend;
}

export interface SimUtilisationSources {
  readonly network: SimNetwork;
  readonly cpus: readonly NodeCpuAccount[];
  /** The SSDs opened so far (devices open when their target starts). */
  readonly ssds: () => readonly SsdSource[];
  readonly nowNs: () => number;
}

type Direction = SimNetwork['links'][number]['aToB'];
type Port = SimNetwork['switches'] extends ReadonlyMap<string, infer S> ? (S extends { readonly ports: readonly (infer P)[] } ? P : never) : never;

/** Cumulative counters at one instant; differences of two give a span's utilisation. */
interface Snapshot {
  readonly atNs: number;
  readonly coreBusyNs: number[];
  readonly linkBytes: number[];
  readonly portDrops: number[];
  /** Σ sampled backlog and number of samples, per port. */
  readonly portBacklogSum: number[];
  readonly portSamples: number;
  readonly ssdBusyNs: number[];
  readonly ssdBytes: number[];
  readonly tcpRetransmits: number[];
  readonly tcpBusyNs: number[];
  readonly tcpCwndNs: number[];
  readonly tcpRwndNs: number[];
}

export class SimUtilisation implements UtilisationMeter {
  readonly #sources: SimUtilisationSources;
  readonly #directions: Direction[];
  readonly #ports: Port[];
  readonly #nodes: string[];
  readonly #portBacklogSum: number[];
  #portSamples = 0;
  #last: Snapshot;
  readonly #initial: Snapshot;
  #windowStart: Snapshot | null = null;
  #windowEnd: Snapshot | null = null;
  readonly #windowPortMax: number[];

  constructor(sources: SimUtilisationSources) {
    this.#sources = sources;
    this.#directions = sources.network.links.flatMap((link) => [link.aToB, link.bToA]);
    this.#ports = [...sources.network.switches.values()].flatMap((sw) => sw.ports as Port[]);
    this.#nodes = [...sources.network.nodes.keys()];
    this.#portBacklogSum = new Array<number>(this.#ports.length).fill(0);
    this.#windowPortMax = new Array<number>(this.#ports.length).fill(0);
    this.#initial = this.#snapshot(sources.nowNs());
    this.#last = this.#initial;
  }

  tick(_nowNs: number): void {
    const ports = this.#ports;
    if (ports.length === 0) return;
    for (let i = 0; i < ports.length; i++) this.#portBacklogSum[i] = (this.#portBacklogSum[i] ?? 0) + (ports[i] as Port).tx.backlogBytes();
    this.#portSamples++;
  }

  close(_startNs: number, endNs: number): IntervalUtilisation {
    const now = this.#snapshot(endNs);
    const before = this.#last;
    this.#last = now;
    const span = Math.max(1, now.atNs - before.atNs);
    const cpu: number[] = [];
    for (const account of this.#sources.cpus) {
      for (let core = 0; core < account.cores; core++) {
        const index = cpu.length;
        cpu.push(round((at(now.coreBusyNs, index) - at(before.coreBusyNs, index)) / span, 4));
      }
    }
    const links = this.#directions.map((direction, i) => {
      const rate = direction.sender.tx.effectiveRateBps();
      if (!Number.isFinite(rate)) return 0;
      return round(((at(now.linkBytes, i) - at(before.linkBytes, i)) * 8e9) / (rate * span), 4);
    });
    const samples = now.portSamples - before.portSamples;
    const inWindow = this.#windowEnd === null;
    const switchPorts =
      this.#ports.length === 0
        ? undefined
        : {
            maxBytes: this.#ports.map((port, i) => {
              const peak = Math.round(port.tx.windowPeakBacklogBytes);
              port.tx.windowPeakBacklogBytes = 0;
              if (inWindow && peak > at(this.#windowPortMax, i)) this.#windowPortMax[i] = peak;
              return peak;
            }),
            meanBytes: this.#ports.map((_, i) => (samples > 0 ? Math.round((at(now.portBacklogSum, i) - at(before.portBacklogSum, i)) / samples) : 0)),
            drops: this.#ports.map((_, i) => at(now.portDrops, i) - at(before.portDrops, i)),
          };
    const ssds = this.#sources.ssds();
    const ssd =
      ssds.length === 0
        ? undefined
        : {
            occupancy: ssds.map((s, i) => round((at(now.ssdBusyNs, i) - at(before.ssdBusyNs, i)) / span / s.ssd.options.channels, 4)),
            bytesPerSecond: ssds.map((_, i) => round(((at(now.ssdBytes, i) - at(before.ssdBytes, i)) * 1e9) / span, 0)),
          };
    const diff = (key: 'tcpRetransmits' | 'tcpCwndNs' | 'tcpRwndNs'): number => sum(now[key]) - sum(before[key]);
    return {
      cpu,
      links,
      ...(switchPorts === undefined ? {} : { switchPorts }),
      ...(ssd === undefined ? {} : { ssd }),
      tcp: { retransmits: diff('tcpRetransmits'), cwndLimitedMs: round(diff('tcpCwndNs') / 1e6, 3), rwndLimitedMs: round(diff('tcpRwndNs') / 1e6, 3) },
    };
  }

  /** The measured window starts now (the slice boundary before the first I/O). */
  windowStart(nowNs: number): void {
    if (this.#windowEnd === null) this.#windowStart = this.#snapshot(nowNs);
  }

  /** The measured window ends now (the end of the duration). */
  windowEnd(nowNs: number): void {
    if (this.#windowEnd !== null) return;
    this.#windowStart ??= this.#initial;
    this.#windowEnd = this.#snapshot(nowNs);
  }

  /** Utilisation over the measured window (or what there is of it, if the run ended early). */
  window(): WindowUtilisation {
    const nowNs = this.#sources.nowNs();
    const from = this.#windowStart ?? this.#initial;
    const to = this.#windowEnd ?? this.#snapshot(nowNs);
    const span = Math.max(1, to.atNs - from.atNs);
    const seconds = span / 1e9;
    const cores: CoreUtilisation[] = [];
    for (const account of this.#sources.cpus) {
      for (let core = 0; core < account.cores; core++) {
        const index = cores.length;
        cores.push({ node: account.node, core, busy: round((at(to.coreBusyNs, index) - at(from.coreBusyNs, index)) / span, 4) });
      }
    }
    const links = this.#directions.map((direction, i): LinkUtilisation => {
      const rate = direction.sender.tx.effectiveRateBps();
      const bytesPerSecond = (at(to.linkBytes, i) - at(from.linkBytes, i)) / seconds;
      const finite = Number.isFinite(rate);
      return {
        direction: direction.name,
        capacityBps: finite ? rate : null,
        bytesPerSecond: round(bytesPerSecond, 0),
        utilisation: finite ? round((bytesPerSecond * 8) / rate, 4) : 0,
      };
    });
    const samples = to.portSamples - from.portSamples;
    const switchPorts = this.#ports.map((port, i): SwitchPortUtilisation => {
      const meanBytes = samples > 0 ? Math.round((at(to.portBacklogSum, i) - at(from.portBacklogSum, i)) / samples) : 0;
      return {
        port: port.label,
        bufferBytes: port.tx.bufferBytes,
        maxBytes: Math.max(at(this.#windowPortMax, i), this.#windowEnd === null ? Math.round(port.tx.windowPeakBacklogBytes) : 0),
        meanBytes,
        occupancy: round(meanBytes / port.tx.bufferBytes, 4),
        drops: at(to.portDrops, i) - at(from.portDrops, i),
      };
    });
    const ssds = this.#sources.ssds().map((s, i): SsdUtilisation => {
      const bytesPerSecond = (at(to.ssdBytes, i) - at(from.ssdBytes, i)) / seconds;
      const bandwidth = s.ssd.options.bandwidthBytesPerS;
      return {
        device: s.device,
        channels: s.ssd.options.channels,
        occupancy: round((at(to.ssdBusyNs, i) - at(from.ssdBusyNs, i)) / span / s.ssd.options.channels, 4),
        bytesPerSecond: round(bytesPerSecond, 0),
        bandwidthBytesPerSecond: bandwidth > 0 ? bandwidth : null,
        bandwidthUtilisation: bandwidth > 0 ? round(bytesPerSecond / bandwidth, 4) : 0,
      };
    });
    const tcp = this.#nodes.map((node, i): TcpUtilisation => ({
      node,
      retransmits: at(to.tcpRetransmits, i) - at(from.tcpRetransmits, i),
      busyMs: round((at(to.tcpBusyNs, i) - at(from.tcpBusyNs, i)) / 1e6, 3),
      cwndLimitedMs: round((at(to.tcpCwndNs, i) - at(from.tcpCwndNs, i)) / 1e6, 3),
      rwndLimitedMs: round((at(to.tcpRwndNs, i) - at(from.tcpRwndNs, i)) / 1e6, 3),
    }));
    const network = this.#sources.network;
    const tcpConnections = this.#nodes.flatMap((node) =>
      network.node(node).stack.connections().map((connection): TcpConnectionUtilisation => {
        const chrono = connection.chrono.totals(nowNs);
        return {
          node,
          local: `${connection.local.host}:${connection.local.port}`,
          remote: `${connection.remote.host}:${connection.remote.port}`,
          busyMs: round(chrono.busyNs / 1e6, 3),
          cwndLimitedMs: round(chrono.cwndLimitedNs / 1e6, 3),
          rwndLimitedMs: round(chrono.rwndLimitedNs / 1e6, 3),
          retransmits: connection.stats.retransmits,
        };
      }),
    );
    return { fromMs: from.atNs / 1e6, toMs: to.atNs / 1e6, cores, links, switchPorts, ssds, tcp, tcpConnections };
  }

  #snapshot(atNs: number): Snapshot {
    const coreBusyNs: number[] = [];
    for (const account of this.#sources.cpus) for (let core = 0; core < account.cores; core++) coreBusyNs.push(account.busyNs(core));
    const ssds = this.#sources.ssds();
    const tcp = this.#sources.network.tcpCounters().perNode;
    const counters = this.#nodes.map((node) => tcp.get(node));
    return {
      atNs,
      coreBusyNs,
      // Bytes handed to the link minus what is still queued or being serialised: bytes on the wire by now.
      linkBytes: this.#directions.map((direction) => direction.sender.tx.wireBytesSent - direction.sender.tx.backlogBytes()),
      portDrops: this.#ports.map((port) => port.tx.framesDropped),
      portBacklogSum: [...this.#portBacklogSum],
      portSamples: this.#portSamples,
      ssdBusyNs: ssds.map((s) => s.ssd.channelBusyNs),
      ssdBytes: ssds.map((s) => s.ssd.stats.bytesTransferred),
      tcpRetransmits: counters.map((c) => c?.retransmits ?? 0),
      tcpBusyNs: counters.map((c) => c?.busyNs ?? 0),
      tcpCwndNs: counters.map((c) => c?.cwndLimitedNs ?? 0),
      tcpRwndNs: counters.map((c) => c?.rwndLimitedNs ?? 0),
    };
  }
}

function at(values: readonly number[], index: number): number {
  return values[index] ?? 0;
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
