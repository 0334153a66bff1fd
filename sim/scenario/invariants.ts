// Invariant checking, split as TigerBeetle's VOPR splits it (docs/prior-art.md,
// "TigerBeetle"): safety holds at every moment whatever the faults, and
// liveness is judged only after a healing fault, against a bound. The per-I/O safety checks run in
// TrackedDevice as I/Os complete; this file turns its counters into verdicts, and tracks, for the
// liveness check, when each host's I/O resumed after each heal, restart, resume or repair.
// Every verdict says how much it checked (InvariantResult.checked), and a verdict that checked
// nothing where the scenario asked for something to check fails: a pass must mean something.
import { NS_PER_MS } from '../core/index.js';
import type { ResolvedInvariant } from './resolved.js';
import type { FailureClass, InvariantResult } from './result.js';
import type { HostIoStats } from './tracked-device.js';

/** One verdict a run reports (InvariantResult.name), as scenarios/README.md documents it. */
export interface CheckedInvariant {
  readonly name: string;
  readonly class: FailureClass;
  /** Which runs report it. */
  readonly when: string;
  readonly holds: string;
  /** What its `checked` count counts. */
  readonly counts: string;
}

/**
 * Every verdict the runner reports, in report order; scenarios/README.md's invariant table is
 * generated from this list, and a test checks that runs report no name missing here.
 */
export const CHECKED_INVARIANTS: readonly CheckedInvariant[] = [
  {
    name: 'no-crash',
    class: 'crash',
    when: 'always',
    holds: 'no exception escaped the simulated code (in a real-time run: the real peers started and no exception escaped the run)',
    counts: 'scheduler events run (0 in a real-time run)',
  },
  {
    name: 'faults-applied',
    class: 'crash',
    when: 'real-time runs',
    holds: "every fault's guest commands succeeded (a failed `tc` or nvmet command fails the run)",
    counts: 'faults applied',
  },
  {
    name: 'hosts-connect',
    class: 'liveness',
    when: 'always',
    holds: 'every host connected at the start: its first `nvme connect` and the open of its namespace succeeded',
    counts: 'hosts connected',
  },
  {
    name: 'workload-progress',
    class: 'liveness',
    when: 'with `workload-progress`',
    holds: 'every host with a workload completed at least one I/O successfully (a host without a workload is not checked)',
    counts: 'hosts with a workload that completed I/O',
  },
  {
    name: 'ios-complete-once',
    class: 'correctness',
    when: 'with `ios-accounted`',
    holds: 'safety, checked at every completion: no I/O completed twice, and no I/O was submitted from a slot whose previous I/O was still in flight',
    counts: 'I/O completions',
  },
  {
    name: 'ios-accounted',
    class: 'liveness',
    when: 'with `ios-accounted`',
    holds: 'every I/O completed or failed: none is still outstanding at the end of the drain',
    counts: 'I/Os submitted',
  },
  {
    name: 'no-verify-mismatch',
    class: 'correctness',
    when: 'with `no-verify-mismatch`',
    holds: 'reads of blocks this run wrote (`verify: true`) return what was written, and each host with `verify: true` read back at least one block',
    counts: 'blocks read back and compared',
  },
  {
    name: 'no-io-errors',
    class: 'correctness',
    when: 'with `no-io-errors` (opt in: faults usually cause errors)',
    holds: 'no I/O failed at all',
    counts: 'I/O completions',
  },
  {
    name: 'no-app-errors-with-a-path',
    class: 'correctness',
    when: 'with `no-app-errors-with-a-path` (opt in where one path stays usable throughout)',
    holds: 'no I/O error reached the application of a multipath host (failover hid every path failure), and there was a multipath host to check',
    counts: 'I/O completions of multipath hosts',
  },
  {
    name: 'io-resumes',
    class: 'liveness',
    when: 'with `io-resumes`',
    holds:
      'after every fault that heals, each host with a running workload (and each host restarted with its node) completes an I/O within the bound, and at least one host was running to check; a check the run ended too soon to judge is reported as not observable, not as a failure',
    counts: 'resumptions within the bound',
  },
  {
    name: 'steps',
    class: 'correctness',
    when: 'with `steps`',
    holds: "the scenario's steps finished within the run: no assertion failed, no error escaped them and no until() timed out (the detail gives the message and the simulated time)",
    counts: 'step log entries',
  },
];

