// Restartable one-shot timers for protocol code that re-arms constantly (TCP's retransmission
// timer moves on every ACK). Moving a deadline later costs nothing: the pending scheduler event
// fires, sees the later deadline and re-schedules itself. Only moving it earlier schedules a new
// event. So at most one live event exists per timer, and an ACK costs no scheduler work.
// One owner's timers live together: their times and event handles in one array of unboxed doubles,
// their callbacks in a table shared by every owner of the kind (a fleet has hundreds of
// connections with six timers each; an object, a closure and three boxed doubles per timer were
// about a kilobyte per connection).
import type { Scheduler } from '../core/index.js';

/** Per timer in LazyTimers' array: the deadline (Infinity: disarmed), the pending event's time (Infinity: none), its handle (-1). */
const DEADLINE = 0;
const EVENT_AT = 1;
const HANDLE = 2;
const STRIDE = 3;

/** The callbacks of a kind of owner's timers, by index; made once per kind and shared. */
export class TimerKinds<T> {
  readonly callbacks: readonly ((owner: T) => void)[];
  /** Per timer, the scheduler event that runs it (shared, so arming allocates nothing). */
  readonly fires: readonly ((timers: LazyTimers<T>) => void)[];

  constructor(callbacks: readonly ((owner: T) => void)[]) {
    this.callbacks = callbacks;
    this.fires = callbacks.map((_, index) => (timers: LazyTimers<T>) => timers.fire(index));
  }
}

export class LazyTimers<T> {
  readonly #slots: number[] = [];
  readonly #scheduler: Scheduler;
  readonly #kinds: TimerKinds<T>;
  readonly #owner: T;

  constructor(scheduler: Scheduler, kinds: TimerKinds<T>, owner: T) {
    this.#scheduler = scheduler;
    this.#kinds = kinds;
    this.#owner = owner;
    // Pushing doubles from the start keeps the array's elements unboxed doubles.
    for (let i = 0; i < kinds.callbacks.length; i++) this.#slots.push(Infinity, Infinity, -1);
  }

  armed(timer: number): boolean {
    return (this.#slots[timer * STRIDE + DEADLINE] as number) !== Infinity;
  }

  /** When the timer should fire, or Infinity when disarmed. */
  deadlineNs(timer: number): number {
    return this.#slots[timer * STRIDE + DEADLINE] as number;
  }

  /** Arms (or re-arms) the timer for absolute time atNs. */
  set(timer: number, atNs: number): void {
    const slots = this.#slots;
    const base = timer * STRIDE;
    const at = Math.ceil(atNs);
    slots[base + DEADLINE] = at;
    if (at < (slots[base + EVENT_AT] as number)) {
      const handle = slots[base + HANDLE] as number;
      if (handle >= 0) this.#scheduler.cancel(handle);
      slots[base + HANDLE] = this.#scheduler.schedule(at, this.#kinds.fires[timer] as (timers: LazyTimers<T>) => void, this);
      slots[base + EVENT_AT] = at;
    }
  }

  /** Disarms the timer. The pending event, if any, fires later and does nothing. */
  clear(timer: number): void {
    this.#slots[timer * STRIDE + DEADLINE] = Infinity;
  }

  /** Disarms every timer. */
  clearAll(): void {
    const slots = this.#slots;
    for (let base = 0; base < slots.length; base += STRIDE) slots[base + DEADLINE] = Infinity;
  }

  /** The timer's scheduler event (through TimerKinds.fires). */
  fire(timer: number): void {
    const slots = this.#slots;
    const base = timer * STRIDE;
    slots[base + HANDLE] = -1;
    slots[base + EVENT_AT] = Infinity;
    const deadline = slots[base + DEADLINE] as number;
    if (deadline === Infinity) return;
    const scheduler = this.#scheduler;
    if (scheduler.now < deadline) {
      slots[base + HANDLE] = scheduler.schedule(deadline, this.#kinds.fires[timer] as (timers: LazyTimers<T>) => void, this);
      slots[base + EVENT_AT] = deadline;
      return;
    }
    slots[base + DEADLINE] = Infinity;
    (this.#kinds.callbacks[timer] as (owner: T) => void)(this.#owner);
  }
}
