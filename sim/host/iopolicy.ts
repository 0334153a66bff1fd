// How a namespace head picks the path for each I/O: Linux's multipath I/O policies
// (drivers/nvme/host/multipath.c nvme_find_path, the subsystem's iopolicy). Every policy skips
// disabled paths (nvme_path_is_disabled: controller not live, ANA log re-read pending) and prefers
// ANA optimized over non-optimized paths; inaccessible, persistent-loss and changing paths carry no
// I/O.
// - numa: the current path while it stays live and optimized, else the first optimized path in
//   the head's list, else the first non-optimized one (__nvme_find_path; the simulator has one
//   NUMA node, so every path is at the same distance and list order decides).
// - round-robin: the next usable path after the current one, optimized first (nvme_round_robin_path).
// - queue-depth: the path whose controller has the fewest I/Os in flight, optimized first
//   (nvme_queue_depth_path).
import { AnaState } from '../nvme/index.js';
import type { AnaStateCode } from '../nvme/index.js';

export type IoPolicy = 'numa' | 'round-robin' | 'queue-depth';

/** The names sysfs `iopolicy` accepts, in Linux's order. */
export const IO_POLICIES: readonly IoPolicy[] = ['numa', 'round-robin', 'queue-depth'];

/** multipath.c: iopolicy defaults to numa. */
export const DEFAULT_IOPOLICY: IoPolicy = 'numa';

export function isIoPolicy(value: string): value is IoPolicy {
  return (IO_POLICIES as readonly string[]).includes(value);
}

/** What a policy looks at on each path. */
export interface SelectablePath {
  /** nvme_path_is_disabled. */
  readonly disabled: boolean;
  /** The namespace's ANA state through this path (undefined: not known yet). */
  readonly anaState: AnaStateCode | undefined;
  /** nvme_path_is_optimized: live and ANA optimized. */
  readonly optimized: boolean;
  /** ctrl->nr_active: I/Os in flight on the path's controller, over every head. */
  readonly depth: number;
}

/** __nvme_find_path: the first optimized usable path, else the first non-optimized one. */
export function firstPath<P extends SelectablePath>(paths: readonly P[]): P | null {
  let fallback: P | null = null;
  for (const path of paths) {
    if (path.disabled) continue;
    if (path.anaState === AnaState.OPTIMIZED) return path;
    if (path.anaState === AnaState.NON_OPTIMIZED && fallback === null) fallback = path;
  }
  return fallback;
}

/** nvme_numa_path: keep the current path while it is optimized. */
export function numaPath<P extends SelectablePath>(paths: readonly P[], current: P | null): P | null {
  if (current !== null && current.optimized) return current;
  return firstPath(paths);
}

/**
 * nvme_round_robin_path: walk the list from the path after the current one; the first optimized
 * path wins, else the last non-optimized one seen; the current path is kept only if nothing better
 * turned up (it is optimized, or it is non-optimized and no other path is usable).
 */
export function roundRobinPath<P extends SelectablePath>(paths: readonly P[], current: P | null): P | null {
  const at = current === null ? -1 : paths.indexOf(current);
  if (current === null || at < 0) return firstPath(paths);
  if (paths.length === 1) return current.disabled ? null : current;
  let found: P | null = null;
  for (let step = 1; step < paths.length; step++) {
    const path = paths[(at + step) % paths.length] as P;
    if (path.disabled) continue;
    if (path.anaState === AnaState.OPTIMIZED) return path;
    if (path.anaState === AnaState.NON_OPTIMIZED) found = path;
  }
  if (!current.disabled && (current.anaState === AnaState.OPTIMIZED || (found === null && current.anaState === AnaState.NON_OPTIMIZED))) return current;
  return found;
}

/**
 * nvme_queue_depth_path: the least loaded optimized path (stopping at an idle one), else the least
 * loaded non-optimized path; ties go to the earlier path in the list.
 */
export function queueDepthPath<P extends SelectablePath>(paths: readonly P[]): P | null {
  let bestOptimized: P | null = null;
  let bestNonOptimized: P | null = null;
  for (const path of paths) {
    if (path.disabled) continue;
    if (path.anaState === AnaState.OPTIMIZED) {
      if (bestOptimized === null || path.depth < bestOptimized.depth) bestOptimized = path;
      if (path.depth === 0) return path;
    } else if (path.anaState === AnaState.NON_OPTIMIZED) {
      if (bestNonOptimized === null || path.depth < bestNonOptimized.depth) bestNonOptimized = path;
    }
  }
  return bestOptimized ?? bestNonOptimized;
}

/** nvme_find_path: the path for the next I/O under `policy`, or null when none is usable. */
export function selectPath<P extends SelectablePath>(policy: IoPolicy, paths: readonly P[], current: P | null): P | null {
  switch (policy) {
    case 'round-robin':
      return roundRobinPath(paths, current);
    case 'queue-depth':
      return queueDepthPath(paths);
    default:
      return numaPath(paths, current);
  }
}
