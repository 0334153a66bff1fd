// A real Linux peer in a Docker container: the nvmf-sim/linux-vm image (images/docker) runs the
// interop VM under QEMU on the host's network, so the Linux NVMe/TCP stack runs in the guest even
// where the host kernel has no nvmet modules. The container's life (start, the READY: wait, exec,
// stop and removal, also on a failed start or when this process ends) is docker-container.ts's,
// through testcontainers; this file adds the VM: QEMU's command line, the command channel (a TCP
// server QEMU opens on 127.0.0.1, which the host network makes the host's loopback) and the kernel
// console (the container's log).
import { connect, type Socket } from 'node:net';
import type Dockerode from 'dockerode';
import { CONTAINER_READY_LOG, DOCKER_VM_IMAGE, readDockerVmImage } from './docker-image.js';
import { removeContainerById, removeLeftovers, startContainer, stopContainer, type StartedContainer } from './docker-container.js';
import { dockerQemuArgs } from './docker-qemu-args.js';
import { freeLoopbackPort, pickForwardPorts } from './free-port.js';
import type { ExecResult } from './guest-jobs.js';
import { forEachLine, LinuxVm } from './linux-vm.js';
import type { Accel, PortForward } from './qemu-args.js';
import type { VmOptions } from './qemu-vm.js';
import type { VmImage } from './vm-image.js';

export interface DockerVmOptions extends Omit<VmOptions, 'buildDir' | 'accel'> {
  /** The runtime image (default nvmf-sim/linux-vm:latest). */
  image?: string;
  /**
   * 'tcg' (default, or $NVMF_VM_ACCEL=kvm to ask for KVM): with 'kvm' the container gets /dev/kvm.
   * The QEMU runtime's KVM probe is not repeated here; ask for KVM only where it is known to work.
   */
  accel?: Accel;
  /** A Dockerode client for the image's manifest and leftover containers (default: $DOCKER_HOST or /var/run/docker.sock). */
  docker?: Dockerode;
}

/** RUNTIME_LABEL's value on this runtime's containers. */
export const DOCKER_VM_ROLE = 'docker-vm';

