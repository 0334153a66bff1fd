// The Docker runtime for real Linux peers (sim/interop/docker-vm.ts, docker-container.ts, images/docker,
// docker-compose.yml):
// - our host (sim/host) against Linux nvmet-tcp in a DockerVm container, configured through the
//   unchanged linux-target.ts: discover, connect with 2 I/O queues, verified writes and reads from
//   4 KiB to 1 MiB, digests on; QEMU runs inside the container; after stop() the container no
//   longer exists;
// - the compose file's nvmet-target service (its command and environment, read from
//   docker-compose.yml, with free ports instead of 4420/14420), started through testcontainers,
//   serves a Linux target that our host discovers, connects to and does verified I/O against;
// - no path leaves a container behind: a boot that times out, a QEMU that ends at once, a process
//   that exits or is sent SIGTERM in the middle of a boot; one SIGKILLed is swept by the next boot;
// - the image prints the same VM manifest as its label (for images built without it);
// - docker-compose.yml parses and defines that service on the host network, and compose (the
//   plugin, or Debian's docker-compose) accepts it; in CI one of them must be installed.
// Prerequisites follow test/helpers/interop-prereqs.ts: missing Docker fails in CI, skips elsewhere.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import anyTest from 'ava';
import type { ExecutionContext } from 'ava';
import Dockerode from 'dockerode';
import { parse as parseYaml } from 'yaml';
import { realEnv } from '../sim/world/index.js';
import { connectController } from '../sim/host/controller.js';
import { discover } from '../sim/host/discovery.js';
import { OWNER_LABEL, ownedContainers, ownerLabelValue, removeLeftovers, startContainer, stopContainer } from '../sim/interop/docker-container.js';
import { CONTAINER_READY_LOG, DOCKER_VM_IMAGE, printedVmManifest, VM_MANIFEST_LABEL } from '../sim/interop/docker-image.js';
import { DOCKER_VM_ROLE, DockerVm } from '../sim/interop/docker-vm.js';
import { freeLoopbackPort } from '../sim/interop/free-port.js';
import { kernelErrors } from '../sim/interop/linux-host.js';
import { configureLinuxTarget, teardownLinuxTarget } from '../sim/interop/linux-target.js';
import { assertDockerInteropPrereqs, dockerInteropEnabled } from './helpers/interop-prereqs.js';

const NQN = 'nqn.2014-08.org.nvmf-sim:docker-vm-target';
const GUEST_PORT = 4420;
const COMPOSE_FILE = fileURLToPath(new URL('../docker-compose.yml', import.meta.url));
const DOCKER_VM_MODULE = new URL('../sim/interop/docker-vm.ts', import.meta.url).href;
const DOCKER_CONTAINER_MODULE = new URL('../sim/interop/docker-container.ts', import.meta.url).href;
// One container at a time: each runs a TCG guest, and the machine has 2 cores.
const interopTest = dockerInteropEnabled() ? anyTest.serial : anyTest.serial.skip;
const BOOT_LIMIT_MS = 180_000;

interface ComposeService {
  image?: string;
  network_mode?: string;
  command?: string[];
  environment?: Record<string, string>;
}

function composeServices(): Record<string, ComposeService> {
  const parsed = parseYaml(readFileSync(COMPOSE_FILE, 'utf8')) as { services?: Record<string, ComposeService> };
  return parsed.services ?? {};
}

/** Deterministic pseudo-random bytes: every region gets distinct, checkable content. */
function pattern(length: number, seed: number): Uint8Array {
  const data = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let index = 0; index < length; index += 4) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    data[index] = state & 0xff;
    data[index + 1] = (state >>> 8) & 0xff;
    data[index + 2] = (state >>> 16) & 0xff;
    data[index + 3] = (state >>> 24) & 0xff;
  }
  return data;
}

