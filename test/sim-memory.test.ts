// Issue 3: statistics are streaming and memory stays flat over a long run unless a trace is asked
// for. The reference scenario runs for 600 simulated ms (some 400,000 I/Os); the heap, measured
// after full collections while the run is between slices, may not grow between 150 ms and 600 ms
// by more than a small allowance that is far below what keeping anything per I/O would cost
// (even 8 bytes per I/O would be 2.4 MB over the 300,000 I/Os in between).
import v8 from 'node:v8';
import vm from 'node:vm';
import test, { type ExecutionContext } from 'ava';
import { loadScenario } from '../sim/scenario/load.js';
import type { RunProgress } from '../sim/scenario/runner.js';
import { runScenario } from '../sim/scenario/runner.js';
import type { ResolvedScenario } from '../sim/scenario/resolved.js';

const NS_PER_MS = 1e6;
const EARLY_NS = 150 * NS_PER_MS;
const LATE_NS = 600 * NS_PER_MS;
/** The randwrite run is slower to simulate: a shorter window, still 100,000+ I/Os. */
const WRITE_EARLY_NS = 100 * NS_PER_MS;
const WRITE_LATE_NS = 350 * NS_PER_MS;
/** Growth allowed between the two samples: JIT code, lazily grown rings and slabs in use. */
const ALLOWED_GROWTH_BYTES = 1.5 * 1024 * 1024;

/** V8's gc(), exposed for this process when the test runner did not start node with --expose-gc. */
function gcFunction(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

/** Runs `scenario`, sampling the heap after full collections at `earlyNs` and `lateNs` of the run. */
async function heapBetween(
  t: ExecutionContext,
  scenario: ResolvedScenario,
  earlyNs: number,
  lateNs: number,
): Promise<{ readonly iosBetween: number; readonly growth: number }> {
  const gc = gcFunction();
  const samples: { readonly simNs: number; readonly ios: number; readonly heapUsed: number }[] = [];
  const sample = (progress: RunProgress): void => {
    gc();
    gc();
    samples.push({ simNs: progress.simNs, ios: progress.ios, heapUsed: process.memoryUsage().heapUsed });
  };
  let next = earlyNs;
  const result = await runScenario(scenario, {
    progressIntervalNs: 10 * NS_PER_MS,
    onProgress: (progress) => {
      if (progress.phase !== 'run' || progress.simNs < next) return;
      sample(progress);
      next = next === earlyNs ? lateNs : Infinity;
    },
  });
  t.true(result.ok, result.failure ?? '');
  const [early, late] = samples;
  if (early === undefined || late === undefined) throw new Error(`expected two samples, got ${samples.length}`);
  const iosBetween = late.ios - early.ios;
  const growth = late.heapUsed - early.heapUsed;
  t.log(`heap ${early.heapUsed} -> ${late.heapUsed} bytes over ${iosBetween} I/Os (${(growth / iosBetween).toFixed(2)} B/IO)`);
  return { iosBetween, growth };
}

test('sim: memory stays flat over a long run without a trace', async (t) => {
  const scenario = await loadScenario('scenarios/reference.ts', { durationNs: LATE_NS });
  const { iosBetween, growth } = await heapBetween(t, scenario, EARLY_NS, LATE_NS);
  t.true(iosBetween > 200_000, `${iosBetween} I/Os between the samples`);
  t.true(growth < ALLOWED_GROWTH_BYTES, `heap grew ${growth} bytes over ${iosBetween} I/Os`);
});

// Issue 9: writes too. Nothing reads the reference namespace back (no verify), so the simulated
// SSD drops written bytes; keeping them cost a 4 KiB page per random write (some 6 GB per
// simulated second).
test('sim: memory stays flat over a long randwrite run that nothing reads back', async (t) => {
  const scenario = await loadScenario('scenarios/reference.ts', { durationNs: WRITE_LATE_NS }, [{ path: 'hosts[0].workload.rw', value: 'randwrite' }]);
  const { iosBetween, growth } = await heapBetween(t, scenario, WRITE_EARLY_NS, WRITE_LATE_NS);
  t.true(iosBetween > 100_000, `${iosBetween} I/Os between the samples`);
  t.true(growth < ALLOWED_GROWTH_BYTES, `heap grew ${growth} bytes over ${iosBetween} I/Os`);
});
