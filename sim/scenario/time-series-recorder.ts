// A run's time series: I/O completions in fixed intervals of the run's clock, in total, per host
// and (when asked) per I/O queue, with the resources' utilisation over the same intervals
// (utilisation.ts) and the faults applied, with the window each one held. Each host's I/Os reach
// it through an IoObserver on the host's counters (tracked-device.ts); the run driver closes
// intervals as time passes: in a simulated run at the 1 ms slice boundaries of the run loop
// (sim-nodes.ts), so recording adds no scheduler event and leaves the fingerprint alone; in a real
// run from a wall-clock timer. Memory grows with the number of intervals, never with the I/Os:
// every series reuses one histogram (IntervalSeries), and queue slots in use are kept as running
// time integrals per queue.
import { IntervalSeries, type IntervalRow } from '../stats/index.js';
import type { IoObserver } from './io-observer.js';
import type { IntervalSampler, IntervalUtilisation, QueueSlotTotals } from './utilisation.js';

/** One interval of the whole run: the I/O figures and the resources' utilisation. */
export interface TimeSeriesInterval extends IntervalRow, Partial<IntervalUtilisation> {
  /** Mean fraction of each host's queue slots (queues × queue size) in use, in host order. */
  readonly queueSlots: readonly number[];
}

export interface TimeSeriesFault {
  readonly tMs: number;
  readonly action: string;
  readonly detail: string;
  /** When the fault's effect ended (its heal, resume, restart or repair); absent: it lasted to the end. */
  readonly untilMs?: number;
}

export interface TimeSeriesResult {
  readonly intervalMs: number;
  readonly intervals: readonly TimeSeriesInterval[];
  readonly perHost: readonly { readonly host: string; readonly intervals: readonly IntervalRow[] }[];
  readonly perQueue?: readonly { readonly host: string; readonly qid: number; readonly intervals: readonly IntervalRow[] }[];
  readonly faults: readonly TimeSeriesFault[];
}

export interface RecorderHost {
  readonly name: string;
  readonly queues: number;
  readonly queueSize: number;
}

/** Per-queue fields of HostRecorder.#queues, side by side so that an I/O touches one cache line. */
const INFLIGHT = 0;
const MAX_INFLIGHT = 1;
/** ∫ inflight dt, in I/O·ns, up to LAST_NS. */
const SLOT_NS = 2;
const LAST_NS = 3;
const QUEUE_FIELDS = 4;

/** One host's view: its series and, per queue, the outstanding count and its time integral. */
class HostRecorder implements IoObserver {
  readonly series = new IntervalSeries();
  readonly queueSeries: IntervalSeries[] | null;
  readonly queues: number;
  /**
   * Per queue: INFLIGHT, MAX_INFLIGHT, SLOT_NS, LAST_NS. One flat array, not four: every
   * submission and completion of a fleet's 64 hosts updates them, and each array is memory the
   * I/O has to bring back into the cache.
   */
  readonly #queues: Float64Array;
  /** slotNs summed over queues at the last interval close. */
  slotNsAtClose = 0;
  outstanding = 0;
  submittedAny = false;
  readonly #total: IntervalSeries;

  constructor(total: IntervalSeries, queues: number, perQueue: boolean) {
    this.#total = total;
    this.queueSeries = perQueue ? Array.from({ length: queues }, () => new IntervalSeries()) : null;
    this.queues = queues;
    this.#queues = new Float64Array(queues * QUEUE_FIELDS);
  }

  inflight(queue: number): number {
    return this.#queues[queue * QUEUE_FIELDS + INFLIGHT] ?? 0;
  }

  maxInflight(queue: number): number {
    return this.#queues[queue * QUEUE_FIELDS + MAX_INFLIGHT] ?? 0;
  }

