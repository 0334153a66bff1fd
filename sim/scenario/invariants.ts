// Invariant checking, split as TigerBeetle's VOPR splits it (docs/prior-art.md,
// "TigerBeetle"): safety holds at every moment whatever the faults, and
// liveness is judged only after a healing fault, against a bound. The per-I/O safety checks run in
// TrackedDevice as I/Os complete; this file turns its counters into verdicts, and tracks, for the
// liveness check, when each host's I/O resumed after each heal, restart, resume or repair.
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
  },
  {
    name: 'faults-applied',
    class: 'crash',
    when: 'real-time runs',
    holds: "every fault's guest commands succeeded (a failed `tc` or nvmet command fails the run)",
  },
  {
    name: 'hosts-connect',
    class: 'liveness',
    when: 'always',
    holds: 'every host connected at the start: its first `nvme connect` and the open of its namespace succeeded',
  },
  {
    name: 'ios-complete-once',
    class: 'correctness',
    when: 'with `ios-accounted`',
    holds: 'safety, checked at every completion: no I/O completed twice, and no I/O was submitted from a slot whose previous I/O was still in flight',
  },
  {
    name: 'ios-accounted',
    class: 'liveness',
    when: 'with `ios-accounted`',
    holds: 'every I/O completed or failed: none is still outstanding at the end of the drain',
  },
  {
    name: 'no-verify-mismatch',
    class: 'correctness',
    when: 'with `no-verify-mismatch`',
    holds: 'reads of blocks this run wrote (`verify: true`) return what was written',
  },
  {
    name: 'no-io-errors',
    class: 'correctness',
    when: 'with `no-io-errors` (opt in: faults usually cause errors)',
    holds: 'no I/O failed at all',
  },
  {
    name: 'io-resumes',
    class: 'liveness',
    when: 'with `io-resumes`',
    holds:
      'after every fault that heals, each host with a running workload (and each host restarted with its node) completes an I/O within the bound; a check the run ended too soon to judge is reported as not observable, not as a failure',
  },
];

/** The invariant table of scenarios/README.md. */
export function invariantTable(): string {
  const rows = CHECKED_INVARIANTS.map((inv) => `| \`${inv.name}\` | ${inv.class} | ${inv.when} | ${inv.holds} |`);
  return ['| verdict | class | reported | holds when |', '|---|---|---|---|', ...rows].join('\n');
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
  /** Open checks per host index. */
  readonly #open: ResumeCheck[][];

  constructor(hosts: number) {
    this.#open = Array.from({ length: hosts }, () => []);
  }

  /** A healing fault happened at atNs; every host with a running workload must resume. */
  healed(faultIndex: number, action: string, atNs: number, runningHosts: readonly number[]): void {
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
    if (late.length > 0) {
      return { name: 'io-resumes', ok: false, class: 'liveness', detail: `${late[0]}${late.length > 1 ? ` (and ${late.length - 1} more)` : ''}` };
    }
    const parts = [`${resumed} resumption(s) within ${ms(withinNs)}`];
    if (resumed > 0) parts.push(`slowest ${ms(slowestNs)}`);
    if (inconclusive > 0) parts.push(`${inconclusive} not observable before the run ended`);
    return { name: 'io-resumes', ok: true, class: 'liveness', detail: parts.join(', ') };
  }
}

function ms(ns: number): string {
  return `${(ns / NS_PER_MS).toFixed(3)} ms`;
}

/** What the verdicts need to know about one host. */
export interface HostVerdictInput {
  readonly name: string;
  readonly stats: HostIoStats;
  readonly verifyMismatches: number;
  readonly connectError: string | undefined;
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
    detail: failedConnect === undefined ? `${hosts.length} host(s) connected` : `${failedConnect.name}: ${failedConnect.connectError}`,
  });
  for (const invariant of invariants) {
    switch (invariant.check) {
      case 'ios-accounted':
        results.push(...accounted(hosts));
        break;
      case 'no-verify-mismatch': {
        const bad = hosts.find((host) => host.verifyMismatches > 0);
        results.push({
          name: 'no-verify-mismatch',
          ok: bad === undefined,
          class: 'correctness',
          detail: bad === undefined ? 'no mismatches' : `${bad.name}: ${bad.verifyMismatches} block(s) read back differently from what was written`,
        });
        break;
      }
      case 'no-io-errors': {
        const bad = hosts.find((host) => host.stats.failed > 0);
        const first = bad?.stats.firstFailure;
        results.push({
          name: 'no-io-errors',
          ok: bad === undefined,
          class: 'correctness',
          detail:
            bad === undefined || first === undefined
              ? 'no failed I/O'
              : `${bad.name}: ${bad.stats.failed} failed I/O(s), first status 0x${first.status.toString(16)} at ${ms(first.atNs)}`,
        });
        break;
      }
      case 'io-resumes':
        results.push(resume.evaluate(invariant.withinNs, endNs, hosts.map((host) => host.name)));
        break;
    }
  }
  return results;
}

/** Safety (each I/O completed at most once) is correctness; I/O left hanging is liveness. */
function accounted(hosts: readonly HostVerdictInput[]): InvariantResult[] {
  const violator = hosts.find((host) => host.stats.violations > 0);
  const hanging = hosts.find((host) => host.stats.outstanding > 0);
  const completed = hosts.reduce((sum, host) => sum + host.stats.succeeded + host.stats.failed, 0);
  return [
    {
      name: 'ios-complete-once',
      ok: violator === undefined,
      class: 'correctness',
      detail:
        violator === undefined
          ? `${completed} I/O(s) each completed exactly once`
          : `${violator.name}: ${violator.stats.violations} violation(s), first: ${violator.stats.firstViolation ?? ''}`,
    },
    {
      name: 'ios-accounted',
      ok: hanging === undefined,
      class: 'liveness',
      detail:
        hanging === undefined
          ? 'every I/O completed or failed'
          : `${hanging.name}: ${hanging.stats.outstanding} I/O(s) neither completed nor failed by the end of the drain`,
    },
  ];
}
