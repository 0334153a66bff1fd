// The faults of a run as a time series lists them: when each was applied and, for a fault with an
// end, when its effect ended, so that charts can shade the window. A partition ends at the next
// heal, a pause at the next resume, a crash at the next restart, a failed or slowed device at the
// next repair; setLink and the ending verbs themselves are instants. An end closes every open
// fault of its kind (a heal with no link named heals every partition).
import type { FaultRecord } from './result.js';
import type { TimeSeriesFault } from './time-series-recorder.js';

const ENDED_BY: Readonly<Record<string, string>> = {
  partition: 'heal',
  pause: 'resume',
  crash: 'restart',
  failDevice: 'repairDevice',
  slowDevice: 'repairDevice',
};

export function faultWindows(faults: readonly FaultRecord[]): TimeSeriesFault[] {
  return faults.map((fault, index) => {
    const base = { tMs: fault.atNs / 1e6, action: fault.action, detail: fault.detail };
    const end = ENDED_BY[fault.action];
    if (end === undefined) return base;
    const ending = faults.slice(index + 1).find((later) => later.action === end);
    return ending === undefined ? base : { ...base, untilMs: ending.atNs / 1e6 };
  });
}