/** Discovers, connects (digests as asked) and writes then reads back regions of 4 KiB to 1 MiB. */
async function verifiedIo(t: ExecutionContext, port: number, nqn: string, sizeBytes: number, digests: boolean): Promise<void> {
  const env = realEnv({ seed: `interop-docker-${nqn}`, logLevel: 'warn' });
  t.teardown(() => env.clock.clearAll());
  const log = await discover(env, { traddr: '127.0.0.1', trsvcid: port });
  t.true(log.entries.some((entry) => entry.subnqn === nqn), `Linux discovery log lists ${nqn}`);
  const controller = await connectController(env, {
    traddr: '127.0.0.1',
    trsvcid: port,
    nqn,
    nrIoQueues: 2,
    hdrDigest: digests,
    dataDigest: digests,
  });
  try {
    t.is(controller.state, 'live');
    t.is(controller.identify.mn.trim(), 'Linux', 'Linux nvmet reports model "Linux"');
    const namespaces = await controller.listNamespaces();
    t.is(namespaces[0]?.sizeBytes, sizeBytes);
    const device = await controller.namespace(1);
    const regions: { offset: number; data: Uint8Array }[] = [];
    let offset = 0;
    for (let index = 0; index < 9; index++) {
      const length = 4096 << index;
      regions.push({ offset, data: pattern(length, 77 * index + (digests ? 5 : 1)) });
      offset += length + 4096;
    }
    await Promise.all(regions.map((region) => device.write(region.offset, region.data)));
    const reads = await Promise.all(regions.map((region) => device.read(region.offset, region.data.length)));
    reads.forEach((read, index) => {
      t.true(Buffer.from(read).equals(Buffer.from(regions[index]?.data ?? [])), `region ${index} reads back what was written`);
    });
    await device.flush();
  } finally {
    await controller.disconnect();
  }
}

/** The containers (running or not) whose owner label names `owner` (default: this process). */
async function containersOf(docker: Dockerode, owner: string = ownerLabelValue()): Promise<string[]> {
  const list = await docker.listContainers({ all: true, filters: { label: [`${OWNER_LABEL}=${owner}`] } });
  return list.map((info) => info.Id);
}

async function containerExists(docker: Dockerode, id: string): Promise<boolean> {
  try {
    await docker.getContainer(id).inspect();
    return true;
  } catch {
    return false;
  }
}

anyTest('interop docker: docker-compose.yml defines the nvmet-tcp target on the host network', (t) => {
  const services = composeServices();
  const target = services['nvmet-target'];
  t.is(target?.image, DOCKER_VM_IMAGE);
  t.is(target?.network_mode, 'host', 'traffic stays on the host loopback');
  t.deepEqual(target?.command, ['target']);
  t.is(target?.environment?.NVMF_TARGET_PORT, '4420');
  t.regex(target?.environment?.NVMF_TARGET_NQN ?? '', /^nqn\.\d{4}-\d{2}\./, 'an NQN in the nqn.yyyy-mm. form');
  t.is(services['linux-vm']?.image, DOCKER_VM_IMAGE, 'a service builds the runtime image');
  // Compose itself (the v2 plugin, else Debian's docker-compose, as README.md installs it) checks
  // the whole file against the compose specification; `config` needs no engine. In CI, where
  // nothing is skipped, one of them must be there.
  let checked = false;
  for (const compose of [['docker', 'compose'], ['docker-compose']]) {
    const [command = '', ...prefix] = compose;
    if (spawnSync(command, [...prefix, 'version'], { encoding: 'utf8' }).status !== 0) continue;
    const config = spawnSync(command, [...prefix, '-f', COMPOSE_FILE, 'config', '--quiet'], { encoding: 'utf8' });
    t.is(config.status, 0, `${compose.join(' ')} config: ${config.stderr}`);
    checked = true;
    break;
  }
  if (!checked && process.env.CI === 'true') t.fail('neither `docker compose` nor `docker-compose` is installed; apt-get install -y docker-compose');
});

