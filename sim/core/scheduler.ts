// The discrete-event scheduler: virtual time in integer nanoseconds and a priority queue of
// callbacks ordered by (time, insertion sequence). The sequence tie-break makes runs repeatable:
// two events due at the same nanosecond always run in the order they were scheduled.
//
// The queue is made of 4-ary heaps stored as structs of typed arrays (time, sequence, slot), with
// the callbacks and their arguments in parallel slot arrays. An object-per-event heap falls off
// about 10x at 10^6 pending events because of cache misses and GC (docs/prior-art.md,
// "Event queues"); the flat layout does not, and four children per node
// halve the depth a pop walks. `schedule(at, fn, arg)` lets hot paths pass a pre-bound function
// and a data argument instead of allocating a closure.
//
// The queue is split three ways, and the next event is the smallest (time, sequence) key of the
// three heads, so the order of events is exactly that of one heap:
// - Events due now (a TCP flush, a pump, zero-cost work) go to a FIFO: such an event sorts after
//   every event already queued for now (its sequence number is the largest), so the FIFO is in
//   key order by construction. It is always empty when time moves on.
// - Events due within FAR_NS go to the near heap: packets, CPU work and device service, the
//   busy near future that every step pops from.
// - Later events go to the far heap: delayed-ACK, retransmission, keep-alive and I/O timers. A
//   fleet of connections keeps thousands of them (and their cancelled ghosts) pending; on their
//   own heap they do not deepen the near heap every step walks.
//
// Lanes keep the near heap small too. A source whose events are due in non-decreasing time order
// (a link direction's packet arrivals: hundreds in flight on a busy link) schedules into its lane;
// only the lane's head sits in a heap, and each later entry enters one when the entry before it
// runs, with the sequence number it got when it was scheduled. Its key is larger than its
// predecessor's, so it is queued before it can be the smallest, and events run in exactly the order
// they would if each had been scheduled directly.
//
// Cancellation is lazy: cancel() clears the slot in O(1) and the entry is skipped when it reaches
// the head. When cancelled entries outnumber live ones a heap is rebuilt, so a workload that cancels
// most of its timers cannot grow a heap without bound.

/** A callback run at its scheduled time with the argument given to schedule(). */
export type EventFn<T> = (arg: T) => void;

/** Slots per generation: a handle is generation * SLOT_LIMIT + slot (both fit in 2^53). */
const SLOT_LIMIT = 1 << 26;
/** Generations wrap at this value; a stale handle must outlive 2^26 reuses of one slot to alias. */
const GENERATION_LIMIT = 1 << 26;
const INITIAL_CAPACITY = 1024;
/** Children per heap node: 1 << ARITY_SHIFT. */
const ARITY_SHIFT = 2;
const ARITY = 1 << ARITY_SHIFT;
const LANE_INITIAL_CAPACITY = 16;
/** Rebuild a heap when at least this many cancelled entries are waiting in it... */
const COMPACT_MIN_CANCELLED = 4096;
/** Events due more than this far ahead (1 ms) wait in the far heap. */
const FAR_NS = 1_000_000;

/** Where a slot's entry waits. */
const IN_NEAR = 0;
const IN_FAR = 1;
const IN_FIFO = 2;

function assertTime(atNs: number, nowNs: number): void {
  // `!(a >= b)` also rejects NaN.
  if (!(atNs >= nowNs)) throw new RangeError(`event scheduled in the past: ${atNs} < now ${nowNs}`);
  if (atNs === Infinity) throw new RangeError('event scheduled at infinity');
}

/** A 4-ary min-heap of (time, sequence, slot) entries in typed arrays. */
class KeyHeap {
  times = new Float64Array(INITIAL_CAPACITY);
  seqs = new Float64Array(INITIAL_CAPACITY);
  slots = new Int32Array(INITIAL_CAPACITY);
  size = 0;
  /** Cancelled entries still in the heap. */
  cancelled = 0;

  push(time: number, seq: number, slot: number): void {
    if (this.size === this.times.length) this.#grow();
    const times = this.times;
    const seqs = this.seqs;
    const slots = this.slots;
    let index = this.size++;
    // Sift up: move parents down until the new entry's (time, seq) is not smaller.
    while (index > 0) {
      const parent = (index - 1) >> ARITY_SHIFT;
      const parentTime = times[parent] as number;
      if (parentTime < time || (parentTime === time && (seqs[parent] as number) < seq)) break;
      times[index] = parentTime;
      seqs[index] = seqs[parent] as number;
      slots[index] = slots[parent] as number;
      index = parent;
    }
    times[index] = time;
    seqs[index] = seq;
    slots[index] = slot;
  }