/** The invariant table of scenarios/README.md. */
export function invariantTable(): string {
  const rows = CHECKED_INVARIANTS.map((inv) => `| \`${inv.name}\` | ${inv.class} | ${inv.when} | ${inv.holds} | ${inv.counts} |`);
  return ['| verdict | class | reported | holds when | `checked` counts |', '|---|---|---|---|---|', ...rows].join('\n');
}

interface ResumeCheck {
  readonly faultIndex: number;
  readonly action: string;
  readonly atNs: number;
  readonly host: number;
  resumedAtNs: number;
}

/** Records healing faults and the first successful I/O of each affected host after each. */
export class ResumeTracker {
  readonly #checks: ResumeCheck[] = [];
  /** Heals at which no host had a running workload: nothing could be checked after them. */
  readonly #unchecked: { readonly action: string; readonly atNs: number }[] = [];
  /** Open checks per host index. */
  readonly #open: ResumeCheck[][];

  constructor(hosts: number) {
    this.#open = Array.from({ length: hosts }, () => []);
  }

  /** A healing fault happened at atNs; every host with a running workload must resume. */
  healed(faultIndex: number, action: string, atNs: number, runningHosts: readonly number[]): void {
    if (runningHosts.length === 0) this.#unchecked.push({ action, atNs });
    for (const host of runningHosts) {
      const check: ResumeCheck = { faultIndex, action, atNs, host, resumedAtNs: -1 };
      this.#checks.push(check);
      this.#open[host]?.push(check);
    }
  }

  /** A host completed an I/O successfully: closes its open checks. O(1) when none is open. */
  succeeded(host: number, nowNs: number): void {
    const open = this.#open[host];
    if (open === undefined || open.length === 0) return;
    for (const check of open) check.resumedAtNs = nowNs;
    open.length = 0;
  }

  /** The host crashed: it cannot be expected to resume (its restart opens a new check). */
  hostGone(host: number): void {
    const open = this.#open[host];
    if (open === undefined) return;
    for (const check of open) {
      const index = this.#checks.indexOf(check);
      if (index >= 0) this.#checks.splice(index, 1);
    }
    open.length = 0;
  }

  /** Liveness verdict: each check resumed within `withinNs`, or the run ended too soon to tell. */
  evaluate(withinNs: number, endNs: number, hostNames: readonly string[]): InvariantResult {
    const late: string[] = [];
    let resumed = 0;
    let slowestNs = 0;
    let inconclusive = 0;
    for (const check of this.#checks) {
      const who = `${hostNames[check.host] ?? check.host} after ${check.action} at ${ms(check.atNs)}`;
      if (check.resumedAtNs >= 0) {
        const tookNs = check.resumedAtNs - check.atNs;
        if (tookNs > withinNs) late.push(`${who} resumed only after ${ms(tookNs)}`);
        else {
          resumed++;
          slowestNs = Math.max(slowestNs, tookNs);
        }
      } else if (endNs - check.atNs >= withinNs) {
        late.push(`${who}: no I/O completed within ${ms(withinNs)}`);
      } else {
        inconclusive++;
      }
    }
    const checked = resumed;
    if (late.length > 0) {
      return { name: 'io-resumes', ok: false, class: 'liveness', checked, detail: `${late[0]}${late.length > 1 ? ` (and ${late.length - 1} more)` : ''}` };
    }
    const unchecked = this.#unchecked[0];
    if (unchecked !== undefined) {
      const more = this.#unchecked.length > 1 ? ` (and ${this.#unchecked.length - 1} more)` : '';
      const detail = `${unchecked.action} at ${ms(unchecked.atNs)}: no host had a running workload, so no resumption could be checked${more}`;
      return { name: 'io-resumes', ok: false, class: 'liveness', checked, detail };
    }
    const parts = [`${resumed} resumption(s) within ${ms(withinNs)}`];
    if (resumed > 0) parts.push(`slowest ${ms(slowestNs)}`);
    if (inconclusive > 0) parts.push(`${inconclusive} not observable before the run ended`);
    return { name: 'io-resumes', ok: true, class: 'liveness', checked, detail: parts.join(', ') };
  }
}

