// What both runtimes of the interop VM share once QEMU runs it: the guest agent's command channel
// (framing in vm-channel.ts, jobs in guest-jobs.ts), the console lines kept for failure messages,
// the watchdog pings, and the VM's end failing every job still waiting. A runtime (qemu-vm.ts,
// docker-vm.ts) only starts and stops QEMU and carries the channel's bytes: QEMU's stdio, or a
// TCP socket to QEMU inside the container.
import type { Readable } from 'node:stream';
import { forwardedHostPort } from './free-port.js';
import { GuestJobs, type ExecOptions, type ExecResult } from './guest-jobs.js';
import type { LinuxPeer } from './linux-peer.js';
import type { Accel, PortForward } from './qemu-args.js';
import { ChannelParser, PING_LINE } from './vm-channel.js';
import type { VmImage } from './vm-image.js';

const CONSOLE_LINES_KEPT = 400;
/** What powers the guest off: it ends QEMU (ACPI S5), so its own reply never comes. */
const POWEROFF_COMMAND = 'sync; poweroff -f';

/** Calls `onLine` for each complete line of a text stream (and the last one, unterminated). */
export function forEachLine(stream: Readable, onLine: (line: string) => void): void {
  let partial = '';
  stream.on('error', () => {});
  stream.on('data', (chunk: Buffer | string) => {
    partial += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line.replace(/\r$/, ''));
  });
  stream.on('end', () => {
    if (partial !== '') onLine(partial.replace(/\r$/, ''));
    partial = '';
  });
}

export abstract class LinuxVm implements LinuxPeer {
  readonly image: VmImage;
  readonly accel: Accel;
  readonly forwards: readonly PortForward[];
  bootMs = 0;

  protected readonly log: (line: string) => void;
  readonly #name: string;
  readonly #jobs: GuestJobs;
  readonly #parser: ChannelParser;
  readonly #console: string[] = [];
  readonly #exited: Promise<void>;
  readonly #agentReady: Promise<void>;
  #markExited: () => void = () => {};
  #markReady: () => void = () => {};
  #endedBecause: string | undefined;
  #ping: NodeJS.Timeout | undefined;

  /** `name` prefixes this runtime's own log lines ('qemu-vm', 'docker-vm'). */
  protected constructor(name: string, image: VmImage, accel: Accel, forwards: readonly PortForward[], log: ((line: string) => void) | undefined) {
    this.#name = name;
    this.image = image;
    this.accel = accel;
    this.forwards = [...forwards];
    this.log = log ?? ((): void => {});
    this.#exited = new Promise((resolve) => {
      this.#markExited = resolve;
    });
    this.#agentReady = new Promise((resolve) => {
      this.#markReady = resolve;
    });
    this.#jobs = new GuestJobs({
      write: (line) => {
        if (this.#endedBecause === undefined) this.sendLine(line);
      },
      endedBecause: () => this.#endedBecause,
      consoleTail: (lines) => this.consoleTail(lines),
    });
    this.#parser = new ChannelParser({
      ready: () => this.#markReady(),
      result: (result) => this.#jobs.settle(result),
      noise: (line) => this.log(`${name}: channel noise: ${line}`),
    });
  }

  hostPort(guestPort: number): number {
    return forwardedHostPort(this.forwards, guestPort);
  }

  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return this.#jobs.exec(command, options);
  }

  execOk(command: string, options: ExecOptions = {}): Promise<string> {
    return this.#jobs.execOk(command, options);
  }

  async dmesg(): Promise<string> {
    return this.execOk('dmesg');
  }

  consoleTail(lines = 50): string {
    return this.#console.slice(-lines).join('\n');
  }

  get running(): boolean {
    return this.#endedBecause === undefined;
  }

  abstract stop(): Promise<void>;

  /** Writes one line to the agent over this runtime's channel transport (only while the VM runs). */
  protected abstract sendLine(line: string): void;

  /** Bytes the agent sent over the channel. */
  protected channelData(chunk: Buffer): void {
    this.#parser.push(chunk);
  }

  /** The channel transport closed: no job still waiting can get its reply. */
  protected channelClosed(): void {
    this.#jobs.failAll('the command channel closed');
  }

  /** One line of the kernel console or of QEMU's (or the container's) own messages. */
  protected consoleLine(line: string): void {
    this.#console.push(line);
    if (this.#console.length > CONSOLE_LINES_KEPT) this.#console.shift();
    this.log(line);
  }

  /** QEMU (or its container) ended; the first description given is kept. */
  protected ended(description: string): void {
    if (this.#endedBecause !== undefined) return;
    this.#endedBecause = description;
    this.log(`${this.#name}: ended (${description})`);
    this.stopPing();
    this.#jobs.failAll(`the VM ended (${description})`);
    this.#markExited();
  }

  /** Why the VM ended, or undefined while it runs. */
  protected get endedBecause(): string | undefined {
    return this.#endedBecause;
  }

  /** Resolves when the VM has ended. */
  protected get exited(): Promise<void> {
    return this.#exited;
  }

  /** Resolves when the agent has said @@READY on the channel (once per boot). */
  protected get agentReady(): Promise<void> {
    return this.#agentReady;
  }

  /** True if the VM ends within `ms`. */
  protected async exitedWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    const done = await Promise.race([this.#exited.then(() => true as const), timeout]);
    clearTimeout(timer);
    return done;
  }

  /** Asks the guest to power off; its reply never comes, since the poweroff ends QEMU. */
  protected powerOff(): void {
    this.stopPing();
    this.#jobs.fire(POWEROFF_COMMAND);
  }

  /** Keeps the guest's watchdog (images/vm/agent.sh) from powering it off while the host lives. */
  protected startPing(watchdogSec: number): void {
    if (watchdogSec <= 0) return;
    // Three pings per watchdog period: one late ping must not power the guest off.
    this.#ping = setInterval(() => {
      if (this.#endedBecause === undefined) this.sendLine(PING_LINE);
    }, Math.max(1000, (watchdogSec * 1000) / 3));
    this.#ping.unref();
  }

  protected stopPing(): void {
    if (this.#ping !== undefined) clearInterval(this.#ping);
    this.#ping = undefined;
  }
}
