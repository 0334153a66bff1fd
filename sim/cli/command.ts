// What a CLI command is: a name, its options and usage text, and a run function returning the
// exit status. Commands write through CliIo rather than process.stdout so they stay testable, and
// wait for shutdown signals through it so `target` can serve until Ctrl-C.
import type { OptionSpec } from './args.js';

export interface CliIo {
  /** Writes to standard output (text is written as is; add newlines yourself). */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
  /** True when standard error is a terminal (live progress lines are redrawn in place). */
  readonly errIsTty: boolean;
  /** Resolves with the signal name at the first SIGINT or SIGTERM. */
  untilSignal(): Promise<string>;
  /**
   * Calls `listener` at each SIGHUP (the reload request daemons take) until the returned function
   * is called. Absent where there are no signals (tests); then nothing reloads.
   */
  onHangup?(listener: () => void): () => void;
}

/** A command's options and behaviour; its summary line sits in the command table (commands.ts). */
export interface Command {
  readonly name: string;
  /** Usage line(s) after "usage: nvmf-sim ", e.g. "discover -t tcp -a ADDR [-s PORT] [--json]". */
  readonly usage: string;
  readonly options: readonly OptionSpec[];
  /** Runs with argv after the command name; returns the exit status. Throw UsageError for bad input. */
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

/** Exit statuses: success, a runtime failure (I/O error, verify mismatch), a usage error. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
