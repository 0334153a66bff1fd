// Commands in flight to the guest agent over the VM's command channel (vm-channel.ts), shared by
// both ways of running the interop VM: directly (qemu-vm.ts) and inside a container
// (docker-vm.ts). Each job has an id, a timeout after which it is killed in the guest, and settles
// with the exit status, stdout and stderr the agent reports; when the VM or channel ends, every job
// still waiting fails.
import { type ChannelResult, encodeKill, encodeRun } from './vm-channel.js';

export interface ExecOptions {
  /** Default 60 s. On timeout the job's process group is killed in the guest. */
  timeoutMs?: number;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A command exited non-zero (execOk) or did not finish in time (exec). */
export class VmExecError extends Error {
  readonly command: string;
  readonly result: ExecResult | undefined;
  constructor(message: string, command: string, result?: ExecResult) {
    super(message);
    this.name = 'VmExecError';
    this.command = command;
    this.result = result;
  }
}

const DEFAULT_EXEC_TIMEOUT_MS = 60_000;

interface Pending {
  command: string;
  resolve: (result: ExecResult) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** How the jobs reach the channel, and why it can no longer be used (undefined while it can). */
export interface GuestLink {
  write(line: string): void;
  endedBecause(): string | undefined;
  /** Recent console lines, attached to failures. */
  consoleTail(lines: number): string;
}

export class GuestJobs {
  readonly #link: GuestLink;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  constructor(link: GuestLink) {
    this.#link = link;
  }

  /**
   * Runs `command` with sh in the guest and resolves with its status, whatever it is. Rejects
   * (VmExecError) only if it outlives timeoutMs or the VM ends first.
   */
  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const ended = this.#link.endedBecause();
    if (ended !== undefined) return Promise.reject(new VmExecError(`cannot run '${command}': the VM ended (${ended})`, command));
    const id = this.#nextId++;
    const timeoutMs = options.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
    return new Promise<ExecResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        this.#link.write(encodeKill(id));
        reject(new VmExecError(`'${command}' did not finish within ${timeoutMs} ms (killed in the guest)`, command));
      }, timeoutMs);
      this.#pending.set(id, { command, resolve, reject, timer });
      this.#link.write(encodeRun(id, command));
    });
  }

  /** Like exec, but rejects with stdout and stderr when the status is not 0; resolves with stdout. */
  async execOk(command: string, options: ExecOptions = {}): Promise<string> {
    const result = await this.exec(command, options);
    if (result.exitCode !== 0) {
      throw new VmExecError(
        `'${command}' exited with ${result.exitCode}\n--- stdout ---\n${result.stdout}--- stderr ---\n${result.stderr}`,
        command,
        result,
      );
    }
    return result.stdout;
  }

  /** Sends a command whose reply nobody waits for (the poweroff that ends the VM). */
  fire(command: string): void {
    this.#link.write(encodeRun(this.#nextId++, command));
  }

  /** The agent's reply to a job. */
  settle(result: ChannelResult): void {
    const pending = this.#pending.get(result.id);
    if (pending === undefined) return; // Timed out earlier, or a fire() job.
    this.#pending.delete(result.id);
    clearTimeout(pending.timer);
    pending.resolve({ exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr });
  }

  /** The channel ended: every job still waiting fails with the reason and the console tail. */
  failAll(reason: string): void {
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      this.#pending.delete(id);
      pending.reject(new VmExecError(`'${pending.command}' failed: ${reason}\n--- console tail ---\n${this.#link.consoleTail(20)}`, pending.command));
    }
  }
}
