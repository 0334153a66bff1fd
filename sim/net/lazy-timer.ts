// A restartable one-shot timer for protocol code that re-arms constantly (TCP's retransmission
// timer moves on every ACK). Moving the deadline later costs nothing: the pending scheduler event
// fires, sees the later deadline and re-schedules itself. Only moving it earlier schedules a new
// event. So at most one live event exists per timer, and an ACK costs no scheduler work.
import type { Scheduler } from '../core/index.js';

export class LazyTimer<T> {
  /** When the timer should fire, or Infinity when disarmed. */
  deadlineNs = Infinity;
  readonly #scheduler: Scheduler;
  readonly #fn: (owner: T) => void;
  readonly #owner: T;
  #handle = -1;
  #eventAtNs = Infinity;

  constructor(scheduler: Scheduler, fn: (owner: T) => void, owner: T) {
    this.#scheduler = scheduler;
    this.#fn = fn;
    this.#owner = owner;
  }

  get armed(): boolean {
    return this.deadlineNs !== Infinity;
  }

  /** Arms (or re-arms) the timer for absolute time atNs. */
  set(atNs: number): void {
    const at = Math.ceil(atNs);
    this.deadlineNs = at;
    if (at < this.#eventAtNs) {
      if (this.#handle >= 0) this.#scheduler.cancel(this.#handle);
      this.#handle = this.#scheduler.schedule(at, LazyTimer.#fire, this as LazyTimer<unknown>);
      this.#eventAtNs = at;
    }
  }

  /** Disarms the timer. The pending event, if any, fires later and does nothing. */
  clear(): void {
    this.deadlineNs = Infinity;
  }

  static #fire(timer: LazyTimer<unknown>): void {
    timer.#handle = -1;
    timer.#eventAtNs = Infinity;
    const deadline = timer.deadlineNs;
    if (deadline === Infinity) return;
    if (timer.#scheduler.now < deadline) {
      timer.#handle = timer.#scheduler.schedule(deadline, LazyTimer.#fire, timer);
      timer.#eventAtNs = deadline;
      return;
    }
    timer.deadlineNs = Infinity;
    timer.#fn(timer.#owner);
  }
}
