// A real Linux peer in a Docker container: the nvmf-sim/linux-vm image (images/docker) runs the
// interop VM under QEMU on the host's network, so the Linux NVMe/TCP stack runs in the guest even
// where the host kernel has no nvmet modules. Same surface as QemuVm (boot, exec, execOk, dmesg,
// hostPort, consoleTail, stop), so linux-target.ts and linux-host.ts drive it unchanged through
// asQemuVm(). Containers are always removed: stop() kills and removes; they are started with
// AutoRemove, and the guest's watchdog powers QEMU off (ending the container) when this process
// dies without stopping them.
import { spawnSync } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { PassThrough, type Readable } from 'node:stream';
import Dockerode from 'dockerode';
import { readDockerVmImage, DOCKER_VM_IMAGE, RUNTIME_LABEL } from './docker-image.js';
import { dockerQemuArgs } from './docker-qemu-args.js';
import { forwardedHostPort, freeLoopbackPort, pickForwardPorts } from './free-port.js';
import type { Accel, PortForward } from './qemu-args.js';
import { GuestJobs, type ExecOptions, type ExecResult } from './guest-jobs.js';
import type { QemuVm, VmOptions } from './qemu-vm.js';
import { ChannelParser, PING_LINE } from './vm-channel.js';
import type { VmImage } from './vm-image.js';

/** QemuVm's public members (the #private ones make the class nominal, so it cannot be implemented). */
export type QemuVmSurface = { [K in keyof QemuVm]: QemuVm[K] };

export interface DockerVmOptions extends Omit<VmOptions, 'buildDir' | 'accel'> {
  /** The runtime image (default nvmf-sim/linux-vm:latest). */
  image?: string;
  /**
   * 'tcg' (default, or $NVMF_VM_ACCEL=kvm to ask for KVM): with 'kvm' the container gets /dev/kvm.
   * The QEMU runtime's KVM probe is not repeated here; ask for KVM only where it is known to work.
   */
  accel?: Accel;
  /** A Dockerode client (default: $DOCKER_HOST or /var/run/docker.sock). */
  docker?: Dockerode;
}

const DEFAULTS = { memoryMiB: 512, cpus: 2, bootTimeoutMs: 180_000, watchdogSec: 60 };
const CONSOLE_LINES_KEPT = 400;
const POWEROFF_WAIT_MS = 15_000;
const CONNECT_RETRY_MS = 100;
const PORT_PICK_ATTEMPTS = 3;
// QEMU's words when a port it must listen on is taken: slirp's hostfwd (net/slirp.c) and the
// socket chardev (util/qemu-sockets.c).
const PORT_TAKEN = /host forwarding rule|Failed to bind socket|Address already in use/i;

const liveContainers = new Set<string>();
let exitHookInstalled = false;

/**
 * Removes this process's containers if Node exits without stopping them. An exit handler cannot
 * wait for Dockerode, so it runs the docker CLI synchronously (best effort; the watchdog remains).
 */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    if (liveContainers.size === 0) return;
    spawnSync('docker', ['rm', '-f', ...liveContainers], { stdio: 'ignore', timeout: 10_000 });
  });
}

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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Dockerode errors for a container that is already gone or already stopping. */
function isGone(error: unknown): boolean {
  const status = (error as { statusCode?: number } | undefined)?.statusCode;
  return status === 404 || status === 409 || status === 304;
}

export class DockerVm implements QemuVmSurface {
  readonly image: VmImage;
  readonly accel: Accel;
  readonly forwards: readonly PortForward[];
  /** The 127.0.0.1 port of the guest agent's command channel. */
  readonly channelPort: number;
  readonly containerId: string;
  /** Wall-clock milliseconds from creating the container to the agent's READY. */
  bootMs = 0;

