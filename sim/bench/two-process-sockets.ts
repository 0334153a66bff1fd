// Benchmark "sockets2p": real sockets with the target and the host in separate processes, as they
// are in real life. `nvmf-sim target` (a null namespace) in one process and `nvmf-sim io` (4 KiB
// random reads, 4 queues x QD32) in another, against a raw exchange of the same bytes between two
// processes (raw-peer.mjs), both ends corked as the stack's streams are. Each side's CPU
// seconds per I/O (from /proc, sampled while it runs) say which process is the bottleneck.
// Goal (issue 13): the stack at >= 0.6x the raw exchange.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Benchmark } from './benchmark.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../sim/cli/nvmf-sim.mjs', import.meta.url));
const RAW_PEER = fileURLToPath(new URL('./raw-peer.mjs', import.meta.url));
const QUEUES = 4;
const DEPTH_PER_QUEUE = 32;
/** NVMe/TCP wire sizes of a 4 KiB read: CapsuleCmd out; C2HData header + data + CapsuleResp back. */
const COMMAND_PDU_BYTES = 72;
const RESPONSE_BYTES = 24 + 4096 + 24;
const NQN = 'nqn.2014-08.org.nvmexpress:nvmf-sim:target';
const GOAL_RATIO = 0.6;
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a running process has used, from /proc/PID/stat (Linux). */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Samples a child's CPU time every 50 ms, so the last sample before it exits is kept. */
function trackCpu(child: ChildProcess): () => number {
  let last = 0;
  const timer = setInterval(() => {
    last = cpuSeconds(child.pid) || last;
  }, 50);
  child.once('exit', () => clearInterval(timer));
  return () => {
    clearInterval(timer);
    return Math.max(last, cpuSeconds(child.pid));
  };
}

/** Starts a process and resolves with the first stdout line matching `pattern`. */
function startServer(args: readonly string[], pattern: RegExp): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NVMF_SIM_FROM: 'dist' } });
    let text = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      text += chunk;
      const match = pattern.exec(text);
      if (match !== null) resolve({ child, match });
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited (${code}) before printing ${pattern}`)));
  });
}

/** Runs a process to its end; resolves with its stdout. */
function runToEnd(args: readonly string[]): { done: Promise<string>; child: ChildProcess } {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NVMF_SIM_FROM: 'dist' } });
  let text = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => (text += chunk));
  const done = new Promise<string>((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`${args.slice(0, 3).join(' ')} exited with ${code}`)))),
  );
  return { done, child };
}

interface SideCost {
  readonly ratePerS: number;
  readonly serverCpuUsPerOp: number;
  readonly clientCpuUsPerOp: number;
}

async function stack(seconds: number): Promise<SideCost> {
  const target = await startServer([BIN, 'target', '--listen', '127.0.0.1:0', '--ns', 'null:1GiB', '--allow-any-host'], /listening on 127\.0\.0\.1:(\d+)/);
  const targetCpu = trackCpu(target.child);
  try {
    const targetStart = cpuSeconds(target.child.pid);
    const io = runToEnd([
      BIN, 'io', '-t', 'tcp', '-a', '127.0.0.1', '-s', target.match[1] ?? '', '-n', NQN, '-i', String(QUEUES),
      '--rw', 'randread', '--bs', '4k', '--iodepth', String(QUEUES * DEPTH_PER_QUEUE), '--runtime', `${seconds}s`, '--json',
    ]);
    const hostCpu = trackCpu(io.child);
    const report = JSON.parse(await io.done) as { jobs: { read: { total_ios: number; runtime: number } }[] };
    const read = report.jobs[0]?.read;
    if (read === undefined || read.total_ios === 0) throw new Error('sockets2p: nvmf-sim io completed no I/O');
    const ops = read.total_ios;
    return {
      ratePerS: ops / (read.runtime / 1000),
      serverCpuUsPerOp: ((targetCpu() - targetStart) / ops) * 1e6,
      clientCpuUsPerOp: (hostCpu() / ops) * 1e6,
    };
  } finally {
    target.child.kill('SIGTERM');
  }
}

async function raw(seconds: number): Promise<SideCost> {
  const server = await startServer([RAW_PEER, 'server', String(COMMAND_PDU_BYTES), String(RESPONSE_BYTES)], /port (\d+)/);
  const serverCpu = trackCpu(server.child);
  try {
    const serverStart = cpuSeconds(server.child.pid);
    const client = runToEnd([
      RAW_PEER, 'client', server.match[1] ?? '', String(QUEUES), String(DEPTH_PER_QUEUE), String(COMMAND_PDU_BYTES), String(RESPONSE_BYTES), String(seconds),
    ]);
    const clientCpu = trackCpu(client.child);
    const result = JSON.parse(await client.done) as { requests: number; seconds: number };
    if (result.requests === 0) throw new Error('sockets2p: the raw exchange moved nothing');
    return {
      ratePerS: result.requests / result.seconds,
      serverCpuUsPerOp: ((serverCpu() - serverStart) / result.requests) * 1e6,
      clientCpuUsPerOp: (clientCpu() / result.requests) * 1e6,
    };
  } finally {
    server.child.kill('SIGTERM');
  }
}

const rounded = (value: number, digits = 2): number => Number(value.toFixed(digits));

export const socketsTwoProcess: Benchmark = {
  name: 'sockets2p',
  description: `4 KiB random reads, ${QUEUES} queues x ${DEPTH_PER_QUEUE}: nvmf-sim target and nvmf-sim io in two processes vs a corked two-process raw exchange`,
  async run(options) {
    options.note(`sockets2p: nvmf-sim target + nvmf-sim io, ${options.seconds} s`);
    const nvme = await stack(options.seconds);
    options.note(`sockets2p: raw exchange, two processes, ${options.seconds} s`);
    const baseline = await raw(options.seconds);
    const ratio = nvme.ratePerS / baseline.ratePerS;
    return {
      sockets2p: {
        iops: Math.round(nvme.ratePerS),
        rawExchangeRate: Math.round(baseline.ratePerS),
        ratio: rounded(ratio, 3),
        // CPU microseconds per I/O in each process (both include their JIT warm-up).
        targetCpuUsPerIo: rounded(nvme.serverCpuUsPerOp),
        hostCpuUsPerIo: rounded(nvme.clientCpuUsPerOp),
        rawServerCpuUsPerIo: rounded(baseline.serverCpuUsPerOp),
        rawClientCpuUsPerIo: rounded(baseline.clientCpuUsPerOp),
        goal: { ratio: GOAL_RATIO, met: ratio >= GOAL_RATIO },
      },
    };
  },
};