const DEFAULTS = { memoryMiB: 512, cpus: 2, bootTimeoutMs: 180_000, watchdogSec: 60 };
const POWEROFF_WAIT_MS = 15_000;
const CONNECT_RETRY_MS = 100;
const PORT_PICK_ATTEMPTS = 3;
// QEMU's words when a port it must listen on is taken: slirp's hostfwd (net/slirp.c) and the
// socket chardev (util/qemu-sockets.c).
const PORT_TAKEN = /host forwarding rule|Failed to bind socket|Address already in use/i;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class DockerVm extends LinuxVm {
  /** The 127.0.0.1 port of the guest agent's command channel. */
  readonly channelPort: number;
  #containerId = '';
  #container: StartedContainer | undefined;
  #socket: Socket | undefined;

  private constructor(image: VmImage, accel: Accel, forwards: readonly PortForward[], channelPort: number, options: DockerVmOptions) {
    super('docker-vm', image, accel, forwards, options.log);
    this.channelPort = channelPort;
  }

  /** The container's id ('' until Docker has created it). */
  get containerId(): string {
    return this.#containerId;
  }

  /** Starts a container and resolves when the guest's command channel is ready. */
  static async boot(options: DockerVmOptions = {}): Promise<DockerVm> {
    // Loaded on first use: the Docker client (and the SSH stack beneath it) costs every process
    // that imports the simulator a fifth of a second otherwise.
    const docker = options.docker ?? new (await import('dockerode')).default();
    const imageName = options.image ?? DOCKER_VM_IMAGE;
    const image = await readDockerVmImage(docker, imageName);
    const accel: Accel = options.accel ?? (process.env.NVMF_VM_ACCEL === 'kvm' ? 'kvm' : 'tcg');
    for (const id of await removeLeftovers(docker, DOCKER_VM_ROLE)) {
      options.log?.(`docker-vm: removed ${id.slice(0, 12)}, left by a process that was killed`);
    }
    const requested = options.forwards ?? [];
    // Ports are picked here (QEMU cannot report what it bound); another process may take one
    // before QEMU binds it, and QEMU then exits at once: retry with new ports.
    for (let attempt = 1; ; attempt++) {
      const forwards = await pickForwardPorts(requested);
      const channelPort = await freeLoopbackPort();
      try {
        return await DockerVm.#bootWith(imageName, image, accel, forwards, channelPort, options);
      } catch (error) {
        const portTaken = error instanceof Error && PORT_TAKEN.test(error.message);
        if (!portTaken || attempt >= PORT_PICK_ATTEMPTS) throw error;
      }
    }
  }

  static async #bootWith(
    imageName: string,
    image: VmImage,
    accel: Accel,
    forwards: PortForward[],
    channelPort: number,
    options: DockerVmOptions,
  ): Promise<DockerVm> {
    const startedMs = Date.now();
    const timeoutMs = options.bootTimeoutMs ?? DEFAULTS.bootTimeoutMs;
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
    const vm = new DockerVm(image, accel, forwards, channelPort, options);
    // QEMU starts the guest only once the channel is connected (wait=on, so the agent's @@READY
    // cannot be missed), and the container logs READY: only after the guest has booted: connect
    // while testcontainers waits for that line.
    let connecting = true;
    const channel = vm.#connectChannel(startedMs + timeoutMs, () => connecting);
    channel.catch(() => {}); // Awaited below; the boot may fail first.
    try {
      vm.#container = await startContainer({
        image: imageName,
        command: ['qemu', ...args],
        role: DOCKER_VM_ROLE,
        ready: CONTAINER_READY_LOG,
        startupTimeoutMs: timeoutMs,
        kvm: accel === 'kvm',
        onCreated: (id) => {
          vm.#containerId = id;
        },
        onLog: (stream) => {
          forEachLine(stream, (line) => vm.consoleLine(line));
          stream.once('end', () => vm.ended('the container ended'));
        },
      });
      await channel;
      await vm.#awaitAgent(startedMs + timeoutMs - Date.now());
    } catch (error) {
      connecting = false;
      // The boot's own failure is the one to report; a failed removal is added to it.
      const removal = await vm.#remove().then(
        () => '',
        (removeError: unknown) => `\n(and removing the container failed: ${messageOf(removeError)})`,
      );
      throw new Error(`docker VM boot failed (accel ${accel}): ${messageOf(error)}${removal}\n--- console tail ---\n${vm.consoleTail(40)}`);
    }
    vm.bootMs = Date.now() - startedMs;
    vm.log(`docker-vm: ready in ${vm.bootMs} ms (container ${vm.#containerId.slice(0, 12)}, accel ${accel})`);
    vm.startPing(options.watchdogSec ?? DEFAULTS.watchdogSec);
    return vm;
  }

  /** Powers the guest off, then stops and removes the container. Safe to call twice. */
  async stop(): Promise<void> {
    this.stopPing();
    if (this.running && this.#container !== undefined) {
      // poweroff -f ends QEMU, and with it the container.
      this.powerOff();
      if (!(await this.exitedWithin(POWEROFF_WAIT_MS))) this.log('docker-vm: guest did not power off in time; killing the container');
    }
    await this.#remove();
  }

  /** Runs a command in the container itself (not in the guest), through testcontainers. */
  async containerExec(command: string[]): Promise<ExecResult> {
    if (this.#container === undefined) throw new Error('docker-vm: the container is not running');
    const result = await this.#container.exec(command);
    return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  }

  protected sendLine(line: string): void {
    if (this.#socket?.writable === true) this.#socket.write(line);
  }

  /** Stops and removes the container, whatever state it is in, and closes the channel. */
  async #remove(): Promise<void> {
    this.stopPing();
    const container = this.#container;
    this.#container = undefined;
    try {
      if (container !== undefined) await stopContainer(container);
      // A failed start has removed its container already; make sure.
      else if (this.#containerId !== '') await removeContainerById(this.#containerId);
    } finally {
      this.#socket?.destroy();
      this.ended('the container was removed');
    }
  }

  /** QEMU listens on the channel port once it has parsed its arguments; until then, retry. */
  async #connectChannel(deadlineMs: number, stillWanted: () => boolean): Promise<void> {
    for (;;) {
      if (!stillWanted()) throw new Error('the boot was given up before the channel connected');
      if (!this.running) throw new Error(`QEMU ended before its channel listened (${this.endedBecause ?? 'unknown'})`);
      const socket = await new Promise<Socket | undefined>((resolve) => {
        const attempt = connect({ host: '127.0.0.1', port: this.channelPort });
        attempt.once('connect', () => resolve(attempt));
        attempt.once('error', () => {
          attempt.destroy();
          resolve(undefined);
        });
      });
      if (socket !== undefined) {
        if (!stillWanted()) {
          socket.destroy();
          continue;
        }
        this.#socket = socket;
        socket.setNoDelay(true);
        socket.on('data', (chunk: Buffer) => this.channelData(chunk));
        socket.on('error', () => {});
        socket.on('close', () => this.channelClosed());
        return;
      }
      if (Date.now() > deadlineMs) throw new Error(`QEMU's channel on 127.0.0.1:${this.channelPort} did not listen in time`);
      await sleep(CONNECT_RETRY_MS);
    }
  }

  async #awaitAgent(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      this.agentReady.then(() => 'ready' as const),
      this.exited.then(() => 'exited' as const),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), Math.max(0, timeoutMs));
      }),
    ]);
    clearTimeout(timer);
    if (outcome === 'timeout') throw new Error('no READY from the guest agent in time');
    if (outcome === 'exited') throw new Error(`QEMU ended before the guest was ready (${this.endedBecause ?? 'unknown'})`);
  }
}
