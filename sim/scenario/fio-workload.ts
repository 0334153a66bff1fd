// A scenario host's workload read from a fio job file (`workload: { fioJob: 'jobs/x.fio' }`, the
// path relative to the scenario file). A scenario host runs one job, so the file must hold one job
// section; its numjobs clones become numjobs x iodepth slots spread over the host's I/O queues,
// and startdelay delays the start as startAt does. Job file errors keep their FILE:LINE form,
// under the scenario field that named the file.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { FioJobFileError, planFioJobs, readFioJobFile, type JobSpec } from '../workload/index.js';
import type { Checker } from './checker.js';

export interface FioJobWorkload {
  readonly spec: JobSpec;
  readonly startDelayNs: number;
}

/** Reads and plans `file` (relative to the scenario `check.source`); `path` is the field naming it. */
export function fioJobWorkload(check: Checker, file: string, path: string): FioJobWorkload {
  const absolute = resolve(dirname(resolve(check.source)), file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    check.fail(path, `cannot read job file '${file}' (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  try {
    const plans = planFioJobs(readFioJobFile(text, file));
    const [plan] = plans;
    if (plan === undefined || plans.length > 1) {
      check.fail(path, `'${file}' has ${plans.length} jobs; a scenario host runs one (give each job its own host, or use nvmf-sim io)`);
    }
    const spec: JobSpec = {
      ...plan.spec,
      iodepth: (plan.spec.iodepth ?? 1) * plan.numjobs,
      // Faults make I/O errors expected: keep going unless the file says otherwise.
      stopOnError: plan.spec.stopOnError ?? false,
    };
    return { spec, startDelayNs: plan.startDelayNs };
  } catch (error) {
    if (error instanceof FioJobFileError) check.fail(path, error.message);
    throw error;
  }
}
