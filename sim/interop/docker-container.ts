// The life of a container this project starts (the nvmf-sim/linux-vm image, images/docker):
// testcontainers starts it on the host network from the local image (never pulled), waits for a
// line in its log, execs into it and stops and removes it. Removal is guaranteed here, not by
// testcontainers' reaper: Ryuk is itself an image from a registry, which the machines this project
// runs on cannot pull, so it is disabled, and instead
// - a failed start removes the container (testcontainers does when its wait fails; this file also
//   does when anything else fails, knowing the id from the moment Docker created it);
// - stopContainer() stops and removes it, whatever state it is in;
// - when the process exits or is ended by SIGINT/SIGTERM/SIGHUP, every container it still owns is
//   removed synchronously with the docker CLI (a signal that another handler takes for a clean
//   shutdown is left to it, and the exit hook still runs);
// - a container whose owning process died without any of that (SIGKILL) is labelled with its owner,
//   and the next start on the same machine removes it (dockerode: listing by label is not something
//   testcontainers offers).
// testcontainers is loaded on first use: commands that never touch Docker do not pay its load time.
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import type * as Testcontainers from 'testcontainers';

type TestcontainersModule = typeof Testcontainers;
export type StartedContainer = Testcontainers.StartedTestContainer;

/** Marks the containers this project starts; the value says which part started it. */
export const RUNTIME_LABEL = 'nvmf-sim.runtime';
/** `<hostname>:<pid>` of the process that owns the container. */
export const OWNER_LABEL = 'nvmf-sim.owner';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const CLI_REMOVE_TIMEOUT_MS = 20_000;

let loading: Promise<TestcontainersModule> | undefined;
/**
 * Signal handlers that testcontainers' own modules installed as they loaded (signal-exit, through
 * proper-lockfile): they act only when they are a signal's sole handlers, so they do not count as
 * someone else handling the signal.
 */
const passiveHandlers = new Set<NodeJS.SignalsListener>();

/**
 * testcontainers, with its reaper disabled (set here, before the module loads and reads it) and the
 * Docker host named: testcontainers otherwise asks, when it finds itself inside a container, for the
 * gateway of the `bridge` network, which an engine started with --bridge=none does not have (and
 * then runs an alpine image from a registry to find one). The containers use the host's network, so
 * the host that reaches them is the loopback.
 */
export function loadTestcontainers(): Promise<TestcontainersModule> {
  loading ??= (async () => {
    process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
    process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
    const before = new Map(SIGNALS.map((signal) => [signal, process.listeners(signal)]));
    const module = await import('testcontainers');
    for (const signal of SIGNALS) {
      for (const handler of process.listeners(signal)) if (before.get(signal)?.includes(handler) !== true) passiveHandlers.add(handler);
    }
    return module;
  })();
  return loading;
}

/** This process, as OWNER_LABEL names it. */
export function ownerLabelValue(): string {
  return `${hostname()}:${process.pid}`;
}

// ---- Containers this process owns, removed on every way out ----

const owned = new Set<string>();
/** Starts whose container Docker may be creating right now, its id not yet known here. */
let startsInFlight = 0;
let exitHookInstalled = false;

function onSignal(signal: NodeJS.Signals): void {
  // Another handler (a command's clean shutdown) stops the containers itself; the exit hook stays
  // as the backstop.
  if (process.listeners(signal).some((handler) => handler !== onSignal && !passiveHandlers.has(handler))) return;
  // Otherwise this handler replaced Node's default (end the process): remove the containers, then
  // step aside and re-raise, so the process still ends by the signal (through signal-exit, if
  // it is there, which then finds itself alone and re-raises in turn).
  removeOwnedNow();
  uninstallSignalHooks();
  process.kill(process.pid, signal);
}

/** Called before a start: from then on, exit and the signals remove what this process owns. */
function guard(): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', removeOwnedNow);
  }
  for (const signal of SIGNALS) if (!process.listeners(signal).includes(onSignal)) process.on(signal, onSignal);
}

function unguardIfIdle(): void {
  if (owned.size === 0 && startsInFlight === 0) uninstallSignalHooks();
}

