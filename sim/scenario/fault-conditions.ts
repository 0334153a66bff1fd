// The `when` triggers of a scenario's fault timeline (resolved.ts ConditionTrigger). A conditional
// fault is armed at the start of the run and watched through hooks the runner already has: each
// successful I/O completion, each host controller state change, and each fault applied. So a
// condition is judged inside the simulated event that makes it hold, at that event's virtual time,
// never by polling: the same seed gives the same firing times. Each condition fires once; the
// runner then applies the fault `delay` later (runner.ts #conditionHeld).
import { NS_PER_MS, NS_PER_S, NS_PER_US } from '../core/index.js';
import type { ConditionTrigger, ResolvedFault } from './resolved.js';
import type { HostStateName } from './types.js';

/** A conditional fault whose condition held: what to apply, how much later, and why. */
export interface ArmedFault {
  readonly fault: ResolvedFault;
  readonly delayNs: number;
  /** For the report and the trace, e.g. '10000 I/Os completed on h1, +500ms'. */
  readonly description: string;
}

interface IoWatch {
  readonly armed: ArmedFault;
  readonly count: number;
  /** Host index, or -1 for the total over all hosts. */
  readonly host: number;
}

interface StateWatch {
  readonly armed: ArmedFault;
  readonly state: string;
  readonly host: number;
}

export class FaultConditions {
  readonly #onHeld: (armed: ArmedFault) => void;
  /** Pending watches, in the order of the faults list, so simultaneous ones fire in file order. */
  #ios: IoWatch[] = [];
  #states: StateWatch[] = [];
  readonly #afterFault = new Map<number, ArmedFault[]>();
  /** Successful I/Os, counted only while an iosCompleted watch is pending. */
  #total = 0;
  readonly #perHost: number[] = [];

  constructor(onHeld: (armed: ArmedFault) => void) {
    this.#onHeld = onHeld;
  }

  /** Arms `fault`, fired by `trigger` (its own); `hostIndex` maps a host name (validated) to its index. */
  arm(fault: ResolvedFault, trigger: ConditionTrigger, hostIndex: (name: string) => number): void {
    const { condition: when, delayNs } = trigger;
    const suffix = delayNs > 0 ? `, +${formatNs(delayNs)}` : '';
    if ('iosCompleted' in when) {
      const host = when.host === undefined ? -1 : hostIndex(when.host);
      const description = `${when.iosCompleted} I/Os completed${when.host === undefined ? '' : ` on ${when.host}`}${suffix}`;
      this.#ios.push({ armed: { fault, delayNs, description }, count: when.iosCompleted, host });
    } else if ('hostState' in when) {
      const description = `host ${when.host} ${when.hostState}${suffix}`;
      this.#states.push({ armed: { fault, delayNs, description }, state: when.hostState, host: hostIndex(when.host) });
    } else {
      const description = `faults[${when.afterFault}] applied${suffix}`;
      const list = this.#afterFault.get(when.afterFault) ?? [];
      list.push({ fault, delayNs, description });
      this.#afterFault.set(when.afterFault, list);
    }
  }

  /** A host completed an I/O successfully (called after its stats counted it). */
  ioSucceeded(host: number): void {
    if (this.#ios.length === 0) return;
    this.#total++;
    this.#perHost[host] = (this.#perHost[host] ?? 0) + 1;
    const held = this.#ios.filter((watch) => (watch.host < 0 ? this.#total : (this.#perHost[watch.host] ?? 0)) >= watch.count);
    if (held.length === 0) return;
    this.#ios = this.#ios.filter((watch) => !held.includes(watch));
    for (const watch of held) this.#onHeld(watch.armed);
  }

  /** A host's controller is now in `state`. */
  hostState(host: number, state: HostStateName | 'new'): void {
    if (this.#states.length === 0) return;
    const held = this.#states.filter((watch) => watch.host === host && watch.state === state);
    if (held.length === 0) return;
    this.#states = this.#states.filter((watch) => !held.includes(watch));
    for (const watch of held) this.#onHeld(watch.armed);
  }

  /** The fault at `index` of the faults list was applied. */
  faultApplied(index: number): void {
    const chained = this.#afterFault.get(index);
    if (chained === undefined) return;
    this.#afterFault.delete(index);
    for (const armed of chained) this.#onHeld(armed);
  }
}

/** The shortest exact spelling of a duration: 1s, 500ms, 20us, 7ns. */
function formatNs(ns: number): string {
  if (ns % NS_PER_S === 0) return `${ns / NS_PER_S}s`;
  if (ns % NS_PER_MS === 0) return `${ns / NS_PER_MS}ms`;
  if (ns % NS_PER_US === 0) return `${ns / NS_PER_US}us`;
  return `${ns}ns`;
}
