// A queue's command slots: one before Connect (Linux queue->connect, TTAG 0xffff), then 2 x SQ size
// (nvmet_tcp_install_queue: nr_cmds = sq->size * 2), taken from a free stack. A slot's index is the
// transfer tag of its R2T, so an H2CData PDU finds its command in O(1) (nvmet_tcp_cmd_tag).
import type { CommandSink } from './command.js';
import { TargetCommand } from './command.js';

/** TTAG of the single command slot a queue has before Connect (Linux nvmet_tcp_cmd_tag: USHRT_MAX). */
export const PRE_CONNECT_TTAG = 0xffff;

export class CommandTable {
  #slots: TargetCommand[];
  #free: number[];

  constructor(sink: CommandSink) {
    this.#slots = [new TargetCommand(sink, 0, PRE_CONNECT_TTAG)];
    this.#free = [0];
  }

  /** Replaces the table with `count` slots at Connect; the Connect command finishes in its old slot. */
  install(sink: CommandSink, count: number): void {
    this.#slots = Array.from({ length: count }, (_, slot) => new TargetCommand(sink, slot, slot));
    this.#free = Array.from({ length: count }, (_, index) => count - 1 - index);
  }

  /** A free slot, or undefined when the host has more commands outstanding than the table holds. */
  take(): TargetCommand | undefined {
    const slot = this.#free.pop();
    return slot === undefined ? undefined : this.#slots[slot];
  }

  release(command: TargetCommand): void {
    // The Connect command finishes in the pre-connect slot after install() replaced the table.
    if (this.#slots[command.slot] !== command) return;
    command.state = 'free';
    command.data = undefined;
    command.buffer = undefined;
    this.#free.push(command.slot);
  }

  /** The command an H2CData's TTAG names; before Connect only the pre-connect TTAG names one. */
  forTtag(ttag: number, connected: boolean): TargetCommand | undefined {
    if (!connected) return ttag === PRE_CONNECT_TTAG ? this.#slots[0] : undefined;
    return this.#slots[ttag];
  }

  /** Forgets every command (the connection is gone); nothing can be taken afterwards. */
  clear(): void {
    for (const command of this.#slots) command.state = 'free';
    this.#free = [];
  }
}

/** True for the Connect command in the slot a queue has before Connect. */
export function isPreConnect(command: TargetCommand): boolean {
  return command.slot === 0 && command.ttag === PRE_CONNECT_TTAG;
}