  /** Removes the top entry (the caller read it first). */
  popTop(): void {
    const last = --this.size;
    if (last === 0) return;
    this.siftDown(0, this.times[last] as number, this.seqs[last] as number, this.slots[last] as number, last);
  }

  /** Places (time, seq, slot) at or below index in a heap of `size` entries. */
  siftDown(start: number, time: number, seq: number, slot: number, size: number): void {
    const times = this.times;
    const seqs = this.seqs;
    const slots = this.slots;
    let index = start;
    for (;;) {
      const first = ARITY * index + 1;
      if (first >= size) break;
      // The smallest of up to ARITY children.
      let child = first;
      let childTime = times[first] as number;
      let childSeq = seqs[first] as number;
      const end = first + ARITY < size ? first + ARITY : size;
      for (let other = first + 1; other < end; other++) {
        const otherTime = times[other] as number;
        if (otherTime < childTime || (otherTime === childTime && (seqs[other] as number) < childSeq)) {
          child = other;
          childTime = otherTime;
          childSeq = seqs[other] as number;
        }
      }
      if (time < childTime || (time === childTime && seq < childSeq)) break;
      times[index] = childTime;
      seqs[index] = childSeq;
      slots[index] = slots[child] as number;
      index = child;
    }
    times[index] = time;
    seqs[index] = seq;
    slots[index] = slot;
  }

  /**
   * Removes entries whose slot is not live (release() frees each) and re-heapifies (Floyd). The
   * (time, seq) order is total, so the order events run in is the same as without compaction.
   */
  compact(live: (slot: number) => boolean, release: (slot: number) => void): void {
    const times = this.times;
    const seqs = this.seqs;
    const slots = this.slots;
    let kept = 0;
    for (let i = 0; i < this.size; i++) {
      const slot = slots[i] as number;
      if (!live(slot)) {
        release(slot);
        continue;
      }
      times[kept] = times[i] as number;
      seqs[kept] = seqs[i] as number;
      slots[kept] = slot;
      kept++;
    }
    this.size = kept;
    this.cancelled = 0;
    for (let i = Math.floor((kept - 2) / ARITY); i >= 0; i--) {
      this.siftDown(i, times[i] as number, seqs[i] as number, slots[i] as number, kept);
    }
  }

  #grow(): void {
    const capacity = this.times.length * 2;
    const times = new Float64Array(capacity);
    times.set(this.times);
    const seqs = new Float64Array(capacity);
    seqs.set(this.seqs);
    const slots = new Int32Array(capacity);
    slots.set(this.slots);
    this.times = times;
    this.seqs = seqs;
    this.slots = slots;
  }
}

/**
 * A FIFO of events whose times never decrease, created by Scheduler.createLane(). Its fields
 * belong to the scheduler.
 */
export class EventLane {
  readonly scheduler: Scheduler;
  /** Ring of waiting entries, the head included. */
  times = new Float64Array(LANE_INITIAL_CAPACITY);
  seqs = new Float64Array(LANE_INITIAL_CAPACITY);
  fns: (EventFn<unknown> | null)[] = new Array<EventFn<unknown> | null>(LANE_INITIAL_CAPACITY).fill(null);
  args: unknown[] = new Array<unknown>(LANE_INITIAL_CAPACITY).fill(undefined);
  head = 0;
  count = 0;
  /** Time of the latest entry scheduled into the lane. */
  lastNs = -Infinity;

  constructor(scheduler: Scheduler) {
    this.scheduler = scheduler;
  }

  /** Doubles the ring (sizes stay powers of two so indices wrap with a mask). */
  grow(): void {
    const size = this.times.length;
    const times = new Float64Array(size * 2);
    const seqs = new Float64Array(size * 2);
    const fns = new Array<EventFn<unknown> | null>(size * 2).fill(null);
    const args = new Array<unknown>(size * 2).fill(undefined);
    for (let i = 0; i < this.count; i++) {
      const from = (this.head + i) & (size - 1);
      times[i] = this.times[from] as number;
      seqs[i] = this.seqs[from] as number;
      fns[i] = this.fns[from] ?? null;
      args[i] = this.args[from];
    }
    this.times = times;
    this.seqs = seqs;
    this.fns = fns;
    this.args = args;
    this.head = 0;
  }
}

