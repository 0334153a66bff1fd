// `nvmf-sim run FILE`: loads a scenario, runs it in the simulator and reports. With --json it prints
// one JSON object (fingerprint, seed, simSeconds, wallSeconds, events, ios, iops, latencyUs, errors,
// perQueue, ... and `repeat`); otherwise a readable summary, with a progress bar on stderr while it
// runs. Every run prints the one command that repeats it. A scenario that does not exist, does not
// compile or has a bad field, or whose real-runtime node lacks its prerequisite (VM image, QEMU,
// Docker engine or image), is a usage error (one line, exit 2), as is a --pcap file that cannot be
// written (checked before the run); a failed invariant prints its class and exits 127 (crash), 128
// (liveness) or 129 (correctness), as TigerBeetle's VOPR does. --pcap writes the simulated frames
// as a pcap file (pcap-output.ts).
import { parseDurationNs } from '../core/index.js';
import { loadScenario, splitAssignment, type FieldAssignment } from '../scenario/index.js';
import { FAILURE_EXIT_STATUS, worstFailure, type ScenarioResult } from '../scenario/index.js';
import type { RunProgress } from '../scenario/index.js';
import { repeatCommand, runScenario } from '../scenario/index.js';
import { ScenarioError } from '../scenario/index.js';
import { formatRunSummary } from '../report/index.js';
import { ArgReader, parseArgs, UsageError, type OptionSpec } from './args.js';
import type { CliIo, Command } from './command.js';
import { PcapOutput } from './pcap-output.js';
import { reportWritten, writeRunReport } from './report-output.js';

const OPTIONS: readonly OptionSpec[] = [
  { long: 'seed', kind: 'value', valueName: 'N', help: "run seed (default: the scenario's, else 1)" },
  { long: 'duration', kind: 'value', valueName: 'TIME', help: "simulated run time, e.g. 10s (default: the scenario's)" },
  { long: 'trace', kind: 'value', valueName: 'FILE', help: 'write a JSONL event trace (drops, faults, node and host events)' },
  { long: 'set', kind: 'list', valueName: 'PATH=VALUE', help: 'change a scenario field, e.g. hosts[*].connect.nrIoQueues=4 or links[0].options.lossRate=0.01' },
  { long: 'seeds', kind: 'value', valueName: 'LIST', help: 'run every seed of LIST (1..1000, 7, 1,5,9) on the worker pool and summarise failures' },
  { long: 'jobs', short: 'j', kind: 'value', valueName: 'N', help: 'worker processes for --seeds (default: one per core)' },
  { long: 'interval', kind: 'value', valueName: 'TIME', help: 'time series interval (default 10ms simulated, 100ms in real time)' },
  { long: 'per-queue', kind: 'flag', help: 'add a time series per I/O queue' },
  { long: 'pcap', kind: 'value', valueName: 'FILE', help: 'write the simulated frames as a pcap file (virtual-time stamps), for tshark or Wireshark' },
  { long: 'pcap-node', kind: 'value', valueName: 'NAME', help: "with --pcap: capture at this node's NICs, both ways (default: every frame once, as each NIC sends it)" },
  { long: 'report', kind: 'value', valueName: 'DIR', help: 'write report.html, report.md, report.json and each chart as SVG and CSV' },
  { long: 'json', kind: 'flag', help: 'print one JSON object instead of the summary' },
];

/** Progress reports per run: often enough for a smooth bar, rarely enough to cost nothing. */
const PROGRESS_STEPS = 200;
const BAR_WIDTH = 30;

function progressBar(io: CliIo): { report: (p: RunProgress) => void; finish: () => void } {
  let drawn = false;
  let lastQuarter = 0;
  return {
    report: (progress) => {
      const percent = Math.floor(progress.fraction * 100);
      const filled = Math.round(progress.fraction * BAR_WIDTH);
      const text =
        progress.phase === 'drain'
          ? `draining: ${(progress.simNs / 1e9).toFixed(3)} s simulated, ${progress.ios} I/Os`
          : `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${String(percent).padStart(3)}% ` +
            `${(progress.simNs / 1e9).toFixed(3)} s simulated, ${progress.ios} I/Os, ${progress.errors} errors`;
      if (io.errIsTty) {
        io.err(`\r\x1b[K${text}`);
        drawn = true;
      } else if (progress.phase === 'run' && Math.floor(percent / 25) > lastQuarter) {
        // Logs and CI get a line per quarter instead of a redrawn bar.
        lastQuarter = Math.floor(percent / 25);
        io.err(`${text}\n`);
      }
    },
    finish: () => {
      if (drawn) io.err('\r\x1b[K');
    },
  };
}

/** Adds a crash verdict for a promise that rejected with nobody listening (host or target code). */
function withRejections(result: ScenarioResult, rejections: readonly string[]): ScenarioResult {
  if (rejections.length === 0) return result;
  const invariants = [
    ...result.invariants,
    { name: 'no-unhandled-rejection', ok: false, class: 'crash' as const, checked: 0, detail: `${rejections.length} unhandled rejection(s), first: ${rejections[0] ?? ''}` },
  ];
  return { ...result, invariants, ok: false, failure: worstFailure(invariants) ?? 'crash' };
}

