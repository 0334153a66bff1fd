// The soak's wall clock: how long a soak took, for its report only (never read by a simulation).
import { performance } from 'node:perf_hooks';

export function wallClockMs(): number {
  return performance.now();
}
