// What a caller passes to runScenario (runner.ts) besides the scenario: progress reporting, the
// trace, logging, the wall clock for the report, and a hook onto the simulated world.
import type { LogLevel } from '../core/index.js';
import type { TraceSink } from '../core/index.js';
import type { World } from '../world/index.js';

export interface RunProgress {
  /** Fraction of the duration done, 0..1 (the drain reports 1). */
  readonly fraction: number;
  readonly simNs: number;
  readonly phase: 'run' | 'drain';
  /** Successful and failed I/Os so far. */
  readonly ios: number;
  readonly errors: number;
}

export interface RunOptions {
  /** Called every progressIntervalNs of simulated time. */
  readonly onProgress?: (progress: RunProgress) => void;
  /** Simulated time between progress calls; rounded up to the 1 ms slice. Default 10 ms. */
  readonly progressIntervalNs?: number;
  /** Write a JSONL trace of packets dropped, node events, faults and host state changes here. */
  readonly tracePath?: string;
  /** Or send trace records to this sink (tests). */
  readonly trace?: TraceSink;
  /** Wall-clock milliseconds supplied by the CLI (allow-real-time: only reported as wallSeconds, never read by the model). */
  readonly wallClockMs?: () => number;
  /** Log level of the targets' and hosts' loggers. Default 'silent'. */
  readonly logLevel?: LogLevel;
  /** Where their log lines go. Default process.stderr. */
  readonly logSink?: (line: string) => void;
  /**
   * Called once the nodes and links exist, before anything runs: the escape hatch for faults the
   * scenario format cannot express (e.g. a link direction's dropIf filter on one connection).
   */
  readonly onWorld?: (world: World) => void;
  /**
   * Length of the time series' intervals. Default 10 ms of simulated time (rounded up to whole
   * 1 ms slices), or 100 ms of wall time in a real run.
   */
  readonly timeSeriesIntervalNs?: number;
  /** Also record a time series per I/O queue (result.timeSeries.perQueue). Default false. */
  readonly timeSeriesPerQueue?: boolean;
}
