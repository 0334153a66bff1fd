// The controller's keep-alive timer, as Linux nvmet runs it (drivers/nvme/target/core.c
// nvmet_keep_alive_timer / nvmet_start_keep_alive_timer, admin-cmd.c nvmet_execute_keep_alive).
// It is traffic based: every command the controller receives sets a flag (nvmet_req_init sets
// ctrl->reset_tbkas), and when the timer fires with the flag set it clears it and waits another
// KATO. Only a full KATO period without any command, then the timer firing, expires the controller.
// A Keep Alive command (or CC.EN 0->1) restarts the period from now. KATO 0 disables the timer.
import type { Clock, Timer } from '../core/index.js';
import { NS_PER_S } from '../core/index.js';

export class KeepAliveTimer {
  readonly #clock: Clock;
  readonly #onExpire: () => void;
  #seconds = 0;
  #timer: Timer | undefined;
  #trafficSeen = false;
  #stopped = false;

  constructor(clock: Clock, onExpire: () => void) {
    this.#clock = clock;
    this.#onExpire = onExpire;
  }

  /** The timeout in whole seconds (Linux keeps ctrl->kato in seconds); 0 when disabled. */
  get seconds(): number {
    return this.#seconds;
  }

  /** Sets the timeout and starts a fresh period (nvmet_stop/start_keep_alive_timer). */
  start(seconds: number): void {
    this.#cancel();
    this.#seconds = seconds;
    this.#trafficSeen = false;
    this.#arm();
  }

  /** A Keep Alive command or controller enable: restart the period now (mod_delayed_work). */
  restart(): void {
    this.#cancel();
    this.#arm();
  }

  /** Any command: the next expiry check sees traffic and waits another period. */
  traffic(): void {
    this.#trafficSeen = true;
  }

  stop(): void {
    this.#stopped = true;
    this.#cancel();
  }

  #arm(): void {
    if (this.#seconds === 0 || this.#stopped) return;
    this.#timer = this.#clock.setTimer(this.#seconds * NS_PER_S, () => this.#fire());
  }

  #cancel(): void {
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  #fire(): void {
    this.#timer = undefined;
    if (this.#stopped) return;
    if (this.#trafficSeen) {
      this.#trafficSeen = false;
      this.#arm();
      return;
    }
    this.#onExpire();
  }
}