function uninstallSignalHooks(): void {
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

function disown(id: string): void {
  owned.delete(id);
  unguardIfIdle();
}

/**
 * An exit handler cannot wait for Dockerode, so this runs the docker CLI synchronously. While a
 * start is in flight, the containers carrying this process's owner label are removed too (Docker
 * may have created one whose id has not come back yet).
 */
function removeOwnedNow(): void {
  const ids = new Set(owned);
  owned.clear();
  if (startsInFlight > 0) {
    const listed = spawnSync('docker', ['ps', '--all', '--quiet', '--no-trunc', '--filter', `label=${OWNER_LABEL}=${ownerLabelValue()}`], {
      encoding: 'utf8',
      timeout: CLI_REMOVE_TIMEOUT_MS,
    });
    for (const id of (listed.stdout ?? '').split('\n')) if (id.trim() !== '') ids.add(id.trim());
  }
  if (ids.size === 0) return;
  spawnSync('docker', ['rm', '--force', ...ids], { stdio: 'ignore', timeout: CLI_REMOVE_TIMEOUT_MS });
}

/** The containers this process has created and not yet removed (for tests). */
export function ownedContainers(): readonly string[] {
  return [...owned];
}

// ---- Starting and stopping ----

export interface ContainerSpec {
  image: string;
  command: string[];
  /** RUNTIME_LABEL's value: which part of the project started the container. */
  role: string;
  environment?: Record<string, string>;
  /**
   * When the start is done: the container log line that says it is ready (testcontainers'
   * Wait.forLogMessage), or 'exit' for a one-shot command that must end with status 0.
   */
  ready: RegExp | 'exit';
  startupTimeoutMs: number;
  /** Passes /dev/kvm into the container. */
  kvm?: boolean;
  /** Receives the container's log (stdout and stderr, demultiplexed), from its first line. */
  onLog?: (stream: Readable) => void;
  /** Told the id as soon as Docker has created the container, before it starts. */
  onCreated?: (id: string) => void;
}

/**
 * Starts a container on the host network and resolves once it is `ready`. On any
 * failure the container is gone before this rejects.
 */
export async function startContainer(spec: ContainerSpec): Promise<StartedContainer> {
  const tc = await loadTestcontainers();
  let createdId: string | undefined;
  // containerCreated is the hook testcontainers calls between create and start; hostConfig is the
  // only way to pass a device.
  class ProjectContainer extends tc.GenericContainer {
    constructor() {
      super(spec.image);
      if (spec.kvm === true) this.hostConfig.Devices = [{ PathOnHost: '/dev/kvm', PathInContainer: '/dev/kvm', CgroupPermissions: 'rwm' }];
    }

    protected override async containerCreated(id: string): Promise<void> {
      createdId = id;
      owned.add(id);
      spec.onCreated?.(id);
    }
  }
  const container = new ProjectContainer()
    .withNetworkMode('host')
    .withCommand(spec.command)
    .withEnvironment(spec.environment ?? {})
    .withLabels({ [RUNTIME_LABEL]: spec.role, [OWNER_LABEL]: ownerLabelValue() })
    .withPullPolicy({ shouldPull: () => false })
    .withWaitStrategy((spec.ready === 'exit' ? tc.Wait.forOneShotStartup() : tc.Wait.forLogMessage(spec.ready)).withStartupTimeout(spec.startupTimeoutMs));
  if (spec.onLog !== undefined) container.withLogConsumer(spec.onLog);
  guard();
  startsInFlight++;
  try {
    return await container.start();
  } catch (error) {
    if (createdId !== undefined) await removeContainerById(createdId);
    throw error;
  } finally {
    startsInFlight--;
    unguardIfIdle();
  }
}

/**
 * Stops the container (SIGTERM, then SIGKILL after `timeoutMs`) and removes it; resolves once it is
 * gone, also when it had already ended or been removed.
 */
export async function stopContainer(container: StartedContainer, timeoutMs = 0): Promise<void> {
  // Errors here are settled below: testcontainers' stop() does nothing the second time (a
  // container stopped earlier without removal stays), so removal is always made sure of by id.
  await container.stop({ timeout: timeoutMs, remove: true, removeVolumes: true }).catch(() => {});
  await removeContainerById(container.getId());
}

/** Docker's answers for a container that is already stopped (304), gone (404) or being removed (409). */
function alreadyGoing(error: unknown): boolean {
  const status = (error as { statusCode?: number } | undefined)?.statusCode;
  return status === 304 || status === 404 || status === 409;
}

/** Stops (at once) and removes a container by id, whatever its state. */
export async function removeContainerById(id: string): Promise<void> {
  const tc = await loadTestcontainers();
  const client = await tc.getContainerRuntimeClient();
  const container = client.container.getById(id);
  await client.container.stop(container, { timeout: 0 }).catch((error: unknown) => {
    if (!alreadyGoing(error)) throw error;
  });
  await client.container.remove(container, { removeVolumes: true }).catch((error: unknown) => {
    if (!alreadyGoing(error)) throw error;
  });
  disown(id);
}

/**
 * Removes the containers of RUNTIME_LABEL `role` on this machine whose owning process no longer
 * runs (it was killed before it could remove them). Containers of live processes are left alone.
 */
export async function removeLeftovers(docker: Dockerode, role: string): Promise<string[]> {
  const containers = await docker.listContainers({ all: true, filters: { label: [`${RUNTIME_LABEL}=${role}`] } });
  const prefix = `${hostname()}:`;
  const removed: string[] = [];
  for (const info of containers) {
    const owner = info.Labels[OWNER_LABEL];
    if (owner?.startsWith(prefix) !== true) continue;
    if (processRuns(Number(owner.slice(prefix.length)))) continue;
    await docker
      .getContainer(info.Id)
      .remove({ force: true, v: true })
      .then(() => removed.push(info.Id))
      .catch(() => {}); // Another process may be removing it too.
  }
  return removed;
}

function processRuns(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true; // Not ours to judge.
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
