// Scenarios with a real-runtime node on a machine that lacks what the node needs (the QEMU VM image,
// qemu-system-x86_64, a Docker engine, the nvmf-sim/linux-vm image): one line naming the file, the
// node's runtime field, what is missing and the command that installs or builds it, exit status 2,
// and nothing booted. None of these tests needs QEMU or Docker: the build directory is an empty
// temp dir, PATH is a temp dir, and the Docker engine is a missing socket or a fake one that
// answers only the two requests the check makes.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import Dockerode from 'dockerode';
import type { TraceRecord } from '../sim/core/trace.js';
import { checkRealPrerequisites } from '../sim/scenario/real-prerequisites.js';
import { runScenario } from '../sim/scenario/runner.js';
import { ScenarioError } from '../sim/scenario/scenario-error.js';
import type { Scenario } from '../sim/scenario/types.js';
import { resolveScenario } from '../sim/scenario/validate.js';
import { BIN, type Run } from './helpers/cli-run.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NQN = 'nqn.2014-08.org.nvmf-sim:real-prerequisites';
const BUILD_VM = 'bash images/vm/build.sh';
const BUILD_DOCKER = 'bash images/vm/build.sh && bash images/docker/build-image.sh';
const START_DOCKERD = 'start one with `dockerd --bridge=none --iptables=false &` (install it with `apt-get install -y docker.io`)';

const tmp = mkdtempSync(join(tmpdir(), 'nvmf-sim-prereq-'));
test.after.always(() => rmSync(tmp, { recursive: true, force: true }));

/** A build directory without the image and one with stand-ins for its three files; a PATH without
 * qemu-system-x86_64 and one with a stand-in for it. */
const dirs = {
  emptyBuild: join(tmp, 'empty-build'),
  fullBuild: join(tmp, 'full-build'),
  emptyBin: join(tmp, 'empty-bin'),
  qemuBin: join(tmp, 'qemu-bin'),
};
for (const dir of Object.values(dirs)) mkdirSync(dir);
for (const file of ['vmlinuz', 'initramfs.cpio.gz', 'vm.json']) writeFileSync(join(dirs.fullBuild, file), '');
const fakeQemu = join(dirs.qemuBin, 'qemu-system-x86_64');
writeFileSync(fakeQemu, '#!/bin/sh\nexit 1\n');
chmodSync(fakeQemu, 0o755);
/** A unix socket path nothing listens on. */
const noEngine = join(tmp, 'docker.sock');

function scenario(runtime: 'qemu' | 'docker' | 'sim'): Scenario {
  return {
    name: 'prerequisites',
    duration: '1s',
    nodes: [{ name: 'host' }, { name: 'linux', runtime }],
    links: [{ a: 'host', b: 'linux' }],
    targets: [{ node: 'linux', subsystems: [{ nqn: NQN, namespaces: [{ backend: 'null:64MiB' }] }] }],
    hosts: [{ node: 'host', connect: { target: 'linux' }, workload: { rw: 'randread', iodepth: 1 } }],
  };
}

/** A docker-runtime scenario as a file the CLI can load (plain module, no imports). */
const dockerFile = join(tmp, 'docker-target.mjs');
writeFileSync(dockerFile, `export default ${JSON.stringify(scenario('docker'))};\n`);