function ms(ns: number): string {
  return `${(ns / NS_PER_MS).toFixed(3)} ms`;
}

/** What the verdicts need to know about one host. */
export interface HostVerdictInput {
  readonly name: string;
  readonly stats: HostIoStats;
  /** The scenario gave the host a workload (workload-progress checks only those). */
  readonly hasWorkload: boolean;
  /** Its workload verifies what it reads back (`verify: true`). */
  readonly verify: boolean;
  /** Blocks read back and compared, over all incarnations. */
  readonly verifyChecked: number;
  readonly verifyMismatches: number;
  readonly connectError: string | undefined;
  /** The host has more than one path (connect.paths): a native multipath device. */
  readonly multipath: boolean;
}

/** Evaluates the scenario's invariants after the run (the resume tracker supplies io-resumes). */
export function evaluateInvariants(
  invariants: readonly ResolvedInvariant[],
  hosts: readonly HostVerdictInput[],
  resume: ResumeTracker,
  endNs: number,
): InvariantResult[] {
  const results: InvariantResult[] = [];
  const failedConnect = hosts.find((host) => host.connectError !== undefined);
  results.push({
    name: 'hosts-connect',
    ok: failedConnect === undefined,
    class: 'liveness',
    checked: hosts.filter((host) => host.connectError === undefined).length,
    detail: failedConnect === undefined ? `${hosts.length} host(s) connected` : `${failedConnect.name}: ${failedConnect.connectError}`,
  });
  const completions = hosts.reduce((sum, host) => sum + host.stats.succeeded + host.stats.failed, 0);
  for (const invariant of invariants) {
    switch (invariant.check) {
      case 'workload-progress':
        results.push(progress(hosts));
        break;
      case 'ios-accounted':
        results.push(...accounted(hosts, completions));
        break;
      case 'no-verify-mismatch':
        results.push(verified(hosts));
        break;
      case 'no-io-errors': {
        const bad = hosts.find((host) => host.stats.failed > 0);
        const first = bad?.stats.firstFailure;
        results.push({
          name: 'no-io-errors',
          ok: bad === undefined,
          class: 'correctness',
          checked: completions,
          detail:
            bad === undefined || first === undefined
              ? `no failed I/O in ${completions} completion(s)`
              : `${bad.name}: ${bad.stats.failed} failed I/O(s), first status 0x${first.status.toString(16)} at ${ms(first.atNs)}`,
        });
        break;
      }
      case 'no-app-errors-with-a-path':
        results.push(noAppErrors(hosts));
        break;
      case 'io-resumes':
        results.push(resume.evaluate(invariant.withinNs, endNs, hosts.map((host) => host.name)));
        break;
    }
  }
  return results;
}

/** With one path always usable, native multipath must fail every path error over: none reaches the application. */
function noAppErrors(hosts: readonly HostVerdictInput[]): InvariantResult {
  const name = 'no-app-errors-with-a-path';
  const multipath = hosts.filter((host) => host.multipath);
  const checked = multipath.reduce((sum, host) => sum + host.stats.succeeded + host.stats.failed, 0);
  if (multipath.length === 0) return { name, ok: false, class: 'correctness', checked, detail: 'no multipath host to check (give a host connect.paths)' };
  const bad = multipath.find((host) => host.stats.failed > 0);
  const first = bad?.stats.firstFailure;
  if (bad === undefined || first === undefined) return { name, ok: true, class: 'correctness', checked, detail: `no application error in ${checked} completion(s) of ${multipath.length} multipath host(s)` };
  return { name, ok: false, class: 'correctness', checked, detail: `${bad.name}: ${bad.stats.failed} I/O error(s) reached the application, first status 0x${first.status.toString(16)} at ${ms(first.atNs)}` };
}