interopTest('interop docker: our host against Linux nvmet-tcp in a DockerVm container', async (t) => {
  assertDockerInteropPrereqs();
  const docker = new Dockerode();
  const vm = await DockerVm.boot({ docker, forwards: [{ hostPort: 0, guestPort: GUEST_PORT }], memoryMiB: 512, cpus: 2 });
  t.teardown(() => vm.stop());
  const linux = await configureLinuxTarget(vm, { nqn: NQN, port: GUEST_PORT, namespaces: [{ nsid: 1, nullBlkSizeMiB: 64 }] });
  t.teardown(async () => {
    if (vm.running) await teardownLinuxTarget(vm, linux);
  });
  t.true(await containerExists(docker, vm.containerId), 'the container runs while the VM does');
  const processes = await vm.containerExec(['sh', '-c', 'cat /proc/[0-9]*/comm']);
  t.regex(processes.stdout, /^qemu-system-x86/m, 'QEMU runs inside the container');

  await verifiedIo(t, vm.hostPort(GUEST_PORT), NQN, 64 * 1024 * 1024, true);
  t.deepEqual(await kernelErrors(vm), [], 'no nvme errors in the guest kernel log');

  await teardownLinuxTarget(vm, linux);
  await vm.stop();
  t.false(vm.running);
  t.false(await containerExists(docker, vm.containerId), 'stop() removed the container');
  t.deepEqual(ownedContainers(), [], 'nothing left for the exit hook');
});

interopTest('interop docker: the compose nvmet-target service serves a Linux target', async (t) => {
  assertDockerInteropPrereqs();
  const service = composeServices()['nvmet-target'];
  if (service?.image === undefined) throw new Error('docker-compose.yml has no nvmet-target image');
  const docker = new Dockerode();
  const port = await freeLoopbackPort();
  const environment: Record<string, string> = { ...service.environment, NVMF_TARGET_PORT: String(port), NVMF_CHANNEL_PORT: String(await freeLoopbackPort()) };
  let log = '';
  // The entrypoint logs "READY:" once nvmet exports the subsystem, or "ERROR" and exits; bounded
  // like a VM boot (QemuVm's default 180 s).
  const container = await startContainer({
    image: service.image,
    command: service.command ?? [],
    role: 'test-compose-target',
    environment,
    ready: CONTAINER_READY_LOG,
    startupTimeoutMs: BOOT_LIMIT_MS,
    onLog: (stream) => stream.on('data', (chunk: string | Buffer) => (log += chunk.toString())),
  });
  t.teardown(() => stopContainer(container));
  // start() resolved on the READY: line; this log's own stream may be a moment behind.
  for (let tries = 0; tries < 50 && !CONTAINER_READY_LOG.test(log); tries++) await new Promise((resolve) => setTimeout(resolve, 100));
  t.regex(log, CONTAINER_READY_LOG, `the entrypoint exported the target; its log:\n${log}`);
  const processes = await container.exec(['sh', '-c', 'cat /proc/[0-9]*/comm']);
  t.regex(processes.stdout, /^qemu-system-x86/m, 'QEMU runs inside the container');

  const sizeBytes = Number(environment.NVMF_TARGET_SIZE_MIB ?? '256') * 1024 * 1024;
  await verifiedIo(t, port, environment.NVMF_TARGET_NQN ?? '', sizeBytes, false);

  // `docker compose down` sends SIGTERM: the entrypoint powers the guest off and exits 0.
  await container.stop({ timeout: 30_000, remove: false });
  const state = await docker.getContainer(container.getId()).inspect();
  t.is(state.State.ExitCode, 0, 'the entrypoint shut the guest down cleanly');
  await stopContainer(container);
  t.false(await containerExists(docker, container.getId()), 'the container is removed');
});

interopTest('interop docker: a boot that times out leaves no container', async (t) => {
  assertDockerInteropPrereqs();
  const docker = new Dockerode();
  // No guest boots in 4 s under TCG: the wait for READY: times out while the container runs.
  const error = await t.throwsAsync(DockerVm.boot({ docker, bootTimeoutMs: 4_000 }));
  t.regex(error?.message ?? '', /docker VM boot failed.*not received/);
  t.deepEqual(await containersOf(docker), [], 'no container of this process is left');
  t.deepEqual(ownedContainers(), []);
});

interopTest('interop docker: a QEMU that ends at once leaves no container', async (t) => {
  assertDockerInteropPrereqs();
  const docker = new Dockerode();
  // A fixed host port that is taken: QEMU's hostfwd cannot bind it and QEMU exits.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const address = server.address();
  const taken = typeof address === 'object' && address !== null ? address.port : 0;
  const error = await t.throwsAsync(DockerVm.boot({ docker, forwards: [{ hostPort: taken, guestPort: GUEST_PORT }], bootTimeoutMs: 60_000 }));
  t.regex(error?.message ?? '', /host forwarding rule|Address already in use/i, 'the failure names QEMU\'s reason');
  t.deepEqual(await containersOf(docker), [], 'no container of this process is left');
  t.deepEqual(ownedContainers(), []);
});

