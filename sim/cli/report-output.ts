// `--report DIR` of run, study and merge, and `nvmf-sim report`: the provenance only the command
// line knows (version, git commit, file hash), then the report module writes the directory, and
// the one line naming report.html is printed (on stderr, after the command's summary). ECharts is
// imported only when a report is written.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { studyAnswerLines, writeReport, type ReportSource, type WrittenReport } from '../report/index.js';
import type { ScenarioResult } from '../scenario/index.js';
import type { StudyResult } from '../study/index.js';
import type { CliIo } from './command.js';
import { version } from './version.js';

/** The commit of the checkout nvmf-sim runs from, or 'unknown' (an installed package, no git). */
function gitCommit(): string {
  const root = new URL('../..', import.meta.url);
  const run = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return run.status === 0 ? run.stdout.trim() : 'unknown';
}

function fileHash(path: string): string {
  try {
    return createHash('sha256').update(readFileSync(path, 'utf8')).digest('hex');
  } catch {
    return 'unknown (file not found)';
  }
}

async function write(
  dir: string,
  source: ReportSource,
  file: string,
  hash: string,
  seeds: readonly string[],
  timeBase: 'virtual' | 'real',
): Promise<WrittenReport> {
  return writeReport(dir, source, {
    tool: 'nvmf-sim',
    version: version(),
    commit: gitCommit(),
    file,
    fileHash: hash,
    seeds,
    timeBase,
    renderedAt: new Date().toISOString(),
  });
}

/** "report: DIR/report.html (3 chart(s), ...)", the path as the user gave DIR. */
export function reportWritten(io: CliIo, written: WrittenReport): void {
  io.err(`report: ${written.html} (${written.charts.length} chart(s), report.md, report.json, SVG and CSV beside it)\n`);
}

export async function writeStudyReport(dir: string, result: StudyResult): Promise<WrittenReport> {
  const timeBase = result.points.some((point) => point.seeds.some((seed) => seed.result.timeBase === 'real')) ? 'real' : 'virtual';
  return write(dir, { kind: 'study', result }, result.study.file, result.study.fileHash, result.study.seeds, timeBase);
}

export async function writeRunReport(dir: string, result: ScenarioResult, repeat: string): Promise<WrittenReport> {
  return write(dir, { kind: 'run', result, repeat }, result.source, fileHash(result.source), [result.seed], result.timeBase);
}

/**
 * The end of `study --report` and `merge --report`: the report's path, then (unless --json) the
 * study's answers again, so they are the last thing on the screen after a long points table.
 */
export function studyReportWritten(io: CliIo, written: WrittenReport, result: StudyResult, json: boolean): void {
  reportWritten(io, written);
  const answers = studyAnswerLines(result);
  if (!json && answers.length > 0) io.out(`${answers.join('\n')}\n`);
}