/** The queued event of a lane's head: runs the head, after queueing the next entry. */
function runLaneHead(lane: EventLane): void {
  lane.scheduler.runLaneHead(lane);
}

export class Scheduler {
  /** Current virtual time in nanoseconds. Advances only when an event runs or runUntil() ends. */
  now = 0;
  /** Events run so far (cancelled events are not counted). */
  eventCount = 0;
  /**
   * When set (by a benchmark), every event run is counted here under its function, a lane's
   * entries under their own functions rather than the lane's; insertion-ordered, so a report
   * lists kinds in the order they first ran. Off by default: one null check per event.
   */
  eventKinds: Map<EventFn<unknown>, number> | null = null;

  readonly #near = new KeyHeap();
  readonly #far = new KeyHeap();

  #slotFn: (EventFn<unknown> | null)[] = new Array<EventFn<unknown> | null>(INITIAL_CAPACITY).fill(null);
  #slotArg: unknown[] = new Array<unknown>(INITIAL_CAPACITY).fill(undefined);
  #slotGeneration = new Uint32Array(INITIAL_CAPACITY);
  /** IN_NEAR, IN_FAR or IN_FIFO: where the slot's entry waits. */
  #slotWhere = new Uint8Array(INITIAL_CAPACITY);
  #freeSlots = new Int32Array(INITIAL_CAPACITY);
  #freeCount = 0;
  #slotsUsed = 0;

  /** The same-time FIFO: a ring of (sequence, slot), all due at `now`. */
  #fifoSeq = new Float64Array(INITIAL_CAPACITY);
  #fifoSlot = new Int32Array(INITIAL_CAPACITY);
  #fifoHead = 0;
  #fifoCount = 0;
  #cancelledInFifo = 0;

  #sequence = 0;
  /** Lane entries behind their lane's head (the heads are queued). */
  #laneWaiting = 0;
  #stopRequested = false;
  readonly #isLive = (slot: number): boolean => this.#slotFn[slot] !== null;
  readonly #releaseDead = (slot: number): void => this.#releaseSlot(slot, false);

  /** Events waiting to run (excluding cancelled ones). */
  get pending(): number {
    const near = this.#near;
    const far = this.#far;
    return (
      near.size - near.cancelled + far.size - far.cancelled + this.#fifoCount - this.#cancelledInFifo + this.#laneWaiting
    );
  }

  /** Time of the earliest pending event, or Infinity when idle. */
  peekNs(): number {
    this.#dropCancelled();
    return this.#nextNs();
  }