  readonly #container: Dockerode.Container;
  readonly #log: (line: string) => void;
  readonly #jobs = new GuestJobs({
    write: (line) => this.#write(line),
    endedBecause: () => this.#exitDescription,
    consoleTail: (lines) => this.consoleTail(lines),
  });
  readonly #console: string[] = [];
  readonly #exited: Promise<void>;
  #exitDescription: string | undefined;
  #socket: Socket | undefined;
  #attach: Readable | undefined;
  #ping: NodeJS.Timeout | undefined;
  #onReady: (() => void) | undefined;
  #removed = false;

  private constructor(container: Dockerode.Container, image: VmImage, accel: Accel, forwards: PortForward[], channelPort: number, options: DockerVmOptions) {
    this.#container = container;
    this.containerId = container.id;
    this.image = image;
    this.accel = accel;
    this.forwards = forwards;
    this.channelPort = channelPort;
    this.#log = options.log ?? ((): void => {});
    liveContainers.add(container.id);
    installExitHook();
    // 'next-exit' is asked before start: 'not-running' would answer at once for a created container.
    this.#exited = container.wait({ condition: 'next-exit' }).then(
      (result: { StatusCode?: number }) => this.#ended(`exit code ${String(result.StatusCode)}`),
      (error: unknown) => this.#ended(`wait failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  /** Starts a container and resolves when the guest's command channel is ready. */
  static async boot(options: DockerVmOptions = {}): Promise<DockerVm> {
    const docker = options.docker ?? new Dockerode();
    const imageName = options.image ?? DOCKER_VM_IMAGE;
    const image = await readDockerVmImage(docker, imageName);
    const accel: Accel = options.accel ?? (process.env.NVMF_VM_ACCEL === 'kvm' ? 'kvm' : 'tcg');
    const requested = options.forwards ?? [];
    // Ports are picked here (QEMU cannot report what it bound); another process may take one
    // before QEMU binds it, and QEMU then exits at once: retry with new ports.
    for (let attempt = 1; ; attempt++) {
      const forwards = await pickForwardPorts(requested);
      const channelPort = await freeLoopbackPort();
      try {
        return await DockerVm.#bootWith(docker, imageName, image, accel, forwards, channelPort, options);
      } catch (error) {
        const portTaken = error instanceof Error && PORT_TAKEN.test(error.message);
        if (!portTaken || attempt >= PORT_PICK_ATTEMPTS) throw error;
      }
    }
  }

  static async #bootWith(
    docker: Dockerode,
    imageName: string,
    image: VmImage,
    accel: Accel,
    forwards: PortForward[],
    channelPort: number,
    options: DockerVmOptions,
  ): Promise<DockerVm> {
    const startedMs = Date.now();
    const args = dockerQemuArgs(
      {
        image,
        accel,
        memoryMiB: options.memoryMiB ?? DEFAULTS.memoryMiB,
        cpus: options.cpus ?? DEFAULTS.cpus,
        forwards,
        watchdogSec: options.watchdogSec ?? DEFAULTS.watchdogSec,
      },
      channelPort,
    );
    options.log?.(`docker-vm: ${imageName} nvmf-vm qemu ${args.join(' ')}`);
    const container = await docker.createContainer({
      Image: imageName,
      Cmd: ['qemu', ...args],
      Labels: { [RUNTIME_LABEL]: 'docker-vm' },
      HostConfig: {
        NetworkMode: 'host',
        AutoRemove: true,
        ...(accel === 'kvm' ? { Devices: [{ PathOnHost: '/dev/kvm', PathInContainer: '/dev/kvm', CgroupPermissions: 'rwm' }] } : {}),
      },
    });
    const vm = new DockerVm(container, image, accel, forwards, channelPort, options);
    const timeoutMs = options.bootTimeoutMs ?? DEFAULTS.bootTimeoutMs;
    try {
      await vm.#attachConsole();
      await container.start();
      await vm.#connectChannel(startedMs + timeoutMs);
      await vm.#awaitReady(startedMs + timeoutMs - Date.now());
    } catch (error) {
      await vm.#kill();
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`docker VM boot failed (accel ${accel}): ${reason}\n--- console tail ---\n${vm.consoleTail(40)}`);
    }
    vm.bootMs = Date.now() - startedMs;
    vm.#log(`docker-vm: ready in ${vm.bootMs} ms (container ${container.id.slice(0, 12)}, accel ${accel})`);
    vm.#startPing(options.watchdogSec ?? DEFAULTS.watchdogSec);
    return vm;
  }

  /** Returns this runtime typed as QemuVm, for linux-target.ts and linux-host.ts (same surface). */
  asQemuVm(): QemuVm {
    return this as unknown as QemuVm;
  }

  hostPort(guestPort: number): number {
    return forwardedHostPort(this.forwards, guestPort);
  }

  /** Runs `command` with sh in the guest; rejects only on timeout or when the VM ends first. */
  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return this.#jobs.exec(command, options);
  }

  /** Like exec, but rejects with stdout and stderr when the status is not 0; resolves with stdout. */
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
    return this.#exitDescription === undefined;
  }

  /** Powers the guest off, then makes sure the container is gone. Safe to call twice. */
  async stop(): Promise<void> {
    this.#stopPing();
    if (this.#exitDescription === undefined) {
      // poweroff -f ends QEMU, and with it the container; the job's reply never comes.
      this.#jobs.fire('sync; poweroff -f');
      if (!(await this.#exitedWithin(POWEROFF_WAIT_MS))) {
        this.#log('docker-vm: guest did not power off in time; killing the container');
      }
    }
    await this.#kill();
  }

  /** Kills the container if it still runs and removes it (AutoRemove usually has already). */
  async #kill(): Promise<void> {
    this.#stopPing();
    if (this.#exitDescription === undefined) {
      await this.#container.kill().catch((error: unknown) => {
        if (!isGone(error)) throw error;
      });
      await this.#exitedWithin(POWEROFF_WAIT_MS);
    }
    if (!this.#removed) {
      await this.#container.remove({ force: true }).catch((error: unknown) => {
        if (!isGone(error)) throw error;
      });
      // AutoRemove may still be removing it (409 above): wait until it is gone (404 when it is).
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.#container.wait({ condition: 'removed' }).catch(() => {}),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, POWEROFF_WAIT_MS);
        }),
      ]);
      clearTimeout(timer);
      this.#removed = true;
      liveContainers.delete(this.containerId);
    }
    this.#socket?.destroy();
    this.#attach?.destroy();
  }

  async #attachConsole(): Promise<void> {
    // Dockerode hands back the raw HTTP connection (a Duplex); its @types only say ReadWriteStream.
    const stream = (await this.#container.attach({ stream: true, stdout: true, stderr: true })) as unknown as Readable;
    this.#attach = stream;
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    this.#container.modem.demuxStream(stream, stdout, stderr);
    stream.on('error', () => {});
    forEachLine(stdout, (line) => this.#consoleLine(line));
    forEachLine(stderr, (line) => this.#consoleLine(line));
  }

  /** QEMU listens on the channel port once it has parsed its arguments; until then, retry. */
  async #connectChannel(deadlineMs: number): Promise<void> {
    for (;;) {
      if (this.#exitDescription !== undefined) throw new Error(`QEMU ended before its channel listened (${this.#exitDescription})`);
      const socket = await new Promise<Socket | undefined>((resolve) => {
        const attempt = connect({ host: '127.0.0.1', port: this.channelPort });
        attempt.once('connect', () => resolve(attempt));
        attempt.once('error', () => {
          attempt.destroy();
          resolve(undefined);
        });
      });
      if (socket !== undefined) {
        this.#useChannel(socket);
        return;
      }
      if (Date.now() > deadlineMs) throw new Error(`QEMU's channel on 127.0.0.1:${this.channelPort} did not listen in time`);
      await sleep(CONNECT_RETRY_MS);
    }
  }

  #useChannel(socket: Socket): void {
    this.#socket = socket;
    socket.setNoDelay(true);
    const parser = new ChannelParser({
      ready: () => this.#onReady?.(),
      result: (result) => this.#jobs.settle(result),
      noise: (line) => this.#log(`docker-vm: channel noise: ${line}`),
    });
    socket.on('data', (chunk: Buffer) => parser.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => this.#jobs.failAll('the command channel closed'));
  }

  async #awaitReady(timeoutMs: number): Promise<void> {
    const outcome = await new Promise<'ready' | 'exited' | 'timeout'>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), Math.max(0, timeoutMs));
      this.#onReady = (): void => {
        clearTimeout(timer);
        resolve('ready');
      };
      void this.#exited.then(() => {
        clearTimeout(timer);
        resolve('exited');
      });
    });
    this.#onReady = undefined;
    if (outcome === 'timeout') throw new Error('no READY from the guest agent in time');
    if (outcome === 'exited') throw new Error(`QEMU ended before the guest was ready (${this.#exitDescription ?? 'unknown'})`);
  }

  #ended(description: string): void {
    this.#exitDescription = description;
    this.#log(`docker-vm: container ended (${description})`);
    this.#stopPing();
    this.#jobs.failAll(`the VM ended (${description})`);
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
    if (this.#exitDescription === undefined && this.#socket?.writable === true) this.#socket.write(line);
  }

  #consoleLine(line: string): void {
    this.#console.push(line);
    if (this.#console.length > CONSOLE_LINES_KEPT) this.#console.shift();
    this.#log(line);
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
