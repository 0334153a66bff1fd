// Where a report's numbers came from, printed at its top: the tool's version and git commit, a
// hash of the scenario or study file, the seeds, the time base (simulated or real), and the command
// that repeats each point. The caller (the CLI) supplies what only it can know.
export interface Provenance {
  readonly tool: string;
  readonly version: string;
  /** `git rev-parse HEAD` of the checkout that ran it, or 'unknown' outside one. */
  readonly commit: string;
  readonly file: string;
  /** SHA-256 of the scenario or study file's text. */
  readonly fileHash: string;
  readonly seeds: readonly string[];
  readonly timeBase: 'virtual' | 'real';
  /** When the report was rendered (ISO 8601); results keep their own run times. */
  readonly renderedAt: string;
}

/** Provenance as table rows. */
export function provenanceRows(provenance: Provenance): [string, string][] {
  return [
    ['tool', `${provenance.tool} ${provenance.version}`],
    ['git commit', provenance.commit],
    ['file', provenance.file],
    ['file sha-256', provenance.fileHash],
    ['seeds', provenance.seeds.join(', ')],
    ['time base', provenance.timeBase === 'virtual' ? 'simulated (virtual time, deterministic)' : 'real (wall clock, not repeatable)'],
    ['rendered', provenance.renderedAt],
  ];
}