export const runCommand: Command = {
  name: 'run',
  usage: 'run FILE [--seed N | --seeds LIST [--jobs N]] [--duration TIME] [--set PATH=VALUE]... [--interval TIME] [--per-queue] [--trace FILE.jsonl] [--pcap FILE.pcap [--pcap-node NAME]] [--report DIR] [--json]',
  options: OPTIONS,
  async run(argv, io) {
    const args = new ArgReader(parseArgs(argv, OPTIONS, 'run'), OPTIONS);
    const [file, ...extra] = args.positionals;
    if (file === undefined) throw new UsageError('run needs a scenario file (e.g. nvmf-sim run scenarios/reference.ts)');
    if (extra.length > 0) throw new UsageError(`run takes one scenario file, not also '${extra[0] ?? ''}'`);
    const json = args.flag('json');
    const seed = args.string('seed');
    if (seed !== undefined && !/^\S+$/.test(seed)) throw new UsageError(`--seed: '${seed}' must be a single word, e.g. 42`);
    const durationText = args.string('duration');
    const durationNs = durationText === undefined ? undefined : parseDurationNs(durationText, '--duration');
    if (durationNs !== undefined && durationNs <= 0) throw new UsageError('--duration: must be more than 0');
    const tracePath = args.string('trace');
    const intervalText = args.string('interval');
    const intervalNs = intervalText === undefined ? undefined : parseDurationNs(intervalText, '--interval');
    if (intervalNs !== undefined && intervalNs <= 0) throw new UsageError('--interval: must be more than 0');
    const perQueue = args.flag('per-queue');
    const sets: FieldAssignment[] = args.list('set').map((text) => {
      const assignment = splitAssignment(text);
      if (assignment === null) throw new UsageError(`--set: expected PATH=VALUE (e.g. hosts[*].connect.nrIoQueues=4), not '${text}'`);
      return { path: assignment.path, value: assignment.value };
    });
    const seedsText = args.string('seeds');
    if (seedsText !== undefined && seed !== undefined) throw new UsageError('--seed and --seeds: give one of them');
    if (seedsText !== undefined && tracePath !== undefined) throw new UsageError('--trace: one trace per run; repeat one seed of the sweep with --seed to trace it');
    if (seedsText === undefined && args.has('jobs')) throw new UsageError('--jobs: only with --seeds');
    const pcapPath = args.string('pcap');
    const pcapNode = args.string('pcap-node');
    if (pcapNode !== undefined && pcapPath === undefined) throw new UsageError('--pcap-node: only with --pcap FILE');
    if (seedsText !== undefined && pcapPath !== undefined) throw new UsageError('--pcap: one capture per run; repeat one seed of the sweep with --seed to capture it');

    let scenario;
    try {
      scenario = await loadScenario(
        file,
        {
          ...(seed === undefined ? {} : { seed }),
          ...(durationNs === undefined ? {} : { durationNs }),
        },
        sets,
      );
    } catch (error) {
      if (error instanceof ScenarioError) throw new UsageError(error.message);
      throw error;
    }
    if (seedsText !== undefined) {
      const { runSeedSweep } = await import('./seed-sweep-output.js');
      return runSeedSweep(io, { file, seedsText, sets, durationNs: scenario.durationNs, jobs: args.integer('jobs', 1, 1024), json });
    }
    const repeat = repeatCommand(file, scenario.seed, scenario.durationNs, sets);
    // Opened before the run, so that a path that cannot be written fails before anything runs.
    const pcap = pcapPath === undefined ? undefined : PcapOutput.open(pcapPath, pcapNode, scenario);
    const bar = json ? undefined : progressBar(io);
    const rejections: string[] = [];
    const onRejection = (reason: unknown): void => {
      rejections.push(reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason));
    };
    process.on('unhandledRejection', onRejection);
    let result: ScenarioResult;
    let pcapFrames: number | undefined;
    try {
      result = await runScenario(scenario, {
        wallClockMs: () => performance.now(),
        progressIntervalNs: Math.max(1, Math.floor(scenario.durationNs / PROGRESS_STEPS)),
        ...(bar === undefined ? {} : { onProgress: bar.report }),
        ...(tracePath === undefined ? {} : { tracePath }),
        ...(intervalNs === undefined ? {} : { timeSeriesIntervalNs: intervalNs }),
        ...(perQueue ? { timeSeriesPerQueue: true } : {}),
        ...(pcap === undefined ? {} : { onWorld: (world) => pcap.attach(world) }),
      });
      // Node reports unhandled rejections after the microtask queue drains: let one turn pass.
      await new Promise<void>((resolve) => setImmediate(resolve));
    } catch (error) {
      // A real-runtime node whose prerequisite is missing (sim/scenario/real-prerequisites.ts): the
      // user's environment, reported like a bad field, before anything booted.
      if (error instanceof ScenarioError) throw new UsageError(error.message);
      throw error;
    } finally {
      process.off('unhandledRejection', onRejection);
      bar?.finish();
      pcapFrames = pcap?.close();
    }
    result = withRejections(result, rejections);
    const reportDir = args.string('report');
    const written = reportDir === undefined ? undefined : await writeRunReport(reportDir, result, repeat);
    if (json) {
      io.out(`${JSON.stringify({ repeat, ...result }, null, 2)}\n`);
      io.err(`repeat: ${repeat}\n`);
    } else {
      io.out(formatRunSummary(result, repeat));
    }
    if (written !== undefined) reportWritten(io, written);
    if (pcap !== undefined) io.err(`pcap: ${pcap.path} (${pcapFrames ?? 0} frames)\n`);
    if (result.failure !== undefined) {
      if (json) io.err(`nvmf-sim: FAILED: ${result.failure} (${result.invariants.find((inv) => !inv.ok)?.name ?? ''})\n`);
      return FAILURE_EXIT_STATUS[result.failure];
    }
    return 0;
  },
};
