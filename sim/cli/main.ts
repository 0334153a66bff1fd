// nvmf-sim's entry point: picks the command from the table, runs it, and turns every user mistake
// into exactly one line `nvmf-sim: <message>` on stderr with exit status 2 (never a stack trace).
// Runtime failures (an I/O error, a verify mismatch) are the command's to report, with status 1.
// It imports only what every start needs; commands and the error classes of the layers below are
// imported when used, so `--help` and `--version` start fast.
import { UsageError } from './args.js';
import { EXIT_FAILURE, EXIT_USAGE, type CliIo } from './command.js';
import { COMMANDS, findCommand } from './commands.js';
import { commandHelp, mainHelp } from './help.js';
import { version } from './version.js';

/** Socket error codes that mean the user pointed us at the wrong place. */
const USER_NET_ERRORS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this machine',
  EACCES: 'permission denied',
  ECONNREFUSED: 'connection refused',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'address not found',
  ETIMEDOUT: 'connection timed out',
};

interface ErrnoLike {
  code?: unknown;
  address?: unknown;
  port?: unknown;
  syscall?: unknown;
}

/**
 * The one-line message for an error caused by user input, or undefined for an internal failure.
 * The error classes are imported here, not at the top: a command that threw one has loaded its
 * module already, so this costs nothing then, and a start that throws none never loads them.
 */
export async function userErrorMessage(error: unknown): Promise<string | undefined> {
  if (error instanceof UsageError) return error.message;
  const [{ UnitError }, { ConnectOptionsError }, { ConfigError }, { JobError }] = await Promise.all([
    import('../core/index.js'),
    import('../host/index.js'),
    import('../target/index.js'),
    import('../workload/index.js'),
  ]);
  if (error instanceof UnitError || error instanceof JobError) return error.message;
  if (error instanceof ConfigError || error instanceof ConnectOptionsError) return error.message;
  if (error instanceof Error) {
    const errno = error as Error & ErrnoLike;
    const code = typeof errno.code === 'string' ? errno.code : '';
    const meaning = USER_NET_ERRORS[code];
    if (meaning !== undefined) {
      const where =
        typeof errno.address === 'string' ? ` (${errno.address}${typeof errno.port === 'number' ? `:${errno.port}` : ''})` : '';
      return `${meaning}${where}`;
    }
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return error.message;
    // The host reports a failed TCP connect as a TransportError of kind 'connect'.
    const kind = (error as Error & { kind?: unknown }).kind;
    if (error.name === 'TransportError' && (kind === 'connect' || kind === 'timeout')) return error.message;
  }
  return undefined;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** Runs the CLI with `argv` (without node and the script); returns the exit status. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const [first, ...rest] = argv;
    if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
      const topic = first === 'help' ? rest[0] : undefined;
      if (topic !== undefined) {
        const entry = findCommand(topic);
        if (entry === undefined) throw new UsageError(`unknown command '${topic}' (see nvmf-sim --help)`);
        io.out(commandHelp(entry, await entry.load()));
      } else {
        io.out(mainHelp(COMMANDS));
      }
      return first === undefined ? EXIT_USAGE : 0;
    }
    if (first === '--version' || first === '-V') {
      io.out(`nvmf-sim ${version()}\n`);
      return 0;
    }
    const entry = findCommand(first);
    if (entry === undefined) {
      if (first.startsWith('-')) throw new UsageError(`unknown option '${first}' (see nvmf-sim --help)`);
      throw new UsageError(`unknown command '${first}' (see nvmf-sim --help)`);
    }
    const command = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(commandHelp(entry, command));
      return 0;
    }
    return await command.run(rest, io);
  } catch (error) {
    const message = await userErrorMessage(error);
    if (message !== undefined) {
      io.err(`nvmf-sim: ${oneLine(message)}\n`);
      return EXIT_USAGE;
    }
    // An internal failure: still one line by default; NVMF_SIM_DEBUG=1 shows the stack.
    const detail = error instanceof Error ? error.message : String(error);
    io.err(`nvmf-sim: internal error: ${oneLine(detail)}\n`);
    if (process.env.NVMF_SIM_DEBUG === '1' && error instanceof Error && error.stack !== undefined) io.err(`${error.stack}\n`);
    return EXIT_FAILURE;
  }
}

/** The process-backed CliIo. */
export function processIo(): CliIo {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    errIsTty: process.stderr.isTTY === true,
    untilSignal: () =>
      new Promise((resolve) => {
        const onSignal = (signal: string): void => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          resolve(signal);
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
      }),
    onHangup: (listener) => {
      process.on('SIGHUP', listener);
      return () => void process.off('SIGHUP', listener);
    },
  };
}
