// The discrete-event scheduler: virtual time in integer nanoseconds and a priority queue of
// callbacks ordered by (time, insertion sequence). The sequence tie-break makes runs repeatable:
// two events due at the same nanosecond always run in the order they were scheduled.
//
// The queue is a binary heap stored as a struct of typed arrays (time, sequence, slot), with the
// callbacks and their arguments in parallel slot arrays. An object-per-event heap falls off about
// 10x at 10^6 pending events because of cache misses and GC (shared/reference/
// simulation-testing-notes.md section 8); the flat layout does not. `schedule(at, fn, arg)` lets
// hot paths pass a pre-bound function and a data argument instead of allocating a closure.
//
// Cancellation is lazy: cancel() clears the slot in O(1) and the heap entry is skipped when it
// reaches the top. When cancelled entries outnumber live ones the heap is rebuilt, so a workload
// that cancels most of its timers cannot grow the heap without bound.

/** A callback run at its scheduled time with the argument given to schedule(). */
export type EventFn<T> = (arg: T) => void;

/** Slots per generation: a handle is generation * SLOT_LIMIT + slot (both fit in 2^53). */
const SLOT_LIMIT = 1 << 26;
/** Generations wrap at this value; a stale handle must outlive 2^26 reuses of one slot to alias. */
const GENERATION_LIMIT = 1 << 26;
const INITIAL_CAPACITY = 1024;
/** Rebuild the heap when at least this many cancelled entries are waiting in it... */
const COMPACT_MIN_CANCELLED = 4096;

function assertTime(atNs: number, nowNs: number): void {
  // `!(a >= b)` also rejects NaN.
  if (!(atNs >= nowNs)) throw new RangeError(`event scheduled in the past: ${atNs} < now ${nowNs}`);
  if (atNs === Infinity) throw new RangeError('event scheduled at infinity');
}

export class Scheduler {
  /** Current virtual time in nanoseconds. Advances only when an event runs or runUntil() ends. */
  now = 0;
  /** Events run so far (cancelled events are not counted). */
  eventCount = 0;

  #heapTime = new Float64Array(INITIAL_CAPACITY);
  #heapSeq = new Float64Array(INITIAL_CAPACITY);
  #heapSlot = new Int32Array(INITIAL_CAPACITY);
  #size = 0;

  #slotFn: (EventFn<unknown> | null)[] = new Array<EventFn<unknown> | null>(INITIAL_CAPACITY).fill(null);
  #slotArg: unknown[] = new Array<unknown>(INITIAL_CAPACITY).fill(undefined);
  #slotGeneration = new Uint32Array(INITIAL_CAPACITY);
  #freeSlots = new Int32Array(INITIAL_CAPACITY);
  #freeCount = 0;
  #slotsUsed = 0;

  #sequence = 0;
  #cancelledInHeap = 0;
  #stopRequested = false;

  /** Events waiting to run (excluding cancelled ones). */
  get pending(): number {
    return this.#size - this.#cancelledInHeap;
  }

  /** Time of the earliest pending event, or Infinity when idle. */
  peekNs(): number {
    this.#dropCancelledTop();
    return this.#size > 0 ? (this.#heapTime[0] as number) : Infinity;
  }

