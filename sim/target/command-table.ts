// A queue's command slots: one before Connect (Linux queue->connect, TTAG 0xffff), then 2 x SQ size
// (nvmet_tcp_install_queue: nr_cmds = sq->size * 2), taken from a free stack. A slot's index is the
// transfer tag of its R2T, so an H2CData PDU finds its command in O(1) (nvmet_tcp_cmd_tag).
// Slots are built when first taken, not at Connect: Linux allocates all nr_cmds up front, but here
// an idle queue (most of a fleet's) would hold 64 command objects for nothing. The lowest slot
// never used is always the next to be built, so slot order, and every TTAG sent, is as before.
import type { CommandSink } from './command.js';
import { TargetCommand } from './command.js';

/** TTAG of the single command slot a queue has before Connect (Linux nvmet_tcp_cmd_tag: USHRT_MAX). */
export const PRE_CONNECT_TTAG = 0xffff;

export class CommandTable {
  #slots: TargetCommand[];
  /** Released slots, reused last-in first-out. */
  #free: number[];
  /** Slots the table may hold; those at #slots.length and above are not built yet. */
  #capacity: number;
  #sink: CommandSink;

  constructor(sink: CommandSink) {
    this.#slots = [new TargetCommand(sink, 0, PRE_CONNECT_TTAG)];
    this.#free = [0];
    this.#capacity = 1;
    this.#sink = sink;
  }

  /** Replaces the table with `count` slots at Connect; the Connect command finishes in its old slot. */
  install(sink: CommandSink, count: number): void {
    this.#slots = [];
    this.#free = [];
    this.#capacity = count;
    this.#sink = sink;
  }

  /** A free slot, or undefined when the host has more commands outstanding than the table holds. */
  take(): TargetCommand | undefined {
    const slot = this.#free.pop();
    if (slot !== undefined) return this.#slots[slot];
    const next = this.#slots.length;
    if (next >= this.#capacity) return undefined;
    const command = new TargetCommand(this.#sink, next, next);
    this.#slots.push(command);
    return command;
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
    this.#capacity = this.#slots.length;
  }
}

/** True for the Connect command in the slot a queue has before Connect. */
export function isPreConnect(command: TargetCommand): boolean {
  return command.slot === 0 && command.ttag === PRE_CONNECT_TTAG;
}
