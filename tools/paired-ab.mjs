// Paired A/B of the NVMe/TCP target + host code, for speed work on a shared, noisy machine: two
// builds (two checkouts' dist/) run in one process, each a null-namespace target and a host with the
// CLI's workload (4 KiB randread, 4 queues x QD32), and short trials alternate between them, so
// both see the same neighbours. What is compared is CPU per I/O (all threads, process.cpuUsage);
// the median of the per-pair ratios B/A is printed (an A/A run shows the noise, about +-3%).
// The link is an in-memory pipe that delivers a tick's writes on the next setImmediate in reads of
// at most 64 KiB as Buffers, staging small writes as real sockets do (no kernel cost), or real
// loopback sockets with REAL=1.
// Usage: node tools/paired-ab.mjs DIR_A DIR_B [PAIRS]   (each DIR holds a built dist/)
/* global setImmediate */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const READ_BYTES = 64 * 1024;
const SLAB_BYTES = 1 << 20;
const TRIAL_NS = 0.2e9;
/** RealStream's staging (real-network.ts). */
const COALESCE_MAX_BYTES = 512;
const STAGING_BYTES = 64 * 1024;
const NQN = 'nqn.2014-08.org.nvmexpress:nvmf-sim:target';

let slab = new ArrayBuffer(SLAB_BYTES);
let used = 0;
/** Fresh bytes for one delivered read, a Buffer as a socket's are (views stay valid, as theirs do). */
function take(length) {
  if (used + length > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    used = 0;
  }
  const view = Buffer.from(slab, used, length);
  used = (used + length + 7) & ~7;
  return view;
}

/** One end of the in-memory pipe (the ByteStream seam). */
class PipeEnd {
  constructor(local, remote) {
    this.local = local;
    this.remote = remote;
    this.closed = false;
    this.handlers = null;
    this.peer = null;
    this.queue = [];
    this.queued = 0;
    this.scheduled = false;
    this.early = [];
    this.staging = Buffer.allocUnsafe(0);
    this.stagedFrom = 0;
    this.stagedTo = 0;
    this.staged = { bytes: this.staging, offset: 0, belowHighWater: true };
  }

  setHandlers(handlers) {
    this.handlers = handlers;
    for (const chunk of this.early) handlers.data(chunk);
    this.early = [];
  }

  // Small chunks are copied into a staging buffer and staged room is handed out (stage()) as
  // real-network.ts RealStream does, so the JS cost of either way of writing is the real one.
  write(chunk) {
    if (this.closed) return false;
    this.schedule();
    if (chunk.length <= COALESCE_MAX_BYTES) {
      this.roomFor(chunk.length);
      this.staging.set(chunk, this.stagedTo);
      this.stagedTo += chunk.length;
    } else {
      this.flushStaged();
      this.queue.push(chunk);
      this.queued += chunk.length;
    }
    return true;
  }

  stage(length) {
    if (this.closed || length > COALESCE_MAX_BYTES) return null;
    this.schedule();
    this.roomFor(length);
    this.staged.bytes = this.staging;
    this.staged.offset = this.stagedTo;
    this.stagedTo += length;
    return this.staged;
  }

  schedule() {
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  roomFor(length) {
    if (this.stagedTo + length <= this.staging.length) return;
    this.flushStaged();
    this.staging = Buffer.allocUnsafe(STAGING_BYTES);
    this.stagedFrom = 0;
    this.stagedTo = 0;
  }

  flushStaged() {
    if (this.stagedTo === this.stagedFrom) return;
    this.queue.push(this.staging.subarray(this.stagedFrom, this.stagedTo));
    this.queued += this.stagedTo - this.stagedFrom;
    this.stagedFrom = this.stagedTo;
  }

  flush() {
    this.scheduled = false;
    this.flushStaged();
    const queue = this.queue;
    let total = this.queued;
    this.queue = [];
    this.queued = 0;
    let index = 0;
    let offset = 0;
    while (total > 0) {
      const length = Math.min(READ_BYTES, total);
      const read = take(length);
      for (let at = 0; at < length; ) {
        const chunk = queue[index];
        const step = Math.min(chunk.length - offset, length - at);
        read.set(chunk.subarray(offset, offset + step), at);
        at += step;
        offset += step;
        if (offset === chunk.length) {
          index++;
          offset = 0;
        }
      }
      total -= length;
      if (this.peer.handlers !== null) this.peer.handlers.data(read);
      else this.peer.early.push(read);
    }
  }

  end() {
    this.closed = true;
  }

  destroy() {
    this.closed = true;
  }
}

class PipeNetwork {
  constructor() {
    this.listeners = new Map();
    this.nextPort = 50000;
  }

