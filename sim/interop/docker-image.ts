// The Docker runtime's image on this machine: its name, whether a Docker engine answers and the
// image exists (a synchronous check, for test registration), and the VM manifest the image
// carries as a label (written by images/docker/build-image.sh from images/build/vm.json).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { startContainer, stopContainer } from './docker-container.js';
import { CONTAINER_VM_DIR } from './docker-qemu-args.js';
import { findExecutable, type VmImage } from './vm-image.js';

/** The runtime image (images/docker/Dockerfile), built by images/docker/build-image.sh. */
export const DOCKER_VM_IMAGE = 'nvmf-sim/linux-vm:latest';
/** The label holding vm.json. */
export const VM_MANIFEST_LABEL = 'nvmf-sim.vm';
/**
 * What the image's entrypoint (images/docker/nvmf-vm.sh) logs when the container is usable: in
 * `qemu` mode once the guest has booted and starts its agent, in `target` mode once nvmet exports
 * the subsystem.
 */
export const CONTAINER_READY_LOG = /nvmf-vm: READY:/;
const INFO_TIMEOUT_MS = 60_000;

/** How to get everything the Docker runtime needs, from nothing. */
export const DOCKER_INSTALL_HINT =
  'install with: apt-get install -y docker.io debootstrap qemu-system-x86 busybox-static nvme-cli fio kmod cpio; ' +
  'start the engine: dockerd --bridge=none --iptables=false &; ' +
  'then: bash images/vm/build.sh && bash images/docker/build-image.sh';

export interface DockerRuntimeStatus {
  ready: boolean;
  missing: string[];
}

/** What is missing to start the Docker runtime (docker CLI, a running engine, the image). */
export function dockerRuntimeStatus(image: string = DOCKER_VM_IMAGE): DockerRuntimeStatus {
  if (findExecutable('docker') === undefined) return { ready: false, missing: ['docker (the CLI)'] };
  const server = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', timeout: 20_000 });
  if (server.status !== 0) {
    return { ready: false, missing: [`a running Docker engine (${dockerHostDescription()})`] };
  }
  const inspect = spawnSync('docker', ['image', 'inspect', '--format', '{{.Id}}', image], { encoding: 'utf8', timeout: 20_000 });
  if (inspect.status !== 0) {
    const missing = [`the image ${image}`];
    if (findExecutable('debootstrap') === undefined) missing.push('debootstrap (to build its base image)');
    return { ready: false, missing };
  }
  return { ready: true, missing: [] };
}

function dockerHostDescription(): string {
  return process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
}

/** The VM manifest of the image, with the kernel and initramfs paths inside the container. */
export async function readDockerVmImage(docker: Dockerode, image: string = DOCKER_VM_IMAGE): Promise<VmImage> {
  let labels: Record<string, string> | undefined;
  try {
    labels = (await docker.getImage(image).inspect()).Config.Labels ?? undefined;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new Error(`Docker runtime image ${image} is not available (${reason}); ${DOCKER_INSTALL_HINT}`);
  }
  // build-image.sh stores vm.json as a label; an image built by `docker compose build` has none,
  // and then the entrypoint prints it.
  const text = labels?.[VM_MANIFEST_LABEL] ?? (await printedVmManifest(image));
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`${image}: the VM manifest is not JSON (${text.slice(0, 200)}); rebuild: bash images/docker/build-image.sh --force`);
  }
  const field = (key: string): string => {
    const value = manifest[key];
    if (typeof value !== 'string') throw new Error(`${image}: label ${VM_MANIFEST_LABEL} lacks '${key}'`);
    return value;
  };
  return {
    buildDir: CONTAINER_VM_DIR,
    kernelPath: join(CONTAINER_VM_DIR, field('kernel')),
    initramfsPath: join(CONTAINER_VM_DIR, field('initramfs')),
    kernelPackage: field('kernelPackage'),
    kernelVersion: field('kernelVersion'),
    hostnqn: field('hostnqn'),
    hostid: field('hostid'),
    nvmeCli: field('nvmeCli'),
    fio: field('fio'),
  };
}

/** Runs `nvmf-vm info` in a throwaway container and returns what it printed (vm.json). */
export async function printedVmManifest(image: string): Promise<string> {
  const container = await startContainer({ image, command: ['info'], role: 'docker-vm-info', ready: 'exit', startupTimeoutMs: INFO_TIMEOUT_MS });
  try {
    const logs = await container.logs();
    // The timer also keeps Node waiting: testcontainers unrefs the log stream's socket.
    return await new Promise<string>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`${image}: 'nvmf-vm info' printed no end of output in time`)), INFO_TIMEOUT_MS);
      logs.on('data', (chunk: string | Buffer) => (text += chunk.toString()));
      logs.once('end', () => {
        clearTimeout(timer);
        resolve(text);
      });
      logs.once('error', (error: Error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  } finally {
    await stopContainer(container);
  }
}
