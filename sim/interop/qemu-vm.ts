// A real Linux peer: one QEMU VM (Debian cloud kernel + busybox initramfs from images/vm/build.sh)
// driven through the serial command channel of images/vm/agent.sh. boot() resolves once the
// agent is listening; exec() runs a shell script in the guest and returns its output and status;
// stop() always leaves no QEMU process behind.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { envAccelRequest, KVM_PROBE_TIMEOUT_MS, planAccel, recordKvmVerdict, type AccelRequest } from './accel.js';
import { CONSOLE_FD, qemuArgs, type Accel, type PortForward } from './qemu-args.js';
import { forwardedHostPort, pickForwardPorts } from './free-port.js';
import { GuestJobs, type ExecOptions, type ExecResult } from './guest-jobs.js';
import { ChannelParser, PING_LINE } from './vm-channel.js';
import { QEMU_BINARY, readVmImage, type VmImage } from './vm-image.js';

export type { PortForward } from './qemu-args.js';

export interface VmOptions {
  /** TCP forwards 127.0.0.1:hostPort -> guest:guestPort; hostPort 0 picks a free port (see vm.hostPort). */
  forwards?: PortForward[];
  memoryMiB?: number;
  cpus?: number;
  buildDir?: string;
  /** How long to wait for the agent (default 180 s: TCG on a loaded 2-core host is slow). */
  bootTimeoutMs?: number;
  /** Receives the kernel console, QEMU's own messages and the harness's progress lines. */
  log?: (line: string) => void;
  /**
   * 'auto' (the default, or $NVMF_VM_ACCEL): KVM if it has been seen to boot this guest on this
   * machine (probed once, verdict cached in the build directory), else TCG. See accel.ts.
   */
  accel?: AccelRequest;
  /** Guest powers off after this many seconds without hearing from the host (default 60; 0 = never). */
  watchdogSec?: number;
}

export { type ExecOptions, type ExecResult, VmExecError } from './guest-jobs.js';

const DEFAULTS = { memoryMiB: 512, cpus: 2, bootTimeoutMs: 180_000, watchdogSec: 60 };
const CONSOLE_LINES_KEPT = 400;
const POWEROFF_WAIT_MS = 15_000;
const TERM_WAIT_MS = 3_000;
// QEMU's words when KVM opens but cannot run the guest (nested virtualisation without the
// needed instruction emulation); seen on this project's development machine.
const KVM_FAILURE = /KVM internal error|failed to initialize kvm|Could not access KVM|kvm_init/i;

// QEMU's message when a hostfwd port cannot be bound (slirp, net/slirp.c).
const HOSTFWD_FAILURE = 'host forwarding rule';
const PORT_PICK_ATTEMPTS = 3;

const liveProcesses = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills every QEMU this process started if Node exits without stopping them. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of liveProcesses) child.kill('SIGKILL');
  });
}

/** Calls `onLine` for each complete line of a text stream. */
function forEachLine(stream: Readable, onLine: (line: string) => void): void {
  let partial = '';
  stream.on('error', () => {});
  stream.on('data', (chunk: Buffer) => {
    partial += chunk.toString('utf8');
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line.replace(/\r$/, ''));
  });
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

export class QemuVm {
  readonly image: VmImage;
  readonly accel: Accel;
  readonly forwards: readonly PortForward[];
  /** Wall-clock milliseconds from spawning QEMU to the agent's READY. */
  bootMs = 0;

