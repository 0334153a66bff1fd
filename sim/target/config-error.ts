// The one error type a target configuration can fail with, whether it came from code, a scenario or an
// nvmetcli config.json. The message is one line naming the source and the field path, e.g.
// `config.json: subsystems[0].namespaces[1].nsid: must be an integer 1..4294967294`, so a user can
// find the offending entry without a stack trace.

export class ConfigError extends Error {
  /** Where the configuration came from: a file name, or 'config' for one built in code. */
  readonly source: string;
  /** Path of the offending field inside the configuration, e.g. `ports[0].addr.trsvcid`; '' for the whole file. */
  readonly field: string;

  constructor(source: string, field: string, problem: string) {
    super(field === '' ? `${source}: ${problem}` : `${source}: ${field}: ${problem}`);
    this.name = 'ConfigError';
    this.source = source;
    this.field = field;
  }
}
