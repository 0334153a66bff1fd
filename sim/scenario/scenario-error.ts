// The one error a scenario can cause before it runs: a file that does not exist or does not
// compile, or a description with an unknown or out-of-range field. The message is exactly one line
// naming the file and, for field errors, the field path, e.g.
// `scenarios/x.ts: hosts[0].connect.nrIoQueues: must be an integer 1..128`. The CLI prints it as
// is and exits with status 2.

export class ScenarioError extends Error {
  /** The scenario file as the user named it (or the source name given to resolveScenario). */
  readonly file: string;
  /** Field path such as `hosts[0].connect.nrIoQueues`, or '' for file-level errors. */
  readonly field: string;

  constructor(file: string, field: string, message: string) {
    const oneLine = message.replace(/\s*\n\s*/g, ' ').trim();
    super(field === '' ? `${file}: ${oneLine}` : `${file}: ${field}: ${oneLine}`);
    this.name = 'ScenarioError';
    this.file = file;
    this.field = field;
  }
}
