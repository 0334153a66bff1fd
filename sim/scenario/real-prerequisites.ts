// What a real-runtime node needs on this machine before anything boots, checked cheaply (files
// exist, a binary is on PATH, the Docker engine answers a ping and has the image). A missing piece
// is the user's environment, not a crash of the system under test: it is a one-line ScenarioError
// naming the scenario file, the node's runtime field, what is missing and the command that installs
// or builds it (the commands of README.md and images/), which the CLI prints with exit status 2.
// runScenario calls this only for a scenario with a real node, before it opens a trace file, so a
// simulated-only scenario never pays for it and a refused run leaves no empty trace behind.
import { resolve, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Dockerode from 'dockerode';
import { DOCKER_VM_IMAGE } from '../interop/index.js';
import { shellQuote } from '../interop/index.js';
import { DEFAULT_BUILD_DIR, QEMU_BINARY, resolveBuildDir, vmImageStatus } from '../interop/index.js';
import type { ResolvedScenario } from './resolved.js';
import { ScenarioError } from './scenario-error.js';

/** Where the image recipes live (images/vm/build.sh, images/docker/build-image.sh). */
const IMAGES_DIR = fileURLToPath(new URL('../../images/', import.meta.url));
/** The Debian package with qemu-system-x86_64 (images/README.md, images/vm/build.sh). */
const QEMU_INSTALL = 'apt-get install -y qemu-system-x86';
/** Starting and installing an engine, as README.md's Docker runtime section and images/docker/build-base.sh say. */
const DOCKERD_START = 'dockerd --bridge=none --iptables=false &';
const DOCKER_INSTALL = 'apt-get install -y docker.io';
/** A ping that has not answered by then will not: a blackholed tcp:// DOCKER_HOST would otherwise hang the run. */
const ENGINE_PING_TIMEOUT_MS = 10_000;

export interface RealPrerequisiteOptions {
  /** The QEMU runtime's build directory (default: $NVMF_VM_BUILD_DIR, else images/build), as QemuVm.boot reads it. */
  readonly buildDir?: string;
  /** The Docker client (default: one from $DOCKER_HOST, as DockerVm.boot makes it). */
  readonly docker?: Dockerode;
  /** The Docker runtime image (default nvmf-sim/linux-vm:latest). */
  readonly image?: string;
}

/**
 * Throws a ScenarioError for the first real-runtime node whose prerequisites are missing; resolves
 * when every real node can boot. Each runtime is checked once however many nodes use it.
 */
export async function checkRealPrerequisites(scenario: ResolvedScenario, options: RealPrerequisiteOptions = {}): Promise<void> {
  const checked = new Map<string, string | undefined>();
  for (const [index, node] of scenario.nodes.entries()) {
    if (node.runtime === 'sim') continue;
    let problem = checked.get(node.runtime);
    if (!checked.has(node.runtime)) {
      problem = node.runtime === 'docker' ? await dockerProblem(options) : qemuProblem(options.buildDir);
      checked.set(node.runtime, problem);
    }
    if (problem !== undefined) throw new ScenarioError(scenario.source, `nodes[${index}].runtime`, `'${node.runtime}' needs ${problem}`);
  }
}

/** The QEMU runtime: the VM image's files (images/vm/build.sh) and the QEMU binary. */
function qemuProblem(buildDir: string | undefined): string | undefined {
  const dir = resolveBuildDir(buildDir);
  const missing = vmImageStatus(dir).missing;
  const files = missing.filter((entry) => entry !== QEMU_BINARY).map((path) => relative(dir, path));
  const problems: string[] = [];
  if (files.length > 0) {
    // build.sh writes to $NVMF_VM_BUILD_DIR when it is set: name it when the run looks elsewhere.
    const where = resolve(dir) === resolve(DEFAULT_BUILD_DIR) ? '' : `NVMF_VM_BUILD_DIR=${shellQuote(resolve(dir))} `;
    problems.push(`the interop VM image, but ${displayPath(dir)} has no ${files.join(', ')}: build it with \`${where}bash ${script('vm/build.sh')}\``);
  }
  if (missing.includes(QEMU_BINARY)) problems.push(`${QEMU_BINARY}, which is not on PATH: install it with \`${QEMU_INSTALL}\``);
  return problems.length === 0 ? undefined : problems.join('; and ');
}

/** The Docker runtime: an engine that answers, holding the nvmf-sim/linux-vm image. */
async function dockerProblem(options: RealPrerequisiteOptions): Promise<string | undefined> {
  const image = options.image ?? DOCKER_VM_IMAGE;
  const build = `bash ${script('vm/build.sh')} && bash ${script('docker/build-image.sh')}`;
  let docker: Dockerode;
  // Loaded only when a scenario runs on Docker: every simulator process would pay for it otherwise.
  const { default: DockerClient } = await import('dockerode');
  try {
    docker = options.docker ?? new DockerClient();
  } catch (error) {
    // docker-modem refuses a malformed $DOCKER_HOST in the constructor.
    return `a Docker engine, but DOCKER_HOST=${shellQuote(process.env.DOCKER_HOST ?? '')} is not an address (${reasonOf(error)}): unset it or give one like unix:///var/run/docker.sock`;
  }
  const address = await engineAddress(docker);
  try {
    await withTimeout(docker.ping(), ENGINE_PING_TIMEOUT_MS);
  } catch (error) {
    const reason = reasonOf(error);
    if (reason === 'EACCES') {
      return `a Docker engine this user may use, but ${address} refuses access (EACCES): run as root or join the docker group (\`usermod -aG docker $USER\`, then log in again)`;
    }
    return `a running Docker engine, but none answers on ${address} (${reason}): start one with \`${DOCKERD_START}\` (install it with \`${DOCKER_INSTALL}\`)`;
  }
  try {
    await docker.getImage(image).inspect();
  } catch (error) {
    const why = statusOf(error) === 404 ? `which the Docker engine on ${address} does not have` : `but inspecting it on ${address} failed (${reasonOf(error)})`;
    return `the image ${image}, ${why}: build it with \`${build}\``;
  }
  return undefined;
}

/** The engine's address as DOCKER_HOST spells it. */
async function engineAddress(docker: Dockerode): Promise<string> {
  const modem = docker.modem as unknown as { socketPath?: unknown; host?: unknown; port?: unknown };
  if (typeof modem.host === 'string' && modem.host !== '') {
    return `tcp://${modem.host}${modem.port === undefined || modem.port === '' ? '' : `:${String(modem.port)}`}`;
  }
  let socket = modem.socketPath;
  // Without $DOCKER_HOST docker-modem picks ~/.docker/run/docker.sock or /var/run/docker.sock lazily.
  if (typeof socket === 'function') socket = await (socket as () => Promise<unknown>)();
  return typeof socket === 'string' ? `unix://${socket}` : 'unix:///var/run/docker.sock';
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** A socket error's code (ENOENT, ECONNREFUSED, EACCES), else the first line of the message. */
function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && code !== '') return code;
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** A script under images/ as the user would type it from where they run: relative when inside the cwd. */
function script(path: string): string {
  return shellQuote(displayPath(resolve(IMAGES_DIR, path)));
}

function displayPath(path: string): string {
  const absolute = resolve(path);
  const fromCwd = relative(process.cwd(), absolute);
  return fromCwd === '' || fromCwd.startsWith('..') ? absolute : fromCwd;
}
