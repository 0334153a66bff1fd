// The library scenarios a soak runs: the safety ones, whose faults must never lose an
// acknowledged write or hand back damaged data. Each runs with writes and verify, so that a loss
// shows: the node and network fault scenarios' hosts run `randwrite` with verify, which reads every
// block written back at the end (the engine's verify phase) and compares it with the last
// acknowledged write.
import type { FieldAssignment } from '../scenario/index.js';

/** What a mismatched block counts as in a scenario: the fault it injects decides. */
export type MismatchKind = 'lost-writes' | 'corruptions';

export interface SoakScenario {
  /** Name in the table. */
  readonly name: string;
  /** The scenario file, relative to the repository (what repeat commands name). */
  readonly file: string;
  /** Changes to the file's scenario (`--set`), e.g. the workload made write-and-read-back. */
  readonly sets: readonly FieldAssignment[];
  /**
   * What a block that reads back wrong means here: an acknowledged write lost (node and network
   * faults), or damaged data the digests let through (a link that corrupts bytes).
   */
  readonly mismatches: MismatchKind;
  /** Simulated time each seed runs (`--duration`), in ns; the file's own duration when absent. */
  readonly durationNs?: number;
}

const WRITE_AND_READ_BACK: FieldAssignment = { path: 'hosts[*].workload.rw', value: 'randwrite' };

export const SOAK_SCENARIOS: readonly SoakScenario[] = [
  // Digests on (-g -G): any block read back damaged is a silent corruption they missed. It keeps
  // its own randrw: reads all through the run cross the damaged link, where a read-back at the end
  // would see only each block's last write. It runs 2 s instead of the file's 1 s: a header hit in
  // the first few ms resets the association, and the reconnect 1 s later (reconnect_delay) would
  // otherwise leave a 1 s run with no block read back, which verify rightly fails as checking nothing
  // (2 of 2,500 seeds at 1 s).
  {
    name: 'digest-corruption',
    file: 'scenarios/digest-corruption.ts',
    sets: [],
    durationNs: 2e9,
    mismatches: 'corruptions',
  },
  // The patient host's writes must survive the outage; the impatient host's fail by design (and it
  // stops at its first error, before any read-back), so it is not verified.
  {
    name: 'target-restart',
    file: 'scenarios/target-restart.ts',
    sets: [
      { path: 'hosts[0].workload.rw', value: 'randwrite' },
      { path: 'hosts[1].workload.verify', value: false },
    ],
    mismatches: 'lost-writes',
  },
  { name: 'keepalive-expiry', file: 'scenarios/keepalive-expiry.ts', sets: [WRITE_AND_READ_BACK], mismatches: 'lost-writes' },
  { name: 'link-flap', file: 'scenarios/link-flap.ts', sets: [WRITE_AND_READ_BACK], mismatches: 'lost-writes' },
];
