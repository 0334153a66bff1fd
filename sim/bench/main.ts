// `npm run bench`: named benchmarks, each returning a fragment of one JSON object printed on stdout.
// `npm run bench -- --only NAME` runs one; `--seconds S` changes the measured time of those that
// take one. Progress notes go to stderr so stdout stays machine-readable. It runs the compiled code
// (dist/bench, built first), as the `nvmf-sim` bin runs dist/: measured through tsx the simulator is
// slower and larger (esbuild's keep-names wrappers give every closure its own property
// dictionary, about 34 per connection). `npm run bench:sources` runs the sources, for development.
import type { Benchmark, BenchOptions } from './benchmark.js';
import { socketsTwoProcess } from './two-process-sockets.js';
import { simFleetBench, simMemoryBench, simMixedBench, simReferenceBench } from './sim-bench.js';
import { startup } from './startup.js';
import { studyBench, timeSeriesBench } from './study-bench.js';

/** Add new benchmarks here; each returns a fragment merged into the printed object. */
export const BENCHMARKS: readonly Benchmark[] = [
  startup,
  socketsTwoProcess,
  {
    name: 'simReference',
    description: 'simulated I/Os and events per wall second on scenarios/reference.ts',
    run: async () => ({ ...(await simReferenceBench()) }),
  },
  {
    name: 'simFleet',
    description: '64 hosts x 8 queues against 4 targets through one switch, per-I/O cost vs reference',
    run: async () => ({ ...(await simFleetBench()) }),
  },
  {
    name: 'simMixed',
    description: '4 KiB randrw 70/30 against randread on scenarios/reference.ts, per-I/O cost',
    run: async () => ({ ...(await simMixedBench()) }),
  },
  {
    name: 'simMemory',
    description: 'memory per simulated connection',
    run: async () => ({ ...(await simMemoryBench()) }),
  },
  {
    name: 'study',
    description: 'an 8-point study on 1 and 2 workers (1 s and 120 ms points): speedup, and the pool overhead per point',
    run: studyBench,
  },
  {
    name: 'timeSeries',
    description: 'bytes of time series per interval, on the reference scenario',
    run: timeSeriesBench,
  },
];

function usage(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.stderr.write(`usage: npm run bench -- [--only ${BENCHMARKS.map((b) => b.name).join('|')}] [--seconds S]\n`);
  process.exit(2);
}

async function benchMain(argv: readonly string[]): Promise<void> {
  let only: string | undefined;
  let seconds = 5;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--only') only = argv[++i] ?? usage('--only needs a benchmark name');
    else if (arg === '--seconds') {
      seconds = Number(argv[++i]);
      if (!Number.isFinite(seconds) || seconds <= 0) usage('--seconds needs a positive number');
    } else usage(`unknown argument '${arg}'`);
  }
  const selected = only === undefined ? BENCHMARKS : BENCHMARKS.filter((b) => b.name === only);
  if (selected.length === 0) usage(`unknown benchmark '${only}'`);
  const options: BenchOptions = { seconds, note: (message) => process.stderr.write(`bench: ${message}\n`) };
  const output: Record<string, unknown> = {};
  for (const benchmark of selected) {
    options.note(`${benchmark.name}: ${benchmark.description}`);
    Object.assign(output, await benchmark.run(options));
  }
  process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
}

await benchMain(process.argv.slice(2));
// Sockets and timers of the benchmarks are closed; anything left over must not hold the process.
process.exit(0);
