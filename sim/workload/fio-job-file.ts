// fio's job file format (fio HOWTO, "Job file format"): INI-style sections, `[global]` holding
// defaults for the jobs after it, each other section one job; `key=value` or a bare `key` for a
// boolean option; lines starting with ';' or '#' are comments. This reader keeps every option's
// line so errors can say FILE:LINE, which an INI library does not. `include` is not supported.

/** One `key[=value]` line. */
export interface FioOptionLine {
  readonly name: string;
  /** Undefined for a bare option (`time_based`). */
  readonly value: string | undefined;
  readonly line: number;
}

/** One job section, with the [global] options in force where it starts (fio applies them in order). */
export interface FioJobSection {
  readonly name: string;
  readonly line: number;
  readonly global: readonly FioOptionLine[];
  readonly options: readonly FioOptionLine[];
}

export interface FioJobFileText {
  readonly file: string;
  readonly jobs: readonly FioJobSection[];
}

/** A mistake in a job file: one line, `FILE:LINE: option 'x': message`. */
export class FioJobFileError extends Error {
  readonly file: string;
  readonly line: number;
  readonly option: string | undefined;
  constructor(file: string, line: number, option: string | undefined, message: string) {
    super(`${file}:${line}: ${option === undefined ? '' : `option '${option}': `}${message}`);
    this.name = 'FioJobFileError';
    this.file = file;
    this.line = line;
    this.option = option;
  }
}

/** Splits a job file into sections; `file` names it in errors. */
export function readFioJobFile(text: string, file: string): FioJobFileText {
  const jobs: { name: string; line: number; global: FioOptionLine[]; options: FioOptionLine[] }[] = [];
  let global: FioOptionLine[] = [];
  let current: FioOptionLine[] | undefined;
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = index + 1;
    const raw = (lines[index] ?? '').trim();
    if (raw === '' || raw.startsWith(';') || raw.startsWith('#')) continue;
    const section = /^\[([^\]]*)\]$/.exec(raw);
    if (section !== null) {
      const name = (section[1] ?? '').trim();
      if (name === '') throw new FioJobFileError(file, line, undefined, 'empty section name');
      if (name === 'global') {
        // A later [global] changes the defaults of the jobs after it only.
        global = [...global];
        current = global;
      } else {
        const job = { name, line, global, options: [] as FioOptionLine[] };
        jobs.push(job);
        current = job.options;
      }
      continue;
    }
    if (raw.startsWith('[')) throw new FioJobFileError(file, line, undefined, `malformed section header '${raw}'`);
    if (current === undefined) throw new FioJobFileError(file, line, undefined, 'option before the first section ([global] or a job)');
    const equals = raw.indexOf('=');
    const name = (equals < 0 ? raw : raw.slice(0, equals)).trim();
    const value = equals < 0 ? undefined : raw.slice(equals + 1).trim();
    if (name === '' || /\s/.test(name)) throw new FioJobFileError(file, line, undefined, `malformed option line '${raw}'`);
    if (name === 'include') throw new FioJobFileError(file, line, name, 'include is not supported; merge the files');
    current.push({ name, value, line });
  }
  if (jobs.length === 0) throw new FioJobFileError(file, Math.max(1, lines.length), undefined, 'no job sections (only [global])');
  return { file, jobs };
}
