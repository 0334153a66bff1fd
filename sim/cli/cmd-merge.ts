// `nvmf-sim merge FILE...`: the results of a study's shards (nvmf-sim study --shard i/n --out ...)
// into the document one run of the whole study gives, printed as the study's summary or JSON and
// saved with --out. Files from different studies, or a run that two files disagree about, are
// refused naming the file (exit status 2).
import { mergeStudies, StudyError } from '../study/index.js';
import { formatStudySummary } from '../report/index.js';
import { ArgReader, parseArgs, UsageError, type OptionSpec } from './args.js';
import { readStudyResult, saveJson, studyExitStatus } from './cmd-study.js';
import type { Command } from './command.js';
import { studyReportWritten, writeStudyReport } from './report-output.js';

const OPTIONS: readonly OptionSpec[] = [
  { long: 'out', kind: 'value', valueName: 'FILE.json', help: 'save the merged results' },
  { long: 'report', kind: 'value', valueName: 'DIR', help: 'write the report of the merged results' },
  { long: 'json', kind: 'flag', help: 'print the merged document as JSON' },
];

export const mergeCommand: Command = {
  name: 'merge',
  usage: 'merge FILE.json... [--out FILE.json] [--report DIR] [--json]',
  options: OPTIONS,
  async run(argv, io) {
    const args = new ArgReader(parseArgs(argv, OPTIONS, 'merge'), OPTIONS);
    const files = args.positionals;
    if (files.length === 0) throw new UsageError('merge needs the result files of a study (e.g. nvmf-sim merge shard-*.json)');
    const parts = files.map((file) => ({ file, result: readStudyResult(file) }));
    let merged;
    try {
      merged = mergeStudies(parts);
    } catch (error) {
      if (error instanceof StudyError) throw new UsageError(error.message);
      throw error;
    }
    const out = args.string('out');
    if (out !== undefined) saveJson(out, merged);
    const reportDir = args.string('report');
    const written = reportDir === undefined ? undefined : await writeStudyReport(reportDir, merged);
    io.out(args.flag('json') ? `${JSON.stringify(merged, null, 2)}\n` : formatStudySummary(merged));
    if (written !== undefined) studyReportWritten(io, written, merged, args.flag('json'));
    if (!merged.complete) io.err(`merge: ${merged.tasks.present} of ${merged.tasks.total} runs present; the answers need them all\n`);
    return studyExitStatus(merged);
  },
};