  /**
   * Runs fn(arg) at absolute time atNs (>= now). Returns a handle for cancel(). Events at equal
   * times run in the order they were scheduled.
   */
  schedule<T>(atNs: number, fn: EventFn<T>, arg: T): number;
  schedule(atNs: number, fn: () => void): number;
  schedule(atNs: number, fn: EventFn<unknown>, arg?: unknown): number {
    assertTime(atNs, this.now);
    const slot = this.#allocateSlot();
    this.#slotFn[slot] = fn;
    this.#slotArg[slot] = arg;
    this.#push(atNs, this.#sequence++, slot);
    return (this.#slotGeneration[slot] as number) * SLOT_LIMIT + slot;
  }

  /** Runs fn(arg) delayNs from now. */
  scheduleIn<T>(delayNs: number, fn: EventFn<T>, arg: T): number;
  scheduleIn(delayNs: number, fn: () => void): number;
  scheduleIn(delayNs: number, fn: EventFn<unknown>, arg?: unknown): number {
    return this.schedule(this.now + delayNs, fn, arg);
  }

  /** Cancels a pending event. Returns false if it already ran or was cancelled. O(1). */
  cancel(handle: number): boolean {
    const slot = handle % SLOT_LIMIT;
    const generation = (handle - slot) / SLOT_LIMIT;
    if (slot >= this.#slotsUsed || this.#slotGeneration[slot] !== generation) return false;
    if (this.#slotFn[slot] === null) return false;
    this.#slotFn[slot] = null;
    this.#slotArg[slot] = undefined;
    // Bump the generation now so the handle is dead even before the heap entry is popped.
    this.#slotGeneration[slot] = (generation + 1) % GENERATION_LIMIT;
    this.#cancelledInHeap++;
    if (this.#cancelledInHeap >= COMPACT_MIN_CANCELLED && this.#cancelledInHeap * 2 > this.#size) {
      this.#compact();
    }
    return true;
  }

  /** Runs the next event. Returns false when none is pending. */
  step(): boolean {
    while (this.#size > 0) {
      const time = this.#heapTime[0] as number;
      const slot = this.#heapSlot[0] as number;
      this.#popTop();
      const fn = this.#slotFn[slot] as EventFn<unknown> | null;
      const arg = this.#slotArg[slot];
      if (fn === null) {
        this.#cancelledInHeap--;
        this.#releaseSlot(slot, false);
        continue;
      }
      this.#releaseSlot(slot, true);
      this.now = time;
      this.eventCount++;
      fn(arg);
      return true;
    }
    return false;
  }

  /**
   * Runs every event due at or before tNs, then sets now = tNs (if later). Returns the number of
   * events run. Stops early, leaving now at the last event's time, if stop() is called.
   */
  runUntil(tNs: number): number {
    const start = this.eventCount;
    this.#stopRequested = false;
    while (!this.#stopRequested) {
      this.#dropCancelledTop();
      if (this.#size === 0 || (this.#heapTime[0] as number) > tNs) {
        if (tNs > this.now && tNs !== Infinity) this.now = tNs;
        break;
      }
      this.step();
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

  #allocateSlot(): number {
    if (this.#freeCount > 0) return this.#freeSlots[--this.#freeCount] as number;
    if (this.#slotsUsed === this.#slotFn.length) this.#growSlots();
    return this.#slotsUsed++;
  }

  #releaseSlot(slot: number, bumpGeneration: boolean): void {
    this.#slotFn[slot] = null;
    this.#slotArg[slot] = undefined;
    if (bumpGeneration) {
      this.#slotGeneration[slot] = ((this.#slotGeneration[slot] as number) + 1) % GENERATION_LIMIT;
    }
    this.#freeSlots[this.#freeCount++] = slot;
  }

  #growSlots(): void {
    const capacity = this.#slotFn.length * 2;
    if (capacity > SLOT_LIMIT) throw new RangeError(`more than ${SLOT_LIMIT} pending events`);
    const generation = new Uint32Array(capacity);
    generation.set(this.#slotGeneration);
    this.#slotGeneration = generation;
    const free = new Int32Array(capacity);
    free.set(this.#freeSlots);
    this.#freeSlots = free;
    for (let i = this.#slotFn.length; i < capacity; i++) {
      this.#slotFn.push(null);
      this.#slotArg.push(undefined);
    }
  }

  #growHeap(): void {
    const capacity = this.#heapTime.length * 2;
    const time = new Float64Array(capacity);
    time.set(this.#heapTime);
    const seq = new Float64Array(capacity);
    seq.set(this.#heapSeq);
    const slot = new Int32Array(capacity);
    slot.set(this.#heapSlot);
    this.#heapTime = time;
    this.#heapSeq = seq;
    this.#heapSlot = slot;
  }

  #push(time: number, seq: number, slot: number): void {
    if (this.#size === this.#heapTime.length) this.#growHeap();
    const times = this.#heapTime;
    const seqs = this.#heapSeq;
    const slots = this.#heapSlot;
    let index = this.#size++;
    // Sift up: move parents down until the new entry's (time, seq) is not smaller.
    while (index > 0) {
      const parent = (index - 1) >> 1;
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

  #popTop(): void {
    const last = --this.#size;
    if (last === 0) return;
    const times = this.#heapTime;
    const seqs = this.#heapSeq;
    const slots = this.#heapSlot;
    const time = times[last] as number;
    const seq = seqs[last] as number;
    const slot = slots[last] as number;
    this.#siftDown(0, time, seq, slot, last);
  }

  /** Places (time, seq, slot) at or below index in a heap of `size` entries. */
  #siftDown(start: number, time: number, seq: number, slot: number, size: number): void {
    const times = this.#heapTime;
    const seqs = this.#heapSeq;
    const slots = this.#heapSlot;
    let index = start;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= size) break;
      let childTime = times[child] as number;
      let childSeq = seqs[child] as number;
      const right = child + 1;
      if (right < size) {
        const rightTime = times[right] as number;
        const rightSeq = seqs[right] as number;
        if (rightTime < childTime || (rightTime === childTime && rightSeq < childSeq)) {
          child = right;
          childTime = rightTime;
          childSeq = rightSeq;
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

  #dropCancelledTop(): void {
    while (this.#size > 0 && this.#slotFn[this.#heapSlot[0] as number] === null) {
      const slot = this.#heapSlot[0] as number;
      this.#popTop();
      this.#cancelledInHeap--;
      this.#releaseSlot(slot, false);
    }
  }

  /** Removes cancelled entries and re-heapifies (Floyd). The (time, seq) order is total, so the
   *  order events run in is the same as without compaction. */
  #compact(): void {
    const times = this.#heapTime;
    const seqs = this.#heapSeq;
    const slots = this.#heapSlot;
    let kept = 0;
    for (let i = 0; i < this.#size; i++) {
      const slot = slots[i] as number;
      if (this.#slotFn[slot] === null) {
        this.#releaseSlot(slot, false);
        continue;
      }
      times[kept] = times[i] as number;
      seqs[kept] = seqs[i] as number;
      slots[kept] = slot;
      kept++;
    }
    this.#size = kept;
    this.#cancelledInHeap = 0;
    for (let i = (kept >> 1) - 1; i >= 0; i--) {
      this.#siftDown(i, times[i] as number, seqs[i] as number, slots[i] as number, kept);
    }
  }
}