/** The nvmf-sim bin in the repository root with extra environment, as a user's shell would run it. */
function nvmfSim(args: readonly string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Exactly one stderr line, nothing on stdout, exit status 2 (a usage error, not a failed invariant). */
const prerequisiteError = test.macro(async (t, args: readonly string[], env: Record<string, string>, expected: string) => {
  const run = await nvmfSim(args, env);
  t.is(run.code, 2, run.stderr);
  t.is(run.stderr, `nvmf-sim: ${expected}\n`);
  t.is(run.stdout, '');
});

test(
  'scenario real-prerequisites: run without the qemu VM image exits 2 naming the node and the build command',
  prerequisiteError,
  ['run', 'scenarios/interop-linux-target.ts'],
  { NVMF_VM_BUILD_DIR: dirs.emptyBuild, PATH: dirs.qemuBin },
  `scenarios/interop-linux-target.ts: nodes[1].runtime: 'qemu' needs the interop VM image, but ${dirs.emptyBuild} has no vmlinuz, initramfs.cpio.gz, vm.json: ` +
    `build it with \`NVMF_VM_BUILD_DIR=${dirs.emptyBuild} ${BUILD_VM}\``,
);

test(
  'scenario real-prerequisites: run without qemu-system-x86_64 exits 2 naming the apt package',
  prerequisiteError,
  ['run', 'scenarios/interop-linux-target.ts', '--json'],
  { NVMF_VM_BUILD_DIR: dirs.fullBuild, PATH: dirs.emptyBin },
  "scenarios/interop-linux-target.ts: nodes[1].runtime: 'qemu' needs qemu-system-x86_64, which is not on PATH: install it with `apt-get install -y qemu-system-x86`",
);

test(
  'scenario real-prerequisites: run with no Docker engine reachable exits 2 naming DOCKER_HOST and how to start one',
  prerequisiteError,
  ['run', dockerFile],
  { DOCKER_HOST: `unix://${noEngine}` },
  `${dockerFile}: nodes[1].runtime: 'docker' needs a running Docker engine, but none answers on unix://${noEngine} (ENOENT): ${START_DOCKERD}`,
);

/** Runs fn with environment variables set, restoring them after (serial tests only: env is per process). */
async function withEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

test.serial('scenario real-prerequisites: runScenario rejects before booting instead of reporting a crash', async (t) => {
  const records: TraceRecord[] = [];
  const resolved = resolveScenario(scenario('docker'), 'real.ts');
  const tracePath = join(tmp, 'refused.jsonl');
  const error = await withEnv({ DOCKER_HOST: `unix://${noEngine}` }, () =>
    t.throwsAsync(runScenario(resolved, { trace: { record: (record) => void records.push(record) } }), { instanceOf: ScenarioError }),
  );
  await withEnv({ DOCKER_HOST: `unix://${noEngine}` }, () => t.throwsAsync(runScenario(resolved, { tracePath }), { instanceOf: ScenarioError }));
  t.false(existsSync(tracePath), 'a refused run creates no trace file');
  t.is(error?.message, `real.ts: nodes[1].runtime: 'docker' needs a running Docker engine, but none answers on unix://${noEngine} (ENOENT): ${START_DOCKERD}`);
  t.is(error?.field, 'nodes[1].runtime');
  t.deepEqual(records, [], 'nothing started, so nothing was traced (no crash record)');
});

test.serial('scenario real-prerequisites: a missing image and a missing qemu binary are one line together', async (t) => {
  const error = await withEnv({ PATH: dirs.emptyBin }, () =>
    t.throwsAsync(checkRealPrerequisites(resolveScenario(scenario('qemu'), 'real.ts'), { buildDir: dirs.emptyBuild }), { instanceOf: ScenarioError }),
  );
  t.is(
    error?.message,
    `real.ts: nodes[1].runtime: 'qemu' needs the interop VM image, but ${dirs.emptyBuild} has no vmlinuz, initramfs.cpio.gz, vm.json: ` +
      `build it with \`NVMF_VM_BUILD_DIR=${dirs.emptyBuild} ${BUILD_VM}\`; and qemu-system-x86_64, which is not on PATH: install it with \`apt-get install -y qemu-system-x86\``,
  );
});

test.serial('scenario real-prerequisites: a qemu node with its image and binary present passes', async (t) => {
  await withEnv({ PATH: dirs.qemuBin }, () => t.notThrowsAsync(checkRealPrerequisites(resolveScenario(scenario('qemu'), 'real.ts'), { buildDir: dirs.fullBuild })));
});

test('scenario real-prerequisites: a simulated-only scenario checks nothing', async (t) => {
  // An empty build dir and no engine: nothing is looked at, so nothing is missing.
  const docker = new Dockerode({ socketPath: noEngine });
  await t.notThrowsAsync(checkRealPrerequisites(resolveScenario(scenario('sim'), 'sim.ts'), { buildDir: dirs.emptyBuild, docker }));
});

/** A Docker engine on a unix socket that answers /_ping and image inspect (with or without the image). */
async function fakeEngine(t: { teardown: (fn: () => Promise<void>) => void }, images: readonly string[]): Promise<string> {
  const socket = join(mkdtempSync(join(tmp, 'engine-')), 'docker.sock');
  const server: Server = createServer((request, response) => {
    const url = request.url ?? '';
    const inspect = /^\/images\/(.+)\/json$/.exec(url);
    if (url === '/_ping') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
    } else if (inspect !== null && images.includes(decodeURIComponent(inspect[1] ?? ''))) {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ Id: 'sha256:0', Config: { Labels: {} } }));
    } else {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `No such image: ${inspect?.[1] ?? url}` }));
    }
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return socket;
}

test('scenario real-prerequisites: a Docker engine without the nvmf-sim/linux-vm image names the build commands', async (t) => {
  const socket = await fakeEngine(t, []);
  const error = await t.throwsAsync(
    checkRealPrerequisites(resolveScenario(scenario('docker'), 'real.ts'), { docker: new Dockerode({ socketPath: socket }) }),
    { instanceOf: ScenarioError },
  );
  t.is(error?.message, `real.ts: nodes[1].runtime: 'docker' needs the image nvmf-sim/linux-vm:latest, which the Docker engine on unix://${socket} does not have: build it with \`${BUILD_DOCKER}\``);
});

test('scenario real-prerequisites: a Docker engine with the image passes', async (t) => {
  const socket = await fakeEngine(t, ['nvmf-sim/linux-vm:latest']);
  await t.notThrowsAsync(checkRealPrerequisites(resolveScenario(scenario('docker'), 'real.ts'), { docker: new Dockerode({ socketPath: socket }) }));
});