interopTest('interop docker: the image prints the VM manifest its label carries', async (t) => {
  assertDockerInteropPrereqs();
  const docker = new Dockerode();
  // An image built by compose has no label; the runtime then runs `nvmf-vm info` in a container.
  const labels = (await docker.getImage(DOCKER_VM_IMAGE).inspect()).Config.Labels ?? {};
  const printed = await printedVmManifest(DOCKER_VM_IMAGE);
  t.deepEqual(JSON.parse(printed), JSON.parse(labels[VM_MANIFEST_LABEL] ?? 'null'));
  t.deepEqual(await containersOf(docker), [], 'the one-shot container is removed');
});

/**
 * Starts a process that boots a DockerVm; once its container exists, `end` ends the process (a
 * signal from outside, or process.exit inside). Resolves with how it ended and its containers after.
 */
async function bootInChildAndEnd(docker: Dockerode, end: 'SIGTERM' | 'SIGKILL' | 'exit'): Promise<{ code: number | null; signal: string | null; left: string[]; seen: string[]; owner: string }> {
  const script = [
    `const { DockerVm } = await import(${JSON.stringify(DOCKER_VM_MODULE)});`,
    `const { ownedContainers } = await import(${JSON.stringify(DOCKER_CONTAINER_MODULE)});`,
    // Once this process owns the container (Docker has given its id): exit, or say so on stdout.
    `const owning = setInterval(() => { if (ownedContainers().length > 0) { clearInterval(owning); ${end === 'exit' ? 'process.exit(3);' : "process.stdout.write('owned\\n');"} } }, 50);`,
    'await DockerVm.boot({ bootTimeoutMs: 120000 });',
  ].join('\n');
  const child = spawn(process.execPath, ['--import=tsx', '--input-type=module', '--eval', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const owner = `${hostname()}:${child.pid}`;
  let seen: string[] = [];
  for (let tries = 0; tries < 600 && seen.length === 0 && child.exitCode === null; tries++) {
    seen = await containersOf(docker, owner);
    if (seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (end !== 'exit') {
    for (let tries = 0; tries < 600 && !stdout.includes('owned') && child.exitCode === null; tries++) await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill(end);
  }
  const how = await exited;
  if (seen.length === 0) throw new Error(`the child never created a container; its stderr:\n${stderr}`);
  return { ...how, left: await containersOf(docker, owner), seen, owner };
}

interopTest('interop docker: a process sent SIGTERM while booting leaves no container', async (t) => {
  assertDockerInteropPrereqs();
  const docker = new Dockerode();
  const result = await bootInChildAndEnd(docker, 'SIGTERM');
  t.is(result.seen.length, 1, 'the child had created its container');
  t.is(result.signal, 'SIGTERM', 'the process still ends by the signal');
  t.deepEqual(result.left, [], 'the signal handler removed it');
});

interopTest('interop docker: a process that exits while booting leaves no container', async (t) => {
  assertDockerInteropPrereqs();
  const docker = new Dockerode();
  const result = await bootInChildAndEnd(docker, 'exit');
  t.is(result.seen.length, 1, 'the child had created its container');
  t.is(result.code, 3);
  t.deepEqual(result.left, [], 'the exit hook removed it');
});

interopTest('interop docker: a container left by a killed process is removed by the next boot\'s sweep', async (t) => {
  assertDockerInteropPrereqs();
  const docker = new Dockerode();
  const result = await bootInChildAndEnd(docker, 'SIGKILL');
  t.is(result.signal, 'SIGKILL');
  t.deepEqual(result.left, result.seen, 'SIGKILL leaves no chance to remove it');
  t.teardown(async () => {
    for (const id of result.left) await docker.getContainer(id).remove({ force: true }).catch(() => {});
  });
  const removed = await removeLeftovers(docker, DOCKER_VM_ROLE);
  t.true(result.seen.every((id) => removed.includes(id)), 'the sweep removed the dead owner\'s container');
  t.deepEqual(await containersOf(docker, result.owner), []);
});