  readonly #child: ChildProcess;
  readonly #stdin: Writable;
  readonly #log: (line: string) => void;
  readonly #jobs = new GuestJobs({
    write: (line) => this.#write(line),
    endedBecause: () => this.#exitDescription,
    consoleTail: (lines) => this.consoleTail(lines),
  });
  readonly #console: string[] = [];
  readonly #exited: Promise<void>;
  #exitDescription: string | undefined;
  #ping: NodeJS.Timeout | undefined;
  #onReady: (() => void) | undefined;
  #onKvmFailure: (() => void) | undefined;

  private constructor(image: VmImage, accel: Accel, options: VmOptions) {
    this.image = image;
    this.accel = accel;
    this.forwards = [...(options.forwards ?? [])];
    this.#log = options.log ?? ((): void => {});
    const args = qemuArgs({
      image,
      accel,
      memoryMiB: options.memoryMiB ?? DEFAULTS.memoryMiB,
      cpus: options.cpus ?? DEFAULTS.cpus,
      forwards: this.forwards,
      watchdogSec: options.watchdogSec ?? DEFAULTS.watchdogSec,
    });
    this.#log(`qemu-vm: ${QEMU_BINARY} ${args.join(' ')}`);
    installExitHook();
    // stdin/stdout: the command channel (ttyS1); stderr: QEMU's own messages; CONSOLE_FD: ttyS0.
    const stdio = new Array<'pipe'>(CONSOLE_FD + 1).fill('pipe');
    this.#child = spawn(QEMU_BINARY, args, { stdio });
    liveProcesses.add(this.#child);
    const stdin = this.#child.stdio[0] as Writable;
    const stdout = this.#child.stdio[1] as Readable;
    const stderr = this.#child.stdio[2] as Readable;
    const console = this.#child.stdio[CONSOLE_FD] as Readable;
    this.#stdin = stdin;
    this.#exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => {
        liveProcesses.delete(this.#child);
        this.#exitDescription = signal === null ? `exit code ${String(code)}` : `signal ${signal}`;
        this.#log(`qemu-vm: QEMU ended (${this.#exitDescription})`);
        this.#stopPing();
        this.#jobs.failAll(`the VM ended (${this.#exitDescription})`);
        resolve();
      });
      this.#child.once('error', (error) => {
        this.#exitDescription = `spawn failed: ${error.message}`;
        liveProcesses.delete(this.#child);
        this.#jobs.failAll(this.#exitDescription);
        resolve();
      });
    });
    // A write after QEMU died reports EPIPE here; the exit handler has already failed the callers.
    stdin.on('error', () => {});
    const parser = new ChannelParser({
      ready: () => this.#onReady?.(),
      result: (result) => this.#jobs.settle(result),
      noise: (line) => this.#log(`qemu-vm: channel noise: ${line}`),
    });
    stdout.on('data', (chunk: Buffer) => parser.push(chunk));
    forEachLine(stderr, (line) => this.#consoleLine(line));
    forEachLine(console, (line) => this.#consoleLine(line));
  }

  /** Boots a VM and resolves when its command channel is ready. */
  static async boot(options: VmOptions = {}): Promise<QemuVm> {
    const image = readVmImage(options.buildDir);
    const plan = planAccel(options.accel ?? envAccelRequest() ?? 'auto', image.buildDir);
    if (!plan.probe) return QemuVm.#bootPickingPorts(image, plan.accel, options);
    const probeTimeoutMs = Math.min(options.bootTimeoutMs ?? DEFAULTS.bootTimeoutMs, KVM_PROBE_TIMEOUT_MS);
    try {
      const vm = await QemuVm.#bootPickingPorts(image, 'kvm', { ...options, bootTimeoutMs: probeTimeoutMs });
      recordKvmVerdict(image.buildDir, true);
      return vm;
    } catch (error) {
      recordKvmVerdict(image.buildDir, false);
      options.log?.(`qemu-vm: KVM cannot boot this guest here, using TCG from now on (${firstLine(error)})`);
      return QemuVm.#bootPickingPorts(image, 'tcg', options);
    }
  }

  /**
   * Replaces hostPort 0 with a free loopback port. Another process can take the port between
   * the check and QEMU's bind; QEMU then exits at once, and the boot is retried with new ports.
   */
  static async #bootPickingPorts(image: VmImage, accel: Accel, options: VmOptions): Promise<QemuVm> {
    const requested = options.forwards ?? [];
    const picks = requested.some((f) => f.hostPort === 0);
    for (let attempt = 1; ; attempt++) {
      const forwards = await pickForwardPorts(requested);
      try {
        return await QemuVm.#bootWith(image, accel, { ...options, forwards });
      } catch (error) {
        const portTaken = error instanceof Error && error.message.includes(HOSTFWD_FAILURE);
        if (!picks || !portTaken || attempt >= PORT_PICK_ATTEMPTS) throw error;
      }
    }
  }

  static async #bootWith(image: VmImage, accel: Accel, options: VmOptions): Promise<QemuVm> {
    const startedMs = Date.now();
    const vm = new QemuVm(image, accel, options);
    const timeoutMs = options.bootTimeoutMs ?? DEFAULTS.bootTimeoutMs;
    const outcome = await new Promise<'ready' | 'exited' | 'timeout' | 'kvm'>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), timeoutMs);
      vm.#onReady = (): void => {
        clearTimeout(timer);
        resolve('ready');
      };
      vm.#onKvmFailure = (): void => {
        clearTimeout(timer);
        resolve('kvm');
      };
      void vm.#exited.then(() => {
        clearTimeout(timer);
        resolve('exited');
      });
    });
    vm.#onReady = undefined;
    vm.#onKvmFailure = undefined;
    if (outcome === 'ready') {
      vm.bootMs = Date.now() - startedMs;
      vm.#log(`qemu-vm: ready in ${vm.bootMs} ms (accel ${accel})`);
      vm.#startPing(options.watchdogSec ?? DEFAULTS.watchdogSec);
      return vm;
    }
    await vm.#kill();
    const reason =
      outcome === 'timeout'
        ? `no READY from the guest agent within ${timeoutMs} ms`
        : outcome === 'kvm'
          ? 'KVM failed to run the guest'
          : `QEMU ended before the guest was ready (${vm.#exitDescription ?? 'unknown'})`;
    throw new Error(`interop VM boot failed (accel ${accel}): ${reason}\n--- console tail ---\n${vm.consoleTail(40)}`);
  }

  /** The host port forwarded to `guestPort` (throws if there is none). */
  hostPort(guestPort: number): number {
    return forwardedHostPort(this.forwards, guestPort);
  }

  /**
   * Runs `command` with sh in the guest and resolves with its status, whatever it is. Rejects
   * (VmExecError) only if it outlives timeoutMs or the VM ends first.
   */
  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return this.#jobs.exec(command, options);
  }

  /** Like exec, but rejects with stdout and stderr when the status is not 0; resolves with stdout. */
  execOk(command: string, options: ExecOptions = {}): Promise<string> {
    return this.#jobs.execOk(command, options);
  }

  /** The guest kernel log. */
  async dmesg(): Promise<string> {
    return this.execOk('dmesg');
  }

  /** The last `lines` lines of the kernel console and QEMU's messages. */
  consoleTail(lines = 50): string {
    return this.#console.slice(-lines).join('\n');
  }

  get running(): boolean {
    return this.#exitDescription === undefined;
  }

  /** Powers the guest off; kills QEMU if it has not ended in time. Safe to call twice. */
  async stop(): Promise<void> {
    this.#stopPing();
    if (this.#exitDescription !== undefined) return;
    // poweroff -f ends QEMU (ACPI S5), so the job's own reply never comes; do not wait for it.
    this.#jobs.fire('sync; poweroff -f');
    if (await this.#exitedWithin(POWEROFF_WAIT_MS)) return;
    this.#log('qemu-vm: guest did not power off in time; terminating QEMU');
    await this.#kill();
  }

  async #kill(): Promise<void> {
    if (this.#exitDescription !== undefined) return;
    this.#child.kill('SIGTERM');
    if (await this.#exitedWithin(TERM_WAIT_MS)) return;
    this.#child.kill('SIGKILL');
    await this.#exited;
  }

  async #exitedWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    const done = await Promise.race([this.#exited.then(() => true as const), timeout]);
    clearTimeout(timer);
    return done;
  }

  #write(line: string): void {
    if (this.#exitDescription === undefined && this.#stdin.writable) this.#stdin.write(line);
  }

  #consoleLine(line: string): void {
    this.#console.push(line);
    if (this.#console.length > CONSOLE_LINES_KEPT) this.#console.shift();
    this.#log(line);
    if (this.accel === 'kvm' && KVM_FAILURE.test(line)) this.#onKvmFailure?.();
  }

  #startPing(watchdogSec: number): void {
    if (watchdogSec <= 0) return;
    // Three pings per watchdog period: one late ping must not power the guest off.
    this.#ping = setInterval(() => this.#write(PING_LINE), Math.max(1000, (watchdogSec * 1000) / 3));
    this.#ping.unref();
  }

  #stopPing(): void {
    if (this.#ping !== undefined) clearInterval(this.#ping);
    this.#ping = undefined;
  }
}