  /**
   * Runs fn(arg) at absolute time atNs (>= now). Returns a handle for cancel(). Events at equal
   * times run in the order they were scheduled.
   */
  schedule<T>(atNs: number, fn: EventFn<T>, arg: T): number;
  schedule(atNs: number, fn: () => void): number;
  schedule(atNs: number, fn: EventFn<unknown>, arg?: unknown): number {
    const slot = this.#enqueue(atNs, fn, arg);
    return (this.#slotGeneration[slot] as number) * SLOT_LIMIT + slot;
  }

  /**
   * schedule() for callers that never cancel: no handle is made (a handle is a double, and
   * returning one from a hot path allocates).
   */
  post<T>(atNs: number, fn: EventFn<T>, arg: T): void {
    this.#enqueue(atNs, fn as EventFn<unknown>, arg);
  }

  /** Runs fn(arg) delayNs from now. */
  scheduleIn<T>(delayNs: number, fn: EventFn<T>, arg: T): number;
  scheduleIn(delayNs: number, fn: () => void): number;
  scheduleIn(delayNs: number, fn: EventFn<unknown>, arg?: unknown): number {
    return this.schedule(this.now + delayNs, fn, arg);
  }

  /** A new lane for a source whose events are due in non-decreasing time order. */
  createLane(): EventLane {
    return new EventLane(this);
  }

  /**
   * Runs fn(arg) at atNs (>= now), like schedule(), through `lane`. Entries must come in
   * non-decreasing time order; one that would not (atNs before the lane's latest) is scheduled
   * directly instead, which keeps the order exact. Lane events cannot be cancelled.
   */
  scheduleInLane<T>(lane: EventLane, atNs: number, fn: EventFn<T>, arg: T): void {
    assertTime(atNs, this.now);
    if (atNs < lane.lastNs && lane.count > 0) {
      this.#enqueue(atNs, fn as EventFn<unknown>, arg);
      return;
    }
    const seq = this.#sequence++;
    if (lane.count === lane.times.length) lane.grow();
    const index = (lane.head + lane.count) & (lane.times.length - 1);
    lane.times[index] = atNs;
    lane.seqs[index] = seq;
    lane.fns[index] = fn as EventFn<unknown>;
    lane.args[index] = arg;
    lane.count++;
    lane.lastNs = atNs;
    if (lane.count === 1) this.#enterHead(lane, atNs, seq);
    else this.#laneWaiting++;
  }

  /** Called by a lane head's event (runLaneHead): the next entry is queued, the head runs. */
  runLaneHead(lane: EventLane): void {
    const index = lane.head;
    const fn = lane.fns[index] as EventFn<unknown>;
    const arg = lane.args[index];
    lane.fns[index] = null;
    lane.args[index] = undefined;
    lane.head = (index + 1) & (lane.times.length - 1);
    lane.count--;
    if (lane.count > 0) {
      this.#laneWaiting--;
      const next = lane.head;
      this.#enterHead(lane, lane.times[next] as number, lane.seqs[next] as number);
    }
    const kinds = this.eventKinds;
    if (kinds !== null) kinds.set(fn, (kinds.get(fn) ?? 0) + 1);
    fn(arg);
  }

  /** Cancels a pending event. Returns false if it already ran or was cancelled. O(1). */
  cancel(handle: number): boolean {
    const slot = handle % SLOT_LIMIT;
    const generation = (handle - slot) / SLOT_LIMIT;
    if (slot >= this.#slotsUsed || this.#slotGeneration[slot] !== generation) return false;
    if (this.#slotFn[slot] === null) return false;
    this.#slotFn[slot] = null;
    this.#slotArg[slot] = undefined;
    // Bump the generation now so the handle is dead even before the entry is popped.
    this.#slotGeneration[slot] = (generation + 1) % GENERATION_LIMIT;
    const where = this.#slotWhere[slot];
    if (where === IN_FIFO) {
      // The FIFO empties before time moves on, so its cancelled entries need no compaction.
      this.#cancelledInFifo++;
      return true;
    }
    const heap = where === IN_NEAR ? this.#near : this.#far;
    heap.cancelled++;
    if (heap.cancelled >= COMPACT_MIN_CANCELLED && heap.cancelled * 2 > heap.size) {
      heap.compact(this.#isLive, this.#releaseDead);
    }
    return true;
  }

  /** Runs the next event. Returns false when none is pending. */
  step(): boolean {
    return this.#stepDue(Infinity);
  }

  /**
   * Runs the next event if it is due at or before limitNs; returns false (running nothing)
   * otherwise. Cancelled entries met on the way are dropped, so callers need no separate peek.
   */
  #stepDue(limitNs: number): boolean {
    const near = this.#near;
    const far = this.#far;
    for (;;) {
      // The smallest (time, seq) key among the near heap's top, the far heap's top and the FIFO's
      // head (due now, so at most the heaps' times).
      let source = -1;
      let time = Infinity;
      let seq = 0;
      if (near.size > 0) {
        source = IN_NEAR;
        time = near.times[0] as number;
        seq = near.seqs[0] as number;
      }
      if (far.size > 0) {
        const farTime = far.times[0] as number;
        if (farTime < time || (farTime === time && (far.seqs[0] as number) < seq)) {
          source = IN_FAR;
          time = farTime;
          seq = far.seqs[0] as number;
        }
      }
      if (this.#fifoCount > 0 && (this.now < time || (this.#fifoSeq[this.#fifoHead] as number) < seq)) {
        source = IN_FIFO;
        time = this.now;
      }
      if (source < 0) return false;
      let slot: number;
      if (source === IN_FIFO) {
        slot = this.#fifoSlot[this.#fifoHead] as number;
        if (this.#slotFn[slot] === null) {
          this.#fifoShift();
          this.#cancelledInFifo--;
          this.#releaseSlot(slot, false);
          continue;
        }
        if (time > limitNs) return false;
        this.#fifoShift();
      } else {
        const heap = source === IN_NEAR ? near : far;
        slot = heap.slots[0] as number;
        if (this.#slotFn[slot] === null) {
          heap.popTop();
          heap.cancelled--;
          this.#releaseSlot(slot, false);
          continue;
        }
        if (time > limitNs) return false;
        heap.popTop();
      }
      const fn = this.#slotFn[slot] as EventFn<unknown>;
      const arg = this.#slotArg[slot];
      this.#releaseSlot(slot, true);
      this.now = time;
      this.eventCount++;
      const kinds = this.eventKinds;
      if (kinds !== null && fn !== runLaneHead) kinds.set(fn, (kinds.get(fn) ?? 0) + 1);
      fn(arg);
      return true;
    }
  }

  /**
   * Runs events due at or before tNs, one by one, until one of them changes `watch.count` (the
   * promise-aware run loop watches promise activity this way), none is due, or stop() is called.
   * Returns true if it stopped after an event that changed the count.
   */
  runWhileUnchanged(tNs: number, watch: { readonly count: number }): boolean {
    while (!this.#stopRequested) {
      const mark = watch.count;
      if (!this.#stepDue(tNs)) return false;
      if (watch.count !== mark) return true;
    }
    return false;
  }

  /** Runs the next event if it is due at or before tNs. Returns false (running nothing) otherwise. */
  stepIfDue(tNs: number): boolean {
    return this.#stepDue(tNs);
  }

  /**
   * Runs every event due at or before tNs, then sets now = tNs (if later). Returns the number of
   * events run. Stops early, leaving now at the last event's time, if stop() is called.
   */
  runUntil(tNs: number): number {
    const start = this.eventCount;
    this.#stopRequested = false;
    while (!this.#stopRequested) {
      if (!this.#stepDue(tNs)) {
        if (tNs > this.now && tNs !== Infinity) this.now = tNs;
        break;
      }
    }
    return this.eventCount - start;
  }

  /** Runs events until none is pending or limitEvents have run. Returns the number run. */
  runUntilIdle(limitEvents = Infinity): number {
    const start = this.eventCount;
    this.#stopRequested = false;
    while (!this.#stopRequested && this.eventCount - start < limitEvents && this.step()) {
      // step() does the work.
    }
    return this.eventCount - start;
  }

  /**
   * Moves time forward to tNs without running anything. Throws if an event is due before tNs
   * (run it first) or tNs is in the past.
   */
  advanceTo(tNs: number): void {
    assertTime(tNs, this.now);
    if (this.peekNs() < tNs) throw new RangeError(`advanceTo(${tNs}) would skip an event at ${this.peekNs()}`);
    this.now = tNs;
  }

  /** Makes the running runUntil()/runUntilIdle() return after the current event. */
  stop(): void {
    this.#stopRequested = true;
  }

  /** True if stop() was called since the last run began (or clearStop()). */
  get stopped(): boolean {
    return this.#stopRequested;
  }

  /** Forgets a stop() request (drivers that loop over step() call it when they start). */
  clearStop(): void {
    this.#stopRequested = false;
  }

  /** Queues fn(arg) at atNs: in the FIFO when due now, else in the near or far heap. Returns the slot. */
  #enqueue(atNs: number, fn: EventFn<unknown>, arg: unknown): number {
    assertTime(atNs, this.now);
    const slot = this.#allocateSlot();
    this.#slotFn[slot] = fn;
    this.#slotArg[slot] = arg;
    if (atNs === this.now) {
      this.#fifoPush(this.#sequence++, slot);
      this.#slotWhere[slot] = IN_FIFO;
    } else {
      this.#heapPush(atNs, this.#sequence++, slot);
    }
    return slot;
  }

  /** Puts an entry in the near or far heap by how far ahead it is due. */
  #heapPush(atNs: number, seq: number, slot: number): void {
    if (atNs - this.now <= FAR_NS) {
      this.#near.push(atNs, seq, slot);
      this.#slotWhere[slot] = IN_NEAR;
    } else {
      this.#far.push(atNs, seq, slot);
      this.#slotWhere[slot] = IN_FAR;
    }
  }

  /** Queues a lane's head entry under its own (time, sequence) key. */
  #enterHead(lane: EventLane, atNs: number, seq: number): void {
    const slot = this.#allocateSlot();
    this.#slotFn[slot] = runLaneHead as EventFn<unknown>;
    this.#slotArg[slot] = lane;
    // Even when due now, the head goes to a heap: its sequence number may be older than entries
    // already in the FIFO, and step() merges the two by sequence number.
    this.#heapPush(atNs, seq, slot);
  }

  /** Time of the next entry (cancelled ones at the heads dropped first by the caller). */
  #nextNs(): number {
    if (this.#fifoCount > 0) return this.now;
    const near = this.#near.size > 0 ? (this.#near.times[0] as number) : Infinity;
    const far = this.#far.size > 0 ? (this.#far.times[0] as number) : Infinity;
    return near < far ? near : far;
  }

  /** Drops cancelled entries from the heads of both heaps and the FIFO. */
  #dropCancelled(): void {
    this.#dropCancelledTop(this.#near);
    this.#dropCancelledTop(this.#far);
    while (this.#fifoCount > 0 && this.#slotFn[this.#fifoSlot[this.#fifoHead] as number] === null) {
      const slot = this.#fifoShift();
      this.#cancelledInFifo--;
      this.#releaseSlot(slot, false);
    }
  }

