// When a fault fires: a time (`at`, `atNs`) or a condition (`when`, plus `delay`). Every verb
// takes these fields; validate.ts resolves them into a FaultTrigger (resolved.ts), and
// fault-conditions.ts watches the conditions as the run goes.
import { z } from 'zod';
import { duration, int, obj, oneOf, str, type DurationSpec } from './schema/kit.js';

/** Host controller states a `hostState` condition can wait for (the trace's host-state records). */
export type HostStateName = 'connecting' | 'live' | 'resetting' | 'deleting' | 'deleted';

export const HOST_STATE_NAMES: readonly HostStateName[] = ['connecting', 'live', 'resetting', 'deleting', 'deleted'];

/**
 * What a fault waits for instead of a time. It is checked in virtual time, as the run's own
 * events happen (an I/O completes, a controller changes state, a fault is applied), and fires once,
 * at the first moment it holds, plus the fault's `delay`. A fault whose moment falls after the
 * duration is not applied, like one whose `at` is after it.
 * - iosCompleted: that many successful I/Os over all hosts, or of `host` (a host name).
 * - hostState: the host's controller reaches that state. Its first connect counts as reaching
 *   'live'; 'resetting' and 'connecting' follow an error (keep-alive, I/O timeout, lost connection).
 * - afterFault: the fault at that position in the `faults` list (0-based) was applied.
 */
export type FaultCondition =
  | { readonly iosCompleted: number; readonly host?: string }
  | { readonly hostState: HostStateName; readonly host: string }
  | { readonly afterFault: number };

/** The timing fields every fault has. */
export interface FaultTiming {
  /** When, in ns since the start. Give exactly one of at, atNs or when. */
  readonly atNs?: number;
  /** When, as '1s', '250ms', ... */
  readonly at?: DurationSpec;
  /** Instead of a time: a condition (fires once). */
  readonly when?: FaultCondition;
  /** With `when` only: how long after the condition holds, e.g. '500ms'. Default 0. */
  readonly delay?: DurationSpec;
}

/** The fields of a fault that say when it fires; resolved into its FaultTrigger. */
export type FaultTimingField = keyof FaultTiming;

/**
 * A condition as written: one object with every kind optional, so that "exactly one kind" is
 * reported as such (validate.ts), not as a failed union.
 */
export const conditionSchema = obj({
  iosCompleted: int(1).optional(),
  hostState: oneOf(HOST_STATE_NAMES).optional(),
  afterFault: int(0).optional(),
  host: str().optional(),
});

/** The timing fields' schema, in the order unknown-field errors list them (after `action`). */
export const timingShape = {
  at: duration().optional(),
  atNs: int(0).optional(),
  when: conditionSchema.optional(),
  delay: duration().optional(),
} satisfies z.core.$ZodLooseShape;

export const FAULT_TIMING_FIELDS = Object.keys(timingShape) as readonly FaultTimingField[];
