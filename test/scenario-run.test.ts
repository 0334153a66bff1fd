// Running scenarios end to end: the reference scenario for a few simulated milliseconds through the
// runner and through `nvmf-sim run` (the command object, with a captured CliIo), and the report's
// shape: I/O flowed on every queue, nothing failed, every invariant held, and every run prints the
// command that repeats it.
import test from 'ava';
import { runCommand } from '../sim/cli/cmd-run.js';
import { formatDuration, repeatCommand } from '../sim/scenario/repeat-command.js';
import type { CliIo } from '../sim/cli/command.js';
import { UsageError } from '../sim/cli/args.js';
import { MemoryTraceSink } from '../sim/core/trace.js';
import { loadScenario } from '../sim/scenario/load.js';
import { runScenario } from '../sim/scenario/runner.js';

interface Captured extends CliIo {
  readonly stdout: string[];
  readonly stderr: string[];
}

function captureIo(): Captured {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (text) => void stdout.push(text),
    err: (text) => void stderr.push(text),
    errIsTty: false,
    untilSignal: () => new Promise(() => {}),
  };
}

test('scenario: a short reference run completes I/O on every queue without errors', async (t) => {
  const scenario = await loadScenario('scenarios/reference.ts', { durationNs: 20_000_000 });
  const trace = new MemoryTraceSink();
  const progress: number[] = [];
  const result = await runScenario(scenario, { trace, onProgress: (p) => progress.push(p.fraction) });
  t.true(result.ios > 0);
  t.is(result.errors, 0);
  t.true(result.ok, JSON.stringify(result.invariants));
  t.is(result.perQueue.length, 8);
  t.true(result.perQueue.every((queue) => queue.ios > 0));
  t.is(
    result.perQueue.reduce((sum, queue) => sum + queue.ios, 0),
    result.ios,
  );
  t.true(result.latencyUs.p50 > 0 && result.latencyUs.p50 <= result.latencyUs.p99 && result.latencyUs.p99 <= result.latencyUs.max);
  t.is(result.perHost[0]?.state, 'live');
  t.is(result.cpu.length, 2);
  t.true(result.events > result.ios);
  t.is(result.durationSeconds, 0.02);
  t.true(result.simSeconds >= 0.02);
  // Progress is reported on the 10 ms grid; the trace holds the run's milestones.
  t.deepEqual(progress.slice(0, 2), [0.5, 1]);
  t.is(trace.ofKind('workload-start').length, 1);
  t.is(trace.ofKind('workload-end').length, 1);
});

test('scenario: run --json prints one object with the required fields and the repeat command', async (t) => {
  const io = captureIo();
  const status = await runCommand.run(['scenarios/reference.ts', '--seed', '42', '--duration', '2ms', '--json'], io);
  t.is(status, 0);
  const parsed = JSON.parse(io.stdout.join('')) as Record<string, unknown>;
  for (const field of ['fingerprint', 'seed', 'simSeconds', 'wallSeconds', 'events', 'ios', 'iops', 'latencyUs', 'errors', 'perQueue']) {
    t.true(field in parsed, field);
  }
  t.like(parsed, { seed: '42', repeat: 'npx nvmf-sim run scenarios/reference.ts --seed 42 --duration 2ms' });
  t.deepEqual(Object.keys(parsed.latencyUs as object), ['p50', 'p99', 'p999', 'max', 'mean']);
  t.true(io.stderr.join('').includes('repeat: npx nvmf-sim run scenarios/reference.ts --seed 42 --duration 2ms'));
});

test('scenario: run prints a readable summary ending with the repeat command', async (t) => {
  const io = captureIo();
  const status = await runCommand.run(['scenarios/reference.ts', '--duration', '2ms'], io);
  t.is(status, 0);
  const text = io.stdout.join('');
  t.regex(text, /^scenario reference \(scenarios\/reference\.ts\), seed 42\n/);
  t.regex(text, /\nlatency \(us\): p50 /);
  // Per-queue rows name NVMe qids, 1..N (qid 0 is the admin queue).
  t.regex(text, /\nper queue:\n {2}host +qid +I\/Os +p50 µs +p99 µs .*\n {2}host +1 +\d/);
  t.regex(text, /\n {2}ok {3}ios-accounted: /);
  t.regex(text, /\nrepeat: npx nvmf-sim run scenarios\/reference\.ts --seed 42 --duration 2ms\n$/);
});

test('scenario: run reports a missing or broken scenario as one usage line', async (t) => {
  const missing = await t.throwsAsync(runCommand.run(['scenarios/nope.ts'], captureIo()), { instanceOf: UsageError });
  t.is(missing?.message, 'scenarios/nope.ts: no such file');
  const noFile = await t.throwsAsync(runCommand.run([], captureIo()), { instanceOf: UsageError });
  t.regex(noFile?.message ?? '', /^run needs a scenario file/);
  const badDuration = await t.throwsAsync(runCommand.run(['scenarios/reference.ts', '--duration', 'soon'], captureIo()));
  t.is(badDuration?.message, "--duration: malformed duration 'soon' (expected e.g. 5s, 200ms, 8us)");
});

test('scenario: repeat commands spell durations exactly and quote odd file names', (t) => {
  t.is(formatDuration(1e9), '1s');
  t.is(formatDuration(250e6), '250ms');
  t.is(formatDuration(1500e3), '1500us');
  t.is(formatDuration(7), '7ns');
  t.is(repeatCommand('my scenarios/a.ts', 'x', 1e9), "npx nvmf-sim run 'my scenarios/a.ts' --seed x --duration 1s");
});
