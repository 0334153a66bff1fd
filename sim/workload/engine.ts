// The fio-like workload engine. It keeps `iodepth` I/Os outstanding on a WorkloadDevice, drawing
// directions, sizes and offsets from named env.rng streams and timing with env.clock only, so the
// same job runs identically on real sockets and in the simulator (same seed, same offsets).
// The per-I/O path is callbacks: a completion records statistics and issues the next I/O from
// the same slot. A trampoline (#pump) keeps devices that complete synchronously from recursing.
// Open loop (job.rateIops): I/Os arrive on a schedule of their own, linear or Poisson (fio's
// rate_process). A free slot takes the oldest arrival that is due, or waits for the next one;
// arrivals that find every slot busy wait, and their latency counts from the arrival, so the
// measurement has no coordinated omission. The schedule is a running sum of gaps, so waiting
// arrivals cost no memory: the next due arrival is always `#nextArrivalNs`.
import type { Clock, Random, RngSource, Timer } from '../core/index.js';
import { LatencyHistogram } from '../stats/index.js';
import type { WorkloadDevice, WorkloadIo } from './device.js';
import { BlockSizeSplit } from './block-size-split.js';
import { JobError, resolveJob, type JobSpec, type ResolvedJob } from './job.js';
import { fillPattern, PatternChecker, type BlockMismatch } from './pattern.js';
import {
  DirectionStats,
  latencyPointsUs,
  type IoFailure,
  type QueueResult,
  type WorkloadProgress,
  type WorkloadResult,
} from './stats.js';
import { offsetDistribution, type OffsetDistribution } from './random-distribution.js';
import { WrittenMap } from './written-map.js';

/** The parts of a NodeEnv a workload uses. */
export interface WorkloadEnv {
  readonly clock: Clock;
  readonly rng: RngSource;
}

export interface WorkloadOptions {
  /** Called every job.progressIntervalNs of clock time while the job runs. */
  readonly onProgress?: (progress: WorkloadProgress) => void;
  /**
   * Record completion latencies in the result's clat histograms. Default true. The scenario runner
   * turns it off: its TrackedDevice records every I/O's latency already, across reconnects.
   */
  readonly latencyHistogram?: boolean;
}

/** Redraws of a random offset that collides with an in-flight I/O before the slot waits. */
const VERIFY_REDRAWS = 8;
const READ = 0;
const WRITE = 1;

/** One outstanding-I/O slot. A slot has at most one I/O in flight; it owns its write buffer. */
interface Slot {
  readonly index: number;
  readonly queue: number;
  kind: number;
  firstUnit: number;
  units: number;
  startNs: number;
  /** When the I/O was due: its arrival in open loop, its submission in closed loop. */
  intendedNs: number;
  /** An I/O drawn but waiting for its units to be free (verification keeps I/Os exclusive). */
  pending: boolean;
  /** The slot's data buffer (maxBs bytes): verified reads' destination, and verify-mode write pattern. */
  buffer: Uint8Array | undefined;
  readonly callback: (status: number, data?: Uint8Array) => void;
}

export class WorkloadRun {
  readonly job: ResolvedJob;
  readonly #clock: Clock;
  readonly #device: WorkloadDevice;
  readonly #onProgress: ((progress: WorkloadProgress) => void) | undefined;
  readonly #mixRng: Random;
  readonly #bsRng: Random;
  readonly #offsetRng: Random;
  readonly #seed: number;
  readonly #sharedData: Uint8Array;
  /** The destination of every unverified read (see #submit); made on the first one. */
  #sharedReadBuffer: Uint8Array | undefined;
  readonly #slots: Slot[];
  readonly #totalUnits: number;
  readonly #map: WrittenMap | undefined;
  readonly #checker: PatternChecker | undefined;
  readonly #stats: readonly [DirectionStats, DirectionStats];
  readonly #queueIos: number[];
  readonly #queueBytes: number[];
  readonly #queueErrors: number[];
  /** Per-queue latency (from the arrival in open loop), when the job records latency. */
  readonly #queueLatency: LatencyHistogram[] | undefined;
  /** Open loop: the arrival stream, the next arrival, and slots waiting for it. */
  readonly #arrivalRng: Random | undefined;
  readonly #meanGapNs: number;
  #nextArrivalNs = 0;
  #arrivalTimer: Timer | undefined;
  #awaitingArrival: Slot[] = [];
  readonly #split: readonly [BlockSizeSplit, BlockSizeSplit] | undefined;
  readonly #offsets: OffsetDistribution | undefined;
  /** Random runs (rw=randread:N): I/Os left in the current run and where the run continues. */
  #runLeft = 0;
  #runNext = 0;
  #rampEndNs = 0;

