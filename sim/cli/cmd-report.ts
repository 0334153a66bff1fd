// `nvmf-sim report RESULTS.json --report DIR`: renders saved results again (a study's --out or
// merge output, or a run's --json output), e.g. after changing the report or on another machine.
import { readFileSync } from 'node:fs';
import type { ScenarioResult } from '../scenario/index.js';
import { asStudyResult, StudyError } from '../study/index.js';
import { ArgReader, parseArgs, UsageError, type OptionSpec } from './args.js';
import type { Command } from './command.js';
import { reportWritten, writeRunReport, writeStudyReport } from './report-output.js';

const OPTIONS: readonly OptionSpec[] = [{ long: 'report', kind: 'value', valueName: 'DIR', help: 'where to write the report (required)' }];

export const reportCommand: Command = {
  name: 'report',
  usage: 'report RESULTS.json --report DIR',
  options: OPTIONS,
  async run(argv, io) {
    const args = new ArgReader(parseArgs(argv, OPTIONS, 'report'), OPTIONS);
    const [file, ...extra] = args.positionals;
    if (file === undefined) throw new UsageError('report needs a results file (nvmf-sim study --out, merge --out, or run --json)');
    if (extra.length > 0) throw new UsageError(`report takes one results file, not also '${extra[0] ?? ''}'`);
    const dir = args.required('report', 'reports/my-study');
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new UsageError(`${file}: ${error instanceof SyntaxError ? `is not JSON (${error.message})` : 'no such file'}`);
    }
    const doc = value as { kind?: unknown; fingerprint?: unknown; repeat?: unknown; result?: unknown };
    // A study's results as saved, or inside a study report's report.json.
    const study = doc.kind === 'study' ? value : (doc.result as { kind?: unknown } | undefined)?.kind === 'study' ? doc.result : undefined;
    if (study !== undefined) {
      try {
        reportWritten(io, await writeStudyReport(dir, asStudyResult(study, file)));
      } catch (error) {
        if (error instanceof StudyError) throw new UsageError(error.message);
        throw error;
      }
      return 0;
    }
    // A run's --json output (the result with its repeat line), or a run report's report.json.
    const run = (typeof doc.fingerprint === 'string' ? doc : doc.result) as (ScenarioResult & { repeat?: string }) | undefined;
    if (run === undefined || typeof run !== 'object' || !Array.isArray(run.perHost)) {
      throw new UsageError(`${file}: is not the output of nvmf-sim study --out, merge --out or run --json`);
    }
    reportWritten(io, await writeRunReport(dir, run, typeof doc.repeat === 'string' ? doc.repeat : (run.repeat ?? '')));
    return 0;
  },
};
