// The Docker runtime for real Linux peers (sim/interop/docker-vm.ts, images/docker, docker-compose.yml):
// - our host (sim/host) against Linux nvmet-tcp in a DockerVm container, configured through the
//   unchanged linux-target.ts: discover, connect with 2 I/O queues, verified writes and reads from
//   4 KiB to 1 MiB, digests on; and after stop() the container no longer exists;
// - the compose file's nvmet-target service (its command and environment, read from
//   docker-compose.yml, with free ports instead of 4420/14420) serves a Linux target that our host
//   discovers, connects to and does verified I/O against;
// - docker-compose.yml parses and defines that service on the host network (and `docker compose
//   config` accepts it where the compose plugin is installed).
// Prerequisites follow test/helpers/interop-prereqs.ts: missing Docker fails in CI, skips elsewhere.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import anyTest from 'ava';
import type { ExecutionContext } from 'ava';
import Dockerode from 'dockerode';
import { parse as parseYaml } from 'yaml';
import { realEnv } from '../sim/world/index.js';
import { connectController } from '../sim/host/controller.js';
import { discover } from '../sim/host/discovery.js';
import { DOCKER_VM_IMAGE, RUNTIME_LABEL } from '../sim/interop/docker-image.js';
import { DockerVm } from '../sim/interop/docker-vm.js';
import { freeLoopbackPort } from '../sim/interop/free-port.js';
import { kernelErrors } from '../sim/interop/linux-host.js';
import { configureLinuxTarget, teardownLinuxTarget } from '../sim/interop/linux-target.js';
import { assertDockerInteropPrereqs, dockerInteropEnabled } from './helpers/interop-prereqs.js';

const NQN = 'nqn.2014-08.org.nvmf-sim:docker-vm-target';
const GUEST_PORT = 4420;
const COMPOSE_FILE = fileURLToPath(new URL('../docker-compose.yml', import.meta.url));
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
  // Compose itself, where installed (the v2 plugin, else Debian's docker-compose), checks the whole
  // file against the compose specification; `config` needs no engine.
  for (const compose of [['docker', 'compose'], ['docker-compose']]) {
    const [command = '', ...prefix] = compose;
    if (spawnSync(command, [...prefix, 'version'], { encoding: 'utf8' }).status !== 0) continue;
    const config = spawnSync(command, [...prefix, '-f', COMPOSE_FILE, 'config', '--quiet'], { encoding: 'utf8' });
    t.is(config.status, 0, `${compose.join(' ')} config: ${config.stderr}`);
    break;
  }
});

interopTest('interop docker: our host against Linux nvmet-tcp in a DockerVm container', async (t) => {
  assertDockerInteropPrereqs();
  const docker = new Dockerode();
  const vm = await DockerVm.boot({ docker, forwards: [{ hostPort: 0, guestPort: GUEST_PORT }], memoryMiB: 512, cpus: 2 });
  t.teardown(() => vm.stop());
  const linux = await configureLinuxTarget(vm.asQemuVm(), { nqn: NQN, port: GUEST_PORT, namespaces: [{ nsid: 1, nullBlkSizeMiB: 64 }] });
  t.teardown(async () => {
    if (vm.running) await teardownLinuxTarget(vm.asQemuVm(), linux);
  });
  t.true(await containerExists(docker, vm.containerId), 'the container runs while the VM does');

  await verifiedIo(t, vm.hostPort(GUEST_PORT), NQN, 64 * 1024 * 1024, true);
  t.deepEqual(await kernelErrors(vm.asQemuVm()), [], 'no nvme errors in the guest kernel log');

  await teardownLinuxTarget(vm.asQemuVm(), linux);
  await vm.stop();
  t.false(vm.running);
  t.false(await containerExists(docker, vm.containerId), 'stop() removed the container');
});

interopTest('interop docker: the compose nvmet-target service serves a Linux target', async (t) => {
  assertDockerInteropPrereqs();
  const service = composeServices()['nvmet-target'];
  if (service?.image === undefined) throw new Error('docker-compose.yml has no nvmet-target image');
  const docker = new Dockerode();
  const port = await freeLoopbackPort();
  const environment: Record<string, string> = { ...service.environment, NVMF_TARGET_PORT: String(port), NVMF_CHANNEL_PORT: String(await freeLoopbackPort()) };
  const container = await docker.createContainer({
    Image: service.image,
    ...(service.command === undefined ? {} : { Cmd: service.command }),
    Env: Object.entries(environment).map(([key, value]) => `${key}=${value}`),
    Labels: { [RUNTIME_LABEL]: 'test-compose-target' },
    HostConfig: { NetworkMode: service.network_mode ?? 'host' },
  });
  t.teardown(() => container.remove({ force: true }));
  await container.start();

  // The entrypoint logs "READY:" once nvmet exports the subsystem, or "ERROR" and exits.
  const logs = (await container.logs({ follow: true, stdout: true, stderr: true })) as NodeJS.ReadableStream;
  // Bounded like a VM boot (QemuVm's default 180 s), so a hung guest fails with its log.
  const ready = await new Promise<string>((resolve) => {
    let seen = '';
    const timer = setTimeout(() => finish(), BOOT_LIMIT_MS);
    const finish = (): void => {
      clearTimeout(timer);
      resolve(seen);
    };
    logs.on('data', (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      if (/nvmf-vm: (READY:|ERROR)/.test(seen)) finish();
    });
    logs.on('end', finish);
    logs.on('error', finish);
  });
  (logs as unknown as { destroy?: () => void }).destroy?.();
  t.regex(ready, /nvmf-vm: READY:/, `the entrypoint exported the target; its log:\n${ready}`);

  const sizeBytes = Number(environment.NVMF_TARGET_SIZE_MIB ?? '256') * 1024 * 1024;
  await verifiedIo(t, port, environment.NVMF_TARGET_NQN ?? '', sizeBytes, false);

  // `docker compose down` sends SIGTERM: the entrypoint powers the guest off and exits 0.
  await container.stop({ t: 30 });
  const state = await container.inspect();
  t.is(state.State.ExitCode, 0, 'the entrypoint shut the guest down cleanly');
});
