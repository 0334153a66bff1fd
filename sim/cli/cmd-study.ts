// `nvmf-sim study FILE`: runs every point of a study under every seed on a pool of worker processes
// (one per core by default), with a progress line and ETA, and prints the answers first, then the
// points. --json prints the whole document, --out saves it (as it grows, so --resume can pick up
// an interrupted study), --shard runs one share of the runs for another machine to merge. A bad
// study file, axis value, --shard or --seeds is one line with exit status 2; a point that fails an
// invariant is reported with its repeat command and the study goes on, then exits 127/128/129.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseDurationNs } from '../core/index.js';
import { FAILURE_EXIT_STATUS, type FailureClass } from '../scenario/index.js';
import { asStudyResult, defaultJobs, parseShard, runStudy, StudyError, type StudyResult } from '../study/index.js';
import { formatStudySummary } from '../report/index.js';
import { ArgReader, parseArgs, UsageError, type OptionSpec } from './args.js';
import type { Command } from './command.js';
import { version } from './version.js';
import { poolBar } from './pool-progress.js';
import { studyReportWritten, writeStudyReport } from './report-output.js';

const OPTIONS: readonly OptionSpec[] = [
  { long: 'jobs', short: 'j', kind: 'value', valueName: 'N', help: 'worker processes (default: one per core)' },
  { long: 'seeds', kind: 'value', valueName: 'K', help: "seeds per point, 1..K (default: the study's)" },
  { long: 'duration', kind: 'value', valueName: 'TIME', help: "simulated time of every point (default: each scenario's)" },
  { long: 'shard', kind: 'value', valueName: 'I/N', help: 'run only shard I of N (1-based) of the runs, for merge' },
  { long: 'out', kind: 'value', valueName: 'FILE.json', help: 'save the results (kept current while the study runs)' },
  { long: 'resume', kind: 'flag', help: 'reuse the runs already in --out whose content is unchanged' },
  { long: 'point', kind: 'value', valueName: 'N', help: 'run only point N (0-based), e.g. to repeat one' },
  { long: 'seed', kind: 'value', valueName: 'S', help: 'run only this seed of the study' },
  { long: 'report', kind: 'value', valueName: 'DIR', help: 'write report.html, report.md, report.json and each chart as SVG and CSV' },
  { long: 'json', kind: 'flag', help: 'print the whole result document as JSON' },
];

/** Saves at most this often while running: a full document per run would cost O(runs²). */
const SAVE_EVERY_MS = 2000;

/** Writes through a temporary file, so a reader (or a crash) never sees half a document. */
export function saveJson(path: string, value: unknown): void {
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(temporary, path);
}

/** Reads a study result file for --resume or merge, naming the file on every failure. */
export function readStudyResult(path: string): StudyResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`${path}: no such file`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path}: is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  try {
    return asStudyResult(value, path);
  } catch (error) {
    if (error instanceof StudyError) throw new UsageError(error.message);
    throw error;
  }
}

/** The exit status of a finished study: 0, or the worst failed point's class (as `run`). */
export function studyExitStatus(result: StudyResult): number {
  const classes = new Set<FailureClass>(result.points.flatMap((point) => point.failures.map((failure) => failure.class)));
  for (const cls of ['crash', 'correctness', 'liveness'] as const) if (classes.has(cls)) return FAILURE_EXIT_STATUS[cls];
  return 0;
}

export const studyCommand: Command = {
  name: 'study',
  usage: 'study FILE [--jobs N] [--seeds K] [--duration TIME] [--shard I/N] [--out FILE.json [--resume]] [--point N] [--seed S] [--report DIR] [--json]',
  options: OPTIONS,
  async run(argv, io) {
    const args = new ArgReader(parseArgs(argv, OPTIONS, 'study'), OPTIONS);
    const [file, ...extra] = args.positionals;
    if (file === undefined) throw new UsageError('study needs a study file (e.g. nvmf-sim study scenarios/studies/hosts-per-target.ts)');
    if (extra.length > 0) throw new UsageError(`study takes one study file, not also '${extra[0] ?? ''}'`);
    const jobs = args.integer('jobs', 1, 1024) ?? defaultJobs();
    const seeds = args.integer('seeds', 1, 100_000);
    const durationText = args.string('duration');
    const durationNs = durationText === undefined ? undefined : parseDurationNs(durationText, '--duration');
    if (durationNs !== undefined && durationNs <= 0) throw new UsageError('--duration: must be more than 0');
    const shardText = args.string('shard');
    const out = args.string('out');
    const point = args.integer('point', 0, Number.MAX_SAFE_INTEGER);
    const seed = args.string('seed');
    if (args.flag('resume') && out === undefined) throw new UsageError('--resume needs --out FILE.json (the results to resume from)');
    const json = args.flag('json');
    try {
      const shard = shardText === undefined ? undefined : parseShard(shardText);
      const resume = args.flag('resume') && out !== undefined && existsSync(out) ? readStudyResult(out) : undefined;
      const bar = poolBar(io, 'runs', () => performance.now());
      let lastSave = performance.now();
      let result: StudyResult;
      try {
        result = await runStudy(file, {
          version: version(),
          jobs,
          wallClockMs: () => performance.now(),
          ...(seeds === undefined ? {} : { seeds }),
          ...(durationNs === undefined ? {} : { durationNs }),
          ...(shard === undefined ? {} : { shard }),
          ...(resume === undefined ? {} : { resume }),
          ...(point === undefined ? {} : { point }),
          ...(seed === undefined ? {} : { seed }),
          onProgress: (progress) => {
            if (progress.reused > 0 && progress.done === 0) io.err(`resume: ${progress.reused} run(s) already in ${out ?? ''}\n`);
            bar.report(progress.done, progress.total);
          },
          onPartial: (partial) => {
            if (out === undefined || performance.now() - lastSave < SAVE_EVERY_MS) return;
            lastSave = performance.now();
            saveJson(out, partial());
          },
        });
      } finally {
        bar.finish();
      }
      if (out !== undefined) saveJson(out, result);
      const reportDir = args.string('report');
      const written = reportDir === undefined ? undefined : await writeStudyReport(reportDir, result);
      io.out(json ? `${JSON.stringify(result, null, 2)}\n` : formatStudySummary(result, jobs));
      if (out !== undefined && !json) io.out(`results: ${out}\n`);
      if (written !== undefined) studyReportWritten(io, written, result, json);
      return studyExitStatus(result);
    } catch (error) {
      if (error instanceof StudyError) throw new UsageError(error.message);
      throw error;
    }
  },
};