  #phase: 'idle' | 'io' | 'verify' | 'done' = 'idle';
  #ioExhausted = false;
  #stopReason: 'error' | 'stopped' | undefined;
  #inflight = 0;
  #ready: Slot[] = [];
  #blocked: Slot[] = [];
  #pumping = false;
  #issuedBytes = 0;
  #seqUnit = 0;
  #readbackUnit = 0;
  #startNs = 0;
  #deadlineNs = Infinity;
  #errors = 0;
  #firstError: IoFailure | undefined;
  #blocksChecked = 0;
  #mismatches = 0;
  #firstMismatch: (BlockMismatch & { offset: number }) | undefined;
  #progressTimer: Timer | undefined;
  #lastProgress = { atNs: 0, ios: 0, readBytes: 0, writeBytes: 0 };
  #onDone: ((result: WorkloadResult) => void) | undefined;
  #result: WorkloadResult | undefined;

  constructor(env: WorkloadEnv, device: WorkloadDevice, job: ResolvedJob, options: WorkloadOptions = {}) {
    const latency = options.latencyHistogram ?? true;
    const openLoop = job.rateIops > 0;
    this.#stats = [new DirectionStats(latency, openLoop), new DirectionStats(latency, openLoop)];
    this.#queueLatency = latency ? Array.from({ length: job.queues }, () => new LatencyHistogram({ significantDigits: 2 })) : undefined;
    this.#meanGapNs = openLoop ? 1e9 / job.rateIops : 0;
    this.#arrivalRng = openLoop ? env.rng.stream(`${job.streamPrefix}/arrival`) : undefined;
    this.job = job;
    this.#clock = env.clock;
    this.#device = device;
    this.#onProgress = options.onProgress;
    const prefix = job.streamPrefix;
    this.#mixRng = env.rng.stream(`${prefix}/mix`);
    this.#bsRng = env.rng.stream(`${prefix}/bs`);
    this.#offsetRng = env.rng.stream(`${prefix}/offset`);
    const dataRng = env.rng.stream(`${prefix}/data`);
    this.#seed = dataRng.int(0x1_0000_0000) >>> 0;
    // Writes without verification all carry the same random bytes: content is irrelevant to them,
    // and one shared buffer means no per-I/O allocation or fill.
    this.#sharedData = new Uint8Array(job.maxBs);
    const words = new Uint32Array(this.#sharedData.buffer);
    for (let i = 0; i < words.length; i++) words[i] = dataRng.int(0x1_0000_0000);
    this.#totalUnits = Math.floor(job.sizeBytes / job.minBs);
    const split = job.bssplit;
    this.#split = split === undefined ? undefined : [new BlockSizeSplit(split.read, job.minBs), new BlockSizeSplit(split.write, job.minBs)];
    this.#offsets = job.random ? offsetDistribution(job.randomDistribution, Math.max(1, Math.floor(this.#totalUnits / job.alignUnits))) : undefined;
    if (job.verify) {
      this.#map = new WrittenMap(this.#totalUnits);
      this.#checker = new PatternChecker(job.blockSize, this.#seed);
    }
    this.#queueIos = new Array<number>(job.queues).fill(0);
    this.#queueBytes = new Array<number>(job.queues).fill(0);
    this.#queueErrors = new Array<number>(job.queues).fill(0);
    this.#slots = [];
    for (let index = 0; index < job.iodepth; index++) {
      const slot: Slot = {
        index,
        queue: index % job.queues,
        kind: READ,
        firstUnit: 0,
        units: 0,
        startNs: 0,
        intendedNs: 0,
        pending: false,
        buffer: undefined,
        callback: (status, data) => this.#complete(slot, status, data),
      };
      this.#slots.push(slot);
    }
  }

  /** Starts issuing; `onDone` runs once, after the last I/O completes. */
  start(onDone: (result: WorkloadResult) => void): void {
    if (this.#phase !== 'idle') throw new Error('workload already started');
    this.#onDone = onDone;
    this.#startNs = this.#clock.nowNs();
    this.#rampEndNs = this.#startNs + this.job.rampNs;
    this.#deadlineNs = this.#rampEndNs + this.job.runtimeNs;
    this.#lastProgress.atNs = this.#startNs;
    this.#nextArrivalNs = this.#startNs;
    this.#phase = 'io';
    if (this.#onProgress !== undefined) this.#armProgress();
    this.#ready = [...this.#slots].reverse();
    this.#pump();
  }

  /** Stops issuing; the job ends (and onDone runs) once in-flight I/Os complete. */
  stop(): void {
    if (this.#phase === 'done' || this.#phase === 'idle') return;
    this.#stopReason ??= 'stopped';
    this.#stopArrivals();
    this.#pump();
  }

  /** The result, once done. */
  get result(): WorkloadResult | undefined {
    return this.#result;
  }

  /** The read and write counters (group_reporting merges these across jobs). */
  get directions(): readonly [DirectionStats, DirectionStats] {
    return this.#stats;
  }

  /** I/Os currently outstanding. */
  get inflight(): number {
    return this.#inflight;
  }

  /**
   * Issues every ready slot. `nowNs` is the clock's time when the caller just read it (a
   * completion): the first issue uses it instead of reading the clock again; later ones read it.
   */
  #pump(nowNs = -1): void {
    if (this.#pumping || this.#phase === 'done') return;
    this.#pumping = true;
    try {
      let now = nowNs;
      let slot = this.#ready.pop();
      while (slot !== undefined) {
        this.#issue(slot, now);
        now = -1;
        slot = this.#ready.pop();
      }
    } finally {
      this.#pumping = false;
    }
    if (this.#inflight === 0 && this.#blocked.length === 0 && this.#awaitingArrival.length === 0) this.#endPhase();
  }

  /**
   * Open loop: true when the slot may take an arrival now (and stamps it with that arrival); false
   * when it waits for the next one, or the job's time or size budget ends before it.
   */
  #takeArrival(slot: Slot): boolean {
    const now = this.#clock.nowNs();
    const due = this.#nextArrivalNs;
    const job = this.job;
    if (due >= this.#deadlineNs || job.ioSizeBytes - this.#issuedBytes < job.minBs) {
      this.#ioExhausted = true;
      return false;
    }
    if (due > now) {
      this.#awaitingArrival.push(slot);
      if (this.#arrivalTimer === undefined) {
        this.#arrivalTimer = this.#clock.setTimer(Math.ceil(due - now), () => this.#arrived());
      }
      return false;
    }
    slot.intendedNs = due;
    this.#nextArrivalNs = due + this.#nextGapNs();
    return true;
  }

  /** Gap to the next arrival: the mean (linear), or exponential with that mean (Poisson). */
  #nextGapNs(): number {
    const rng = this.#arrivalRng;
    if (rng === undefined || this.job.rateProcess === 'linear') return this.#meanGapNs;
    return -Math.log(1 - rng.next()) * this.#meanGapNs;
  }

  #arrived(): void {
    this.#arrivalTimer = undefined;
    // Oldest waiting slot first, as the completion order freed them.
    for (let i = this.#awaitingArrival.length - 1; i >= 0; i--) this.#ready.push(this.#awaitingArrival[i] as Slot);
    this.#awaitingArrival = [];
    this.#pump();
  }

  #stopArrivals(): void {
    if (this.#arrivalTimer !== undefined) this.#clock.clearTimer(this.#arrivalTimer);
    this.#arrivalTimer = undefined;
    this.#awaitingArrival = [];
  }

  /**
   * Issues the slot's next I/O if there is one; otherwise the slot stays idle for this phase.
   * `nowNs` is the clock's time if the caller has it (else -1): one clock read serves the
   * deadline check and the submission.
   */
  #issue(slot: Slot, nowNs: number): void {
    if (this.#stopReason !== undefined) return;
    if (!slot.pending) {
      if (this.#arrivalRng !== undefined && this.#phase === 'io' && (this.#ioExhausted || !this.#takeArrival(slot))) return;
      const drawn = this.#phase === 'io' ? this.#drawIo(slot, nowNs) : this.#drawReadback(slot);
      if (!drawn) return;
    }
    const map = this.#map;
    if (map !== undefined && this.#phase === 'io') {
      if (!map.isFree(slot.firstUnit, slot.units)) {
        slot.pending = true;
        this.#blocked.push(slot);
        return;
      }
      map.lock(slot.firstUnit, slot.units);
    }
    slot.pending = false;
    this.#submit(slot, nowNs);
  }

  /** Draws the next main-phase I/O into the slot; false when the job's budget is spent. */
  #drawIo(slot: Slot, nowNs: number): boolean {
    const job = this.job;
    if (this.#ioExhausted) return false;
    const remainingUnits = Math.floor((job.ioSizeBytes - this.#issuedBytes) / job.minBs);
    // Reading the clock costs a syscall-free but non-trivial hrtime call: only when a runtime is set.
    if (remainingUnits < 1 || (this.#deadlineNs !== Infinity && (nowNs >= 0 ? nowNs : this.#clock.nowNs()) >= this.#deadlineNs)) {
      this.#ioExhausted = true;
      return false;
    }
    const read =
      job.readFraction === 1 ? true : job.readFraction === 0 ? false : this.#mixRng.next() < job.readFraction;
    const maxUnits = job.maxBs / job.minBs;
    const split = this.#split?.[read ? READ : WRITE];
    let units = split !== undefined ? split.draw(this.#bsRng) : maxUnits === 1 ? 1 : this.#bsRng.int(maxUnits) + 1;
    units = Math.min(units, remainingUnits, this.#totalUnits);
    let first: number;
    const offsets = this.#offsets;
    if (offsets !== undefined && this.#runLeft > 0 && this.#runNext + units <= this.#totalUnits) {
      // Within a random run (rw=randread:N): sequential from the run's last I/O.
      first = this.#runNext;
      this.#runLeft--;
    } else if (offsets !== undefined) {
      const last = this.#totalUnits - units;
      first = this.#drawOffset(offsets, last);
      const map = this.#map;
      // A collision with an in-flight I/O would make verification ambiguous: try elsewhere first.
      for (let tries = 0; map !== undefined && tries < VERIFY_REDRAWS && !map.isFree(first, units); tries++) first = this.#drawOffset(offsets, last);
      this.#runLeft = job.randomRunLength - 1;
    } else {
      first = this.#seqUnit;
      units = Math.min(units, this.#totalUnits - first);
      // fio rw=read:8k skips 8k after each I/O; a negative modifier steps back (read:-8k).
      let next = first + units + job.sequentialSkipBytes / job.minBs;
      next = ((next % this.#totalUnits) + this.#totalUnits) % this.#totalUnits;
      this.#seqUnit = first + units >= this.#totalUnits && job.sequentialSkipBytes === 0 ? 0 : next;
    }
    this.#runNext = first + units;
    slot.kind = read ? READ : WRITE;
    slot.firstUnit = first;
    slot.units = units;
    this.#issuedBytes += units * job.minBs;
    return true;
  }

  /**
   * A random I/O's first unit, at most `last`. Uniform draws cover exactly the aligned starts that
   * fit (as before skewed distributions existed, so seeds keep their offsets); skewed ones draw over
   * the region and clamp. A method, not a closure per I/O.
   */
  #drawOffset(offsets: OffsetDistribution, last: number): number {
    const job = this.job;
    if (job.randomDistribution.kind === 'random') return this.#offsetRng.int(Math.floor(last / job.alignUnits) + 1) * job.alignUnits;
    return Math.min(last, offsets.draw(this.#offsetRng) * job.alignUnits);
  }

  /** Draws the next read-back of written blocks (verify phase of write/randwrite jobs). */
  #drawReadback(slot: Slot): boolean {
    const map = this.#map;
    if (map === undefined) return false;
    const run = map.nextWrittenRun(this.#readbackUnit, this.job.maxBs / this.job.minBs);
    if (run === undefined) return false;
    slot.kind = READ;
    slot.firstUnit = run[0];
    slot.units = run[1];
    this.#readbackUnit = run[0] + run[1];
    return true;
  }

  #submit(slot: Slot, nowNs: number): void {
    const job = this.job;
    const offset = job.offsetBytes + slot.firstUnit * job.minBs;
    const length = slot.units * job.minBs;
    let data: Uint8Array | undefined;
    if (slot.kind === WRITE) {
      const map = this.#map;
      if (map === undefined) {
        data = this.#sharedData.subarray(0, length);
      } else {
        slot.buffer ??= new Uint8Array(job.maxBs);
        data = slot.buffer.subarray(0, length);
        map.advance(slot.firstUnit, slot.units);
        const first = slot.firstUnit;
        const blocksPerUnit = job.minBs / job.blockSize;
        fillPattern(data, job.blockSize, this.#seed, offset / job.blockSize, (b) =>
          map.generation(first + Math.floor(b / blocksPerUnit)),
        );
      }
    }
    let io: WorkloadIo;
    const now = nowNs >= 0 ? nowNs : this.#clock.nowNs();
    slot.startNs = now;
    if (this.#arrivalRng === undefined || this.#phase !== 'io') slot.intendedNs = now;
    if (data === undefined) {
      // Reads that nobody verifies all land in one buffer, as unverified writes all send one:
      // their bytes are never looked at, and a fleet's thousands of slot buffers would be memory
      // each read's copy has to fetch (a shared one stays in the cache).
      let whole: Uint8Array;
      if (this.#checker === undefined) whole = this.#sharedReadBuffer ??= new Uint8Array(job.maxBs);
      else whole = slot.buffer ??= new Uint8Array(job.maxBs);
      const buffer = length === whole.length ? whole : whole.subarray(0, length);
      io = { kind: 'read', offset, length, buffer, queue: slot.queue + job.queueOffset, arrivalNs: slot.intendedNs };
    } else {
      io = { kind: 'write', offset, length, data, queue: slot.queue + job.queueOffset, arrivalNs: slot.intendedNs };
    }
    if (now >= this.#rampEndNs) this.#stats[slot.kind]?.issued(now);
    this.#inflight++;
    this.#device.submit(io, slot.callback);
  }

  #complete(slot: Slot, status: number, data: Uint8Array | undefined): void {
    const now = this.#clock.nowNs();
    const job = this.job;
    const stats = this.#stats[slot.kind];
    const length = slot.units * job.minBs;
    this.#inflight--;
    // fio ramp_time: I/O issued during the warm-up runs but does not count.
    const counted = slot.startNs >= this.#rampEndNs;
    if (status === 0 && !counted) {
      if (slot.kind === READ && this.#checker !== undefined) this.#verify(slot, data);
    } else if (status === 0) {
      stats?.completed(length, now - slot.startNs, now - slot.intendedNs, now);
      this.#queueLatency?.[slot.queue]?.record(now - slot.intendedNs);
      this.#queueIos[slot.queue] = (this.#queueIos[slot.queue] ?? 0) + 1;
      this.#queueBytes[slot.queue] = (this.#queueBytes[slot.queue] ?? 0) + length;
      if (slot.kind === READ && this.#checker !== undefined) this.#verify(slot, data);
    } else {
      stats?.failed(now);
      this.#queueErrors[slot.queue] = (this.#queueErrors[slot.queue] ?? 0) + 1;
      this.#errors++;
      this.#firstError ??= {
        kind: slot.kind === READ ? 'read' : 'write',
        offset: job.offsetBytes + slot.firstUnit * job.minBs,
        length,
        queue: slot.queue + job.queueOffset,
        status,
        atNs: now,
      };
      if (slot.kind === WRITE) this.#map?.forget(slot.firstUnit, slot.units);
      if (job.stopOnError) this.#stopReason ??= 'error';
    }
    if (this.#phase === 'io') this.#map?.unlock(slot.firstUnit, slot.units);
    this.#ready.push(slot);
    if (this.#blocked.length > 0) {
      // Units were released: let waiting slots try again, oldest first.
      for (let i = this.#blocked.length - 1; i >= 0; i--) this.#ready.push(this.#blocked[i] as Slot);
      this.#blocked = [];
    }
    this.#pump(now);
  }

  #verify(slot: Slot, data: Uint8Array | undefined): void {
    const map = this.#map;
    const checker = this.#checker;
    if (map === undefined || checker === undefined) return;
    const job = this.job;
    const offset = job.offsetBytes + slot.firstUnit * job.minBs;
    const blocksPerUnit = job.minBs / job.blockSize;
    const blocks = slot.units * blocksPerUnit;
    const firstLba = offset / job.blockSize;
    for (let b = 0; b < blocks; b++) {
      const generation = map.generation(slot.firstUnit + Math.floor(b / blocksPerUnit));
      // Blocks this run never wrote (or whose write failed) hold unknown data.
      if (generation === 0) continue;
      this.#blocksChecked++;
      const mismatch =
        data === undefined || data.byteLength < blocks * job.blockSize
          ? { lba: firstLba + b, reason: 'data' as const, expectedGeneration: generation }
          : checker.check(data, b * job.blockSize, firstLba + b, generation);
      if (mismatch !== undefined) {
        this.#mismatches++;
        this.#firstMismatch ??= { ...mismatch, offset: (firstLba + b) * job.blockSize };
        if (job.verifyFatal) this.#stopReason ??= 'error';
      }
    }
  }

  #endPhase(): void {
    if (this.#phase === 'done' || this.#phase === 'idle') return;
    const readBack = this.job.verify && this.job.readFraction === 0;
    if (this.#phase === 'io' && readBack && this.#stopReason === undefined) {
      this.#phase = 'verify';
      this.#ready = [...this.#slots].reverse();
      this.#pump();
      return;
    }
    this.#finish();
  }

  #finish(): void {
    this.#phase = 'done';
    this.#stopArrivals();
    if (this.#progressTimer !== undefined) this.#clock.clearTimer(this.#progressTimer);
    this.#progressTimer = undefined;
    const now = this.#clock.nowNs();
    const queueLatency = this.#queueLatency;
    const queues: QueueResult[] = this.#queueIos.map((ios, queue) => {
      const histogram = queueLatency?.[queue];
      const counts = { queue: queue + this.job.queueOffset, ios, bytes: this.#queueBytes[queue] ?? 0, errors: this.#queueErrors[queue] ?? 0 };
      return histogram === undefined ? counts : { ...counts, latencyUs: latencyPointsUs(histogram) };
    });
    const [read, write] = this.#stats as [DirectionStats, DirectionStats];
    const firstMismatch = this.#firstMismatch;
    const firstError = this.#firstError;
    this.#result = {
      name: this.job.name,
      elapsedNs: now - this.#startNs,
      read: read.result(),
      write: write.result(),
      queues,
      errors: this.#errors,
      ...(firstError === undefined ? {} : { firstError }),
      verify: {
        enabled: this.job.verify,
        blocksChecked: this.#blocksChecked,
        mismatches: this.#mismatches,
        ...(firstMismatch === undefined ? {} : { firstMismatch }),
      },
      ended: this.#stopReason ?? 'done',
    };
    this.#onDone?.(this.#result);
  }

  #armProgress(): void {
    this.#progressTimer = this.#clock.setTimer(this.job.progressIntervalNs, () => {
      this.#progressTimer = undefined;
      if (this.#phase === 'done') return;
      this.#onProgress?.(this.progress());
      this.#armProgress();
    });
  }

  /** Progress now; rates cover the time since the previous call. */
  progress(): WorkloadProgress {
    const now = this.#clock.nowNs();
    const [read, write] = this.#stats as [DirectionStats, DirectionStats];
    const last = this.#lastProgress;
    const intervalS = Math.max(1, now - last.atNs) / 1e9;
    const ios = read.ios + write.ios;
    const progress: WorkloadProgress = {
      elapsedNs: now - this.#startNs,
      phase: this.#phase === 'verify' ? 'verify' : 'io',
      percentDone: this.#percentDone(now),
      iops: (ios - last.ios) / intervalS,
      readBytesPerS: (read.ioBytes - last.readBytes) / intervalS,
      writeBytesPerS: (write.ioBytes - last.writeBytes) / intervalS,
      totalIos: ios,
      errors: this.#errors,
    };
    this.#lastProgress = { atNs: now, ios, readBytes: read.ioBytes, writeBytes: write.ioBytes };
    return progress;
  }

  #percentDone(now: number): number {
    const job = this.job;
    if (this.#phase === 'done') return 100;
    const bySize = Number.isFinite(job.ioSizeBytes) ? this.#issuedBytes / job.ioSizeBytes : 0;
    const byTime = Number.isFinite(job.runtimeNs) ? (now - this.#startNs) / job.runtimeNs : 0;
    const io = Math.min(1, Math.max(bySize, byTime));
    const readBack = job.verify && job.readFraction === 0;
    if (!readBack) return io * 100;
    if (this.#phase === 'io') return io * 50;
    return 50 + (50 * this.#readbackUnit) / Math.max(1, this.#totalUnits);
  }
}

/**
 * Runs a job to completion. Rejects with a JobError (naming the option) when the job does not fit
 * the device; I/O errors and verify mismatches are reported in the result, not thrown.
 */
export function runWorkload(
  env: WorkloadEnv,
  device: WorkloadDevice,
  spec: JobSpec | ResolvedJob,
  options: WorkloadOptions = {},
): Promise<WorkloadResult> {
  let job: ResolvedJob;
  try {
    job = 'minBs' in spec ? spec : resolveJob(spec, device);
  } catch (error) {
    return Promise.reject(error instanceof JobError ? error : new JobError('job', String(error)));
  }
  return new Promise((resolve) => new WorkloadRun(env, device, job, options).start(resolve));
}