/**
 * Liveness of each host's workload over the whole run: one that completed no I/O (its connection
 * never carried any, or every I/O failed) made no progress, whatever else held.
 */
function progress(hosts: readonly HostVerdictInput[]): InvariantResult {
  const working = hosts.filter((host) => host.hasWorkload);
  const stalled = working.filter((host) => host.stats.succeeded === 0);
  const first = stalled[0];
  const checked = working.length - stalled.length;
  if (first !== undefined) {
    const stats = first.stats;
    const more = stalled.length > 1 ? ` (and ${stalled.length - 1} more host(s))` : '';
    const why = first.connectError !== undefined ? `never connected: ${first.connectError}` : `${stats.submitted} submitted, ${stats.failed} failed`;
    return { name: 'workload-progress', ok: false, class: 'liveness', checked, detail: `${first.name}: its workload completed no I/O (${why})${more}` };
  }
  const detail =
    working.length === 0 ? 'no host has a workload (nothing to check)' : `${checked} host(s) with a workload each completed I/O (the fewest: ${Math.min(...working.map((host) => host.stats.succeeded))})`;
  return { name: 'workload-progress', ok: true, class: 'liveness', checked, detail };
}

/** Mismatches are correctness; so is a host that asked to verify and read back nothing. */
function verified(hosts: readonly HostVerdictInput[]): InvariantResult {
  const checked = hosts.reduce((sum, host) => sum + host.verifyChecked, 0);
  const bad = hosts.find((host) => host.verifyMismatches > 0);
  if (bad !== undefined) {
    return {
      name: 'no-verify-mismatch',
      ok: false,
      class: 'correctness',
      checked,
      detail: `${bad.name}: ${bad.verifyMismatches} block(s) read back differently from what was written`,
    };
  }
  const unverified = hosts.find((host) => host.verify && host.verifyChecked === 0);
  if (unverified !== undefined) {
    return {
      name: 'no-verify-mismatch',
      ok: false,
      class: 'correctness',
      checked,
      detail: `${unverified.name}: verify is on but no block was read back and compared`,
    };
  }
  const verifying = hosts.filter((host) => host.verify).length;
  const detail = verifying === 0 ? 'no host verifies (nothing to check)' : `no mismatches in ${checked} block(s) read back by ${verifying} host(s)`;
  return { name: 'no-verify-mismatch', ok: true, class: 'correctness', checked, detail };
}

/** Safety (each I/O completed at most once) is correctness; I/O left hanging is liveness. */
function accounted(hosts: readonly HostVerdictInput[], completed: number): InvariantResult[] {
  const violator = hosts.find((host) => host.stats.violations > 0);
  const hanging = hosts.find((host) => host.stats.outstanding > 0);
  const submitted = hosts.reduce((sum, host) => sum + host.stats.submitted, 0);
  return [
    {
      name: 'ios-complete-once',
      ok: violator === undefined,
      class: 'correctness',
      checked: completed,
      detail:
        violator === undefined
          ? `${completed} I/O(s) each completed exactly once`
          : `${violator.name}: ${violator.stats.violations} violation(s), first: ${violator.stats.firstViolation ?? ''}`,
    },
    {
      name: 'ios-accounted',
      ok: hanging === undefined,
      class: 'liveness',
      checked: submitted,
      detail:
        hanging === undefined
          ? `every I/O completed or failed (${submitted} submitted)`
          : `${hanging.name}: ${hanging.stats.outstanding} I/O(s) neither completed nor failed by the end of the drain`,
    },
  ];
}
