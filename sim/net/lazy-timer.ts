// Restartable one-shot timers for protocol code that re-arms constantly (TCP's retransmission
// timer moves on every ACK). Moving a deadline later costs nothing: the pending scheduler event
// fires, sees the later deadline and re-schedules itself. Only moving it earlier schedules a new
// event. So at most one live event exists per timer, and an ACK costs no scheduler work.
// An owner keeps its timers' times and event handles in one array of unboxed doubles
// (createTimerSlots); what to run is in a LazyTimers table made once per kind of owner and shared.
// A fleet has hundreds of connections with six timers each: an object, a closure and three boxed
// doubles per timer were about a kilobyte per connection, and one more object to visit per ACK.
import type { Scheduler } from '../core/index.js';

/** Per timer in the slots: the deadline (Infinity: disarmed), the pending event's time (Infinity: none), its handle (-1). */
const DEADLINE = 0;
const EVENT_AT = 1;
const HANDLE = 2;
const STRIDE = 3;

/** Slots for `count` timers, all disarmed. */
export function createTimerSlots(count: number): number[] {
  const slots: number[] = [];
  // Pushing doubles from the start keeps the array's elements unboxed doubles.
  for (let i = 0; i < count; i++) slots.push(Infinity, Infinity, -1);
  return slots;
}

/** Whether the timer is armed. */
export function timerArmed(slots: readonly number[], timer: number): boolean {
  return (slots[timer * STRIDE + DEADLINE] as number) !== Infinity;
}

/** When the timer should fire, or Infinity when disarmed. */
export function timerDeadlineNs(slots: readonly number[], timer: number): number {
  return slots[timer * STRIDE + DEADLINE] as number;
}

/** Disarms the timer. The pending event, if any, fires later and does nothing. */
export function clearTimer(slots: number[], timer: number): void {
  slots[timer * STRIDE + DEADLINE] = Infinity;
}

/** Disarms every timer. */
export function clearTimers(slots: number[]): void {
  for (let base = 0; base < slots.length; base += STRIDE) slots[base + DEADLINE] = Infinity;
}

/** The timers of a kind of owner T: their callbacks, by index, and how to find an owner's slots. */
export class LazyTimers<T> {
  readonly #callbacks: readonly ((owner: T) => void)[];
  readonly #slotsOf: (owner: T) => number[];
  readonly #schedulerOf: (owner: T) => Scheduler;
  /** Per timer, the scheduler event that runs it (shared, so arming allocates nothing). */
  readonly #fires: readonly ((owner: T) => void)[];

  constructor(callbacks: readonly ((owner: T) => void)[], slotsOf: (owner: T) => number[], schedulerOf: (owner: T) => Scheduler) {
    this.#callbacks = callbacks;
    this.#slotsOf = slotsOf;
    this.#schedulerOf = schedulerOf;
    this.#fires = callbacks.map((_, index) => (owner: T) => this.#fire(owner, index));
  }

  /** Arms (or re-arms) the owner's timer for absolute time atNs. */
  set(scheduler: Scheduler, owner: T, slots: number[], timer: number, atNs: number): void {
    const base = timer * STRIDE;
    const at = Math.ceil(atNs);
    slots[base + DEADLINE] = at;
    if (at < (slots[base + EVENT_AT] as number)) {
      const handle = slots[base + HANDLE] as number;
      if (handle >= 0) scheduler.cancel(handle);
      slots[base + HANDLE] = scheduler.schedule(at, this.#fires[timer] as (owner: T) => void, owner);
      slots[base + EVENT_AT] = at;
    }
  }

  #fire(owner: T, timer: number): void {
    const slots = this.#slotsOf(owner);
    const base = timer * STRIDE;
    slots[base + HANDLE] = -1;
    slots[base + EVENT_AT] = Infinity;
    const deadline = slots[base + DEADLINE] as number;
    if (deadline === Infinity) return;
    const scheduler = this.#schedulerOf(owner);
    if (scheduler.now < deadline) {
      slots[base + HANDLE] = scheduler.schedule(deadline, this.#fires[timer] as (owner: T) => void, owner);
      slots[base + EVENT_AT] = deadline;
      return;
    }
    slots[base + DEADLINE] = Infinity;
    (this.#callbacks[timer] as (owner: T) => void)(owner);
  }
}