  /** ∫ inflight dt per queue, as last settled. */
  slotNs(): number[] {
    return Array.from({ length: this.queues }, (_, queue) => this.#queues[queue * QUEUE_FIELDS + SLOT_NS] ?? 0);
  }

  #settle(base: number, nowNs: number): void {
    const fields = this.#queues;
    const last = fields[base + LAST_NS] ?? 0;
    if (nowNs > last) {
      fields[base + SLOT_NS] = (fields[base + SLOT_NS] ?? 0) + (fields[base + INFLIGHT] ?? 0) * (nowNs - last);
      fields[base + LAST_NS] = nowNs;
    }
  }

  #down(queue: number, nowNs: number): void {
    const base = queue * QUEUE_FIELDS;
    this.#settle(base, nowNs);
    this.#queues[base + INFLIGHT] = (this.#queues[base + INFLIGHT] ?? 1) - 1;
    this.outstanding--;
  }

  submitted(queue: number, nowNs: number): void {
    const base = queue * QUEUE_FIELDS;
    this.#settle(base, nowNs);
    this.submittedAny = true;
    const fields = this.#queues;
    const now = (fields[base + INFLIGHT] ?? 0) + 1;
    fields[base + INFLIGHT] = now;
    if (now > (fields[base + MAX_INFLIGHT] ?? 0)) fields[base + MAX_INFLIGHT] = now;
    this.outstanding++;
  }

  completed(queue: number, nowNs: number, latencyNs: number, bytes: number): void {
    this.#down(queue, nowNs);
    this.#total.completed(latencyNs, bytes);
    this.series.completed(latencyNs, bytes);
    this.queueSeries?.[queue]?.completed(latencyNs, bytes);
  }

  failed(queue: number, nowNs: number): void {
    this.#down(queue, nowNs);
    this.#total.failed();
    this.series.failed();
    this.queueSeries?.[queue]?.failed();
  }

  lost(queue: number, nowNs: number): void {
    this.#down(queue, nowNs);
  }

  /** ∫ inflight dt over all queues up to `nowNs`. */
  slotNsNow(nowNs: number): number {
    let sum = 0;
    for (let queue = 0; queue < this.queues; queue++) {
      const base = queue * QUEUE_FIELDS;
      this.#settle(base, nowNs);
      sum += this.#queues[base + SLOT_NS] ?? 0;
    }
    return sum;
  }
}

export interface TimeSeriesOptions {
  readonly intervalNs: number;
  readonly hosts: readonly RecorderHost[];
  readonly perQueue: boolean;
  readonly sampler: IntervalSampler | null;
}

export class TimeSeriesRecorder {
  readonly intervalNs: number;
  readonly #hosts: readonly RecorderHost[];
  readonly #total = new IntervalSeries();
  readonly #recorders: HostRecorder[];
  #sampler: IntervalSampler | null;
  /** Σ slotNs per host at the measured window's start and end (null: not yet). */
  #slotsAtStart: number[][] | null = null;
  #slotsAtEnd: number[][] | null = null;
  #windowStartNs = 0;
  #windowEndNs = -1;
  #anySubmitted = false;
  readonly #rows: TimeSeriesInterval[] = [];
  #startNs = 0;
  #nextCloseNs: number;

  constructor(options: TimeSeriesOptions) {
    if (!(options.intervalNs > 0)) throw new RangeError(`time series: interval ${options.intervalNs} ns is not positive`);
    this.intervalNs = options.intervalNs;
    this.#hosts = options.hosts;
    this.#sampler = options.sampler;
    this.#recorders = options.hosts.map((host) => new HostRecorder(this.#total, host.queues, options.perQueue));
    this.#nextCloseNs = options.intervalNs;
  }

  /** The observer to install on host `index`'s counters. */
  observer(index: number): IoObserver {
    return this.#recorders[index] as HostRecorder;
  }

  /** What measures the resources (set once the world is built). */
  attachSampler(sampler: IntervalSampler | null): void {
    this.#sampler = sampler;
  }

