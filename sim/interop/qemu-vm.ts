// A real Linux peer: one QEMU VM (Debian cloud kernel + busybox initramfs from images/vm/build.sh)
// driven through the serial command channel of images/vm/agent.sh. boot() resolves once the
// agent is listening; exec() runs a shell script in the guest and returns its output and status;
// stop() always leaves no QEMU process behind.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { envAccelRequest, KVM_PROBE_TIMEOUT_MS, planAccel, recordKvmVerdict, type AccelRequest } from './accel.js';
import { CONSOLE_FD, qemuArgs, type Accel, type PortForward } from './qemu-args.js';
import { pickForwardPorts } from './free-port.js';
import { forEachLine, LinuxVm } from './linux-vm.js';
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

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

export class QemuVm extends LinuxVm {
  readonly #child: ChildProcess;
  readonly #stdin: Writable;
  #kvmFailed: (() => void) | undefined;

  private constructor(image: VmImage, accel: Accel, options: VmOptions) {
    super('qemu-vm', image, accel, options.forwards ?? [], options.log);
    const args = qemuArgs({
      image,
      accel,
      memoryMiB: options.memoryMiB ?? DEFAULTS.memoryMiB,
      cpus: options.cpus ?? DEFAULTS.cpus,
      forwards: this.forwards,
      watchdogSec: options.watchdogSec ?? DEFAULTS.watchdogSec,
    });
    this.log(`qemu-vm: ${QEMU_BINARY} ${args.join(' ')}`);
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
    this.#child.once('exit', (code, signal) => {
      liveProcesses.delete(this.#child);
      this.ended(signal === null ? `exit code ${String(code)}` : `signal ${signal}`);
    });
    this.#child.once('error', (error) => {
      liveProcesses.delete(this.#child);
      this.ended(`spawn failed: ${error.message}`);
    });
    // A write after QEMU died reports EPIPE here; the exit handler has already failed the callers.
    stdin.on('error', () => {});
    stdout.on('data', (chunk: Buffer) => this.channelData(chunk));
    forEachLine(stderr, (line) => this.consoleLine(line));
    forEachLine(console, (line) => this.consoleLine(line));
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
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      vm.agentReady.then(() => 'ready' as const),
      vm.exited.then(() => 'exited' as const),
      new Promise<'kvm'>((resolve) => {
        vm.#kvmFailed = (): void => resolve('kvm');
      }),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    vm.#kvmFailed = undefined;
    if (outcome === 'ready') {
      vm.bootMs = Date.now() - startedMs;
      vm.log(`qemu-vm: ready in ${vm.bootMs} ms (accel ${accel})`);
      vm.startPing(options.watchdogSec ?? DEFAULTS.watchdogSec);
      return vm;
    }
    await vm.#kill();
    const reason =
      outcome === 'timeout'
        ? `no READY from the guest agent within ${timeoutMs} ms`
        : outcome === 'kvm'
          ? 'KVM failed to run the guest'
          : `QEMU ended before the guest was ready (${vm.endedBecause ?? 'unknown'})`;
    throw new Error(`interop VM boot failed (accel ${accel}): ${reason}\n--- console tail ---\n${vm.consoleTail(40)}`);
  }

  /** Powers the guest off; kills QEMU if it has not ended in time. Safe to call twice. */
  async stop(): Promise<void> {
    this.stopPing();
    if (!this.running) return;
    this.powerOff();
    if (await this.exitedWithin(POWEROFF_WAIT_MS)) return;
    this.log('qemu-vm: guest did not power off in time; terminating QEMU');
    await this.#kill();
  }

  protected sendLine(line: string): void {
    if (this.#stdin.writable) this.#stdin.write(line);
  }

  protected override consoleLine(line: string): void {
    super.consoleLine(line);
    if (this.accel === 'kvm' && KVM_FAILURE.test(line)) this.#kvmFailed?.();
  }

  async #kill(): Promise<void> {
    if (!this.running) return;
    this.#child.kill('SIGTERM');
    if (await this.exitedWithin(TERM_WAIT_MS)) return;
    this.#child.kill('SIGKILL');
    await this.exited;
  }
}