  listen(address, onStream) {
    this.listeners.set(address.port, onStream);
    return Promise.resolve({ address, close: () => Promise.resolve() });
  }

  connect(address) {
    const onStream = this.listeners.get(address.port);
    const local = { host: '10.0.0.1', port: this.nextPort++ };
    const near = new PipeEnd(local, address);
    const far = new PipeEnd(address, local);
    near.peer = far;
    far.peer = near;
    setImmediate(() => onStream(far));
    return Promise.resolve(near);
  }
}

/** Builds one build's target and host; returns a function running one trial. */
async function stack(dir) {
  const load = (path) => import(pathToFileURL(resolve(dir, 'dist', path)).href);
  const { RealClock, RealCpu, SeededRngSource, stderrLogger } = await load('core/index.js');
  const { NvmeTarget } = await load('target/index.js');
  const { connectController } = await load('host/index.js');
  const { WorkloadRun, resolveJob } = await load('workload/index.js');
  const { RealNetwork } = await load('net/index.js');
  const real = process.env.REAL !== undefined;
  const network = real ? new RealNetwork() : new PipeNetwork();
  const traddr = real ? '127.0.0.1' : '10.0.0.2';
  const env = (name) => ({ network, clock: new RealClock(), cpu: new RealCpu(), rng: new SeededRngSource('1'), log: stderrLogger('warn', name) });
  const port = real ? 40000 + Math.floor(Math.random() * 20000) : 4420;
  const target = new NvmeTarget(env('target: '), {
    subsystems: [{ nqn: NQN, allowAnyHost: true, namespaces: [{ nsid: 1, device: 'null:1GiB' }] }],
    ports: [{ portid: 1, traddr, trsvcid: port, subsystems: [NQN] }],
  });
  await target.start();
  const hostEnv = env('host: ');
  const controller = await connectController(hostEnv, { traddr, trsvcid: port, nqn: NQN, nrIoQueues: 4 });
  const device = await controller.namespace(1);
  return async () => {
    const job = resolveJob({ rw: 'randread', bs: 4096, iodepth: 128, queues: 4, runtimeNs: TRIAL_NS }, device);
    const run = new WorkloadRun(hostEnv, device, job, {});
    const start = process.cpuUsage();
    const result = await new Promise((done) => run.start(done));
    const cpu = process.cpuUsage(start);
    return ((cpu.user + cpu.system) * 1000) / result.read.ios;
  };
}

const [dirA, dirB, pairsText] = process.argv.slice(2);
if (dirA === undefined || dirB === undefined) {
  console.error('usage: node tools/paired-ab.mjs DIR_A DIR_B [PAIRS]');
  process.exit(2);
}
const trialA = await stack(dirA);
const trialB = await stack(dirB);
for (let warm = 0; warm < 4; warm++) {
  await trialA();
  await trialB();
}
const ratios = [];
const costsA = [];
const costsB = [];
const pairs = Number(pairsText ?? 30);
for (let pair = 0; pair < pairs; pair++) {
  // Alternate which build goes first, so a trend in the neighbours' load cancels out.
  const aFirst = pair % 2 === 0;
  const first = aFirst ? await trialA() : await trialB();
  const second = aFirst ? await trialB() : await trialA();
  const a = aFirst ? first : second;
  const b = aFirst ? second : first;
  ratios.push(b / a);
  costsA.push(a);
  costsB.push(b);
}
const median = (values) => values.slice().sort((x, y) => x - y)[values.length >> 1];
console.log(JSON.stringify({ pairs, ratioBtoA: Number(median(ratios).toFixed(3)), aNsPerIo: Math.round(median(costsA)), bNsPerIo: Math.round(median(costsB)) }));
process.exit(0);