  #dropCancelledTop(heap: KeyHeap): void {
    while (heap.size > 0 && this.#slotFn[heap.slots[0] as number] === null) {
      const slot = heap.slots[0] as number;
      heap.popTop();
      heap.cancelled--;
      this.#releaseSlot(slot, false);
    }
  }

  #allocateSlot(): number {
    if (this.#freeCount > 0) return this.#freeSlots[--this.#freeCount] as number;
    if (this.#slotsUsed === this.#slotFn.length) this.#growSlots();
    return this.#slotsUsed++;
  }

  #fifoPush(seq: number, slot: number): void {
    if (this.#fifoCount === this.#fifoSeq.length) this.#growFifo();
    const index = (this.#fifoHead + this.#fifoCount) & (this.#fifoSeq.length - 1);
    this.#fifoSeq[index] = seq;
    this.#fifoSlot[index] = slot;
    this.#fifoCount++;
  }

  #fifoShift(): number {
    const slot = this.#fifoSlot[this.#fifoHead] as number;
    this.#fifoHead = (this.#fifoHead + 1) & (this.#fifoSeq.length - 1);
    this.#fifoCount--;
    return slot;
  }

  /** Doubles the FIFO ring (its size stays a power of two, so indices wrap with a mask). */
  #growFifo(): void {
    const capacity = this.#fifoSeq.length * 2;
    const seqs = new Float64Array(capacity);
    const slots = new Int32Array(capacity);
    for (let i = 0; i < this.#fifoCount; i++) {
      const from = (this.#fifoHead + i) & (this.#fifoSeq.length - 1);
      seqs[i] = this.#fifoSeq[from] as number;
      slots[i] = this.#fifoSlot[from] as number;
    }
    this.#fifoSeq = seqs;
    this.#fifoSlot = slots;
    this.#fifoHead = 0;
  }

  #releaseSlot(slot: number, bumpGeneration: boolean): void {
    this.#slotFn[slot] = null;
    this.#slotArg[slot] = undefined;
    if (bumpGeneration) {
      const next = (this.#slotGeneration[slot] as number) + 1;
      this.#slotGeneration[slot] = next === GENERATION_LIMIT ? 0 : next;
    }
    this.#freeSlots[this.#freeCount++] = slot;
  }

  #growSlots(): void {
    const capacity = this.#slotFn.length * 2;
    if (capacity > SLOT_LIMIT) throw new RangeError(`more than ${SLOT_LIMIT} pending events`);
    const generation = new Uint32Array(capacity);
    generation.set(this.#slotGeneration);
    this.#slotGeneration = generation;
    const where = new Uint8Array(capacity);
    where.set(this.#slotWhere);
    this.#slotWhere = where;
    const free = new Int32Array(capacity);
    free.set(this.#freeSlots);
    this.#freeSlots = free;
    for (let i = this.#slotFn.length; i < capacity; i++) {
      this.#slotFn.push(null);
      this.#slotArg.push(undefined);
    }
  }
}