  /** Time has reached `nowNs`: samples, and closes every interval that ended by then. */
  advance(nowNs: number): void {
    this.#sampler?.tick(nowNs);
    if (!this.#anySubmitted) {
      if (this.#recorders.some((recorder) => recorder.submittedAny)) this.#anySubmitted = true;
      else {
        // The window starts at the last slice boundary before the first I/O.
        this.#windowStartNs = nowNs;
        this.#slotsAtStart = this.#slotsNow(nowNs);
        this.#sampler?.windowStart(nowNs);
      }
    }
    while (nowNs >= this.#nextCloseNs) {
      this.#close(this.#nextCloseNs);
      this.#nextCloseNs += this.intervalNs;
    }
  }

  /** The duration is over at `nowNs` (the drain is not measured). */
  durationEnded(nowNs: number): void {
    this.advance(nowNs);
    this.#windowEndNs = nowNs;
    this.#slotsAtEnd = this.#slotsNow(nowNs);
    this.#sampler?.windowEnd(nowNs);
  }

  #slotsNow(nowNs: number): number[][] {
    return this.#recorders.map((recorder) => {
      recorder.slotNsNow(nowNs);
      return recorder.slotNs();
    });
  }

  /** The run is over at `endNs`: closes the last, partial interval. */
  finish(endNs: number): void {
    this.advance(endNs);
    if (endNs > this.#startNs) this.#close(endNs);
  }

  #close(endNs: number): void {
    const startNs = this.#startNs;
    let outstanding = 0;
    const queueSlots: number[] = [];
    const span = Math.max(1, endNs - startNs);
    this.#recorders.forEach((recorder, index) => {
      outstanding += recorder.outstanding;
      recorder.series.close(endNs, recorder.outstanding);
      recorder.queueSeries?.forEach((series, queue) => series.close(endNs, recorder.inflight(queue)));
      const slotNs = recorder.slotNsNow(endNs);
      const host = this.#hosts[index] as RecorderHost;
      const slots = host.queues * host.queueSize;
      queueSlots.push(slots > 0 ? round((slotNs - recorder.slotNsAtClose) / span / slots, 4) : 0);
      recorder.slotNsAtClose = slotNs;
    });
    const row = this.#total.close(endNs, outstanding);
    const utilisation = this.#sampler?.close(startNs, endNs);
    this.#rows.push({ ...row, queueSlots, ...utilisation });
    this.#startNs = endNs;
  }

  /** The series, with `faults` applied at their times (their windows paired by fault-windows). */
  result(faults: readonly TimeSeriesFault[]): TimeSeriesResult {
    const perQueue = this.#recorders.some((r) => r.queueSeries !== null)
      ? this.#recorders.flatMap((recorder, index) =>
          (recorder.queueSeries ?? []).map((series, queue) => ({ host: (this.#hosts[index] as RecorderHost).name, qid: queue + 1, intervals: series.rows })),
        )
      : undefined;
    return {
      intervalMs: this.intervalNs / 1e6,
      intervals: this.#rows,
      perHost: this.#recorders.map((recorder, index) => ({ host: (this.#hosts[index] as RecorderHost).name, intervals: recorder.series.rows })),
      ...(perQueue === undefined ? {} : { perQueue }),
      faults,
    };
  }

  /** Host queue slots in use over the measured window (to `nowNs` if the duration did not end). */
  queueSlotTotals(nowNs: number): QueueSlotTotals[] {
    const end = this.#slotsAtEnd ?? this.#slotsNow(nowNs);
    const start = this.#slotsAtStart;
    const span = Math.max(1, (this.#windowEndNs >= 0 ? this.#windowEndNs : nowNs) - this.#windowStartNs);
    return this.#recorders.flatMap((recorder, index) => {
      const host = this.#hosts[index] as RecorderHost;
      return (end[index] ?? []).map((slotNs, queue) => {
        const meanInUse = (slotNs - (start?.[index]?.[queue] ?? 0)) / span;
        return {
          host: host.name,
          qid: queue + 1,
          queueSize: host.queueSize,
          meanInUse: round(meanInUse, 3),
          maxInUse: recorder.maxInflight(queue),
          utilisation: host.queueSize > 0 ? round(meanInUse / host.queueSize, 4) : 0,
        };
      });
    });
  }
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
