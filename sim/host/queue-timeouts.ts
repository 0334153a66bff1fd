// Per-command timeouts of one host queue, the blk-mq way (block/blk-mq.c blk_add_timer and
// blk_mq_timeout_work): one timer per queue, armed for the earliest deadline of the commands in
// flight; when it fires, every command past its deadline is reported once and the timer is re-armed
// for the next deadline. What to do about an expired command is the queue owner's decision
// (nvme_tcp_timeout starts error recovery).
import type { Clock, Timer } from '../core/index.js';
import type { Slot } from './queue-slot.js';

export class CommandTimeouts {
  readonly #clock: Clock;
  readonly #slots: readonly Slot[];
  /** False once the queue stops caring (failed or closed): expiry stops at once. */
  readonly #active: () => boolean;
  readonly #expired: (slot: Slot) => void;
  #timer: Timer | null = null;
  #atNs = Infinity;

  constructor(clock: Clock, slots: readonly Slot[], active: () => boolean, expired: (slot: Slot) => void) {
    this.#clock = clock;
    this.#slots = slots;
    this.#active = active;
    this.#expired = expired;
  }

  /** Sets the slot's deadline `timeoutNs` from now; the timer moves only if this one is earlier. */
  arm(slot: Slot, timeoutNs: number): void {
    const deadline = this.#clock.nowNs() + timeoutNs;
    slot.deadlineNs = deadline;
    if (deadline >= this.#atNs) return;
    if (this.#timer !== null) this.#clock.clearTimer(this.#timer);
    this.#atNs = deadline;
    this.#timer = this.#clock.setTimer(timeoutNs, this.#onTimer);
  }

  clear(): void {
    if (this.#timer !== null) this.#clock.clearTimer(this.#timer);
    this.#timer = null;
    this.#atNs = Infinity;
  }

  readonly #onTimer = (): void => {
    this.#timer = null;
    this.#atNs = Infinity;
    const now = this.#clock.nowNs();
    let next = Infinity;
    for (const slot of this.#slots) {
      // A report may make the owner fail the queue; the rest are then its to collect.
      if (!this.#active()) return;
      if (slot.command === null || slot.deadlineNs === Infinity) continue;
      if (slot.deadlineNs <= now) {
        slot.deadlineNs = Infinity;
        this.#expired(slot);
      } else if (slot.deadlineNs < next) {
        next = slot.deadlineNs;
      }
    }
    if (next !== Infinity && this.#active() && next < this.#atNs) {
      this.#atNs = next;
      this.#timer = this.#clock.setTimer(next - now, this.#onTimer);
    }
  };
}
