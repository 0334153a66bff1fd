// `--report DIR` of run, study and merge, and `nvmf-sim report`: the provenance only the command
// line knows (version, git commit, file hash), then the report module writes the directory. The
// report library (and ECharts) is imported only when a report is asked for.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ReportSource } from '../report/index.js';
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
  io: CliIo,
  dir: string,
  source: ReportSource,
  file: string,
  hash: string,
  seeds: readonly string[],
  timeBase: 'virtual' | 'real',
): Promise<void> {
  const { writeReport } = await import('../report/index.js');
  const written = await writeReport(dir, source, {
    tool: 'nvmf-sim',
    version: version(),
    commit: gitCommit(),
    file,
    fileHash: hash,
    seeds,
    timeBase,
    renderedAt: new Date().toISOString(),
  });
  io.err(`report: ${written.html} (${written.charts.length} chart(s), report.md, report.json, SVG and CSV beside it)\n`);
}

export async function writeStudyReport(io: CliIo, dir: string, result: StudyResult): Promise<void> {
  const timeBase = result.points.some((point) => point.seeds.some((seed) => seed.result.timeBase === 'real')) ? 'real' : 'virtual';
  await write(io, dir, { kind: 'study', result }, result.study.file, result.study.fileHash, result.study.seeds, timeBase);
}

export async function writeRunReport(io: CliIo, dir: string, result: ScenarioResult, repeat: string): Promise<void> {
  await write(io, dir, { kind: 'run', result, repeat }, result.source, fileHash(result.source), [result.seed], result.timeBase);
}
