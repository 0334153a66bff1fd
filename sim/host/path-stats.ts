// What one path of a namespace head carried: commands completed, errors handed to the application,
// commands failed over to another path, commands in flight, and the latency of each successful
// command on this path (from its dispatch on the path to its completion), in an HDR histogram.
// The head's own counters say what waited for a path and what failed for want of one.
import { LatencyHistogram } from '../stats/index.js';

export class PathStats {
  /** Commands that completed successfully on this path. */
  completed = 0;
  /** Commands that completed on this path with a status that is not a path error (given to the application). */
  errors = 0;
  /** Commands that failed here with a path error or with the transport, and went back to the head. */
  failovers = 0;
  /** Commands sent on this path and not completed yet. */
  inFlight = 0;
  /** Time of the last successful completion on this path (ns), -1 before the first. */
  lastCompletionNs = -1;
  /** Latency of successful commands on this path. */
  readonly latency = new LatencyHistogram({ significantDigits: 2 });
}

export interface HeadStats {
  /** Commands waiting for a usable path now (queue_if_no_path). */
  readonly waiting: number;
  /** Commands that were put on the wait list because no path was usable (counted each time). */
  readonly queuedNoPath: number;
  /** Commands failed with HOST_PATH_ERROR because no path could come back. */
  readonly failedNoPath: number;
}
